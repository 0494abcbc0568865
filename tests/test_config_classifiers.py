"""The classifier a config trains (subspace.model.architecture): the schema names exactly
the registered classifiers, with the registry's default; a config without the key is
valid and one with an unknown name is refused at validation with the known names."""

import pytest
import yaml
from lbr.config import check_config, load_schema
from lbr.errors import ConfigError
from lbr.models.classifiers import CLASSIFIERS, DEFAULT_CLASSIFIER
from support import REPO


def _architecture_schema() -> dict:
    return load_schema()["properties"]["subspace"]["properties"]["model"]["properties"][
        "architecture"
    ]


def test_the_schema_names_the_registered_classifiers_and_the_default():
    schema = _architecture_schema()
    assert sorted(schema["enum"]) == sorted(CLASSIFIERS)
    assert schema["default"] == DEFAULT_CLASSIFIER


@pytest.fixture
def config():
    return yaml.safe_load((REPO / "config.yaml").read_text())


def test_a_config_may_name_the_classifier_or_leave_it_out(config):
    config["subspace"]["model"].pop("architecture", None)
    check_config(config)
    config["subspace"]["model"]["architecture"] = DEFAULT_CLASSIFIER
    check_config(config)


def test_an_unknown_classifier_is_refused_with_the_known_names(config):
    config["subspace"]["model"]["architecture"] = "vgg11"
    with pytest.raises(ConfigError) as caught:
        check_config(config)
    message = str(caught.value)
    assert "subspace.model.architecture" in message
    assert "'vgg11' is not one of ['resnet9']" in message
