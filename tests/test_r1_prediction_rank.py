"""R1's main reading (lbr/r1_prediction.py: rank_relation) on hand-made verdict tables:
Kendall's τ and its exact one-sided p-values against scipy.stats, the verdict at 0.05,
too few datasets, and untrained datasets left out."""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from lbr.r1_prediction import MIN_RANK_DATASETS, NOT_TRAINED, PREDICTOR_K, rank_relation
from lbr.stats import FAILS, HOLDS, INCONCLUSIVE, RANK_ALPHA
from support import gamma


def _verdicts(points, untrained=()):
    rows = [
        {
            "dataset": f"d{i}",
            f"alignment_k{PREDICTOR_K}": alignment,
            "bottom_minus_top": gap,
            "outcome": "inconclusive",  # any outcome but "not trained" counts
        }
        for i, (alignment, gap) in enumerate(points)
    ]
    rows += [
        {
            "dataset": name,
            f"alignment_k{PREDICTOR_K}": 0.01,  # would break a perfect order if counted
            "bottom_minus_top": np.nan,
            "outcome": NOT_TRAINED,
        }
        for name in untrained
    ]
    return pd.DataFrame(rows)


def test_constants():
    assert MIN_RANK_DATASETS == 3 and RANK_ALPHA == 0.05 and PREDICTOR_K == 32


def test_four_datasets_in_the_predicted_order_hold():
    points = [(0.95, -0.04), (0.80, -0.01), (0.50, 0.02), (0.30, 0.06)]
    rank = rank_relation(_verdicts(points, untrained=["u"]))
    assert rank["datasets"] == 4 and rank["orderings"] == 24
    # τ = −6/√(6·6) and p = 1 ordering / 24: integer counts, one rounding each: exact
    assert rank["tau"] == -1.0
    assert rank["p_negative"] == 1 / 24
    assert rank["verdict"] == HOLDS and rank["reason"].startswith("negative relation, p = 0.0417")


def test_four_datasets_in_the_opposite_order_do_not_hold():
    points = [(0.95, 0.06), (0.80, 0.02), (0.50, -0.01), (0.30, -0.04)]
    rank = rank_relation(_verdicts(points))
    assert rank["tau"] == pytest.approx(1.0) and rank["p_positive"] == pytest.approx(1 / 24)
    assert rank["verdict"] == FAILS and rank["reason"].startswith("positive relation")


@pytest.mark.parametrize(
    "gaps",
    [
        [-0.04, 0.02, -0.01, 0.06, 0.03],  # one swap: τ = −0.8
        [0.01, -0.02, 0.03, -0.04, 0.05],
        [0.05, 0.04, -0.01, 0.02, 0.03],
    ],
)
def test_five_datasets_against_scipys_exact_test(gaps):
    alignments = [0.95, 0.80, 0.61, 0.50, 0.30]
    rank = rank_relation(_verdicts(list(zip(alignments, gaps))))
    expected = {
        alternative: scipy.stats.kendalltau(
            alignments, gaps, method="exact", alternative=alternative
        ).pvalue
        for alternative in ("less", "greater")
    }
    assert rank["tau"] == pytest.approx(scipy.stats.kendalltau(alignments, gaps).statistic)
    # ours an exact count / n! (one rounding); scipy's an exact count / n!, halved, and
    # in the other tail 1 − p + mass (≤ 3 roundings of numbers ≤ 1): within γ₄
    assert rank["p_negative"] == pytest.approx(expected["less"], abs=gamma(4))
    assert rank["p_positive"] == pytest.approx(expected["greater"], abs=gamma(4))
    if expected["less"] <= RANK_ALPHA:
        assert rank["verdict"] == HOLDS
    elif expected["greater"] <= RANK_ALPHA:
        assert rank["verdict"] == FAILS
    else:
        assert rank["verdict"] == INCONCLUSIVE


def test_three_datasets_in_perfect_order_are_inconclusive_and_say_why():
    rank = rank_relation(_verdicts([(0.9, -0.1), (0.5, 0.0), (0.2, 0.1)]))
    assert rank["tau"] == pytest.approx(-1.0) and rank["p_negative"] == pytest.approx(1 / 6)
    assert rank["verdict"] == INCONCLUSIVE
    assert rank["reason"] == (
        "p = 0.167 > 0.05 for a negative relation; with 3 datasets no ordering can reach "
        "0.05 (the smallest exact p-value is 1/3! = 0.167)"
    )


@pytest.mark.parametrize("count", [0, 1, 2])
def test_fewer_than_three_datasets_are_inconclusive(count):
    points = [(0.9, -0.1), (0.2, 0.1)][:count]
    rank = rank_relation(_verdicts(points, untrained=["u1", "u2"]))
    assert rank["verdict"] == INCONCLUSIVE and rank["datasets"] == count
    assert rank["reason"] == (
        f"{count} trained dataset{'s' if count != 1 else ''}: a rank relation needs at least 3"
    )
    assert math.isnan(rank["p_negative"]) and math.isnan(rank["p_positive"])
    assert rank["orderings"] == math.factorial(count)
    if count == 2:
        assert rank["tau"] == pytest.approx(-1.0)
