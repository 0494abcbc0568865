"""Resizing, decoding and channel conversion against Pillow, an independent
implementation of the same antialiased bilinear filter (torch's antialias=True is
designed to match it). Pillow filters in two passes and stores the first pass as 8-bit,
so its values differ from a float computation rounded once by at most 1 (0.5 from the
intermediate rounding, carried by weights summing to 1, plus the final rounding)."""

import numpy as np
import pytest
from lbr.data.transforms import convert_channels, decode_image, resize
from lbr.errors import DataError
from PIL import Image

PILLOW_ROUNDING = 1
RNG = np.random.default_rng(0)


def _pillow_resize(images, height, width):
    return np.stack(
        [
            np.asarray(
                Image.fromarray(image[..., 0]).resize(
                    (width, height), Image.Resampling.BILINEAR, reducing_gap=None
                )
            )[..., None]
            for image in images
        ]
    )


@pytest.mark.parametrize("height, width", [(5, 7), (20, 11), (40, 33), (9, 13)])
def test_resize_is_pillows_antialiased_bilinear_up_and_down(height, width):
    images = RNG.integers(0, 256, (3, 20, 28, 1), dtype=np.uint8)
    ours = resize(images, height, width)
    assert ours.shape == (3, height, width, 1) and ours.dtype == np.uint8
    gap = np.abs(ours.astype(int) - _pillow_resize(images, height, width)).max()
    assert gap <= PILLOW_ROUNDING


def test_resize_in_chunks_is_resize_at_once():
    images = RNG.integers(0, 256, (5, 12, 12, 3), dtype=np.uint8)
    np.testing.assert_array_equal(resize(images, 5, 4, chunk=2), resize(images, 5, 4))


def test_images_already_at_the_size_are_returned_as_they_are():
    images = RNG.integers(0, 256, (2, 6, 9, 3), dtype=np.uint8)
    assert resize(images, 6, 9) is images
    assert resize(images, 9, 6).shape == (2, 9, 6, 3)  # the same numbers swapped are not


# --- decoding one file ---------------------------------------------------------------------


def _png(tmp_path, array, name="x.png"):
    path = tmp_path / name
    Image.fromarray(array).save(path)
    return path


def test_decoding_to_one_channel_is_pillows_luma_and_keeps_the_channel_axis(tmp_path):
    rgb = RNG.integers(0, 256, (4, 4, 3), dtype=np.uint8)
    decoded = decode_image(_png(tmp_path, rgb), [4, 4, 1])
    expected = np.asarray(Image.fromarray(rgb).convert("L"))[..., None]
    np.testing.assert_array_equal(decoded, expected)
    # without a shape every file decodes to RGB (one layout for a folder of mixed files)
    grey = RNG.integers(0, 256, (4, 4), dtype=np.uint8)
    np.testing.assert_array_equal(
        decode_image(_png(tmp_path, grey, "g.png"), None), np.repeat(grey[..., None], 3, axis=-1)
    )


@pytest.mark.parametrize(
    "stored, shape, resized, corner",
    [
        # (width, height) stored; the shorter side goes to the target, then a centre crop:
        ((20, 10), [5, 4, 3], (10, 5), (3, 0)),  # wide: 20×10 → 10×5, columns 3..7
        ((10, 20), [4, 5, 3], (5, 10), (0, 3)),  # tall: 10×20 → 5×10, rows 3..7
        ((8, 6), [6, 4, 3], (8, 6), (2, 0)),  # already tall enough: cropped only
        ((22, 10), [5, 4, 3], (11, 5), (3, 0)),  # an odd margin: the crop starts at its floor
        ((10, 22), [4, 5, 3], (5, 11), (0, 3)),
    ],
)
def test_decoding_resizes_the_shorter_side_then_crops_the_centre(
    tmp_path, stored, shape, resized, corner
):
    width, height = stored
    image = RNG.integers(0, 256, (height, width, 3), dtype=np.uint8)
    decoded = decode_image(_png(tmp_path, image), shape)
    picture = Image.fromarray(image)
    if resized != stored:
        picture = picture.resize(resized, Image.Resampling.BILINEAR, reducing_gap=None)
    left, top = corner
    expected = np.asarray(picture)[top : top + shape[0], left : left + shape[1]]
    np.testing.assert_array_equal(decoded, expected)


# --- channels ------------------------------------------------------------------------------


def test_grey_is_replicated_and_colour_becomes_its_rounded_luma():
    grey = np.array([[[[0], [255]]]], dtype=np.uint8)
    assert convert_channels(grey, 3).tolist() == [[[[0, 0, 0], [255, 255, 255]]]]
    colour = np.array([[[[0, 0, 0], [255, 255, 255], [10, 20, 30], [255, 0, 0]]]], dtype=np.uint8)
    # 0.299·10 + 0.587·20 + 0.114·30 = 18.15; 0.299·255 = 76.245
    assert convert_channels(colour, 1).tolist() == [[[[0], [255], [18], [76]]]]
    assert convert_channels(colour, 1).dtype == np.uint8


@pytest.mark.parametrize("channels", [1, 3])
def test_images_with_the_asked_channels_are_left_alone(channels):
    images = RNG.integers(0, 256, (2, 3, 3, channels), dtype=np.uint8)
    assert convert_channels(images, channels) is images


@pytest.mark.parametrize("have, want", [(2, 3), (4, 1), (3, 2)])
def test_other_channel_counts_are_refused_naming_both(have, want):
    with pytest.raises(DataError) as caught:
        convert_channels(np.zeros((1, 2, 2, have), dtype=np.uint8), want)
    assert str(caught.value) == (
        f"cannot convert {have}-channel images to {want} channels (supported: 1↔3)"
    )
