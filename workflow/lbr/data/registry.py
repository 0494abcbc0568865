"""One registry of dataset sources; `acquire` turns a config entry into the on-disk format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .format import ImageDataset, check_split_sizes, read_dataset, subset, write_dataset
from .local import load_idx_directory, load_image_folder
from .remote import REMOTE_SOURCES
from .transforms import conform

LOCAL_SOURCES = (
    "digits",
    "composite",
    "idx_directory",
    "image_folder",
    "photo_patches",
    "garments_on_photos",
)
SOURCE_NAMES = tuple(sorted(REMOTE_SOURCES)) + LOCAL_SOURCES

DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
FASHION_MNIST_HINT = (
    "on Debian/Ubuntu run 'apt-get install dataset-fashion-mnist' (files land in "
    "/usr/share/datasets/fashion-mnist), or set 'path' to your own copy"
)


def load_source(
    spec: dict[str, Any], download_dir: Path, mirror: str | None, base_dir: Path | None
) -> ImageDataset:
    """Load the dataset a config entry describes, at its native shape where possible."""
    # Imported here: only the offline sources need scikit-learn's bundled data.
    from .embedded import composite_on_photos, load_digits_dataset

    source = spec["source"]
    shape = spec.get("shape")
    if source in REMOTE_SOURCES:
        remote = REMOTE_SOURCES[source]
        dataset = remote.acquire(download_dir, mirror, shape)
        check_split_sizes(dataset, remote.split_sizes, source)
        return dataset
    if source == "digits":
        return load_digits_dataset(spec.get("test_fraction", 0.2), spec.get("seed", 0))
    if source == "composite":
        if base_dir is None:
            raise ConfigError("the composite source needs its base dataset ('base')")
        return composite_on_photos(
            read_dataset(base_dir, mmap=False),
            shape,
            spec.get("crops_per_image", 2),
            spec.get("min_crop", 64),
            spec.get("seed", 0),
        )
    if source in ("photo_patches", "garments_on_photos"):
        return _load_photo_source(spec)
    if source == "idx_directory":
        return load_idx_directory(spec["path"], spec.get("class_names"), hint=FASHION_MNIST_HINT)
    if source == "image_folder":
        return load_image_folder(
            spec["path"], shape, spec.get("splits", {"train": "train", "test": "test"})
        )
    raise ConfigError(
        f"unknown dataset source {source!r}; known sources: {', '.join(SOURCE_NAMES)}"
    )


def _load_photo_source(spec: dict[str, Any]) -> ImageDataset:
    """The two sources cut from scikit-image's shipped photographs (lbr.data.photos)."""
    from .photos import garments_on_photos, photo_patches

    regions = dict(
        crop=spec.get("crop", 32),
        block=spec.get("block", 64),
        test_fraction=spec.get("test_fraction", 0.25),
        seed=spec.get("seed", 0),
    )
    if spec["source"] == "photo_patches":
        return photo_patches(
            spec["photos"],
            spec["shape"],
            spec.get("train_per_photo", 500),
            spec.get("test_per_photo", 100),
            min_std=spec.get("min_std", 8.0),
            target_std=spec.get("target_std", 48.0),
            **regions,
        )
    path = spec.get("path", DEBIAN_FASHION_MNIST)
    garments = load_idx_directory(path, FASHION_MNIST_CLASSES, hint=FASHION_MNIST_HINT)
    if "subset" in spec:  # blend only the garments that will be kept
        garments = subset(garments, spec["subset"])
    return garments_on_photos(
        garments, spec["photos"], spec["shape"], min_std=spec.get("min_std", 0.0), **regions
    )


def acquire(
    name: str,
    spec: dict[str, Any],
    output_dir: str | Path,
    download_dir: str | Path,
    mirror: str | None = None,
    base_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Load, conform to the configured shape, validate and write one dataset; return its meta."""
    dataset = load_source(spec, Path(download_dir), mirror, Path(base_dir) if base_dir else None)
    if "subset" in spec and spec["source"] != "garments_on_photos":
        dataset = subset(dataset, spec["subset"])
    dataset.train_images = conform(dataset.train_images, spec.get("shape"))
    dataset.test_images = conform(dataset.test_images, spec.get("shape"))
    dataset.__post_init__()  # re-validate after conversion
    meta = {"name": name, "source": spec["source"], "config": spec}
    if spec["source"] in REMOTE_SOURCES:
        remote = REMOTE_SOURCES[spec["source"]]
        meta["downloads"] = [{"url": f.from_mirror(mirror).url, "md5": f.md5} for f in remote.files]
    return write_dataset(output_dir, dataset, meta)
