"""Rule `figure_theorem1`: Fig. 8 and Theorem 1's interpolation."""

from lbr.atomic import load_parquet
from lbr.logs import setup_rule_logging
from lbr.plots.closed_forms import interpolation_figure, theorem1_figure
from lbr.plots.style import save_figure


def main(smk) -> None:
    setup_rule_logging(smk.log)
    save_figure(theorem1_figure(load_parquet(smk.input.adam)), *smk.output.theorem1)
    tables = {
        name: load_parquet(path) for name, path in zip(smk.params.datasets, smk.input.interpolation)
    }
    save_figure(interpolation_figure(tables), *smk.output.interpolation)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
