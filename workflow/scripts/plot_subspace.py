"""Rule `figure_subspace`: Fig. 4 and Fig. 1 (top, with the headline pair's intervals and
per-epoch curves)."""

from lbr.atomic import load_parquet
from lbr.logs import setup_rule_logging
from lbr.plots.style import save_figure
from lbr.plots.subspace import headline_figure, subspace_figure


def main(smk) -> None:
    setup_rule_logging(smk.log)
    table = load_parquet(smk.input.summary)
    save_figure(subspace_figure(table), *smk.output.subspace)
    headline = headline_figure(
        table,
        smk.params.headline,
        load_parquet(smk.input.r1_verdicts),
        load_parquet(smk.input.curves),
    )
    save_figure(headline, *smk.output.headline)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
