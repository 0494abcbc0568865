"""Subspace projection for classifier training, against a direct numpy computation:
train and test images go through the same transform (the training eigenvectors and the
training mean image, then a per-image std and the projected *training* mean); and on
the digits' real spectrum."""

import numpy as np
import pytest
from lbr.errors import ConfigError
from lbr.spectral.cache import Spectrum
from lbr.spectral.eigen import Eigendecomposition
from lbr.spectral.statistics import SpectralStatistics
from lbr.train.projection import preprocessed_split, projected_splits
from support import digits_spectrum as _digits_spectrum

H, W, C = 3, 2, 2  # non-square, two channels: the flattening order matters
D = H * W * C
CLASSIFICATION = {"per_image_std": True, "center": True, "global_std": False, "jitter": 0.0}


class _Dataset:
    def __init__(self, seed=0, n_train=40, n_test=15):
        rng = np.random.default_rng(seed)
        self.train_images = rng.integers(0, 256, (n_train, H, W, C), dtype=np.uint8)
        self.test_images = rng.integers(0, 256, (n_test, H, W, C), dtype=np.uint8)
        # the test split has a different mean image than the train split
        self.test_images[:, 0] //= 4

    def split(self, name):
        return getattr(self, f"{name}_images"), None


def _flat(images):
    """N×H×W×C → N×D with D ordered channel, row, column (written out by index)."""
    n = len(images)
    out = np.empty((n, D))
    for c in range(C):
        for h in range(H):
            for w in range(W):
                out[:, c * H * W + h * W + w] = images[:, h, w, c]
    return out


def _standardize_rows(x):
    std = x.std(axis=1, ddof=1, keepdims=True)
    return x / np.where(std > 0, std, 1.0)


def _spectrum(dataset, prep=CLASSIFICATION):
    """The training spectrum computed directly with numpy."""
    z = _standardize_rows(_flat(dataset.train_images))
    mean = z.mean(axis=0)
    sigma = (z - mean).T @ (z - mean)
    values, vectors = np.linalg.eigh(sigma)
    order = np.argsort(values)[::-1][: D - 1]  # centering removes one direction
    stats = SpectralStatistics(sigma, np.zeros((2, D)), np.array([20, 20]), mean, 1.0)
    eigen = Eigendecomposition(values[order], vectors[:, order], 1)
    summary = {"preprocessing": dict(prep), "total_variance": float(np.trace(sigma))}
    return Spectrum(stats, eigen, summary)


def _expected(dataset, spectrum, indices):
    basis = spectrum.eigen.eigenvectors[:, indices]
    out = {}
    for split in ("train", "test"):
        z = _standardize_rows(_flat(dataset.split(split)[0])) - spectrum.statistics.mean
        out[split] = _standardize_rows(z @ basis @ basis.T)
    mean = out["train"].mean(axis=0)
    return {"train": out["train"] - mean, "test": out["test"] - mean, "train_mean": mean}


def _count_top(values, total, fraction):
    shares = np.cumsum(values) / total
    return int(np.argmax(shares >= fraction - 1e-12)) + 1  # the code's own slack (subspace.py)


@pytest.mark.parametrize("chunk", [8192, 7, 1])
@pytest.mark.parametrize("side, fraction", [("top", 0.6), ("bottom", 0.2), ("top_dims", 0.25)])
def test_train_and_test_go_through_the_same_transform(side, fraction, chunk):
    dataset = _Dataset()
    spectrum = _spectrum(dataset)
    values, total = spectrum.eigen.eigenvalues, spectrum.summary["total_variance"]
    r = len(values)
    if side == "top":
        indices = np.arange(_count_top(values, total, fraction))
    elif side == "bottom":
        count = _count_top(values[::-1], total, fraction)
        indices = np.arange(r - count, r)
    else:
        indices = np.arange(round(fraction * r))
    splits, info = projected_splits(dataset, spectrum, side, fraction, chunk=chunk)
    expected = _expected(dataset, spectrum, indices)
    for key in ("train", "test", "train_mean"):
        np.testing.assert_allclose(splits[key], expected[key], rtol=1e-5, atol=1e-5)
    assert splits["train"].dtype == np.float32 and splits["test"].shape == (15, D)
    assert info == {
        "side": side,
        "target_fraction": fraction,
        "dimensions": len(indices),
        "variance_fraction": pytest.approx(values[indices].sum() / total),
        "rank": r,
    }
    # The test split keeps its own offset: only the training mean is removed from it.
    assert np.abs(splits["test"].mean(axis=0)).max() > 0.05


def test_projection_uses_the_kept_eigenvectors_only():
    dataset = _Dataset(seed=1)
    spectrum = _spectrum(dataset)
    splits, info = projected_splits(dataset, spectrum, "top_dims", 3 / 11)
    assert info["dimensions"] == 3
    basis = spectrum.eigen.eigenvectors[:, :3]
    rest = spectrum.eigen.eigenvectors[:, 3:]
    # Before the per-image scale and the mean shift, rows lie in span(basis); the shift is
    # common, so differences of rows stay in it.
    diffs = np.diff(splits["test"], axis=0).astype(np.float64)
    scales = np.linalg.norm(diffs @ basis, axis=1)
    assert np.all(scales > 0)
    assert np.abs(diffs @ rest).max() < 1e-4 * scales.max()


@pytest.mark.parametrize(
    "change", [{"per_image_std": False}, {"center": False}, {"global_std": True}]
)
def test_projection_refuses_other_preprocessings(change):
    dataset = _Dataset()
    spectrum = _spectrum(dataset, {**CLASSIFICATION, **change})
    message = (
        r"^subspace training needs a spectrum with the classification preprocessing "
        r"\(per_image_std: true, center: true, global_std: false\)$"
    )
    with pytest.raises(ConfigError, match=message):
        projected_splits(dataset, spectrum, "top", 0.5)


@pytest.mark.parametrize("per_image_std", [False, True])
@pytest.mark.parametrize("chunk", [8192, 4])
def test_preprocessed_split_uses_the_training_mean_and_scale(per_image_std, chunk):
    dataset = _Dataset(seed=2)
    spectrum = _spectrum(dataset)
    prep = {"per_image_std": per_image_std, "center": True, "global_std": True, "jitter": 0.0}
    spectrum.summary["preprocessing"] = prep
    rng = np.random.default_rng(3)
    spectrum.statistics.mean = rng.normal(size=D)
    spectrum.statistics.scale = 2.5
    for split in ("train", "test"):
        flat = _flat(dataset.split(split)[0])
        if per_image_std:
            flat = _standardize_rows(flat)
        expected = (flat - spectrum.statistics.mean) / 2.5
        out = preprocessed_split(dataset, spectrum, split, chunk=chunk)
        assert out.dtype == np.float32 and out.shape == expected.shape
        np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-5)


# --- on the digits' spectrum ----------------------------------------------------------


def test_projection_records_dimensions_and_variance():
    data, spectrum = _digits_spectrum()
    splits, info = projected_splits(data, spectrum, "bottom", 0.25)
    assert info["variance_fraction"] >= 0.25 and info["dimensions"] < spectrum.eigen.rank
    assert splits["train"].shape == (len(data.train_labels), 64)
    np.testing.assert_allclose(splits["train"].mean(axis=0), 0, atol=1e-4)
    # The projection lies in the span of the kept eigenvectors (before re-normalization
    # only a per-image scale and a common shift are applied).
    top, _ = projected_splits(data, spectrum, "top", 0.5)
    assert not np.allclose(top["train"], splits["train"])


def test_projection_needs_the_classification_preprocessing():
    data, spectrum = _digits_spectrum()
    spectrum.summary["preprocessing"]["global_std"] = True
    with pytest.raises(ConfigError, match="classification preprocessing"):
        projected_splits(data, spectrum, "top", 0.5)
