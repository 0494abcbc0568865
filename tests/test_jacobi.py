"""The one-sided Jacobi SVD binding, its error certificate, and the graded generalized
eigensolver of Theorem 3 built on them."""

import mpmath
import numpy as np
import pytest
import scipy.linalg
import torch
from lbr.spectral import denoising, jacobi
from lbr.spectral.jacobi import jacobi_svd, jacobi_svd_nearly_orthogonal, multiplicative_error_bound
from scipy.linalg.lapack import dgejsv


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
    np.testing.assert_allclose(svd.s, s_ref, rtol=1e-13)
    np.testing.assert_allclose(np.abs(np.sum(svd.u * u_ref, axis=0)), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.abs(np.sum(svd.v * vt_ref.T, axis=0)), 1.0, atol=1e-12)
    np.testing.assert_allclose(a, (svd.u * svd.s) @ svd.v.T, atol=1e-13)


def test_relative_accuracy_on_a_graded_matrix_where_the_standard_svd_fails():
    f = _graded(shuffled=True)
    reference = _reference_singular_values(f)
    np.testing.assert_allclose(jacobi_svd(f).s, reference, rtol=1e-12)
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
    assert n > jacobi.PRODUCT_BLOCK
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
        np.testing.assert_allclose(np.abs(np.sum(svd.v * cold.v, axis=0)), 1.0, atol=1e-10)
        np.testing.assert_allclose(np.abs(np.sum(svd.u * cold.u, axis=0)), 1.0, atol=1e-10)
        np.testing.assert_allclose(svd.s, cold.s, rtol=1e-12)
        assert svd.sweeps < cold.sweeps


def test_graded_generalized_eigenvectors_against_high_precision():
    """Λ w = μ H w with μ spanning more than 15 decades: every μ and direction as a 50-digit solve gives."""
    rng = np.random.default_rng(2)
    n = 24
    eigenvalues = np.logspace(0, -10, n)
    e = rng.standard_normal((n, n)) / np.sqrt(n)
    h = np.eye(n) + 1e-3 * (e @ e.T) / np.sqrt(np.outer(eigenvalues, eigenvalues))
    w, bound = denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    assert bound < 1e-10
    with mpmath.workdps(50):  # μ: the eigenvalues of C = Λ^{1/2} H⁻¹ Λ^{1/2}
        root = mpmath.diag([mpmath.sqrt(mpmath.mpf(x)) for x in eigenvalues])
        c = root * mpmath.inverse(mpmath.matrix(h.tolist())) * root
        mu, z = mpmath.eigsy((c + c.T) / 2)
        order = sorted(range(n), key=lambda i: -mu[i])
        mu_exact = np.array([float(mu[i]) for i in order])
        # w ∝ H⁻¹Λ^{1/2} z: compare directions after normalizing in the H-norm
        w_exact = mpmath.inverse(mpmath.matrix(h.tolist())) * root * z
        w_exact = np.array([[float(w_exact[r, i]) for i in order] for r in range(n)])
    assert mu_exact[-1] / mu_exact[0] < 1e-15  # beyond what a standard solver resolves
    lam_w = eigenvalues[:, None] * w
    mu = np.sum(w * lam_w, axis=0) / np.sum(w * (h @ w), axis=0)
    np.testing.assert_allclose(mu, mu_exact, rtol=1e-10)
    w_exact /= np.sqrt(np.sum(w_exact * (h @ w_exact), axis=0))
    np.testing.assert_allclose(np.abs(np.sum(w * (h @ w_exact), axis=0)), 1.0, atol=1e-8)


def _mixed_problem(n=30):
    """Λ spanning six decades and H = I + a random PSD excess in whitened units."""
    eigenvalues = np.logspace(0, -6, n)
    rng = np.random.default_rng(3)
    e = rng.standard_normal((n, n)) / np.sqrt(n)
    return eigenvalues, np.eye(n) + 1e-2 * (e @ e.T) / np.sqrt(np.outer(eigenvalues, eigenvalues))


def test_falls_back_to_a_cold_start_when_the_defect_is_too_large(monkeypatch):
    eigenvalues, h = _mixed_problem()
    starts = []

    def recording(kind, solver):
        def record(*args):
            starts.append(kind)
            return solver(*args)

        return record

    monkeypatch.setattr(
        denoising, "certified_warm_svd", recording("warm", denoising.certified_warm_svd)
    )
    monkeypatch.setattr(denoising, "jacobi_svd", recording("cold", denoising.jacobi_svd))
    w_warm, _ = denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    assert starts == ["warm"]  # certified: no second solve
    starts.clear()
    monkeypatch.setattr(denoising, "WARM_START_TOLERANCE", 0.0)
    w_cold, _ = denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    assert starts == ["warm", "cold"]
    np.testing.assert_allclose(np.abs(np.sum(w_warm * (h @ w_cold), axis=0)), 1.0, atol=1e-10)


def test_the_rounding_allowance_alone_does_not_send_the_problem_to_a_cold_start(monkeypatch):
    """The bound's rounding allowance γ|F||V| grows like D^1.5 and a cold start carries
    the same (at D = 12 288 it alone is above 1e-8, and a cold start takes hours): only
    the defect (residual, orthogonality) decides. Tolerance between the two here."""
    eigenvalues, h = _mixed_problem()
    certificates = []

    def warm(*args):
        result = jacobi.certified_warm_svd(*args)
        certificates.append(result[1:])
        return result

    monkeypatch.setattr(denoising, "certified_warm_svd", warm)
    denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    [(bound, defect)] = certificates
    assert defect < bound / 2  # the allowance dominates (2e-11 against 2e-9 at D = 3072)

    def no_cold_start(*args):
        raise AssertionError("cold start")

    monkeypatch.setattr(denoising, "jacobi_svd", no_cold_start)
    monkeypatch.setattr(denoising, "WARM_START_TOLERANCE", np.sqrt(bound * defect))
    _, kept = denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    assert kept == bound  # recorded in full


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


def test_the_torch_front_gives_the_same_certified_result():
    """Cholesky, F, FᵀF and the eigensolve through torch (the GPU path), run here on the
    CPU: the certificate accepts its F and V₀, and the directions match LAPACK's."""
    eigenvalues = np.logspace(0, -8, 40)
    rng = np.random.default_rng(4)
    e = rng.standard_normal((40, 40)) / np.sqrt(40)
    h = np.eye(40) + 1e-3 * (e @ e.T) / np.sqrt(np.outer(eigenvalues, eigenvalues))
    w_lapack, bound_lapack = denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    w_torch, bound_torch = denoising._graded_generalized_eigenvectors(
        eigenvalues, h.copy(), torch.device("cpu")
    )
    assert max(bound_lapack, bound_torch) < denoising.WARM_START_TOLERANCE
    np.testing.assert_allclose(np.abs(np.sum(w_torch * (h @ w_lapack), axis=0)), 1.0, atol=1e-10)
    graded, warm = denoising._torch_front(h.copy(), np.sqrt(eigenvalues), torch.device("cpu"))
    reference, _ = denoising._lapack_front(h.copy(), np.sqrt(eigenvalues))
    np.testing.assert_allclose(np.tril(graded), np.tril(reference), rtol=1e-10, atol=0)
    assert warm.shape == (40, 40)


def test_the_torch_front_refuses_an_indefinite_h():
    h = np.diag([1.0, -1.0, 2.0])
    with pytest.raises(ArithmeticError, match="not positive definite"):
        denoising._torch_front(h, np.ones(3), torch.device("cpu"))
    with pytest.raises(ArithmeticError, match="not positive definite"):
        denoising._lapack_front(h.copy(), np.ones(3))


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
