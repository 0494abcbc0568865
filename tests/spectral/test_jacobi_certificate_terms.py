"""The two sums certified_warm_svd takes apart from the solve, against dense
computations of the same quantities: each kept column's residual (column by column,
across several blocks of columns) and ‖UᵀU − I‖²_F assembled from the Gram cosines of
the kept pairs and fresh products for the rotated columns (the full matrix built entry
by entry); and the certificate reads only the factor's lower triangle."""

import numpy as np
import pytest
import scipy.linalg
from lbr.spectral.blas import product_rounding
from lbr.spectral.jacobi import (
    RESIDUAL_BLOCK,
    _kept_column_residuals,
    _left_departure_squared,
    certified_warm_svd,
    multiplicative_error_bound,
)
from support import gamma


def test_kept_column_residuals_column_by_column_across_blocks():
    columns = 2 * RESIDUAL_BLOCK + 37  # two whole blocks and a partial one
    rng = np.random.default_rng(11)  # each test its own draws, whatever runs before it
    image = rng.standard_normal((3, columns)) * np.logspace(0, -30, columns)
    norms = np.linalg.norm(image, axis=0)
    expected = np.array(
        [
            np.sqrt(np.sum((image[:, j] - (image[:, j] / norms[j]) * norms[j]) ** 2))
            for j in range(columns)
        ]
    )
    # rounding leaves about a fifth of them nonzero, some in every block
    for first in range(0, columns, RESIDUAL_BLOCK):
        assert np.count_nonzero(expected[first : first + RESIDUAL_BLOCK]) > 0
    residual = _kept_column_residuals(image, norms)
    # the same three squares summed in another order: within γ_3, relatively
    np.testing.assert_allclose(residual, expected, rtol=gamma(3), atol=0)


def _dense_departure_squared(u, rotated, cosines, diagonal):
    """‖M‖²_F with M = UᵀU − I, entries among kept columns taken from the Gram cosines."""
    n = u.shape[1]
    kept = np.setdiff1d(np.arange(n), rotated)
    m = u.T @ u - np.eye(n)
    for i in kept:
        m[i, i] = diagonal[i] - 1.0
        for j in kept:
            if i < j:
                m[i, j] = m[j, i] = cosines[i, j]
    return np.sum(m**2), m


@pytest.mark.parametrize("rotated", [[], [2], [0, 3, 7], list(range(9))])
def test_left_departure_squared_is_the_dense_sum(rotated):
    n, rows = 9, 12
    rotated = np.array(rotated, dtype=int)
    rng = np.random.default_rng(12)
    u = rng.standard_normal((rows, n)) * 0.4
    cosines = np.triu(rng.standard_normal((n, n)) * 0.1, 1)
    diagonal = 1.0 + rng.standard_normal(n) * 0.05
    expected, m = _dense_departure_squared(u, rotated, cosines, diagonal)
    total = _left_departure_squared(u, rotated, cosines.copy(), diagonal)
    # fresh entries differ by at most γ_rows·|u_i||u_j| between the two products, and the
    # two sums of n² squares by γ_{n²} relatively
    column_norms = np.linalg.norm(u, axis=0)
    entry_error = gamma(rows) * np.outer(column_norms, column_norms)
    allowed = 2 * np.sqrt(expected) * np.linalg.norm(entry_error) + gamma(n * n) * expected
    assert abs(total - expected) <= allowed
    assert expected > 0.5  # far from zero: a term dropped or doubled shows


def test_a_kept_pair_is_counted_from_its_cosine_once_per_side():
    u = np.eye(3)  # orthonormal: only the Gram cosines and the diagonal contribute
    cosines = np.zeros((3, 3))
    cosines[0, 2] = 0.5
    diagonal = np.array([1.0, 1.25, 1.0])
    # (0, 2) and (2, 0): 2 × 0.25; (1, 1): 0.0625
    assert _left_departure_squared(u, np.array([], dtype=int), cosines, diagonal) == 0.5625


def test_only_the_lower_triangle_of_the_factor_is_read():
    """denoising hands over LAPACK's in-place inverse factor, whose upper triangle still
    holds H's entries: the SVD, its bound and defect, and the separate certificate must
    be those of the lower triangle alone."""
    rng = np.random.default_rng(5)
    n = 40
    lower = np.tril(np.eye(n) + 0.3 * rng.standard_normal((n, n)) / np.sqrt(n))
    lower *= np.logspace(0, -8, n)
    garbage = lower + np.triu(rng.standard_normal((n, n)), 1)
    _, warm = scipy.linalg.eigh(lower.T @ lower)
    clean_svd, clean_bound, clean_defect = certified_warm_svd(lower, warm)
    svd, bound, defect = certified_warm_svd(garbage, warm)
    np.testing.assert_array_equal(svd.s, clean_svd.s)
    np.testing.assert_array_equal(svd.u, clean_svd.u)
    assert (bound, defect) == (clean_bound, clean_defect)
    assert multiplicative_error_bound(garbage, svd, lower_triangular=True) == (
        multiplicative_error_bound(lower, svd, lower_triangular=True)
    )


def test_a_diagonal_factor_is_certified_by_its_rounding_allowance_alone():
    """F diagonal, V₀ = I: F·V₀ is F exactly, every column is kept, U = ±I and the
    residual is 0; UᵀU's diagonal, f²/|f|/|f|, is 1 within three roundings, so the defect
    is at most γ_3√n. The bound adds the rounding allowance, γ(‖|F||v_j|‖ + s_j)/s_j = 2γ
    for every column: 2γ√n (γ = product_rounding(n)), up to the rounding of that sum."""
    n = 12
    lower = np.diag(np.logspace(0, -11, n) * np.where(np.arange(n) % 2, -1.0, 1.0))
    svd, bound, defect = certified_warm_svd(lower, np.eye(n))
    assert svd.sweeps == 0 and defect <= gamma(3) * np.sqrt(n)
    allowance = 2 * product_rounding(n) * np.sqrt(n)
    assert abs(bound - allowance) <= defect + gamma(2 * n) * allowance
