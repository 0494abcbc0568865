"""How the schema check words a wrong number: a whole float where an integer belongs,
NaN or infinity anywhere, booleans as numbers, and an unknown source reported alone
(not buried under its options, which no source accepts then)."""

import math

import pytest
import yaml
from lbr.config import check_config, validate_schema
from lbr.errors import ConfigError
from support import TINY


@pytest.fixture
def config():
    return yaml.safe_load(TINY.read_text())


def _lines(config) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate_schema(config)
    text = str(caught.value)
    assert text.startswith("invalid configuration:\n")
    return text.splitlines()[1:]


def test_the_tiny_config_is_valid(config):
    validate_schema(config)


def test_a_whole_float_seed_is_not_an_integer(config):
    config["theorem1"]["adam"]["seed"] = 1.0
    [line] = _lines(config)
    assert line.endswith(": 1.0 is not an integer: write 1")
    assert "theorem1.adam.seed" in line


def test_a_fractional_seed_gets_jsonschemas_own_message(config):
    config["theorem1"]["adam"]["seed"] = 1.5
    [line] = _lines(config)
    assert "1.5 is not of type 'integer'" in line and "write" not in line


def test_a_bool_is_neither_an_integer_nor_a_number(config):
    config["theorem1"]["adam"]["seed"] = True
    [line] = _lines(config)
    assert "True is not of type 'integer'" in line
    config["theorem1"]["adam"]["seed"] = 1
    config["theorem1"]["adam"]["learning_rate"] = True
    assert "True is not of type 'number'" in _lines(config)[0]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused_as_numbers(config, value):
    config["theorem1"]["adam"]["learning_rate"] = value
    [line] = _lines(config)
    assert line.endswith(f": {value} is not allowed: use a finite number")
    assert "theorem1.adam.learning_rate" in line


def test_nan_where_an_integer_belongs_is_refused_too(config):
    config["theorem1"]["adam"]["seed"] = math.nan
    [line] = _lines(config)
    assert line.endswith(": nan is not allowed: use a finite number")


def test_a_whole_float_where_a_number_belongs_is_fine(config):
    config["theorem1"]["adam"]["learning_rate"] = 1.0
    validate_schema(config)


def test_an_unknown_source_is_reported_without_its_options(config):
    config["datasets"]["digits"]["source"] = "no_such_source"
    lines = _lines(config)
    assert all("datasets.digits" in line for line in lines)
    assert any("no_such_source" in line for line in lines)
    assert not any("test_fraction" in line or "unevaluated" in line.lower() for line in lines)


def test_an_unknown_key_beside_a_known_source_is_still_reported(config):
    config["datasets"]["digits"]["colour"] = "red"
    lines = _lines(config)
    assert len(lines) == 1 and "colour" in lines[0]


def test_a_patch_larger_than_a_configured_shape_is_refused(config):
    """The shape under `shape:` counts (not only a source's native one); the message
    gives it as H x W x C (not square here, so the order shows)."""
    config["datasets"]["digits_photo"]["shape"] = [6, 10, 3]
    config["denoising"]["noises"]["masking"]["patch_sizes"] = [8]  # fits digits' 8×8
    config["denoising"]["noises"]["channel_masking"]["patch_sizes"] = [1]
    with pytest.raises(ConfigError) as caught:
        check_config(config)
    assert str(caught.value).startswith(
        "denoising.noises: masking_p8_r0 does not fit dataset 'digits_photo' (6x10x3 images): "
    )


def test_a_dataset_of_unknown_shape_does_not_end_the_patch_check(config, tmp_path):
    """A user's IDX directory without `shape:` is only sized when its files are read;
    the datasets listed after it are still checked at config time."""
    config["datasets"] = {
        "own_idx": {"source": "idx_directory", "path": str(tmp_path)},
        **config["datasets"],
    }
    config["datasets"]["digits_photo"]["shape"] = [6, 10, 3]
    config["denoising"]["noises"]["masking"]["patch_sizes"] = [8]
    config["denoising"]["noises"]["channel_masking"]["patch_sizes"] = [1]
    with pytest.raises(ConfigError, match="does not fit dataset 'digits_photo'"):
        check_config(config)
