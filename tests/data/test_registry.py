"""Acquisition by source name: errors name the dataset's key and say how to get the data."""

import pytest
from lbr.data.registry import acquire, idx_directory_hint
from lbr.errors import ConfigError, DataError


def test_missing_idx_directory_says_how_to_get_it(tmp_path):
    # Any other path: what the directory must hold (the Debian package would not help).
    with pytest.raises(DataError, match="train-images-idx3-ubyte") as caught:
        acquire(
            "fmnist",
            {"source": "idx_directory", "path": str(tmp_path / "nope")},
            tmp_path / "out",
            tmp_path,
        )
    assert "apt-get" not in str(caught.value)
    assert not (tmp_path / "out").exists()
    # The Debian package's own directory: the package that installs it.
    hint = idx_directory_hint("/usr/share/datasets/fashion-mnist/")
    assert "apt-get install dataset-fashion-mnist" in hint


def test_test_fraction_that_empties_a_class_names_the_key(tmp_path):
    from lbr.data.registry import acquire

    with pytest.raises(ConfigError) as caught:
        acquire("digits", {"source": "digits", "test_fraction": 0.999}, tmp_path, tmp_path)
    assert "datasets.digits: test_fraction: 0.999" in str(caught.value)
