"""The BLAS and LAPACK calls of the solver: dgesvj through its function pointer against
numpy's SVD, the blocked product within its own rounding bound of an extended-precision
product, and the triangular product reading only the lower triangle. jacobi_svd's
handling of dgesvj's answers is in tests/spectral/test_jacobi.py."""

import numpy as np
import pytest
from lbr.spectral.blas import blocked_product, dgesvj, product_rounding, triangular_product
from support import gamma


@pytest.mark.parametrize("apply_to_v", [False, True])
def test_dgesvj_leaves_u_s_and_v_of_the_matrix(apply_to_v):
    """In place: A becomes U, V is computed (or the given start times the rotations),
    WORK(1) scales the singular values and WORK(2) is the rank; U·diag(s)·Vᵀ is A
    within two backward-stable SVDs' error and the check's 3-term product."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal((5, 3))
    start = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    # with a start V₀ the rotations act on A·V₀, and V = V₀·W: A's right vectors again
    u = np.asfortranarray(a @ start if apply_to_v else a)
    v = np.asfortranarray(start if apply_to_v else np.zeros((3, 3)))
    singular, work = np.zeros(3), np.zeros(8)
    assert dgesvj(u, singular, v, work, apply_to_v) == 0
    assert work[1] == 3 and work[3] >= 1
    s = work[0] * singular
    reference = np.linalg.svd(a, compute_uv=False)
    weyl = 2 * gamma(a.size) * reference[0]
    np.testing.assert_allclose(np.sort(s)[::-1], reference, rtol=0, atol=weyl)
    np.testing.assert_allclose((u * s) @ v.T, a, rtol=0, atol=weyl + gamma(3) * reference[0])


@pytest.mark.parametrize("m, n", [(700, 600), (600, 600), (300, 700), (5, 1)])
def test_blocked_product_is_the_product_within_its_rounding_bound(m, n):
    """Several blocks, square and trapezoidal: every entry within γ|A||B| of the exact
    product (taken in extended precision), and in the triangular case only the lower
    triangle is read, like trmm."""
    rng = np.random.default_rng(m + n)
    a = rng.standard_normal((m, n)) * np.logspace(0, -8, n)
    b = rng.standard_normal((n, 9))
    wide = np.longdouble
    for lower in (False, True):
        used = np.tril(a) if lower else a
        exact = used.astype(wide) @ b.astype(wide)
        product = blocked_product(a, b, lower_triangular=lower)
        allowed = product_rounding(n) * (np.abs(used) @ np.abs(b))
        assert np.all(np.abs(product.astype(wide) - exact) <= allowed)
        # numpy's product is within γ_n|A||B| of exact as well
        numpy_allowed = gamma(n) * (np.abs(used) @ np.abs(b))
        assert np.all(np.abs(product - used @ b) <= allowed + numpy_allowed)


def test_product_rounding_counts_blocks_not_columns():
    eps = np.finfo(np.float64).eps
    assert product_rounding(3) == 5 * eps  # one block: the classic (n + 2)ε
    # many blocks: far below one product's (n + 2)ε, and growing with n far more slowly
    assert product_rounding(12288) < (12288 + 2) * eps / 30
    assert product_rounding(4 * 12288) < 2 * product_rounding(12288)


def test_blocked_product_rejects_shapes_that_do_not_multiply():
    with pytest.raises(ValueError, match="do not multiply"):
        blocked_product(np.ones((3, 4)), np.ones((3, 4)))


def test_triangular_product_reads_the_lower_triangle_only():
    """trmm's L·B and Lᵀ·B against numpy's product with np.tril(L): the entries above the
    diagonal (garbage in a LAPACK factor's array) are never read."""
    rng = np.random.default_rng(5)
    full = rng.standard_normal((6, 6))
    b = rng.standard_normal((6, 4))
    lower = np.tril(full)
    product = triangular_product(full, b)
    # trmm and numpy's product each within γ_6|L||B| of exact; reading the garbage above
    # the diagonal would be O(1) off
    allowed = 2 * gamma(6) * (np.abs(lower) @ np.abs(b))
    assert np.all(np.abs(product - lower @ b) <= allowed)
    transposed = triangular_product(full, b, transpose=True)
    assert np.all(np.abs(transposed - lower.T @ b) <= 2 * gamma(6) * (np.abs(lower.T) @ np.abs(b)))
