"""The composite source's crop geometry and record, and the digits split at its edges.
Oracles: tiny photographs whose every window is known, and hand counts."""

import numpy as np
import pytest
from lbr.data.embedded import _background_crops, composite_on_photos, load_digits_dataset
from lbr.data.format import ImageDataset
from lbr.errors import ConfigError, DataError


def _windows(photo, side):
    """Every side×side window of `photo`, by its (top, left)."""
    height, width = photo.shape[:2]
    return {
        photo[top : top + side, left : left + side].tobytes(): (top, left)
        for top in range(height - side + 1)
        for left in range(width - side + 1)
    }


def test_background_crops_are_whole_windows_and_reach_every_position():
    # a wide and a tall photograph of distinct pixels; crops of the smaller side, 4,
    # taken at the target size, so each crop must be one window, unresized
    wide = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    tall = (100 + np.arange(6 * 4 * 3)).astype(np.uint8).reshape(6, 4, 3)
    crops = _background_crops([wide, tall], 300, 4, 4, 4, np.random.default_rng(0))
    assert crops.dtype == np.uint8 and crops.shape == (300, 4, 4, 3)
    windows = {k: ("wide", *v) for k, v in _windows(wide, 4).items()}
    windows.update({k: ("tall", *v) for k, v in _windows(tall, 4).items()})
    seen = {windows[crop.tobytes()] for crop in crops}  # KeyError: not a window
    assert seen == set(windows.values())  # 3 + 3 positions, all drawn


def _grey_base(value_of):
    parts = []
    for count in (3, 2):
        images = np.stack([value_of(i) for i in range(count)]).astype(np.uint8)
        parts += [images, np.arange(count) % 2]
    return ImageDataset(*parts, class_names=["a", "b"])


ARGS = dict(shape=[8, 8, 3], crops_per_image=2, min_crop=64, seed=1)


def test_a_colour_stroke_blends_as_the_mean_of_its_channels():
    colour = composite_on_photos(_grey_base(lambda i: np.full((6, 6, 3), (255, 0, 0))), **ARGS)
    grey = composite_on_photos(_grey_base(lambda i: np.full((6, 6, 3), 85)), **ARGS)
    np.testing.assert_array_equal(colour.train_images, grey.train_images)
    np.testing.assert_array_equal(colour.test_images, grey.test_images)


def test_the_smallest_photo_side_is_the_largest_min_crop():
    composite_on_photos(_grey_base(lambda i: np.zeros((6, 6, 1))), **{**ARGS, "min_crop": 427})
    with pytest.raises(DataError) as caught:
        composite_on_photos(_grey_base(lambda i: np.zeros((6, 6, 1))), **{**ARGS, "min_crop": 428})
    assert str(caught.value) == (
        "min_crop=428 is larger than the sample photos ([(427, 640), (427, 640)])"
    )


def test_grey_composites_are_refused_with_the_reason():
    with pytest.raises(DataError) as caught:
        composite_on_photos(
            _grey_base(lambda i: np.zeros((6, 6, 1))), **{**ARGS, "shape": [8, 8, 1]}
        )
    assert str(caught.value) == (
        "the composite source needs shape [H, W, 3]: its backgrounds are colour photographs"
    )


def test_the_composite_records_how_it_was_made():
    record = composite_on_photos(_grey_base(lambda i: np.zeros((6, 6, 1))), **ARGS).provenance
    assert record == {
        "origin": "strokes of the base dataset over crops of sklearn.datasets.load_sample_images",
        "crops_per_image": 2,
        "min_crop": 64,
        "seed": 1,
    }


# --- the digits split -------------------------------------------------------------------


def test_digits_record_and_label_type():
    data = load_digits_dataset(0.25, 3)
    assert data.provenance == {
        "origin": "sklearn.datasets.load_digits",
        "split_seed": 3,
        "test_fraction": 0.25,
    }
    assert data.train_labels.dtype == np.int64 and data.test_labels.dtype == np.int64


def test_one_test_image_per_class_is_enough():
    data = load_digits_dataset(0.0055, 0)  # ceil(0.0055 × 1797) = 10 test images
    assert sorted(data.test_labels.tolist()) == list(range(10))


def test_a_refused_fraction_names_the_usable_range():
    with pytest.raises(ConfigError) as caught:
        load_digits_dataset(0.004, 0)
    assert str(caught.value) == (
        "test_fraction: 0.004 leaves 1789 training and 8 test images of 1797, fewer than the "
        "10 classes a stratified split needs on each side; use a value between 0.0056 and 0.9944"
    )
