"""Theorem 3: the optimal linear denoising encoder and its alignment, with no N.

min E‖ZᵀVᵀX' − X‖² is solved by the top generalized eigenvectors of
A v = μ G v with A = s²Σ² (E[X'] = sX) and G = E[X'X'ᵀ] = s²(Σ + E). Restricted to
the range of Σ and whitened (v = UΛ^{-1/2}w), this is Λ w = μ H w with
H = I + Λ^{-1/2}UᵀEUΛ^{-1/2}: one r×r symmetric-definite eigenproblem per noise
setting. Using UᵀΣU = Λ exactly (rather than a computed product) keeps rounding errors
relative to each direction's own variance, which is what lets isotropic noise leave
the alignment unchanged to ~1e-12 even when Σ's spectrum spans nine decades. The
whitened w are exactly the coordinates alignment.py needs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.linalg
from scipy.linalg.lapack import dgejsv

from .alignment import alignment_table, orthonormal_in_order, whitened_class_sums
from .noise import ImageGeometry, Noise


def denoising_basis(eigenvalues, eigenvectors, covariance, n: int, noise: Noise, geometry: ImageGeometry) -> np.ndarray:
    """Whitened coordinates w (r×r) of the optimal encoder's directions, by descending μ."""
    noise.check(geometry)
    excess = noise.excess_second_moment(covariance, n, geometry)
    scaled = eigenvectors / np.sqrt(eigenvalues)
    h = scaled.T @ excess @ scaled
    h = 0.5 * (h + h.T) + np.eye(len(eigenvalues))
    return _graded_generalized_eigenvectors(eigenvalues, h)


def _graded_generalized_eigenvectors(eigenvalues: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Solve Λ w = μ H w, columns by descending μ, to high relative accuracy.

    μ spans roughly the square of Σ's eigenvalue range (with the authors' jitter, 1e-18
    of μ₁), beyond what a standard eigensolver resolves: its errors are relative to μ₁,
    so it scrambles the low-variance directions. With H = LLᵀ, the eigenvectors of
    L⁻¹ΛL⁻ᵀ are the left singular vectors of F = L⁻¹Λ^{1/2}, a row- and column-graded
    matrix whose SVD the Jacobi algorithm (LAPACK dgejsv, JOBA='F') computes to high
    relative accuracy in every singular value; w = L⁻ᵀy.
    """
    factor = scipy.linalg.cholesky(h, lower=True)
    graded = scipy.linalg.solve_triangular(factor, np.diag(np.sqrt(eigenvalues)), lower=True)
    # joba=2 ('F'): accurate for D1·C·D2 with well-conditioned C; jobu=0: left vectors;
    # jobv=3: no right vectors; jobt=1: no transposition; jobp=1: no perturbation.
    singular, left, _, _, _, info = dgejsv(graded, joba=2, jobu=0, jobv=3, jobr=1, jobt=1, jobp=1)
    if info != 0:
        raise ArithmeticError(f"Jacobi SVD (dgejsv) did not converge (info={info})")
    order = np.argsort(-singular, kind="stable")
    return scipy.linalg.solve_triangular(factor.T, left[:, order], lower=False)


def subspace_shift(basis: np.ndarray) -> np.ndarray:
    """Label-free distance of the encoder's top-K feature space from PCA's, per K.

    Mean squared sine of the principal angles between the two K-dimensional feature
    spaces (in sample space): 1 − ‖Q[:K, :K]‖²_F / K, with Q the in-order
    orthonormalization of the whitened basis. Zero for every K means the encoder ranks
    features exactly as PCA does, so no task's alignment can change.
    """
    q = orthonormal_in_order(basis)
    overlap = np.cumsum(np.cumsum(q**2, axis=0), axis=1).diagonal()
    k = np.arange(1, len(overlap) + 1)
    return np.clip(1.0 - overlap / k, 0.0, 1.0)


def denoising_alignment(eigenvalues, eigenvectors, covariance, class_sums, class_counts, n: int,
                        noise: Noise, geometry: ImageGeometry) -> pd.DataFrame:
    """Per K: alignment of the optimal denoising encoder, of PCA, their change, the shift."""
    p = whitened_class_sums(eigenvalues, eigenvectors, class_sums)
    clean = alignment_table(p, class_counts)
    basis = denoising_basis(eigenvalues, eigenvectors, covariance, n, noise, geometry)
    noisy = alignment_table(p, class_counts, basis)
    table = pd.DataFrame({
        "K": clean["K"],
        "alignment": noisy["alignment_appendix"],
        "alignment_clean": clean["alignment_appendix"],
        "alignment_percent": noisy["alignment_percent"],
        "alignment_percent_clean": clean["alignment_percent"],
    })
    table["change"] = table["alignment"] - table["alignment_clean"]
    table["relative_change_percent"] = 100.0 * table["change"] / table["alignment_clean"]
    table["subspace_shift"] = subspace_shift(basis)
    return table


def spectrum_denoising(spectrum, noise: Noise) -> pd.DataFrame:
    """Theorem 3 for one cached spectrum and one noise setting."""
    height, width, channels = spectrum.summary["image_shape"]
    eigen, stats = spectrum.eigen, spectrum.statistics
    table = denoising_alignment(eigen.eigenvalues, eigen.eigenvectors, stats.covariance, stats.class_sums,
                                stats.class_counts, spectrum.summary["num_samples"], noise,
                                ImageGeometry(height, width, channels))
    table.insert(0, "noise", noise.name)
    table.insert(1, "family", noise.kind)
    for field in ("patch", "ratio", "sigma", "length"):
        table[field] = getattr(noise, field, np.nan)
    return table


def screen_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per dataset and noise: the largest subspace shift over K (label-free) and the
    alignment change it allows (with labels), side by side."""
    grouped = table.groupby(["dataset", "noise", "family"], sort=False)
    return grouped.agg(max_subspace_shift=("subspace_shift", "max"),
                       max_abs_change=("change", lambda c: float(np.abs(c).max())),
                       best_relative_change_percent=("relative_change_percent", "max"),
                       worst_relative_change_percent=("relative_change_percent", "min")).reset_index()
