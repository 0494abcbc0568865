"""The blocked product at the edges its callers reach: a general A by default (both
triangles read), one right-hand column, inputs that are not float64 or not matrices;
and the BLAS function pointer, looked up afresh, doing a dgemm (oracle: a 2×2 product
by hand)."""

import ctypes

import numpy as np
import pytest
import scipy.linalg
from lbr.spectral import blas
from lbr.spectral.blas import blocked_product, product_rounding

RNG = np.random.default_rng(3)


def _within_rounding(product, a, b):
    exact = a.astype(np.longdouble) @ b.astype(np.longdouble)
    allowed = product_rounding(a.shape[1]) * (np.abs(a) @ np.abs(b))
    return np.all(np.abs(product.astype(np.longdouble) - exact) <= allowed)


def test_by_default_the_whole_of_a_is_read():
    a, b = RNG.standard_normal((7, 5)), RNG.standard_normal((5, 3))
    assert _within_rounding(blocked_product(a, b), a, b)
    assert not _within_rounding(blocked_product(a, b, lower_triangular=True), a, b)


@pytest.mark.parametrize("lower", [False, True])
def test_a_single_right_hand_column(lower):
    a = RNG.standard_normal((300, 300))
    b = RNG.standard_normal((300, 1))
    used = np.tril(a) if lower else a
    assert _within_rounding(blocked_product(a, b, lower_triangular=lower), used, b)


@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_inputs_of_other_types_are_multiplied_as_float64(dtype):
    a = (RNG.standard_normal((6, 4)) * 10).astype(dtype)
    b = (RNG.standard_normal((4, 2)) * 10).astype(dtype)
    product = blocked_product(a, b)
    assert product.dtype == np.float64
    assert _within_rounding(product, a.astype(np.float64), b.astype(np.float64))


@pytest.mark.parametrize("a, b", [(np.ones(3), np.ones((3, 2))), (np.ones((2, 3)), np.ones(3))])
def test_arrays_that_are_not_matrices_are_refused(a, b):
    with pytest.raises(ValueError, match="do not multiply"):
        blocked_product(a, b)


def test_the_function_pointer_found_afresh_is_blas_dgemm():
    dgemm = blas._DGEMM_SIGNATURE(blas._function_pointer(scipy.linalg.cython_blas, "dgemm"))
    a = np.asfortranarray([[1.0, 2.0], [3.0, 4.0]])
    b = np.asfortranarray([[5.0, 6.0], [7.0, 8.0]])
    out = np.zeros((2, 2), order="F")
    one, two = ctypes.c_double(1.0), ctypes.c_int(2)
    pointer = blas._DOUBLE_P
    dgemm(
        b"N",
        b"N",
        ctypes.byref(two),
        ctypes.byref(two),
        ctypes.byref(two),
        ctypes.byref(one),
        ctypes.cast(a.ctypes.data, pointer),
        ctypes.byref(two),
        ctypes.cast(b.ctypes.data, pointer),
        ctypes.byref(two),
        ctypes.byref(one),
        ctypes.cast(out.ctypes.data, pointer),
        ctypes.byref(two),
    )
    assert out.tolist() == [[19.0, 22.0], [43.0, 50.0]]  # by hand: exact in float64
