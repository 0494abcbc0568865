"""Rule `subspace_table`: one row per training run, and every run's per-epoch curve."""

from lbr.atomic import save_parquet
from lbr.logs import setup_rule_logging
from lbr.train.summary import subspace_curves_table, subspace_summary_table


def main(smk) -> None:
    setup_rule_logging(smk.log)
    curves = subspace_curves_table(smk.input.metrics, smk.params.runs)
    save_parquet(smk.output.curves, curves)
    save_parquet(
        smk.output.summary, subspace_summary_table(smk.input.summaries, smk.params.runs, curves)
    )


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
