"""Rule `figure_gallery`: Fig. 9 for one dataset."""

from lbr.data.format import read_dataset
from lbr.layout import dataset_directory, spectrum_directory
from lbr.logs import setup_rule_logging
from lbr.plots.closed_forms import gallery_figure
from lbr.plots.style import save_figure
from lbr.spectral.cache import read_spectrum
from lbr.spectral.subspace import gallery_rows, pick_images


def main(smk) -> None:
    setup_rule_logging(smk.log)
    settings = smk.params.gallery
    dataset = read_dataset(dataset_directory(smk.input.dataset))
    images, titles = pick_images(dataset, settings["images"], settings["seed"])
    rows = gallery_rows(
        images,
        read_spectrum(spectrum_directory(smk.input.spectrum)),
        settings["top_fraction"],
        settings["bottom_fraction"],
    )
    save_figure(gallery_figure(rows, titles, smk.wildcards.dataset), *smk.output)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
