"""The convergence flag (lbr/train/convergence.py) on hand-made curves: which epoch the last
fifth starts from, the rise counted by hand, the boundary of STILL_RISING, and runs too
short to judge."""

import numpy as np
import pandas as pd
import pytest
from lbr.train.convergence import LATE_PART, STILL_RISING, convergence_table, late_rise
from support import EPS

# A rise against its literal: the two accuracies' and the literal's roundings and the
# subtraction's, four roundings of numbers below 1 (u = EPS/2 each); a wrong start epoch
# moves the rise by a point or more.
RISE = 4 * EPS / 2


def test_the_constants_are_the_documented_ones():
    assert LATE_PART == (1, 5) and STILL_RISING == 0.01


@pytest.mark.parametrize(
    "epochs, start",
    [
        (6, 4),  # 4/5 of 6 = 4.8: the last epoch at or before it is 4
        (10, 8),  # exactly 8
        (12, 9),  # 9.6
        (50, 40),
        (2, 1),  # 1.6
        (4, 3),  # 3.2
        (5, 4),
    ],
)
def test_the_last_fifth_starts_at_the_last_epoch_at_or_before_four_fifths(epochs, start):
    accuracy = np.arange(1, epochs + 1) / 100  # one point per epoch
    rise, first, final = late_rise(np.arange(1, epochs + 1), accuracy)
    assert (first, final) == (start, epochs)
    assert rise == pytest.approx((epochs - start) / 100, abs=RISE)


def test_a_one_epoch_run_is_not_judged():
    assert late_rise([1], [0.5]) is None


def test_recorded_epochs_with_gaps_and_any_order():
    """Curves recorded every 3 epochs (and the last): 12 epochs → 3, 6, 9, 12; 9.6 → 9."""
    rise, first, final = late_rise([12, 3, 9, 6], [0.80, 0.20, 0.75, 0.50])
    assert (first, final) == (9, 12) and rise == pytest.approx(0.05, abs=RISE)
    # every 5 epochs of 12: 5, 10, 12 → the last at or before 9.6 is 5
    rise, first, _ = late_rise([5, 10, 12], [0.1, 0.6, 0.62])
    assert first == 5 and rise == pytest.approx(0.52, abs=RISE)


def test_a_fall_is_a_negative_rise():
    rise, _, _ = late_rise([1, 2, 3, 4, 5], [0.5, 0.6, 0.7, 0.9, 0.85])
    assert rise == pytest.approx(-0.05, abs=RISE)


def _curves(rises):
    """One run per (dataset, seed): 10 epochs whose accuracy at epochs 8 → 10 rises by the
    given amount (in units of accuracy); earlier epochs move far more."""
    rows = []
    for (dataset, seed), rise in rises.items():
        for epoch in range(1, 11):
            accuracy = 0.1 * epoch if epoch <= 8 else 0.8 + rise * (epoch - 8) / 2
            rows.append(dict(dataset=dataset, seed=seed, epoch=epoch, acc=accuracy))
    return pd.DataFrame(rows).sample(frac=1.0, random_state=0)


def test_convergence_table_flags_more_than_one_point_only():
    # just above and just below one point (an exact 0.01 rounds either way in 0.8 + 0.01)
    rises = {("a", 0): 0.0101, ("a", 1): 0.0099, ("b", 0): -0.03, ("b", 3): 0.25}
    table = convergence_table(_curves(rises), ["dataset", "seed"], "acc").set_index(
        ["dataset", "seed"]
    )
    flags = {key: table.loc[key, "still_rising"] for key in rises}
    assert all(isinstance(flag, bool | np.bool_) for flag in flags.values())
    assert {key: bool(flag) for key, flag in flags.items()} == {
        ("a", 0): True,
        ("a", 1): False,
        ("b", 0): False,
        ("b", 3): True,
    }
    # (0.8 + rise) − 0.1·8: the literals 0.8 and 0.1, the product, the sum and the
    # difference, five roundings of numbers below 1.1
    for key, rise in rises.items():
        assert table.loc[key, "late_accuracy_rise"] == pytest.approx(rise, abs=5 * EPS / 2 * 1.1)
        assert (table.loc[key, "late_rise_from"], table.loc[key, "final_epoch"]) == (8, 10)


def test_convergence_table_leaves_a_short_run_unjudged():
    curves = pd.DataFrame(
        [dict(run="short", epoch=1, acc=0.3), dict(run="long", epoch=1, acc=0.3)]
        + [dict(run="long", epoch=2, acc=0.5)]
    )
    table = convergence_table(curves, ["run"], "acc").set_index("run")
    assert table.loc["short", "still_rising"] is None
    assert np.isnan(table.loc["short", "late_accuracy_rise"])
    assert table.loc["long", "still_rising"] == True  # noqa: E712 (True, not just truthy)


def test_a_rise_of_exactly_one_point_is_not_more_than_one_point():
    """From 0 to STILL_RISING the rise is STILL_RISING exactly (x − 0 is exact)."""
    curves = pd.DataFrame({"run": "r", "epoch": [1, 2, 3, 4, 5], "acc": [0.0] * 4 + [STILL_RISING]})
    table = convergence_table(curves, ["run"], "acc")
    assert table.loc[0, "late_accuracy_rise"] == STILL_RISING
    assert table.loc[0, "still_rising"] == False  # noqa: E712 (False, not just falsy)


def test_a_table_of_short_runs_only_has_every_column():
    """Every run too short to judge: the columns still exist, with the final epoch counted
    and no start, no rise and no flag."""
    curves = pd.DataFrame({"run": ["x", "y"], "seed": [0, 1], "epoch": [1, 3], "acc": [0.5, 0.6]})
    table = convergence_table(curves, ["run", "seed"], "acc").set_index(["run", "seed"])
    assert set(table.columns) == {"late_rise_from", "final_epoch", "late_accuracy_rise"} | {
        "still_rising"
    }
    assert table.loc[("y", 1), "final_epoch"] == 3 and table.loc[("x", 0), "final_epoch"] == 1
    for run in (("x", 0), ("y", 1)):
        assert table.loc[run, "late_rise_from"] is None
        assert table.loc[run, "still_rising"] is None
        assert np.isnan(table.loc[run, "late_accuracy_rise"])


def test_runs_come_out_in_the_order_they_first_appear():
    order = [("c", 2), ("a", 9), ("b", 0), ("a", 1)]
    rows = [dict(dataset=d, seed=s, epoch=e, acc=0.1 * e) for e in (1, 2, 3) for (d, s) in order]
    table = convergence_table(pd.DataFrame(rows), ["dataset", "seed"], "acc")
    assert list(zip(table["dataset"], table["seed"])) == order
