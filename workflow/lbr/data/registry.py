"""One registry of dataset sources; `acquire` turns a config entry into the on-disk format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .format import ImageDataset, check_split_sizes, read_dataset, subset, write_dataset
from .local import load_idx_directory, load_image_folder
from .remote import REMOTE_SOURCES
from .transforms import conform

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


@dataclass(frozen=True)
class LocalSource:
    """A source that needs no download: how it loads, and what its config entry holds.

    options: the keys its config entry may have besides `source` and `shape` (the schema
    lists the same; tests/test_config.py checks that they agree).
    needs_shape: its images vary in size, so the entry must set `shape`.
    """

    load: Callable[[dict[str, Any], Path | None], ImageDataset]  # (config entry, base dir)
    options: tuple[str, ...]
    needs_shape: bool = False


def _digits(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    # Imported here: only the offline sources need scikit-learn's bundled data.
    from .embedded import load_digits_dataset

    return load_digits_dataset(spec.get("test_fraction", 0.2), spec.get("seed", 0))


def _composite(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    from .embedded import composite_on_photos

    if base_dir is None:
        raise ConfigError("the composite source needs its base dataset ('base')")
    return composite_on_photos(
        read_dataset(base_dir, mmap=False),
        spec.get("shape"),
        spec.get("crops_per_image", 2),
        spec.get("min_crop", 64),
        spec.get("seed", 0),
    )


def _idx_directory(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    return load_idx_directory(spec["path"], spec.get("class_names"), hint=FASHION_MNIST_HINT)


def _image_folder(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    return load_image_folder(
        spec["path"], spec.get("shape"), spec.get("splits", {"train": "train", "test": "test"})
    )


def _photo_regions(spec: dict[str, Any]) -> dict[str, Any]:
    """Where crops of the shipped photographs may come from (lbr.data.photos)."""
    return dict(
        crop=spec.get("crop", 32),
        block=spec.get("block", 64),
        test_fraction=spec.get("test_fraction", 0.25),
        seed=spec.get("seed", 0),
    )


def _photo_patches(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    from .photos import photo_patches

    return photo_patches(
        spec["photos"],
        spec["shape"],
        spec.get("train_per_photo", 500),
        spec.get("test_per_photo", 100),
        min_std=spec.get("min_std", 8.0),
        target_std=spec.get("target_std", 48.0),
        **_photo_regions(spec),
    )


def _garments_on_photos(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    from .photos import garments_on_photos

    path = spec.get("path", DEBIAN_FASHION_MNIST)
    garments = load_idx_directory(path, FASHION_MNIST_CLASSES, hint=FASHION_MNIST_HINT)
    if "subset" in spec:  # blend only the garments that will be kept
        garments = subset(garments, spec["subset"])
    return garments_on_photos(
        garments,
        spec["photos"],
        spec["shape"],
        min_std=spec.get("min_std", 0.0),
        **_photo_regions(spec),
    )


PHOTO_REGION_OPTIONS = ("photos", "crop", "block", "test_fraction", "min_std", "seed")
# Sources that apply `subset` themselves, before costly work on images they would drop.
SUBSET_INSIDE = ("garments_on_photos",)

LOCAL_SOURCES: dict[str, LocalSource] = {
    "digits": LocalSource(_digits, ("test_fraction", "seed")),
    "composite": LocalSource(_composite, ("base", "crops_per_image", "min_crop", "seed")),
    "idx_directory": LocalSource(_idx_directory, ("path", "class_names")),
    "image_folder": LocalSource(_image_folder, ("path", "splits"), needs_shape=True),
    "photo_patches": LocalSource(
        _photo_patches,
        PHOTO_REGION_OPTIONS + ("train_per_photo", "test_per_photo", "target_std"),
        needs_shape=True,
    ),
    "garments_on_photos": LocalSource(
        _garments_on_photos, PHOTO_REGION_OPTIONS + ("path",), needs_shape=True
    ),
}
SOURCE_NAMES = tuple(sorted(REMOTE_SOURCES)) + tuple(LOCAL_SOURCES)


def needs_shape(source: str) -> bool:
    """Whether a source's images vary in size (its config entry must set `shape`)."""
    found = REMOTE_SOURCES.get(source) or LOCAL_SOURCES[source]
    return found.needs_shape


def load_source(
    spec: dict[str, Any], download_dir: Path, mirror: str | None, base_dir: Path | None
) -> ImageDataset:
    """Load the dataset a config entry describes, at its native shape where possible."""
    source = spec["source"]
    if source in REMOTE_SOURCES:
        remote = REMOTE_SOURCES[source]
        dataset = remote.acquire(download_dir, mirror, spec.get("shape"))
        check_split_sizes(dataset, remote.split_sizes, source)
        return dataset
    if source in LOCAL_SOURCES:
        return LOCAL_SOURCES[source].load(spec, base_dir)
    raise ConfigError(
        f"unknown dataset source {source!r}; known sources: {', '.join(SOURCE_NAMES)}"
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
    if "subset" in spec and spec["source"] not in SUBSET_INSIDE:
        dataset = subset(dataset, spec["subset"])
    dataset.train_images = conform(dataset.train_images, spec.get("shape"))
    dataset.test_images = conform(dataset.test_images, spec.get("shape"))
    dataset.__post_init__()  # re-validate after conversion
    meta = {"name": name, "source": spec["source"], "config": spec}
    if spec["source"] in REMOTE_SOURCES:
        remote = REMOTE_SOURCES[spec["source"]]
        meta["downloads"] = [{"url": f.from_mirror(mirror).url, "md5": f.md5} for f in remote.files]
    return write_dataset(output_dir, dataset, meta)
