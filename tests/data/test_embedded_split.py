"""The offline sources' splits against scikit-learn's own data: the digits split is a
partition of the 1797 (image, label) pairs, stratified, of scikit-learn's test size;
the composite keeps each split's strokes on its own side (a differential oracle: the
same seed draws the same backgrounds whatever the strokes are)."""

from collections import Counter

import numpy as np
import pytest
from lbr.data.embedded import composite_on_photos, load_digits_dataset
from lbr.data.format import ImageDataset
from lbr.errors import ConfigError
from sklearn.datasets import load_digits


def _pairs(images, labels):
    return Counter((image.tobytes(), int(label)) for image, label in zip(images, labels))


@pytest.mark.parametrize("fraction, seed", [(0.2, 0), (0.37, 4)])
def test_digits_split_is_a_stratified_partition_of_the_digits(fraction, seed):
    digits = load_digits()
    scaled = np.rint(digits.images * (255.0 / 16.0)).astype(np.uint8)[..., None]
    everything = _pairs(scaled, digits.target)
    data = load_digits_dataset(fraction, seed)
    train = _pairs(data.train_images, data.train_labels)
    test = _pairs(data.test_images, data.test_labels)
    assert train + test == everything  # every pair once, each image with its own label
    n = len(digits.target)
    assert len(data.test_labels) == int(np.ceil(fraction * n))  # scikit-learn's rounding
    share = np.bincount(digits.target) * fraction
    assert (np.abs(np.bincount(data.test_labels, minlength=10) - share) <= 1).all()
    assert data.class_names == [str(d) for d in range(10)]
    assert data.provenance["split_seed"] == seed and data.provenance["test_fraction"] == fraction


def test_digits_split_is_seeded():
    first, again = load_digits_dataset(0.2, 7), load_digits_dataset(0.2, 7)
    np.testing.assert_array_equal(first.test_images, again.test_images)
    other = load_digits_dataset(0.2, 8)
    assert _pairs(first.test_images, first.test_labels) != _pairs(
        other.test_images, other.test_labels
    )


def test_a_fraction_leaving_a_side_without_every_class_is_refused():
    with pytest.raises(ConfigError, match="fewer than the 10 classes"):
        load_digits_dataset(0.004, 0)  # 8 test images for 10 classes
    load_digits_dataset(0.006, 0)  # 11 test images: enough


def _flat_base(train_value, test_value):
    train = np.full((6, 8, 8, 1), train_value, dtype=np.uint8)
    test = np.full((4, 8, 8, 1), test_value, dtype=np.uint8)
    return ImageDataset(train, np.arange(6) % 3, test, np.array([2, 0, 1, 1]), ["a", "b", "c"])


def test_composite_blends_each_splits_strokes_over_its_backgrounds():
    """Strokes of value 0 leave the backgrounds as they are (|b − 0| = b); strokes of
    value v give |b − v| over the same backgrounds (same seed): so each split's output
    shows which split's strokes it carries."""
    args = dict(shape=[16, 16, 3], crops_per_image=2, min_crop=32, seed=3)
    backgrounds = composite_on_photos(_flat_base(0, 0), **args)
    marked = composite_on_photos(_flat_base(0, 100), **args)
    np.testing.assert_array_equal(marked.train_images, backgrounds.train_images)
    expected = np.abs(backgrounds.test_images.astype(int) - 100)
    np.testing.assert_array_equal(marked.test_images, expected)
    marked = composite_on_photos(_flat_base(255, 0), **args)
    np.testing.assert_array_equal(marked.test_images, backgrounds.test_images)
    np.testing.assert_array_equal(marked.train_images, 255 - backgrounds.train_images)
    # labels follow their images, each repeated once per crop
    np.testing.assert_array_equal(marked.train_labels, np.repeat(np.arange(6) % 3, 2))
    np.testing.assert_array_equal(marked.test_labels, np.repeat([2, 0, 1, 1], 2))
    # the backgrounds are photographs, not flat: the check above is not vacuous
    assert backgrounds.test_images.std() > 20
