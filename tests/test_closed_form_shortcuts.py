"""The shortcuts of Theorem 3's solver against the general path they replace: the
diagonal-H solution, the certificate that reuses the warm start's products, and
CholeskyQR2 in orthonormal_in_order."""

import numpy as np
import pytest
import scipy.linalg
from lbr.spectral import alignment, denoising
from lbr.spectral.alignment import orthonormal_in_order
from lbr.spectral.denoising import denoising_alignment, denoising_ordered_basis
from lbr.spectral.eigen import eigendecompose
from lbr.spectral.jacobi import (
    blocked_product,
    certified_warm_svd,
    departure_from_identity,
    jacobi_svd_nearly_orthogonal,
    multiplicative_error_bound,
)
from lbr.spectral.noise import Gaussian, ImageGeometry, Masking, Noise

GEOMETRY = ImageGeometry(height=4, width=5, channels=2)


def _householder_in_order(basis):
    q, r = np.linalg.qr(basis)
    return q * np.sign(np.diag(r))


def _general(eigenvalues, h):
    """The general path: graded eigensolver, then Householder QR."""
    w, bound = denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    return _householder_in_order(w), bound


class DiagonalExcess(Noise):
    """A noise whose whitened excess is a given diagonal (μ not monotone in λ)."""

    family = "test_diagonal"

    def __init__(self, diagonal):
        self.diagonal = diagonal

    def whitened_excess(self, eigenvalues, eigenvectors, sigma, n, geometry):
        return np.diag(self.diagonal)


def _spectrum(seed=0, decades=8):
    rng = np.random.default_rng(seed)
    d = GEOMETRY.dimension
    eigenvalues = np.logspace(0, -decades, d)
    vectors, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return eigenvalues, vectors, (vectors * eigenvalues) @ vectors.T


@pytest.mark.parametrize("kind", ["gaussian", "reordering", "ties"])
def test_diagonal_shortcut_equals_the_general_path(kind):
    eigenvalues, vectors, sigma = _spectrum()
    rng = np.random.default_rng(1)
    if kind == "gaussian":
        noise = Gaussian(0.3)
    elif kind == "reordering":  # μ = λ/h far from λ's order: the permutation matters
        noise = DiagonalExcess(rng.uniform(0, 1e9, len(eigenvalues)) * rng.random(len(eigenvalues)))
    else:  # two μ tie exactly: PCA's order is kept
        diagonal = np.zeros(len(eigenvalues))
        diagonal[3] = eigenvalues[3] / eigenvalues[4] - 1.0
        noise = DiagonalExcess(diagonal)
    ordered, bound = denoising_ordered_basis(eigenvalues, vectors, sigma, 500, noise, GEOMETRY)
    assert bound == 0.0
    h = noise.whitened_excess(eigenvalues, vectors, sigma, 500, GEOMETRY) + np.eye(len(sigma))
    mu = eigenvalues / h.diagonal()
    if kind == "reordering":
        assert np.any(np.diff(mu) > 0)  # not PCA's order, so a wrong permutation would show
        general, _ = _general(eigenvalues, h)
        np.testing.assert_allclose(ordered, general, atol=1e-10)
    if kind == "gaussian":
        np.testing.assert_array_equal(ordered, np.eye(len(sigma)))
    if kind == "ties":
        assert mu[3] == pytest.approx(mu[4], rel=1e-14)
        np.testing.assert_array_equal(np.argmax(ordered, axis=0)[:6], [0, 1, 2, 3, 4, 5])
    # The permutation carries μ in descending order.
    assert np.all(np.diff(mu[np.argmax(ordered, axis=0)]) <= 1e-12 * mu.max())


def test_diagonal_shortcut_not_taken_for_a_non_diagonal_h(monkeypatch):
    eigenvalues, vectors, sigma = _spectrum()
    calls = []
    real = denoising._graded_generalized_eigenvectors
    monkeypatch.setattr(
        denoising,
        "_graded_generalized_eigenvectors",
        lambda *a: calls.append(1) or real(*a),
    )
    denoising_ordered_basis(eigenvalues, vectors, sigma, 500, Masking(2, 0.5), GEOMETRY)
    assert calls == [1]
    calls.clear()
    denoising_ordered_basis(eigenvalues, vectors, sigma, 500, Masking(2, 0.0), GEOMETRY)
    denoising_ordered_basis(eigenvalues, vectors, sigma, 500, Gaussian(2.0), GEOMETRY)
    assert calls == []  # H = I and H diagonal: the exact permutation


def test_gaussian_table_is_pca_exactly():
    rng = np.random.default_rng(5)
    x = (
        rng.standard_normal((GEOMETRY.dimension, 200))
        * np.linspace(3, 0.1, GEOMETRY.dimension)[:, None]
    )
    labels = rng.integers(0, 3, 200)
    x -= x.mean(axis=1, keepdims=True)
    y = np.eye(3)[labels].T
    sigma = x @ x.T
    eigen = eigendecompose(sigma)
    table = denoising_alignment(
        eigen.eigenvalues,
        eigen.eigenvectors,
        sigma,
        y @ x.T,
        y.sum(axis=1),
        200,
        Gaussian(0.5),
        GEOMETRY,
    )
    assert np.all(table["change"] == 0.0) and np.all(table["subspace_shift"] == 0.0)


def _graded(n=60, decades=15, mixing=0.3, shuffled=False, seed=0):
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
    f = _graded(decades=decades, mixing=mixing, shuffled=shuffled)
    _, warm = scipy.linalg.eigh(f.T @ f)
    svd, bound, defect = certified_warm_svd(f, warm)
    assert 0 < defect <= bound
    reference = jacobi_svd_nearly_orthogonal(blocked_product(f, warm, lower_triangular=True), warm)
    np.testing.assert_allclose(svd.s, reference.s, rtol=1e-13)
    np.testing.assert_allclose(np.abs(np.sum(svd.u * reference.u, axis=0)), 1.0, atol=1e-10)
    separate = multiplicative_error_bound(f, svd, lower_triangular=True)
    assert bound == pytest.approx(separate, rel=0.2)
    exact = np.linalg.svd(f.astype(np.longdouble).astype(np.float64), compute_uv=False)
    if decades <= 8:  # where a standard SVD is itself accurate: the bound covers the error
        assert np.max(np.abs(svd.s / exact - 1)) <= bound


def test_certified_warm_svd_sees_a_bad_u():
    """A wrong left vector must raise the bound: the reused Gram term is live."""
    f = _graded(decades=6, mixing=1.0)
    _, warm = scipy.linalg.eigh(f.T @ f)
    _, good, good_defect = certified_warm_svd(f, warm)
    skewed = warm.copy()
    skewed[:, 0] += 1e-6 * skewed[:, 1]  # V₀ no longer orthogonal, and F·V₀'s columns neither
    _, bad, bad_defect = certified_warm_svd(f, skewed)
    assert bad > 1e3 * good
    assert bad_defect > 1e3 * good_defect  # a defect of the solve, not of rounding


@pytest.mark.parametrize("decades", [0, 2, 4])
def test_cholesky_qr_in_order_equals_householder(decades):
    rng = np.random.default_rng(decades)
    basis = rng.standard_normal((80, 80)) * np.logspace(0, -decades, 80)
    q = orthonormal_in_order(basis)
    np.testing.assert_allclose(q, _householder_in_order(basis), atol=1e-12)
    # The code's own acceptance criterion, not what one BLAS kernel happens to round to.
    assert np.linalg.norm(q.T @ q - np.eye(80)) <= alignment.ORTHONORMAL_TOLERANCE


def test_ill_conditioned_basis_falls_back_to_householder(monkeypatch):
    basis = np.random.default_rng(0).standard_normal((40, 40)) * np.logspace(0, -12, 40)
    calls = []
    monkeypatch.setattr(np.linalg, "qr", lambda a: calls.append(1) or scipy.linalg.qr(a))
    q = orthonormal_in_order(basis)
    assert calls == [1]
    np.testing.assert_allclose(q.T @ q, np.eye(40), atol=1e-13)
    assert alignment.CHOLESKY_QR_MAX_CONDITION < 1e12


def _cholesky_passes(monkeypatch):
    calls = []
    original = alignment._cholesky_qr
    monkeypatch.setattr(
        alignment, "_cholesky_qr", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    return calls


def test_a_well_conditioned_basis_takes_one_cholesky_pass(monkeypatch):
    basis = np.random.default_rng(1).standard_normal((120, 120)) + 30.0 * np.eye(120)
    calls = _cholesky_passes(monkeypatch)
    q = orthonormal_in_order(basis)
    assert calls == [1]
    np.testing.assert_allclose(q, _householder_in_order(basis), atol=1e-12)
    assert np.linalg.norm(q.T @ q - np.eye(120)) <= alignment.ORTHONORMAL_TOLERANCE


def test_a_first_pass_short_of_orthonormal_gets_the_second(monkeypatch):
    """cond ≈ 3e3, not from column scaling (which Cholesky QR shrugs off): one pass
    leaves ‖QᵀQ − I‖ near 4e-10, so the measured check must send it on."""
    rng = np.random.default_rng(2)
    left, _ = np.linalg.qr(rng.standard_normal((100, 100)))
    right, _ = np.linalg.qr(rng.standard_normal((100, 100)))
    basis = left * np.logspace(0, -3.5, 100) @ right
    first, _ = alignment._cholesky_qr(np.asfortranarray(basis))
    assert np.linalg.norm(first.T @ first - np.eye(100)) > 100 * alignment.ORTHONORMAL_TOLERANCE
    calls = _cholesky_passes(monkeypatch)
    q = orthonormal_in_order(basis)
    assert calls == [1, 1]
    assert np.linalg.norm(q.T @ q - np.eye(100)) <= alignment.ORTHONORMAL_TOLERANCE
    np.testing.assert_allclose(q, _householder_in_order(basis), atol=1e-9)


def test_departure_from_identity_reads_the_upper_triangle_exactly():
    gram = np.triu(np.eye(4) + np.arange(16.0).reshape(4, 4) * 1e-20)
    gram[0, 0] += 3e-16
    expected = np.linalg.norm(gram + np.triu(gram, 1).T - np.eye(4))
    assert departure_from_identity(gram) == pytest.approx(expected, rel=1e-12)
    assert gram[0, 0] == 1.0 + 3e-16  # restored
