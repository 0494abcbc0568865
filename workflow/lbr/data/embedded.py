"""Datasets shipped inside scikit-learn, usable offline: digits, and a derived
background set in the style of MNIST-M (strokes composited onto natural photos)."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits, load_sample_images
from sklearn.model_selection import train_test_split

from ..errors import ConfigError, DataError
from .format import ImageDataset
from .transforms import resize


def load_digits_dataset(test_fraction: float, seed: int) -> ImageDataset:
    """scikit-learn's 8×8 digits (values 0..16), scaled to uint8, with a seeded stratified split."""
    digits = load_digits()
    images = np.rint(digits.images * (255.0 / 16.0)).astype(np.uint8)[..., None]
    labels = digits.target.astype(np.int64)
    _check_split_fraction(test_fraction, len(labels), len(np.unique(labels)))
    train_x, test_x, train_y, test_y = train_test_split(
        images, labels, test_size=test_fraction, stratify=labels, random_state=seed
    )
    return ImageDataset(
        train_x,
        train_y,
        test_x,
        test_y,
        class_names=[str(d) for d in range(10)],
        provenance={
            "origin": "sklearn.datasets.load_digits",
            "split_seed": seed,
            "test_fraction": test_fraction,
        },
    )


def _check_split_fraction(test_fraction: float, samples: int, classes: int) -> None:
    """A stratified split needs at least one image per class on each side (sizes as
    scikit-learn computes them)."""
    test = int(np.ceil(test_fraction * samples))
    train = samples - test
    if min(train, test) < classes:
        raise ConfigError(
            f"test_fraction: {test_fraction} leaves {train} training and {test} test images "
            f"of {samples}, fewer than the {classes} classes a stratified split needs on each "
            f"side; use a value between {classes / samples:.4f} and {1 - classes / samples:.4f}"
        )


def _background_crops(
    photos: list[np.ndarray], count: int, height: int, width: int, min_crop: int, rng
) -> np.ndarray:
    """`count` random square crops of random photos, each resized to height×width."""
    crops = np.empty((count, height, width, 3), dtype=np.uint8)
    for i in range(count):
        photo = photos[rng.integers(len(photos))]
        side = int(rng.integers(min_crop, min(photo.shape[:2]) + 1))
        top = int(rng.integers(photo.shape[0] - side + 1))
        left = int(rng.integers(photo.shape[1] - side + 1))
        crops[i] = resize(photo[None, top : top + side, left : left + side], height, width)[0]
    return crops


def composite_on_photos(
    base: ImageDataset, shape: list[int], crops_per_image: int, min_crop: int, seed: int
) -> ImageDataset:
    """Strokes of `base` blended onto random photo crops: out = |background − 255·stroke|.

    The difference blend (MNIST-M's) keeps the strokes visible on any background. Each
    base image yields `crops_per_image` samples on different crops; the photos are the
    two that scikit-learn ships.
    """
    height, width, channels = shape
    if channels != 3:
        raise DataError(
            "the composite source needs shape [H, W, 3]: its backgrounds are colour photographs"
        )
    photos = load_sample_images().images
    if min_crop > min(min(p.shape[:2]) for p in photos):
        raise DataError(
            f"min_crop={min_crop} is larger than the sample photos ({[p.shape[:2] for p in photos]})"
        )
    rng = np.random.default_rng(seed)
    splits = []
    for split in ("train", "test"):
        images, labels = base.split(split)
        strokes = np.asarray(images, dtype=np.float64).mean(axis=-1, keepdims=True)
        strokes = (
            resize(np.rint(strokes).astype(np.uint8), height, width).astype(np.float64) / 255.0
        )
        strokes = np.repeat(strokes, crops_per_image, axis=0)
        backgrounds = _background_crops(photos, len(strokes), height, width, min_crop, rng).astype(
            np.float64
        )
        blended = np.abs(backgrounds - 255.0 * strokes)
        splits += [
            np.rint(blended).astype(np.uint8),
            np.repeat(np.asarray(labels), crops_per_image),
        ]
    return ImageDataset(
        *splits,
        class_names=list(base.class_names),
        provenance={
            "origin": "strokes of the base dataset over crops of sklearn.datasets.load_sample_images",
            "crops_per_image": crops_per_image,
            "min_crop": min_crop,
            "seed": seed,
        },
    )
