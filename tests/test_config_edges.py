"""Edges of the configuration checks: each bad value is refused with its key named,
and the value just inside every limit is accepted (hand-written cases, D = H·W·C)."""

import pytest
import torch
import yaml
from lbr.config import check_config, planned_device
from lbr.errors import ConfigError
from support import REPO


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


# --- checks that tests/test_faults.py exercises through whole Snakemake runs, here
# in-process, with the exact messages ---------------------------------------------------


@pytest.mark.parametrize(
    "key, set_value, shown",
    [
        ("subspace.fractions", lambda c: c["subspace"].update(fractions=[0.5, 1e-07]), "1e-07"),
        (
            "subspace.headline.bottom",
            lambda c: c["subspace"]["headline"].update(bottom=0.1234567),
            "0.123457",
        ),
        (
            "autoencoders.guidance.weights",
            lambda c: c["autoencoders"]["guidance"].update(weights=[0.0, 1e-05]),
            "1e-05",
        ),
    ],
)
def test_a_value_that_cannot_be_a_file_name_is_refused_with_its_key(config, key, set_value, shown):
    set_value(config)
    message = _error(config)
    assert message.startswith(f"{key}: ") and f"(it would read '{shown}')" in message
    assert "plain decimal between 0.0001 and 999999 with at most 6 significant digits" in message


def test_values_at_the_edges_of_the_file_name_pattern_are_accepted(config):
    config["subspace"]["fractions"] = [0.0001, 0.123456, 1.0]
    config["subspace"]["headline"] = {"top": 1.0, "bottom": 0.0001}
    config["autoencoders"]["guidance"]["weights"] = [0.0, 0.0001, 999999.0]
    check_config(config)


def test_a_noise_setting_that_cannot_be_a_file_name_is_refused(config):
    config["denoising"]["noises"]["gaussian"]["sigmas"] = [1e-05]
    message = _error(config)
    assert message.startswith("denoising.noises: the setting 'gaussian_s1e-05' cannot be a file")


def test_a_patch_larger_than_a_dataset_s_images_names_the_setting_and_the_dataset(config):
    config["denoising"]["noises"]["masking"]["patch_sizes"] = [1, 17]
    message = _error(config)
    assert message.startswith("denoising.noises: masking_p17_r0 does not fit dataset")
    # digits (8×8) is named first, with its shape and the largest patch it takes
    assert "'digits' (8x8x1 images)" in message and "at most 8" in message


def test_the_planned_device_is_resolved_once_and_a_missing_gpu_is_refused():
    assert planned_device("cpu") == "cpu"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert planned_device("auto") == expected
    if torch.cuda.is_available():
        assert planned_device("cuda") == "cuda"
    else:
        with pytest.raises(ConfigError, match="^device 'cuda' was requested but no GPU"):
            planned_device("cuda")
    with pytest.raises(ConfigError, match="^unknown device 'tpu'; use auto, cpu or cuda$"):
        planned_device("tpu")
