"""Offline sources (digits, composite, local IDX, ImageFolder), transforms and the on-disk format."""

import gzip
from pathlib import Path

import numpy as np
import pytest
from fake_archives import idx_bytes
from lbr.data.embedded import composite_on_photos, load_digits_dataset
from lbr.data.format import ImageDataset, read_dataset, write_dataset
from lbr.data.idx import read_idx
from lbr.data.local import load_idx_directory, load_image_folder
from lbr.data.registry import acquire, idx_directory_hint
from lbr.data.transforms import conform, convert_channels, resize
from lbr.errors import DataError
from PIL import Image

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


def test_digits_split_is_stratified_and_seeded():
    first, second = load_digits_dataset(0.2, seed=3), load_digits_dataset(0.2, seed=3)
    np.testing.assert_array_equal(first.test_labels, second.test_labels)
    assert len(first.train_labels) + len(first.test_labels) == 1797
    assert first.train_images.shape[1:] == (8, 8, 1) and first.train_images.max() == 255
    train_share = np.bincount(first.train_labels) / len(first.train_labels)
    test_share = np.bincount(first.test_labels) / len(first.test_labels)
    np.testing.assert_allclose(train_share, test_share, atol=0.01)
    other = load_digits_dataset(0.2, seed=4)
    assert not np.array_equal(first.test_labels, other.test_labels)


def test_composite_is_seeded_and_keeps_labels():
    base = load_digits_dataset(0.5, seed=0)
    one = composite_on_photos(base, [16, 16, 3], crops_per_image=2, min_crop=32, seed=7)
    two = composite_on_photos(base, [16, 16, 3], crops_per_image=2, min_crop=32, seed=7)
    np.testing.assert_array_equal(one.train_images, two.train_images)
    assert one.train_images.shape == (2 * len(base.train_labels), 16, 16, 3)
    np.testing.assert_array_equal(one.train_labels[::2], base.train_labels)
    # Two crops of the same digit differ (different backgrounds).
    assert not np.array_equal(one.train_images[0], one.train_images[1])
    # Backgrounds are real photographs: plenty of colour variance, unlike digits.
    assert one.train_images.std(axis=(1, 2)).mean() > 20


def test_idx_round_trip_plain_and_gzip(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a").write_bytes(idx_bytes(array))
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(array)))
    np.testing.assert_array_equal(read_idx(tmp_path / "a"), array)
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz"), array)


def test_truncated_idx_is_refused(tmp_path):
    (tmp_path / "a").write_bytes(idx_bytes(np.zeros((5, 4, 4), dtype=np.uint8))[:-3])
    with pytest.raises(DataError, match="truncated"):
        read_idx(tmp_path / "a")


def test_missing_idx_directory_says_how_to_get_it(tmp_path):
    # Any other path: what the directory must hold (the Debian package would not help).
    with pytest.raises(DataError, match="train-images-idx3-ubyte") as caught:
        acquire(
            "fmnist",
            {"source": "idx_directory", "path": str(tmp_path / "nope")},
            tmp_path / "out",
            tmp_path,
        )
    assert "apt-get" not in str(caught.value)
    assert not (tmp_path / "out").exists()
    # The Debian package's own directory: the package that installs it.
    hint = idx_directory_hint("/usr/share/datasets/fashion-mnist/")
    assert "apt-get install dataset-fashion-mnist" in hint


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


def test_channel_conversion_and_resize():
    gray = np.full((2, 4, 4, 1), 100, dtype=np.uint8)
    rgb = convert_channels(gray, 3)
    assert rgb.shape == (2, 4, 4, 3) and (rgb == 100).all()
    assert (convert_channels(rgb, 1) == 100).all()
    # A constant image stays constant under antialiased resizing, up or down.
    assert (resize(rgb, 9, 7) == 100).all() and (resize(rgb, 2, 2) == 100).all()
    assert conform(gray, None) is gray and conform(gray, [8, 8, 3]).shape == (2, 8, 8, 3)


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


def test_native_shape_for_closed_forms_and_a_derived_training_copy(tmp_path):
    """closed_form_shape: native stores the decoded native arrays; the training copy is
    resized from them, byte-identical to decoding at `shape` directly."""
    from lbr.data.format import read_dataset
    from lbr.data.registry import derive_training_view
    from lbr.data.views import has_training_view, stored_shape, training_view

    plain = {"source": "digits", "test_fraction": 0.5, "seed": 0, "shape": [12, 12, 3]}
    both = {**plain, "closed_form_shape": "native"}
    assert stored_shape(plain) == [12, 12, 3] and stored_shape(both) is None
    assert not has_training_view(plain) and has_training_view(both)
    assert training_view("digits", both) == "digits.training"
    acquire("digits", both, tmp_path / "digits", tmp_path)
    acquire("digits", plain, tmp_path / "direct", tmp_path)
    meta = derive_training_view("digits", both, tmp_path / "digits", tmp_path / "digits.training")
    native = read_dataset(tmp_path / "digits")
    training = read_dataset(tmp_path / "digits.training")
    direct = read_dataset(tmp_path / "direct")
    assert native.train_images.shape[1:] == (8, 8, 1) and meta["image_shape"] == [12, 12, 3]
    for split in ("train", "test"):
        for kind in ("images", "labels"):
            name = f"{split}_{kind}"
            np.testing.assert_array_equal(getattr(training, name), getattr(direct, name))
    assert meta["derived_from"]["directory"] == str(tmp_path / "digits")
