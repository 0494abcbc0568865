"""Edges of the configuration checks: each bad value is refused with its key named,
and the value just inside every limit is accepted (hand-written cases, D = H·W·C)."""

import pytest
import yaml
from conftest import REPO
from lbr.config import check_config
from lbr.errors import ConfigError


@pytest.fixture
def config():
    return yaml.safe_load((REPO / "config.yaml").read_text())


def _error(config) -> str:
    with pytest.raises(ConfigError) as caught:
        check_config(config)
    return str(caught.value)


def _autoencoders_on(config, shape):
    """Train autoencoders on one composite dataset of the given [H, W, C] only."""
    config["datasets"]["digits_photo"]["shape"] = shape
    config["autoencoders"]["datasets"] = ["digits_photo"]
    for family in config["denoising"]["noises"].values():  # patches must fit the images
        if "patch_sizes" in family:
            family["patch_sizes"] = [p for p in family["patch_sizes"] if p <= min(shape[:2])]
    return config["autoencoders"]


@pytest.mark.parametrize("ratio", [-0.1, -1])
def test_negative_masking_ratio_is_refused(config, ratio):
    config["denoising"]["noises"]["masking"]["ratios"] = [0.5, ratio]
    assert "denoising.noises.masking.ratios" in _error(config)


def test_masking_ratio_zero_is_accepted(config):
    config["denoising"]["noises"]["masking"]["ratios"] = [0.0]
    check_config(config)


@pytest.mark.parametrize("edges", [[1, 5, 5, 33], [1, 1], [1, 17, 9], [1, 33, 17, 5]])
def test_repeated_or_decreasing_band_edges_are_refused(config, edges):
    config["autoencoders"]["dynamics"]["band_edges"] = edges
    message = _error(config)
    assert "band_edges must increase strictly" in message and str(edges) in message


def test_band_edges_decreasing_only_at_the_second_step_are_refused(config):
    # (1, 9) and (9, 5): only the adjacent pair (9, 5) is out of order.
    config["autoencoders"]["dynamics"]["band_edges"] = [1, 9, 5, 40]
    assert "band_edges must increase strictly" in _error(config)


def test_latent_equal_to_d_is_accepted_and_one_more_is_refused(config):
    section = _autoencoders_on(config, [2, 5, 3])  # D = 30, not a square: H·W·C, not W·W·C
    section["dynamics"]["band_edges"] = [1, 5, 17, 30]
    section["dynamics"]["latent"] = 30
    section["guidance"]["latents"] = [8]
    check_config(config)
    section["guidance"]["latents"] = [8, 31]
    message = _error(config)
    assert "latent size 31 is larger than D = 30" in message and "'digits_photo'" in message


def test_d_is_height_times_width_times_channels(config):
    section = _autoencoders_on(config, [6, 2, 3])  # D = 36; W·W·C would be 12, H·H·C 108
    section["dynamics"]["band_edges"] = [1, 36]
    section["dynamics"]["latent"] = 36
    section["guidance"]["latents"] = [8]
    check_config(config)
    section["dynamics"]["latent"] = 37
    assert "larger than D = 36" in _error(config)


def test_last_band_edge_equal_to_d_is_accepted_and_beyond_is_refused(config):
    section = _autoencoders_on(config, [4, 4, 3])  # D = 48
    section["dynamics"]["latent"] = 8
    section["guidance"]["latents"] = [8]
    section["dynamics"]["band_edges"] = [1, 5, 48]
    check_config(config)
    section["dynamics"]["band_edges"] = [1, 5, 49]
    message = _error(config)
    assert "band_edges: 49 is beyond D = 48" in message and "'digits_photo'" in message


def test_only_the_last_band_edge_is_compared_with_d(config):
    section = _autoencoders_on(config, [4, 4, 3])  # D = 48
    section["dynamics"]["latent"] = 8
    section["guidance"]["latents"] = [8]
    section["dynamics"]["band_edges"] = [1, 47, 60]
    assert "60 is beyond D = 48" in _error(config)


def test_a_native_shape_dataset_does_not_stop_the_checks_of_the_next(config):
    # digits has no shape (checked at training start); digits_photo after it still is.
    section = config["autoencoders"]
    section["datasets"] = ["digits", "digits_photo"]
    config["datasets"]["digits_photo"]["shape"] = [4, 4, 1]  # D = 16 < latent 32
    assert "larger than D = 16 of dataset 'digits_photo'" in _error(config)


def test_schema_errors_are_sorted_and_each_named(config):
    config["spectrum"]["chunk_size"] = 0
    config["device"] = "tpu"
    message = _error(config)
    assert message.startswith("invalid configuration:\n")
    lines = message.splitlines()[1:]
    assert len(lines) == 2
    assert lines[0].startswith("  device:") and "'tpu'" in lines[0]
    assert lines[1].startswith("  spectrum.chunk_size:")


def test_top_level_schema_error_says_so(config):
    config["unknown_key"] = 1
    assert "\n  (top level): " in _error(config)


def test_spectrum_preprocessings_are_named_in_the_error(config):
    config["spectrum"]["preprocessings"] = ["standardized", "whitened"]
    assert _error(config).startswith("spectrum.preprocessings: ['whitened'] not defined")


def test_composite_of_a_composite_is_refused(config):
    config["datasets"]["twice"] = {
        "source": "composite",
        "base": "digits_photo",
        "shape": [8, 8, 3],
        "crops_per_image": 1,
        "min_crop": 8,
        "seed": 0,
    }
    message = _error(config)
    assert "datasets.twice.base" in message and "itself composite" in message


@pytest.mark.parametrize(
    "section, key",
    [("alignment", "alignment.preprocessing"), ("subspace", "subspace.preprocessing")],
)
def test_each_section_preprocessing_must_be_defined(config, section, key):
    config[section]["preprocessing"] = "whitened"
    message = _error(config)
    assert key in message and "'whitened'" in message and "per_image" in message


def test_autoencoder_datasets_must_be_configured(config):
    config["autoencoders"]["datasets"] = ["digits", "svhn"]
    message = _error(config)
    assert "autoencoders.datasets" in message and "['svhn']" in message
