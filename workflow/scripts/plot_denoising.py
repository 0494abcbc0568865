"""Rule `figure_denoising`: Fig. 7 and the label-free screen."""

from lbr.atomic import load_parquet
from lbr.logs import setup_rule_logging
from lbr.plots.closed_forms import denoising_figure, screen_figure
from lbr.plots.style import save_figure


def main(smk) -> None:
    setup_rule_logging(smk.log)
    table = load_parquet(smk.input.table)
    save_figure(denoising_figure(table, smk.params.k_min), *smk.output.denoising)
    save_figure(screen_figure(load_parquet(smk.input.screen)), *smk.output.screen)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
