"""Rule `subspace_train`: one ResNet9 run on images projected onto a variance subspace."""

import sys
from pathlib import Path

# The lbr package sits beside scripts/: importable without installation (conda envs, clusters).
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821

from lbr.atomic import atomic_path, save_json, save_parquet
from lbr.layout import dataset_directory, spectrum_directory
from lbr.logs import setup_rule_logging
from lbr.train.subspace_run import run_subspace_training


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    torch_threads(smk.threads)
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
    )
    if smk.params.save_weights:
        import torch

        weights = Path(smk.output.summary).with_name("weights.pt")
        with atomic_path(weights) as tmp:
            torch.save(model.state_dict(), tmp)
        summary["weights"] = weights.name
    save_parquet(smk.output.metrics, metrics)
    save_json(smk.output.summary, summary)  # last: its presence marks a complete run
    log.info(
        "final test accuracy %.4f (%d dims, %.3f of variance)",
        summary["final_test_accuracy"],
        summary["dimensions"],
        summary["variance_fraction"],
    )


def torch_threads(threads: int) -> None:
    from lbr.train.runtime import cpu_threads

    cpu_threads(threads)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
