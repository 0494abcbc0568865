"""Theorem 1 against direct computations: the closed form is the minimum, its λ → 0 and
λ → ∞ limits, and the interpolation table."""

import numpy as np
import pytest
from lbr.errors import ConfigError
from lbr.spectral.theorem1 import (
    interpolation_table,
    objective,
    solve_theorem1,
)
from support import theorem1_setup as _theorem1_setup
from support import toy_spectrum as _toy_spectrum


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


def test_lambda_zero_is_least_squares_and_infinity_is_pca():
    x, y, eigen = _theorem1_setup()
    m, yy = y @ x.T, float(np.sum(y**2))
    # λ → 0 with K ≥ C: the supervised residual is that of least squares on all of X.
    beta, *_ = np.linalg.lstsq(x.T, y.T, rcond=None)
    least_squares = float(np.sum((x.T @ beta - y.T) ** 2))
    sol = solve_theorem1(eigen.eigenvalues, eigen.eigenvectors, m, yy, 0.0, 3)
    assert _residual_of_encoder(x, y, sol.encoder) == pytest.approx(least_squares, rel=1e-9)
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


# --- Theorem 1's interpolation table --------------------------------------------------


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
    # At a finite λ, the residual is that of the closed-form encoder (solve_theorem1, a full
    # eigendecomposition) fitted by least squares on the samples. Both sides are sums of n
    # squared residuals of unit-scale labels from float64 eigenvectors: 1e-9 relative is far
    # above their rounding (≈ D·ε·cond) and far below a neighbouring λ or K (≥ 1e-4 apart).
    sums = spectrum.statistics.class_sums
    for _, row in table[np.isfinite(table["lambda_relative"])].iterrows():
        solution = solve_theorem1(values, vectors, sums, float(n), row["lambda"], int(row["K"]))
        assert row["supervised_residual"] == pytest.approx(
            _residual_of_encoder(x, y, solution.encoder), rel=1e-9
        )
    solution = solve_theorem1(values, vectors, sums, float(n), 2.0 * unit, 2)
    mu = np.sort(np.linalg.eigvalsh(p.T @ p + 2.0 * unit * np.diag(values)))[::-1][:2]
    np.testing.assert_allclose(solution.eigenvalues, mu, rtol=1e-10)
