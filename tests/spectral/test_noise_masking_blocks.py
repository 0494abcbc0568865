"""Masking's structured whitened excess against the dense product where its per-patch
blocks are hardest: a covariance of small scale (every block's eigenvalues below 1) and
a singular one (two pixels of a patch always equal, so a block has a zero eigenvalue
that rounding may make slightly negative)."""

import numpy as np
import pytest
from lbr.spectral.eigen import eigendecompose
from lbr.spectral.noise import ChannelMasking, ImageGeometry, Masking, Noise
from support import alignment_data, closed_form_geometry

GEOMETRY = closed_form_geometry()


def _excesses(noise, x, geometry=GEOMETRY):
    sigma = x @ x.T
    eigen = eigendecompose(sigma)
    args = (eigen.eigenvalues, eigen.eigenvectors, sigma, x.shape[1], geometry)
    return noise.whitened_excess(*args), Noise.whitened_excess(noise, *args)


@pytest.mark.parametrize("noise", [Masking(2, 0.5), ChannelMasking(3, 0.3)])
def test_a_covariance_of_small_scale(noise):
    x, _ = alignment_data()
    fast, dense = _excesses(noise, 1e-4 * x)
    np.testing.assert_allclose(fast, dense, atol=1e-12 * np.abs(dense).max())


@pytest.mark.parametrize("noise", [Masking(1, 0.5), ChannelMasking(2, 0.3)])
def test_a_singular_covariance(noise):
    """8×8×2 images where in every patch one pixel is 3 times another: every block is
    singular, and rounding makes some of its zero eigenvalues slightly negative (checked,
    so the test cannot pass without them; with 64 and 32 patches, all of them rounding
    to ≥ 0 is about as likely as a fair coin landing heads 32 times in a row)."""
    geometry = ImageGeometry(height=8, width=8, channels=2)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((geometry.dimension, geometry.dimension)) @ rng.standard_normal(
        (geometry.dimension, 400)
    )
    ids = noise.patch_ids(geometry)
    for patch in np.unique(ids):
        first, second = np.flatnonzero(ids == patch)[:2]
        x[second] = 3.0 * x[first]
    sigma = x @ x.T
    blocks = [sigma[np.ix_(ids == patch, ids == patch)] for patch in np.unique(ids)]
    assert min(np.linalg.eigvalsh(block).min() for block in blocks) < 0
    fast, dense = _excesses(noise, x, geometry)
    assert np.all(np.isfinite(fast))
    np.testing.assert_allclose(fast, dense, atol=1e-12 * np.abs(dense).max())
