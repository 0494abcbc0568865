"""One registry of dataset sources; `acquire` turns a config entry into the on-disk format.

A dataset is decoded once, at its stored shape (stored_shape). When its config asks
for the closed-form stages at the native shape (`closed_form_shape: native`) and the
training stages at another `shape`, the training copy is derived from the stored
arrays by a resize (derive_training_view), never by downloading or decoding again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..checksums import file_digest
from ..degenerate import check_classes
from ..errors import ConfigError
from .format import ImageDataset, check_split_sizes, read_dataset, subset, write_dataset
from .local import load_idx_directory, load_image_folder
from .remote import REMOTE_SOURCES
from .source_files import (  # noqa: F401 (DEBIAN_FASHION_MNIST: imported from here too)
    DEBIAN_FASHION_MNIST,
    DEFAULT_SPLITS,
    idx_directory_hint,
    idx_source_path,
    source_files_record,
)
from .transforms import conform
from .views import stored_shape

log = logging.getLogger("lbr.data")


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
    return load_idx_directory(
        spec["path"], spec.get("class_names"), hint=idx_directory_hint(spec["path"])
    )


def _image_folder(spec: dict[str, Any], base_dir: Path | None) -> ImageDataset:
    return load_image_folder(spec["path"], spec.get("shape"), spec.get("splits", DEFAULT_SPLITS))


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

    path = idx_source_path(spec)
    classes = REMOTE_SOURCES["fashion_mnist"].extra["classes"]
    garments = load_idx_directory(path, classes, hint=idx_directory_hint(path))
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


def load_source(spec: dict[str, Any], download_dir: Path, base_dir: Path | None) -> ImageDataset:
    """Load the dataset a config entry describes, at its native shape where possible.
    A downloadable source reads its verified raw files from `download_dir` (the
    `download` rule put them there): building a dataset never needs the network."""
    source = spec["source"]
    shape = stored_shape(spec)
    if source in REMOTE_SOURCES:
        remote = REMOTE_SOURCES[source]
        remote.verify(download_dir)
        dataset = remote.decode(download_dir, shape)
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
    base_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Load, conform to the configured shape, validate and write one dataset; return its meta.

    `spec` may carry the plan's record of the user's files (key `source_files`): it is
    dropped, and the record taken again here, just before the files are read, is the
    one meta.json keeps.
    """
    spec = {key: value for key, value in spec.items() if key != "source_files"}
    source_files = source_files_record(name, spec)
    try:
        dataset = load_source(spec, Path(download_dir), Path(base_dir) if base_dir else None)
    except ConfigError as error:
        raise ConfigError(f"datasets.{name}: {error}") from error
    if "subset" in spec and spec["source"] not in SUBSET_INSIDE:
        dataset = subset(dataset, spec["subset"])
    dataset.train_images = conform(dataset.train_images, stored_shape(spec))
    dataset.test_images = conform(dataset.test_images, stored_shape(spec))
    dataset.__post_init__()  # re-validate after conversion
    warnings = check_classes(
        name, dataset.train_labels, dataset.test_labels, list(dataset.class_names)
    )
    for warning in warnings:
        log.warning("%s", warning)
    meta = {"name": name, "source": spec["source"], "config": spec, "warnings": warnings}
    if source_files is not None:
        meta["source_files"] = source_files
    if spec["source"] in REMOTE_SOURCES:
        remote = REMOTE_SOURCES[spec["source"]]
        # The official address: a mirror serves the same bytes, as the md5 proves.
        meta["downloads"] = [{"url": f.url, "md5": f.md5} for f in remote.files]
    return write_dataset(output_dir, dataset, meta)


def derive_training_view(
    name: str, spec: dict[str, Any], stored_dir: str | Path, output_dir: str | Path
) -> dict[str, Any]:
    """Write the training-shape copy of a stored dataset (resize and channel conversion
    of the decoded arrays); its meta names the arrays it was derived from."""
    stored_dir = Path(stored_dir)
    dataset = read_dataset(stored_dir, mmap=True)
    for split in ("train", "test"):
        images = getattr(dataset, f"{split}_images")
        setattr(dataset, f"{split}_images", conform(images, spec["shape"]))
    dataset.__post_init__()  # re-validate after conversion
    meta = {
        "name": name,
        "source": spec["source"],
        "config": spec,
        "view": "training",
        "derived_from": {
            "directory": str(stored_dir),
            "meta_sha256": file_digest(stored_dir / "meta.json", "sha256"),
        },
    }
    return write_dataset(output_dir, dataset, meta)
