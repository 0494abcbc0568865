"""The eigendecomposition: numerical-rank truncation is relative to λ₁ (the same kept
rank whatever the scale of Σ, on covariances built from known eigenvalues, scales 1e-12
to 1e12), eigenpairs that reconstruct Σ, and the explained-variance table."""

import numpy as np
import pytest
from lbr.errors import ConfigError, DataError
from lbr.spectral.eigen import eigendecompose, explained_variance_table
from lbr.spectral.statistics import Preprocessing, accumulate_statistics
from support import gamma, householder_orthogonality


def _covariance(values, seed=0):
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((len(values), len(values))))
    return (basis * values) @ basis.T, basis


@pytest.mark.parametrize("scale", [1e-12, 1e-6, 1.0, 1e6, 1e12])
def test_rank_is_relative_to_the_largest_eigenvalue(scale):
    values = scale * np.array([1.0, 0.5, 1e-3, 1e-7, 0.0, 0.0])
    sigma, basis = _covariance(values)
    eigen = eigendecompose(sigma, rtol=1e-5)
    assert eigen.rank == 3 and eigen.dropped == 3
    np.testing.assert_allclose(eigen.eigenvalues, values[:3], rtol=1e-8)
    # Columns are the known eigenvectors up to sign, in descending order.
    overlap = np.abs(basis[:, :3].T @ eigen.eigenvectors)
    np.testing.assert_allclose(overlap, np.eye(3), atol=1e-6)
    assert eigen.eigenvectors.flags.c_contiguous


def test_an_eigenvalue_exactly_at_the_tolerance_is_dropped():
    sigma = np.diag([4.0, 2.0, 1.0, 0.5])
    assert eigendecompose(sigma, rtol=0.25).eigenvalues.tolist() == [4.0, 2.0]  # 1.0 = 0.25·4
    assert eigendecompose(sigma, rtol=0.125).eigenvalues.tolist() == [4.0, 2.0, 1.0]
    assert eigendecompose(sigma, rtol=0.1).rank == 4
    assert eigendecompose(sigma, rtol=0.5).eigenvalues.tolist() == [4.0]


def test_one_positive_eigenvalue_is_enough():
    eigen = eigendecompose(np.diag([0.0, 2.0, -1e-18]))
    assert eigen.eigenvalues.tolist() == [2.0] and eigen.dropped == 2


def test_default_tolerance_is_1e_minus_10():
    sigma = np.diag([1.0, 2e-10, 5e-11])
    eigen = eigendecompose(sigma)
    assert eigen.eigenvalues.tolist() == [1.0, 2e-10] and eigen.dropped == 1


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.ones((2, 3)), "square"),
        (np.ones(3), "square"),
        (
            np.array([[1.0, np.nan], [np.nan, 1.0]]),
            "^covariance holds NaN or infinite values; check the dataset$",
        ),
        (np.array([[np.inf, 0.0], [0.0, 1.0]]), "NaN or infinite"),
        (np.zeros((3, 3)), "^covariance has no positive eigenvalue: the data are constant$"),
        (-np.eye(3), "no positive eigenvalue"),
    ],
)
def test_bad_covariances_are_refused(bad, message):
    # a malformed matrix is the caller's error; NaN or no variance is the data's
    with pytest.raises((ConfigError, DataError), match=message):
        eigendecompose(bad)


def test_explained_variance_table_by_hand():
    table = explained_variance_table(np.array([6.0, 3.0, 1.0]), 20.0)
    assert table["component"].tolist() == [1, 2, 3]
    assert table["eigenvalue"].tolist() == [6.0, 3.0, 1.0]
    np.testing.assert_allclose(table["explained_fraction"], [0.3, 0.15, 0.05])
    np.testing.assert_allclose(table["cumulative_fraction"], [0.3, 0.45, 0.5])


# --- on statistics of random images ---------------------------------------------------


@pytest.fixture
def small_data():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(157, 4, 5, 3), dtype=np.uint8)
    labels = rng.integers(0, 4, size=157)
    return images, labels


def test_eigenpairs_reconstruct_covariance(small_data):
    images, labels = small_data
    stats = accumulate_statistics(images, labels, 4, Preprocessing(jitter=0.001))
    eigen = eigendecompose(stats.covariance)
    assert eigen.rank == stats.covariance.shape[0]
    assert np.all(np.diff(eigen.eigenvalues) <= 0)
    u, lam = eigen.eigenvectors, eigen.eigenvalues
    d = len(lam)
    # eigh's Q is a product of Householder reflections (tridiagonalization, then the
    # tridiagonal solver's orthogonal updates): orthonormal to √D·γ_{D²} + the test's γ_D
    orthogonality = householder_orthogonality(d, d)
    np.testing.assert_allclose(u.T @ u, np.eye(d), atol=orthogonality)
    # backward stable: UΛUᵀ = Σ + ΔΣ, ‖ΔΣ‖ ≤ γ_{D²}‖Σ‖, plus U's departure and the product
    residual = (gamma(d * d) + orthogonality + gamma(d)) * lam[0]
    np.testing.assert_allclose((u * lam) @ u.T, stats.covariance, atol=residual)


def test_rank_deficient_covariance_is_truncated():
    # 2× nearest-neighbour upsampling: Σ has rank ≤ 16 in dimension 64, the rest is null space.
    rng = np.random.default_rng(1)
    small = rng.integers(0, 256, size=(200, 4, 4, 1), dtype=np.uint8)
    images = small.repeat(2, axis=1).repeat(2, axis=2)
    stats = accumulate_statistics(images, np.zeros(200, dtype=int), 1, Preprocessing())
    eigen = eigendecompose(stats.covariance, rtol=1e-10)
    assert eigen.rank == 16 and eigen.dropped == 48
    table = explained_variance_table(eigen.eigenvalues, np.trace(stats.covariance))
    assert table["cumulative_fraction"].iloc[-1] == pytest.approx(1.0, abs=1e-9)
    assert table["cumulative_fraction"].is_monotonic_increasing


def test_non_finite_covariance_is_refused():
    with pytest.raises(DataError, match="NaN"):
        eigendecompose(np.full((3, 3), np.nan))
