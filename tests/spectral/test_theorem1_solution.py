"""What solve_theorem1 returns besides the three matrices: the whitened basis w
are orthonormal eigenvectors of PᵀP + λΛ with eigenvalues μ, by descending μ (checked
against the matrix built by hand from the data), and the latent size may be the full
numerical rank."""

import numpy as np
import pytest
from lbr.spectral.theorem1 import solve_theorem1
from support import gamma
from support import theorem1_setup as _theorem1_setup


@pytest.mark.parametrize("lam, k", [(0.0, 2), (0.7, 3), (5.0, 6)])
def test_w_are_the_top_eigenvectors_of_the_whitened_problem(lam, k):
    x, y, eigen = _theorem1_setup()
    values, vectors = eigen.eigenvalues, eigen.eigenvectors
    sol = solve_theorem1(values, vectors, y @ x.T, float(np.sum(y**2)), lam, k)
    p = (y @ x.T) @ vectors / np.sqrt(values)  # M U Λ^{-1/2}, by hand
    matrix = p.T @ p + lam * np.diag(values)
    scale = np.abs(matrix).max()
    assert sol.whitened_basis.shape == (len(values), k) and np.all(np.diff(sol.eigenvalues) <= 0)
    # eigh is backward stable: its residual is p(D)·ε‖A‖ (LAPACK), 10γ_6 covers p(6) = 60
    np.testing.assert_allclose(
        matrix @ sol.whitened_basis,
        sol.whitened_basis * sol.eigenvalues,
        atol=10 * gamma(6) * scale,
    )
    np.testing.assert_allclose(
        sol.whitened_basis.T @ sol.whitened_basis, np.eye(k), atol=10 * gamma(6)
    )
    top = np.sort(np.linalg.eigvalsh(matrix))[::-1][:k]
    np.testing.assert_allclose(sol.eigenvalues, top, atol=10 * gamma(6) * scale)


def test_the_latent_size_may_be_the_full_rank():
    x, y, eigen = _theorem1_setup()
    rank = len(eigen.eigenvalues)
    sol = solve_theorem1(eigen.eigenvalues, eigen.eigenvectors, y @ x.T, 40.0, 1.0, rank)
    assert sol.encoder.shape[1] == rank
