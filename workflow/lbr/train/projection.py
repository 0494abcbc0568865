"""Images projected onto a top or bottom variance subspace, ready for a classifier."""

from __future__ import annotations

import numpy as np
import torch

from ..errors import ConfigError
from ..spectral.statistics import Preprocessing, flatten_channel_first, per_image_standardize
from ..spectral.subspace import project, select_subspace


def _per_image_std(flat: np.ndarray) -> np.ndarray:
    return per_image_standardize(torch.from_numpy(flat)).numpy()


def projected_splits(
    dataset, spectrum, side: str, fraction: float, chunk: int = 8192
) -> tuple[dict, dict]:
    """Project train and test images with the training eigenvectors; re-normalize.

    The spectrum must come from the classification preprocessing (per-image std, then
    the training mean image removed), applied here before projecting. After
    projection each image is again divided by its own std and the projected training
    mean is removed, so every run sees inputs on the same scale whatever the subspace.
    Returns ({split: float32 N×D}, info with dimensions and exact variance fraction).
    """
    prep = spectrum.summary["preprocessing"]
    if not (prep["per_image_std"] and prep["center"]) or prep["global_std"]:
        raise ConfigError(
            "subspace training needs a spectrum with the classification preprocessing "
            "(per_image_std: true, center: true, global_std: false)"
        )
    eigen = spectrum.eigen
    subspace = select_subspace(
        eigen.eigenvalues, spectrum.summary["total_variance"], side, fraction
    )
    splits = {
        split: _preprocessed_chunks(
            dataset.split(split)[0],
            spectrum,
            lambda flat: _per_image_std(project(flat, eigen.eigenvectors, subspace)),
            chunk,
        )
        for split in ("train", "test")
    }
    splits["train_mean"] = splits["train"].mean(axis=0)
    for split in ("train", "test"):
        splits[split] -= splits["train_mean"]
    info = {
        "side": side,
        "target_fraction": fraction,
        "dimensions": subspace.dimensions,
        "variance_fraction": subspace.kept_fraction,
        "rank": eigen.rank,
    }
    return splits, info


def preprocessed_split(dataset, spectrum, split: str, chunk: int = 8192) -> np.ndarray:
    """A split's images under the spectrum's preprocessing, float32 N×D (channel-first)."""
    return _preprocessed_chunks(dataset.split(split)[0], spectrum, lambda flat: flat, chunk)


def _preprocessed_chunks(images, spectrum, transform, chunk: int) -> np.ndarray:
    """float32 N×D: `transform` of each chunk of images, flattened channel-first (float64)
    and preprocessed as the spectrum was; chunks bound the float64 working memory."""
    prep = Preprocessing(**spectrum.summary["preprocessing"])
    out = np.empty((len(images), spectrum.eigen.eigenvectors.shape[0]), dtype=np.float32)
    for start in range(0, len(images), chunk):
        flat = flatten_channel_first(np.asarray(images[start : start + chunk])).astype(np.float64)
        flat = prep.apply(flat, spectrum.statistics.mean, spectrum.statistics.scale)
        out[start : start + chunk] = transform(flat)
    return out
