"""denoising._diagonal_order, the exact shortcut for a diagonal H, at its edges: any
single off-diagonal entry (not only next to the diagonal) sends the problem to the
general solver, a 2×2 and a 1×1 H are read right, and ties of μ = λ/h scattered over
the spectrum keep PCA's order (Python's sort by (−μ, index) is the oracle)."""

import numpy as np
import pytest
from lbr.spectral.denoising import _diagonal_order

R = 6


@pytest.mark.parametrize("row, col", [(0, 1), (0, 2), (1, 4), (0, R - 1), (R - 2, R - 1)])
def test_one_off_diagonal_entry_anywhere_means_not_diagonal(row, col):
    h = np.eye(R)
    h[row, col] = h[col, row] = 1e-300  # the smallest disturbance still counts
    assert _diagonal_order(np.arange(R, 0, -1.0), h) is None


def test_a_two_by_two_h_is_read_whole():
    assert _diagonal_order(np.array([2.0, 1.0]), np.array([[1.0, 0.5], [0.5, 1.0]])) is None
    order = _diagonal_order(np.array([2.0, 1.0]), np.array([[4.0, 0.0], [0.0, 1.0]]))
    assert order.tolist() == [1, 0]  # μ = (0.5, 1)


def test_a_one_by_one_h_is_diagonal():
    assert _diagonal_order(np.array([3.0]), np.array([[7.0]])).tolist() == [0]


def test_ties_scattered_over_the_spectrum_keep_pcas_order():
    rng = np.random.default_rng(0)
    count = 60
    mu = rng.integers(1, 4, count).astype(float)  # μ in {1, 2, 3}, ties everywhere
    eigenvalues = 6.0 * np.arange(count + 100, 100, -1)  # descending, as PCA orders them
    h = np.diag(eigenvalues / mu)  # integers: λ / h is μ exactly
    expected = sorted(range(count), key=lambda i: (-mu[i], i))
    assert _diagonal_order(eigenvalues, h).tolist() == expected
