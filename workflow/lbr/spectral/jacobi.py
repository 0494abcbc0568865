"""One-sided Jacobi SVD (LAPACK dgesvj), which SciPy ships but does not wrap.

SciPy exports every LAPACK routine it links as a function pointer in
`scipy.linalg.cython_lapack`; this module calls dgesvj through that pointer with
ctypes, so no compiler and no second LAPACK are needed. dgesvj orthogonalizes the
columns of A by plane rotations until every pair is orthogonal to working precision
(relative to the two columns' norms). That stopping rule is what makes it accurate for
column-graded matrices, and it converges in a few sweeps when the columns start out
nearly orthogonal, which is how denoising.py uses it.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from functools import cache

import numpy as np
import scipy.linalg.cython_blas
import scipy.linalg.cython_lapack
from scipy.linalg.blas import dsyrk, dtrmm

_INT_P = ctypes.POINTER(ctypes.c_int)
_DOUBLE_P = ctypes.POINTER(ctypes.c_double)
# SUBROUTINE DGESVJ(JOBA, JOBU, JOBV, M, N, A, LDA, SVA, MV, V, LDV, WORK, LWORK, INFO),
# as scipy.linalg.cython_lapack declares it (every argument by reference).
_SIGNATURE = ctypes.CFUNCTYPE(
    None,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    _INT_P,
    _INT_P,
    _DOUBLE_P,
    _INT_P,
    _DOUBLE_P,
    _INT_P,
    _DOUBLE_P,
    _INT_P,
    _DOUBLE_P,
    _INT_P,
    _INT_P,
)


# SUBROUTINE DGEMM(TRANSA, TRANSB, M, N, K, ALPHA, A, LDA, B, LDB, BETA, C, LDC): called
# through the pointer too, because the f2py wrapper takes no leading dimensions, and a
# block of rows of C is what the blocked triangular product updates in place.
_DGEMM_SIGNATURE = ctypes.CFUNCTYPE(
    None,
    ctypes.c_char_p,
    ctypes.c_char_p,
    *[_INT_P] * 3,
    _DOUBLE_P,
    _DOUBLE_P,
    _INT_P,
    _DOUBLE_P,
    _INT_P,
    _DOUBLE_P,
    _DOUBLE_P,
    _INT_P,
)


def _function_pointer(module, routine: str):
    capsule = module.__pyx_capi__[routine]
    name = ctypes.pythonapi.PyCapsule_GetName
    name.restype, name.argtypes = ctypes.c_char_p, [ctypes.py_object]
    pointer = ctypes.pythonapi.PyCapsule_GetPointer
    pointer.restype, pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    return pointer(capsule, name(capsule))


@cache
def _dgesvj():
    return _SIGNATURE(_function_pointer(scipy.linalg.cython_lapack, "dgesvj"))


@cache
def _dgemm():
    return _DGEMM_SIGNATURE(_function_pointer(scipy.linalg.cython_blas, "dgemm"))


def _int(value: int):
    return ctypes.byref(ctypes.c_int(value))


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
    info = ctypes.c_int(0)
    u_p, v_p, s_p, work_p = (x.ctypes.data_as(_DOUBLE_P) for x in (u, v, singular, work))
    # JOBA='G': general matrix; JOBU='U': left vectors overwrite A; JOBV='V': compute V,
    # 'A': apply the rotations to the given MV×N matrix.
    jobv = b"V" if start is None else b"A"
    _dgesvj()(
        b"G",
        b"U",
        jobv,
        _int(m),
        _int(n),
        u_p,
        _int(m),
        s_p,
        _int(v.shape[0]),
        v_p,
        _int(v.shape[0]),
        work_p,
        _int(len(work)),
        ctypes.byref(info),
    )
    if info.value < 0:
        raise ValueError(f"dgesvj rejected argument {-info.value}")
    if info.value > 0:
        raise ArithmeticError(
            f"Jacobi SVD (dgesvj) did not converge in 30 sweeps (info={info.value})"
        )
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


# Columns of A per block in blocked_product: each entry of A·B is summed within a block
# by the BLAS, then across the ⌈n/block⌉ blocks in order, so its rounding allowance is
# product_rounding(n), about block + n/block units of ε instead of one product's n + 2
# (305ε against 12 290ε at n = 12 288). Any summation order inside a BLAS call obeys
# this (the bound counts additions along the longest path); only sub-cubic algorithms
# (Strassen), which no LAPACK-grade BLAS uses for dgemm, would not.
PRODUCT_BLOCK = 256


def product_rounding(n: int) -> float:
    """γ such that blocked_product's A·B (inner dimension n) is within γ|A||B|: at most
    PRODUCT_BLOCK terms summed inside a block, then one addition per further block (the
    first lands on zeros, exactly), then the products' own rounding."""
    return (min(n, PRODUCT_BLOCK) + -(-n // PRODUCT_BLOCK) + 1) * np.finfo(np.float64).eps


def blocked_product(a: np.ndarray, b: np.ndarray, lower_triangular: bool = False) -> np.ndarray:
    """A·B (Fortran order) accumulated over blocks of PRODUCT_BLOCK columns of A, so its
    rounding is bounded by product_rounding(n), not (n + 2)ε. lower_triangular: only A's
    lower triangle is read (what sits above it is ignored, as BLAS trmm does), and each
    block multiplies only the rows at and below its first column."""
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"blocked_product: shapes {a.shape} and {b.shape} do not multiply")
    a = np.asfortranarray(a, dtype=np.float64)
    b = np.asfortranarray(b, dtype=np.float64)
    m, n = a.shape
    out = np.zeros((m, b.shape[1]), order="F")
    for first in range(0, n, PRODUCT_BLOCK):
        last = min(first + PRODUCT_BLOCK, n)
        if not lower_triangular:
            _accumulate(out, 0, a, 0, first, last, b)
        elif first < m:
            diagonal = np.tril(a[first : min(last, m), first:last]).copy(order="F")
            _accumulate(out, first, diagonal, 0, 0, last - first, b, b_row=first)
            if last < m:
                _accumulate(out, last, a, last, first, last, b)
    return out


def _accumulate(out, out_row, a, a_row, first, last, b, b_row=None) -> None:
    """out[out_row:] += a[a_row:, first:last] · b[b_row:b_row + last − first] in place
    (b_row defaults to first), by dgemm on views: no copies of out."""
    rows, width, columns = a.shape[0] - a_row, last - first, b.shape[1]
    if rows <= 0 or width <= 0 or columns == 0:
        return
    one = ctypes.c_double(1.0)
    size = a.itemsize
    _dgemm()(
        b"N",
        b"N",
        _int(rows),
        _int(columns),
        _int(width),
        ctypes.byref(one),
        _at(a, (a_row + first * a.shape[0]) * size),
        _int(a.shape[0]),
        _at(b, (first if b_row is None else b_row) * size),
        _int(b.shape[0]),
        ctypes.byref(one),
        _at(out, out_row * size),
        _int(out.shape[0]),
    )


def _at(array: np.ndarray, offset: int):
    """A pointer `offset` bytes into a Fortran-ordered array's data."""
    return ctypes.cast(array.ctypes.data + offset, _DOUBLE_P)


def triangular_product(lower: np.ndarray, b: np.ndarray, transpose: bool = False) -> np.ndarray:
    """L·B (or Lᵀ·B) for lower-triangular L, as BLAS trmm: half a general product."""
    return dtrmm(1.0, lower, b, lower=1, trans_a=int(transpose))


def upper_gram(a: np.ndarray) -> np.ndarray:
    """AᵀA's upper triangle (zeros below), as BLAS syrk: half a general product."""
    return dsyrk(1.0, np.asfortranarray(a), trans=1)


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
    norms = np.linalg.norm(image, axis=0)
    settled = np.ones(image.shape[1], bool)
    settled[unsettled] = False
    residual = np.zeros(image.shape[1])
    for first in range(0, image.shape[1], 1024):  # column blocks: no D×D temporaries
        block = image[:, first : first + 1024]
        scale = norms[first : first + 1024]
        residual[first : first + 1024] = np.linalg.norm(block - (block / scale) * scale, axis=0)
    rotated = unsettled  # their residual afresh: F·v_j is not a column of F·V₀
    residual[rotated] = np.linalg.norm(
        blocked_product(lower, inner.v[:, rotated], lower_triangular=True)
        - inner.u[:, rotated] * inner.s[rotated],
        axis=0,
    )
    # ‖UᵀU − I‖²: pairs of settled columns from the Gram product, the rest afresh.
    cosines[unsettled, :] = 0.0
    cosines[:, unsettled] = 0.0
    flat = cosines.ravel(order="K")  # upper triangle, zero diagonal: each pair once
    total = 2.0 * np.dot(flat, flat) + np.sum((diagonal[settled] - 1.0) ** 2)
    del cosines, flat
    if unsettled.size:
        moved = inner.u[:, rotated]
        cross = moved.T @ inner.u  # rotated columns against every column
        cross[np.arange(len(rotated)), rotated] -= 1.0
        # each rotated-settled pair appears once here and once by symmetry; rotated pairs both
        among = cross[:, rotated]
        total += 2.0 * np.sum(cross**2) - np.sum(among**2)
    gamma = product_rounding(image.shape[1])
    del image
    rounding = gamma * (
        np.linalg.norm(triangular_product(np.abs(lower), np.abs(inner.v)), axis=0) + inner.s
    )
    orthogonality = np.sqrt(total) + _departure_from_orthonormal(inner.v)
    bound = float(np.linalg.norm((residual + rounding) / inner.s) + orthogonality)
    defect = float(np.linalg.norm(residual / inner.s) + orthogonality)
    return _sorted(inner), bound, defect
