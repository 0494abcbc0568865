"""One-sided Jacobi SVD (LAPACK dgesvj) and its a-posteriori error certificate.

dgesvj orthogonalizes the columns of A by plane rotations until every pair is orthogonal
to working precision (relative to the two columns' norms). That stopping rule is what
makes it accurate for column-graded matrices, and it converges in a few sweeps when the
columns start out nearly orthogonal, which is how denoising.py uses it. The calls into
BLAS and LAPACK (dgesvj itself, which SciPy does not wrap) are in blas.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .blas import blocked_product, dgesvj, product_rounding, triangular_product, upper_gram


@dataclass(frozen=True)
class JacobiSVD:
    """A = U diag(s) Vᵀ, columns by descending s, found in `sweeps` Jacobi sweeps."""

    u: np.ndarray
    s: np.ndarray
    v: np.ndarray
    sweeps: int


def jacobi_svd(a: np.ndarray, start: np.ndarray | None = None) -> JacobiSVD:
    """SVD of a full-column-rank m×n matrix (m ≥ n) by one-sided Jacobi.

    start: an n×n matrix the rotations are applied to (V = start·W where A·W = UΣ); pass
    V₀ when A = F·V₀ to get F's right singular vectors. None: V = W.
    Raises ArithmeticError if Jacobi does not converge (30 sweeps) or A is column-rank
    deficient, ValueError on a bad shape or non-finite entries.
    """
    if a.ndim != 2 or a.shape[0] < a.shape[1] or a.shape[1] == 0:
        raise ValueError(f"jacobi_svd needs an m×n matrix with m ≥ n ≥ 1, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("jacobi_svd: the matrix has NaN or infinite entries")
    m, n = a.shape
    if start is not None and start.shape[1] != n:
        raise ValueError(f"jacobi_svd: start has {start.shape[1]} columns, A has {n}")
    u = np.array(a, dtype=np.float64, order="F", copy=True)
    v = (
        np.zeros((n, n), order="F")
        if start is None
        else np.array(start, dtype=np.float64, order="F", copy=True)
    )
    singular = np.zeros(n)
    work = np.zeros(max(6, m + n))
    info = dgesvj(u, singular, v, work, apply_to_v=start is not None)
    if info < 0:
        raise ValueError(f"dgesvj rejected argument {-info}")
    if info > 0:
        raise ArithmeticError(f"Jacobi SVD (dgesvj) did not converge in 30 sweeps (info={info})")
    if int(work[1]) != n:  # WORK(2): how many singular values are nonzero
        raise ArithmeticError(
            f"Jacobi SVD (dgesvj): the matrix has column rank {int(work[1])} < {n}"
        )
    order = np.argsort(-singular, kind="stable")
    # WORK(1) scales the singular values (dgesvj rescales to avoid overflow);
    # WORK(4): how many sweeps it took.
    return JacobiSVD(u[:, order], work[0] * singular[order], v[:, order], int(work[3]))


def multiplicative_error_bound(
    a: np.ndarray, svd: JacobiSVD, lower_triangular: bool = False
) -> float:
    """A computed η with A = (I + Δ₁)·Q diag(s) Pᵀ·(I + Δ₂), Q and P orthogonal and
    ‖Δ₁‖ + ‖Δ₂‖ ≤ η (to first order).

    Under such multiplicative perturbations every singular value of A is within a factor
    1 ± η of s and the left singular vectors are within about η/relgap of Q (Eisenstat &
    Ipsen), however graded A is: the guarantee a standard SVD, whose errors are relative
    to ‖A‖, does not give. Terms: the residual A·V − U·diag(s), column by column relative
    to s, plus the rounding of the product A·V (at most γ|A||V| with γ from
    product_rounding, so the computed residual can be trusted), and how far U and V are
    from orthonormal. lower_triangular: A is (products then cost half).
    """
    gamma = product_rounding(a.shape[1])
    residual = np.linalg.norm(blocked_product(a, svd.v, lower_triangular) - svd.u * svd.s, axis=0)
    product = triangular_product if lower_triangular else np.matmul
    rounding = gamma * (np.linalg.norm(product(np.abs(a), np.abs(svd.v)), axis=0) + svd.s)
    return float(
        np.linalg.norm((residual + rounding) / svd.s)
        + _departure_from_orthonormal(svd.u)
        + _departure_from_orthonormal(svd.v)
    )


def _departure_from_orthonormal(q: np.ndarray) -> float:
    """‖QᵀQ − I‖_F from the upper triangle alone (no D×D temporaries)."""
    return departure_from_identity(upper_gram(q))


def departure_from_identity(upper: np.ndarray) -> float:
    """‖G − I‖_F for a symmetric G given by its upper triangle, the strict lower one zero
    (as syrk leaves it), with no D×D temporary (1.2 GB at D = 12 288); G is left as it
    was."""
    diagonal = upper.diagonal().copy()
    np.fill_diagonal(upper, 0.0)
    flat = upper.ravel(order="K")  # a view: syrk's output is contiguous
    off_diagonal = np.dot(flat, flat)
    np.fill_diagonal(upper, diagonal)
    return float(np.sqrt(2.0 * off_diagonal + np.sum((diagonal - 1.0) ** 2)))


def jacobi_svd_nearly_orthogonal(a: np.ndarray, start: np.ndarray) -> JacobiSVD:
    """jacobi_svd for a matrix whose columns are mostly orthogonal already.

    One Gram product finds the columns that are not orthogonal (|cos| above m·ε, the
    rounding of that product) to some other column; Jacobi runs on those alone, and the
    others are singular vectors as they stand. Cheaper than a full sweep when few
    columns need work; callers certify the result (multiplicative_error_bound).
    """
    return _sorted(_settle(a, start)[0])


# Columns per block when the kept columns' residuals are taken: no D×D temporaries.
RESIDUAL_BLOCK = 1024


def _kept_column_residuals(image: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """‖x_j − (x_j / s_j)·s_j‖ for each column x_j of `image` with norm s_j: the residual
    of a column Jacobi left alone, whose u_j is x_j / s_j (F·v_j is x_j itself)."""
    residual = np.empty(image.shape[1])
    for first in range(0, image.shape[1], RESIDUAL_BLOCK):
        block = image[:, first : first + RESIDUAL_BLOCK]
        scale = norms[first : first + RESIDUAL_BLOCK]
        residual[first : first + RESIDUAL_BLOCK] = np.linalg.norm(
            block - (block / scale) * scale, axis=0
        )
    return residual


def _left_departure_squared(
    u: np.ndarray, rotated: np.ndarray, cosines: np.ndarray, diagonal: np.ndarray
) -> float:
    """‖UᵀU − I‖²_F with the pairs of kept columns read from the Gram product that chose
    them (`cosines`: its upper triangle with a zero diagonal, overwritten here; `diagonal`
    its diagonal) and every pair with a `rotated` column computed afresh."""
    kept = np.ones(u.shape[1], bool)
    kept[rotated] = False
    cosines[rotated, :] = 0.0
    cosines[:, rotated] = 0.0
    flat = cosines.ravel(order="K")  # upper triangle, zero diagonal: each pair once
    total = 2.0 * np.dot(flat, flat) + np.sum((diagonal[kept] - 1.0) ** 2)
    if rotated.size:
        cross = u[:, rotated].T @ u  # rotated columns against every column
        cross[np.arange(len(rotated)), rotated] -= 1.0
        # each rotated-kept pair appears once here and once by symmetry; rotated pairs both
        among = cross[:, rotated]
        total += 2.0 * np.sum(cross**2) - np.sum(among**2)
    return float(total)


def _settle(a: np.ndarray, start: np.ndarray):
    """jacobi_svd_nearly_orthogonal before its reordering: (svd in a's column order,
    indices of the columns Jacobi rotated, the signed cosines' upper triangle with a
    zero diagonal, and that diagonal)."""
    norms = np.linalg.norm(a, axis=0)
    if not np.all(norms > 0):
        raise ArithmeticError(
            "jacobi_svd_nearly_orthogonal: the matrix has a zero column (column-rank deficient)"
        )
    cosines = upper_gram(a)  # upper triangle: a column's largest is over its row and column
    cosines /= norms
    cosines /= norms[:, None]
    diagonal = cosines.diagonal().copy()  # 1 up to rounding
    np.fill_diagonal(cosines, 0.0)
    absolute = np.abs(cosines)
    largest = np.maximum(absolute.max(axis=0), absolute.max(axis=1))
    del absolute
    unsettled = np.flatnonzero(largest > a.shape[0] * np.finfo(np.float64).eps)
    u, s, v, sweeps = a / norms, norms, np.array(start, dtype=np.float64, copy=True), 0
    if unsettled.size:
        part = jacobi_svd(a[:, unsettled], start[:, unsettled])
        u[:, unsettled], s[unsettled], v[:, unsettled], sweeps = part.u, part.s, part.v, part.sweeps
    return JacobiSVD(u, s, v, sweeps), unsettled, cosines, diagonal


def _sorted(svd: JacobiSVD) -> JacobiSVD:
    order = np.argsort(-svd.s, kind="stable")
    u = svd.u[:, order]  # one reordered copy at a time (each is D×D)
    v = svd.v[:, order]
    return JacobiSVD(u, svd.s[order], v, svd.sweeps)


def certified_warm_svd(lower: np.ndarray, start: np.ndarray) -> tuple[JacobiSVD, float, float]:
    """SVD of a lower-triangular F by jacobi_svd_nearly_orthogonal(F·V₀, V₀), its
    multiplicative_error_bound, and the bound's *defect* part: the same terms without the
    rounding allowance γ|F||V|. The defect is what a better solve could remove (residual,
    U and V not orthonormal); the allowance is the worst case of forming F·V in float64
    (blocked_product), about the same for any computed SVD of F: 2e-10 at D = 3072,
    where the defect is 2e-11.

    The same terms as multiplicative_error_bound(F, svd, lower_triangular=True), two
    D³ products fewer: for the columns Jacobi left alone, v_j = V₀e_j and u_j·s_j is
    the computed column (F·V₀)e_j itself, so their residual is that column against
    u_j·s_j (the product's own rounding is in the γ|F||V| term, as before); and UᵀU
    between those columns is the Gram product that chose them. Only the rotated
    columns (a few dozen) are multiplied afresh.
    """
    image = blocked_product(lower, start, lower_triangular=True)
    inner, unsettled, cosines, diagonal = _settle(image, start)
    # Every term below is a sum over columns, so it is taken in start's column order.
    residual = _kept_column_residuals(image, np.linalg.norm(image, axis=0))
    rotated = unsettled  # their residual afresh: F·v_j is not a column of F·V₀
    residual[rotated] = np.linalg.norm(
        blocked_product(lower, inner.v[:, rotated], lower_triangular=True)
        - inner.u[:, rotated] * inner.s[rotated],
        axis=0,
    )
    total = _left_departure_squared(inner.u, rotated, cosines, diagonal)
    del cosines
    gamma = product_rounding(image.shape[1])
    del image
    rounding = gamma * (
        np.linalg.norm(triangular_product(np.abs(lower), np.abs(inner.v)), axis=0) + inner.s
    )
    orthogonality = np.sqrt(total) + _departure_from_orthonormal(inner.v)
    bound = float(np.linalg.norm((residual + rounding) / inner.s) + orthogonality)
    defect = float(np.linalg.norm(residual / inner.s) + orthogonality)
    return _sorted(inner), bound, defect
