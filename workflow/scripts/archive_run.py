"""Rule `archive`: one .tar.gz of the run's results with a verifiable manifest."""

import sys
from pathlib import Path

# The lbr package sits beside scripts/: importable without installation (conda envs, clusters).
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821

from lbr.archive import write_archive
from lbr.logs import setup_rule_logging

# Raw downloads are inputs, not results; the archive directory holds the archive itself;
# cache/ holds torch.compile's kernels (machine-specific, rebuilt on demand).
SKIPPED = ("downloads", "archive", "cache")


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    root = Path(smk.output[0]).parent.parent  # results/archive/run.tar.gz -> results/
    files = [
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.relative_to(root).parts[0] not in SKIPPED
        and not p.name.endswith(".tmp")
        and p.resolve() != Path(smk.log[0]).resolve()
    ]
    manifest = write_archive(
        Path(smk.output[0]), files, root, smk.params.config, Path(smk.params.code_dir)
    )
    log.info("archived %d files; verify with: %s", len(manifest["files"]), manifest["verify"])


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
