"""Kendall's τ and its exact permutation p-values (lbr/stats.py) against scipy.stats and
against the permutation distribution counted by hand."""

import math

import numpy as np
import pytest
import scipy.stats
from lbr.stats import kendall_tau, permutation_p_values
from support import gamma

# τ-b from integer pair counts: ours (c − d)/√(…·…) is 2 roundings, scipy's
# (c − d)/√(…)/√(…) 4: within γ₆ of each other, relative (a miscounted pair moves τ ≥ 1/15)
TAU_B = gamma(6)

SAMPLES = [
    ([0.95, 0.29, 0.50, 0.77], [-0.05, 0.03, 0.01, -0.02]),
    ([0.1, 0.2, 0.3, 0.4, 0.5], [5.0, 4.0, 3.0, 2.0, 1.0]),
    ([0.3, 0.1, 0.2], [0.2, 0.1, 0.3]),
    ([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], [0.01, 0.03, 0.02, 0.05, 0.04, 0.06]),
]


@pytest.mark.parametrize("x, y", SAMPLES)
def test_tau_is_scipys_tau_b(x, y):
    assert kendall_tau(x, y) == pytest.approx(scipy.stats.kendalltau(x, y).statistic, rel=TAU_B)


def test_tau_b_with_ties_is_scipys():
    x, y = [1, 2, 2, 3, 4, 4], [3, 1, 1, 2, 5, 4]  # ties in x, in y, and in both
    assert kendall_tau(x, y) == pytest.approx(scipy.stats.kendalltau(x, y).statistic, rel=TAU_B)


def test_tau_of_a_constant_sample_is_undefined():
    assert math.isnan(kendall_tau([1, 2, 3], [0.5, 0.5, 0.5]))
    assert permutation_p_values([1, 2, 3], [0.5, 0.5, 0.5]) == (1.0, 1.0, 6)


@pytest.mark.parametrize("x, y", [s for s in SAMPLES if len(s[0]) >= 4])
def test_exact_p_values_are_scipys_exact_test(x, y):
    """Without ties scipy's exact method gives the permutation distribution of τ."""
    less, greater, orderings = permutation_p_values(x, y)
    assert orderings == math.factorial(len(x))
    for alternative, ours in (("less", less), ("greater", greater)):
        expected = scipy.stats.kendalltau(x, y, method="exact", alternative=alternative).pvalue
        # ours an exact count / n! (one rounding); scipy's an exact count / n!, halved, and
        # in the other tail 1 − p + mass (≤ 3 roundings of numbers ≤ 1): within γ₄
        assert ours == pytest.approx(expected, abs=gamma(4)), alternative


def test_three_datasets_by_hand():
    """The 6 orderings of 3 gaps against 3 alignments have τ = 1, 1/3, 1/3, −1/3, −1/3, −1:
    a perfectly negative order has p = 1/6 for a negative relation and 1 for a positive."""
    less, greater, orderings = permutation_p_values([0.9, 0.5, 0.2], [-3.0, 1.0, 4.0])
    assert orderings == 6
    # shares of 6 orderings: an exact count divided by 6, one rounding as 1/6 here: exact
    assert (less, greater) == (1 / 6, 1.0)
    # one swap from perfect: τ = −1/3, reached or passed by 3 of the 6 orderings
    less, greater, _ = permutation_p_values([0.9, 0.5, 0.2], [1.0, -3.0, 4.0])
    # τ = (1 − 2)/√(3·3): √9 is exact, so one rounding as −1/3 here: exact
    assert kendall_tau([0.9, 0.5, 0.2], [1.0, -3.0, 4.0]) == -1 / 3
    assert (less, greater) == (3 / 6, 5 / 6)


def test_four_datasets_in_perfect_negative_order():
    x = [0.95, 0.77, 0.50, 0.29]
    y = [-0.05, -0.02, 0.01, 0.03]
    less, greater, orderings = permutation_p_values(x, y)
    assert (orderings, less, greater) == (24, pytest.approx(1 / 24), pytest.approx(1.0))


def test_p_values_do_not_depend_on_the_order_datasets_are_listed():
    x, y = np.array(SAMPLES[3][0]), np.array(SAMPLES[3][1])
    order = [3, 0, 5, 1, 4, 2]
    assert permutation_p_values(x, y) == pytest.approx(permutation_p_values(x[order], y[order]))


@pytest.mark.parametrize(
    "x, y",
    [
        # pairs tied in x only (2), in y only (3) and in both (1): τ-b counts each kind apart
        ([1, 1, 1, 2, 3, 4], [1, 1, 2, 5, 5, 5]),
        ([1, 1, 1, 2, 3, 4], [5, 5, 5, 1, 1, 2]),  # and with a negative relation
    ],
)
def test_tau_b_counts_ties_in_x_in_y_and_in_both_apart(x, y):
    assert kendall_tau(x, y) == pytest.approx(scipy.stats.kendalltau(x, y).statistic, rel=TAU_B)
    assert kendall_tau(y, x) == pytest.approx(scipy.stats.kendalltau(y, x).statistic, rel=TAU_B)
