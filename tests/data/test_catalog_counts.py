"""What the catalog tells before any data exists: each source's training-image count
from its config entry (by hand: options × photos, the documented split, a base's count
× crops), native shapes, and the messages of entries and references it refuses."""

import math

import pytest
import yaml
from lbr.config import check_config
from lbr.data import catalog
from lbr.data.catalog import (
    BUILT_AT_SHAPE,
    CatalogError,
    Downloaded,
    Local,
    native_shape,
    option,
    source_facts,
    training_images,
)
from lbr.errors import ConfigError
from support import REPO

pytestmark = pytest.mark.usefixtures("catalog_built_now")

PHOTOS = ["brick", "grass", "coffee"]


@pytest.mark.parametrize(
    "spec, count",
    [
        ({"source": "photo_patches", "photos": PHOTOS, "train_per_photo": 7}, 21),
        ({"source": "photo_patches", "photos": PHOTOS[:2]}, 1000),  # default 500 per photo
        ({"source": "garments_on_photos", "photos": PHOTOS}, 60000),  # one per garment
        ({"source": "cifar10"}, 50000),
        ({"source": "svhn"}, 73257),
        ({"source": "digits", "test_fraction": 0.3}, 1797 - math.ceil(1797 * 0.3)),
        ({"source": "digits"}, 1797 - math.ceil(1797 * 0.2)),
    ],
)
def test_training_images_from_the_entry_alone(spec, count):
    assert training_images("x", {"x": spec}) == count


def test_a_composite_holds_its_bases_count_times_its_crops():
    datasets = {
        "strokes": {"source": "mnist"},
        "mine": {"source": "image_folder", "path": "/data"},
        "c": {"source": "composite", "base": "strokes", "crops_per_image": 3},
        "d": {"source": "composite", "base": "mine"},
    }
    assert training_images("c", datasets) == 180000
    assert training_images("d", datasets) is None  # only the data tells the base's count


def test_a_subset_sets_the_count():
    spec = {"source": "cifar10", "subset": {"train": 123, "test": 4}}
    assert training_images("x", {"x": spec}) == 123


def test_native_shapes_are_known_for_fixed_sources_only():
    assert native_shape("stl10") == (96, 96, 3) and native_shape("digits") == (8, 8, 1)
    assert native_shape("imagenette") is None and native_shape("photo_patches") is None


def test_an_option_the_source_does_not_have_is_named():
    with pytest.raises(CatalogError) as caught:
        option({"source": "digits"}, "crop")
    assert str(caught.value) == (
        "dataset source 'digits' in workflow/lbr/data/catalog.py: its loader reads option "
        "'crop', which has no default there; give it one or list it in required_options"
    )


def test_a_required_option_left_out_is_refused_by_the_config_check():
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    del config["datasets"]["photo_patches"]["photos"]
    with pytest.raises(ConfigError, match="'photos' is a required property"):
        check_config(config)


def test_an_unknown_source_lists_every_known_one():
    with pytest.raises(ConfigError) as caught:
        source_facts("imagenet")
    assert str(caught.value) == (
        f"unknown dataset source 'imagenet'; known sources: {', '.join(catalog.SOURCES)}"
    )


def test_every_missing_fact_is_named_at_once():
    with pytest.raises(CatalogError) as caught:
        Local(name="toy", native_shape=BUILT_AT_SHAPE)
    message = str(caught.value)
    assert message.startswith("dataset source 'toy' in workflow/lbr/data/catalog.py lacks loader (")
    assert "); training_images (" in message


def test_a_download_without_split_sizes_names_both_splits():
    with pytest.raises(CatalogError) as caught:
        Downloaded(
            name="toy",
            format="lbr.data.remote:mnist_format",
            files=catalog.FromTorchvision("MNIST"),
            split_sizes={},
            native_shape=(28, 28, 1),
        )
    assert str(caught.value).endswith("lacks split_sizes of train, test")


def test_four_channels_are_no_image_shape():
    with pytest.raises(CatalogError, match=r"native_shape \(8, 8, 4\) is neither"):
        Local(
            name="toy",
            loader="lbr.data.loaders:digits",
            native_shape=(8, 8, 4),
            training_images=catalog.only_the_data_tells,
        )
