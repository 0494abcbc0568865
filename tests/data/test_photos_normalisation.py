"""`photo_patches` colour normalisation against numpy: each crop loses its own mean
*per channel* and is scaled by its own std over all pixels and channels to the target
std around 128; the crops of each split are the crops of that split's boxes."""

import numpy as np
import pytest
from lbr.data.photos import cut, equalize, load_photo, photo_patches, region_boxes
from lbr.data.transforms import resize

pytest.importorskip("skimage", reason="pip install scikit-image (a project dependency)")

PHOTOS = ["astronaut", "coffee", "hubble_deep_field"]
PATCHES = dict(
    photo_names=PHOTOS,
    shape=[16, 16, 3],  # the crop size: no resize, the arrays are the normalised crops
    train_per_photo=6,
    test_per_photo=4,
    crop=16,
    block=32,
    test_fraction=0.25,
    min_std=8.0,
    target_std=40.0,
    seed=2,
)


def _by_numpy(crops, target_std):
    """The normalisation written out per crop and channel (float64), before rounding."""
    out = np.empty(crops.shape, dtype=np.float64)
    for i, crop in enumerate(crops.astype(np.float64)):
        centred = np.empty_like(crop)
        for c in range(crop.shape[2]):
            centred[:, :, c] = crop[:, :, c] - crop[:, :, c].mean()
        std = np.sqrt((centred**2).mean())  # over every pixel and channel
        out[i] = centred * (target_std / max(std, 1e-8)) + 128.0
    return out


def _assert_rounds_to(actual, unrounded):
    """actual = clip(rint(unrounded)), except within 1e-9 of a .5 tie (float64 order of
    operations may fall on either side of it there)."""
    expected = np.clip(np.rint(unrounded), 0, 255)
    tie = np.abs(np.abs(unrounded - np.floor(unrounded)) - 0.5) < 1e-9
    mismatch = (actual.astype(np.float64) != expected) & ~tie
    assert not mismatch.any(), f"{mismatch.sum()} values differ"
    assert (np.abs(actual - np.clip(unrounded, 0, 255)) <= 0.5 + 1e-9).all()


def _crops():
    rng = np.random.default_rng(0)
    crops = rng.integers(0, 90, size=(6, 8, 5, 3)).astype(np.uint8)
    crops += np.array([160, 10, 80], dtype=np.uint8)  # a strong mean colour
    crops[1, :, :, 2] = 40  # one constant channel
    crops[2] = 77  # a constant crop: std 0
    crops[3, :, :, 0] = crops[3, :, :, 0] // 9  # channels of very different spread
    return crops


@pytest.mark.parametrize("target_std", [20.0, 48.0, 200.0])  # 200: clipping
def test_equalize_is_per_channel_mean_and_per_crop_std(target_std):
    crops = _crops()
    _assert_rounds_to(equalize(crops, target_std), _by_numpy(crops, target_std))


def test_equalized_channels_are_centred_on_grey_with_the_target_contrast():
    """Properties any correct normalisation has, whatever its arithmetic: no clipping at
    std 20 here, so every channel of every crop averages 128 up to the rounding (±0.5),
    and the crop's std is the target up to the rounding (±0.5)."""
    crops = _crops()
    out = equalize(crops, 20.0).astype(np.float64)
    assert 0 < out.min() and out.max() < 255
    np.testing.assert_allclose(out.mean(axis=(1, 2)), 128.0, atol=0.5)
    varied = [0, 1, 3, 4, 5]
    np.testing.assert_allclose(out[varied].std(axis=(1, 2, 3)), 20.0, atol=0.5)
    assert (out[2] == 128).all()  # a constant crop becomes flat grey
    # Per channel, not per crop: the mean colour would survive a per-crop mean.
    per_crop = crops.astype(np.float64) - crops.mean(axis=(1, 2, 3), keepdims=True)
    assert np.abs(per_crop.mean(axis=(1, 2))).max() > 30
    # Per crop, not per channel: channel 0 of crop 3 keeps its smaller spread.
    assert out[3, :, :, 0].std() < 0.5 * out[3, :, :, 1].std()


def _boxes(photos):
    return region_boxes(
        photos,
        {"train": PATCHES["train_per_photo"], "test": PATCHES["test_per_photo"]},
        PATCHES["crop"],
        PATCHES["block"],
        PATCHES["test_fraction"],
        PATCHES["min_std"],
        PATCHES["seed"],
    )[0]


def test_photo_patches_are_each_splits_boxes_normalised():
    data = photo_patches(**PATCHES)
    photos = [load_photo(name) for name in PHOTOS]
    boxes = _boxes(photos)
    for split in ("train", "test"):
        images, labels = data.split(split)
        crops = cut(photos, boxes[split])
        assert images.shape == crops.shape
        _assert_rounds_to(images, _by_numpy(crops, PATCHES["target_std"]))
        np.testing.assert_array_equal(labels, [b.photo for b in boxes[split]])
    # The splits are different crops (train and test blocks never share a pixel).
    assert not any(
        (data.test_images == image).all(axis=(1, 2, 3)).any() for image in data.train_images
    )


def test_without_a_target_std_the_crops_are_the_raw_pixels():
    data = photo_patches(**{**PATCHES, "target_std": 0.0})
    photos = [load_photo(name) for name in PHOTOS]
    boxes = _boxes(photos)
    for split in ("train", "test"):
        np.testing.assert_array_equal(data.split(split)[0], cut(photos, boxes[split]))


def test_crops_are_normalised_at_crop_size_then_resized():
    """The statistics are the crop's own (16×16), taken before the resize to 8×8."""
    data = photo_patches(**{**PATCHES, "shape": [8, 8, 3]})
    photos = [load_photo(name) for name in PHOTOS]
    boxes = _boxes(photos)
    for split in ("train", "test"):
        crops = cut(photos, boxes[split])
        np.testing.assert_array_equal(
            data.split(split)[0], resize(equalize(crops, PATCHES["target_std"]), 8, 8)
        )
        after = equalize(resize(crops, 8, 8), PATCHES["target_std"])
        assert not np.array_equal(data.split(split)[0], after)
