"""The chunked statistics and the eigendecomposition against direct computations."""

import numpy as np
import pytest
from lbr.errors import ConfigError
from lbr.spectral.eigen import eigendecompose, explained_variance_table
from lbr.spectral.statistics import Preprocessing, accumulate_statistics, flatten_channel_first


def _direct(images, labels, num_classes, prep):
    """Materialize X (N×D float64) and apply docs/method.md's definitions literally."""
    x = flatten_channel_first(images).astype(np.float64)
    if prep.per_image_std:
        x = x / x.std(axis=1, ddof=1, keepdims=True)
    if prep.center:
        x = x - x.mean(axis=0)
    if prep.global_std:
        x = x / np.sqrt((x**2).mean())
    y = np.eye(num_classes)[labels]
    sigma = x.T @ x + len(x) * prep.jitter**2 * np.eye(x.shape[1])
    return sigma, y.T @ x


@pytest.fixture
def small_data():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(157, 4, 5, 3), dtype=np.uint8)
    labels = rng.integers(0, 4, size=157)
    return images, labels


@pytest.mark.parametrize(
    "prep",
    [
        Preprocessing(per_image_std=False, center=True, global_std=True, jitter=0.001),
        Preprocessing(per_image_std=True, center=True, global_std=False, jitter=0.0),
        Preprocessing(per_image_std=False, center=False, global_std=False, jitter=0.0),
        Preprocessing(per_image_std=True, center=False, global_std=True, jitter=0.1),
    ],
)
@pytest.mark.parametrize("chunk_size", [1, 10, 1000])
def test_statistics_match_direct_computation(small_data, prep, chunk_size):
    images, labels = small_data
    stats = accumulate_statistics(images, labels, 4, prep, chunk_size=chunk_size)
    sigma, class_sums = _direct(images, labels, 4, prep)
    scale = np.abs(sigma).max()
    np.testing.assert_allclose(stats.covariance, sigma, atol=1e-11 * scale)
    np.testing.assert_allclose(stats.class_sums, class_sums, atol=1e-11 * np.abs(class_sums).max())
    np.testing.assert_array_equal(stats.class_counts, np.bincount(labels, minlength=4))


def test_flattening_is_channel_first():
    images = np.arange(2 * 2 * 3 * 3, dtype=np.uint8).reshape(2, 2, 3, 3)
    flat = flatten_channel_first(images)
    # First D/C entries are channel 0 over all pixels, row-major.
    np.testing.assert_array_equal(flat[0, :6], images[0, :, :, 0].ravel())


def test_eigenpairs_reconstruct_covariance(small_data):
    images, labels = small_data
    stats = accumulate_statistics(images, labels, 4, Preprocessing(jitter=0.001))
    eigen = eigendecompose(stats.covariance)
    assert eigen.rank == stats.covariance.shape[0]
    assert np.all(np.diff(eigen.eigenvalues) <= 0)
    u, lam = eigen.eigenvectors, eigen.eigenvalues
    np.testing.assert_allclose(u.T @ u, np.eye(len(lam)), atol=1e-10)
    np.testing.assert_allclose((u * lam) @ u.T, stats.covariance, atol=1e-10 * lam[0])


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
    with pytest.raises(ConfigError, match="NaN"):
        eigendecompose(np.full((3, 3), np.nan))


def test_cuda_request_without_gpu_fails_clearly(small_data):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is visible")
    with pytest.raises(ConfigError, match="no GPU"):
        accumulate_statistics(*small_data, 4, Preprocessing(), device="cuda")
