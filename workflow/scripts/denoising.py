"""Rule `denoising`: Theorem 3's optimal encoder for one noise setting, its alignment."""

from lbr.atomic import save_parquet
from lbr.layout import spectrum_directory
from lbr.logs import setup_rule_logging
from lbr.spectral.cache import read_spectrum
from lbr.spectral.denoising import spectrum_denoising
from lbr.spectral.noise import noise_from_spec
from lbr.threads import fix_blas_threads


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    fix_blas_threads(smk.params.threads)
    table = spectrum_denoising(
        read_spectrum(spectrum_directory(smk.input)),
        noise_from_spec(smk.params.noise),
        smk.params.device,
    )
    table.insert(0, "dataset", smk.wildcards.dataset)
    save_parquet(smk.output[0], table)
    log.info(
        "%s: max |change| %.3g, max subspace shift %.3g",
        smk.wildcards.noise,
        table["change"].abs().max(),
        table["subspace_shift"].max(),
    )


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
