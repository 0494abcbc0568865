"""Eq. (7), Theorem 1 and Theorem 3 against direct and Monte-Carlo computations."""

import numpy as np
import pytest
import scipy.linalg
from lbr.errors import ConfigError
from lbr.spectral.alignment import alignment_at, alignment_table, whitened_class_sums
from lbr.spectral.denoising import denoising_alignment, screen_summary
from lbr.spectral.eigen import eigendecompose
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
from lbr.spectral.theorem1 import objective, solve_theorem1, supervised_residual

GEOMETRY = ImageGeometry(height=4, width=5, channels=2)


def _data(n=300, classes=3, balanced=False, seed=0):
    """Structured small images: class means plus correlated noise; X is D×N, centered."""
    rng = np.random.default_rng(seed)
    d = GEOMETRY.dimension
    labels = np.arange(n) % classes if balanced else rng.integers(0, classes, n)
    mixing = rng.standard_normal((d, d)) * np.linspace(2.0, 0.05, d)
    x = mixing @ rng.standard_normal((d, n)) + 0.8 * rng.standard_normal((d, classes))[:, labels]
    x -= x.mean(axis=1, keepdims=True)
    return x, np.eye(classes)[labels].T


def _spectrum(x, y):
    sigma = x @ x.T
    eigen = eigendecompose(sigma)
    return sigma, y @ x.T, y.sum(axis=1), eigen


def _direct_alignment(x, y, basis):
    """The authors' algorithm: N×K representation, QR, then ‖YᵀY q_k‖² per direction."""
    q, _ = np.linalg.qr(x.T @ basis)
    yy = y.T @ y
    numerators = np.sum((yy @ q) ** 2, axis=0)
    return np.cumsum(numerators) / numerators.sum()


def test_alignment_properties_and_forms():
    x, y = _data(balanced=True)
    sigma, m, n, eigen = _spectrum(x, y)
    table = alignment_table(whitened_class_sums(eigen.eigenvalues, eigen.eigenvectors, m), n)
    a = table["alignment_appendix"].to_numpy()
    assert np.all(np.diff(a) >= -1e-15) and a.min() >= 0 and a[-1] == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(table["alignment_proof"], a, atol=1e-12)  # balanced labels
    np.testing.assert_allclose(table["alignment_percent"], 100 * np.sqrt(a))


def test_proof_and_appendix_forms_differ_on_unbalanced_labels():
    x, y = _data(balanced=False)
    sigma, m, n, eigen = _spectrum(x, y)
    y = y[:, :]
    keep = (np.argmax(y, axis=0) != 0) | (np.arange(y.shape[1]) % 4 == 0)  # make class 0 rare
    x, y = x[:, keep], y[:, keep]
    x -= x.mean(axis=1, keepdims=True)
    sigma, m, n, eigen = _spectrum(x, y)
    table = alignment_table(whitened_class_sums(eigen.eigenvalues, eigen.eigenvectors, m), n)
    assert np.abs(table["alignment_proof"] - table["alignment_appendix"]).max() > 1e-4


def test_alignment_equals_direct_computation():
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    table = alignment_table(whitened_class_sums(eigen.eigenvalues, eigen.eigenvectors, m), n)
    np.testing.assert_allclose(
        table["alignment_appendix"], _direct_alignment(x, y, eigen.eigenvectors), atol=1e-8
    )


@pytest.mark.parametrize(
    "noise",
    [
        Masking(1, 0.3),
        Masking(2, 0.75),
        ChannelMasking(3, 0.5),
        Gaussian(0.7),
        SmoothGaussian(0.5, 1.5),
    ],
)
def test_denoising_alignment_equals_direct_computation(noise):
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    table = denoising_alignment(
        eigen.eigenvalues, eigen.eigenvectors, sigma, m, n, x.shape[1], noise, GEOMETRY
    )
    # Direct: the generalized problem in pixel space, then representation + QR on the samples.
    s, g = noise.mean_scale, noise.second_moment(sigma, x.shape[1], GEOMETRY)
    mu, v = scipy.linalg.eigh(s**2 * sigma @ sigma, g)
    direct = _direct_alignment(x, y, v[:, np.argsort(-mu)])
    np.testing.assert_allclose(table["alignment"], direct, atol=1e-8)


def test_fig7_relative_change_is_the_authors_percent_form():
    """Fig. 7's y axis the authors' way, from the N×D data: the noisy encoder's directions
    (Theorem 3, pixel space), the N×K representation, its QR, A% = 100·√(cumsum/total),
    then 100·(A%noisy − A%clean)/A%clean."""
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    noise = Masking(2, 0.6)
    table = denoising_alignment(
        eigen.eigenvalues, eigen.eigenvectors, sigma, m, n, x.shape[1], noise, GEOMETRY
    )
    s, g = noise.mean_scale, noise.second_moment(sigma, x.shape[1], GEOMETRY)
    mu, v = scipy.linalg.eigh(s**2 * sigma @ sigma, g)
    noisy = 100 * np.sqrt(_direct_alignment(x, y, v[:, np.argsort(-mu)]))
    clean = 100 * np.sqrt(_direct_alignment(x, y, eigen.eigenvectors))
    authors = 100 * (noisy - clean) / clean
    assert np.abs(authors).max() > 0.1  # the masking does move the alignment here
    np.testing.assert_allclose(table["relative_change_percent"], authors, atol=1e-6)
    ratio_form = table["relative_change_of_cumulative_ratio_percent"] / 100
    np.testing.assert_allclose(ratio_form, (1 + authors / 100) ** 2 - 1, atol=1e-8)


def test_screen_aggregates_over_the_k_range_fig7_plots():
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    table = denoising_alignment(
        eigen.eigenvalues, eigen.eigenvectors, sigma, m, n, x.shape[1], Masking(2, 0.6), GEOMETRY
    ).assign(dataset="toy", noise="masking", family="masking")
    largest = int(table["K"].max())  # 40 here: Fig. 7 starts at K = min(k_min, 20)
    for k_min, first in ((5, 5), (32, largest // 2)):
        screen = screen_summary(table, k_min).iloc[0]
        shown = table[table["K"] >= first]
        assert screen["first_k"] == first
        assert screen["best_relative_change_percent"] == shown["relative_change_percent"].max()
        assert screen["worst_relative_change_percent"] == shown["relative_change_percent"].min()
        assert screen["max_subspace_shift"] == shown["subspace_shift"].max()
    assert screen["max_abs_change_any_k"] == np.abs(table["change"]).max()
    # The K left out do change the answer here, so the test tells the two apart.
    every_k = table["relative_change_percent"]
    assert (every_k.max(), every_k.min()) != (
        screen["best_relative_change_percent"],
        screen["worst_relative_change_percent"],
    )


@pytest.mark.parametrize("sigma_noise", [0.01, 1.0, 30.0])
def test_gaussian_noise_changes_nothing_corollary_3_1(sigma_noise):
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    table = denoising_alignment(
        eigen.eigenvalues,
        eigen.eigenvectors,
        sigma,
        m,
        n,
        x.shape[1],
        Gaussian(sigma_noise),
        GEOMETRY,
    )
    assert np.abs(table["change"]).max() < 1e-8
    assert table["subspace_shift"].max() < 1e-8


def test_masking_moves_the_subspace():
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    table = denoising_alignment(
        eigen.eigenvalues, eigen.eigenvectors, sigma, m, n, x.shape[1], Masking(2, 0.5), GEOMETRY
    )
    assert table["subspace_shift"].max() > 1e-3 and np.abs(table["change"]).max() > 1e-4
    assert table["subspace_shift"].iloc[-1] == pytest.approx(0.0, abs=1e-10)  # full space: no shift


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


def test_patch_larger_than_image_is_refused():
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    with pytest.raises(ConfigError, match="larger than"):
        denoising_alignment(
            eigen.eigenvalues, eigen.eigenvectors, sigma, m, n, 300, Masking(5, 0.5), GEOMETRY
        )


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


def test_alignment_k_outside_range():
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    table = alignment_table(whitened_class_sums(eigen.eigenvalues, eigen.eigenvectors, m), n)
    with pytest.raises(ConfigError):
        alignment_at(table, 0)
    assert alignment_at(table, 10**6) == 1.0


# --- Theorem 1 -----------------------------------------------------------------------


def _theorem1_setup(d=6, n=40, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((d, n)) * np.linspace(3, 0.3, d)[:, None]
    y = np.eye(classes)[rng.integers(0, classes, n)].T
    eigen = eigendecompose(x @ x.T)
    return x, y, eigen


@pytest.mark.parametrize("lam", [0.0, 0.1, 1.0, 10.0])
@pytest.mark.parametrize("k", [1, 3])
def test_closed_form_is_the_minimum(lam, k):
    x, y, eigen = _theorem1_setup()
    sol = solve_theorem1(
        eigen.eigenvalues, eigen.eigenvectors, y @ x.T, float(np.sum(y**2)), lam, k
    )
    # The reported minimum equals the objective at V*, W*, Z*.
    assert objective(x, y, sol.encoder, sol.classifier, sol.decoder, lam) == pytest.approx(
        sol.loss, rel=1e-10
    )
    # Random perturbations never go below it.
    rng = np.random.default_rng(2)
    for _ in range(50):
        bumped = [
            p + 1e-2 * rng.standard_normal(p.shape)
            for p in (sol.encoder, sol.classifier, sol.decoder)
        ]
        assert objective(x, y, *bumped, lam) >= sol.loss - 1e-9


def test_adam_approaches_the_closed_form_from_above():
    from lbr.spectral.theorem1_adam import adam_trajectory

    x, y, eigen = _theorem1_setup()
    lam, k = 1.0, 3
    sol = solve_theorem1(
        eigen.eigenvalues, eigen.eigenvectors, y @ x.T, float(np.sum(y**2)), lam, k
    )
    losses = adam_trajectory(x, y, k, lam, steps=4000, learning_rate=0.02, seed=0)
    assert np.all(losses >= sol.loss * (1 - 1e-12))
    assert (losses[-1] - sol.loss) / sol.loss < 1e-5


def test_lambda_zero_is_least_squares_and_infinity_is_pca():
    x, y, eigen = _theorem1_setup()
    m, yy = y @ x.T, float(np.sum(y**2))
    # λ → 0 with K ≥ C: the supervised residual is that of least squares on all of X.
    beta, *_ = np.linalg.lstsq(x.T, y.T, rcond=None)
    least_squares = float(np.sum((x.T @ beta - y.T) ** 2))
    assert supervised_residual(
        eigen.eigenvalues, eigen.eigenvectors, m, yy, 0.0, 3
    ) == pytest.approx(least_squares, rel=1e-9)
    # λ → ∞: the encoder spans the top-K principal directions.
    sol = solve_theorem1(eigen.eigenvalues, eigen.eigenvectors, m, yy, 1e9, 2)
    pca = eigen.eigenvectors[:, :2]
    projector = sol.encoder @ np.linalg.pinv(sol.encoder)
    np.testing.assert_allclose(projector @ pca, pca, atol=1e-6)


def test_theorem1_bad_input():
    x, y, eigen = _theorem1_setup()
    with pytest.raises(ConfigError, match="K must be"):
        solve_theorem1(eigen.eigenvalues, eigen.eigenvectors, y @ x.T, 40.0, 1.0, 7)
    with pytest.raises(ConfigError, match="lambda"):
        solve_theorem1(eigen.eigenvalues, eigen.eigenvectors, y @ x.T, 40.0, -1.0, 2)
