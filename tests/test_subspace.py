"""Top/bottom variance subspaces and projections (Figs. 1, 4, 9)."""

import numpy as np
import pytest
from lbr.errors import ConfigError
from lbr.spectral.subspace import project, variance_subspace

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
    np.testing.assert_allclose(project(flat, basis, everything), flat, atol=1e-12)
    top, bottom = (
        variance_subspace(EIGENVALUES, 100.0, side, f)
        for side, f in (("top", 0.75), ("bottom", 0.25))
    )
    np.testing.assert_allclose(
        project(flat, basis, top) + project(flat, basis, bottom), flat, atol=1e-12
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
