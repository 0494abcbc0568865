"""Rule `subspace_train`: one ResNet9 run on images projected onto a variance subspace."""

import sys
from pathlib import Path

# The lbr package sits beside scripts/: importable without installation (conda envs, clusters).
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821

import pandas as pd
from lbr.atomic import atomic_path, save_json, save_parquet
from lbr.layout import dataset_directory, spectrum_directory
from lbr.logs import setup_rule_logging
from lbr.train.runtime import numerics_environment, setup_training_job
from lbr.train.subspace_run import run_subspace_training


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    setup_training_job(smk.params.cpu_threads, smk.params.compile_cache)
    record = {}
    metrics, summary, model = run_subspace_training(
        dataset_directory(smk.input.dataset),
        spectrum_directory(smk.input.spectrum),
        smk.wildcards.side,
        float(smk.wildcards.fraction),
        smk.wildcards.augment == "aug",
        int(smk.wildcards.seed),
        smk.params.training,
        smk.params.model,
        smk.params.device,
        smk.params.acceleration,
        record,
    )
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
