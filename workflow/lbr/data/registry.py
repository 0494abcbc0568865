"""One registry of dataset sources; `acquire` turns a config entry into the on-disk format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .format import ImageDataset, check_split_sizes, read_dataset, write_dataset
from .local import load_idx_directory, load_image_folder
from .remote import REMOTE_SOURCES
from .transforms import conform

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


LOCAL_SOURCES: dict[str, LocalSource] = {
    "digits": LocalSource(_digits, ("test_fraction", "seed")),
    "composite": LocalSource(_composite, ("base", "crops_per_image", "min_crop", "seed")),
    "idx_directory": LocalSource(_idx_directory, ("path", "class_names")),
    "image_folder": LocalSource(_image_folder, ("path", "splits"), needs_shape=True),
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
    dataset.train_images = conform(dataset.train_images, spec.get("shape"))
    dataset.test_images = conform(dataset.test_images, spec.get("shape"))
    dataset.__post_init__()  # re-validate after conversion
    meta = {"name": name, "source": spec["source"], "config": spec}
    if spec["source"] in REMOTE_SOURCES:
        remote = REMOTE_SOURCES[spec["source"]]
        meta["downloads"] = [{"url": f.from_mirror(mirror).url, "md5": f.md5} for f in remote.files]
    return write_dataset(output_dir, dataset, meta)
