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

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.linalg
from scipy.linalg import lapack

from ..device import resolve_device
from .alignment import alignment_table, orthonormal_in_order, whitened_class_sums
from .blas import triangular_product
from .jacobi import certified_warm_svd, jacobi_svd, multiplicative_error_bound
from .noise import ImageGeometry, Noise, table_columns

if TYPE_CHECKING:
    import torch

NOT_POSITIVE_DEFINITE = "H = I + Λ^(-1/2)UᵀEUΛ^(-1/2) is not positive definite (info={info})"
# The warm start's answer is kept when the defect part of its certificate (residual and
# orthogonality, not the rounding allowance: certified_warm_svd) is below this.
WARM_START_TOLERANCE = 1e-8


def denoising_ordered_basis(
    eigenvalues,
    eigenvectors,
    covariance,
    n: int,
    noise: Noise,
    geometry: ImageGeometry,
    device: str = "cpu",
) -> tuple[np.ndarray, float]:
    """The optimal encoder's directions in whitened coordinates (w, r×r: the solutions
    of Λ w = μ H w by descending μ), orthonormalized in order, and the certified
    relative error bound of the solver's SVD step: what the alignment and the subspace
    shift need. device: where the solver's front runs (auto, cpu, cuda:
    _graded_generalized_eigenvectors); every other step runs on the CPU. When H is
    diagonal the answer is a permutation, exactly, and no eigensolve, Jacobi or QR runs
    (_diagonal_order)."""
    h = _whitened_h(eigenvalues, eigenvectors, covariance, n, noise, geometry)
    order = _diagonal_order(eigenvalues, h)
    if order is not None:
        return np.eye(len(eigenvalues))[:, order], 0.0
    basis, bound = _graded_generalized_eigenvectors(eigenvalues, h, _solver_device(device))
    return orthonormal_in_order(basis), bound


def _whitened_h(eigenvalues, eigenvectors, covariance, n, noise, geometry) -> np.ndarray:
    """H = I + Λ^{-1/2}UᵀEUΛ^{-1/2}."""
    noise.check(geometry)
    h = noise.whitened_excess(eigenvalues, eigenvectors, covariance, n, geometry)
    h[np.diag_indices_from(h)] += 1.0
    return h


def _diagonal_order(eigenvalues: np.ndarray, h: np.ndarray) -> np.ndarray | None:
    """If H is diagonal (isotropic Gaussian noise: H = I + Nσ²Λ⁻¹; a masking ratio of 0:
    H = I), the order of the exact solution, else None.

    With H = diag(h), Λ w = μ H w is diagonal: w_i = e_i with μ_i = λ_i/h_i, so the
    encoder's directions are PCA's, taken by descending μ (stable, so ties keep PCA's
    order), and the in-order orthonormalization of that permutation is itself. For
    Gaussian noise μ_i = λ_i²/(λ_i + Nσ²) grows with λ_i: PCA's own order, which is
    Corollary 3.1, with no rounding at all. Checking costs one pass over H.
    """
    r = len(h)
    off_diagonal = h.reshape(-1)[1:].reshape(r - 1, r + 1)[:, :-1] if r > 1 else h[:0]
    if np.any(off_diagonal):
        return None
    return np.argsort(-(eigenvalues / h.diagonal()), kind="stable")


def _graded_generalized_eigenvectors(
    eigenvalues: np.ndarray, h: np.ndarray, device: torch.device | None = None
) -> tuple[np.ndarray, float]:
    """Solve Λ w = μ H w, columns by descending μ, to high relative accuracy; return w and
    a computed bound on the relative error of its SVD step (multiplicative_error_bound).
    h is overwritten (at D = 12 288 a copy is 1.2 GB).

    μ spans roughly the square of Σ's eigenvalue range (on Fashion-MNIST with the
    authors' jitter, 1e-14 of μ₁), beyond what a standard eigensolver resolves: its
    errors are relative to μ₁, so it scrambles the low-variance directions. With H = LLᵀ,
    the eigenvectors of L⁻¹ΛL⁻ᵀ are the left singular vectors of F = L⁻¹Λ^{1/2}, and
    w = L⁻ᵀy. F = B·Λ with B the inverse Cholesky factor of Λ + UᵀEU (well conditioned
    when the noise is), so F is column-graded: one-sided Jacobi computes its SVD to high
    relative accuracy (Demmel & Veselić). From a cold start Jacobi sweeps over every pair
    of columns several times, O(D³) work per sweep. It starts instead from A₀ = F·V₀, V₀
    the eigenvectors of FᵀF from a standard solver: most columns of A₀ are orthogonal
    already, and Jacobi only repairs the scrambled low-μ ones. Rotating F can
    cost accuracy when its grading is not in column order, so the result is certified a
    posteriori, and a defect above WARM_START_TOLERANCE (residual or orthogonality: what
    a cold start can repair) sends the problem to a cold start (kept if its bound is
    lower). The rounding allowance in the bound is left out of that choice: a cold start
    carries the same allowance, and costs full sweeps over all D columns.

    Cost: F is lower triangular, so every product with it is a triangular one (half a
    general product), FᵀF is one LAPACK lauum, and the eigensolve dominates. The front
    (Cholesky, F, FᵀF and the eigensolve) runs on `device`: a GPU through torch, or None
    for LAPACK on the CPU; the Jacobi repair, the certificate and w run on the CPU, and
    the certificate judges a GPU's F and V₀ like LAPACK's.
    """
    root = np.sqrt(eigenvalues)
    if device is None:
        graded, warm = _lapack_front(h, root)
    else:
        graded, warm = _torch_front(h, root, device)
    del h
    svd, bound, defect = certified_warm_svd(graded, warm)
    del warm
    if defect > WARM_START_TOLERANCE:
        cold = jacobi_svd(graded)
        cold_bound = multiplicative_error_bound(graded, cold, lower_triangular=True)
        if cold_bound < bound:
            svd, bound = cold, cold_bound
    # w = L⁻ᵀy = Λ^{-1/2}Fᵀy
    w = triangular_product(graded, svd.u, transpose=True)
    w /= root[:, None]
    return w, bound


def _solver_device(name: str) -> torch.device | None:
    """Where the solver's front (Cholesky, F, FᵀF, eigensolve) runs: a GPU as torch
    resolves it, or None for LAPACK on the CPU; the word 'cpu' is answered without
    importing torch, which a CPU job's solver never needs."""
    if name == "cpu":
        return None
    device = resolve_device(name)
    return None if device.type == "cpu" else device


def _lapack_front(h: np.ndarray, root: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """F = L⁻¹Λ^{1/2} (H = LLᵀ; lower triangle, Fortran order) and V₀, the eigenvectors
    of FᵀF, by LAPACK in place: h is overwritten."""
    # H is symmetric, so Hᵀ (Fortran order when H is C order) is H: factor it in place.
    factor, info = lapack.dpotrf(h.T if h.flags.c_contiguous else h, lower=1, overwrite_a=1)
    if info != 0:
        raise ArithmeticError(NOT_POSITIVE_DEFINITE.format(info=info))
    graded, info = lapack.dtrtri(factor, lower=1, overwrite_c=1)  # L⁻¹, then F = L⁻¹Λ^{1/2}
    del factor
    graded *= root
    gram, _ = lapack.dlauum(graded, lower=1)  # FᵀF in the lower triangle
    return graded, _lapack_eigenvectors(gram)


def _lapack_eigenvectors(lower: np.ndarray) -> np.ndarray:
    """Eigenvectors of the symmetric matrix whose lower triangle is `lower` (overwritten)."""
    return scipy.linalg.eigh(lower, lower=True, overwrite_a=True, check_finite=False)[1]


def _torch_front(
    h: np.ndarray, root: np.ndarray, device: torch.device
) -> tuple[np.ndarray, np.ndarray]:
    """_lapack_front's F and V₀ in float64 through torch on `device` (cuSOLVER and cuBLAS
    on a GPU; tests run it on the CPU): every D³ step of the front, one transfer each
    way."""
    import torch

    matrix = torch.from_numpy(np.ascontiguousarray(h)).to(device)
    factor, info = torch.linalg.cholesky_ex(matrix)
    del matrix
    if int(info) != 0:
        raise ArithmeticError(NOT_POSITIVE_DEFINITE.format(info=int(info)))
    identity = torch.eye(len(root), dtype=torch.float64, device=device)
    graded = torch.linalg.solve_triangular(factor, identity, upper=False)  # L⁻¹
    del factor, identity
    graded *= torch.from_numpy(root).to(device)
    warm = torch.linalg.eigh(graded.T @ graded).eigenvectors
    return np.asfortranarray(graded.cpu().numpy()), warm.cpu().numpy()


def subspace_shift(ordered: np.ndarray) -> np.ndarray:
    """Label-free distance of the encoder's top-K feature space from PCA's, per K.

    Mean squared sine of the principal angles between the two K-dimensional feature
    spaces (in sample space): 1 − ‖Q[:K, :K]‖²_F / K, with Q = `ordered`, the in-order
    orthonormalization of the whitened basis. Zero for every K means the encoder ranks
    features exactly as PCA does, so no task's alignment can change.
    """
    overlap = np.cumsum(np.cumsum(ordered**2, axis=0), axis=1).diagonal()
    k = np.arange(1, len(overlap) + 1)
    return np.clip(1.0 - overlap / k, 0.0, 1.0)


def relative_change_percent(noisy, clean):
    """Fig. 7's y axis: 100·(A_noisy − A_clean)/A_clean on the percent form
    A% = 100·√(cumulative ratio) that Fig. 2 plots (the authors' figure code)."""
    return 100.0 * (noisy - clean) / clean


def denoising_alignment(
    eigenvalues,
    eigenvectors,
    covariance,
    class_sums,
    class_counts,
    n: int,
    noise: Noise,
    geometry: ImageGeometry,
    device: str = "cpu",
) -> pd.DataFrame:
    """Per K: alignment of the optimal denoising encoder, of PCA, their change, the shift."""
    p = whitened_class_sums(eigenvalues, eigenvectors, class_sums)
    clean = alignment_table(p, class_counts)
    ordered, error_bound = denoising_ordered_basis(
        eigenvalues, eigenvectors, covariance, n, noise, geometry, device
    )
    noisy = alignment_table(p, class_counts, ordered)
    table = pd.DataFrame(
        {
            "K": clean["K"],
            "alignment": noisy["alignment_appendix"],
            "alignment_clean": clean["alignment_appendix"],
            "alignment_percent": noisy["alignment_percent"],
            "alignment_percent_clean": clean["alignment_percent"],
        }
    )
    table["change"] = table["alignment"] - table["alignment_clean"]
    table["relative_change_percent"] = relative_change_percent(
        table["alignment_percent"], table["alignment_percent_clean"]
    )
    # The same change taken on the cumulative ratio (≈ twice the plotted one): kept for
    # comparison only, never plotted or judged.
    table["relative_change_of_cumulative_ratio_percent"] = relative_change_percent(
        table["alignment"], table["alignment_clean"]
    )
    table["subspace_shift"] = subspace_shift(ordered)
    table["solver_error_bound"] = error_bound
    return table


def spectrum_denoising(spectrum, noise: Noise, device: str = "cpu") -> pd.DataFrame:
    """Theorem 3 for one cached spectrum and one noise setting."""
    height, width, channels = spectrum.summary["image_shape"]
    eigen, stats = spectrum.eigen, spectrum.statistics
    table = denoising_alignment(
        eigen.eigenvalues,
        eigen.eigenvectors,
        stats.covariance,
        stats.class_sums,
        stats.class_counts,
        spectrum.summary["num_samples"],
        noise,
        ImageGeometry(height, width, channels),
        device,
    )
    table.insert(0, "noise", noise.name)
    table.insert(1, "family", noise.family)
    for field in table_columns():
        table[field] = getattr(noise, field, np.nan)
    return table
