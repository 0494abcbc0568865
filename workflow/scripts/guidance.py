"""Rule `guidance`: one autoencoder with a guidance weight; its reconstruction and probes (R3)."""

import numpy as np
import pandas as pd
from lbr.atomic import save_json, save_npy, save_parquet
from lbr.layout import dataset_directory, spectrum_directory
from lbr.logs import setup_rule_logging
from lbr.train.autoencoder import RECONSTRUCTIONS_KEPT, guidance_settings, guided_autoencoder
from lbr.train.runtime import numerics_environment, setup_training_job


def main(smk) -> None:
    setup_rule_logging(smk.log)
    setup_training_job(smk.params.cpu_threads, smk.params.compile_cache)
    w = smk.wildcards
    settings, probe = guidance_settings(smk.params.settings, w.arch, w.latent, w.weight, w.seed)
    per_image = {}
    metrics, curves, reconstructions = guided_autoencoder(
        dataset_directory(smk.input.dataset),
        spectrum_directory(smk.input.spectrum),
        settings,
        probe,
        RECONSTRUCTIONS_KEPT,  # Fig. 6 draws the first `show` of them
        smk.params.device,
        smk.params.acceleration,
        per_image,
    )
    identity = {
        "dataset": w.dataset,
        "arch": w.arch,
        "latent": settings.latent,
        "guidance": settings.guidance,
        "seed": settings.seed,
    }
    for column, value in reversed(identity.items()):
        curves.insert(0, column, value)
    save_npy(smk.output.reconstructions, reconstructions.astype(np.float32))
    save_parquet(smk.output.curves, curves)
    save_parquet(smk.output.test_images, pd.DataFrame(per_image))
    environment = numerics_environment()
    save_json(
        smk.output.metrics,
        {"dataset": w.dataset, **metrics, "seed": settings.seed, "environment": environment},
    )


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
