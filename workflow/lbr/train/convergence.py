"""Whether a training run had stopped improving when it ended: the rise of its test
accuracy over the last fifth of training (docs/claims.md, "Convergence").

A short run favours whatever is learned first, and the paper's R2 says that features for
perception are learned last; so every run whose accuracy was still climbing at the end is
flagged in the report. Both constants were fixed before any result was looked at.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# The rise is measured over the last LATE_PART[0]/LATE_PART[1] of the epochs: from the
# last recorded epoch e with e ≤ (1 − 1/5) × final epoch to the final epoch.
LATE_PART = (1, 5)
# A run is flagged when its test accuracy (a fraction) rose by more than this over that
# stretch: 1 point of accuracy.
STILL_RISING = 0.01


def late_rise(epochs, accuracies) -> tuple[float, int, int] | None:
    """(accuracy at the final epoch − accuracy at the start of the last fifth, that start
    epoch, the final epoch); None when no recorded epoch lies at or before the start (a
    one-epoch run: the accuracy before training is not recorded)."""
    order = np.argsort(np.asarray(epochs))
    epochs = np.asarray(epochs)[order]
    accuracies = np.asarray(accuracies, dtype=np.float64)[order]
    final = int(epochs[-1])
    part, whole = LATE_PART
    # e ≤ (1 − part/whole)·final, in integers: whole·e ≤ (whole − part)·final
    early = np.flatnonzero(whole * epochs <= (whole - part) * final)
    if len(early) == 0:
        return None
    start = early[-1]
    return float(accuracies[-1] - accuracies[start]), int(epochs[start]), final


def convergence_table(curves: pd.DataFrame, keys: list[str], accuracy: str) -> pd.DataFrame:
    """One row per run (its `keys`), in the order the runs first appear in `curves`:
    late_rise_from (epoch), final_epoch, late_accuracy_rise and still_rising (None where
    the run is too short to judge)."""
    rows = []
    for run, curve in curves.groupby(keys, sort=False):  # a list of keys: run is a tuple
        rise = late_rise(curve["epoch"].to_numpy(), curve[accuracy].to_numpy())
        row = dict(zip(keys, run))
        if rise is None:
            row.update(
                late_rise_from=None,
                final_epoch=int(curve["epoch"].max()),
                late_accuracy_rise=np.nan,
                still_rising=None,
            )
        else:
            value, start, final = rise
            row.update(
                late_rise_from=start,
                final_epoch=final,
                late_accuracy_rise=value,
                still_rising=bool(value > STILL_RISING),
            )
        rows.append(row)
    return pd.DataFrame(rows)
