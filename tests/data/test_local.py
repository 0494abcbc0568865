"""Datasets from the user's disk: a local IDX directory and an ImageFolder tree."""

from pathlib import Path

import numpy as np
import pytest
from lbr.data.local import load_idx_directory, load_image_folder
from lbr.errors import DataError
from PIL import Image

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


@pytest.mark.skipif(
    not DEBIAN_FASHION_MNIST.is_dir(), reason="apt-get install dataset-fashion-mnist (CI does)"
)
def test_real_fashion_mnist_from_debian_package():
    dataset = load_idx_directory(DEBIAN_FASHION_MNIST, class_names=None)
    assert dataset.train_images.shape == (60000, 28, 28, 1) and dataset.test_images.shape == (
        10000,
        28,
        28,
        1,
    )
    assert np.bincount(dataset.train_labels).tolist() == [6000] * 10
    assert 60 < dataset.train_images.mean() < 80  # Fashion-MNIST's mean pixel is about 72.9


def _png_tree(root: Path, sizes=((10, 12),), bad: bool = False) -> None:
    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        for name in ("cat", "dog"):
            folder = root / split / name
            folder.mkdir(parents=True)
            for i, (h, w) in enumerate(sizes):
                Image.fromarray(rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)).save(
                    folder / f"{i}.png"
                )
    if bad:
        (root / "train" / "cat" / "broken.png").write_bytes(b"not an image")


def test_image_folder(tmp_path):
    _png_tree(tmp_path, sizes=((10, 12), (20, 9)))
    dataset = load_image_folder(tmp_path, [8, 8, 3], {"train": "train", "test": "test"})
    assert dataset.train_images.shape == (4, 8, 8, 3) and dataset.class_names == ["cat", "dog"]
    np.testing.assert_array_equal(dataset.train_labels, [0, 0, 1, 1])


def test_image_folder_mixed_sizes_need_a_shape(tmp_path):
    _png_tree(tmp_path, sizes=((10, 12), (20, 9)))
    with pytest.raises(DataError, match="set 'shape'"):
        load_image_folder(tmp_path, None, {"train": "train", "test": "test"})


def test_unreadable_image_is_named(tmp_path):
    _png_tree(tmp_path, bad=True)
    with pytest.raises(DataError, match="broken.png"):
        load_image_folder(tmp_path, [8, 8, 3], {"train": "train", "test": "test"})


# --- image_folder layouts a user gets wrong -------------------------------------------


def _folder(root: Path, layout: dict[str, dict[str, int]]) -> Path:
    from PIL import Image

    for split, classes in layout.items():
        for name, count in classes.items():
            (root / split / name).mkdir(parents=True)
            for i in range(count):
                Image.new("RGB", (6, 6), (i * 40, 0, 0)).save(root / split / name / f"{i}.png")
    return root


def test_image_folder_refuses_an_empty_class_folder(tmp_path):
    from lbr.data.local import load_image_folder

    root = _folder(tmp_path, {"train": {"cat": 2, "dog": 0}, "test": {"cat": 1, "dog": 1}})
    with pytest.raises(DataError, match=str(root / "train" / "dog")):
        load_image_folder(root, None, {"train": "train", "test": "test"})


def test_image_folder_refuses_different_class_sets(tmp_path):
    from lbr.data.local import load_image_folder

    root = _folder(
        tmp_path,
        {"train": {"cat": 1, "dog": 1, "fox": 1}, "test": {"cat": 1, "dog": 1, "wolf": 1}},
    )
    with pytest.raises(DataError) as caught:
        load_image_folder(root, None, {"train": "train", "test": "test"})
    message = str(caught.value)
    assert "['fox']" in message and "['wolf']" in message
