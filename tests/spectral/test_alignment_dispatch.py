"""Which QR orthonormal_in_order takes, at the edges of its choice: the condition limit
(a diagonal basis, whose estimated condition number is exact), a second Cholesky pass
that is used when it succeeds, bases of no column, one column and more columns than
rows; and alignment_at reading the last row of a table rather than assuming it is 1."""

import numpy as np
import pandas as pd
import pytest
import scipy.linalg
from lbr.spectral import alignment
from lbr.spectral.alignment import alignment_at, orthonormal_in_order


@pytest.fixture
def calls(monkeypatch):
    """How often each QR runs: Householder (numpy's qr) and a Cholesky QR pass."""
    seen = {"householder": 0, "cholesky": 0}
    cholesky = alignment._cholesky_qr

    def householder(a):
        seen["householder"] += 1
        return scipy.linalg.qr(a, mode="economic")

    def counted(*args, **kwargs):
        seen["cholesky"] += 1
        return cholesky(*args, **kwargs)

    monkeypatch.setattr(np.linalg, "qr", householder)
    monkeypatch.setattr(alignment, "_cholesky_qr", counted)
    return seen


@pytest.mark.parametrize("condition, householder", [(0.75, 0), (1.5, 1)])  # times the limit
def test_the_condition_limit_decides_between_cholesky_and_householder(
    calls, condition, householder
):
    scales = np.array([1.0, 1.0 / (condition * alignment.CHOLESKY_QR_MAX_CONDITION)])
    q = orthonormal_in_order(np.diag(scales))
    assert calls["householder"] == householder
    np.testing.assert_array_equal(q, np.eye(2))


def test_a_second_cholesky_pass_that_succeeds_is_the_answer(calls):
    rng = np.random.default_rng(2)
    left, _ = np.linalg.qr(rng.standard_normal((60, 60)))
    right, _ = np.linalg.qr(rng.standard_normal((60, 60)))
    calls["householder"] = 0  # the two QRs above built the basis
    q = orthonormal_in_order(left * np.logspace(0, -3.5, 60) @ right)
    assert (calls["cholesky"], calls["householder"]) == (2, 0)
    assert np.linalg.norm(q.T @ q - np.eye(60)) <= alignment.ORTHONORMAL_TOLERANCE


def test_one_column_takes_cholesky_and_no_column_takes_nothing(calls):
    q = orthonormal_in_order(np.array([[3.0], [-4.0]]))
    assert (calls["cholesky"], calls["householder"]) == (1, 0)
    np.testing.assert_allclose(q, [[0.6], [-0.8]], rtol=2 * np.finfo(float).eps)
    assert orthonormal_in_order(np.zeros((5, 0))).shape == (5, 0)
    assert calls["cholesky"] == 1


def test_more_columns_than_rows_go_straight_to_householder(calls):
    q = orthonormal_in_order(np.random.default_rng(0).standard_normal((3, 5)))
    assert (calls["cholesky"], calls["householder"]) == (0, 1)
    assert q.shape == (3, 3)


def test_alignment_at_the_last_row_reads_it():
    table = pd.DataFrame({"alignment_appendix": [0.25, 0.75], "alignment_proof": [0.5, 0.9]})
    assert alignment_at(table, 2) == 0.75 and alignment_at(table, 2, form="proof") == 0.9
    assert alignment_at(table, 3) == 1.0  # beyond the rank every direction is in
