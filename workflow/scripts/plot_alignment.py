"""Rule `figure_alignment`: Fig. 2."""

from lbr.atomic import load_parquet
from lbr.logs import setup_rule_logging
from lbr.plots.closed_forms import alignment_figure
from lbr.plots.style import save_figure


def main(smk) -> None:
    setup_rule_logging(smk.log)
    tables = {name: load_parquet(path) for name, path in zip(smk.params.datasets, smk.input)}
    save_figure(alignment_figure(tables), *smk.output)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
