"""Rule `spectrum`: Σ, M, counts, mean and the eigendecomposition of one dataset."""

from lbr.layout import dataset_directory, spectrum_directory
from lbr.logs import setup_rule_logging
from lbr.spectral.cache import compute_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing
from lbr.threads import fix_blas_threads


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    fix_blas_threads(smk.params.threads)
    spectrum = compute_spectrum(
        dataset_directory(smk.input),
        Preprocessing(**smk.params.preprocessing),
        chunk_size=smk.config["spectrum"]["chunk_size"],  # memory only: not a param
        rtol=smk.params.rank_rtol,
        device=smk.params.device,
    )
    write_spectrum(spectrum_directory(smk.output), spectrum)
    log.info("rank %d of %d", spectrum.eigen.rank, spectrum.summary["dimension"])


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
