"""Rule `alignment`: Eq. (7) for every K, in its three forms."""

from lbr.atomic import save_parquet
from lbr.layout import spectrum_directory
from lbr.logs import setup_rule_logging
from lbr.spectral.alignment import spectrum_alignment
from lbr.spectral.cache import read_spectrum
from lbr.threads import fix_blas_threads


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    fix_blas_threads(smk.params.threads)
    table = spectrum_alignment(read_spectrum(spectrum_directory(smk.input)))
    save_parquet(smk.output[0], table)
    log.info("alignment at K=10: %.4f", table["alignment_appendix"].iloc[min(9, len(table) - 1)])


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
