"""The spectrum cache, the statistics' mean and scale, and the Theorem 1 and Theorem 3
tables, against direct N×D computations on tiny data."""

import numpy as np
import pandas as pd
import pytest
from lbr import __version__
from lbr.data.format import ImageDataset, write_dataset
from lbr.errors import ConfigError, DataError
from lbr.layout import SPECTRUM_FILES
from lbr.spectral.cache import Spectrum, compute_spectrum, read_spectrum, write_spectrum
from lbr.spectral.denoising import screen_summary, spectrum_denoising, subspace_shift
from lbr.spectral.eigen import eigendecompose
from lbr.spectral.noise import Gaussian, Masking
from lbr.spectral.statistics import (
    Preprocessing,
    SpectralStatistics,
    accumulate_statistics,
    resolve_device,
)
from lbr.spectral.theorem1 import interpolation_table, solve_theorem1, supervised_residual
from lbr.spectral.theorem1_adam import adam_grid, adam_trajectory

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
    np.testing.assert_allclose(stats.mean, mean, rtol=1e-12, atol=1e-12)
    scale = np.sqrt(((x - mean) ** 2).mean()) if global_std else 1.0
    assert stats.scale == pytest.approx(scale, rel=1e-12)
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
    np.testing.assert_allclose(stats.covariance, x.T @ x, rtol=1e-10)


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
    np.testing.assert_allclose(stats.covariance, np.outer(x, x), rtol=1e-12)
    assert stats.scale == 1.0 and not stats.mean.any()


def test_device_names():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type in ("cpu", "cuda")
    with pytest.raises(ConfigError, match="unknown device 'tpu'"):
        resolve_device("tpu")


def _dataset_dir(tmp_path):
    images, labels = _images()
    test_images, test_labels = _images(9, seed=1)
    dataset = ImageDataset(images, labels, test_images, test_labels, ["a", "b", "c"])
    write_dataset(tmp_path / "data", dataset, {"source": "test"})
    return tmp_path / "data", images, labels


def test_computed_spectrum_matches_a_direct_eigendecomposition(tmp_path):
    directory, images, labels = _dataset_dir(tmp_path)
    prep = Preprocessing(per_image_std=False, center=True, global_std=True, jitter=0.0)
    spectrum = compute_spectrum(directory, prep, chunk_size=16, rtol=1e-9, device="cpu")
    x = _flat(images).astype(np.float64)
    x -= x.mean(axis=0)
    scale = np.sqrt((x**2).mean())
    x /= scale
    sigma = x.T @ x
    values = np.sort(np.linalg.eigvalsh(sigma))[::-1]
    rank = int((values > 1e-9 * values[0]).sum())
    np.testing.assert_allclose(spectrum.eigen.eigenvalues, values[:rank], rtol=1e-9)
    summary = spectrum.summary
    assert summary["dataset_dir"] == str(directory)
    assert summary["preprocessing"] == prep.as_dict()
    assert summary["num_samples"] == 60 and summary["dimension"] == D
    assert summary["num_classes"] == 3 and summary["image_shape"] == [H, W, C]
    assert summary["rank"] == rank and summary["null_space_dropped"] == D - rank
    assert summary["rank_rtol"] == 1e-9 and summary["lbr_version"] == __version__
    assert summary["global_std"] == pytest.approx(scale)
    assert summary["total_variance"] == pytest.approx(np.trace(sigma))
    assert summary["flattening"] == "channel-first (C, H, W)"
    np.testing.assert_array_equal(spectrum.statistics.class_counts, np.bincount(labels))


def test_written_spectrum_reads_back_identically(tmp_path):
    directory, _, _ = _dataset_dir(tmp_path)
    prep = Preprocessing(per_image_std=True, center=True, global_std=False)
    spectrum = compute_spectrum(directory, prep, chunk_size=1000, rtol=1e-10, device="cpu")
    write_spectrum(tmp_path / "spectrum", spectrum)
    assert sorted(p.name for p in (tmp_path / "spectrum").iterdir()) == sorted(SPECTRUM_FILES)
    back = read_spectrum(tmp_path / "spectrum")
    for name in ("covariance", "class_sums", "class_counts", "mean"):
        np.testing.assert_array_equal(
            getattr(back.statistics, name), getattr(spectrum.statistics, name)
        )
    assert back.statistics.scale == spectrum.statistics.scale == 1.0
    np.testing.assert_array_equal(back.eigen.eigenvalues, spectrum.eigen.eigenvalues)
    np.testing.assert_array_equal(back.eigen.eigenvectors, spectrum.eigen.eigenvectors)
    assert back.eigen.dropped == spectrum.eigen.dropped and back.summary == spectrum.summary
    table = pd.read_parquet(tmp_path / "spectrum" / "explained_variance.parquet")
    np.testing.assert_allclose(
        table["explained_fraction"],
        spectrum.eigen.eigenvalues / spectrum.summary["total_variance"],
    )


# --- Theorem 1's interpolation table -------------------------------------------------


def _toy_spectrum(seed=0, d=5, n=40, classes=3):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((d, n)) * np.linspace(2.0, 0.5, d)[:, None]
    x -= x.mean(axis=1, keepdims=True)
    labels = rng.integers(0, classes, n)
    y = np.eye(classes)[labels].T
    eigen = eigendecompose(x @ x.T)
    stats = SpectralStatistics(x @ x.T, y @ x.T, y.sum(axis=1).astype(int), np.zeros(d), 1.0)
    summary = {"image_shape": [1, d, 1], "num_samples": n}
    return x, y, Spectrum(stats, eigen, summary)


def _residual_of_encoder(x, y, encoder):
    """min_W ‖WᵀVᵀX − Y‖² by least squares on the N samples."""
    z = (encoder.T @ x).T
    beta, *_ = np.linalg.lstsq(z, y.T, rcond=None)
    return float(np.sum((z @ beta - y.T) ** 2))


def test_interpolation_table_rows_and_limits():
    x, y, spectrum = _toy_spectrum()
    table = interpolation_table(spectrum, [1, 2], [0.5, 2.0])
    n = x.shape[1]
    assert table["K"].tolist() == [1] * 4 + [2] * 4
    assert table["lambda_relative"].tolist() == [0.0, 0.5, 2.0, np.inf] * 2
    values, vectors = spectrum.eigen.eigenvalues, spectrum.eigen.eigenvectors
    p = (y @ x.T @ vectors) / np.sqrt(values)
    unit = np.linalg.norm(p.T @ p, 2) / values[0]
    np.testing.assert_allclose(table["lambda"].iloc[:3], [0.0, 0.5 * unit, 2.0 * unit])
    for k in (1, 2):
        rows = table[table["K"] == k]
        pca = _residual_of_encoder(x, y, vectors[:, :k])
        assert rows["supervised_residual"].iloc[-1] == pytest.approx(pca, rel=1e-9)
        # More weight on reconstruction never helps the labels.
        assert np.all(np.diff(rows["supervised_residual"]) >= -1e-9)
    np.testing.assert_allclose(
        table["supervised_residual_fraction"], table["supervised_residual"] / n
    )
    for k in (0, 6):
        with pytest.raises(ConfigError, match=f"latent size {k} outside 1..5"):
            interpolation_table(spectrum, [k], [1.0])
    full = interpolation_table(spectrum, [5], [1.0])  # K = rank is allowed
    assert full["supervised_residual"].iloc[0] == pytest.approx(_residual_of_encoder(x, y, vectors))
    # the residual at a finite λ is that of the closed form at λ = factor·unit
    sums = spectrum.statistics.class_sums
    middle = supervised_residual(values, vectors, sums, float(n), 2.0 * unit, 2)
    assert table["supervised_residual"].iloc[6] == pytest.approx(middle, rel=1e-12)
    solution = solve_theorem1(values, vectors, sums, float(n), 2.0 * unit, 2)
    mu = np.sort(np.linalg.eigvalsh(p.T @ p + 2.0 * unit * np.diag(values)))[::-1][:2]
    np.testing.assert_allclose(solution.eigenvalues, mu, rtol=1e-10)


def test_adam_grid_rows_and_gaps():
    table = adam_grid(
        samples=30,
        dimensions=[3, 4],
        latent_sizes=[2],
        lambdas=[0.0, 1.0],
        classes=2,
        steps=4,
        learning_rate=0.05,
        seed=3,
    )
    assert len(table) == 2 * 1 * 2 * 4
    first = table[(table["dimension"] == 4) & (table["latent"] == 2) & (table["lam"] == 1.0)]
    assert first["step"].tolist() == [1, 2, 3, 4]
    assert np.all(first["loss"] >= first["closed_form"] - 1e-9)
    # the gap is relative to the zero model's loss ‖Y‖² + λ‖X‖², which exceeds the loss
    gap = (first["loss"] - first["closed_form"]) / first["relative_gap"]
    # ‖Y‖² = 30 and ‖X‖² ≈ 4·30 for standard Gaussian X (4×30)
    assert np.allclose(gap, gap.iloc[0]) and 90 < gap.iloc[0] < 250
    assert table.index.tolist() == list(range(len(table)))
    zero_lambda = table[(table["lam"] == 0.0) & (table["dimension"] == 3)]
    np.testing.assert_allclose(
        zero_lambda["relative_gap"], (zero_lambda["loss"] - zero_lambda["closed_form"]) / 30
    )
    again = adam_grid(30, [3, 4], [2], [0.0, 1.0], 2, 4, 0.05, 3)
    pd.testing.assert_frame_equal(table, again)


def test_adam_trajectory_is_seeded_and_descends():
    x, y, _ = _toy_spectrum()
    losses = adam_trajectory(x, y, 2, 0.5, steps=20, learning_rate=0.05, seed=1)
    assert losses.shape == (20,) and losses[-1] < 0.8 * losses[0]
    np.testing.assert_array_equal(losses, adam_trajectory(x, y, 2, 0.5, 20, 0.05, 1))
    assert not np.array_equal(losses, adam_trajectory(x, y, 2, 0.5, 20, 0.05, 2))


# --- Theorem 3's tables ---------------------------------------------------------------


def test_subspace_shift_by_hand():
    np.testing.assert_allclose(subspace_shift(np.eye(3)), [0.0, 0.0, 0.0], atol=1e-15)
    swap = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(subspace_shift(swap), [1.0, 0.0, 0.0], atol=1e-15)
    c, s = np.cos(0.3), np.sin(0.3)
    rotation = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(subspace_shift(rotation), [s**2, 0.0, 0.0], atol=1e-15)
    lower = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    np.testing.assert_allclose(subspace_shift(lower), [0.0, s**2 / 2, 0.0], atol=1e-15)


def test_spectrum_denoising_labels_and_change_columns():
    _, _, spectrum = _toy_spectrum(d=6)
    spectrum.summary["image_shape"] = [2, 3, 1]
    table = spectrum_denoising(spectrum, Masking(2, 0.5))
    assert table.columns[:2].tolist() == ["noise", "family"]
    assert set(table["noise"]) == {"masking_p2_r0.5"} and set(table["family"]) == {"masking"}
    assert set(table["patch"]) == {2} and set(table["ratio"]) == {0.5}
    assert table["sigma"].isna().all() and table["length"].isna().all()
    assert table["sigma"].dtype == np.float64
    assert table["K"].tolist() == list(range(1, 7))
    np.testing.assert_allclose(table["change"], table["alignment"] - table["alignment_clean"])
    # Fig. 7's quantity: relative change of the percent form A% = 100·√ratio; the
    # ratio form is kept beside it under its own name
    np.testing.assert_allclose(
        table["relative_change_percent"],
        100
        * (np.sqrt(table["alignment"]) - np.sqrt(table["alignment_clean"]))
        / np.sqrt(table["alignment_clean"]),
    )
    np.testing.assert_allclose(
        table["relative_change_of_cumulative_ratio_percent"],
        100 * table["change"] / table["alignment_clean"],
    )
    np.testing.assert_allclose(table["alignment_percent"], 100 * np.sqrt(table["alignment"]))
    np.testing.assert_allclose(
        table["alignment_percent_clean"], 100 * np.sqrt(table["alignment_clean"])
    )
    assert table["solver_error_bound"].nunique() == 1 and table["solver_error_bound"].iloc[0] < 1e-8
    gaussian = spectrum_denoising(spectrum, Gaussian(0.5))
    np.testing.assert_allclose(gaussian["change"], 0.0, atol=1e-12)
    assert set(gaussian["sigma"]) == {0.5} and gaussian["patch"].isna().all()


def test_screen_summary_takes_extremes_per_dataset_and_noise():
    table = pd.DataFrame(
        {
            "dataset": ["b", "b", "b", "b", "a", "a"],
            "noise": ["n1", "n1", "n1", "n2", "n1", "n1"],
            "family": ["masking"] * 6,
            "K": [1, 2, 4, 2, 1, 2],
            "subspace_shift": [0.9, 0.1, 0.3, 0.0, 0.2, 0.4],
            "change": [-0.5, 0.05, -0.2, 0.0, 0.01, 0.02],
            "relative_change_percent": [-50.0, 5.0, -20.0, 0.0, 1.0, 2.0],
            "solver_error_bound": [1e-9, 1e-12, 1e-10, 1e-13, 1e-11, 1e-11],
        }
    )
    screen = screen_summary(table, k_min=2)
    # first-seen order, not sorted
    assert screen[["dataset", "noise"]].values.tolist() == [["b", "n1"], ["b", "n2"], ["a", "n1"]]
    row = screen.iloc[0]
    # K = 1 lies before Fig. 7's range (k_min = 2): left out of the figure's extremes...
    assert row["first_k"] == 2 and row["max_subspace_shift"] == 0.3
    assert row["best_relative_change_percent"] == 5.0
    assert row["worst_relative_change_percent"] == -20.0
    # ...but Corollary 3.1's check and the solver bound take every K
    assert row["max_abs_change_any_k"] == 0.5 and row["solver_error_bound"] == 1e-9
    # a dataset whose largest K is 2 starts at K = 1 (half of it)
    assert screen.iloc[2]["first_k"] == 1 and screen.iloc[2]["max_subspace_shift"] == 0.4
