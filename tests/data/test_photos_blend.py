"""lbr.data.photos.garments_on_photos's blend against a hand-made oracle: the same seed
draws the same backgrounds, so a black garment shows the background itself and a white
one its negative: the two images sum to 255 in every pixel. The garment's grey level is
the mean of its channels; each split's garments are blended, in their own order."""

from __future__ import annotations

import numpy as np
from lbr.data.format import ImageDataset
from lbr.data.photos import SHIPPED_PHOTOS, garments_on_photos

PHOTOS = ["brick", "grass"]
OPTIONS = dict(crop=16, block=40, test_fraction=0.3, min_std=0.0, seed=7)


def _garments(value_of) -> ImageDataset:
    """6 train and 4 test garments of 5×5×3 pixels, each filled by value_of(split, index)."""
    parts = []
    for split, count in (("train", 6), ("test", 4)):
        images = np.stack(
            [np.full((5, 5, 3), value_of(split, i), dtype=np.uint8) for i in range(count)]
        )
        parts += [images, np.arange(count) % 2]
    return ImageDataset(*parts, class_names=["shirt", "shoe"], provenance={"from": "hand"})


def _blend(garments, **changes):
    return garments_on_photos(garments, PHOTOS, [8, 6, 3], **{**OPTIONS, **changes})


def test_black_and_white_garments_show_the_background_and_its_negative():
    dark = _blend(_garments(lambda split, i: 0))
    light = _blend(_garments(lambda split, i: 255))
    for split in ("train", "test"):
        total = dark.split(split)[0].astype(int) + light.split(split)[0].astype(int)
        assert (total == 255).all()
        assert dark.split(split)[0].std() > 0  # photographs, not a flat colour
        np.testing.assert_array_equal(dark.split(split)[1], np.arange(len(total)) % 2)


def test_the_grey_level_is_the_mean_of_the_channels():
    background = _blend(_garments(lambda split, i: 0))
    coloured = _garments(lambda split, i: 0)
    for split in ("train", "test"):
        images = coloured.split(split)[0]
        for i in range(len(images)):
            images[i, ..., 0] = 30 * (i + 1)  # channels (30(i + 1), 0, 0): grey 10(i + 1)
    blended = _blend(coloured)
    for split in ("train", "test"):
        grey = 10 * (np.arange(len(blended.split(split)[0])) + 1)[:, None, None, None]
        expected = np.abs(background.split(split)[0].astype(int) - grey)
        np.testing.assert_array_equal(blended.split(split)[0], expected)


def test_the_seed_draws_the_backgrounds_and_is_recorded():
    garments = _garments(lambda split, i: 0)
    first, again, other = _blend(garments), _blend(garments), _blend(garments, seed=8)
    np.testing.assert_array_equal(first.train_images, again.train_images)
    assert not np.array_equal(first.train_images, other.train_images)
    recorded = first.provenance
    assert {k: recorded[k] for k in OPTIONS} == OPTIONS
    assert recorded["garments"] == {"from": "hand"}
    assert recorded["photos"] == {name: SHIPPED_PHOTOS[name] for name in PHOTOS}
    assert set(recorded["test_blocks"]) == set(PHOTOS)
    assert recorded["origin"].startswith("Fashion-MNIST garments blended |background − garment|")
