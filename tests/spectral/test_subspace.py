"""Top/bottom variance and *dimensions* subspaces, the side dispatch, projections, the
gallery rows and the picked images (Figs. 1, 4, 9), against hand-written expectations."""

import numpy as np
import pytest
from lbr.errors import ConfigError
from lbr.spectral.cache import Spectrum
from lbr.spectral.eigen import Eigendecomposition
from lbr.spectral.statistics import SpectralStatistics
from lbr.spectral.subspace import (
    dimension_subspace,
    gallery_rows,
    pick_images,
    project,
    select_subspace,
    variance_subspace,
)
from support import EPS, gamma, householder_orthogonality

EIGENVALUES = np.array([50.0, 25.0, 10.0, 8.0, 4.0, 2.0, 1.0])  # total 100


def test_top_subspace_first_reaches_the_fraction():
    top = variance_subspace(EIGENVALUES, 100.0, "top", 0.75)
    assert top.indices.tolist() == [0, 1] and top.kept_fraction == pytest.approx(0.75)
    assert variance_subspace(EIGENVALUES, 100.0, "top", 0.76).indices.tolist() == [0, 1, 2]


def test_bottom_subspace_holds_at_least_the_fraction_from_the_tail():
    bottom = variance_subspace(EIGENVALUES, 100.0, "bottom", 0.15)
    assert bottom.indices.tolist() == [3, 4, 5, 6] and bottom.kept_fraction == pytest.approx(0.15)
    assert variance_subspace(EIGENVALUES, 100.0, "bottom", 0.2).indices.tolist() == [2, 3, 4, 5, 6]


def test_full_fraction_keeps_everything_and_projection_is_identity():
    rng = np.random.default_rng(0)
    basis, _ = np.linalg.qr(rng.standard_normal((7, 7)))
    flat = rng.standard_normal((5, 7))
    everything = variance_subspace(EIGENVALUES, 100.0, "top", 1.0)
    assert everything.dimensions == 7
    # (F·B)·Bᵀ − F = F(BBᵀ − I) + rounding: per row ‖f‖·(Householder orthogonality + the
    # two 7-term products' 2γ₇‖|B|‖² ≤ 2γ₇·7); a missing direction is O(‖f‖)
    atol = np.linalg.norm(flat, axis=1).max() * (householder_orthogonality(7, 7) + 14 * gamma(7))
    np.testing.assert_allclose(project(flat, basis, everything), flat, atol=atol)
    top, bottom = (
        variance_subspace(EIGENVALUES, 100.0, side, f)
        for side, f in (("top", 0.75), ("bottom", 0.25))
    )
    np.testing.assert_allclose(
        project(flat, basis, top) + project(flat, basis, bottom), flat, atol=2 * atol
    )


@pytest.mark.parametrize("side, fraction", [("top", 0.0), ("top", 1.5), ("middle", 0.5)])
def test_bad_subspace_requests(side, fraction):
    with pytest.raises(ConfigError):
        variance_subspace(EIGENVALUES, 100.0, side, fraction)


@pytest.mark.parametrize("per_image_std", [False, True])
def test_gallery_adds_the_mean_back_in_pixel_units(per_image_std):
    """Fig. 9 as the paper shows it: keeping all the variance gives back the image itself,
    and a partial projection sits around the mean image, not around 0."""
    from lbr.spectral.cache import Spectrum
    from lbr.spectral.eigen import eigendecompose
    from lbr.spectral.statistics import Preprocessing, accumulate_statistics
    from lbr.spectral.subspace import gallery_rows

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(200, 4, 3, 2), dtype=np.uint8)
    prep = Preprocessing(per_image_std=per_image_std, center=True, global_std=True, jitter=1e-3)
    stats = accumulate_statistics(images, rng.integers(0, 3, 200), 3, prep, 64, "cpu")
    eigen = eigendecompose(stats.covariance)
    summary = {
        "image_shape": [4, 3, 2],
        "preprocessing": prep.as_dict(),
        "total_variance": float(np.trace(stats.covariance)),
    }
    spectrum = Spectrum(stats, eigen, summary)
    shown = images[:5]
    everything = list(gallery_rows(shown, spectrum, 1.0, 1.0).values())
    assert everything[1].shape == shown.shape
    np.testing.assert_allclose(everything[1], shown, atol=1e-6)
    np.testing.assert_allclose(everything[2], shown, atol=1e-6)
    _, top, bottom = gallery_rows(shown, spectrum, 0.6, 0.4).values()
    for part in (top, bottom):
        assert part.mean() == pytest.approx(shown.mean(), rel=0.2)


@pytest.mark.parametrize(
    "side, fraction, indices",
    [
        ("top_dims", 3 / 7, [0, 1, 2]),
        ("top_dims", 0.5, [0, 1, 2, 3]),  # round(3.5) = 4
        ("top_dims", 0.01, [0]),  # at least one direction
        ("top_dims", 1.0, [0, 1, 2, 3, 4, 5, 6]),
        ("bottom_dims", 2 / 7, [5, 6]),
        ("bottom_dims", 0.01, [6]),
        ("bottom_dims", 1.0, [0, 1, 2, 3, 4, 5, 6]),
    ],
)
# --- dimension subspaces, the side dispatch, the gallery rows and the picked images ---


def test_dimension_subspaces_count_directions_not_variance(side, fraction, indices):
    subspace = dimension_subspace(EIGENVALUES, 100.0, side, fraction)
    assert subspace.indices.tolist() == indices and subspace.dimensions == len(indices)
    assert subspace.side == side and subspace.target_fraction == fraction
    assert subspace.kept_fraction == pytest.approx(sum(EIGENVALUES[indices]) / 100.0)


def test_kept_fraction_is_relative_to_the_given_total():
    # total 200 (the trace includes a dropped null space): shares are halved.
    assert dimension_subspace(EIGENVALUES, 200.0, "top_dims", 1 / 7).kept_fraction == 0.25
    assert variance_subspace(EIGENVALUES, 200.0, "top", 0.25).indices.tolist() == [0]


@pytest.mark.parametrize("fraction", [0.0, -0.5, 1.01])
def test_dimension_fraction_outside_zero_one_is_refused(fraction):
    with pytest.raises(ConfigError, match="dimension fraction must be in"):
        dimension_subspace(EIGENVALUES, 100.0, "top_dims", fraction)


def test_unknown_dimension_side_is_refused():
    with pytest.raises(ConfigError, match="'top_dims' or 'bottom_dims', got 'top'"):
        dimension_subspace(EIGENVALUES, 100.0, "top", 0.5)


@pytest.mark.parametrize(
    "side, indices",
    [
        ("top", [0]),
        ("bottom", [1, 2, 3, 4, 5, 6]),
        ("top_dims", [0, 1, 2, 3]),
        ("bottom_dims", [3, 4, 5, 6]),
    ],
)
def test_select_subspace_dispatches_on_the_side(side, indices):
    assert select_subspace(EIGENVALUES, 100.0, side, 0.5).indices.tolist() == indices


def test_select_subspace_names_the_sides_on_a_typo():
    with pytest.raises(ConfigError, match="unknown subspace side 'middle'.*top_dims"):
        select_subspace(EIGENVALUES, 100.0, "middle", 0.5)


def test_variance_fraction_limits():
    assert variance_subspace(EIGENVALUES, 100.0, "top", 1.0).dimensions == 7
    assert variance_subspace(EIGENVALUES, 100.0, "bottom", 1.0).dimensions == 7
    assert variance_subspace(EIGENVALUES, 100.0, "top", 0.5).indices.tolist() == [0]
    smallest = variance_subspace(EIGENVALUES, 100.0, "bottom", 0.01)
    assert smallest.indices.tolist() == [6]
    assert smallest.side == "bottom" and smallest.target_fraction == 0.01
    for fraction in (0.0, -0.1, 1.0001):
        with pytest.raises(ConfigError, match="variance fraction must be in"):
            variance_subspace(EIGENVALUES, 100.0, "top", fraction)
    with pytest.raises(ConfigError, match="'top' or 'bottom', got 'top_dims'"):
        variance_subspace(EIGENVALUES, 100.0, "top_dims", 0.5)


def test_project_is_u_s_u_s_transpose():
    rng = np.random.default_rng(0)
    basis, _ = np.linalg.qr(rng.standard_normal((7, 7)))
    flat = rng.standard_normal((4, 7))
    subspace = dimension_subspace(EIGENVALUES, 100.0, "bottom_dims", 2 / 7)
    expected = np.zeros_like(flat)
    for row in range(4):
        for j in (5, 6):
            expected[row] += (flat[row] @ basis[:, j]) * basis[:, j]
    # the same two-step product in another order: each within (γ₇ + γ₂)|F||B_S||B_S|ᵀ
    allowed = 2 * gamma(9) * (np.abs(flat) @ np.abs(basis[:, 5:]) @ np.abs(basis[:, 5:]).T)
    assert np.all(np.abs(project(flat, basis, subspace) - expected) <= allowed)


def _gallery_spectrum(h=2, w=3, c=2):
    d = h * w * c
    rng = np.random.default_rng(1)
    vectors, _ = np.linalg.qr(rng.standard_normal((d, d)))
    values = np.geomspace(40.0, 0.5, d)
    stats = SpectralStatistics(
        np.eye(d), np.zeros((2, d)), np.array([1, 1]), rng.normal(size=d), 3.0
    )
    summary = {
        "image_shape": [h, w, c],
        "total_variance": float(values.sum()),
        "preprocessing": {"per_image_std": False, "center": True, "global_std": True, "jitter": 0},
    }
    return Spectrum(stats, Eigendecomposition(values, vectors, 0), summary)


def test_gallery_rows_project_in_the_preprocessed_space_and_return_pixel_units():
    spectrum = _gallery_spectrum()
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, (3, 2, 3, 2)).astype(np.uint8)
    rows = gallery_rows(images, spectrum, 0.5, 0.1)
    labels = list(rows)
    assert labels[0] == "original" and rows["original"] is not None
    np.testing.assert_array_equal(rows["original"], images)
    values = spectrum.eigen.eigenvalues
    top = variance_subspace(values, values.sum(), "top", 0.5)
    bottom = variance_subspace(values, values.sum(), "bottom", 0.1)
    assert labels[1] == f"top {100 * top.kept_fraction:.0f}% var\n({top.dimensions} dims)"
    assert labels[2] == f"bottom {100 * bottom.kept_fraction:.0f}% var\n({bottom.dimensions} dims)"
    for label, subspace in ((labels[1], top), (labels[2], bottom)):
        basis = spectrum.eigen.eigenvectors[:, subspace.indices]
        for i, image in enumerate(images):
            flat = np.concatenate([image[:, :, ch].ravel() for ch in range(2)]).astype(float)
            x = (flat - spectrum.statistics.mean) / 3.0
            # projected in the preprocessed space, then back in pixel units (Fig. 9)
            projected = 3.0 * (basis @ (basis.T @ x)) + spectrum.statistics.mean
            expected = np.stack([projected[:6].reshape(2, 3), projected[6:].reshape(2, 3)], -1)
            allowed = _gallery_rounding(basis, x, projected, 1.0)
            np.testing.assert_allclose(rows[label][i], expected, atol=allowed)


def _gallery_rounding(basis, x, projected, own):
    """Bound on a gallery pixel's difference from the test's formula: B(Bᵀx) in either
    order within (γ_D + γ_k)|B||Bᵀ||x| each, scaled by 3·own; then ×3, + mean, ×own and the
    preprocessing of x (a few roundings each, 8ε of the largest pixel). A std not undone or a
    mean not added back is off by whole pixel values."""
    d, k = basis.shape
    products = 2 * gamma(d + k) * np.abs(basis) @ (np.abs(basis.T) @ np.abs(x))
    return float(3 * own * products.max() + 8 * EPS * np.abs(projected).max())


class _Images:
    def __init__(self, n):
        self.test_images = np.arange(n)[:, None, None, None] * np.ones((1, 2, 2, 1))
        self.test_labels = np.arange(n) % 3
        self.class_names = ["zero", "one", "two"]


def test_pick_images_is_seeded_sorted_distinct_and_titled():
    dataset = _Images(20)
    images, titles = pick_images(dataset, 5, seed=4)
    picked = images[:, 0, 0, 0].astype(int).tolist()
    assert len(set(picked)) == 5 and picked == sorted(picked)
    assert titles == [dataset.class_names[i % 3] for i in picked]
    again, _ = pick_images(dataset, 5, seed=4)
    other, _ = pick_images(dataset, 5, seed=5)
    np.testing.assert_array_equal(images, again)
    assert not np.array_equal(images, other)
    everything, _ = pick_images(_Images(3), 8, seed=0)
    assert everything[:, 0, 0, 0].tolist() == [0, 1, 2]


def test_gallery_rows_undo_each_images_own_std_and_leave_constant_images_unscaled():
    """With per-image standardization, each row is multiplied back by its image's own
    std (ddof 1); a constant image (std 0) was never divided, so it is not multiplied."""
    spectrum = _gallery_spectrum()
    spectrum.summary["preprocessing"]["per_image_std"] = True
    constant = np.full((2, 3, 2), 7, np.uint8)
    binary = np.array([0, 1] * 6, np.uint8).reshape(2, 3, 2)  # std ≈ 0.52 < 1
    varied = np.arange(0, 240, 20, dtype=np.uint8).reshape(2, 3, 2)  # std > 1
    images = np.stack([constant, binary, varied])
    rows = gallery_rows(images, spectrum, 0.5, 0.1)
    values = spectrum.eigen.eigenvalues
    top = variance_subspace(values, values.sum(), "top", 0.5)
    basis = spectrum.eigen.eigenvectors[:, top.indices]
    for i, image in enumerate(images):
        flat = np.concatenate([image[:, :, ch].ravel() for ch in range(2)]).astype(float)
        std = np.std(flat, ddof=1)
        own = std if std > 0 else 1.0
        x = (flat / own - spectrum.statistics.mean) / 3.0
        projected = (3.0 * (basis @ (basis.T @ x)) + spectrum.statistics.mean) * own
        expected = np.stack([projected[:6].reshape(2, 3), projected[6:].reshape(2, 3)], -1)
        allowed = _gallery_rounding(basis, x, projected, own)
        np.testing.assert_allclose(rows[list(rows)[1]][i], expected, atol=allowed)
