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
from scipy.linalg import lapack
from scipy.linalg.blas import dsyrk, dtrsm

from ..errors import ConfigError, DataError
from .jacobi import departure_from_identity


def whitened_class_sums(
    eigenvalues: np.ndarray, eigenvectors: np.ndarray, class_sums: np.ndarray
) -> np.ndarray:
    """P = M U Λ^{-1/2} (C×r): label content of each unit-variance principal direction."""
    return (class_sums @ eigenvectors) / np.sqrt(eigenvalues)


# Largest estimated condition number of the basis for which Cholesky QR is used: its
# first pass then leaves Q₁ with cond ≤ ~1 + κ²ε·r, so the second pass is orthonormal
# to working precision (Yamamoto et al. 2015, CholeskyQR2). Beyond it: Householder.
CHOLESKY_QR_MAX_CONDITION = 1e5
# A first pass whose Q₁ is this close to orthonormal (‖Q₁ᵀQ₁ − I‖_F, from the Gram
# product the second pass would start from anyway) is kept: a thousand times below the
# denoising solver's certified bound (≥ 1e-9 at D = 3072).
ORTHONORMAL_TOLERANCE = 1e-12


def orthonormal_in_order(basis: np.ndarray) -> np.ndarray:
    """Q with span(Q[:, :k]) = span(basis[:, :k]) for every k, R's diagonal positive.

    Cholesky QR (R = chol(AᵀA), Q = A·R⁻¹: syrk, potrf, trsm) when the basis is well
    conditioned, which the optimal encoder's whitened basis is (cond(W)² = cond(H)),
    repeated once (CholeskyQR2) unless the first Q is already orthonormal to
    ORTHONORMAL_TOLERANCE; Householder QR otherwise. Same Q in exact arithmetic;
    Cholesky QR is all level-3 BLAS (matrix-matrix products), while Householder QR
    factors each panel with level-2 (matrix-vector) operations, which are memory-bound
    and slow down most on a loaded machine. The check is the Gram product the second
    pass would begin with, so a second pass costs nothing extra and a skipped one saves
    its potrf and trsm.
    """
    if basis.ndim == 2 and basis.shape[0] >= basis.shape[1] > 0:
        first = _cholesky_qr(np.asfortranarray(basis, dtype=np.float64))
        if first is not None:
            gram = dsyrk(1.0, first[0], trans=1)  # upper triangle of Q₁ᵀQ₁
            if departure_from_identity(gram) <= ORTHONORMAL_TOLERANCE:
                return first[0]
            second = _cholesky_qr(first[0], max_condition=None, gram=gram)
            if second is not None:
                return second[0]
    q, r = np.linalg.qr(basis)
    return q * np.sign(np.where(np.diag(r) == 0, 1.0, np.diag(r)))


def _cholesky_qr(
    a: np.ndarray,
    max_condition: float | None = CHOLESKY_QR_MAX_CONDITION,
    gram: np.ndarray | None = None,
):
    """(A·R⁻¹, R) with R = chol(AᵀA) upper triangular, or None when AᵀA is not
    numerically positive definite or R's estimated condition number exceeds
    max_condition (None: no limit). gram: AᵀA's upper triangle if already computed
    (overwritten)."""
    if gram is None:
        gram = dsyrk(1.0, a, trans=1)  # upper triangle of AᵀA
    r, info = lapack.dpotrf(gram, lower=0, overwrite_a=1)
    if info != 0:
        return None
    if max_condition is not None:
        rcond, info = lapack.dtrcon(r, norm="1", uplo="U", diag="N")
        if info != 0 or not rcond * max_condition > 1.0:
            return None
    return dtrsm(1.0, r, a, side=1, lower=0), r


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
            raise DataError("the labels have no linear relation to the data (zero alignment total)")
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
