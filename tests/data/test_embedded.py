"""The offline sources shipped with the code: the digits split and the composite of digits
over photo crops."""

import numpy as np
from lbr.data.embedded import composite_on_photos, load_digits_dataset


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
