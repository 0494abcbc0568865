"""Rule `guidance`: one autoencoder with a guidance weight; its reconstruction and probes (R3)."""

import sys
from pathlib import Path

# The lbr package sits beside scripts/: importable without installation (conda envs, clusters).
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821

import numpy as np
from lbr.atomic import save_json, save_npy
from lbr.layout import dataset_directory, spectrum_directory
from lbr.logs import setup_rule_logging
from lbr.train.autoencoder import AutoencoderSettings, guided_autoencoder
from lbr.train.runtime import cpu_threads


def main(smk) -> None:
    setup_rule_logging(smk.log)
    cpu_threads(smk.threads)
    grid = dict(smk.params.settings)
    probe, show = grid.pop("probe"), grid.pop("show")
    for key in ("architectures", "latents", "weights"):
        grid.pop(key)
    settings = AutoencoderSettings(
        arch=smk.wildcards.arch,
        latent=int(smk.wildcards.latent),
        guidance=float(smk.wildcards.weight),
        **grid,
    )
    metrics, reconstructions = guided_autoencoder(
        dataset_directory(smk.input.dataset),
        spectrum_directory(smk.input.spectrum),
        settings,
        probe,
        show,
        smk.params.device,
    )
    save_npy(smk.output.reconstructions, reconstructions.astype(np.float32))
    save_json(smk.output.metrics, {"dataset": smk.wildcards.dataset, **metrics})


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
