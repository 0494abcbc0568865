"""Tables gathered from every noise setting's denoising table: the K range Fig. 7 plots,
and the screen summary of rule `denoising_table`."""

from __future__ import annotations

import numpy as np
import pandas as pd


def fig7_first_k(k_min: int, largest_k: int) -> int:
    """First K that Fig. 7 shows: k_min, or half the largest K for small images."""
    return min(k_min, largest_k // 2)


def in_fig7_range(table: pd.DataFrame, k_min: int) -> pd.DataFrame:
    """The rows of a denoising table (one or more datasets) whose K Fig. 7 plots."""
    first = table.groupby("dataset")["K"].transform(lambda k: fig7_first_k(k_min, int(k.max())))
    return table[table["K"] >= first]


def screen_summary(table: pd.DataFrame, k_min: int) -> pd.DataFrame:
    """Per dataset and noise, over the K range Fig. 7 plots: the largest subspace shift
    (label-free) and the relative alignment change it allows (with labels), side by
    side, with the solver's bound. max_abs_change_any_k is Corollary 3.1's check, which
    holds at every K, so it is taken over all of them."""
    keys = ["dataset", "noise", "family"]
    every_k = table.groupby(keys, sort=False).agg(
        max_abs_change_any_k=("change", lambda c: float(np.abs(c).max())),
        solver_error_bound=("solver_error_bound", "max"),
    )
    plotted = in_fig7_range(table, k_min).groupby(keys, sort=False)
    summary = plotted.agg(
        first_k=("K", "min"),
        max_subspace_shift=("subspace_shift", "max"),
        best_relative_change_percent=("relative_change_percent", "max"),
        worst_relative_change_percent=("relative_change_percent", "min"),
    )
    return summary.join(every_k).reset_index()
