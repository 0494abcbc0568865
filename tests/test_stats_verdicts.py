"""Three-valued verdicts from intervals (lbr/stats.py: judge, both), case by case."""

import pytest
from lbr.stats import FAILS, HOLDS, INCONCLUSIVE, both, judge


def bottom_wins(gap):
    return gap > 0


@pytest.mark.parametrize(
    "intervals, verdict",
    [
        ([(0.01, 0.05), (0.002, 0.04)], HOLDS),  # both exclude 0, above
        ([(-0.05, -0.01), (-0.04, -0.002)], FAILS),  # both exclude 0, below
        ([(-0.01, 0.05), (0.002, 0.04)], INCONCLUSIVE),  # the seeds' interval contains 0
        ([(0.01, 0.05), (-0.002, 0.04)], INCONCLUSIVE),  # the bootstrap contains 0
        ([(0.0, 0.05)], INCONCLUSIVE),  # an end at 0 contains it
        ([(-0.05, 0.0)], INCONCLUSIVE),
        ([None, (0.002, 0.04)], HOLDS),  # one seed: the bootstrap alone decides
        ([None, (-0.04, -0.002)], FAILS),
        ([(0.01, 0.05), None], HOLDS),  # no per-image results: the seeds alone
        ([None, None], INCONCLUSIVE),  # nothing to judge from
        ([(0.01, 0.05), (-0.04, -0.01)], INCONCLUSIVE),  # decided, but not the same way
    ],
)
def test_judge_a_sign_against_zero(intervals, verdict):
    assert judge(intervals, [0.0], bottom_wins) == verdict


@pytest.mark.parametrize(
    "interval, verdict",
    [
        ((0.12, 0.30), HOLDS),
        ((-0.30, -0.12), HOLDS),  # either direction counts
        ((-0.05, 0.08), FAILS),  # wholly within ±0.1
        ((0.05, 0.15), INCONCLUSIVE),  # contains +0.1
        ((-0.15, -0.05), INCONCLUSIVE),  # contains −0.1
        ((-0.2, 0.2), INCONCLUSIVE),  # contains both
        ((0.1, 0.2), INCONCLUSIVE),  # the margin itself is in the interval
        ((0.06, 0.09), FAILS),  # inside the margins near one: judged inside, not beyond
        ((0.11, 0.14), HOLDS),  # beyond a margin near it: judged beyond, not inside
    ],
)
def test_judge_at_least_a_margin_apart(interval, verdict):
    assert judge([interval], [-0.1, 0.1], lambda gain: abs(gain) >= 0.1) == verdict


@pytest.mark.parametrize(
    "first, second, verdict",
    [
        (HOLDS, HOLDS, HOLDS),
        (HOLDS, INCONCLUSIVE, INCONCLUSIVE),
        (INCONCLUSIVE, HOLDS, INCONCLUSIVE),
        (INCONCLUSIVE, INCONCLUSIVE, INCONCLUSIVE),
        (FAILS, HOLDS, FAILS),
        (HOLDS, FAILS, FAILS),
        (FAILS, INCONCLUSIVE, FAILS),
        (INCONCLUSIVE, FAILS, FAILS),
    ],
)
def test_both_conditions(first, second, verdict):
    assert both(first, second) == verdict
