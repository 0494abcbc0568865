"""Datasets a user already has on disk: IDX files, or an ImageFolder tree."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..checksums import file_digest
from ..errors import DataError
from .format import ImageDataset
from .idx import read_idx
from .source_files import IDX_STEMS, IMAGE_SUFFIXES, find_idx_file
from .transforms import decode_image


def _find(directory: Path, stem: str) -> Path:
    found = find_idx_file(directory, stem)
    if found is None:
        raise DataError(f"{directory} has no {stem} or {stem}.gz")
    return found


def load_idx_directory(
    directory: str | Path, class_names: list[str] | None, hint: str | None = None
) -> ImageDataset:
    """Read train-/t10k- image and label IDX files (plain or .gz) from `directory`."""
    directory = Path(directory)
    if not directory.is_dir():
        advice = (
            hint
            or "point 'path' at a directory holding train-images-idx3-ubyte(.gz) and its three siblings"
        )
        raise DataError(f"local IDX directory {directory} does not exist: {advice}")
    files = {key: _find(directory, stem) for key, stem in IDX_STEMS.items()}
    arrays = {key: read_idx(path) for key, path in files.items()}
    num_classes = int(max(arrays["train_labels"].max(), arrays["test_labels"].max())) + 1
    names = class_names or [str(c) for c in range(num_classes)]
    return ImageDataset(
        **{key: (a.astype(np.int64) if "labels" in key else a) for key, a in arrays.items()},
        class_names=names,
        provenance={
            "files": {
                path.name: {"path": str(path), "md5": file_digest(path)} for path in files.values()
            }
        },
    )


def load_image_folder(
    directory: str | Path, shape: list[int] | None, splits: dict[str, str]
) -> ImageDataset:
    """Read `directory/<split>/<class>/<image>` for the train and test subdirectories named in `splits`."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(
            f"local image folder {directory} does not exist: set 'path' to a directory with train/<class>/*.png and test/<class>/*.png"
        )
    train_dir = directory / splits["train"]
    if not train_dir.is_dir():
        raise DataError(f"{train_dir} is missing: expected one subdirectory per class under it")
    classes = sorted(p.name for p in train_dir.iterdir() if p.is_dir())
    if not classes:
        raise DataError(f"{train_dir} has no class subdirectories")
    _check_class_folders(directory, splits, classes)
    arrays = {}
    for split, subdir in splits.items():
        split_dir = directory / subdir
        items = [
            (path, label)
            for label, name in enumerate(classes)
            for path in _images_in(split_dir / name)
        ]
        if not items:
            raise DataError(f"{split_dir} holds no images in class folders {classes}")
        images = [decode_image(path, shape) for path, _ in items]
        if len({image.shape for image in images}) > 1:
            raise DataError(
                f"images under {split_dir} differ in size; set 'shape' for this dataset in the config"
            )
        arrays[split] = (np.stack(images), np.array([label for _, label in items], dtype=np.int64))
    return ImageDataset(
        *arrays["train"], *arrays["test"], class_names=classes, provenance={"path": str(directory)}
    )


def _images_in(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.glob("*")) if p.suffix.lower() in IMAGE_SUFFIXES]


def _check_class_folders(directory: Path, splits: dict[str, str], classes: list[str]) -> None:
    """Both splits have the same class folders, and none of them is empty: otherwise a
    class would be silently dropped or trained without images."""
    test_dir = directory / splits["test"]
    if not test_dir.is_dir():
        raise DataError(
            f"{test_dir} is missing: expected the same class subdirectories as {directory / splits['train']}"
        )
    test_classes = sorted(p.name for p in test_dir.iterdir() if p.is_dir())
    if test_classes != classes:
        only_train = sorted(set(classes) - set(test_classes))
        only_test = sorted(set(test_classes) - set(classes))
        raise DataError(
            f"the class folders of {directory / splits['train']} and {test_dir} differ: "
            f"only in train {only_train}, only in test {only_test}; give both splits the same classes"
        )
    empty = [
        str(directory / subdir / name)
        for subdir in (splits["train"], splits["test"])
        for name in classes
        if not _images_in(directory / subdir / name)
    ]
    if empty:
        raise DataError(
            f"class folders without images ({', '.join(sorted(IMAGE_SUFFIXES))}): "
            f"{', '.join(empty)}; add images or remove the class from both splits"
        )
