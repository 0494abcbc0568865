"""BLAS and LAPACK calls the solver needs and SciPy's wrappers do not offer.

SciPy exports every BLAS and LAPACK routine it links as a function pointer in
`scipy.linalg.cython_blas` and `scipy.linalg.cython_lapack`; this module calls dgesvj
(one-sided Jacobi, which SciPy does not wrap) and dgemm on views (the f2py wrapper
takes no leading dimensions) through those pointers with ctypes, so no compiler and no
second LAPACK are needed. Beside them: the blocked product whose rounding the
certificate counts, and the triangular and Gram products that cost half a general one.
"""

from __future__ import annotations

import ctypes
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


def dgesvj(
    u: np.ndarray, singular: np.ndarray, v: np.ndarray, work: np.ndarray, apply_to_v: bool
) -> int:
    """LAPACK dgesvj on a general m×n matrix, in place, and its INFO.

    u: A on entry (float64, Fortran order), its left singular vectors on exit; singular:
    n entries for the (scaled) singular values; v: the n×n right singular vectors on
    exit, or, with apply_to_v, a matrix the rotations are applied to (float64, Fortran
    order); work: at least max(6, m + n) entries, whose first four dgesvj fills with the
    scale, the rank, and the sweep count (see jacobi.jacobi_svd).
    """
    m, n = u.shape
    info = ctypes.c_int(0)
    u_p, v_p, s_p, work_p = (x.ctypes.data_as(_DOUBLE_P) for x in (u, v, singular, work))
    # JOBA='G': general matrix; JOBU='U': left vectors overwrite A; JOBV='V': compute V,
    # 'A': apply the rotations to the given MV×N matrix.
    _dgesvj()(
        b"G",
        b"U",
        b"A" if apply_to_v else b"V",
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
    return info.value


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
