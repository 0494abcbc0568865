"""The run grids: every job of a stage that runs once per setting, from its config section.

The rules expand their per-run paths from these lists and pass the same lists as params,
so a job, the table that gathers it and the figure that draws it name the same runs.
Numbers that go into a path are formatted by `lbr.layout.path_number`.
"""

from __future__ import annotations

from ..layout import path_number
from ..spectral.noise import expand_noise_grid

# The fields of each grid's runs, in order: the wildcards of the stage's paths.
DENOISING_FIELDS = ("dataset", "noise")
SUBSPACE_FIELDS = ("dataset", "side", "fraction", "augment", "seed")
DYNAMICS_FIELDS = ("dataset", "arch")
GUIDANCE_FIELDS = ("dataset", "arch", "latent", "weight", "seed")


def denoising_runs(datasets: list[str], noises: dict) -> list[tuple[str, str]]:
    """Every denoising job: (dataset, noise setting), each dataset with every setting of
    the `denoising.noises` section (named by `lbr.spectral.noise`)."""
    settings = list(expand_noise_grid(noises))
    return [(dataset, noise) for dataset in datasets for noise in settings]


def subspace_runs(grid: dict) -> list[tuple[str, str, str, str, int]]:
    """Every training run: (dataset, side, fraction, "aug" | "noaug", seed).

    Per dataset: each configured side × fraction, then the headline pair (top, bottom)
    and, with `dimension_halves`, the top and bottom halves of the dimensions; a pair
    listed twice runs once.
    """
    runs = []
    for dataset in grid["datasets"]:
        pairs = [(side, f) for side in grid["sides"] for f in grid["fractions"]]
        pairs += [("top", grid["headline"]["top"]), ("bottom", grid["headline"]["bottom"])]
        if grid["dimension_halves"]:
            pairs += [("top_dims", 0.5), ("bottom_dims", 0.5)]
        for side, fraction in dict.fromkeys(pairs):
            for augment in grid["augment"]:
                for seed in grid["seeds"]:
                    runs.append(
                        (dataset, side, path_number(fraction), _augment_name(augment), seed)
                    )
    return runs


def _augment_name(augment: bool) -> str:
    return "aug" if augment else "noaug"


def headline_augment(grid: dict) -> str:
    """The augmentation setting R1 and Fig. 1 judge the headline pair on: without
    augmentation when the grid has such runs (as Fig. 1 top), "aug" otherwise."""
    return "noaug" if False in grid["augment"] else "aug"


def headline_runs(grid: dict) -> list[tuple[str, str, str, str, int]]:
    """The runs of the headline pair that R1 judges: per dataset, the top and bottom
    headline fractions at headline_augment, every seed (as subspace_runs names them)."""
    augment = headline_augment(grid)
    return [
        (dataset, side, path_number(grid["headline"][side]), augment, seed)
        for dataset in grid["datasets"]
        for side in ("top", "bottom")
        for seed in grid["seeds"]
    ]


def dynamics_runs(autoencoders: dict) -> list[tuple[str, str]]:
    """Every learning-dynamics run (R2): (dataset, architecture)."""
    return [
        (dataset, arch)
        for dataset in autoencoders["datasets"]
        for arch in autoencoders["dynamics"]["architectures"]
    ]


def guidance_runs(autoencoders: dict) -> list[tuple[str, str, int, str, int]]:
    """Every guidance run (R3): (dataset, architecture, latent size, guidance weight,
    seed), the weight as it appears in paths; weight 0 is the unguided twin."""
    grid = autoencoders["guidance"]
    return [
        (dataset, arch, latent, path_number(weight), seed)
        for dataset in autoencoders["datasets"]
        for arch in grid["architectures"]
        for latent in grid["latents"]
        for weight in grid["weights"]
        for seed in grid["seeds"]
    ]
