"""The on-disk dataset format, its validation, split sizes and the stratified subset."""

from dataclasses import replace

import fake_archives as fake
import numpy as np
import pytest
from lbr.data.embedded import load_digits_dataset
from lbr.data.format import ImageDataset, read_dataset, subset, write_dataset
from lbr.errors import DataError
from support import download_and_decode as _acquire


def test_format_round_trip_and_meta(tmp_path):
    dataset = load_digits_dataset(0.2, seed=0)
    meta = write_dataset(tmp_path, dataset, {"name": "digits"})
    back = read_dataset(tmp_path)
    np.testing.assert_array_equal(back.test_images, dataset.test_images)
    assert meta["split_sizes"] == {"train": 1437, "test": 360} and set(meta["sha256"]) == {
        "train_images.npy",
        "train_labels.npy",
        "test_images.npy",
        "test_labels.npy",
    }
    assert back.train_labels.dtype == np.int64 and back.train_images.dtype == np.uint8


def test_labels_outside_class_names_are_refused():
    images = np.zeros((2, 2, 2, 1), dtype=np.uint8)
    with pytest.raises(DataError, match="class names"):
        ImageDataset(images, np.array([0, 5]), images, np.array([0, 1]), class_names=["a", "b"])


pytest.importorskip("skimage", reason="pip install scikit-image (a project dependency)")


def _labelled(count: int, classes: int) -> ImageDataset:
    images = np.arange(count, dtype=np.uint8).reshape(count, 1, 1, 1)
    labels = np.arange(count) % classes
    return ImageDataset(images, labels, images, labels, [str(c) for c in range(classes)])


def test_subset_is_stratified_seeded_and_bounded():
    data = _labelled(200, 4)
    picked = subset(data, {"train": 40, "test": 22, "seed": 5})
    assert np.bincount(picked.train_labels).tolist() == [10] * 4
    assert len(picked.test_labels) == 22 and np.bincount(picked.test_labels).min() >= 5
    np.testing.assert_array_equal(
        picked.train_images, subset(data, {"train": 40, "test": 22, "seed": 5}).train_images
    )
    assert not np.array_equal(
        picked.train_images, subset(data, {"train": 40, "test": 22, "seed": 6}).train_images
    )
    assert len(np.unique(picked.train_images)) == 40  # no image picked twice
    with pytest.raises(DataError, match=r"subset.train=500"):
        subset(data, {"train": 500, "test": 1})


def test_wrong_split_size_is_refused(http_server, tmp_path):
    served, url = http_server
    source = replace(fake.mnist_like("mnist", served), split_sizes={"train": 60000, "test": 10000})
    with pytest.raises(DataError, match="expected 60000"):
        _acquire(source, url, tmp_path)
