"""Tables gathered from many training runs."""

from __future__ import annotations

import pandas as pd

from ..atomic import load_json, load_parquet
from .convergence import convergence_table

RUN_KEYS = ["dataset", "side", "fraction", "augment", "seed"]


def _identity(run) -> dict:
    dataset, side, fraction, augment, seed = run
    return {
        "dataset": dataset,
        "side": side,
        "fraction": float(fraction),
        "augment": augment == "aug",
        "seed": int(seed),
    }


def subspace_summary_table(summary_paths, runs, curves: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per run (one per seed): its grid coordinates, dimensions, variance kept and
    accuracies; with the runs' `curves` (subspace_curves_table), whether its test accuracy
    was still rising at the end (lbr.train.convergence)."""
    rows = []
    for path, run in zip(summary_paths, runs):
        summary = load_json(path)
        rows.append(
            {
                **_identity(run),
                "dimensions": summary["dimensions"],
                "variance_fraction": summary["variance_fraction"],
                "final_test_accuracy": summary["final_test_accuracy"],
                "best_test_accuracy": summary["best_test_accuracy"],
                "images_per_second": summary["mean_images_per_second"],
                "device": summary["device"],
            }
        )
    table = pd.DataFrame(rows)
    if curves is None:
        return table
    late = convergence_table(curves, RUN_KEYS, "test_accuracy")
    return table.merge(late, on=RUN_KEYS, how="left", validate="one_to_one")


def subspace_curves_table(metrics_paths, runs) -> pd.DataFrame:
    """Every run's test accuracy per epoch, with the run's grid coordinates."""
    frames = []
    for path, run in zip(metrics_paths, runs):
        metrics = load_parquet(path)[["epoch", "test_accuracy", "test_loss", "train_loss"]]
        frames.append(metrics.assign(**_identity(run))[[*RUN_KEYS, *metrics.columns]])
    return pd.concat(frames, ignore_index=True)
