"""Rule `figure_r1_prediction`: the paper's prediction and the training outcome per dataset."""

from lbr.atomic import load_parquet
from lbr.logs import setup_rule_logging
from lbr.plots.report import r1_prediction_figure
from lbr.plots.style import save_figure


def main(smk) -> None:
    setup_rule_logging(smk.log)
    verdicts = load_parquet(smk.input[0])
    save_figure(r1_prediction_figure(verdicts, smk.params.headline), *smk.output)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
