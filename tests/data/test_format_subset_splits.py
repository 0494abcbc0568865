"""The seeded, class-stratified `subset` against a split fixture whose train and test
images are told apart by their pixels: every image carries its split and its index, the
two splits have different class proportions, so an image drawn from the wrong split, a
label paired with another image, or a share taken from the other split shows."""

import numpy as np
import pytest
from lbr.data.format import ImageDataset, subset
from lbr.errors import DataError

TRAIN_CLASSES = [50, 30, 20]  # class sizes of the train split (100 images)
TEST_CLASSES = [12, 18, 30]  # and of the test split (60): other proportions
MARK = {"train": 10, "test": 200}


def _split(sizes, rng, mark):
    labels = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    images = np.zeros((len(labels), 1, 2, 1), dtype=np.uint8)
    images[:, 0, 0, 0] = mark  # which split
    images[:, 0, 1, 0] = np.arange(len(labels))  # which image of it
    return images, labels


def _dataset():
    rng = np.random.default_rng(0)
    train = _split(TRAIN_CLASSES, rng, MARK["train"])
    test = _split(TEST_CLASSES, rng, MARK["test"])
    return ImageDataset(*train, *test, class_names=["a", "b", "c"], provenance={"from": "x"})


def _origin(picked, full, split):
    """Indices into `split` of the picked images; checks split mark and label pairing."""
    images, labels = picked.split(split)
    assert (images[:, 0, 0, 0] == MARK[split]).all(), f"{split} subset has foreign images"
    index = images[:, 0, 1, 0].astype(int)
    np.testing.assert_array_equal(labels, full.split(split)[1][index])
    assert len(np.unique(index)) == len(index), "an image picked twice"
    return index


@pytest.mark.parametrize("seed", [0, 3])
def test_shares_that_divide_exactly_give_exact_class_counts(seed):
    full = _dataset()
    picked = subset(full, {"train": 10, "test": 20, "seed": seed})
    _origin(picked, full, "train")
    _origin(picked, full, "test")
    # floor(size · n_c / N) per class, by hand: 10·(50, 30, 20)/100 and 20·(12, 18, 30)/60
    assert np.bincount(picked.train_labels, minlength=3).tolist() == [5, 3, 2]
    assert np.bincount(picked.test_labels, minlength=3).tolist() == [4, 6, 10]
    assert picked.class_names == ["a", "b", "c"]
    assert picked.provenance == {"from": "x", "subset": {"train": 10, "test": 20, "seed": seed}}


def test_shares_that_do_not_divide_keep_each_floor_and_fill_the_rest():
    full = _dataset()
    picked = subset(full, {"train": 7, "test": 11, "seed": 1})
    for split, sizes, size in (("train", TRAIN_CLASSES, 7), ("test", TEST_CLASSES, 11)):
        _origin(picked, full, split)
        counts = np.bincount(picked.split(split)[1], minlength=3)
        floors = np.array(sizes) * size // sum(sizes)  # train (3, 2, 1), test (2, 3, 5)
        assert counts.sum() == size
        assert (counts >= floors).all() and (counts - floors).sum() == size - floors.sum()


def test_a_whole_split_is_every_image_once():
    full = _dataset()
    picked = subset(full, {"train": 100, "test": 60})
    assert sorted(_origin(picked, full, "train")) == list(range(100))
    assert sorted(_origin(picked, full, "test")) == list(range(60))


def test_seeded_and_each_split_drawn_on_its_own():
    full = _dataset()
    spec = {"train": 10, "test": 20, "seed": 5}
    first, again = subset(full, spec), subset(full, spec)
    for split in ("train", "test"):
        np.testing.assert_array_equal(first.split(split)[0], again.split(split)[0])
    other = subset(full, {**spec, "seed": 6})
    assert not np.array_equal(first.train_images, other.train_images)
    # The test draw does not depend on the train size (its own seeded stream).
    resized = subset(full, {**spec, "train": 40})
    np.testing.assert_array_equal(first.test_images, resized.test_images)


@pytest.mark.parametrize("split, size", [("train", 101), ("test", 61)])
def test_a_size_beyond_the_split_is_refused_by_name(split, size):
    spec = {"train": 10, "test": 10, split: size}
    with pytest.raises(DataError, match=rf"subset\.{split}={size} exceeds the"):
        subset(_dataset(), spec)


def test_the_rest_is_drawn_without_repeats():
    """Ten classes of 9 images, 89 kept: each class keeps its floor of 8, and the 9 left
    to draw at random can only be 9 of the 10 remaining images, each once."""
    labels = np.repeat(np.arange(10), 9)
    images = np.zeros((90, 1, 2, 1), dtype=np.uint8)
    images[:, 0, 0, 0] = MARK["train"]
    images[:, 0, 1, 0] = np.arange(90)
    full = ImageDataset(images, labels, images[:10], labels[:10], [str(c) for c in range(10)])
    for seed in range(3):
        picked = subset(full, {"train": 89, "test": 10, "seed": seed})
        index = _origin(picked, full, "train")
        assert len(index) == 89
        assert np.bincount(picked.train_labels, minlength=10).min() >= 8
