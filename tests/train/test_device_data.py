"""On-device augmentation against a brute-force search over every padded window."""

import pytest
import torch
import torch.nn.functional as F
from lbr.train.device_data import crop_padding, random_crop_flip


@pytest.mark.parametrize(
    "height, padding", [(32, 4), (64, 8), (96, 12), (16, 2), (28, 4), (8, 1), (4, 1), (1, 1)]
)
def test_crop_padding_scales_with_the_image_and_is_at_least_one(height, padding):
    assert crop_padding(height) == padding


def _identify(image, padded, padding):
    """(dy, dx, flipped) of the window of `padded` that `image` is, found by brute force."""
    _, h, w = image.shape
    hits = []
    for dy in range(2 * padding + 1):
        for dx in range(2 * padding + 1):
            window = padded[:, dy : dy + h, dx : dx + w]
            for flipped in (False, True):
                if torch.equal(image, window.flip(-1) if flipped else window):
                    hits.append((dy, dx, flipped))
    assert len(hits) == 1, hits
    return hits[0]


@pytest.mark.parametrize("padding", [1, 2])
def test_every_offset_and_both_flips_occur_and_channels_move_together(padding):
    n, c, h, w = 400, 2, 5, 7
    images = torch.arange(n * c * h * w, dtype=torch.float32).reshape(n, c, h, w)
    out = random_crop_flip(images, padding, torch.Generator().manual_seed(0))
    assert out.shape == images.shape
    padded = F.pad(images, (padding,) * 4, mode="reflect")
    found = [_identify(out[i], padded[i], padding) for i in range(n)]
    offsets = {(dy, dx) for dy, dx, _ in found}
    side = range(2 * padding + 1)
    assert offsets == {(dy, dx) for dy in side for dx in side}
    flipped = sum(f for _, _, f in found) / n
    assert 0.4 < flipped < 0.6
    dys = torch.tensor([dy for dy, _, _ in found], dtype=torch.float64)
    dxs = torch.tensor([dx for _, dx, _ in found], dtype=torch.float64)
    assert not torch.equal(dys, dxs)  # rows and columns are drawn independently


def test_without_padding_images_are_only_flipped():
    n = 300
    images = torch.arange(n * 3 * 4 * 6, dtype=torch.float32).reshape(n, 3, 4, 6)
    out = random_crop_flip(images, 0, torch.Generator().manual_seed(1))
    same = torch.tensor([torch.equal(out[i], images[i]) for i in range(n)])
    flipped = torch.tensor([torch.equal(out[i], images[i].flip(-1)) for i in range(n)])
    assert torch.all(same ^ flipped)
    assert 0.4 < flipped.double().mean() < 0.6


def test_augmentation_is_reproducible_from_the_seed_only():
    images = torch.rand(64, 1, 8, 8, generator=torch.Generator().manual_seed(5))
    first = random_crop_flip(images, 1, torch.Generator().manual_seed(3))
    again = random_crop_flip(images, 1, torch.Generator().manual_seed(3))
    other = random_crop_flip(images, 1, torch.Generator().manual_seed(4))
    assert torch.equal(first, again) and not torch.equal(first, other)


def test_random_crop_is_a_window_of_the_reflect_padded_image():
    generator = torch.Generator().manual_seed(0)
    images = torch.arange(4 * 2 * 6 * 6, dtype=torch.float32).reshape(4, 2, 6, 6)
    out = random_crop_flip(images, 2, generator)
    padded = torch.nn.functional.pad(images, (2, 2, 2, 2), mode="reflect")
    for i in range(4):
        windows = [padded[i, :, y : y + 6, x : x + 6] for y in range(5) for x in range(5)]
        windows += [w.flip(-1) for w in windows]
        assert any(torch.equal(out[i], w) for w in windows)
    again = random_crop_flip(images, 2, torch.Generator().manual_seed(0))
    assert torch.equal(out, again)


@pytest.mark.parametrize("padding", [0, 2])
def test_every_tensor_is_made_on_the_images_device_not_torchs_default(padding):
    """On a GPU, an index or a draw made on torch's default device (the CPU) would not
    meet the images. Here the images are on the CPU and the default device is another
    one (meta): whatever the augmentation makes without naming the images' device would
    land there and fail or leave the CPU."""
    images = torch.rand(4, 3, 8, 8)
    expected = random_crop_flip(images, padding, torch.Generator().manual_seed(0))
    generator = torch.Generator().manual_seed(0)
    with torch.device("meta"):
        augmented = random_crop_flip(images, padding, generator)
    assert augmented.device.type == "cpu"
    assert torch.equal(augmented, expected)
