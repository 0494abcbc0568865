"""Rule `dynamics`: an autoencoder's reconstruction error per eigen-band over training (R2)."""

import sys
from pathlib import Path

# The lbr package sits beside scripts/: importable without installation (conda envs, clusters).
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821

from lbr.atomic import save_json, save_parquet
from lbr.layout import dataset_directory, spectrum_directory
from lbr.logs import setup_rule_logging
from lbr.train.autoencoder import AutoencoderSettings, learning_dynamics
from lbr.train.runtime import cpu_threads


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    cpu_threads(smk.threads)
    grid = dict(smk.params.settings)
    snapshots, subset, band_edges = (
        grid.pop("snapshots"),
        grid.pop("subset"),
        grid.pop("band_edges"),
    )
    grid.pop("architectures")
    settings = AutoencoderSettings(arch=smk.wildcards.arch, **grid)
    table, summary = learning_dynamics(
        dataset_directory(smk.input.dataset),
        spectrum_directory(smk.input.spectrum),
        settings,
        snapshots,
        subset,
        band_edges,
        smk.params.device,
    )
    table.insert(0, "arch", smk.wildcards.arch)
    table.insert(0, "dataset", smk.wildcards.dataset)
    save_parquet(smk.output.table, table)
    save_json(smk.output.summary, summary)
    log.info(
        "halving steps per band %s: R2 %s",
        summary["halving_steps"],
        "holds" if summary["r2_holds"] else "fails",
    )


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
