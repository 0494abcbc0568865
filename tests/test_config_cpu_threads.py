"""`cpu_threads`: the thread count of every CPU training job, checked by the schema and
2 when absent (a config written before the key keeps its numbers)."""

import pytest
import yaml
from lbr.config import check_config, cpu_threads
from lbr.errors import ConfigError
from support import REPO


@pytest.fixture
def config():
    return yaml.safe_load((REPO / "config.yaml").read_text())


def test_absent_means_two_and_a_given_count_is_kept(config):
    config.pop("cpu_threads", None)
    check_config(config)
    assert cpu_threads(config) == 2
    config["cpu_threads"] = 7
    check_config(config)
    assert cpu_threads(config) == 7


@pytest.mark.parametrize("value", [0, -1, 1.5, "2", True])
def test_a_count_that_is_not_a_positive_integer_is_refused_with_the_key(config, value):
    config["cpu_threads"] = value
    with pytest.raises(ConfigError, match="cpu_threads"):
        check_config(config)
