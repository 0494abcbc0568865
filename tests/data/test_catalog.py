"""The catalog of dataset sources: native shapes that are what the readers decode,
training set sizes known from the config, every loader and format found, and an entry
that lacks a fact or names a missing function refused with the source and fact named."""

import fake_archives as fake
import pytest
import yaml
from lbr.data import catalog
from lbr.data.catalog import BUILT_AT_SHAPE, CatalogError, Downloaded, Local
from lbr.data.registry import acquire
from lbr.errors import ConfigError
from support import REPO, TINY

pytestmark = pytest.mark.usefixtures("catalog_built_now")


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


def test_the_option_defaults_are_the_ones_a_built_dataset_records(tmp_path):
    """digits without test_fraction and seed: the catalog's defaults, 0.2 and 0, are what
    the loader used (embedded.py records both in the provenance)."""
    meta = acquire("d", {"source": "digits"}, tmp_path / "d", tmp_path)
    assert meta["provenance"]["test_fraction"] == 0.2 and meta["provenance"]["split_seed"] == 0
    assert meta["split_sizes"]["train"] == 1797 - 360  # 360 = ceil(0.2 · 1797) held out


@pytest.mark.parametrize("name", list(catalog.SOURCES))
def test_every_source_names_a_function_that_exists(name):
    source = catalog.SOURCES[name]
    assert callable(
        catalog.resolve(source, "format" if isinstance(source, Downloaded) else "loader")
    )


def test_downloads_are_the_catalogs_with_its_split_sizes():
    from lbr.data.remote import REMOTE_SOURCES

    assert sorted(REMOTE_SOURCES) == list(catalog.REMOTE_SOURCE_NAMES)
    assert REMOTE_SOURCES["svhn"].split_sizes == {"train": 73257, "test": 26032}
    assert REMOTE_SOURCES["tinyimagenet"].files[0].filename == "tiny-imagenet-200.zip"


# A complete local entry; the tests below take facts out or change one.
LOCAL_FACTS = dict(
    name="toy",
    loader="lbr.data.loaders:digits",
    native_shape=BUILT_AT_SHAPE,
    training_images=catalog.only_the_data_tells,
)


def _local(**facts):
    return Local(**{**LOCAL_FACTS, **facts})


@pytest.mark.parametrize("fact", ["loader", "native_shape", "training_images"])
def test_a_local_source_without_a_fact_is_refused_with_both_named(fact):
    _local()  # complete, it is accepted
    entry = {key: value for key, value in LOCAL_FACTS.items() if key != fact}
    with pytest.raises(CatalogError) as caught:
        Local(**entry)
    assert str(caught.value).startswith(
        f"dataset source 'toy' in workflow/lbr/data/catalog.py lacks {fact} ("
    )


@pytest.mark.parametrize("fact", ["format", "files", "split_sizes", "native_shape"])
def test_a_download_without_a_fact_is_refused_with_both_named(fact):
    entry = dict(
        name="toy",
        format="lbr.data.remote:mnist_format",
        files=catalog.FromTorchvision("MNIST"),
        split_sizes={"train": 1, "test": 1},
        native_shape=(28, 28, 1),
    )
    del entry[fact]
    with pytest.raises(CatalogError, match=f"^dataset source 'toy' .* lacks {fact} \\("):
        Downloaded(**entry)


def test_a_download_without_a_test_split_size_is_refused():
    with pytest.raises(CatalogError, match="'toy' .* lacks split_sizes of test$"):
        Downloaded(
            name="toy",
            format="lbr.data.remote:mnist_format",
            files=catalog.FromTorchvision("MNIST"),
            split_sizes={"train": 1},
            native_shape=(28, 28, 1),
        )


@pytest.mark.parametrize("shape", [(8, 8), (8, 8, 2), None, [8, 8, 1]])
def test_a_native_shape_that_is_no_image_shape_is_refused(shape):
    with pytest.raises(CatalogError, match="'toy' .* native_shape"):
        _local(native_shape=shape)


def test_a_required_option_must_be_an_option():
    with pytest.raises(CatalogError, match=r"'toy' .* required_options \['path'\]"):
        _local(required_options=("path",))


@pytest.mark.parametrize("reference", ["lbr.data.loaders:nothing", "lbr.data.nowhere:digits"])
def test_a_loader_that_does_not_exist_is_named(reference):
    with pytest.raises(CatalogError) as caught:
        catalog.resolve(_local(loader=reference), "loader")
    assert f"dataset source 'toy' in workflow/lbr/data/catalog.py: its loader {reference!r}" in (
        str(caught.value)
    )


def test_an_unknown_source_lists_the_known_ones():
    with pytest.raises(ConfigError) as caught:
        catalog.training_images("x", {"x": {"source": "imagenet22k"}})
    assert str(caught.value).startswith("unknown dataset source 'imagenet22k'; known sources: ")
    assert "cifar10" in str(caught.value) and "photo_patches" in str(caught.value)


def test_every_source_is_described_in_the_data_page():
    page = (REPO / "docs" / "data.md").read_text()
    assert [name for name in catalog.SOURCES if f"`{name}`" not in page] == []


def test_an_option_a_loader_reads_without_a_default_is_named(monkeypatch):
    monkeypatch.setitem(catalog.SOURCES, "toy", _local(options={"count": {"type": "integer"}}))
    assert catalog.option({"source": "toy", "count": 4}, "count") == 4
    with pytest.raises(CatalogError, match="'toy' .* option 'count', which has no default"):
        catalog.option({"source": "toy"}, "count")
