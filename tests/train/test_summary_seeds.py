"""The subspace tables with several seeds (lbr/train/summary.py): one row per run and seed,
each run's per-epoch curve under its own coordinates, and each run's convergence flag
from its own curve (hand-made runs whose values all differ)."""

import json

import pandas as pd
import pytest
from lbr.atomic import save_parquet
from lbr.train.summary import subspace_curves_table, subspace_summary_table
from support import EPS

RUNS = [  # the same dataset, side and fraction under three seeds, and one other run
    ("d", "top", "0.9", "noaug", "0"),
    ("d", "top", "0.9", "noaug", "1"),
    ("d", "top", "0.9", "noaug", "7"),
    ("d", "bottom", "0.2", "aug", "0"),
]
# Accuracy per epoch (5 epochs; the last fifth runs from epoch 4 to 5): rises at the end of
# 0.5, 0.9, 2.0 and −1.0 points.
ACCURACY = {
    0: [0.10, 0.20, 0.30, 0.400, 0.405],
    1: [0.11, 0.21, 0.31, 0.410, 0.419],
    2: [0.12, 0.22, 0.32, 0.420, 0.440],
    3: [0.13, 0.23, 0.33, 0.430, 0.420],
}


def _write_runs(tmp_path):
    summaries, metrics = [], []
    for i, _run in enumerate(RUNS):
        directory = tmp_path / f"run{i}"
        directory.mkdir()
        (directory / "summary.json").write_text(
            json.dumps(
                {
                    "dimensions": 10 + i,
                    "variance_fraction": 0.5 + i / 100,
                    "final_test_accuracy": ACCURACY[i][-1],
                    "best_test_accuracy": max(ACCURACY[i]),
                    "mean_images_per_second": 1000.0 + i,
                    "device": "cpu",
                }
            )
        )
        save_parquet(
            directory / "metrics.parquet",
            pd.DataFrame(
                {
                    "epoch": [1, 2, 3, 4, 5],
                    "train_loss": [9.0 + i] * 5,
                    "test_loss": [5.0 + i] * 5,
                    "test_accuracy": ACCURACY[i],
                    "epoch_seconds": [1.0] * 5,
                    "images_per_second": [100.0] * 5,
                }
            ),
        )
        summaries.append(str(directory / "summary.json"))
        metrics.append(str(directory / "metrics.parquet"))
    return summaries, metrics


def test_curves_carry_each_runs_coordinates(tmp_path):
    _, metrics = _write_runs(tmp_path)
    curves = subspace_curves_table(metrics, RUNS)
    assert len(curves) == 4 * 5
    for i, (dataset, side, fraction, augment, seed) in enumerate(RUNS):
        mine = curves[(curves["seed"] == int(seed)) & (curves["side"] == side)]
        assert mine["dataset"].tolist() == [dataset] * 5
        assert mine["fraction"].tolist() == [float(fraction)] * 5
        assert mine["augment"].tolist() == [augment == "aug"] * 5
        assert mine["epoch"].tolist() == [1, 2, 3, 4, 5]
        assert mine["test_accuracy"].tolist() == ACCURACY[i]
        assert mine["test_loss"].tolist() == [5.0 + i] * 5


def test_one_summary_row_per_seed_with_its_own_convergence_flag(tmp_path):
    summaries, metrics = _write_runs(tmp_path)
    table = subspace_summary_table(summaries, RUNS, subspace_curves_table(metrics, RUNS))
    assert len(table) == 4
    assert table["seed"].tolist() == [0, 1, 7, 0]
    assert table["final_test_accuracy"].tolist() == [ACCURACY[i][-1] for i in range(4)]
    assert table["dimensions"].tolist() == [10, 11, 12, 13]
    # final − epoch 4, by hand: +0.5, +0.9, +2.0, −1.0 points
    expected = [0.005, 0.009, 0.020, -0.010]
    # the two accuracies, the literal and the subtraction: four roundings of numbers
    # below 0.5 (u = EPS/2 each); the wrong epoch would be ≥ 0.1 off
    assert table["late_accuracy_rise"].tolist() == pytest.approx(expected, abs=4 * EPS / 2 * 0.5)
    assert [bool(flag) for flag in table["still_rising"]] == [False, False, True, False]
    assert table["late_rise_from"].tolist() == [4] * 4
    assert table["final_epoch"].tolist() == [5] * 4


def test_without_curves_the_table_is_the_summaries_alone(tmp_path):
    summaries, _ = _write_runs(tmp_path)
    table = subspace_summary_table(summaries, RUNS)
    assert "still_rising" not in table and len(table) == 4


def test_a_run_listed_twice_is_an_error_not_a_doubled_row(tmp_path):
    """Two runs with the same coordinates would share one curve (their epochs pooled) and
    the table would hold the run twice: the merge refuses instead."""
    summaries, metrics = _write_runs(tmp_path)
    runs = [*RUNS[:3], RUNS[0]]
    with pytest.raises(pd.errors.MergeError, match="one-to-one"):
        subspace_summary_table(summaries, runs, subspace_curves_table(metrics, runs))
