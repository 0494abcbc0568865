"""The one on-disk dataset format every source produces.

    {dir}/train_images.npy  uint8  N×H×W×C
    {dir}/train_labels.npy  int64  N
    {dir}/test_images.npy, test_labels.npy
    {dir}/meta.json         source, checksums, class names, shape, preprocessing

Arrays are written first and meta.json last, each atomically: a directory whose
meta.json exists is complete. meta.json records each array's size and sha256;
`read_dataset` checks them (once per file per job) before the arrays are used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import integrity
from ..atomic import load_json, load_npy, save_json, save_npy
from ..errors import DataError
from ..layout import DATASET_ARRAYS, DATASET_META, SPLITS


@dataclass
class ImageDataset:
    """Images (uint8, N×H×W×C) and int64 labels for a train and a test split."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    class_names: list[str]
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.train_images = _as_nhwc_uint8(self.train_images, "train")
        self.test_images = _as_nhwc_uint8(self.test_images, "test")
        self.train_labels = np.asarray(self.train_labels, dtype=np.int64)
        self.test_labels = np.asarray(self.test_labels, dtype=np.int64)
        for split in SPLITS:
            images, labels = self.split(split)
            if len(images) != len(labels):
                raise DataError(f"{split} split has {len(images)} images but {len(labels)} labels")
            if len(labels) and (labels.min() < 0 or labels.max() >= len(self.class_names)):
                raise DataError(
                    f"{split} labels span {labels.min()}..{labels.max()} but there are "
                    f"{len(self.class_names)} class names"
                )
        if self.train_images.shape[1:] != self.test_images.shape[1:]:
            raise DataError(
                f"train images {self.train_images.shape[1:]} and test images {self.test_images.shape[1:]} differ in shape"
            )

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return getattr(self, f"{name}_images"), getattr(self, f"{name}_labels")

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(int(d) for d in self.train_images.shape[1:])


def _as_nhwc_uint8(images: np.ndarray, split: str) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4:
        raise DataError(f"{split} images must be N×H×W×C, got shape {images.shape}")
    if images.dtype != np.uint8:
        raise DataError(f"{split} images must be uint8, got {images.dtype}")
    return images


def check_split_sizes(dataset: ImageDataset, expected: dict[str, int] | None, name: str) -> None:
    """Fail when a split does not have its documented size (a truncated or wrong download)."""
    for split, size in (expected or {}).items():
        actual = len(dataset.split(split)[1])
        if actual != size:
            raise DataError(
                f"{name}: the {split} split has {actual} samples, expected {size}. The downloaded or "
                f"local files are incomplete or not the official release; delete them and rerun."
            )


def write_dataset(
    directory: str | Path, dataset: ImageDataset, meta: dict[str, Any]
) -> dict[str, Any]:
    """Write arrays, then meta.json (with each array's sha256); return the meta written."""
    directory = Path(directory)
    for split in SPLITS:
        images, labels = dataset.split(split)
        for kind, array in (("images", images), ("labels", labels)):
            save_npy(directory / f"{split}_{kind}.npy", array)
    files = integrity.record(directory, list(DATASET_ARRAYS))
    full_meta = {
        **meta,
        "class_names": list(dataset.class_names),
        "num_classes": len(dataset.class_names),
        "image_shape": list(dataset.image_shape),
        "layout": "N×H×W×C uint8 images, int64 labels",
        "split_sizes": {split: int(len(dataset.split(split)[1])) for split in SPLITS},
        "sha256": {name: entry["sha256"] for name, entry in files.items()},
        "sizes": {name: entry["size"] for name, entry in files.items()},
        "provenance": dataset.provenance,
    }
    save_json(directory / DATASET_META, full_meta)
    return full_meta


def read_dataset(directory: str | Path, mmap: bool = True) -> ImageDataset:
    """The dataset in `directory`, after checking every array against meta.json."""
    directory = Path(directory)
    if not (directory / DATASET_META).exists():
        raise DataError(
            f"{directory} holds no complete dataset (meta.json missing); run the pipeline to create it"
        )
    meta = load_json(directory / DATASET_META)
    redo = integrity.redo_advice(directory, DATASET_META)
    sizes = meta.get("sizes", {})  # absent in meta.json written before sizes were recorded
    integrity.verify(
        directory,
        {
            name: {"size": sizes.get(name), "sha256": meta["sha256"][name]}
            for name in DATASET_ARRAYS
        },
        redo,
    )
    try:
        arrays = {name: load_npy(directory / name, mmap=mmap) for name in DATASET_ARRAYS}
    except DataError as error:
        raise DataError(f"{error}; {redo}") from error
    return ImageDataset(
        train_images=arrays["train_images.npy"],
        train_labels=arrays["train_labels.npy"],
        test_images=arrays["test_images.npy"],
        test_labels=arrays["test_labels.npy"],
        class_names=meta["class_names"],
        provenance=meta.get("provenance", {}),
    )


def subset(dataset: ImageDataset, spec: dict[str, int]) -> ImageDataset:
    """A seeded, class-stratified subset: `spec` = {train: n, test: m, seed: s}."""
    picked = []
    for split in SPLITS:
        images, labels = dataset.split(split)
        size = spec[split]
        if size > len(labels):
            raise DataError(
                f"subset.{split}={size} exceeds the {len(labels)} {split} images; lower it"
            )
        rng = np.random.default_rng([spec.get("seed", 0), SPLITS.index(split)])
        # Stratified: each class keeps its share, rounded down, then the rest at random.
        chosen = []
        for label in np.unique(labels):
            members = np.flatnonzero(labels == label)
            chosen.append(rng.choice(members, size * len(members) // len(labels), replace=False))
        chosen = np.concatenate(chosen)
        rest = np.setdiff1d(np.arange(len(labels)), chosen)
        chosen = np.sort(
            np.concatenate([chosen, rng.choice(rest, size - len(chosen), replace=False)])
        )
        picked += [np.asarray(images[chosen]), np.asarray(labels[chosen])]
    return ImageDataset(
        *picked,
        class_names=list(dataset.class_names),
        provenance={**dataset.provenance, "subset": dict(spec)},
    )
