"""The option schemas of the sources that need no download, against the documented
options (docs/data.md): each bound refuses the first value outside it naming the key,
each type is enforced, the required keys are required, the bound itself is taken, and
an option left out takes its documented default. The photo sources' shared region
options are in test_catalog_photo_options.py."""

from __future__ import annotations

import copy

import pytest
import yaml
from lbr.config import validate_schema
from lbr.data import catalog
from lbr.data.catalog import option, training_images
from lbr.data.source_files import DEBIAN_FASHION_MNIST
from lbr.errors import ConfigError
from support import REPO

pytestmark = pytest.mark.usefixtures("catalog_built_now")

CONFIG = yaml.safe_load((REPO / "config.yaml").read_text())
ENTRIES = {
    "composite": {"source": "composite", "base": "digits", "shape": [8, 8, 3]},
    "idx_directory": {"source": "idx_directory", "path": "/data/idx"},
    "image_folder": {"source": "image_folder", "path": "/data/pictures"},
    "photo_patches": {"source": "photo_patches", "photos": ["brick", "grass"]},
    "garments_on_photos": {"source": "garments_on_photos", "photos": ["brick", "grass"]},
    "digits": {"source": "digits"},
}


def _lines(entry: dict) -> list[str]:
    config = copy.deepcopy(CONFIG)
    config["datasets"]["x"] = entry
    with pytest.raises(ConfigError) as caught:
        validate_schema(config)
    return str(caught.value).splitlines()[1:]


def _accepts(entry: dict) -> None:
    config = copy.deepcopy(CONFIG)
    config["datasets"]["x"] = entry
    validate_schema(config)


@pytest.mark.parametrize(
    "source, key, value, message",
    [
        ("composite", "crops_per_image", 0, "0 is less than the minimum of 1"),
        ("composite", "crops_per_image", 1.5, "1.5 is not of type 'integer'"),
        ("composite", "min_crop", 7, "7 is less than the minimum of 8"),
        ("composite", "min_crop", "64", "'64' is not of type 'integer'"),
        ("composite", "base", 3, "3 is not of type 'string'"),
        ("composite", "seed", -1, "-1 is less than the minimum of 0"),
        ("idx_directory", "path", 3, "3 is not of type 'string'"),
        ("idx_directory", "class_names", "a", "'a' is not of type 'array'"),
        ("idx_directory", "class_names", ["a", 1], "1 is not of type 'string'"),
        ("image_folder", "path", 3, "3 is not of type 'string'"),
        ("image_folder", "splits", "x", "'x' is not of type 'object'"),
        ("image_folder", "splits", {"train": "a"}, "'test' is a required property"),
        ("image_folder", "splits", {"test": "a"}, "'train' is a required property"),
        ("image_folder", "splits", {"train": 1, "test": "b"}, "1 is not of type 'string'"),
        ("image_folder", "splits", {"train": "a", "test": 2}, "2 is not of type 'string'"),
        (
            "image_folder",
            "splits",
            {"train": "a", "test": "b", "val": "c"},
            "Additional properties are not allowed ('val' was unexpected)",
        ),
        ("photo_patches", "train_per_photo", 0, "0 is less than the minimum of 1"),
        ("photo_patches", "train_per_photo", 2.5, "2.5 is not of type 'integer'"),
        ("photo_patches", "test_per_photo", 0, "0 is less than the minimum of 1"),
        ("photo_patches", "test_per_photo", 2.5, "2.5 is not of type 'integer'"),
        ("photo_patches", "target_std", -1, "-1 is less than the minimum of 0"),
        ("photo_patches", "target_std", "a", "'a' is not of type 'number'"),
        ("garments_on_photos", "path", 3, "3 is not of type 'string'"),
        ("digits", "test_fraction", 0, "0 is less than or equal to the minimum of 0"),
        ("digits", "test_fraction", 1, "1 is greater than or equal to the maximum of 1"),
        ("digits", "seed", -1, "-1 is less than the minimum of 0"),
    ],
)
def test_each_option_refuses_what_it_does_not_take(source, key, value, message):
    lines = _lines({**ENTRIES[source], key: value})
    assert len(lines) == 1 and lines[0].startswith(f"  datasets.x.{key}")
    assert lines[0].endswith(message)


@pytest.mark.parametrize(
    "source, required",
    [
        ("composite", "base"),
        ("idx_directory", "path"),
        ("image_folder", "path"),
        ("photo_patches", "photos"),
        ("garments_on_photos", "photos"),
    ],
)
def test_the_required_options_are_required(source, required):
    entry = {key: value for key, value in ENTRIES[source].items() if key != required}
    assert _lines(entry) == [f"  datasets.x: '{required}' is a required property"]


@pytest.mark.parametrize(
    "source, options",
    [
        ("composite", {"crops_per_image": 1, "min_crop": 8, "seed": 0}),
        ("idx_directory", {"class_names": ["a", "b"]}),
        ("image_folder", {"splits": {"train": "a", "test": "b"}}),
        ("photo_patches", {"train_per_photo": 1, "test_per_photo": 1, "target_std": 0}),
        ("garments_on_photos", {"path": "/elsewhere"}),
        ("digits", {"test_fraction": 0.5, "seed": 0}),
    ],
)
def test_the_bounds_themselves_are_taken(source, options):
    _accepts({**ENTRIES[source], **options})


@pytest.mark.parametrize(
    "source, defaults",
    [
        ("composite", {"crops_per_image": 2, "min_crop": 64, "seed": 0}),
        ("image_folder", {"splits": {"train": "train", "test": "test"}}),
        ("photo_patches", {"train_per_photo": 500, "test_per_photo": 100, "target_std": 48.0}),
        ("garments_on_photos", {"path": DEBIAN_FASHION_MNIST}),
        ("digits", {"test_fraction": 0.2, "seed": 0}),
    ],
)
def test_options_left_out_take_their_documented_defaults(source, defaults):
    assert {key: option(ENTRIES[source], key) for key in defaults} == defaults


def test_only_the_garments_apply_the_subset_themselves():
    applying = [name for name, facts in catalog.SOURCES.items() if facts.applies_subset]
    assert applying == ["garments_on_photos"]


@pytest.mark.parametrize("source", ["idx_directory", "image_folder"])
def test_the_users_own_files_tell_their_size_only_when_read(source):
    assert training_images("x", {"x": ENTRIES[source]}) is None
