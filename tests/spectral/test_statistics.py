"""The chunked statistics against direct computations: Σ, the class sums, and the mean and
scale of the training pixels."""

import numpy as np
import pytest
from lbr.errors import ConfigError, DataError
from lbr.spectral.statistics import (
    Preprocessing,
    accumulate_statistics,
    flatten_channel_first,
)
from support import gamma


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
    n, d = images.shape[0], images[0].size
    # δ, each preprocessed pixel's relative error: per-image std (2D terms), centring (an
    # N-term mean; RMS |x|/|z| ≤ 2, counted 4), global std (N·D squares): γ_{2D+4N+ND}.
    # A Σ entry is within γ_N|Z|ᵀ|Z| + 2δ|Z|ᵀ|Z| ≤ (γ_N + 2δ)·max Σ (Cauchy–Schwarz), for
    # either computation; a class sum within that times Σ_class|z| ≤ √(N·max Σ).
    bound = 2 * gamma(n + 2 * (2 * d + 4 * n + n * d))
    np.testing.assert_allclose(stats.covariance, sigma, atol=bound * scale)
    np.testing.assert_allclose(stats.class_sums, class_sums, atol=bound * np.sqrt(n * scale))
    np.testing.assert_array_equal(stats.class_counts, np.bincount(labels, minlength=4))


def test_flattening_is_channel_first():
    images = np.arange(2 * 2 * 3 * 3, dtype=np.uint8).reshape(2, 2, 3, 3)
    flat = flatten_channel_first(images)
    # First D/C entries are channel 0 over all pixels, row-major.
    np.testing.assert_array_equal(flat[0, :6], images[0, :, :, 0].ravel())


def test_cuda_request_without_gpu_fails_clearly(small_data):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is visible")
    with pytest.raises(ConfigError, match="no GPU"):
        accumulate_statistics(*small_data, 4, Preprocessing(), device="cuda")


# --- the mean and scale of the training pixels, against the pixels themselves ---------


H, W, C = 3, 4, 2
D = H * W * C


def _images(n=60, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, H, W, C), dtype=np.uint8)
    return images, rng.integers(0, 3, n)


def _flat(images):
    return np.stack([images[..., c].reshape(len(images), -1) for c in range(C)], 1).reshape(
        len(images), -1
    )


@pytest.mark.parametrize("per_image_std", [False, True])
@pytest.mark.parametrize("center, global_std", [(True, True), (False, True), (True, False)])
def test_mean_and_scale_are_those_of_the_training_pixels(per_image_std, center, global_std):
    images, labels = _images()
    prep = Preprocessing(per_image_std=per_image_std, center=center, global_std=global_std)
    stats = accumulate_statistics(images, labels, 3, prep, chunk_size=7)
    x = _flat(images).astype(np.float64)
    if per_image_std:
        x = x / x.std(axis=1, ddof=1, keepdims=True)
    mean = x.mean(axis=0) if center else np.zeros(D)
    n = len(images)
    # an N-term mean of pixels each divided by a 2D-term per-image std, in both computations
    np.testing.assert_allclose(stats.mean, mean, rtol=2 * gamma(n + 2 * D + 4), atol=0)
    scale = np.sqrt(((x - mean) ** 2).mean()) if global_std else 1.0
    # the root of an N·D-term mean of squares of centred pixels (the mean's error counted 4×)
    assert stats.scale == pytest.approx(scale, rel=2 * gamma(n * D + 2 * D + 4 * n))
    # preprocessing a sample with the returned mean and scale gives Σ's vectors
    z = prep.apply(_flat(images).astype(np.float64), stats.mean, stats.scale)
    np.testing.assert_allclose(z.T @ z, stats.covariance, rtol=1e-9, atol=1e-9 * D)
    assert stats.class_counts.dtype == np.int64


def test_per_image_std_divides_images_whose_std_is_below_one():
    images, labels = _images()
    images = (images > 127).astype(np.uint8)  # pixel values 0 and 1: std ≈ 0.5
    prep = Preprocessing(per_image_std=True, center=False, global_std=False)
    stats = accumulate_statistics(images, labels, 3, prep)
    x = _flat(images).astype(np.float64)
    x = x / x.std(axis=1, ddof=1, keepdims=True)
    # non-negative pixels: each entry an N-term sum within γ_N, its pixels divided by a
    # 2D-term std (2γ_{2D+4} for the product of two), in each of the two computations
    np.testing.assert_allclose(stats.covariance, x.T @ x, rtol=2 * gamma(len(x) + 4 * D + 8))


def test_zero_variance_pixels_and_empty_sets_are_refused():
    constant = np.full((5, H, W, C), 7, dtype=np.uint8)
    zero = r"^the training pixels have zero variance: cannot divide by the global std$"
    with pytest.raises(DataError, match=zero):
        accumulate_statistics(constant, np.zeros(5, int), 1, Preprocessing())
    with pytest.raises(DataError, match="^cannot compute statistics of an empty training set$"):
        accumulate_statistics(constant[:0], np.zeros(0, int), 1, Preprocessing())
    with pytest.raises(ConfigError, match="jitter must be >= 0"):
        Preprocessing(jitter=-0.1)
    # a constant image is left unscaled by the per-image std
    stats = accumulate_statistics(
        constant, np.zeros(5, int), 1, Preprocessing(per_image_std=True, global_std=False)
    )
    np.testing.assert_allclose(stats.mean, 7.0)


def test_a_single_image_is_enough_without_centering():
    images, labels = _images(1)
    prep = Preprocessing(center=False, global_std=False)
    stats = accumulate_statistics(images, labels, 3, prep)
    x = _flat(images)[0].astype(np.float64)
    # exact: one product of two pixel values (integers ≤ 255) per entry, nothing summed
    np.testing.assert_array_equal(stats.covariance, np.outer(x, x))
    assert stats.scale == 1.0 and not stats.mean.any()
