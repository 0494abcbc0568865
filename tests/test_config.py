import copy
import re

import pytest
import yaml
from lbr.config import NEEDS_SHAPE, WILDCARD_PATTERNS, check_config, load_schema
from lbr.data.registry import LOCAL_SOURCES, SOURCE_NAMES, needs_shape
from lbr.errors import ConfigError
from support import REPO


@pytest.fixture
def config():
    return yaml.safe_load((REPO / "config.yaml").read_text())


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


def _schema_sources() -> tuple[list[str], dict[str, set[str]]]:
    """The source names the schema allows, and each source's option keys (its if/then)."""
    dataset = load_schema()["$defs"]["dataset"]
    options = {
        branch["if"]["properties"]["source"]["const"]: set(branch["then"].get("properties", {}))
        for branch in dataset["allOf"]
    }
    return dataset["properties"]["source"]["enum"], options


def test_schema_registry_and_needs_shape_agree():
    """A source added to the registry, the schema or NEEDS_SHAPE alone fails here."""
    names, options = _schema_sources()
    assert sorted(names) == sorted(SOURCE_NAMES)
    assert options == {name: set(source.options) for name, source in LOCAL_SOURCES.items()}
    assert sorted(NEEDS_SHAPE) == sorted(name for name in SOURCE_NAMES if needs_shape(name))


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
