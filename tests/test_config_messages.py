"""Config errors that say what to write (issue 26, item 11): a number YAML 1.1 reads as
text, and Theorem 1 latent sizes beyond what the data can have, refused with the key
before any job instead of at job time without it."""

from __future__ import annotations

import pytest
import yaml
from lbr.config import check_config
from lbr.errors import ConfigError
from support import TINY


def _error(config: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        check_config(config)
    return str(caught.value)


def _tiny_with(line_old: str, line_new: str) -> dict:
    text = TINY.read_text()
    assert text.count(line_old) == 1
    return yaml.safe_load(text.replace(line_old, line_new))


def test_learning_rate_1e_minus_3_says_to_write_1_0e_minus_3():
    config = _tiny_with(
        "    learning_rate: 0.001\n    weight_decay: 0.001",
        "    learning_rate: 1e-3\n    weight_decay: 0.001",
    )
    assert config["subspace"]["training"]["learning_rate"] == "1e-3"  # YAML 1.1: text
    message = _error(config)
    assert "subspace.training.learning_rate" in message and "write 1.0e-3" in message
    # The advice, written back into the file, reads as the number meant.
    fixed = yaml.safe_load("learning_rate: 1.0e-3")["learning_rate"]
    assert fixed == 0.001


def test_an_exponent_without_a_sign_gets_one():
    config = _tiny_with("  rank_rtol: 1.0e-10", "  rank_rtol: 1e10")
    assert "write 1.0e+10" in _error(config)
    assert yaml.safe_load("a: 1.0e+10")["a"] == 1e10


def test_an_integer_written_with_an_exponent_says_the_integer():
    config = _tiny_with(
        "    epochs: 2\n    batch_size: 128\n    learning_rate: 0.001\n    weight_decay: 0.001",
        "    epochs: 2e0\n    batch_size: 128\n    learning_rate: 0.001\n    weight_decay: 0.001",
    )
    message = _error(config)
    assert "subspace.training.epochs" in message and "write 2" in message


def test_interpolation_latent_larger_than_d_is_refused_with_the_key():
    config = yaml.safe_load(TINY.read_text())
    config["theorem1"]["interpolation"]["latent_sizes"] = [5, 65]  # digits: D = 8x8x1 = 64
    message = _error(config)
    assert "theorem1.interpolation.latent_sizes" in message and "D = 64" in message
    assert "'digits'" in message


def test_adam_latent_larger_than_its_dimension_is_refused_with_the_key():
    config = yaml.safe_load(TINY.read_text())
    config["theorem1"]["adam"]["latent_sizes"] = [9]  # dimensions: [8]
    message = _error(config)
    assert "theorem1.adam.latent_sizes" in message and "up to 8" in message


def test_latent_sizes_up_to_d_pass():
    config = yaml.safe_load(TINY.read_text())
    config["theorem1"]["interpolation"]["latent_sizes"] = [64]
    config["theorem1"]["adam"]["latent_sizes"] = [8]
    check_config(config)


def test_an_rgb_datasets_d_is_height_times_width_times_channels():
    """digits_photo (12×10×3 here: D = 360) checked first: latent 320 fits it, and the
    refusal names digits (D = 64), not a wrong D of the RGB one (12·10/3, 10·10·3)."""
    config = yaml.safe_load(TINY.read_text())
    photo = {**config["datasets"]["digits_photo"], "shape": [12, 10, 3]}
    config["datasets"] = {"digits_photo": photo, "digits": config["datasets"]["digits"]}
    config["theorem1"]["interpolation"]["latent_sizes"] = [5, 320]
    message = _error(config)
    assert "D = 64 of dataset 'digits'" in message


def test_an_integer_with_an_exponent_is_advised_as_the_integer_alone():
    config = yaml.safe_load(TINY.read_text())
    config["subspace"]["training"]["epochs"] = "2e0"  # as YAML 1.1 reads `epochs: 2e0`
    assert _error(config).endswith("write 2")


@pytest.mark.parametrize(
    "text, integer, advice",
    [
        ("1e3", False, "1.0e+3"),
        ("1e3", True, "1000"),
        (".5e3", False, "0.5e+3"),
        ("-5.e-2", False, "-5.0e-2"),
        ("e+5", False, None),  # no digits before the exponent: not a number
        ("1.5", False, None),  # YAML 1.1 reads this one
    ],
)
def test_yaml11_number_advice(text, integer, advice):
    from lbr.config import yaml11_number

    assert yaml11_number(text, integer=integer) == advice
    if not integer:
        assert yaml11_number(text) == advice


def test_a_repeated_item_is_named_not_the_first_one():
    config = yaml.safe_load(TINY.read_text())
    config["denoising"]["noises"]["masking"]["ratios"] = [0.2, 0.5, 0.5]
    assert "[0.2, 0.5, 0.5] lists 0.5 more than once" in _error(config)


def test_a_non_square_datasets_d_is_named_in_the_refusal():
    config = yaml.safe_load(TINY.read_text())
    config["datasets"]["digits_photo"]["shape"] = [12, 10, 3]
    config["theorem1"]["interpolation"]["latent_sizes"] = [5, 400]
    config["datasets"] = dict(reversed(config["datasets"].items()))  # digits_photo first
    assert "400 is larger than D = 360 of dataset 'digits_photo'" in _error(config)


def test_autoencoder_sizes_are_checked_after_a_dataset_without_a_shape():
    config = yaml.safe_load(TINY.read_text())
    config["autoencoders"]["datasets"] = ["digits", "digits_photo"]  # digits: native shape
    config["autoencoders"]["guidance"]["latents"] = [500]
    assert _error(config) == (
        "autoencoders: latent size 500 is larger than D = 432 of dataset 'digits_photo'"
    )
