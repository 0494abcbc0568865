"""Rule `dynamics`: an autoencoder's reconstruction error per eigen-direction over training (R2)."""

from lbr.atomic import save_json, save_parquet
from lbr.layout import dataset_directory, spectrum_directory
from lbr.logs import setup_rule_logging
from lbr.train.autoencoder import dynamics_settings, learning_dynamics
from lbr.train.runtime import numerics_environment, setup_training_job


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    setup_training_job(smk.params.cpu_threads, smk.params.compile_cache)
    settings, sampling = dynamics_settings(smk.params.settings, smk.wildcards.arch)
    directions, bands, summary = learning_dynamics(
        dataset_directory(smk.input.dataset),
        spectrum_directory(smk.input.spectrum),
        settings,
        sampling,
        smk.params.device,
        smk.params.acceleration,
    )
    for table in (directions, bands):
        table.insert(0, "arch", smk.wildcards.arch)
        table.insert(0, "dataset", smk.wildcards.dataset)
    save_parquet(smk.output.directions, directions)
    save_parquet(smk.output.bands, bands)
    save_json(
        smk.output.summary,
        {
            "dataset": smk.wildcards.dataset,
            "arch": smk.wildcards.arch,
            **summary,
            "environment": numerics_environment(),
        },
    )
    log.info("R2: gamma(k, step learned) %.3f, holds: %s", summary["gamma"], summary["r2_holds"])


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
