"""R1 per dataset with several seeds and per-test-image results (lbr/r1_prediction.py):
one row per dataset and seed, the t-interval over seeds against scipy, the paired bootstrap
over test images on tables whose per-image difference is constant (so its interval is that
constant exactly), and the outcome each interval decides, one failing setting at a time."""

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from lbr.r1_prediction import (
    AGREES,
    BOTTOM_BETTER,
    BOTTOM_WINS,
    DISAGREES,
    NOT_TRAINED,
    TOP_BETTER,
    UNDECIDED,
    headline_seeds,
    r1_verdicts,
)
from support import gamma, t_interval_bound

HEADLINE = {"top": 0.9, "bottom": 0.2}
N = 40  # test images


def _alignment(level):
    k = np.arange(1, 65)
    return pd.DataFrame({"K": k, "alignment_appendix": np.full(64, level), "dimension": 64})


def _run(dataset, side, seed, accuracy, augment=False):
    return dict(
        dataset=dataset,
        side=side,
        fraction=HEADLINE[side],
        augment=augment,
        seed=seed,
        variance_fraction=0.9 if side == "top" else 0.2,
        final_test_accuracy=accuracy,
    )


def _tables(correct):
    """correct: {(dataset, side, seed): bool array} → (subspace table whose accuracies are
    the arrays' means, plus an augmented distractor per run, and the per-image dict)."""
    rows = [_run(d, side, seed, float(np.mean(c))) for (d, side, seed), c in correct.items()]
    rows += [_run(d, side, seed, 0.0, augment=True) for (d, side, seed) in correct]
    return pd.DataFrame(rows), correct


def _block(ones):
    return np.arange(N) < ones


def test_headline_seeds_one_row_per_dataset_and_seed_with_both_sides():
    subspace, _ = _tables(
        {
            ("a", "top", 0): _block(32),
            ("a", "bottom", 0): _block(20),
            ("a", "top", 4): _block(28),
            ("a", "bottom", 4): _block(30),
            ("a", "top", 9): _block(10),  # no bottom run of seed 9: no gap
        }
    )
    seeds = headline_seeds(subspace, HEADLINE)
    assert seeds["seed"].tolist() == [0, 4]
    assert seeds["top_accuracy"].tolist() == [0.8, 0.7]
    # accuracies are count / N (np.mean of booleans: an exact count, one division), the
    # gap one subtraction of them: exact as computed here
    assert seeds["bottom_minus_top"].tolist() == [20 / N - 32 / N, 30 / N - 28 / N]


def test_seed_interval_is_scipys_and_bootstrap_sees_each_image_averaged_over_seeds():
    """Seed 0: top right on every image, bottom on none; seed 1: both right on every image.
    Per image, bottom − top averaged over the seeds is −1/2 everywhere: every bootstrap
    resample gives exactly −1/2. Over seeds the gaps are −1 and 0: the t-interval (two
    seeds) contains 0, so the outcome is inconclusive although the bootstrap excludes 0."""
    subspace, per_image = _tables(
        {
            ("a", "top", 0): _block(N),
            ("a", "bottom", 0): _block(0),
            ("a", "top", 1): _block(N),
            ("a", "bottom", 1): _block(N),
        }
    )
    row = r1_verdicts({"a": _alignment(0.3)}, subspace, HEADLINE, per_image, 2000, 0).iloc[0]
    assert row["seeds"] == 2 and list(row["seed_list"]) == [0, 1]
    assert all(type(seed) is int for seed in row["seed_list"])  # seeds, not 0.0 and 1.0
    assert list(row["seed_gaps"]) == [-1.0, 0.0] and row["test_size"] == N
    assert row["bottom_minus_top"] == -0.5
    expected = scipy.stats.t.interval(0.95, 1, loc=-0.5, scale=scipy.stats.sem([-1.0, 0.0]))
    low, high = row["bottom_minus_top_seeds_low"], row["bottom_minus_top_seeds_high"]
    assert (low, high) == pytest.approx(expected, abs=t_interval_bound([-1.0, 0.0]))
    assert (row["bottom_minus_top_bootstrap_low"], row["bottom_minus_top_bootstrap_high"]) == (
        -0.5,
        -0.5,
    )
    # each side's own intervals: top right everywhere (1), bottom right half the time
    assert (row["top_accuracy_bootstrap_low"], row["top_accuracy_bootstrap_high"]) == (1.0, 1.0)
    assert (row["bottom_accuracy_bootstrap_low"], row["bottom_accuracy_bootstrap_high"]) == (
        0.5,
        0.5,
    )
    assert row["outcome"] == UNDECIDED and row["threshold_verdict"] == UNDECIDED


def _three_seeds(dataset, top, bottom):
    """Three seeds with the given numbers of images right (nested: bottom ⊂ top or the
    reverse, so the per-image difference has one sign)."""
    return {
        (dataset, side, seed): _block(count)
        for seed in range(3)
        for side, count in (("top", top[seed]), ("bottom", bottom[seed]))
    }


@pytest.mark.parametrize(
    "top, bottom, outcome, reading",
    [
        # bottom well ahead in every seed: both intervals above 0
        ([20, 21, 22], [30, 32, 31], BOTTOM_BETTER, AGREES),
        # top well ahead: both below 0
        ([30, 32, 31], [20, 21, 22], TOP_BETTER, DISAGREES),
        # one seed the other way round: the interval over seeds contains 0
        ([20, 21, 32], [30, 32, 22], UNDECIDED, UNDECIDED),
        # equal in every seed: both intervals are exactly 0
        ([25, 25, 25], [25, 25, 25], UNDECIDED, UNDECIDED),
    ],
)
def test_outcome_needs_every_interval_on_one_side(top, bottom, outcome, reading):
    """A poorly aligned dataset (prediction: bottom ≥ top)."""
    subspace, per_image = _tables(_three_seeds("a", top, bottom))
    row = r1_verdicts({"a": _alignment(0.3)}, subspace, HEADLINE, per_image, 2000, 0).iloc[0]
    assert row["predicted"] == BOTTOM_WINS
    assert (row["outcome"], row["threshold_verdict"]) == (outcome, reading)
    gaps = (np.array(bottom) - np.array(top)) / N
    # each side's accuracy (≤ 1) a division and a 3-term mean (γ₄), their difference one
    # rounding; the expectation a division and a 3-term mean of gaps ≤ 1: within 2γ₅
    assert row["bottom_minus_top"] == pytest.approx(gaps.mean(), abs=2 * gamma(5))


def test_one_seed_is_judged_by_the_bootstrap_alone():
    subspace, per_image = _tables({("a", "top", 0): _block(12), ("a", "bottom", 0): _block(30)})
    row = r1_verdicts({"a": _alignment(0.95)}, subspace, HEADLINE, per_image, 2000, 0).iloc[0]
    assert np.isnan(row["bottom_minus_top_seeds_low"])
    assert row["bottom_minus_top_bootstrap_low"] > 0
    # well aligned: the threshold predicts top ≥ bottom; bottom is clearly ahead
    assert (row["outcome"], row["threshold_verdict"]) == (BOTTOM_BETTER, DISAGREES)


def test_without_any_interval_nothing_is_decided():
    """One seed and no per-image results: no interval at all."""
    subspace, _ = _tables({("a", "top", 0): _block(12), ("a", "bottom", 0): _block(30)})
    row = r1_verdicts({"a": _alignment(0.3)}, subspace, HEADLINE).iloc[0]
    assert (row["outcome"], row["threshold_verdict"]) == (UNDECIDED, UNDECIDED)
    assert row["bottom_minus_top"] == pytest.approx(18 / N)


def test_bootstrap_sides_are_not_swapped():
    """Bottom right on 10 more images in one seed: the bootstrap interval is above 0 and
    contains the observed +0.25."""
    subspace, per_image = _tables({("a", "top", 0): _block(20), ("a", "bottom", 0): _block(30)})
    row = r1_verdicts({"a": _alignment(0.3)}, subspace, HEADLINE, per_image, 4000, 1).iloc[0]
    low, high = row["bottom_minus_top_bootstrap_low"], row["bottom_minus_top_bootstrap_high"]
    assert 0 < low < 0.25 < high < 0.5


def test_untrained_datasets_have_no_intervals():
    subspace, per_image = _tables({("a", "top", 0): _block(20), ("a", "bottom", 0): _block(30)})
    verdicts = r1_verdicts(
        {"a": _alignment(0.3), "u": _alignment(0.5)}, subspace, HEADLINE, per_image, 1000, 0
    )
    untrained = verdicts.set_index("dataset").loc["u"]
    assert untrained["outcome"] == untrained["threshold_verdict"] == NOT_TRAINED
    assert untrained["seeds"] == 0
    assert np.isnan(untrained["bottom_minus_top_bootstrap_low"])


def test_the_bootstrap_intervals_are_reproducible_from_the_seed_given():
    """Every bootstrap interval of the table (each side's accuracy and the gap) is drawn
    from the seed the caller passes: the same seed, the same table; another, another."""
    rng = np.random.default_rng(3)
    subspace, per_image = _tables(
        {
            ("a", side, seed): rng.random(N) < p
            for side, p in (("top", 0.6), ("bottom", 0.5))
            for seed in (0, 1)
        }
    )

    def intervals(seed):
        row = r1_verdicts({"a": _alignment(0.3)}, subspace, HEADLINE, per_image, 500, seed)
        return row[[c for c in row.columns if "bootstrap" in c]]

    first = intervals(7)
    assert first.shape[1] == 6  # low and high of top, bottom and bottom − top
    pd.testing.assert_frame_equal(intervals(7), first)
    assert not intervals(8).equals(first)


def test_every_bootstrap_gets_the_seed_and_resamples_given(monkeypatch):
    """Each side's accuracy and the gap: each bootstrap call receives the caller's
    resamples and seed (recorded on the way through, the intervals computed as usual)."""
    import lbr.r1_prediction as r1

    calls = []
    for name in ("mean_interval", "paired_difference_interval"):
        real = getattr(r1, name)

        def recorded(*args, _real=real, _name=name):
            calls.append((_name, args[-2:]))
            return _real(*args)

        monkeypatch.setattr(r1, name, recorded)
    subspace, per_image = _tables({("a", "top", 0): _block(30), ("a", "bottom", 0): _block(10)})
    r1_verdicts({"a": _alignment(0.3)}, subspace, HEADLINE, per_image, 321, 9)
    assert sorted(calls) == [
        ("mean_interval", (321, 9)),
        ("mean_interval", (321, 9)),
        ("paired_difference_interval", (321, 9)),
    ]
