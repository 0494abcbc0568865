"""The configuration checks (lbr.config): the shipped configs are valid; each bad value is
refused with its key named and the value just inside every limit is accepted
(hand-written cases, D = H·W·C); how the schema check words a wrong number; the values
of a config that would make paths no rule matches."""

import copy
import math
import re

import pytest
import torch
import yaml
from lbr.config import (
    WILDCARD_PATTERNS,
    check_config,
    load_schema,
    planned_device,
    validate_schema,
)
from lbr.errors import ConfigError
from support import REPO, TINY

# How the schema check words a wrong number is checked on the tiny config (the values it
# changes are known there); every other check starts from config.yaml.
WORDING_TESTS = {
    "test_the_tiny_config_is_valid",
    "test_a_whole_float_seed_is_not_an_integer",
    "test_a_fractional_seed_gets_jsonschemas_own_message",
    "test_a_bool_is_neither_an_integer_nor_a_number",
    "test_nan_and_infinity_are_refused_as_numbers",
    "test_nan_where_an_integer_belongs_is_refused_too",
    "test_a_whole_float_where_a_number_belongs_is_fine",
    "test_an_unknown_source_is_reported_without_its_options",
    "test_an_unknown_key_beside_a_known_source_is_still_reported",
    "test_a_patch_larger_than_a_configured_shape_is_refused",
    "test_a_dataset_of_unknown_shape_does_not_end_the_patch_check",
}


@pytest.fixture
def config(request):
    """config.yaml, or the tiny config for the WORDING_TESTS."""
    path = TINY if request.function.__name__ in WORDING_TESTS else REPO / "config.yaml"
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("name", ["config.yaml", "config.paper.yaml", "config.real.yaml"])
def test_shipped_configs_are_valid(name):
    check_config(yaml.safe_load((REPO / name).read_text()))


def _error(config) -> str:
    with pytest.raises(ConfigError) as caught:
        check_config(config)
    return str(caught.value)


def test_unknown_top_level_key_is_named(config):
    config["learning_rate"] = 0.1
    assert "learning_rate" in _error(config)


def test_unknown_dataset_source_lists_allowed_values(config):
    config["datasets"]["digits"]["source"] = "imagenet22k"
    message = _error(config)
    assert "datasets.digits.source" in message and "imagenet22k" in message and "cifar10" in message


def test_wrong_type_is_named(config):
    config["spectrum"]["chunk_size"] = "big"
    assert "spectrum.chunk_size" in _error(config)


def test_unknown_option_of_a_source(config):
    config["datasets"]["digits"]["crops_per_image"] = 3
    assert "crops_per_image" in _error(config)


def test_bad_shape(config):
    config["datasets"]["digits_photo"]["shape"] = [32, 32, 2]
    assert "datasets.digits_photo.shape" in _error(config)


def test_composite_base_must_exist(config):
    config["datasets"]["digits_photo"]["base"] = "mnist"
    assert "not a configured dataset" in _error(config)


def test_spectrum_preprocessing_must_be_defined(config):
    bad = copy.deepcopy(config)
    bad["spectrum"]["preprocessings"] = ["whitened"]
    assert "whitened" in _error(bad)


def test_variable_size_sources_need_a_shape(config):
    config["datasets"]["nette"] = {"source": "imagenette"}
    assert "datasets.nette.shape" in _error(config)


def test_subspace_datasets_must_be_configured(config):
    config["subspace"]["datasets"] = ["cifar10"]
    assert "subspace.datasets" in _error(config)


def test_masking_ratio_of_one_is_refused(config):
    config["denoising"]["noises"]["masking"]["ratios"] = [0.5, 1.0]
    assert "denoising.noises.masking.ratios" in _error(config)


@pytest.mark.parametrize(
    "entry, why",
    [
        ({"source": "image_folder", "path": "/data"}, "has images of varying size"),
        ({"source": "composite", "base": "digits"}, "builds its images at 'shape'"),
    ],
)
@pytest.mark.parametrize("shape", [{}, {"shape": None}], ids=["no shape", "shape null"])
def test_a_source_without_a_native_shape_needs_one(config, entry, why, shape):
    config["datasets"]["odd"] = {**entry, **shape}
    assert _error(config) == (
        f"datasets.odd.shape: source {entry['source']!r} {why}; set shape: [H, W, C]"
    )


def test_a_source_with_the_shape_of_its_files_needs_none(config):
    config["datasets"]["fashion"] = {"source": "idx_directory", "path": "/data"}
    check_config(config)


def test_every_autoencoder_architecture_is_allowed_and_makes_a_path():
    """The schema, the model registry and the {arch} wildcard name the same architectures
    (an architecture the wildcard does not match would make outputs no rule can build)."""
    from lbr.models.autoencoders import ARCHITECTURES

    schema = load_schema()["$defs"]["architectures"]["items"]["enum"]
    assert sorted(schema) == sorted(ARCHITECTURES)
    for arch in ARCHITECTURES:
        pattern = f"(?P<arch>{WILDCARD_PATTERNS['arch']})-directions\\.parquet"
        assert re.fullmatch(pattern, f"{arch}-directions.parquet"), arch


@pytest.mark.parametrize("source", ["composite", "imagenette"])
def test_native_closed_form_shape_needs_a_source_with_a_native_shape(config, source):
    spec = {"source": source, "shape": [16, 16, 3], "closed_form_shape": "native"}
    if source == "composite":
        spec["base"] = "digits"
    config["datasets"]["odd"] = spec
    message = _error(config)
    assert "datasets.odd.closed_form_shape" in message and "no native shape" in message
    assert message.endswith("(its images vary in size or are built at 'shape'); remove the key")


def test_closed_form_shape_values_are_checked(config):
    config["datasets"]["digits"]["closed_form_shape"] = [8, 8, 1]
    assert "datasets.digits.closed_form_shape" in _error(config)


# --- edges: each bad value is refused with its key named, and the value just inside
# every limit is accepted (hand-written cases, D = H·W·C) ------------------------------


def _autoencoders_on(config, shape):
    """Train autoencoders on one composite dataset of the given [H, W, C] only."""
    config["datasets"]["digits_photo"]["shape"] = shape
    config["autoencoders"]["datasets"] = ["digits_photo"]
    for family in config["denoising"]["noises"].values():  # patches must fit the images
        if "patch_sizes" in family:
            family["patch_sizes"] = [p for p in family["patch_sizes"] if p <= min(shape[:2])]
    # Theorem 1's latent sizes must fit every dataset's D too (checked at config time)
    dim = shape[0] * shape[1] * shape[2]
    interpolation = config["theorem1"]["interpolation"]
    interpolation["latent_sizes"] = [k for k in interpolation["latent_sizes"] if k <= dim]
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


# --- values that cannot be part of a file name, patches that do not fit, the planned
# device: the exact messages -------------------------------------------------------------


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


# --- how the schema check words a wrong number: a whole float where an integer
# belongs, NaN or infinity anywhere, booleans as numbers, and an unknown source
# reported alone (not buried under its options, which no source accepts then) ----------


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


# --- faults of the tiny config a user runs into (issue 11): values that would make
# paths no rule matches, integers written as floats, empty dataset lists ---------------


@pytest.fixture
def tiny():
    return yaml.safe_load(TINY.read_text())


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda c: c["subspace"].update(fractions=[1e-7]), "subspace.fractions"),
        (lambda c: c["subspace"]["headline"].update(top=0.1234567), "subspace.headline.top"),
        (
            lambda c: c["autoencoders"]["guidance"].update(weights=[0.0, 1e-5]),
            "autoencoders.guidance.weights",
        ),
        (lambda c: c["denoising"]["noises"]["masking"].update(ratios=[1e-7]), "denoising.noises"),
        (lambda c: c["subspace"].update(seeds=[1.0]), "subspace.seeds.0"),
        (lambda c: c["subspace"]["training"].update(epochs=2.0), "subspace.training.epochs"),
    ],
)
def test_values_that_make_unmatched_paths_are_refused(tiny, change, key):
    change(tiny)
    message = _error(tiny)
    assert key in message, message


def test_integer_written_as_float_says_how_to_write_it(tiny):
    tiny["subspace"]["seeds"] = [1.0]
    assert "write 1" in _error(tiny)


@pytest.mark.parametrize("section", ["subspace", "autoencoders"])
def test_empty_dataset_list_is_refused(tiny, section):
    tiny[section]["datasets"] = []
    assert f"{section}.datasets" in _error(tiny)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_jitter_is_refused_with_the_key(tiny, value):
    tiny["preprocessings"]["standardized"]["jitter"] = value
    message = _error(tiny)
    assert "preprocessings.standardized.jitter" in message and "finite" in message


def test_unknown_source_has_no_spurious_unevaluated_line(tiny):
    tiny["datasets"]["digits"]["source"] = "digitz"
    message = _error(tiny)
    assert "datasets.digits.source" in message and "Unevaluated" not in message


def test_patch_larger_than_the_images_is_refused_at_config_time(tiny):
    tiny["denoising"]["noises"]["masking"]["patch_sizes"] = [10]
    message = _error(tiny)  # digits are 8x8
    assert "'digits'" in message and "masking_p10" in message


# --- seeds of the R3 pairs and the intervals section -----------------------------------


def test_guidance_takes_a_list_of_seeds_not_one_seed(config):
    config["autoencoders"]["guidance"]["seed"] = 0
    del config["autoencoders"]["guidance"]["seeds"]
    message = _error(config)
    assert "autoencoders.guidance" in message and "'seeds' is a required property" in message


@pytest.mark.parametrize(
    "change, key",
    [
        (lambda c: c.pop("intervals"), "'intervals' is a required property"),
        (lambda c: c["intervals"].update(bootstrap_resamples=999), "intervals.bootstrap_resamples"),
        (lambda c: c["intervals"].update(bootstrap_seed=-1), "intervals.bootstrap_seed"),
        (lambda c: c["intervals"].update(confidence=0.9), "intervals"),
    ],
)
def test_intervals_section_is_checked(config, change, key):
    change(config)
    assert key in _error(config)
