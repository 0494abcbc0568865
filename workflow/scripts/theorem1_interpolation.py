"""Rule `theorem1_interpolation`: supervised residual of the optimal encoder, λ from 0 to ∞."""

from lbr.atomic import save_parquet
from lbr.layout import spectrum_directory
from lbr.logs import setup_rule_logging
from lbr.spectral.cache import read_spectrum
from lbr.spectral.theorem1 import interpolation_table
from lbr.threads import fix_blas_threads


def main(smk) -> None:
    setup_rule_logging(smk.log)
    fix_blas_threads(smk.params.threads)
    table = interpolation_table(
        read_spectrum(spectrum_directory(smk.input)), **smk.params.interpolation
    )
    table.insert(0, "dataset", smk.wildcards.dataset)
    save_parquet(smk.output[0], table)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
