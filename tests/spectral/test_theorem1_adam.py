"""Adam on Theorem 1's objective: it approaches the closed form from above; the grid's rows
and gaps; a seeded, descending trajectory."""

import numpy as np
import pandas as pd
from lbr.spectral.eigen import eigendecompose
from lbr.spectral.theorem1 import solve_theorem1
from lbr.spectral.theorem1_adam import adam_grid, adam_trajectory
from support import theorem1_setup as _theorem1_setup
from support import toy_spectrum as _toy_spectrum


def test_adam_approaches_the_closed_form_from_above():
    from lbr.spectral.theorem1_adam import adam_trajectory

    x, y, eigen = _theorem1_setup()
    lam, k = 1.0, 3
    sol = solve_theorem1(
        eigen.eigenvalues, eigen.eigenvectors, y @ x.T, float(np.sum(y**2)), lam, k
    )
    losses = adam_trajectory(x, y, k, lam, steps=4000, learning_rate=0.02, seed=0)
    assert np.all(losses >= sol.loss * (1 - 1e-12))
    assert (losses[-1] - sol.loss) / sol.loss < 1e-5


def test_adam_grid_rows_and_gaps():
    table = adam_grid(
        samples=30,
        dimensions=[3, 4],
        latent_sizes=[2],
        lambdas=[0.0, 1.0],
        classes=2,
        steps=4,
        learning_rate=0.05,
        seed=3,
    )
    assert len(table) == 2 * 1 * 2 * 4
    first = table[(table["dimension"] == 4) & (table["latent"] == 2) & (table["lam"] == 1.0)]
    assert first["step"].tolist() == [1, 2, 3, 4]
    assert np.all(first["loss"] >= first["closed_form"] - 1e-9)
    # the gap is relative to the zero model's loss ‖Y‖² + λ‖X‖², which exceeds the loss
    gap = (first["loss"] - first["closed_form"]) / first["relative_gap"]
    # ‖Y‖² = 30 and ‖X‖² ≈ 4·30 for standard Gaussian X (4×30)
    assert np.allclose(gap, gap.iloc[0]) and 90 < gap.iloc[0] < 250
    assert table.index.tolist() == list(range(len(table)))
    zero_lambda = table[(table["lam"] == 0.0) & (table["dimension"] == 3)]
    np.testing.assert_allclose(
        zero_lambda["relative_gap"], (zero_lambda["loss"] - zero_lambda["closed_form"]) / 30
    )
    again = adam_grid(30, [3, 4], [2], [0.0, 1.0], 2, 4, 0.05, 3)
    pd.testing.assert_frame_equal(table, again)


def test_adam_trajectory_is_seeded_and_descends():
    x, y, _ = _toy_spectrum()
    losses = adam_trajectory(x, y, 2, 0.5, steps=20, learning_rate=0.05, seed=1)
    assert losses.shape == (20,) and losses[-1] < 0.8 * losses[0]
    np.testing.assert_array_equal(losses, adam_trajectory(x, y, 2, 0.5, 20, 0.05, 1))
    assert not np.array_equal(losses, adam_trajectory(x, y, 2, 0.5, 20, 0.05, 2))


def test_adam_grid_data_closed_form_and_baseline_by_hand():
    """The grid's data are what its docstring says (standard Gaussian X and uniformly
    random one-hot labels from the generator seeded by (seed, D)); its closed form is
    Theorem 1's on those data and its gaps are relative to ‖Y‖² + λ‖X‖²."""
    samples, classes, seed, steps = 25, 3, 7, 3
    table = adam_grid(samples, [4], [2], [0.5], classes, steps, 0.05, seed)
    rng = np.random.default_rng([seed, 4])
    x = rng.standard_normal((4, samples))
    labels = rng.integers(0, classes, samples)
    assert set(labels) == {0, 1, 2}  # every class drawn, class 0 included
    y = np.eye(classes)[labels].T
    eigen = eigendecompose(x @ x.T)
    best = solve_theorem1(eigen.eigenvalues, eigen.eigenvectors, y @ x.T, samples, 0.5, 2).loss
    np.testing.assert_array_equal(table["closed_form"], best)
    baseline = samples + 0.5 * np.sum(x**2)
    np.testing.assert_allclose(
        table["relative_gap"], (table["loss"] - best) / baseline, rtol=4 * np.finfo(float).eps
    )
