"""The user's own files: what load_idx_directory and load_image_folder record, and each
refusal word for word, so a user reads which path is wrong and what to do."""

import hashlib
from pathlib import Path

import numpy as np
import pytest
from lbr.data.local import load_idx_directory, load_image_folder
from lbr.data.source_files import IMAGE_SUFFIXES
from lbr.errors import DataError
from PIL import Image
from support import idx_directory

SPLITS = {"train": "train", "test": "test"}


def test_an_idx_directory_records_each_file_with_its_md5(tmp_path):
    root = idx_directory(tmp_path / "idx", [0, 1, 2, 1])
    dataset = load_idx_directory(root, None)
    expected = {
        path.name: {"path": str(path), "md5": hashlib.md5(path.read_bytes()).hexdigest()}
        for path in sorted(root.iterdir())
    }
    assert dataset.provenance == {"files": expected}
    assert dataset.train_labels.dtype == np.int64 and dataset.test_labels.dtype == np.int64
    assert dataset.train_images.dtype == np.uint8
    assert dataset.class_names == ["0", "1", "2"]  # one more than the largest label


def test_a_missing_idx_directory_says_what_it_must_hold_or_gives_the_hint(tmp_path):
    with pytest.raises(DataError) as caught:
        load_idx_directory(tmp_path / "nope", None)
    assert str(caught.value) == (
        f"local IDX directory {tmp_path / 'nope'} does not exist: point 'path' at a directory "
        "holding train-images-idx3-ubyte(.gz) and its three siblings"
    )
    with pytest.raises(DataError) as caught:
        load_idx_directory(tmp_path / "nope", None, hint="install the package")
    assert str(caught.value).endswith("does not exist: install the package")


def test_a_missing_idx_file_is_named_with_both_spellings(tmp_path):
    root = idx_directory(tmp_path / "idx", [0, 1])
    (root / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError) as caught:
        load_idx_directory(root, None)
    assert str(caught.value) == (
        f"{root} has no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz"
    )


def _tree(root: Path, layout: dict[str, dict[str, int]]) -> Path:
    for split, classes in layout.items():
        (root / split).mkdir(parents=True, exist_ok=True)
        for name, count in classes.items():
            (root / split / name).mkdir()
            for i in range(count):
                Image.new("RGB", (6, 6), (i * 40, 9, 0)).save(root / split / name / f"{i}.png")
    return root


def test_an_image_folder_records_its_path_and_integer_labels(tmp_path):
    root = _tree(tmp_path / "pics", {"train": {"a": 2, "b": 1}, "test": {"a": 1, "b": 1}})
    dataset = load_image_folder(root, None, SPLITS)
    assert dataset.provenance == {"path": str(root)}
    assert dataset.train_labels.tolist() == [0, 0, 1] and dataset.train_labels.dtype == np.int64


@pytest.mark.parametrize(
    "layout, message",
    [
        (
            None,
            "local image folder {root} does not exist: set 'path' to a directory with "
            "train/<class>/*.png and test/<class>/*.png",
        ),
        ({}, "{root}/train is missing: expected one subdirectory per class under it"),
        ({"train": {}}, "{root}/train has no class subdirectories"),
        (
            {"train": {"a": 1}},
            "{root}/test is missing: expected the same class subdirectories as {root}/train",
        ),
    ],
)
def test_each_missing_part_of_an_image_folder_is_named(tmp_path, layout, message):
    root = tmp_path / "pics"
    if layout is not None:
        root.mkdir()
        _tree(root, layout)
    with pytest.raises(DataError) as caught:
        load_image_folder(root, None, SPLITS)
    assert str(caught.value) == message.format(root=root)


def test_empty_class_folders_are_all_listed_with_the_suffixes_read(tmp_path):
    root = _tree(tmp_path / "pics", {"train": {"a": 1, "b": 0}, "test": {"a": 0, "b": 1}})
    with pytest.raises(DataError) as caught:
        load_image_folder(root, None, SPLITS)
    assert str(caught.value) == (
        f"class folders without images ({', '.join(sorted(IMAGE_SUFFIXES))}): "
        f"{root / 'train' / 'b'}, {root / 'test' / 'a'}; add images or remove the class "
        "from both splits"
    )


def test_a_label_seen_only_in_the_test_split_still_gets_a_class(tmp_path):
    root = idx_directory(tmp_path / "idx", [0, 1, 0, 1], [0, 1, 2, 2])
    dataset = load_idx_directory(root, None)
    assert dataset.class_names == ["0", "1", "2"]
    assert dataset.test_labels.tolist() == [0, 1, 2, 2]
