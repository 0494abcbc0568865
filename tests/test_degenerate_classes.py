"""Degenerate data (issue 26, item 5): fewer than two classes is refused when the dataset
is built, naming the key; classes with few training images, and variance subspaces far
from their requested fraction, are warned about in the log, meta.json and the report."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lbr.atomic import load_json
from lbr.data.registry import acquire
from lbr.degenerate import (
    FRACTION_TOLERANCE,
    MIN_TRAIN_IMAGES_PER_CLASS,
    check_classes,
    fraction_warnings,
)
from lbr.errors import DataError
from lbr.report import warnings_markdown
from PIL import Image
from support import idx_directory


def _folder(root: Path, classes: dict[str, int]) -> Path:
    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        for label, count in classes.items():
            (root / split / label).mkdir(parents=True)
            for i in range(count):
                pixels = rng.integers(0, 256, (6, 6), dtype=np.uint8)
                Image.fromarray(pixels).save(root / split / label / f"{i}.png")
    return root


def _image_folder(root: Path) -> dict:
    return {"source": "image_folder", "path": str(root), "shape": [6, 6, 1]}


def test_a_single_class_dataset_is_refused_with_the_key(tmp_path):
    spec = _image_folder(_folder(tmp_path / "one", {"cats": 12}))
    with pytest.raises(DataError) as caught:
        acquire("own", spec, tmp_path / "out", tmp_path)
    message = str(caught.value)
    assert "datasets.own" in message and "1 class(es) ['cats']" in message
    assert "at least 2" in message
    assert not (tmp_path / "out" / "meta.json").exists()


def test_a_test_split_of_one_class_is_refused(tmp_path):
    root = idx_directory(tmp_path / "idx", train=[0, 1] * 10, test=[1] * 6)
    with pytest.raises(DataError, match=r"the test split holds images of 1 class\(es\)"):
        acquire("own", {"source": "idx_directory", "path": str(root)}, tmp_path / "out", tmp_path)


def test_classes_with_few_training_images_are_warned_in_the_log_and_meta(tmp_path, caplog):
    few = MIN_TRAIN_IMAGES_PER_CLASS - 1
    spec = _image_folder(_folder(tmp_path / "f", {"a": few, "b": MIN_TRAIN_IMAGES_PER_CLASS}))
    with caplog.at_level(logging.WARNING, logger="lbr"):
        acquire("own", spec, tmp_path / "out", tmp_path)
    warnings = load_json(tmp_path / "out" / "meta.json")["warnings"]
    assert len(warnings) == 1 and f"class 'a' has {few} training image(s)" in warnings[0]
    assert warnings[0] in caplog.text


def test_check_classes_counts_by_hand():
    labels = np.array([0] * 10 + [1] * 3 + [2] * 12)
    warnings = check_classes("d", labels, np.array([0, 1, 2]), ["x", "y", "z"])
    assert warnings == [
        f"dataset 'd': class 'y' has 3 training image(s), fewer than "
        f"{MIN_TRAIN_IMAGES_PER_CLASS}: its statistics and the accuracies measured on it rest "
        f"on too few images"
    ]
    # A class named but without any training image is warned about too.
    named = check_classes("d", labels, labels, ["x", "y", "z", "w"])
    assert len(named) == 2 and "class 'w' has 0 training image(s)" in named[1]


def test_variance_subspaces_far_from_their_fraction_are_warned_once_per_run_name():
    table = pd.DataFrame(
        {
            "dataset": ["d", "d", "d", "d", "d"],
            "side": ["top", "bottom", "bottom", "top_dims", "top"],
            "fraction": [0.5, 0.2, 0.2, 0.5, 0.9],
            "seed": [0, 0, 1, 0, 0],
            "variance_fraction": [0.55, 0.45, 0.45, 0.05, 0.9 - FRACTION_TOLERANCE],
        }
    )
    warnings = fraction_warnings(table)
    assert len(warnings) == 1  # bottom 0.2, whatever the seed; dimension halves are not judged
    assert warnings[0].startswith("subspace d bottom 0.2: keeps 45.0% of the variance, not 20%")


def test_the_report_lists_the_warnings_and_nothing_without_them():
    assert warnings_markdown([]) == ""
    text = warnings_markdown(["first", "second"])
    assert text.splitlines() == ["## Warnings", "", "- first", "- second"]
