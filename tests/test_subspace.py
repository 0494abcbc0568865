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
