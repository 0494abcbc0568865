"""Rule `figure_subspace`: Fig. 4 and Fig. 1 (top)."""

import sys
from pathlib import Path

# The lbr package sits beside scripts/: importable without installation (conda envs, clusters).
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821

from lbr.atomic import load_parquet
from lbr.logs import setup_rule_logging
from lbr.plots import headline_figure, save_figure, subspace_figure


def main(smk) -> None:
    setup_rule_logging(smk.log)
    table = load_parquet(smk.input[0])
    save_figure(subspace_figure(table), *smk.output.subspace)
    save_figure(headline_figure(table, smk.params.headline), *smk.output.headline)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
