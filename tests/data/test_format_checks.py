"""lbr.data.format's checks, each refusal whole: images that are not N×H×W×C uint8, labels
that do not match the images or the class names, splits of other shapes or sizes, a
directory without meta.json; what meta.json records; a meta.json without sizes (written
before sizes were recorded) still read; the subset's default seed."""

from __future__ import annotations

import numpy as np
import pytest
from lbr.atomic import load_json, save_json
from lbr.data.format import (
    ImageDataset,
    check_split_sizes,
    read_dataset,
    subset,
    write_dataset,
)
from lbr.errors import DataError


def _dataset(**changes) -> ImageDataset:
    parts = dict(
        train_images=np.zeros((4, 2, 3, 1), np.uint8),
        train_labels=[0, 1, 2, 1],
        test_images=np.zeros((2, 2, 3, 1), np.uint8),
        test_labels=[2, 0],
        class_names=["a", "b", "c"],
    )
    return ImageDataset(**{**parts, **changes})


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"test_images": np.zeros((2, 2, 3), np.float32)},
            "test images must be uint8, got float32",
        ),
        ({"train_images": np.zeros((4, 2, 3), np.int16)}, "train images must be uint8, got int16"),
        (
            {"test_images": np.zeros((2, 6), np.uint8)},
            "test images must be N×H×W×C, got shape (2, 6)",
        ),
        (
            {"train_images": np.zeros((4, 2, 3, 1, 1), np.uint8)},
            "train images must be N×H×W×C, got shape (4, 2, 3, 1, 1)",
        ),
        ({"test_labels": [2]}, "test split has 2 images but 1 labels"),
        ({"train_labels": [0, 1, 3, 1]}, "train labels span 0..3 but there are 3 class names"),
        ({"test_labels": [-1, 0]}, "test labels span -1..0 but there are 3 class names"),
        (
            {"test_images": np.zeros((2, 3, 2, 1), np.uint8)},
            "train images (2, 3, 1) and test images (3, 2, 1) differ in shape",
        ),
    ],
)
def test_each_inconsistency_is_refused_whole(changes, message):
    with pytest.raises(DataError) as caught:
        _dataset(**changes)
    assert str(caught.value) == message


def test_grey_images_get_their_channel_and_labels_are_int64():
    dataset = _dataset(train_images=np.zeros((4, 2, 3), np.uint8))
    assert dataset.train_images.shape == (4, 2, 3, 1) and dataset.image_shape == (2, 3, 1)
    assert dataset.train_labels.dtype == dataset.test_labels.dtype == np.int64
    assert _dataset(train_labels=[0, 1, 2, 2]).train_labels.max() == 2  # the last class is fine


def test_split_sizes_are_checked_against_the_documented_ones():
    check_split_sizes(_dataset(), {"train": 4, "test": 2}, "d")
    check_split_sizes(_dataset(), None, "d")
    with pytest.raises(DataError) as caught:
        check_split_sizes(_dataset(), {"train": 4, "test": 3}, "d")
    assert str(caught.value).startswith("d: the test split has 2 samples, expected 3. ")


def test_meta_json_records_the_layout_and_each_arrays_size(tmp_path):
    meta = write_dataset(tmp_path, _dataset(provenance={"source": "hand"}), {"name": "x"})
    assert meta == load_json(tmp_path / "meta.json")
    assert meta["num_classes"] == 3 and meta["image_shape"] == [2, 3, 1]
    assert meta["layout"] == "N×H×W×C uint8 images, int64 labels"
    assert meta["split_sizes"] == {"train": 4, "test": 2}
    assert meta["sizes"] == {
        name: (tmp_path / name).stat().st_size
        for name in ("train_images.npy", "train_labels.npy", "test_images.npy", "test_labels.npy")
    }
    assert meta["provenance"] == {"source": "hand"}
    assert read_dataset(tmp_path).provenance == {"source": "hand"}


def test_a_meta_json_without_sizes_or_provenance_is_read(tmp_path):
    meta = write_dataset(tmp_path, _dataset(), {"name": "x"})
    older = {k: v for k, v in meta.items() if k not in ("sizes", "provenance")}
    save_json(tmp_path / "meta.json", older)
    dataset = read_dataset(tmp_path)
    assert dataset.provenance == {} and len(dataset.train_labels) == 4


def test_a_truncated_array_is_refused_by_its_size_with_the_fix(tmp_path):
    write_dataset(tmp_path, _dataset(), {"name": "x"})
    labels = tmp_path / "test_labels.npy"
    labels.write_bytes(labels.read_bytes()[:-8])
    with pytest.raises(DataError) as caught:
        read_dataset(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{labels} has ") and "(truncated or replaced)" in message
    assert f"--forcerun {tmp_path / 'meta.json'}" in message


def test_read_dataset_maps_its_arrays_read_only_by_default(tmp_path):
    write_dataset(tmp_path, _dataset(), {"name": "x"})
    assert not read_dataset(tmp_path).train_images.flags.writeable  # a read-only map
    assert read_dataset(tmp_path, mmap=False).train_images.flags.writeable


def test_a_directory_without_meta_json_is_not_a_dataset(tmp_path):
    with pytest.raises(DataError) as caught:
        read_dataset(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path} holds no complete dataset (meta.json missing); run the pipeline to create it"
    )


def test_the_subset_seed_defaults_to_0():
    rng = np.random.default_rng(5)
    big = _dataset(
        train_images=np.zeros((40, 2, 3, 1), np.uint8),
        train_labels=rng.integers(0, 3, 40),
        test_images=np.zeros((30, 2, 3, 1), np.uint8),
        test_labels=rng.integers(0, 3, 30),
    )
    small = subset(big, {"train": 10, "test": 5})
    same = subset(big, {"train": 10, "test": 5, "seed": 0})
    other = subset(big, {"train": 10, "test": 5, "seed": 1})
    assert small.provenance == {"subset": {"train": 10, "test": 5}}
    np.testing.assert_array_equal(small.train_labels, same.train_labels)
    assert not all(
        np.array_equal(getattr(small, f"{s}_labels"), getattr(other, f"{s}_labels"))
        for s in ("train", "test")
    )


def test_labels_of_any_integer_type_are_kept_as_int64():
    dataset = _dataset(
        train_labels=np.array([0, 1, 2, 1], np.uint8), test_labels=np.array([2, 0], np.int32)
    )
    assert dataset.train_labels.dtype == dataset.test_labels.dtype == np.int64
