"""A key written twice in a config file, or an item repeated in a grid list, is refused
with its place and the fix (issue 26, item 6): YAML kept the last block silently, and a
repeated seed or augment value repeated rows of subspace/summary.parquet."""

from __future__ import annotations

import pytest
import yaml
from lbr.config import check_config, check_unique_keys
from lbr.errors import ConfigError
from support import TINY

TWICE = """\
device: cpu
datasets:
  digits:
    source: digits
    seed: 1
  other:
    source: digits
  digits:
    source: digits
    seed: 2
"""


def test_a_dataset_written_twice_is_refused_with_both_lines(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text(TWICE)
    assert yaml.safe_load(TWICE)["datasets"]["digits"]["seed"] == 2  # what YAML alone keeps
    with pytest.raises(ConfigError) as caught:
        check_unique_keys(path)
    message = str(caught.value)
    assert str(path) in message and "'datasets.digits'" in message
    assert "line 8" in message and "first on line 3" in message


def test_a_nested_repeat_inside_a_list_is_named(tmp_path):
    path = tmp_path / "nested.yaml"
    path.write_text("a:\n  - {b: 1, b: 2}\n")
    with pytest.raises(ConfigError, match=r"'a\.0\.b' is written twice"):
        check_unique_keys(path)


def test_the_same_key_in_different_mappings_is_fine(tmp_path):
    path = tmp_path / "fine.yaml"
    path.write_text(TINY.read_text())  # `seed`, `epochs`, ... under several sections
    check_unique_keys(path)


@pytest.mark.parametrize(
    ("key", "change"),
    [
        ("subspace.seeds", lambda c: c["subspace"].update(seeds=[0, 0])),
        ("subspace.augment", lambda c: c["subspace"].update(augment=[True, True])),
        ("subspace.fractions", lambda c: c["subspace"].update(fractions=[0.5, 0.5])),
        ("subspace.datasets", lambda c: c["subspace"].update(datasets=["digits", "digits"])),
        (
            "autoencoders.guidance.latents",
            lambda c: c["autoencoders"]["guidance"].update(latents=[8, 8]),
        ),
        (
            "autoencoders.guidance.seeds",
            lambda c: c["autoencoders"]["guidance"].update(seeds=[1, 1]),
        ),
        (
            "denoising.noises.masking.ratios",
            lambda c: c["denoising"]["noises"]["masking"].update(ratios=[0.5, 0.5]),
        ),
    ],
)
def test_a_repeated_grid_item_is_refused_with_the_key(key, change):
    config = yaml.safe_load(TINY.read_text())
    change(config)
    with pytest.raises(ConfigError) as caught:
        check_config(config)
    message = str(caught.value)
    assert key in message and "more than once" in message and "remove it" in message
