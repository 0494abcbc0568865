"""lbr.data.loaders: each loader hands its config entry's options to the function that
builds the dataset, each in its place, and an option left out takes the catalog's
default. The oracle is that function called with the options written out by hand, with
values unlike the defaults and unlike each other (a swapped or dropped option shows)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from lbr.data import embedded, loaders, local, photos
from lbr.data.format import ImageDataset, subset, write_dataset
from lbr.data.source_files import DEBIAN_FASHION_MNIST
from lbr.errors import ConfigError, DataError
from PIL import Image
from support import idx_directory


def _same(first: ImageDataset, second: ImageDataset) -> None:
    for split in ("train", "test"):
        for one, other in zip(first.split(split), second.split(split)):
            np.testing.assert_array_equal(one, other)
    assert first.class_names == second.class_names


def test_digits_takes_its_fraction_and_seed_or_the_defaults():
    spec = {"source": "digits", "test_fraction": 0.3, "seed": 4}
    _same(loaders.digits(spec, None), embedded.load_digits_dataset(0.3, 4))
    _same(loaders.digits({"source": "digits"}, None), embedded.load_digits_dataset(0.2, 0))


def test_composite_blends_its_base_with_its_options(tmp_path):
    base = subset(embedded.load_digits_dataset(0.5, 0), {"train": 12, "test": 6, "seed": 0})
    write_dataset(tmp_path / "base", base, {"name": "base"})
    spec = {"source": "composite", "base": "b", "shape": [10, 12, 3], "crops_per_image": 3}
    spec |= {"min_crop": 40, "seed": 5}
    built = loaders.composite(spec, tmp_path / "base")
    _same(built, embedded.composite_on_photos(base, [10, 12, 3], 3, 40, 5))
    assert built.image_shape == (10, 12, 3) and len(built.train_labels) == 36
    defaults = loaders.composite({"source": "composite", "shape": [10, 12, 3]}, tmp_path / "base")
    _same(defaults, embedded.composite_on_photos(base, [10, 12, 3], 2, 64, 0))
    with pytest.raises(
        ConfigError, match=r"^the composite source needs its base dataset \('base'\)$"
    ):
        loaders.composite(spec, None)


def test_idx_directory_takes_its_path_and_class_names(tmp_path):
    root = idx_directory(tmp_path / "idx", [0, 1, 2, 1])
    spec = {"source": "idx_directory", "path": str(root), "class_names": ["x", "y", "z"]}
    built = loaders.idx_directory(spec, None)
    _same(built, local.load_idx_directory(root, ["x", "y", "z"]))
    assert built.class_names == ["x", "y", "z"]
    unnamed = loaders.idx_directory({"source": "idx_directory", "path": str(root)}, None)
    assert unnamed.class_names == ["0", "1", "2"]
    with pytest.raises(DataError) as caught:
        loaders.idx_directory({"source": "idx_directory", "path": DEBIAN_FASHION_MNIST + "x"}, None)
    assert "does not exist" in str(caught.value)


def test_image_folder_takes_its_shape_and_split_folders(tmp_path):
    rng = np.random.default_rng(0)
    for split in ("fit", "held"):
        for label in ("a", "b"):
            for i in range(2):
                path = tmp_path / "own" / split / label / f"{i}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                Image.fromarray(rng.integers(0, 256, (9, 7, 3), dtype=np.uint8)).save(path)
    splits = {"train": "fit", "test": "held"}
    spec = {"source": "image_folder", "path": str(tmp_path / "own"), "shape": [6, 5, 3]}
    built = loaders.image_folder({**spec, "splits": splits}, None)
    _same(built, local.load_image_folder(tmp_path / "own", [6, 5, 3], splits))
    assert built.image_shape == (6, 5, 3) and len(built.train_labels) == 4
    with pytest.raises(DataError):  # the default split folders (train/, test/) are not there
        loaders.image_folder(spec, None)


PHOTO_OPTIONS = dict(crop=16, block=40, test_fraction=0.3, min_std=4.0, seed=3)


def test_photo_patches_takes_every_option():
    spec = {"source": "photo_patches", "photos": ["brick", "grass"], "shape": [8, 8, 3]}
    spec |= {"train_per_photo": 5, "test_per_photo": 3, "target_std": 30.0, **PHOTO_OPTIONS}
    built = loaders.photo_patches(spec, None)
    _same(
        built,
        photos.photo_patches(["brick", "grass"], [8, 8, 3], 5, 3, target_std=30.0, **PHOTO_OPTIONS),
    )
    assert (len(built.train_labels), len(built.test_labels)) == (10, 6)


# Fashion-MNIST's classes, in label order (its README)
FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat"]
FASHION += ["Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


@pytest.mark.skipif(
    not Path(DEBIAN_FASHION_MNIST).is_dir(), reason="needs the dataset-fashion-mnist package"
)
def test_garments_on_photos_takes_its_options_and_blends_only_the_subset():
    spec = {"source": "garments_on_photos", "photos": ["brick", "grass"], "shape": [12, 12, 3]}
    spec |= {"subset": {"train": 20, "test": 10, "seed": 2}, **PHOTO_OPTIONS}
    built = loaders.garments_on_photos(spec, None)
    garments = subset(local.load_idx_directory(DEBIAN_FASHION_MNIST, FASHION), spec["subset"])
    _same(
        built, photos.garments_on_photos(garments, ["brick", "grass"], [12, 12, 3], **PHOTO_OPTIONS)
    )
    assert (len(built.train_labels), len(built.test_labels)) == (20, 10)


@pytest.mark.parametrize("loader", ["idx_directory", "garments_on_photos"])
def test_a_missing_package_directory_names_the_package(tmp_path, monkeypatch, loader):
    from lbr.data import source_files

    missing = str(tmp_path / "datasets" / "garments")
    monkeypatch.setitem(source_files.DEBIAN_IDX_PACKAGES, missing, "dataset-garments")
    spec = {"source": loader, "path": missing, "photos": ["brick", "grass"], "shape": [8, 8, 3]}
    with pytest.raises(DataError) as caught:
        getattr(loaders, loader)(spec, None)
    assert str(caught.value).endswith(
        f"does not exist: on Debian/Ubuntu run 'apt-get install dataset-garments' (files land "
        f"in {missing}), or set 'path' to your own copy"
    )
