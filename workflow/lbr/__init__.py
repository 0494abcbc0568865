"""lbr: library behind the 'Learning by Reconstruction' reproduction pipeline.

All logic lives here; the Snakemake scripts only read their inputs, call one
function of this package and write outputs.
"""

__version__ = "0.1.0"

# Snakemake does not track imported library code. Each stage's version string is
# passed to its rule as a param, so bumping it here reruns that stage and everything
# downstream (and nothing upstream). Bump a stage when its numbers would change.
STAGE_VERSIONS = {
    "dataset": "1",
    "spectrum": "1",
    "alignment": "1",
    "denoising": "3",
    "theorem1": "1",
    "subspace": "1",
    "autoencoders": "2",
    "figures": "3",
    "report": "3",
}


def stage_version(stage: str) -> str:
    return f"{stage}-v{STAGE_VERSIONS[stage]}"
