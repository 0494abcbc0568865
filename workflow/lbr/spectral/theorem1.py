"""Theorem 1: min over V, W, Z of ‖WᵀVᵀX − Y‖² + λ‖ZᵀVᵀX − X‖², in closed form.

V* spans the top-K generalized eigenvectors of (MᵀM + λΣ², Σ). With v = UΛ^{-1/2}w
the problem becomes the ordinary symmetric eigenproblem (PᵀP + λΛ) w = μ w, which is
well conditioned whatever the spread of Σ's eigenvalues.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.linalg

from ..errors import ConfigError
from .alignment import whitened_class_sums


@dataclass
class Theorem1Solution:
    encoder: np.ndarray  # V*, D×K, Σ-orthonormal (VᵀΣV = I)
    classifier: np.ndarray  # W*, K×C
    decoder: np.ndarray  # Z*, K×D
    whitened_basis: np.ndarray  # w, r×K: V* = UΛ^{-1/2}w
    eigenvalues: np.ndarray  # μ, the top K generalized eigenvalues
    loss: float  # the minimum of L


def solve_theorem1(
    eigenvalues, eigenvectors, class_sums, sum_sq_labels: float, lam: float, k: int
) -> Theorem1Solution:
    """Closed-form optimum for latent size k and reconstruction weight lam ≥ 0.

    sum_sq_labels is ‖Y‖²_F (N for one-hot labels); tr Σ = Σ λ_i over the kept rank.
    """
    if lam < 0:
        raise ConfigError(f"lambda must be >= 0, got {lam}")
    rank = len(eigenvalues)
    if not 1 <= k <= rank:
        raise ConfigError(f"K must be in 1..{rank} (the numerical rank of Σ), got {k}")
    p = whitened_class_sums(eigenvalues, eigenvectors, class_sums)
    matrix = p.T @ p + lam * np.diag(eigenvalues)
    mu, w = np.linalg.eigh(matrix)
    mu, w = mu[::-1][:k], w[:, ::-1][:, :k]
    encoder = eigenvectors @ (w / np.sqrt(eigenvalues)[:, None])
    # VᵀΣV = I, so W* = VᵀMᵀ and Z* = VᵀΣ = wᵀΛ^{1/2}Uᵀ.
    classifier = (class_sums @ encoder).T
    decoder = (w * np.sqrt(eigenvalues)[:, None]).T @ eigenvectors.T
    loss = sum_sq_labels + lam * float(eigenvalues.sum()) - float(mu.sum())
    return Theorem1Solution(encoder, classifier, decoder, w, mu, loss)


def objective(x: np.ndarray, y: np.ndarray, encoder, classifier, decoder, lam: float) -> float:
    """L(V, W, Z) evaluated on the data (X: D×N, Y: C×N), for tests and the Adam comparison."""
    z = encoder.T @ x
    return float(np.sum((classifier.T @ z - y) ** 2) + lam * np.sum((decoder.T @ z - x) ** 2))


def interpolation_table(
    spectrum, latent_sizes: list[int], lambda_factors: list[float]
) -> pd.DataFrame:
    """Supervised residual of Theorem 1's optimal encoder from λ = 0 (least squares) to
    λ = ∞ (PCA), for each K. λ is given relative to ‖PᵀP‖₂/λ₁, where the two terms of
    the eigenproblem have equal weight."""
    eigen, stats = spectrum.eigen, spectrum.statistics
    values, vectors, sums = eigen.eigenvalues, eigen.eigenvectors, stats.class_sums
    for k in latent_sizes:
        if not 1 <= k <= len(values):
            dataset = Path(spectrum.summary.get("dataset_dir", "?")).name
            raise ConfigError(
                f"theorem1.interpolation.latent_sizes: latent size {k} outside "
                f"1..{len(values)} (rank of Σ) for dataset {dataset!r}: D less the "
                f"directions below spectrum.rank_rtol; use latent sizes up to {len(values)}"
            )
    sum_sq_labels = float(stats.class_counts.sum())  # ‖Y‖² for one-hot labels
    p = whitened_class_sums(values, vectors, sums)
    unit = float(np.linalg.norm(p.T @ p, 2) / values[0])
    factors = [0.0, *lambda_factors, np.inf]
    # ‖P w_K‖² for every K at once: one eigenproblem per λ, its leading max(K) vectors.
    captured = {
        factor: _captured_label_energy(
            p, values, factor * unit if np.isfinite(factor) else np.inf, max(latent_sizes)
        )
        for factor in factors
    }
    rows = []
    for k in latent_sizes:
        for factor in factors:
            residual = sum_sq_labels - captured[factor][k - 1]
            rows.append(
                {
                    "K": k,
                    "lambda_relative": factor,
                    "lambda": factor * unit,
                    "supervised_residual": residual,
                    "supervised_residual_fraction": residual / sum_sq_labels,
                }
            )
    return pd.DataFrame(rows)


def _captured_label_energy(p: np.ndarray, eigenvalues, lam: float, k_max: int) -> np.ndarray:
    """‖P w_K‖² for K = 1..k_max, w_K the top-K eigenvectors of PᵀP + λΛ (Λ's order at
    λ = ∞: the top-K principal directions). Only the k_max leading eigenvectors are
    computed (LAPACK's dsyevr), which at D = 3072 is several times cheaper than all D."""
    if np.isinf(lam):
        return np.cumsum(np.sum(p[:, :k_max] ** 2, axis=0))
    matrix = p.T @ p + lam * np.diag(eigenvalues)
    size = len(matrix)
    _, w = scipy.linalg.eigh(matrix, subset_by_index=[size - k_max, size - 1])
    return np.cumsum(np.sum((p @ w[:, ::-1]) ** 2, axis=0))
