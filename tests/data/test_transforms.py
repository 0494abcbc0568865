"""Channel conversion and resizing."""

import numpy as np
from lbr.data.transforms import conform, convert_channels, resize


def test_channel_conversion_and_resize():
    gray = np.full((2, 4, 4, 1), 100, dtype=np.uint8)
    rgb = convert_channels(gray, 3)
    assert rgb.shape == (2, 4, 4, 3) and (rgb == 100).all()
    assert (convert_channels(rgb, 1) == 100).all()
    # A constant image stays constant under antialiased resizing, up or down.
    assert (resize(rgb, 9, 7) == 100).all() and (resize(rgb, 2, 2) == 100).all()
    assert conform(gray, None) is gray and conform(gray, [8, 8, 3]).shape == (2, 8, 8, 3)
