"""Tables gathered from many training runs."""

from __future__ import annotations

import pandas as pd

from ..atomic import load_json


def subspace_summary_table(summary_paths, runs) -> pd.DataFrame:
    """One row per run: its grid coordinates, dimensions, variance kept and accuracies."""
    rows = []
    for path, (dataset, side, fraction, augment, seed) in zip(summary_paths, runs):
        summary = load_json(path)
        rows.append(
            {
                "dataset": dataset,
                "side": side,
                "fraction": float(fraction),
                "augment": augment == "aug",
                "seed": int(seed),
                "dimensions": summary["dimensions"],
                "variance_fraction": summary["variance_fraction"],
                "final_test_accuracy": summary["final_test_accuracy"],
                "best_test_accuracy": summary["best_test_accuracy"],
                "images_per_second": summary["mean_images_per_second"],
                "device": summary["device"],
            }
        )
    return pd.DataFrame(rows)
