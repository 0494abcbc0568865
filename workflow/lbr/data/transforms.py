"""Bring images to a configured (H, W, C): resizing and channel conversion."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from ..errors import DataError

# ITU-R BT.601 luma weights, as PIL uses for RGB → L.
_LUMA = np.array([0.299, 0.587, 0.114])


def convert_channels(images: np.ndarray, channels: int) -> np.ndarray:
    """N×H×W×C uint8 → N×H×W×channels (gray replicated to RGB, RGB to luma)."""
    have = images.shape[-1]
    if have == channels:
        return images
    if have == 1 and channels == 3:
        return np.repeat(images, 3, axis=-1)
    if have == 3 and channels == 1:
        return np.clip(np.rint(images @ _LUMA), 0, 255).astype(np.uint8)[..., None]
    raise DataError(f"cannot convert {have}-channel images to {channels} channels (supported: 1↔3)")


def resize(images: np.ndarray, height: int, width: int, chunk: int = 4096) -> np.ndarray:
    """Antialiased bilinear resize of uint8 N×H×W×C images, in chunks to bound memory."""
    if images.shape[1:3] == (height, width):
        return images
    out = np.empty((len(images), height, width, images.shape[-1]), dtype=np.uint8)
    for start in range(0, len(images), chunk):
        batch = (
            torch.from_numpy(np.ascontiguousarray(images[start : start + chunk]))
            .permute(0, 3, 1, 2)
            .float()
        )
        scaled = F.interpolate(
            batch, size=(height, width), mode="bilinear", antialias=True, align_corners=False
        )
        out[start : start + chunk] = (
            scaled.round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).numpy()
        )
    return out


def conform(images: np.ndarray, shape: list[int] | None) -> np.ndarray:
    """Apply the configured [H, W, C] (None keeps the native shape)."""
    if shape is None:
        return images
    height, width, channels = shape
    return resize(convert_channels(images, channels), height, width)


# Pillow modes whose samples are not 8-bit: converting them to "L" or "RGB" clips 16- and
# 32-bit integers at 255 and turns float NaN into 0, so they are refused, not converted.
WIDE_MODES = {
    "I;16": "16-bit integer",
    "I;16L": "16-bit integer",
    "I;16B": "16-bit integer",
    "I;16N": "16-bit integer",
    "I": "32-bit integer",
    "F": "32-bit float",
}


def decode_image(path, shape: list[int] | None) -> np.ndarray:
    """Decode one image file to H×W×C uint8: shorter side resized, then centre-cropped.
    Images with more than 8 bits per sample (WIDE_MODES) are refused: how their values
    map to 0..255 is the user's choice, not one to make silently."""
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in WIDE_MODES:
                raise DataError(
                    f"image {path} has {WIDE_MODES[image.mode]} samples (Pillow mode "
                    f"{image.mode!r}); the pipeline stores 8 bits per channel and will not "
                    f"guess how your values map to 0..255 (16-bit values above 255 would "
                    f"clip, float NaN would become 0). Convert the images to 8-bit PNG or "
                    f"JPEG, scaled as suits your data, and rerun."
                )
            mode = "L" if shape is not None and shape[2] == 1 else "RGB"
            image = image.convert(mode)
            if shape is not None:
                height, width = shape[0], shape[1]
                scale = max(height / image.height, width / image.width)
                size = (
                    max(width, round(image.width * scale)),
                    max(height, round(image.height * scale)),
                )
                if size != image.size:
                    image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=None)
                left, top = (image.width - width) // 2, (image.height - height) // 2
                image = image.crop((left, top, left + width, top + height))
            array = np.asarray(image, dtype=np.uint8)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise DataError(
            f"cannot read image {path}: {error}. Remove or replace the file and rerun."
        ) from error
    return array[..., None] if array.ndim == 2 else array
