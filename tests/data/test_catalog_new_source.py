"""Adding a dataset source as README.md's "How to add…" says: one catalog entry and a
loader. A toy local source, registered in the catalog and nowhere else, reaches every
place derived from it: the source names, the config check (its options, its need of a
shape), the resource requests and the dataset build."""

import numpy as np
import pytest
import yaml
from lbr import resources
from lbr.config import check_config, load_schema
from lbr.data import catalog
from lbr.data.catalog import BUILT_AT_SHAPE, Local, option
from lbr.data.format import ImageDataset
from lbr.data.registry import acquire
from lbr.errors import ConfigError
from support import REPO


def load_toy(spec, base_dir):
    """`per_class` random images of each of two classes per split, at `shape`."""
    count = 2 * option(spec, "per_class")
    rng = np.random.default_rng(option(spec, "seed"))
    images = [rng.integers(0, 256, (count, *spec["shape"]), dtype=np.uint8) for _ in "ab"]
    labels = np.arange(count) % 2
    return ImageDataset(images[0], labels, images[1], labels, class_names=["a", "b"])


TOY = Local(
    name="toy",
    loader=f"{__name__}:load_toy",
    native_shape=BUILT_AT_SHAPE,
    options={
        "per_class": {"type": "integer", "minimum": 1, "default": 3},
        "seed": {"type": "integer", "minimum": 0, "default": 0},
    },
    training_images=lambda spec, datasets: 2 * option(spec, "per_class"),
)


@pytest.fixture
def config(monkeypatch):
    """config.yaml with a toy dataset of 6×6×1 images, 7 per class, the toy source in
    the catalog."""
    monkeypatch.setitem(catalog.SOURCES, "toy", TOY)
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["datasets"]["toys"] = {"source": "toy", "shape": [6, 6, 1], "per_class": 7}
    return config


def _error(config) -> str:
    with pytest.raises(ConfigError) as caught:
        check_config(config)
    return str(caught.value)


def test_the_source_is_known_by_name(config):
    assert "toy" in load_schema()["$defs"]["dataset"]["properties"]["source"]["enum"]
    with pytest.raises(ConfigError, match="known sources: .*toy"):
        catalog.source_facts("toyz")


def test_the_config_check_takes_its_options_and_needs_its_shape(config):
    check_config(config)
    toys = config["datasets"]["toys"]
    toys["per_class"] = 0
    assert "datasets.toys.per_class: 0 is less than the minimum of 1" in _error(config)
    del toys["per_class"]
    toys["crops_per_image"] = 2  # another source's option
    assert "datasets.toys" in _error(config) and "crops_per_image" in _error(config)
    del toys["crops_per_image"], toys["shape"]
    assert _error(config) == (
        "datasets.toys.shape: source 'toy' builds its images at 'shape'; set shape: [H, W, C]"
    )
    toys.update(shape=[6, 6, 1], closed_form_shape="native")
    assert "datasets.toys.closed_form_shape: source 'toy' has no native shape" in _error(config)


def test_its_jobs_request_resources_sized_from_its_entry(config):
    datasets = config["datasets"]
    dim = np.prod(catalog.closed_form_shape(datasets["toys"]))
    images = catalog.training_images("toys", datasets)
    assert (dim, images) == (36, 14)  # 6·6·1 pixels, 2 classes × 7 training images
    assert resources.memory_mb("spectrum", dim, images) == resources.memory_mb("spectrum", 36, 14)
    assert resources.memory_mb("spectrum", dim, images) < resources.UNKNOWN_MEMORY_MB
    del datasets["toys"]["per_class"]  # the option's default, 3 per class
    assert catalog.training_images("toys", datasets) == 6


def test_the_dataset_is_built_by_its_loader_with_the_counted_images(config, tmp_path):
    spec = config["datasets"]["toys"]
    meta = acquire("toys", spec, tmp_path / "toys", tmp_path / "downloads")
    assert meta["source"] == "toy" and meta["image_shape"] == [6, 6, 1]
    assert meta["split_sizes"] == {"train": 14, "test": 14}
    assert catalog.training_images("toys", config["datasets"]) == meta["split_sizes"]["train"]
