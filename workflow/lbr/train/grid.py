"""The run grid of the subspace experiment, from its config section (as the denoising
stage's grid comes from `lbr.spectral.noise.expand_noise_grid`)."""

from __future__ import annotations


def subspace_runs(grid: dict) -> list[tuple[str, str, str, str, int]]:
    """Every training run: (dataset, side, fraction, "aug" | "noaug", seed).

    Per dataset: each configured side × fraction, then the headline pair (top, bottom)
    and, with `dimension_halves`, the top and bottom halves of the dimensions; a pair
    listed twice runs once. Fractions are formatted with :g, as they appear in paths.
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
                        (dataset, side, f"{fraction:g}", "aug" if augment else "noaug", seed)
                    )
    return runs


def headline_augment(grid: dict) -> str:
    """The augmentation setting R1 and Fig. 1 judge the headline pair on: without
    augmentation when the grid has such runs (as Fig. 1 top), "aug" otherwise."""
    return "noaug" if False in grid["augment"] else "aug"


def headline_runs(grid: dict) -> list[tuple[str, str, str, str, int]]:
    """The runs of the headline pair that R1 judges: per dataset, the top and bottom
    headline fractions at headline_augment, every seed (as subspace_runs names them)."""
    augment = headline_augment(grid)
    return [
        (dataset, side, f"{grid['headline'][side]:g}", augment, seed)
        for dataset in grid["datasets"]
        for side in ("top", "bottom")
        for seed in grid["seeds"]
    ]
