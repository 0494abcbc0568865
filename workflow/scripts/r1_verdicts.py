"""Rule `r1_verdicts`: per dataset, the alignment at small K, the headline pair's
accuracies over seeds with their 95% intervals, the outcome they decide and the threshold
reading's verdict."""

from lbr.atomic import load_parquet, save_parquet
from lbr.logs import setup_rule_logging
from lbr.r1_prediction import r1_verdicts


def main(smk) -> None:
    setup_rule_logging(smk.log)
    alignment = {
        name: load_parquet(path) for name, path in zip(smk.params.datasets, smk.input.alignment)
    }
    # Per-test-image correctness of the headline runs, in the order of params.headline_runs.
    per_image = {
        (dataset, side, int(seed)): load_parquet(path)["correct"].to_numpy()
        for path, (dataset, side, _fraction, _augment, seed) in zip(
            smk.input.test_images, smk.params.headline_runs
        )
    }
    intervals = smk.params.intervals
    verdicts = r1_verdicts(
        alignment,
        load_parquet(smk.input.subspace),
        smk.params.headline,
        per_image,
        intervals["bootstrap_resamples"],
        intervals["bootstrap_seed"],
    )
    save_parquet(smk.output[0], verdicts)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
