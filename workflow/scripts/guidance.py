"""Rule `guidance`: one autoencoder with a guidance weight; its reconstruction and probes (R3)."""

import sys
from pathlib import Path

# The lbr package sits beside scripts/: importable without installation (conda envs, clusters).
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821

import numpy as np
from lbr.atomic import save_json, save_npy, save_parquet
from lbr.logs import setup_rule_logging
from lbr.train.autoencoder import guidance_settings, guided_autoencoder
from lbr.train.runtime import cpu_threads


def main(smk) -> None:
    setup_rule_logging(smk.log)
    cpu_threads(smk.threads)
    w = smk.wildcards
    settings, probe = guidance_settings(smk.params.settings, w.arch, w.latent, w.weight)
    metrics, curves, reconstructions = guided_autoencoder(
        smk.params.dataset_dir,
        smk.params.spectrum_dir,
        settings,
        probe,
        smk.params.settings["show"],
        smk.params.device,
    )
    identity = {
        "dataset": w.dataset,
        "arch": w.arch,
        "latent": settings.latent,
        "guidance": settings.guidance,
    }
    for column, value in reversed(identity.items()):
        curves.insert(0, column, value)
    save_npy(smk.output.reconstructions, reconstructions.astype(np.float32))
    save_parquet(smk.output.curves, curves)
    save_json(smk.output.metrics, {"dataset": w.dataset, **metrics})


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
