"""lbr.data.registry.derive_training_view: the training copy of a stored dataset, each
split resized from its own arrays, and a meta.json that names what it was derived from."""

import hashlib

import numpy as np
from lbr.data.format import ImageDataset, read_dataset, write_dataset
from lbr.data.registry import derive_training_view
from lbr.data.transforms import conform

SHAPE = [12, 10, 3]


def test_the_training_view_resizes_each_split_from_its_own_arrays(tmp_path):
    rng = np.random.default_rng(0)
    train = rng.integers(0, 100, (7, 6, 5, 1), dtype=np.uint8)  # dark
    test = rng.integers(150, 256, (3, 6, 5, 1), dtype=np.uint8)  # bright, another size
    stored = ImageDataset(train, np.arange(7) % 2, test, np.array([1, 1, 0]), ["a", "b"])
    write_dataset(tmp_path / "stored", stored, {})
    spec = {"source": "image_folder", "shape": SHAPE, "closed_form_shape": "native"}
    meta = derive_training_view("set", spec, tmp_path / "stored", tmp_path / "view")
    view = read_dataset(tmp_path / "view")
    for split in ("train", "test"):
        images, labels = view.split(split)
        np.testing.assert_array_equal(images, conform(stored.split(split)[0], SHAPE))
        np.testing.assert_array_equal(labels, stored.split(split)[1])
    assert meta["split_sizes"] == {"train": 7, "test": 3} and meta["image_shape"] == SHAPE
    stored_meta = (tmp_path / "stored" / "meta.json").read_bytes()
    assert meta["derived_from"] == {
        "directory": str(tmp_path / "stored"),
        "meta_sha256": hashlib.sha256(stored_meta).hexdigest(),
    }
    assert (meta["name"], meta["source"], meta["view"]) == ("set", "image_folder", "training")
    assert meta["config"] == spec and meta["class_names"] == ["a", "b"]
