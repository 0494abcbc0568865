"""Top and bottom variance subspaces (Figs. 1, 4, 9) and projections onto them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError


@dataclass(frozen=True)
class VarianceSubspace:
    side: str  # "top" or "bottom"
    target_fraction: float  # the configured fraction of variance
    indices: np.ndarray  # eigen-directions kept (0-based, descending order)
    kept_fraction: float  # the exact fraction of total variance they hold

    @property
    def dimensions(self) -> int:
        return len(self.indices)


def variance_subspace(
    eigenvalues: np.ndarray, total_variance: float, side: str, fraction: float
) -> VarianceSubspace:
    """Top: the leading directions whose cumulative variance first reaches `fraction`.
    Bottom: the fewest trailing directions that together hold at least `fraction`."""
    if not 0.0 < fraction <= 1.0:
        raise ConfigError(f"variance fraction must be in (0, 1], got {fraction}")
    shares = eigenvalues / total_variance
    if side == "top":
        count = int(np.searchsorted(np.cumsum(shares), fraction - 1e-12) + 1)
        indices = np.arange(min(count, len(shares)))
    elif side == "bottom":
        count = int(np.searchsorted(np.cumsum(shares[::-1]), fraction - 1e-12) + 1)
        indices = np.arange(len(shares) - min(count, len(shares)), len(shares))
    else:
        raise ConfigError(f"subspace side must be 'top' or 'bottom', got {side!r}")
    return VarianceSubspace(side, fraction, indices, float(shares[indices].sum()))


def project(flat: np.ndarray, eigenvectors: np.ndarray, subspace: VarianceSubspace) -> np.ndarray:
    """x ↦ U_S U_Sᵀ x for rows x of `flat` (N×D, already preprocessed)."""
    basis = eigenvectors[:, subspace.indices]
    return (flat @ basis) @ basis.T


def gallery_rows(
    images: np.ndarray, spectrum, top_fraction: float, bottom_fraction: float
) -> dict[str, np.ndarray]:
    """Fig. 9: the images, and their projections onto the top and bottom subspaces, as
    the paper shows them: in pixel units (0–255) with the training mean image added back.

    Projections are taken in the spectrum's preprocessed space, then the preprocessing
    is undone (× global std, + mean image, × each image's own std when it was divided
    out) and the result reshaped to the dataset's H×W×C.
    """
    from .statistics import Preprocessing, flatten_channel_first

    summary, stats, eigen = spectrum.summary, spectrum.statistics, spectrum.eigen
    height, width, channels = summary["image_shape"]
    raw = flatten_channel_first(np.asarray(images)).astype(np.float64)
    preprocessing = Preprocessing(**summary["preprocessing"])
    flat = preprocessing.apply(raw, stats.mean, stats.scale)
    image_scale = 1.0
    if preprocessing.per_image_std:
        std = raw.std(axis=1, ddof=1, keepdims=True)
        image_scale = np.where(std > 0, std, 1.0)
    rows = {"original": np.asarray(images)}
    for side, fraction in (("top", top_fraction), ("bottom", bottom_fraction)):
        subspace = variance_subspace(eigen.eigenvalues, summary["total_variance"], side, fraction)
        pixels = (
            project(flat, eigen.eigenvectors, subspace) * stats.scale + stats.mean
        ) * image_scale
        label = f"{side} {100 * subspace.kept_fraction:.0f}% var\n({subspace.dimensions} dims)"
        rows[label] = pixels.reshape(len(images), channels, height, width).transpose(0, 2, 3, 1)
    return rows


def pick_images(dataset, count: int, seed: int) -> tuple[np.ndarray, list[str]]:
    """`count` seeded test images, and their class names as titles."""
    rng = np.random.default_rng(seed)
    indices = np.sort(
        rng.choice(
            len(dataset.test_labels), size=min(count, len(dataset.test_labels)), replace=False
        )
    )
    images = np.asarray(dataset.test_images[indices])
    return images, [dataset.class_names[int(label)] for label in dataset.test_labels[indices]]


def dimension_subspace(
    eigenvalues: np.ndarray, total_variance: float, side: str, fraction: float
) -> VarianceSubspace:
    """The authors' extra point: the top or bottom `fraction` of the dimensions (not of variance)."""
    if not 0.0 < fraction <= 1.0:
        raise ConfigError(f"dimension fraction must be in (0, 1], got {fraction}")
    count = max(1, round(fraction * len(eigenvalues)))
    if side == "top_dims":
        indices = np.arange(count)
    elif side == "bottom_dims":
        indices = np.arange(len(eigenvalues) - count, len(eigenvalues))
    else:
        raise ConfigError(f"dimension side must be 'top_dims' or 'bottom_dims', got {side!r}")
    return VarianceSubspace(
        side, fraction, indices, float((eigenvalues[indices] / total_variance).sum())
    )


SIDES = ("top", "bottom", "top_dims", "bottom_dims")


def select_subspace(
    eigenvalues: np.ndarray, total_variance: float, side: str, fraction: float
) -> VarianceSubspace:
    if side in ("top", "bottom"):
        return variance_subspace(eigenvalues, total_variance, side, fraction)
    if side in ("top_dims", "bottom_dims"):
        return dimension_subspace(eigenvalues, total_variance, side, fraction)
    raise ConfigError(f"unknown subspace side {side!r}; choose one of {SIDES}")
