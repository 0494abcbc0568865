"""The options of the sources cut from the shipped photographs (lbr.data.catalog): each
bound of the schema refuses the first value outside it, naming the key, and takes the
bound itself; an option left out takes its documented default."""

from __future__ import annotations

import copy

import pytest
import yaml
from lbr.config import check_config
from lbr.data.catalog import option
from lbr.errors import ConfigError
from support import REPO

pytestmark = pytest.mark.usefixtures("catalog_built_now")

CONFIG = yaml.safe_load((REPO / "config.yaml").read_text())


def _with(**options) -> dict:
    config = copy.deepcopy(CONFIG)
    config["datasets"]["photo_patches"].update(options)
    return config


@pytest.mark.parametrize(
    "key, outside, message",
    [
        ("crop", 3, "3 is less than the minimum of 4"),
        ("block", 3, "3 is less than the minimum of 4"),
        ("test_fraction", 0, "0 is less than or equal to the minimum of 0"),
        ("test_fraction", 1, "1 is greater than or equal to the maximum of 1"),
        ("min_std", -0.5, "-0.5 is less than the minimum of 0"),
        ("crop", 16.5, "16.5 is not of type 'integer'"),
        ("block", 16.5, "16.5 is not of type 'integer'"),
        ("min_std", "a", "'a' is not of type 'number'"),
        ("test_fraction", "a", "'a' is not of type 'number'"),
        ("photos", "brick", "'brick' is not of type 'array'"),
        ("photos", ["brick"], "photos: ['brick'] is too short"),
        ("photos", ["brick", "brick"], "photos: ['brick', 'brick'] lists 'brick' more than once"),
        ("photos", ["brick", 3], "photos.1: 3 is not of type 'string'"),
    ],
)
def test_each_bound_refuses_the_first_value_outside(key, outside, message):
    with pytest.raises(ConfigError) as caught:
        check_config(_with(**{key: outside}))
    assert f"datasets.photo_patches.{key}" in str(caught.value)
    assert message in str(caught.value)


def test_the_bounds_themselves_are_accepted():
    check_config(_with(crop=4, block=32, min_std=0, test_fraction=0.5))
    check_config(_with(photos=["brick", "grass"]))


@pytest.mark.parametrize(
    "source, defaults",
    [
        ("photo_patches", dict(crop=32, block=64, test_fraction=0.25, min_std=8.0, seed=0)),
        ("garments_on_photos", dict(crop=32, block=64, test_fraction=0.25, min_std=0.0, seed=0)),
    ],
)
def test_options_left_out_take_their_defaults(source, defaults):
    spec = {"source": source, "photos": ["brick", "grass"], "shape": [8, 8, 3]}
    assert {key: option(spec, key) for key in defaults} == defaults
