"""The loaders of the local sources: each turns a config entry (and, for a derived
dataset, its base's directory) into an ImageDataset. The catalog names each one
(lbr.data.catalog, `loader`); an option the entry leaves out takes the catalog's default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .catalog import option
from .format import ImageDataset, read_dataset, subset
from .local import load_idx_directory, load_image_folder
from .source_files import idx_directory_hint, idx_source_path


def digits(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    # Imported here: only the offline sources need scikit-learn's bundled data.
    from .embedded import load_digits_dataset

    return load_digits_dataset(option(spec, "test_fraction"), option(spec, "seed"))


def composite(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    from .embedded import composite_on_photos

    if base_dir is None:
        raise ConfigError("the composite source needs its base dataset ('base')")
    return composite_on_photos(
        read_dataset(base_dir, mmap=False),
        spec.get("shape"),
        option(spec, "crops_per_image"),
        option(spec, "min_crop"),
        option(spec, "seed"),
    )


def idx_directory(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    return load_idx_directory(
        spec["path"], spec.get("class_names"), hint=idx_directory_hint(spec["path"])
    )


def image_folder(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    return load_image_folder(spec["path"], spec.get("shape"), option(spec, "splits"))


def _photo_regions(spec: dict[str, Any]) -> dict[str, Any]:
    """Where crops of the shipped photographs may come from (lbr.data.photos)."""
    return {key: option(spec, key) for key in ("crop", "block", "test_fraction", "seed")}


def photo_patches(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    from .photos import photo_patches

    return photo_patches(
        spec["photos"],
        spec["shape"],
        option(spec, "train_per_photo"),
        option(spec, "test_per_photo"),
        min_std=option(spec, "min_std"),
        target_std=option(spec, "target_std"),
        **_photo_regions(spec),
    )


def garments_on_photos(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    from .photos import garments_on_photos
    from .remote import REMOTE_SOURCES

    path = idx_source_path(spec)
    classes = REMOTE_SOURCES["fashion_mnist"].extra["classes"]
    garments = load_idx_directory(path, classes, hint=idx_directory_hint(path))
    if "subset" in spec:  # blend only the garments that will be kept
        garments = subset(garments, spec["subset"])
    return garments_on_photos(
        garments,
        spec["photos"],
        spec["shape"],
        min_std=option(spec, "min_std"),
        **_photo_regions(spec),
    )
