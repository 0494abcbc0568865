"""Rule `theorem1_adam`: Adam against Theorem 1's closed form on random data (Fig. 8)."""

from lbr.atomic import save_parquet
from lbr.logs import setup_rule_logging
from lbr.spectral.theorem1_adam import adam_grid
from lbr.train.runtime import cpu_threads


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    cpu_threads(smk.params.cpu_threads)
    table = adam_grid(**smk.params.adam)
    save_parquet(smk.output[0], table)
    final = table.groupby(["dimension", "latent", "lam"])["relative_gap"].last()
    log.info("final relative gaps:\n%s", final.to_string())


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
