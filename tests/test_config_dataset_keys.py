"""A dataset entry's keys are checked against what every entry takes and what its source
takes: an option out of its bounds is reported alone (jsonschema would also call every
option of the entry "unexpected"), and a key neither takes is named with the keys that
are taken."""

from __future__ import annotations

import copy

import pytest
import yaml
from lbr.config import validate_schema
from lbr.errors import ConfigError
from support import REPO

CONFIG = yaml.safe_load((REPO / "config.yaml").read_text())
PHOTO_KEYS = (
    "block, closed_form_shape, crop, min_std, photos, seed, shape, source, subset, "
    "target_std, test_fraction, test_per_photo, train_per_photo"
)


def _lines(**changes) -> list[str]:
    config = copy.deepcopy(CONFIG)
    config["datasets"]["photo_patches"].update(changes)
    with pytest.raises(ConfigError) as caught:
        validate_schema(config)
    return str(caught.value).splitlines()[1:]


def test_an_option_out_of_bounds_is_the_only_line():
    assert _lines(crop=3) == ["  datasets.photo_patches.crop: 3 is less than the minimum of 4"]


def test_a_key_no_one_takes_is_named_with_the_keys_taken():
    assert _lines(cropp=5) == [
        f"  datasets.photo_patches: unknown key(s) 'cropp' for source 'photo_patches'; "
        f"the keys it takes: {PHOTO_KEYS}"
    ]


def test_both_at_once_are_both_reported_each_for_itself():
    lines = _lines(crop=3, cropp=5, colour="red")
    assert lines[0].startswith(
        "  datasets.photo_patches: unknown key(s) 'cropp', 'colour' for source 'photo_patches'"
    )
    assert lines[1:] == ["  datasets.photo_patches.crop: 3 is less than the minimum of 4"]


def test_an_option_of_another_source_is_unknown_here():
    (line,) = _lines(crops_per_image=2)  # the composite's option
    assert "unknown key(s) 'crops_per_image' for source 'photo_patches'" in line


@pytest.mark.parametrize("source", ["nope", ["photo_patches"], 3])
def test_a_bad_source_is_reported_without_its_options(source):
    lines = _lines(source=source)
    assert len(lines) == 1 and lines[0].startswith("  datasets.photo_patches.source: ")
