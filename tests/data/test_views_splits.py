"""Which shape each stage reads, for every combination of `shape` and
`closed_form_shape`, and the training view keeping each split on its own side."""

import numpy as np
import pytest
from lbr.data.format import ImageDataset, read_dataset, write_dataset
from lbr.data.registry import derive_training_view
from lbr.data.transforms import conform
from lbr.data.views import has_training_view, stored_shape, training_view

SHAPE = [12, 10, 3]


@pytest.mark.parametrize(
    "spec, stored, view",
    [
        ({}, None, False),  # native everywhere
        ({"shape": SHAPE}, SHAPE, False),
        ({"shape": SHAPE, "closed_form_shape": "training"}, SHAPE, False),
        ({"shape": SHAPE, "closed_form_shape": "native"}, None, True),
        ({"closed_form_shape": "native"}, None, False),  # nothing to resize to
        ({"closed_form_shape": "training"}, None, False),
    ],
)
def test_each_stage_reads_the_shape_the_config_names(spec, stored, view):
    assert stored_shape(spec) == stored
    assert has_training_view(spec) is view
    assert training_view("set", spec) == ("set.training" if view else "set")


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
