"""Rule `denoising_table`: all noise settings in one tidy table, and the screen summary."""

import sys
from pathlib import Path

# The lbr package sits beside scripts/: importable without installation (conda envs, clusters).
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821

import pandas as pd
from lbr.atomic import load_parquet, save_parquet
from lbr.logs import setup_rule_logging
from lbr.spectral.denoising_table import screen_summary


def main(smk) -> None:
    setup_rule_logging(smk.log)
    table = pd.concat([load_parquet(path) for path in smk.input], ignore_index=True)
    save_parquet(smk.output.table, table)
    save_parquet(smk.output.screen, screen_summary(table, smk.params.k_min))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
