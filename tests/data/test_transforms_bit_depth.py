"""Images with more than 8 bits per sample are refused by name, never clipped: issue 26,
item 3 (a 16-bit PNG became 99.7% white, a float TIFF's NaN became 0, without a word)."""

from __future__ import annotations

import numpy as np
import pytest
from lbr.data.local import load_image_folder
from lbr.data.transforms import decode_image
from lbr.errors import DataError
from PIL import Image


def test_16_bit_png_is_refused_with_the_file_and_the_fix(tmp_path):
    path = tmp_path / "deep.png"
    Image.fromarray(np.arange(0, 65536, 656, dtype=np.uint16)[:100].reshape(10, 10)).save(path)
    assert Image.open(path).mode == "I;16"  # what Pillow reads: 16-bit samples
    with pytest.raises(DataError) as caught:
        decode_image(path, [8, 8, 1])
    message = str(caught.value)
    assert str(path) in message and "16-bit" in message and "8-bit PNG" in message


def test_float_tiff_with_nan_is_refused(tmp_path):
    path = tmp_path / "float.tif"
    pixels = np.linspace(0, 1, 100, dtype=np.float32).reshape(10, 10)
    pixels[0, 0] = np.nan
    Image.fromarray(pixels).save(path)
    with pytest.raises(DataError, match="32-bit float"):
        decode_image(path, None)


def test_image_folder_names_the_wide_image(tmp_path):
    for split in ("train", "test"):
        for label in ("a", "b"):
            folder = tmp_path / split / label
            folder.mkdir(parents=True)
            Image.fromarray(np.full((6, 6), 100, np.uint8)).save(folder / "0.png")
    deep = tmp_path / "test" / "b" / "1.png"
    Image.fromarray(np.full((6, 6), 40000, np.uint16)).save(deep)
    with pytest.raises(DataError, match=str(deep)):
        load_image_folder(tmp_path, [6, 6, 1], {"train": "train", "test": "test"})


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA"])
def test_8_bit_modes_still_decode(tmp_path, mode):
    path = tmp_path / "ok.png"
    Image.new(mode, (5, 5)).save(path)
    assert decode_image(path, [5, 5, 3]).shape == (5, 5, 3)


def test_8_bit_values_are_kept_exactly(tmp_path):
    path = tmp_path / "grey.png"
    pixels = np.arange(36, dtype=np.uint8).reshape(6, 6) * 7
    Image.fromarray(pixels).save(path)
    assert np.array_equal(decode_image(path, None)[..., 0], pixels)
