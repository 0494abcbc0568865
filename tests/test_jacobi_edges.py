"""Edges of the Jacobi SVD binding through its public functions: one column, inputs left
untouched, integer input, already-orthogonal columns, and the error bound on a
hand-written diagonal example."""

import numpy as np
import pytest
from lbr.spectral.jacobi import (
    JacobiSVD,
    jacobi_svd,
    jacobi_svd_nearly_orthogonal,
    multiplicative_error_bound,
)


def test_a_single_column():
    svd = jacobi_svd(np.array([[3.0], [4.0], [0.0]]))
    np.testing.assert_allclose(svd.s, [5.0])
    np.testing.assert_allclose(np.abs(svd.u[:, 0]), [0.6, 0.8, 0.0])


def test_inputs_are_left_untouched_and_integers_work():
    rng = np.random.default_rng(0)
    a = np.asfortranarray(rng.integers(-5, 6, (6, 4)).astype(np.float64))
    start = np.asfortranarray(np.linalg.qr(rng.standard_normal((4, 4)))[0])
    a_copy, start_copy = a.copy(), start.copy()
    svd = jacobi_svd(a, start)
    np.testing.assert_array_equal(a, a_copy)
    np.testing.assert_array_equal(start, start_copy)
    np.testing.assert_allclose(svd.s, np.linalg.svd(a, compute_uv=False), rtol=1e-12)
    integers = jacobi_svd(a_copy.astype(np.int64), start_copy.astype(np.float32))
    np.testing.assert_allclose(integers.s, svd.s, rtol=1e-12)
    np.testing.assert_allclose(np.abs(integers.v), np.abs(svd.v), atol=1e-5)


def test_nearly_orthogonal_leaves_start_untouched_and_skips_settled_columns():
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.standard_normal((6, 4)))
    settled = q * np.array([4.0, 3.0, 2.0, 1.0])  # orthogonal columns already
    start = np.eye(4)
    svd = jacobi_svd_nearly_orthogonal(settled, start)
    assert svd.sweeps == 0
    np.testing.assert_allclose(svd.s, [4.0, 3.0, 2.0, 1.0])
    mixed = settled.copy()
    mixed[:, 3] += 0.5 * mixed[:, 2]  # one pair no longer orthogonal
    start = np.asfortranarray(np.eye(4))
    svd = jacobi_svd_nearly_orthogonal(mixed, start)
    np.testing.assert_array_equal(start, np.eye(4))
    assert svd.sweeps > 0
    np.testing.assert_allclose(svd.s, np.linalg.svd(mixed, compute_uv=False), rtol=1e-12)


def test_error_messages():
    message = (
        "^jacobi_svd_nearly_orthogonal: the matrix has a zero column \\(column-rank deficient\\)$"
    )
    with pytest.raises(ArithmeticError, match=message):
        jacobi_svd_nearly_orthogonal(np.array([[1.0, 0.0], [0.0, 0.0]]), np.eye(2))
    with pytest.raises(ValueError, match="^jacobi_svd: the matrix has NaN or infinite entries$"):
        jacobi_svd(np.array([[np.inf, 0.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="^jacobi_svd: start has 3 columns, A has 2$"):
        jacobi_svd(np.eye(3)[:, :2], np.eye(3))


def test_error_bound_on_a_diagonal_example():
    d = np.array([3.0, 2.0, 0.5])
    eps, eta, delta = 1e-3, 2e-3, 5e-4  # U, V not quite orthonormal; s slightly off
    svd = JacobiSVD(u=(1 + eps) * np.eye(3), s=d * (1 + delta), v=(1 + eta) * np.eye(3), sweeps=0)
    gamma = 5 * np.finfo(np.float64).eps  # (n + 2)·ε
    residual = np.abs((1 + eta) - (1 + eps) * (1 + delta))
    rounding = gamma * ((1 + eta) + (1 + delta))
    expected = (
        np.sqrt(3) * (residual + rounding) / (1 + delta)
        + np.sqrt(3) * ((1 + eps) ** 2 - 1)
        + np.sqrt(3) * ((1 + eta) ** 2 - 1)
    )
    assert multiplicative_error_bound(np.diag(d), svd) == pytest.approx(expected, rel=1e-9, abs=0)
    exact = JacobiSVD(u=np.eye(3), s=d, v=np.eye(3), sweeps=0)
    assert multiplicative_error_bound(np.diag(d), exact) == pytest.approx(
        np.sqrt(3) * 2 * gamma, rel=1e-9, abs=0
    )
    # A residual the size of the rounding term (powers of two: every product is exact).
    d, delta = np.array([4.0, 2.0, 0.5]), 2.0**-44
    close = JacobiSVD(u=np.eye(3), s=d * (1 + delta), v=np.eye(3), sweeps=0)
    expected = np.sqrt(3) * (delta + gamma * (2 + delta)) / (1 + delta)
    assert multiplicative_error_bound(np.diag(d), close) == pytest.approx(expected, rel=1e-9, abs=0)
