"""Where crops may come from, at the edges: blocks that touch, a photo of exactly two
blocks, a crop as large as its block, a redraw limit counted draw by draw, and the
refusals of bad geometry with their messages. Oracles: hand counts on tiny arrays."""

import numpy as np
import pytest
from lbr.data.photos import (
    MAX_DRAWS_PER_CROP,
    Box,
    _check_geometry,
    equalize,
    sample_boxes,
    split_blocks,
)
from lbr.errors import DataError


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (Box(0, 0, 0, 4), Box(0, 4, 0, 4)),  # stacked, touching along a row
        (Box(0, 0, 0, 4), Box(0, 0, 4, 4)),  # side by side, touching along a column
    ],
)
def test_boxes_that_only_touch_do_not_overlap(first, second):
    assert not first.overlaps(second) and not second.overlaps(first)


def test_boxes_sharing_one_pixel_overlap_whichever_asks():
    first, second = Box(0, 0, 0, 4), Box(0, 3, 3, 4)
    assert first.overlaps(second) and second.overlaps(first)
    assert not first.overlaps(Box(1, 3, 3, 4))  # another photograph


# --- the block assignment ---------------------------------------------------------------


def test_whole_blocks_only_and_every_block_in_one_split():
    # 3 whole rows and 2 whole columns of 8-pixel blocks; the remainders are dropped
    split = split_blocks((25, 21), 8, 0.5, np.random.default_rng(0))
    corners = split["train"] + split["test"]
    assert sorted(corners) == [(r, c) for r in (0, 8, 16) for c in (0, 8)]
    assert len(split["test"]) == 3
    assert split["train"] == sorted(split["train"]) and split["test"] == sorted(split["test"])


def test_a_photo_of_exactly_two_blocks_gives_one_to_each_split():
    split = split_blocks((16, 8), 8, 0.5, np.random.default_rng(0))
    assert len(split["train"]) == 1 and len(split["test"]) == 1


def test_each_split_keeps_at_least_one_block_whatever_the_fraction():
    four = (16, 16)
    almost_all = split_blocks(four, 8, 0.99, np.random.default_rng(0))  # round(3.96) = 4
    assert (len(almost_all["train"]), len(almost_all["test"])) == (1, 3)
    almost_none = split_blocks(four, 8, 0.01, np.random.default_rng(0))  # round(0.04) = 0
    assert (len(almost_none["train"]), len(almost_none["test"])) == (3, 1)


def test_a_photo_of_one_block_is_refused_with_its_size():
    with pytest.raises(DataError) as caught:
        split_blocks((8, 15), 8, 0.5, np.random.default_rng(0))
    assert str(caught.value) == (
        "a 8×15 photograph holds fewer than two 8-pixel blocks; lower 'block'"
    )


# --- crop windows -----------------------------------------------------------------------


def _photo(height, width):
    return np.zeros((height, width, 3), dtype=np.uint8)


def test_a_crop_as_large_as_its_block_is_the_block():
    boxes = sample_boxes([_photo(8, 16)], [[(0, 8)]], 0, 5, 8, 8, 0.0, np.random.default_rng(0))
    assert boxes == [Box(0, 0, 8, 8)] * 5


def test_crops_reach_every_offset_inside_their_block_and_no_further():
    boxes = sample_boxes([_photo(8, 8)], [[(0, 0)]], 0, 400, 6, 8, 0.0, np.random.default_rng(0))
    assert {b.top for b in boxes} == {0, 1, 2} and {b.left for b in boxes} == {0, 1, 2}


def test_a_crop_whose_std_equals_min_std_is_kept_and_a_flatter_one_redrawn():
    photo = np.zeros((4, 8, 3), dtype=np.uint8)
    photo[:, 4:] = (np.indices((4, 4)).sum(axis=0) % 2)[..., None]  # 0/1 checkerboard: std 0.5
    boxes = sample_boxes([photo], [[(0, 0), (0, 4)]], 0, 20, 4, 4, 0.5, np.random.default_rng(0))
    assert {(b.top, b.left) for b in boxes} == {(0, 4)}


class CountingRng:
    """A generator that counts its integer draws (three per crop window)."""

    def __init__(self, seed):
        self.rng, self.calls = np.random.default_rng(seed), 0

    def integers(self, *args, **kwargs):
        self.calls += 1
        return self.rng.integers(*args, **kwargs)


def test_a_too_uniform_region_is_refused_after_the_allowed_number_of_draws():
    rng = CountingRng(0)
    with pytest.raises(DataError) as caught:
        sample_boxes([_photo(8, 8)], [[(0, 0)]], 0, 2, 4, 8, 5.0, rng)
    assert rng.calls == 3 * MAX_DRAWS_PER_CROP * 2
    assert str(caught.value) == (
        f"photograph 0: fewer than 1 in {MAX_DRAWS_PER_CROP} crops have a pixel std "
        f"≥ min_std=5.0; lower 'min_std' or drop this photograph"
    )


# --- geometry checks and normalisation --------------------------------------------------


def test_a_crop_may_equal_its_block_but_not_exceed_it():
    _check_geometry(8, 8, 0.5)
    with pytest.raises(DataError) as caught:
        _check_geometry(9, 8, 0.5)
    assert (
        str(caught.value) == "'crop' (9) must not exceed 'block' (8): a crop lies inside one block"
    )


@pytest.mark.parametrize("fraction", [0, 0.0, 1, 1.5, -0.1])
def test_the_test_fraction_lies_strictly_between_0_and_1(fraction):
    with pytest.raises(DataError) as caught:
        _check_geometry(4, 8, fraction)
    assert str(caught.value) == f"'test_fraction' must lie in (0, 1), got {fraction}"


def test_a_low_contrast_crop_is_stretched_to_the_target_std():
    crop = np.full((1, 4, 4, 3), 100, dtype=np.uint8)
    crop[0, ::2] = 101  # std 0.5 per channel
    out = equalize(crop, 32.0).astype(np.float64)
    np.testing.assert_allclose(out.std(), 32.0, atol=0.5)  # rounding to integers: ±0.5
    assert set(np.unique(out)) == {96.0, 160.0}
