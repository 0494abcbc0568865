"""The one-sided Jacobi SVD and its error certificate: against LAPACK and a
high-relative-accuracy reference (dgejsv); edges through its public functions;
LAPACK's failure codes (through a stand-in for dgesvj that reports them, since a real
non-convergence is not cheap to provoke), ties, negative cosines, float32 starts; the
certificate that reuses the warm start's products against the separate solve and
certificate. The products it counts the rounding of: tests/spectral/test_blas.py."""

import ctypes

import numpy as np
import pytest
import scipy.linalg
from lbr.spectral import blas, jacobi
from lbr.spectral.blas import blocked_product
from lbr.spectral.jacobi import (
    JacobiSVD,
    _departure_from_orthonormal,
    certified_warm_svd,
    departure_from_identity,
    jacobi_svd,
    jacobi_svd_nearly_orthogonal,
    multiplicative_error_bound,
)
from scipy.linalg.lapack import dgejsv
from support import gamma, singular_vector_cosine_bound


def _graded(n=60, decades=15, mixing=0.3, shuffled=False, seed=0):
    """F = B·D: B = I + mixing·noise (condition number grows with mixing) times column
    scales spanning `decades` decades, in order or shuffled."""
    rng = np.random.default_rng(seed)
    b = np.eye(n) + mixing * rng.standard_normal((n, n)) / np.sqrt(n)
    f = b * np.logspace(0, -decades, n)
    return f[:, rng.permutation(n)] if shuffled else f


def _reference_singular_values(f):
    """dgejsv: an independent high-relative-accuracy algorithm (QR with pivoting + Jacobi)."""
    s, *_ = dgejsv(f, joba=2, jobu=3, jobv=3, jobr=1, jobt=1, jobp=1)
    return np.sort(s)[::-1]


def test_matches_lapack_svd_on_a_plain_matrix():
    a = np.random.default_rng(1).standard_normal((50, 30))
    svd = jacobi_svd(a)
    u_ref, s_ref, vt_ref = np.linalg.svd(a, full_matrices=False)
    m, n = a.shape
    # Weyl: two backward-stable SVDs (error γ_{mn}‖A‖₂ each) move each σ by at most that
    np.testing.assert_allclose(svd.s, s_ref, rtol=0, atol=2 * gamma(m * n) * s_ref[0])
    # Wedin: sin θ ≤ 2γ_{mn}‖A‖/gap (gap to the other σ and to 0), 1 − |cos| ≤ sin²θ
    gap = min(np.min(-np.diff(s_ref)), s_ref[-1])
    cosine = (2 * gamma(m * n) * s_ref[0] / gap) ** 2 + gamma(m)
    np.testing.assert_allclose(np.abs(np.sum(svd.u * u_ref, axis=0)), 1.0, atol=cosine)
    np.testing.assert_allclose(np.abs(np.sum(svd.v * vt_ref.T, axis=0)), 1.0, atol=cosine)
    # the certified multiplicative error η, relative to ‖A‖₂, plus the test's n-term product
    residual = (multiplicative_error_bound(a, svd) + gamma(n)) * s_ref[0]
    np.testing.assert_allclose(a, (svd.u * svd.s) @ svd.v.T, atol=residual)


def test_relative_accuracy_on_a_graded_matrix_where_the_standard_svd_fails():
    f = _graded(shuffled=True)
    reference = _reference_singular_values(f)
    svd = jacobi_svd(f)
    # the certified multiplicative bound, once for Jacobi and once (taken equal) for
    # dgejsv: ~1e-13, against the standard SVD's > 1e-4 below
    np.testing.assert_allclose(svd.s, reference, rtol=2 * multiplicative_error_bound(f, svd))
    standard = np.linalg.svd(f, compute_uv=False)
    assert np.max(np.abs(standard / reference - 1)) > 1e-4  # the test can tell them apart


@pytest.mark.parametrize(
    "mixing, decades, shuffled",
    [(0.3, 8, False), (1.0, 15, False), (0.3, 15, True), (1.0, 15, True), (3.0, 15, True)],
)
def test_error_bound_covers_the_actual_error(mixing, decades, shuffled):
    """Cold, warm and partial warm starts: the certificate is never below the true
    relative error, including where a warm start loses accuracy (shuffled grading)."""
    f = _graded(decades=decades, mixing=mixing, shuffled=shuffled)
    reference = _reference_singular_values(f)
    _, warm = scipy.linalg.eigh(f.T @ f)
    for svd in (
        jacobi_svd(f),
        jacobi_svd(f @ warm, start=warm),
        jacobi_svd_nearly_orthogonal(f @ warm, warm),
    ):
        error = np.max(np.abs(svd.s / reference - 1))
        assert error <= multiplicative_error_bound(f, svd)


@pytest.mark.parametrize("shuffled", [False, True])
def test_error_bound_covers_the_actual_error_across_product_blocks(shuffled):
    """n = 600 > PRODUCT_BLOCK: the certificate's products are blocked and its rounding
    allowance is the blocked one (259ε, not 402ε), and it still covers the true relative
    error of every singular value, warm started as the solver does and cold, with the
    grading in column order (as the solver's F has it) and shuffled."""
    n = 400
    assert n > blas.PRODUCT_BLOCK
    rng = np.random.default_rng(4)
    scales = np.logspace(0, -12, n)  # F = B·D, B unit lower triangular and well conditioned
    f = np.tril(np.eye(n) + 0.5 * rng.standard_normal((n, n)) / np.sqrt(n))
    f *= rng.permutation(scales) if shuffled else scales
    reference = _reference_singular_values(f)
    _, warm = scipy.linalg.eigh(f.T @ f)
    svd, bound, _ = jacobi.certified_warm_svd(f, warm)
    cold = jacobi_svd(f)
    cold_bound = multiplicative_error_bound(f, cold, lower_triangular=True)
    for computed, certified in ((svd, bound), (cold, cold_bound)):
        assert np.max(np.abs(computed.s / reference - 1)) <= certified
    assert cold_bound < 1e-9


def test_start_matrix_carries_the_rotations():
    f = _graded(decades=6)
    _, warm = scipy.linalg.eigh(f.T @ f)
    cold = jacobi_svd(f)
    for svd in (jacobi_svd(f @ warm, start=warm), jacobi_svd_nearly_orthogonal(f @ warm, warm)):
        # both certified: η summed over the two SVDs bounds σ and the vectors' angles
        eta = multiplicative_error_bound(f, svd) + multiplicative_error_bound(f, cold)
        cosine = singular_vector_cosine_bound(cold.s, eta, f.shape[0])
        np.testing.assert_array_less(1 - np.abs(np.sum(svd.v * cold.v, axis=0)), cosine)
        np.testing.assert_array_less(1 - np.abs(np.sum(svd.u * cold.u, axis=0)), cosine)
        np.testing.assert_allclose(svd.s, cold.s, rtol=eta)
        assert svd.sweeps < cold.sweeps


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (np.zeros((3, 5)), ValueError, "m ≥ n"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), ValueError, "NaN"),
        (np.array([[1.0, 0.0], [2.0, 0.0]]), ArithmeticError, "column rank 1"),
    ],
)
def test_bad_input(bad, error, message):
    with pytest.raises(error, match=message):
        jacobi_svd(bad)


def test_triangular_certificate_equals_the_general_one():
    """multiplicative_error_bound(lower_triangular=True) uses trmm for the products: same
    bound as the general path on a lower-triangular graded matrix, and it covers the error."""
    f = np.tril(_graded(decades=12, mixing=1.0))
    _, warm = scipy.linalg.eigh(f.T @ f)
    svd = jacobi_svd_nearly_orthogonal(f @ warm, warm)
    general = multiplicative_error_bound(f, svd)
    triangular = multiplicative_error_bound(np.asfortranarray(f), svd, lower_triangular=True)
    assert triangular == pytest.approx(general, rel=0.1)
    error = np.max(np.abs(svd.s / _reference_singular_values(f) - 1))
    assert error <= triangular


def test_departure_from_orthonormal_has_no_cancellation():
    """‖QᵀQ − I‖ of an orthogonal Q is rounding-sized: summing the off-diagonal squares
    directly, not as (all squares − diagonal squares), which cancels to NaN or ~1e-7."""
    from lbr.spectral.jacobi import _departure_from_orthonormal

    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((100, 100)))
    departure = _departure_from_orthonormal(q)
    assert np.isfinite(departure) and departure < 1e-12


# --- edges through the public functions: one column, inputs left untouched, integer
# input, already-orthogonal columns, the error bound on a hand-written diagonal
# example ------------------------------------------------------------------------------


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
    weyl = 2 * gamma(a.size) * np.linalg.norm(a, 2)  # two backward-stable SVDs
    np.testing.assert_allclose(svd.s, np.linalg.svd(a, compute_uv=False), rtol=0, atol=weyl)
    integers = jacobi_svd(a_copy.astype(np.int64), start_copy.astype(np.float32))
    # another start, same A: both certified, within η₁ + η₂ (a wrong dtype path is O(1))
    eta = multiplicative_error_bound(a, svd) + multiplicative_error_bound(a, integers)
    np.testing.assert_allclose(integers.s, svd.s, rtol=eta)
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
    weyl = 2 * gamma(mixed.size) * np.linalg.norm(mixed, 2)  # two backward-stable SVDs
    np.testing.assert_allclose(svd.s, np.linalg.svd(mixed, compute_uv=False), rtol=0, atol=weyl)


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


# --- LAPACK's failure codes, ties between singular values, negative cosines, float32
# start matrices, a general matrix in the error bound, ‖QᵀQ − I‖ on a hand-written Q ---


def _fake_dgesvj(monkeypatch, info: int, rank: float):
    """dgesvj that only reports INFO (and WORK(2), the rank), leaving A as it is."""

    def call(*args):
        work = ctypes.cast(args[11], ctypes.POINTER(ctypes.c_double))
        work[0], work[1] = 1.0, rank
        args[-1]._obj.value = info  # the c_int behind ctypes.byref(info)

    monkeypatch.setattr(blas, "_dgesvj", lambda: call)


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

    monkeypatch.setattr(blas, "_dgesvj", lambda: call)
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
    weyl = 2 * gamma(a.size) * np.linalg.norm(a, 2)  # two backward-stable SVDs
    np.testing.assert_allclose(svd.s, np.linalg.svd(a, compute_uv=False), rtol=0, atol=weyl)
    # U's departure from orthonormal is one term of the certified η; + the 3-term product
    orthogonality = multiplicative_error_bound(a, svd) + gamma(3)
    np.testing.assert_allclose(svd.u.T @ svd.u, np.eye(2), atol=orthogonality)


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
    # exact: dyadic entries, so QᵀQ − I and its squares are exact and sqrt correctly rounded
    assert _departure_from_orthonormal(q) == np.sqrt(2 * t**2 + t**4)
    q = np.array([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]])  # QᵀQ − I = diag(3, 0)
    assert _departure_from_orthonormal(q) == 3.0  # exact, as above


# --- the certificate that reuses the warm start's products, against the separate
# solve and certificate ----------------------------------------------------------------


def _lower_graded(n=60, decades=15, mixing=0.3, shuffled=False, seed=0):
    rng = np.random.default_rng(seed)
    b = np.eye(n) + mixing * rng.standard_normal((n, n)) / np.sqrt(n)
    f = b * np.logspace(0, -decades, n)
    f = f[:, rng.permutation(n)] if shuffled else f
    return np.asfortranarray(np.tril(f))


@pytest.mark.parametrize(
    "mixing, decades, shuffled",
    [(0.3, 8, False), (1.0, 15, False), (0.3, 15, True), (3.0, 15, True), (0.0, 4, False)],
)
def test_certified_warm_svd_equals_the_separate_solve_and_certificate(mixing, decades, shuffled):
    f = _lower_graded(decades=decades, mixing=mixing, shuffled=shuffled)
    _, warm = scipy.linalg.eigh(f.T @ f)
    svd, bound, defect = certified_warm_svd(f, warm)
    assert 0 < defect <= bound
    reference = jacobi_svd_nearly_orthogonal(blocked_product(f, warm, lower_triangular=True), warm)
    # both certified: η summed over the two SVDs bounds σ and the left vectors' angles
    eta = bound + multiplicative_error_bound(f, reference, lower_triangular=True)
    np.testing.assert_allclose(svd.s, reference.s, rtol=eta)
    cosine = singular_vector_cosine_bound(reference.s, eta, f.shape[0])
    np.testing.assert_array_less(1 - np.abs(np.sum(svd.u * reference.u, axis=0)), cosine)
    separate = multiplicative_error_bound(f, svd, lower_triangular=True)
    assert bound == pytest.approx(separate, rel=0.2)
    exact = np.linalg.svd(f.astype(np.longdouble).astype(np.float64), compute_uv=False)
    if decades <= 8:  # where a standard SVD is itself accurate: the bound covers the error
        assert np.max(np.abs(svd.s / exact - 1)) <= bound


def test_certified_warm_svd_sees_a_bad_u():
    """A wrong left vector must raise the bound: the reused Gram term is live."""
    f = _lower_graded(decades=6, mixing=1.0)
    _, warm = scipy.linalg.eigh(f.T @ f)
    _, good, good_defect = certified_warm_svd(f, warm)
    skewed = warm.copy()
    skewed[:, 0] += 1e-6 * skewed[:, 1]  # V₀ no longer orthogonal, and F·V₀'s columns neither
    _, bad, bad_defect = certified_warm_svd(f, skewed)
    assert bad > 1e3 * good
    assert bad_defect > 1e3 * good_defect  # a defect of the solve, not of rounding


def test_departure_from_identity_reads_the_upper_triangle_exactly():
    gram = np.triu(np.eye(4) + np.arange(16.0).reshape(4, 4) * 1e-20)
    gram[0, 0] += 3e-16
    expected = np.linalg.norm(gram + np.triu(gram, 1).T - np.eye(4))
    # two 16-term sums of squares in different orders (γ_16 each); reading the zero lower
    # triangle instead would be ~1e-8 off
    assert departure_from_identity(gram) == pytest.approx(expected, rel=2 * gamma(16))
    assert gram[0, 0] == 1.0 + 3e-16  # restored
