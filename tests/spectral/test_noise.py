"""Noise families: moments and samples against a brute-force patch mask built pixel by
pixel from (channel, row, column), never from the code's patch ids (borders, sides that
are not a multiple of the patch, non-square images, per-channel masks); moments against
Monte Carlo; the structured whitened excess against the dense product; names and specs."""

import itertools

import numpy as np
import pytest
from lbr.errors import ConfigError
from lbr.spectral.noise import (
    FAMILIES,
    ChannelMasking,
    Gaussian,
    ImageGeometry,
    Masking,
    Noise,
    SmoothGaussian,
    expand_noise_grid,
    noise_from_spec,
    noise_spec,
    table_columns,
)
from support import alignment_data as _data
from support import alignment_spectrum as _spectrum
from support import closed_form_geometry

GEOMETRY = closed_form_geometry()


def _pixels(geometry):
    """(channel, row, column) of every pixel, in the channel-first flattening."""
    return list(
        itertools.product(range(geometry.channels), range(geometry.height), range(geometry.width))
    )


def _brute_force_same_patch(geometry, patch, shared_channels=True):
    pixels = _pixels(geometry)
    same = np.zeros((len(pixels), len(pixels)), dtype=bool)
    for i, (ci, hi, wi) in enumerate(pixels):
        for j, (cj, hj, wj) in enumerate(pixels):
            same[i, j] = (
                hi // patch == hj // patch
                and wi // patch == wj // patch
                and (shared_channels or ci == cj)
            )
    return same


def _masking(patch, ratio, shared_channels=True):
    return Masking(patch, ratio) if shared_channels else ChannelMasking(patch, ratio)


CASES = [
    (ImageGeometry(5, 7, 2), 3, True),  # neither side a multiple of 3
    (ImageGeometry(5, 7, 2), 3, False),
    (ImageGeometry(4, 6, 1), 2, True),  # exact multiples
    (ImageGeometry(3, 8, 3), 3, False),  # patch equals the short side
    (ImageGeometry(6, 4, 2), 1, True),  # one pixel per patch
    (ImageGeometry(7, 5, 1), 4, True),  # tall image, remainder on both sides
]


@pytest.mark.parametrize("geometry, patch, shared", CASES)
def test_excess_moment_is_sigma_on_the_brute_force_patch_mask(geometry, patch, shared):
    d = geometry.dimension
    rng = np.random.default_rng(0)
    sigma = rng.standard_normal((d, d))
    sigma = sigma @ sigma.T
    ratio = 0.3
    noise = _masking(patch, ratio, shared)
    same = _brute_force_same_patch(geometry, patch, shared)
    expected = ratio / (1 - ratio) * np.where(same, sigma, 0.0)
    np.testing.assert_allclose(noise.excess_second_moment(sigma, 10, geometry), expected)
    g = noise.second_moment(sigma, 10, geometry)
    np.testing.assert_allclose(g, (1 - ratio) ** 2 * sigma + ratio * (1 - ratio) * (sigma * same))


@pytest.mark.parametrize("geometry, patch, shared", CASES)
def test_samples_drop_whole_brute_force_patches(geometry, patch, shared):
    d, draws, ratio = geometry.dimension, 4000, 0.4
    noise = _masking(patch, ratio, shared)
    x = np.arange(1, d + 1, dtype=float)[:, None] * np.ones((1, draws))
    noisy = noise.sample(x, geometry, np.random.default_rng(1))
    kept = noisy != 0
    np.testing.assert_array_equal(noisy[kept], x[kept])  # kept pixels are unchanged
    same = _brute_force_same_patch(geometry, patch, shared)
    together = (kept[:, None, :] == kept[None, :, :]).all(axis=2)
    # Pixels of one patch are kept or dropped together; two patches never always agree.
    np.testing.assert_array_equal(together, same)
    assert abs(1 - kept.mean() - ratio) < 0.02
    # Every patch, including the small border ones, is dropped at the same rate.
    per_pixel = 1 - kept.mean(axis=1)
    assert np.abs(per_pixel - ratio).max() < 0.05


def test_patch_larger_than_the_short_side_is_refused():
    geometry = ImageGeometry(3, 6, 1)
    Masking(3, 0.5).check(geometry)
    with pytest.raises(ConfigError, match="patch 4 is larger than the 3×6 images.*at most 3"):
        Masking(4, 0.5).check(geometry)
    with pytest.raises(ConfigError, match="larger than"):
        Masking(4, 0.5).excess_second_moment(np.eye(18), 1, geometry)


def test_masking_ratio_limits():
    Masking(1, 0.0)
    Masking(1, 0.999)
    for ratio in (1.0, -0.01):
        with pytest.raises(ConfigError, match=f"ratio must be in \\[0, 1\\), got {ratio}"):
            Masking(1, ratio)
    with pytest.raises(ConfigError, match="positive integer, got 0"):
        Masking(0, 0.5)


def test_names_families_and_mean_scale():
    assert Masking(2, 0.25).name == "masking_p2_r0.25" and Masking(2, 0.25).family == "masking"
    channel = ChannelMasking(2, 0.25)
    assert channel.name == "channel_masking_p2_r0.25" and channel.family == "channel_masking"
    assert Masking(2, 0.25).mean_scale == 0.75 and channel.mean_scale == 0.75
    assert Gaussian(0.5).name == "gaussian_s0.5" and Gaussian(0.5).family == "gaussian"
    assert Gaussian(0.5).mean_scale == 1.0
    assert SmoothGaussian(1.5, 2.0).name == "smooth_gaussian_s1.5_l2"


def test_gaussian_moments_by_hand():
    sigma = np.array([[2.0, 1.0], [1.0, 3.0]])
    geometry = ImageGeometry(1, 2, 1)
    noise = Gaussian(0.5)
    np.testing.assert_allclose(noise.excess_second_moment(sigma, 8, geometry), 2.0 * np.eye(2))
    np.testing.assert_allclose(noise.second_moment(sigma, 8, geometry), sigma + 2.0 * np.eye(2))
    x = np.zeros((2, 20000))
    noisy = noise.sample(x, geometry, np.random.default_rng(0))
    assert abs(noisy.std() - 0.5) < 0.01 and abs(noisy.mean()) < 0.01
    for bad in (0.0, -1.0):
        with pytest.raises(ConfigError, match="sigma must be > 0"):
            Gaussian(bad)


def test_smooth_gaussian_covariance_by_hand():
    geometry = ImageGeometry(2, 3, 2)
    noise = SmoothGaussian(sigma=1.5, length=1.5)
    omega = noise.covariance(geometry)
    for i, (ci, hi, wi) in enumerate(_pixels(geometry)):
        for j, (cj, hj, wj) in enumerate(_pixels(geometry)):
            distance2 = (hi - hj) ** 2 + (wi - wj) ** 2
            expected = 2.25 * np.exp(-distance2 / (2 * 1.5**2)) if ci == cj else 0.0
            assert omega[i, j] == pytest.approx(expected)
    np.testing.assert_allclose(noise.excess_second_moment(np.eye(12), 5, geometry), 5 * omega)
    draws = noise.sample(np.zeros((12, 20000)), geometry, np.random.default_rng(0))
    np.testing.assert_allclose(draws @ draws.T / 20000, omega, atol=0.15)
    SmoothGaussian(0.5, 0.5)  # lengths below one pixel are valid
    for sigma, length in ((0.0, 1.0), (1.0, 0.0), (-1.0, 1.0)):
        with pytest.raises(ConfigError, match="sigma > 0 and length > 0"):
            SmoothGaussian(sigma, length)


def test_geometry_dimension_and_coordinates():
    geometry = ImageGeometry(height=2, width=3, channels=2)
    assert geometry.dimension == 12
    c, h, w = geometry.coordinates()
    assert list(zip(c.tolist(), h.tolist(), w.tolist())) == _pixels(geometry)


def test_full_grid_expands_in_a_stable_order():
    grid = {
        "masking": {"patch_sizes": [2], "ratios": [0.5]},
        "channel_masking": {"patch_sizes": [1, 2], "ratios": [0.25]},
        "gaussian": {"sigmas": [0.1, 1.0]},
        "smooth_gaussian": {"sigmas": [1.0, 2.0], "lengths": [3.0]},
    }
    settings = expand_noise_grid(grid)
    assert list(settings) == [
        "masking_p2_r0.5",
        "channel_masking_p1_r0.25",
        "channel_masking_p2_r0.25",
        "gaussian_s0.1",
        "gaussian_s1",
        "smooth_gaussian_s1_l3",
        "smooth_gaussian_s2_l3",
    ]
    assert settings["channel_masking_p1_r0.25"] == ChannelMasking(1, 0.25)
    assert settings["smooth_gaussian_s2_l3"] == SmoothGaussian(2.0, 3.0)
    assert expand_noise_grid({}) == {}


def test_a_repeated_setting_is_refused():
    with pytest.raises(
        ConfigError, match="^the denoising grid names the same noise setting twice$"
    ):
        expand_noise_grid({"gaussian": {"sigmas": [1.0, 1.0]}})


@pytest.mark.parametrize(
    "noise", [Masking(3, 0.2), ChannelMasking(2, 0.5), Gaussian(0.3), SmoothGaussian(1.0, 2.0)]
)
def test_spec_round_trip(noise):
    spec = noise_spec(noise)
    assert spec["family"] == noise.family
    assert noise_from_spec(spec) == noise
    assert spec["family"] == noise.family  # the caller's dict is left intact


def test_a_masking_ratio_of_zero_costs_nothing(monkeypatch):
    """E = 0 exactly, and none of the per-patch work runs (it would multiply by 0)."""
    geometry = ImageGeometry(height=4, width=4, channels=3)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((geometry.dimension, 200))
    sigma = x @ x.T
    values, vectors = np.linalg.eigh(sigma)

    def refuse(*args, **kwargs):
        raise AssertionError("per-patch eigensolve ran for a ratio of 0")

    monkeypatch.setattr(np.linalg, "eigh", refuse)
    for noise in (Masking(2, 0.0), ChannelMasking(1, 0.0)):
        h = noise.whitened_excess(values, vectors, sigma, 200, geometry)
        assert h.shape == sigma.shape and not np.any(h)


@pytest.mark.parametrize(
    "noise",
    [
        Masking(1, 0.4),
        Masking(3, 0.6),
        ChannelMasking(2, 0.5),
        Gaussian(0.5),
        SmoothGaussian(0.8, 1.0),
    ],
)
# --- against Monte-Carlo and dense computations ---------------------------------------


def test_noise_moments_match_monte_carlo(noise):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((GEOMETRY.dimension, 4))
    draws = 20000
    mean, second = np.zeros_like(x), np.zeros((GEOMETRY.dimension,) * 2)
    for _ in range(draws):
        noisy = noise.sample(x, GEOMETRY, rng)
        mean += noisy
        second += noisy @ noisy.T
    mean, second = mean / draws, second / draws
    g = noise.second_moment(x @ x.T, x.shape[1], GEOMETRY)
    scale = np.abs(g).max()
    np.testing.assert_allclose(mean, noise.mean_scale * x, atol=0.05 * np.abs(x).max())
    np.testing.assert_allclose(second, g, atol=0.03 * scale)


def test_masking_patch_structure_with_remainder():
    mask = Masking(2, 0.5).same_patch(ImageGeometry(3, 3, 1))
    # 3×3 with patch 2: patches {0,1,3,4}, {2,5}, {6,7}, {8}: the border forms smaller patches.
    assert mask[0].nonzero()[0].tolist() == [0, 1, 3, 4]
    assert mask[8].nonzero()[0].tolist() == [8]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Masking(2, 1.0), "ratio"),
        (lambda: Masking(2, -0.1), "ratio"),
        (lambda: Masking(0, 0.5), "patch"),
        (lambda: Gaussian(0.0), "sigma"),
    ],
)
def test_bad_noise_parameters(make, message):
    with pytest.raises(ConfigError, match=message):
        make()


def test_noise_grid_names_are_unique_and_stable():
    grid = {"masking": {"patch_sizes": [1, 2], "ratios": [0.0, 0.5]}, "gaussian": {"sigmas": [1.0]}}
    assert list(expand_noise_grid(grid)) == [
        "masking_p1_r0",
        "masking_p1_r0.5",
        "masking_p2_r0",
        "masking_p2_r0.5",
        "gaussian_s1",
    ]


@pytest.mark.parametrize(
    "noise",
    [
        Masking(1, 0.4),
        Masking(3, 0.6),  # 4×5 images: border patches of sizes 3×2, 1×3 and 1×2
        ChannelMasking(2, 0.5),
        Masking(2, 0.0),
        Gaussian(0.5),
        SmoothGaussian(0.8, 1.5),
    ],
)
def test_whitened_excess_equals_the_dense_product(noise):
    """Each family's structured form of Λ^{-1/2}UᵀEUΛ^{-1/2} against the generic one."""
    x, y = _data()
    sigma, _, _, eigen = _spectrum(x, y)
    args = (eigen.eigenvalues, eigen.eigenvectors, sigma, x.shape[1], GEOMETRY)
    fast = noise.whitened_excess(*args)
    dense = Noise.whitened_excess(noise, *args)
    np.testing.assert_allclose(fast, dense, atol=1e-12 * np.abs(dense).max())
    np.testing.assert_array_equal(fast, fast.T)


def test_noise_registry_round_trip_and_one_spelling():
    grid = {
        "masking": {"patch_sizes": [2], "ratios": [0.5]},
        "channel_masking": {"patch_sizes": [2], "ratios": [0.5]},
        "gaussian": {"sigmas": [1.0]},
        "smooth_gaussian": {"sigmas": [1.0], "lengths": [2.0]},
    }
    settings = expand_noise_grid(grid)
    assert set(grid) == {family.family for family in FAMILIES}  # the test covers every family
    assert list(settings) == [
        "masking_p2_r0.5",
        "channel_masking_p2_r0.5",
        "gaussian_s1",
        "smooth_gaussian_s1_l2",
    ]
    for name, noise in settings.items():
        assert name.startswith(noise.family + "_")  # config key, family and name agree
        assert noise_from_spec(noise_spec(noise)) == noise
        assert set(noise.columns) <= set(table_columns())
    assert table_columns() == ("patch", "ratio", "sigma", "length")


def test_unknown_noise_family_is_refused():
    with pytest.raises(ConfigError, match="unknown noise families.*channelmasking"):
        expand_noise_grid({"channelmasking": {"patch_sizes": [2], "ratios": [0.5]}})
    with pytest.raises(ConfigError, match="unknown noise family"):
        noise_from_spec({"family": "smoothgaussian", "sigma": 1.0, "length": 2.0})
