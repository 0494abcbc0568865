"""Rule `subspace_train`: one classifier run on images projected onto a variance subspace."""

from pathlib import Path

import pandas as pd
from lbr.atomic import atomic_path, save_json, save_parquet
from lbr.layout import dataset_directory, spectrum_directory
from lbr.logs import setup_rule_logging
from lbr.train.runtime import numerics_environment, setup_training_job
from lbr.train.subspace_run import SubspaceRun, run_subspace_training, subspace_settings


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    setup_training_job(smk.params.cpu_threads, smk.params.compile_cache)
    record = {}
    run = SubspaceRun(
        dataset_dir=dataset_directory(smk.input.dataset),
        spectrum_dir=spectrum_directory(smk.input.spectrum),
        side=smk.wildcards.side,
        fraction=float(smk.wildcards.fraction),
        settings=subspace_settings(
            smk.params.training,
            smk.params.model,
            augment=smk.wildcards.augment == "aug",
            seed=int(smk.wildcards.seed),
        ),
        device=smk.params.device,
        acceleration=smk.params.acceleration,
    )
    metrics, summary, model = run_subspace_training(run, record)
    summary["environment"] = numerics_environment()
    weights = Path(smk.output.summary).with_name("weights.pt")
    if smk.config["subspace"]["save_weights"]:  # decides the outputs, not the numbers
        import torch

        with atomic_path(smk.output.weights) as tmp:
            torch.save(model.state_dict(), tmp)
        summary["weights"] = weights.name
    else:
        weights.unlink(missing_ok=True)  # from an earlier run with save_weights: stale now
    save_parquet(smk.output.metrics, metrics)
    # Which test images the final model classifies correctly, in test order: the paired
    # bootstrap of the report compares two runs on the same images (docs/claims.md).
    save_parquet(smk.output.test_images, pd.DataFrame({"correct": record["test_correct"]}))
    save_json(smk.output.summary, summary)  # last: its presence marks a complete run
    log.info(
        "final test accuracy %.4f (%d dims, %.3f of variance)",
        summary["final_test_accuracy"],
        summary["dimensions"],
        summary["variance_fraction"],
    )


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
