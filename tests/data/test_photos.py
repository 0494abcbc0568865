"""The sources cut from scikit-image's shipped photographs."""

from pathlib import Path

import numpy as np
import pytest
from lbr.data.format import ImageDataset, read_dataset
from lbr.data.photos import (
    SHIPPED_PHOTOS,
    Box,
    cut,
    equalize,
    garments_on_photos,
    load_photo,
    photo_patches,
    region_boxes,
)
from lbr.data.registry import DEBIAN_FASHION_MNIST, acquire
from lbr.errors import DataError

pytest.importorskip("skimage", reason="pip install scikit-image (a project dependency)")

PHOTOS = ["astronaut", "brick", "coffee", "hubble_deep_field"]
PATCHES = dict(
    photo_names=PHOTOS,
    shape=[16, 16, 3],
    train_per_photo=40,
    test_per_photo=10,
    crop=16,
    block=32,
    test_fraction=0.25,
    min_std=8.0,
    target_std=48.0,
    seed=0,
)
HAS_FASHION_MNIST = Path(DEBIAN_FASHION_MNIST).is_dir()
NEEDS_FASHION_MNIST = pytest.mark.skipif(
    not HAS_FASHION_MNIST,
    reason="Fashion-MNIST not installed: apt-get install dataset-fashion-mnist",
)


def test_every_listed_photo_ships_in_the_wheel():
    for name in SHIPPED_PHOTOS:
        photo = load_photo(name)
        assert photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3
        assert min(photo.shape[:2]) >= 256, name


def test_train_and_test_crops_never_share_a_pixel():
    photos = [load_photo(n) for n in PHOTOS]
    boxes, assignment = region_boxes(
        photos,
        {"train": 300, "test": 100},
        crop=16,
        block=32,
        test_fraction=0.25,
        min_std=0,
        seed=3,
    )
    # Each crop lies wholly inside one block of its own split...
    for split, split_boxes in boxes.items():
        for box in split_boxes:
            row, col = box.top // 32 * 32, box.left // 32 * 32
            assert (row, col) in assignment[box.photo][split]
            assert box.top + box.side <= row + 32 and box.left + box.side <= col + 32
    # ... so no train crop overlaps any test crop, pixel for pixel.
    masks = {
        split: [np.zeros(p.shape[:2], dtype=bool) for p in photos] for split in ("train", "test")
    }
    for split, split_boxes in boxes.items():
        for b in split_boxes:
            masks[split][b.photo][b.top : b.top + b.side, b.left : b.left + b.side] = True
    for train_mask, test_mask in zip(masks["train"], masks["test"]):
        assert test_mask.any() and train_mask.any()
        assert not (train_mask & test_mask).any()


def test_box_overlap():
    assert Box(0, 0, 0, 16).overlaps(Box(0, 15, 15, 16))
    assert not Box(0, 0, 0, 16).overlaps(Box(0, 16, 0, 16))
    assert not Box(0, 0, 0, 16).overlaps(Box(1, 0, 0, 16))


def test_near_uniform_crops_are_redrawn():
    photos = [load_photo("hubble_deep_field"), load_photo("astronaut")]
    boxes, _ = region_boxes(
        photos, {"train": 200}, crop=16, block=32, test_fraction=0.25, min_std=12.0, seed=0
    )
    stds = cut(photos, boxes["train"]).reshape(200 * 2, -1).std(axis=1)
    assert stds.min() >= 12.0
    # The rule matters here: many raw crops of the deep field are near-uniform black.
    unfiltered, _ = region_boxes(
        photos[:1], {"train": 200}, crop=16, block=32, test_fraction=0.25, min_std=0, seed=0
    )
    assert (cut(photos[:1], unfiltered["train"]).reshape(200, -1).std(axis=1) < 12.0).any()


def test_a_too_uniform_photo_is_refused_by_name():
    with pytest.raises(DataError, match="lower 'min_std'"):
        photo_patches(**{**PATCHES, "min_std": 200.0})


def test_equalize_removes_mean_colour_and_sets_contrast():
    rng = np.random.default_rng(0)
    crops = rng.integers(0, 100, size=(5, 16, 16, 3)).astype(np.uint8) + np.array(
        [150, 0, 60], dtype=np.uint8
    )
    out = equalize(crops, 30.0).astype(np.float64)
    np.testing.assert_allclose(out.mean(axis=(1, 2)), 128.0, atol=0.6)
    np.testing.assert_allclose(out.std(axis=(1, 2, 3)), 30.0, rtol=0.02)


def test_photo_patches_are_seeded_labelled_by_photo_and_equalized():
    first, again = photo_patches(**PATCHES), photo_patches(**PATCHES)
    other = photo_patches(**{**PATCHES, "seed": 1})
    assert first.train_images.shape == (160, 16, 16, 3) and first.test_images.shape == (
        40,
        16,
        16,
        3,
    )
    assert np.bincount(first.train_labels).tolist() == [40] * 4
    assert first.class_names == PHOTOS
    np.testing.assert_array_equal(first.train_images, again.train_images)
    assert not np.array_equal(first.train_images, other.train_images)
    # Mean colour carries (almost) no class information: every crop is centred on grey,
    # up to clipping at 0 and 255 of heavy-tailed crops (stars); raw crops differ widely.
    means = first.train_images.astype(np.float64).mean(axis=(1, 2))
    assert np.abs(means - 128).max() < 10
    raw = photo_patches(**{**PATCHES, "target_std": 0.0}).train_images.astype(np.float64)
    assert np.ptp(raw.mean(axis=(1, 2))) > 100


def test_bad_geometry_and_unknown_photos_are_named():
    with pytest.raises(DataError, match="must not exceed 'block'"):
        photo_patches(**{**PATCHES, "crop": 40})
    with pytest.raises(DataError, match="astronaut"):
        photo_patches(**{**PATCHES, "photo_names": ["astronaut", "lena"]})


def test_acquire_records_how_the_set_was_made(tmp_path):
    spec = {
        "source": "photo_patches",
        "photos": PHOTOS,
        "shape": [16, 16, 3],
        "crop": 16,
        "block": 32,
        "train_per_photo": 20,
        "test_per_photo": 5,
        "seed": 0,
    }
    meta = acquire("patches", spec, tmp_path / "out", tmp_path)
    provenance = meta["provenance"]
    assert provenance["photos"]["brick"] == "brick.png"
    assert provenance["crop"] == 16 and provenance["min_std"] == 8.0
    assert provenance["target_std"] == 48.0
    assert all(len(blocks) >= 1 for blocks in provenance["test_blocks"].values())
    assert read_dataset(tmp_path / "out").image_shape == (16, 16, 3)


def _tiny_garments(count: int) -> ImageDataset:
    images = np.zeros((count, 28, 28, 1), dtype=np.uint8)
    images[:, 6:22, 10:18] = 200  # a bright "garment" on black
    labels = np.arange(count) % 10
    return ImageDataset(
        images, labels, images[: count // 2], labels[: count // 2], [str(i) for i in range(10)]
    )


def test_garments_are_blended_over_photo_crops():
    blended = garments_on_photos(
        _tiny_garments(40),
        PHOTOS,
        [32, 32, 3],
        crop=32,
        block=64,
        test_fraction=0.25,
        min_std=0,
        seed=0,
    )
    assert blended.train_images.shape == (40, 32, 32, 3) and blended.test_images.shape == (
        20,
        32,
        32,
        3,
    )
    np.testing.assert_array_equal(blended.train_labels, np.arange(40) % 10)
    # Background differs image to image (photo crops), the garment region is blended.
    assert blended.train_images[:, :4, :4].reshape(40, -1).std(axis=0).mean() > 5
    with pytest.raises(DataError, match=r"\[H, W, 3\]"):
        garments_on_photos(
            _tiny_garments(4),
            PHOTOS,
            [32, 32, 1],
            crop=32,
            block=64,
            test_fraction=0.25,
            min_std=0,
            seed=0,
        )


def test_missing_fashion_mnist_says_how_to_get_it(tmp_path):
    spec = {"source": "garments_on_photos", "photos": PHOTOS, "shape": [32, 32, 3]}
    missing = tmp_path / "nope"
    # a path of the user's own: the message names it and the key to fix (the Debian
    # package would not put files there, so it is not advised)
    with pytest.raises(DataError, match=f"{missing} does not exist: point 'path' at") as caught:
        acquire("g", {**spec, "path": str(missing)}, tmp_path / "out", tmp_path)
    assert "apt-get" not in str(caught.value)
    assert not (tmp_path / "out").exists()


@NEEDS_FASHION_MNIST
def test_garments_on_photos_from_the_debian_package(tmp_path):
    spec = {
        "source": "garments_on_photos",
        "photos": PHOTOS,
        "shape": [32, 32, 3],
        "subset": {"train": 300, "test": 100, "seed": 0},
        "seed": 0,
    }
    meta = acquire("garments", spec, tmp_path / "out", tmp_path)
    assert meta["split_sizes"] == {"train": 300, "test": 100}
    assert meta["class_names"][0] == "T-shirt/top"
    assert meta["provenance"]["garments"]["subset"]["train"] == 300
    dataset = read_dataset(tmp_path / "out")
    assert np.bincount(dataset.train_labels).tolist() == [30] * 10


def test_garment_backgrounds_of_train_and_test_never_share_a_pixel(monkeypatch):
    import lbr.data.photos as photos_module

    calls = []
    real_cut = photos_module.cut

    def recording_cut(photos, boxes):
        calls.append(list(boxes))
        return real_cut(photos, boxes)

    monkeypatch.setattr(photos_module, "cut", recording_cut)
    garments_on_photos(
        _tiny_garments(400),
        PHOTOS,
        [32, 32, 3],
        crop=32,
        block=64,
        test_fraction=0.25,
        min_std=0,
        seed=0,
    )
    train_boxes, test_boxes = calls  # one call per split, train first
    assert len(train_boxes) == 400 and len(test_boxes) == 200
    assert not any(a.overlaps(b) for a in train_boxes for b in test_boxes)
