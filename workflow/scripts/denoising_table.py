"""Rule `denoising_table`: all noise settings in one tidy table, and the screen summary."""

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
