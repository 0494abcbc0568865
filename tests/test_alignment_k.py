"""The alignment table's K column (the x axis of every alignment plot) and its lookup,
on a hand-written example: P = M U Λ^{-1/2} given directly."""

import numpy as np
import pandas as pd
import pytest
from lbr.errors import ConfigError, DataError
from lbr.spectral.alignment import (
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
    np.testing.assert_allclose(q.T @ q, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(q, np.diag([1.0, 1.0, -1.0]), atol=1e-12)
    # a zero diagonal entry of R keeps its column's sign
    q = orthonormal_in_order(np.array([[1.0, 2.0], [0.0, 0.0]]))
    assert np.all(np.isfinite(q)) and q[0, 0] == 1.0
    np.testing.assert_allclose(q.T @ q, np.eye(2), atol=1e-12)  # no column zeroed


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
