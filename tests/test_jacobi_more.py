"""More edges of the Jacobi SVD binding: LAPACK's failure codes (through a stand-in for
dgesvj that reports them, since a real non-convergence is not cheap to provoke), ties
between singular values, negative cosines, float32 start matrices, a general (not
triangular) matrix in the error bound, ‖QᵀQ − I‖ on a hand-written Q, and the blocked
product whose rounding the certificate counts."""

import ctypes

import numpy as np
import pytest
from lbr.spectral import jacobi
from lbr.spectral.jacobi import (
    _departure_from_orthonormal,
    blocked_product,
    jacobi_svd,
    jacobi_svd_nearly_orthogonal,
    multiplicative_error_bound,
    product_rounding,
)


def _fake_dgesvj(monkeypatch, info: int, rank: float):
    """dgesvj that only reports INFO (and WORK(2), the rank), leaving A as it is."""

    def call(*args):
        work = ctypes.cast(args[11], ctypes.POINTER(ctypes.c_double))
        work[0], work[1] = 1.0, rank
        args[-1]._obj.value = info  # the c_int behind ctypes.byref(info)

    monkeypatch.setattr(jacobi, "_dgesvj", lambda: call)


@pytest.mark.parametrize("info", [-4, -11])
def test_a_rejected_argument_is_a_value_error_naming_it(monkeypatch, info):
    _fake_dgesvj(monkeypatch, info, rank=2.0)
    with pytest.raises(ValueError, match=f"^dgesvj rejected argument {-info}$"):
        jacobi_svd(np.eye(2))


@pytest.mark.parametrize("info", [1, 2])
def test_no_convergence_is_an_arithmetic_error(monkeypatch, info):
    _fake_dgesvj(monkeypatch, info, rank=2.0)
    message = rf"^Jacobi SVD \(dgesvj\) did not converge in 30 sweeps \(info={info}\)$"
    with pytest.raises(ArithmeticError, match=message):
        jacobi_svd(np.eye(2))


def test_the_rank_message_reads_work_2(monkeypatch):
    def call(*args):
        work = ctypes.cast(args[11], ctypes.POINTER(ctypes.c_double))
        work[0], work[1], work[2], work[3] = 1.0, 2.0, 7.0, 1.0
        args[-1]._obj.value = 0

    monkeypatch.setattr(jacobi, "_dgesvj", lambda: call)
    with pytest.raises(
        ArithmeticError, match=r"^Jacobi SVD \(dgesvj\): the matrix has column rank 2 < 3$"
    ):
        jacobi_svd(np.eye(3))


def test_a_real_rank_deficient_matrix_is_refused():
    a = np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    with pytest.raises(ArithmeticError, match="column rank 2 < 3"):
        jacobi_svd(a)


PATTERN = np.array([1.0, 2.0, 2.0, 1.0, 4.0, 1.0, 2.0, 1.0, 4.0, 2.0, 1.0, 1.0, 2.0, 4.0, 1.0, 2.0])
# descending, equal values in their input order
TIED_ORDER = [4, 8, 13, 1, 2, 6, 9, 12, 15, 0, 3, 5, 7, 10, 11, 14]


def test_equal_singular_values_keep_their_column_order():
    a = np.diag(PATTERN)  # exact: every singular value is a power of two
    # (jacobi_svd's ties come in dgesvj's own pivoted order: only the values are checked)
    np.testing.assert_array_equal(jacobi_svd(a).s, PATTERN[TIED_ORDER])
    settled = jacobi_svd_nearly_orthogonal(a, np.eye(16))
    assert settled.sweeps == 0
    np.testing.assert_array_equal(settled.s, PATTERN[TIED_ORDER])
    np.testing.assert_array_equal(settled.v, np.eye(16)[:, TIED_ORDER])
    np.testing.assert_array_equal(settled.u, np.eye(16)[:, TIED_ORDER])


def test_a_negative_cosine_is_as_unsettled_as_a_positive_one():
    a = np.array([[1.0, -0.5], [0.0, 1.0], [0.0, 0.0]])
    svd = jacobi_svd_nearly_orthogonal(a, np.eye(2))
    assert svd.sweeps > 0
    np.testing.assert_allclose(svd.s, np.linalg.svd(a, compute_uv=False), rtol=1e-14)
    np.testing.assert_allclose(svd.u.T @ svd.u, np.eye(2), atol=1e-15)


def test_settled_columns_are_taken_as_they_stand():
    """Only the unsettled pair goes through Jacobi: a settled column's u is exactly the
    column over its norm and its s exactly the norm."""
    a = np.zeros((4, 3))
    a[:, 0] = [3.0, 0.0, 0.0, 4.0]  # orthogonal to both others, norm 5
    a[:, 1] = [0.0, 1.0, 0.0, 0.0]
    a[:, 2] = [0.0, 1.0, 1.0, 0.0]  # not orthogonal to column 1
    svd = jacobi_svd_nearly_orthogonal(a, np.eye(3))
    assert svd.s[0] == 5.0
    np.testing.assert_array_equal(svd.u[:, 0], [0.6, 0.0, 0.0, 0.8])
    np.testing.assert_array_equal(svd.v[:, 0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(
        svd.s[1:], [np.sqrt((3 + np.sqrt(5)) / 2), np.sqrt((3 - np.sqrt(5)) / 2)]
    )


def test_the_orthogonality_threshold_is_m_epsilon():
    """Columns with |cos| = 4ε: below m·ε for m = 8 (settled, no sweep), but not below
    n·ε for n = 2."""
    eps = np.finfo(np.float64).eps
    a = np.zeros((8, 2))
    a[0, 0] = 1.0
    a[0, 1], a[1, 1] = 4 * eps, 1.0  # cos = 4ε / √(1 + 16ε²) = 4ε in double
    svd = jacobi_svd_nearly_orthogonal(a, np.eye(2))
    assert svd.sweeps == 0
    np.testing.assert_array_equal(svd.u, a)  # taken as it stands (norms round to 1)


def test_a_float32_start_gives_float64_vectors():
    start = np.eye(3, dtype=np.float32)
    a = np.diag([3.0, 2.0, 1.0])
    a[0, 1] = 1e-3
    svd = jacobi_svd_nearly_orthogonal(a, start)
    assert svd.v.dtype == np.float64 and svd.u.dtype == np.float64
    settled = jacobi_svd_nearly_orthogonal(np.diag([3.0, 2.0, 1.0]), start)
    assert settled.v.dtype == np.float64


def test_the_error_bound_of_a_general_matrix_uses_all_of_it():
    """Not triangular: the bound must use the whole matrix (by default), so an accurate
    SVD of a full matrix has a tiny bound."""
    a = np.array([[2.0, 1.0, 1.0], [0.0, 3.0, 1.0], [1.0, 0.0, 4.0]])
    svd = jacobi_svd(a)
    assert multiplicative_error_bound(a, svd) < 1e-13
    upper_only = jacobi.JacobiSVD(u=svd.u, s=svd.s, v=svd.v, sweeps=0)
    # told it is lower triangular, the bound sees a different matrix: large
    assert multiplicative_error_bound(a, upper_only, lower_triangular=True) > 0.1


def test_departure_from_orthonormal_on_a_hand_written_q():
    t = 0.5
    q = np.array([[1.0, t], [0.0, 1.0]])  # QᵀQ − I = [[0, t], [t, t²]]
    assert _departure_from_orthonormal(q) == pytest.approx(np.sqrt(2 * t**2 + t**4), rel=1e-15)
    q = np.array([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]])  # QᵀQ − I = diag(3, 0)
    assert _departure_from_orthonormal(q) == pytest.approx(3.0, rel=1e-15)


@pytest.mark.parametrize("m, n", [(700, 600), (600, 600), (300, 700), (5, 1)])
def test_blocked_product_is_the_product_within_its_rounding_bound(m, n):
    """Several blocks, square and trapezoidal: every entry within γ|A||B| of the exact
    product (taken in extended precision), and in the triangular case only the lower
    triangle is read, like trmm."""
    rng = np.random.default_rng(m + n)
    a = rng.standard_normal((m, n)) * np.logspace(0, -8, n)
    b = rng.standard_normal((n, 9))
    wide = np.longdouble
    for lower in (False, True):
        used = np.tril(a) if lower else a
        exact = used.astype(wide) @ b.astype(wide)
        product = blocked_product(a, b, lower_triangular=lower)
        allowed = product_rounding(n) * (np.abs(used) @ np.abs(b))
        assert np.all(np.abs(product.astype(wide) - exact) <= allowed)
        np.testing.assert_allclose(product, used @ b, rtol=1e-12, atol=1e-12)


def test_product_rounding_counts_blocks_not_columns():
    eps = np.finfo(np.float64).eps
    assert product_rounding(3) == 5 * eps  # one block: the classic (n + 2)ε
    # many blocks: far below one product's (n + 2)ε, and growing with n far more slowly
    assert product_rounding(12288) < (12288 + 2) * eps / 30
    assert product_rounding(4 * 12288) < 2 * product_rounding(12288)


def test_blocked_product_rejects_shapes_that_do_not_multiply():
    with pytest.raises(ValueError, match="do not multiply"):
        blocked_product(np.ones((3, 4)), np.ones((3, 4)))
