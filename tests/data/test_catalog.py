"""The catalog of datasets: every downloadable source with its split sizes, native shapes
that are what the readers decode, and training set sizes known from the config."""

import fake_archives as fake
import pytest
import yaml
from lbr.data import catalog
from lbr.data.registry import acquire
from lbr.data.remote import REMOTE_SOURCES
from support import TINY


def test_catalog_names_every_downloadable_source_with_its_split_sizes():
    assert set(catalog.REMOTE_SOURCE_NAMES) == set(REMOTE_SOURCES)
    for name, source in REMOTE_SOURCES.items():
        assert source.split_sizes == catalog.REMOTE_CATALOG[name][1], name
        assert source.name == name
        # a fixed native shape exactly where the config need not set one
        assert (catalog.native_shape(name) is None) == source.needs_shape, name


@pytest.mark.parametrize(
    "builder, name",
    [
        (lambda s: fake.mnist_like("fashion_mnist", s), "fashion_mnist"),
        (fake.cifar10, "cifar10"),
        (fake.svhn, "svhn"),
        (fake.stl10, "stl10"),
        (fake.tinyimagenet, "tinyimagenet"),
    ],
)
def test_native_shapes_are_what_the_readers_decode(http_server, tmp_path, builder, name):
    served, url = http_server
    source = builder(served)
    source.download(tmp_path, url)
    dataset = source.decode(tmp_path, None)
    assert dataset.train_images.shape[1:] == catalog.native_shape(name)
    assert dataset.test_images.shape[1:] == catalog.native_shape(name)


def test_training_images_from_the_config_match_the_built_datasets(tmp_path):
    datasets = yaml.safe_load(TINY.read_text())["datasets"]
    for name, spec in datasets.items():  # the composite reads its base, listed first
        base = tmp_path / spec["base"] if spec["source"] == "composite" else None
        meta = acquire(name, spec, tmp_path / name, tmp_path / "downloads", base)
        assert catalog.training_images(name, datasets) == meta["split_sizes"]["train"], name
    assert catalog.training_images("x", {"x": {"source": "image_folder"}}) is None
    subset = {"source": "cifar10", "subset": {"train": 500, "test": 100}}
    assert catalog.training_images("x", {"x": subset}) == 500
