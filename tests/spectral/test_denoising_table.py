"""Fig. 7's K range and the screen summary (lbr.spectral.denoising_table): against a
solved denoising table and hand-made tables."""

import numpy as np
import pandas as pd
from lbr.spectral.denoising import denoising_alignment
from lbr.spectral.denoising_table import fig7_first_k, in_fig7_range, screen_summary
from lbr.spectral.noise import Masking
from support import alignment_data as _data
from support import alignment_spectrum as _spectrum
from support import closed_form_geometry

GEOMETRY = closed_form_geometry()


def test_screen_aggregates_over_the_k_range_fig7_plots():
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    table = denoising_alignment(
        eigen.eigenvalues, eigen.eigenvectors, sigma, m, n, x.shape[1], Masking(2, 0.6), GEOMETRY
    ).assign(dataset="toy", noise="masking", family="masking")
    largest = int(table["K"].max())  # 40 here: Fig. 7 starts at K = min(k_min, 20)
    for k_min, first in ((5, 5), (32, largest // 2)):
        screen = screen_summary(table, k_min).iloc[0]
        shown = table[table["K"] >= first]
        assert screen["first_k"] == first
        assert screen["best_relative_change_percent"] == shown["relative_change_percent"].max()
        assert screen["worst_relative_change_percent"] == shown["relative_change_percent"].min()
        assert screen["max_subspace_shift"] == shown["subspace_shift"].max()
    assert screen["max_abs_change_any_k"] == np.abs(table["change"]).max()
    # The K left out do change the answer here, so the test tells the two apart.
    every_k = table["relative_change_percent"]
    assert (every_k.max(), every_k.min()) != (
        screen["best_relative_change_percent"],
        screen["worst_relative_change_percent"],
    )


def test_screen_summary_takes_extremes_per_dataset_and_noise():
    table = pd.DataFrame(
        {
            "dataset": ["b", "b", "b", "b", "a", "a"],
            "noise": ["n1", "n1", "n1", "n2", "n1", "n1"],
            "family": ["masking"] * 6,
            "K": [1, 2, 4, 2, 1, 2],
            "subspace_shift": [0.9, 0.1, 0.3, 0.0, 0.2, 0.4],
            "change": [-0.5, 0.05, -0.2, 0.0, 0.01, 0.02],
            "relative_change_percent": [-50.0, 5.0, -20.0, 0.0, 1.0, 2.0],
            "solver_error_bound": [1e-9, 1e-12, 1e-10, 1e-13, 1e-11, 1e-11],
        }
    )
    screen = screen_summary(table, k_min=2)
    # first-seen order, not sorted
    assert screen[["dataset", "noise"]].values.tolist() == [["b", "n1"], ["b", "n2"], ["a", "n1"]]
    row = screen.iloc[0]
    # K = 1 lies before Fig. 7's range (k_min = 2): left out of the figure's extremes...
    assert row["first_k"] == 2 and row["max_subspace_shift"] == 0.3
    assert row["best_relative_change_percent"] == 5.0
    assert row["worst_relative_change_percent"] == -20.0
    # ...but Corollary 3.1's check and the solver bound take every K
    assert row["max_abs_change_any_k"] == 0.5 and row["solver_error_bound"] == 1e-9
    # a dataset whose largest K is 2 starts at K = 1 (half of it)
    assert screen.iloc[2]["first_k"] == 1 and screen.iloc[2]["max_subspace_shift"] == 0.4


def test_fig7_first_k_is_k_min_or_the_integer_half_of_the_largest_k():
    assert fig7_first_k(4, 100) == 4
    assert fig7_first_k(10, 5) == 2 and type(fig7_first_k(10, 5)) is int
    assert fig7_first_k(10, 20) == 10


def test_in_fig7_range_per_dataset():
    table = pd.DataFrame({"dataset": ["small"] * 5 + ["big"] * 3, "K": [1, 2, 3, 4, 5, 10, 20, 30]})
    kept = in_fig7_range(table, k_min=10)
    # small: largest K 5 -> first K 2 (not 2.5); big: largest 30 -> first K 10
    assert kept["K"].tolist() == [2, 3, 4, 5, 10, 20, 30]
