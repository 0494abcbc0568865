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


@pytest.mark.parametrize(
    "text, where",
    [
        ("- {a: 1, a: 2}\n", "0.a"),  # a list at the top: its items are numbered from 0
        ("x: {c: 1, c: 2}\ny: [1, 2]\n", "x.c"),  # a list met first does not end the search
        ("y: [1, {d: [5]}]\nx: {c: 1, c: 2}\n", "x.c"),
        ("b: &b {z: 0}\nx:\n  <<: *b\n  c: 1\n  c: 2\n", "x.c"),  # keys after a merge key
    ],
)
def test_a_repeat_is_found_wherever_it_is(tmp_path, text, where):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        check_unique_keys(path)
    assert f"'{where}' is written twice" in str(caught.value)


def test_merge_keys_and_complex_keys_are_not_repeats(tmp_path):
    """`<<: *anchor` may appear more than once (each merges a mapping), and two different
    complex keys (`? [1, 2]`) have no name to repeat."""
    path = tmp_path / "config.yaml"
    path.write_text(
        "base: &b {x: 1}\nmore: &m {y: 2}\nboth:\n  <<: *b\n  <<: *m\n"
        "pairs:\n  ? [1, 2]\n  : a\n  ? [3, 4]\n  : b\n"
    )
    check_unique_keys(path)
