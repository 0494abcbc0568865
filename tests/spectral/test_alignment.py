"""Eq. (7)'s alignment: the K column (the x axis of every alignment plot) and its lookup on
a hand-written example (P = M U Λ^{-1/2} given directly), the table against the authors'
direct computation on small images, and CholeskyQR2 in orthonormal_in_order against
Householder QR."""

import numpy as np
import pandas as pd
import pytest
import scipy.linalg
from lbr.errors import ConfigError, DataError
from lbr.spectral import alignment
from lbr.spectral.alignment import (
    ORTHONORMAL_TOLERANCE,
    alignment_at,
    alignment_numerators,
    alignment_table,
    orthonormal_in_order,
    spectrum_alignment,
    whitened_class_sums,
)
from lbr.spectral.cache import Spectrum
from lbr.spectral.eigen import Eigendecomposition
from lbr.spectral.statistics import SpectralStatistics
from support import alignment_data as _data
from support import alignment_spectrum as _spectrum
from support import direct_alignment as _direct_alignment
from support import gamma, householder_orthogonality, qr_q_bound
from support import householder_in_order as _householder_in_order

# Two classes (counts 1 and 3), three directions.
P = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]])
COUNTS = np.array([1, 3])
# appendix terms: Σ_c n_c P_ck² = [1, 3, 4+3=7]; proof terms: Σ_c P_ck² = [1, 1, 5]


def test_numerators_by_hand():
    terms = alignment_numerators(P, COUNTS)
    assert terms["appendix"].tolist() == [1.0, 3.0, 7.0]
    assert terms["proof"].tolist() == [1.0, 1.0, 5.0]


def test_table_columns_by_hand():
    table = alignment_table(P, COUNTS)
    assert table["K"].tolist() == [1, 2, 3]
    np.testing.assert_allclose(table["alignment_appendix"], [1 / 11, 4 / 11, 1.0])
    np.testing.assert_allclose(table["alignment_proof"], [1 / 7, 2 / 7, 1.0])
    np.testing.assert_allclose(table["alignment_percent"], 100 * np.sqrt([1 / 11, 4 / 11, 1.0]))


def test_alignment_at_reads_row_k():
    table = alignment_table(P, COUNTS)
    assert alignment_at(table, 1) == pytest.approx(1 / 11)
    assert alignment_at(table, 2) == pytest.approx(4 / 11)
    assert alignment_at(table, 3) == 1.0
    assert alignment_at(table, 2, form="proof") == pytest.approx(2 / 7)
    assert alignment_at(table, 4) == 1.0 and alignment_at(table, 10**6) == 1.0
    for k in (0, -3):
        with pytest.raises(ConfigError, match=f"K must be at least 1, got {k}"):
            alignment_at(table, k)


def test_zero_total_is_refused_and_a_small_one_is_not():
    message = r"^the labels have no linear relation to the data \(zero alignment total\)$"
    with pytest.raises(DataError, match=message):
        alignment_table(np.zeros((2, 3)), COUNTS)
    small = alignment_table(1e-3 * P, COUNTS)  # totals far below 1
    np.testing.assert_allclose(small["alignment_appendix"], [1 / 11, 4 / 11, 1.0])


def test_ordered_basis_rotates_the_directions():
    # Swapping the first two directions swaps their terms.
    swap = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    terms = alignment_numerators(P, COUNTS, swap)
    assert terms["appendix"].tolist() == [3.0, 1.0, 7.0]
    table = alignment_table(P, COUNTS, swap)
    np.testing.assert_allclose(table["alignment_appendix"], [3 / 11, 4 / 11, 1.0])


def test_orthonormal_in_order_spans_leading_columns_with_positive_diagonal():
    basis = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, -4.0]])
    q = orthonormal_in_order(basis)
    # the code's own acceptance criterion for Q₁, plus the test's 3-term QᵀQ product
    np.testing.assert_allclose(q.T @ q, np.eye(3), atol=ORTHONORMAL_TOLERANCE + gamma(3))
    np.testing.assert_allclose(q, np.diag([1.0, 1.0, -1.0]), atol=qr_q_bound(basis))
    # a zero diagonal entry of R keeps its column's sign
    q = orthonormal_in_order(np.array([[1.0, 2.0], [0.0, 0.0]]))
    assert np.all(np.isfinite(q)) and q[0, 0] == 1.0
    # no column zeroed (an O(1) error); Householder's own orthogonality bound
    np.testing.assert_allclose(q.T @ q, np.eye(2), atol=householder_orthogonality(2, 2))


def test_whitened_class_sums_by_hand():
    vectors = np.array([[0.0, 1.0], [1.0, 0.0]])
    values = np.array([4.0, 1.0])
    sums = np.array([[2.0, 6.0]])
    np.testing.assert_allclose(whitened_class_sums(values, vectors, sums), [[3.0, 2.0]])


def test_spectrum_alignment_records_dimension_and_rank():
    d = 4
    stats = SpectralStatistics(
        np.eye(d), np.array([[2.0, 0, 0, 0], [0, 2.0, 0, 2.0]]), COUNTS, np.zeros(d), 1.0
    )
    eigen = Eigendecomposition(np.array([4.0, 1.0, 0.25]), np.eye(d)[:, :3], 1)
    table = spectrum_alignment(Spectrum(stats, eigen, {"dimension": d}))
    assert table["K"].tolist() == [1, 2, 3]
    assert set(table["dimension"]) == {4} and set(table["rank"]) == {3}
    # P = [[1, 0, 0], [0, 2, 0]]: appendix terms [1, 12, 0]
    np.testing.assert_allclose(table["alignment_appendix"], [1 / 13, 1.0, 1.0])
    assert isinstance(table, pd.DataFrame)


# --- against the authors' direct computation (N×K representation, QR) on structured
# small images -------------------------------------------------------------------------


def test_alignment_properties_and_forms():
    x, y = _data(balanced=True)
    sigma, m, n, eigen = _spectrum(x, y)
    table = alignment_table(whitened_class_sums(eigen.eigenvalues, eigen.eigenvectors, m), n)
    a = table["alignment_appendix"].to_numpy()
    # exact: a cumulative sum of non-negative terms over one total is monotone in floating point
    assert np.all(np.diff(a) >= 0) and a.min() >= 0
    # cumsum against sum (pairwise) of r terms: each within γ_r of the exact total
    assert a[-1] == pytest.approx(1.0, abs=2 * gamma(len(a)))
    # balanced labels: each form is C-term sums, an r-term cumsum and total and a division
    # apart from exact (γ_{C+2r+2} each); a wrong form differs by O(1)
    bound = 2 * gamma(len(n) + 2 * len(a) + 2)
    np.testing.assert_allclose(table["alignment_proof"], a, atol=bound)
    np.testing.assert_allclose(table["alignment_percent"], 100 * np.sqrt(a))


def test_proof_and_appendix_forms_differ_on_unbalanced_labels():
    x, y = _data(balanced=False)
    sigma, m, n, eigen = _spectrum(x, y)
    y = y[:, :]
    keep = (np.argmax(y, axis=0) != 0) | (np.arange(y.shape[1]) % 4 == 0)  # make class 0 rare
    x, y = x[:, keep], y[:, keep]
    x -= x.mean(axis=1, keepdims=True)
    sigma, m, n, eigen = _spectrum(x, y)
    table = alignment_table(whitened_class_sums(eigen.eigenvalues, eigen.eigenvectors, m), n)
    assert np.abs(table["alignment_proof"] - table["alignment_appendix"]).max() > 1e-4


def test_alignment_equals_direct_computation():
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    table = alignment_table(whitened_class_sums(eigen.eigenvalues, eigen.eigenvectors, m), n)
    np.testing.assert_allclose(
        table["alignment_appendix"], _direct_alignment(x, y, eigen.eigenvectors), atol=1e-8
    )


def test_alignment_k_outside_range():
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    table = alignment_table(whitened_class_sums(eigen.eigenvalues, eigen.eigenvectors, m), n)
    with pytest.raises(ConfigError):
        alignment_at(table, 0)
    assert alignment_at(table, 10**6) == 1.0


# --- CholeskyQR2 in orthonormal_in_order against the Householder QR it replaces -------


@pytest.mark.parametrize("decades", [0, 2, 4])
def test_cholesky_qr_in_order_equals_householder(decades):
    rng = np.random.default_rng(decades)
    basis = rng.standard_normal((80, 80)) * np.logspace(0, -decades, 80)
    q = orthonormal_in_order(basis)
    # two backward-stable QRs of one basis; a wrong order or sign differs by O(1)
    np.testing.assert_allclose(q, _householder_in_order(basis), atol=qr_q_bound(basis))
    # The code's own acceptance criterion, not what one BLAS kernel happens to round to.
    assert np.linalg.norm(q.T @ q - np.eye(80)) <= alignment.ORTHONORMAL_TOLERANCE


def test_ill_conditioned_basis_falls_back_to_householder(monkeypatch):
    basis = np.random.default_rng(0).standard_normal((40, 40)) * np.logspace(0, -12, 40)
    calls = []
    monkeypatch.setattr(np.linalg, "qr", lambda a: calls.append(1) or scipy.linalg.qr(a))
    q = orthonormal_in_order(basis)
    assert calls == [1]
    # Householder's orthogonality, whatever the basis's condition (cond ≈ 1e12 here)
    np.testing.assert_allclose(q.T @ q, np.eye(40), atol=householder_orthogonality(40, 40))
    assert alignment.CHOLESKY_QR_MAX_CONDITION < 1e12


def _cholesky_passes(monkeypatch):
    calls = []
    original = alignment._cholesky_qr
    monkeypatch.setattr(
        alignment, "_cholesky_qr", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    return calls


def test_a_well_conditioned_basis_takes_one_cholesky_pass(monkeypatch):
    basis = np.random.default_rng(1).standard_normal((120, 120)) + 30.0 * np.eye(120)
    calls = _cholesky_passes(monkeypatch)
    q = orthonormal_in_order(basis)
    assert calls == [1]
    np.testing.assert_allclose(q, _householder_in_order(basis), atol=qr_q_bound(basis))
    assert np.linalg.norm(q.T @ q - np.eye(120)) <= alignment.ORTHONORMAL_TOLERANCE


def test_a_first_pass_short_of_orthonormal_gets_the_second(monkeypatch):
    """cond ≈ 3e3, not from column scaling (which Cholesky QR shrugs off): one pass
    leaves ‖QᵀQ − I‖ near 4e-10, so the measured check must send it on."""
    rng = np.random.default_rng(2)
    left, _ = np.linalg.qr(rng.standard_normal((100, 100)))
    right, _ = np.linalg.qr(rng.standard_normal((100, 100)))
    basis = left * np.logspace(0, -3.5, 100) @ right
    first, _ = alignment._cholesky_qr(np.asfortranarray(basis))
    assert np.linalg.norm(first.T @ first - np.eye(100)) > 100 * alignment.ORTHONORMAL_TOLERANCE
    calls = _cholesky_passes(monkeypatch)
    q = orthonormal_in_order(basis)
    assert calls == [1, 1]
    assert np.linalg.norm(q.T @ q - np.eye(100)) <= alignment.ORTHONORMAL_TOLERANCE
    np.testing.assert_allclose(q, _householder_in_order(basis), atol=1e-9)
