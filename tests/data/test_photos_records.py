"""What the photograph sources record about how a set was made, the smallest valid
choice of photographs, and the messages of what they refuse."""

import builtins

import numpy as np
import pytest
from lbr.data import photos as photos_module
from lbr.data.format import ImageDataset
from lbr.data.photos import SHIPPED_PHOTOS, garments_on_photos, load_photo, photo_patches
from lbr.errors import DataError

pytest.importorskip("skimage", reason="pip install scikit-image (a project dependency)")

TWO = ["brick", "grass"]
PATCHES = dict(
    shape=[8, 12, 3],
    train_per_photo=3,
    test_per_photo=2,
    crop=16,
    block=32,
    test_fraction=0.25,
    min_std=4.0,
    target_std=40.0,
    seed=3,
)


def test_two_distinct_photographs_are_enough_and_shapes_need_not_be_square():
    dataset = photo_patches(TWO, **PATCHES)
    assert dataset.train_images.shape == (6, 8, 12, 3) and dataset.test_images.shape == (
        4,
        8,
        12,
        3,
    )
    assert dataset.class_names == TWO and dataset.train_labels.tolist() == [0, 0, 0, 1, 1, 1]


def test_the_record_says_how_the_patches_were_made():
    record = photo_patches(TWO, **PATCHES).provenance
    assert set(record) == {
        "origin",
        "photos",
        "crop",
        "block",
        "test_fraction",
        "min_std",
        "target_std",
        "seed",
        "test_blocks",
    }
    assert record["origin"] == (
        "crops of the photographs shipped in scikit-image's wheel (skimage/data)"
    )
    assert record["photos"] == {"brick": "brick.png", "grass": "grass.png"}
    assert (record["crop"], record["block"], record["test_fraction"]) == (16, 32, 0.25)
    assert (record["min_std"], record["target_std"], record["seed"]) == (4.0, 40.0, 3)
    assert list(record["test_blocks"]) == TWO


@pytest.mark.parametrize("names", [["brick"], ["brick", "brick"], ["brick", "grass", "brick"]])
def test_fewer_than_two_distinct_photographs_are_refused(names):
    with pytest.raises(DataError) as caught:
        photo_patches(names, **PATCHES)
    assert str(caught.value) == (
        f"'photos' must name at least two distinct photographs, got {names}"
    )


def _garments():
    parts = []
    for count in (4, 2):
        parts += [np.full((count, 5, 5, 3), 9, dtype=np.uint8), np.arange(count) % 2]
    return ImageDataset(*parts, class_names=["shirt", "shoe"], provenance={"from": "hand"})


def test_the_record_says_how_the_garments_were_blended():
    record = garments_on_photos(
        _garments(), TWO, [8, 8, 3], crop=16, block=32, test_fraction=0.25, min_std=0.0, seed=5
    ).provenance
    assert record["origin"] == (
        "Fashion-MNIST garments blended |background − garment| over crops of "
        "scikit-image's shipped photographs"
    )
    assert record["garments"] == {"from": "hand"}
    assert record["photos"] == {"brick": "brick.png", "grass": "grass.png"}
    assert (record["crop"], record["block"], record["test_fraction"]) == (16, 32, 0.25)
    assert (record["min_std"], record["seed"]) == (0.0, 5)
    assert list(record["test_blocks"]) == TWO


def test_grey_blends_are_refused_with_the_reason():
    with pytest.raises(DataError) as caught:
        garments_on_photos(
            _garments(), TWO, [8, 8, 1], crop=16, block=32, test_fraction=0.25, min_std=0, seed=0
        )
    assert str(caught.value) == (
        "garments_on_photos needs shape [H, W, 3]: its backgrounds are colour photographs"
    )


def test_an_unknown_photograph_is_named_with_the_shipped_ones():
    with pytest.raises(DataError) as caught:
        load_photo("lena")
    assert str(caught.value) == (
        f"unknown photograph 'lena'; the shipped photographs are: {', '.join(SHIPPED_PHOTOS)}"
    )


def test_a_missing_photograph_file_says_to_reinstall(monkeypatch, tmp_path):
    monkeypatch.setattr(photos_module, "photo_directory", lambda: tmp_path)
    with pytest.raises(DataError) as caught:
        load_photo("brick")
    assert str(caught.value) == (
        f"{tmp_path / 'brick.png'} is missing: reinstall scikit-image (pip install scikit-image)"
    )


def test_without_scikit_image_the_fix_is_named(monkeypatch):
    real_import = builtins.__import__

    def no_skimage(name, *args, **kwargs):
        if name.startswith("skimage"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_skimage)
    with pytest.raises(DataError) as caught:
        photos_module.photo_directory()
    assert str(caught.value) == (
        "the photograph sources read the photos shipped with scikit-image: pip install scikit-image"
    )
    assert isinstance(caught.value.__cause__, ImportError)
