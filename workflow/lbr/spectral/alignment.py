"""Eq. (7): how much of the best linear fit of the labels the top-K features reach.

Everything is computed from Σ = UΛUᵀ, M and the class counts n (docs/method.md), never from
the N samples. Any ordered encoder basis V (D×r, spanning range Σ) is handled in
whitened coordinates W = Λ^{1/2}UᵀV: the sample-space features VᵀX have Gram matrix
WᵀW, so a QR of W orthonormalizes them in order, and with P = M U Λ^{-1/2} their
label projections are Y q = P Q. PCA is the special case W = I.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError


def whitened_class_sums(
    eigenvalues: np.ndarray, eigenvectors: np.ndarray, class_sums: np.ndarray
) -> np.ndarray:
    """P = M U Λ^{-1/2} (C×r): label content of each unit-variance principal direction."""
    return (class_sums @ eigenvectors) / np.sqrt(eigenvalues)


def orthonormal_in_order(basis: np.ndarray) -> np.ndarray:
    """Q with span(Q[:, :k]) = span(basis[:, :k]) for every k (Householder QR)."""
    q, r = np.linalg.qr(basis)
    return q * np.sign(np.where(np.diag(r) == 0, 1.0, np.diag(r)))


def alignment_numerators(
    p: np.ndarray, class_counts: np.ndarray, ordered: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Per-direction terms of Eq. (7) for an encoder given by `ordered` (None: PCA).

    ordered: orthonormal_in_order of the encoder's whitened basis (r×r), so that its
    first k columns span the encoder's top-k features for every k.

    appendix form: ‖YᵀY q_k‖² = Σ_c n_c (Y q_k)_c²  (the authors' appendix code)
    proof form:    ‖Y q_k‖²                         (Corollary 1.2's proof)
    """
    projections = p if ordered is None else p @ ordered
    squared = projections**2
    return {"appendix": class_counts.astype(np.float64) @ squared, "proof": squared.sum(axis=0)}


def alignment_table(
    p: np.ndarray, class_counts: np.ndarray, ordered: np.ndarray | None = None
) -> pd.DataFrame:
    """Alignment for K = 1..r in the three forms docs/method.md names (`ordered`: as above).

    K stops at the numerical rank r of Σ: directions beyond it carry no variance and
    the alignment there is 1 by definition.
    """
    terms = alignment_numerators(p, class_counts, ordered)
    rank = p.shape[1]
    table = pd.DataFrame({"K": np.arange(1, rank + 1)})
    for form, values in terms.items():
        total = values.sum()
        if not total > 0:
            raise ConfigError(
                "the labels have no linear relation to the data (zero alignment total)"
            )
        table[f"alignment_{form}"] = np.cumsum(values) / total
    table["alignment_percent"] = 100.0 * np.sqrt(table["alignment_appendix"])
    return table


def alignment_at(table: pd.DataFrame, k: int, form: str = "appendix") -> float:
    """Alignment at latent size k, with a clear error outside 1..D."""
    if k < 1:
        raise ConfigError(f"K must be at least 1, got {k}")
    if k > len(table):
        return 1.0  # beyond the numerical rank every direction is already included
    return float(table[f"alignment_{form}"].iloc[k - 1])


def spectrum_alignment(spectrum) -> pd.DataFrame:
    """The alignment table of a cached spectrum, with its dimension D recorded."""
    eigen, stats = spectrum.eigen, spectrum.statistics
    p = whitened_class_sums(eigen.eigenvalues, eigen.eigenvectors, stats.class_sums)
    table = alignment_table(p, stats.class_counts)
    table["dimension"] = spectrum.summary["dimension"]
    table["rank"] = eigen.rank
    return table
