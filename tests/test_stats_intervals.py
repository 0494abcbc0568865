"""The 95% intervals (lbr/stats.py) against independent oracles: scipy's t-interval and
tabulated t quantiles; the bootstrap against the exact bootstrap distribution enumerated
over every resample of a small sample, and against a brute-force bootstrap that resamples
indices one resample at a time. Tolerances: Bernstein's bound on how far the share of B
draws below a point can stray from its probability p (failure probability 1e-9 each)."""

import itertools
import math

import numpy as np
import pytest
import scipy.stats
from lbr.stats import (
    CONFIDENCE,
    bootstrap_interval,
    interval_columns,
    intervals_of,
    mean_interval,
    paired_difference_interval,
    paired_ratio_interval,
    t_interval,
)
from support import EPS, gamma, t_interval_bound

RESAMPLES = 20_000
TAIL = (1 - CONFIDENCE) / 2


def _bernstein(p: float, draws: int) -> float:
    """|share of `draws` below a point − p| ≤ this, except with probability 1e-9."""
    log = math.log(2 / 1e-9)
    return math.sqrt(2 * p * (1 - p) * log / draws) + log / (3 * draws)


@pytest.mark.parametrize(
    "values",
    [[0.61, 0.64], [0.1, 0.4, 0.25], [0.52, 0.55, 0.49, 0.60, 0.58], list(np.linspace(-1, 2, 9))],
)
def test_t_interval_is_scipys(values):
    n = len(values)
    mean, sem = np.mean(values), scipy.stats.sem(values)
    expected = scipy.stats.t.interval(CONFIDENCE, n - 1, loc=mean, scale=sem)
    np.testing.assert_allclose(t_interval(values), expected, rtol=0, atol=t_interval_bound(values))


@pytest.mark.parametrize(
    "n, quantile",  # t_{0.975, n−1} from printed tables (4 significant digits)
    [(2, 12.706), (3, 4.303), (4, 3.182), (5, 2.776), (11, 2.228)],
)
def test_t_interval_half_width_uses_the_tabulated_quantile(n, quantile):
    values = np.arange(n, dtype=float)  # sample sd of 0..n−1: sqrt(n(n+1)/12)
    low, high = t_interval(values)
    half = quantile * math.sqrt(n * (n + 1) / 12) / math.sqrt(n)
    # the mean (n−1)/2 is exact (an integer sum over n); the two ends' roundings and
    # their sum's: within 3u(|low| + |high|), halved
    assert (low + high) / 2 == pytest.approx((n - 1) / 2, abs=EPS * (abs(low) + abs(high)))
    assert (high - low) / 2 == pytest.approx(half, rel=5e-4)  # the table's rounding


def test_no_t_interval_from_one_seed():
    assert t_interval([0.7]) is None and t_interval([]) is None


def _exact_bootstrap(values):
    """The exact bootstrap distribution of the mean: every multiset of n draws from the n
    values (a resample up to order) with its multinomial probability n!/(∏ cᵢ!)/nⁿ.
    Returns (sorted means, their probabilities)."""
    n = len(values)
    means, weights = [], []
    for pick in itertools.combinations_with_replacement(range(n), n):
        counts = np.bincount(pick, minlength=n)
        ways = math.factorial(n) / math.prod(math.factorial(c) for c in counts)
        means.append(float(np.dot(counts, values)) / n)
        weights.append(ways / n**n)
    order = np.argsort(means, kind="stable")
    return np.array(means)[order], np.array(weights)[order]


def _mean_slack(values):
    """How far a resampled mean in lbr.stats and in _exact_bootstrap can each be from the
    exact one, plus np.quantile's interpolation: an n-term dot product and a division
    (γ_{n+1}·max|v| each) and 3 roundings of the interpolation."""
    return 2 * gamma(len(values) + 4) * max(abs(v) for v in values)


def _quantile_bracket(exact, p, eps):
    """Exact quantiles at p − eps and p + eps: where an empirical p-quantile of B draws
    lies (Bernstein)."""
    means, weights = exact
    cdf = np.cumsum(weights)
    # positive weights, each two roundings from its exact value, summed: γ_{m+2} of 1
    slack = gamma(len(weights) + 2)
    assert cdf[-1] == pytest.approx(1.0, abs=slack)
    low = means[min(len(means) - 1, np.searchsorted(cdf, max(p - eps, 0) - slack))]
    high = means[min(len(means) - 1, np.searchsorted(cdf, min(p + eps, 1) - slack))]
    return low, high


# The two ways resamples are drawn: grouping equal per-image rows (multinomial counts per
# group) and drawing N image indices; 0 distinct rows allowed forces the second.
DRAWS = {"grouped": 64, "indices": 0}


@pytest.mark.parametrize("draws", sorted(DRAWS))
@pytest.mark.parametrize(
    "values", [[1, 0, 1, 1, 0, 1], [0.2, -1.0, 0.5, 3.0, 0.0, 0.1], [1, -1, 0, 0, 1, 1]]
)
def test_bootstrap_interval_ends_within_the_exact_distributions_quantiles(
    values, draws, monkeypatch
):
    import lbr.stats

    monkeypatch.setattr(lbr.stats, "_GROUPED_UP_TO", DRAWS[draws])
    exact = _exact_bootstrap(values)  # the 6^6 = 46 656 resamples, as 462 multisets
    low, high = mean_interval(np.array(values, dtype=float), RESAMPLES, seed=3)
    # np.quantile interpolates between two order statistics: both lie within the bracket
    for value, p in ((low, TAIL), (high, 1 - TAIL)):
        below, above = _quantile_bracket(exact, p, _bernstein(TAIL, RESAMPLES) + 1 / RESAMPLES)
        slack = _mean_slack(values)
        assert below - slack <= value <= above + slack, (value, below, above)


def _brute_force_differences(first, second, resamples, rng):
    """One resample at a time: draw N image indices, take both sides on those images."""
    first, second = np.asarray(first, float), np.asarray(second, float)
    n = first.shape[-1]
    out = np.empty(resamples)
    for b in range(resamples):
        pick = rng.choice(n, size=n, replace=True)
        out[b] = first[..., pick].mean() - second[..., pick].mean()
    return out


def test_paired_difference_matches_a_brute_force_bootstrap_in_distribution():
    rng = np.random.default_rng(0)
    n = 60
    top = rng.random((2, n)) < 0.6  # two seeds × 60 test images
    bottom = top.copy()
    bottom[:, :9] = ~bottom[:, :9]  # the two sides differ on nine images only
    brute = _brute_force_differences(bottom, top, 4000, np.random.default_rng(1))
    low, high = paired_difference_interval(bottom, top, RESAMPLES, seed=2)
    # The ends' CDF values under the brute-force distribution: 2.5% and 97.5%, within the
    # two Bernstein bands (4000 and RESAMPLES draws) and the grid step of a mean of 60 images.
    eps = _bernstein(TAIL, 4000) + _bernstein(TAIL, RESAMPLES) + 1 / RESAMPLES
    step = 1 / (2 * n)  # per-image values are means of two seeds: multiples of 1/2
    assert np.mean(brute <= low + step / 2) >= 0.025 - eps
    assert np.mean(brute < low - step / 2) <= 0.025 + eps
    assert np.mean(brute >= high - step / 2) >= 0.025 - eps
    assert np.mean(brute > high + step / 2) <= 0.025 + eps


def test_paired_bootstrap_of_identical_sides_is_exactly_zero():
    correct = np.random.default_rng(4).random((3, 50)) < 0.5
    assert paired_difference_interval(correct, correct, 2000, seed=0) == (0.0, 0.0)


def test_pairing_narrows_the_interval_against_resampling_each_side_apart():
    """Both sides right or wrong on the same images: the paired interval is that of the
    few images where they differ, far narrower than two independent resamplings."""
    rng = np.random.default_rng(5)
    top = rng.random(400) < 0.5
    bottom = top.copy()
    bottom[:8] = True  # 8 images (at most) gained
    low, high = paired_difference_interval(bottom, top, 5000, seed=1)
    gained = (bottom & ~top).mean()
    assert low <= gained <= high and high - low < 0.03
    unpaired_sd = math.sqrt(2 * 0.25 / 400)  # two independent accuracies near 50%
    assert high - low < 0.5 * 2 * 1.96 * unpaired_sd


def test_ratio_interval_is_the_ratio_of_resampled_means():
    errors_a = np.array([1.0, 2.0, 3.0, 4.0])
    errors_b = 2 * errors_a  # every resample's ratio of means is exactly 1/2
    low, high = paired_ratio_interval(errors_a, errors_b, 3000, seed=0)
    # each resampled mean is a ≤ 4-term dot product of positive terms and a division (γ₅
    # relative; the two columns need not round alike in every BLAS kernel), the ratio one
    # rounding more and its − 1 exact (Sterbenz): within γ₁₁·½ of −½
    assert low == pytest.approx(-0.5, abs=gamma(11) / 2)
    assert high == pytest.approx(-0.5, abs=gamma(11) / 2)


def test_bootstrap_is_reproducible_from_its_seed_and_moves_with_it():
    values = np.random.default_rng(6).normal(size=80)
    first = mean_interval(values, 3000, seed=11)
    assert mean_interval(values, 3000, seed=11) == first
    assert mean_interval(values, 3000, seed=12) != first


@pytest.mark.parametrize(
    "draws, setting, value",
    [("indices", "_CHUNK_DRAWS", 18), ("grouped", "_CHUNK_RESAMPLES", 3)],
)
def test_bootstrap_in_small_chunks_is_still_the_exact_distribution(
    draws, setting, value, monkeypatch
):
    """The resamples are drawn in chunks (memory); chunks of three resamples, with a last
    partial one, give the same distribution."""
    import lbr.stats

    monkeypatch.setattr(lbr.stats, "_GROUPED_UP_TO", DRAWS[draws])
    monkeypatch.setattr(lbr.stats, setting, value)
    values = [1, 0, 1, 1, 0, 1]
    exact = _exact_bootstrap(values)
    low, high = mean_interval(np.array(values, float), 2001, seed=8)  # the last chunk: 2
    eps = _bernstein(TAIL, 2001) + 1 / 2001
    for value, p in ((low, TAIL), (high, 1 - TAIL)):
        below, above = _quantile_bracket(exact, p, eps)
        assert below - _mean_slack(values) <= value <= above + _mean_slack(values)


def test_interval_columns_round_trip_with_nan_for_none():
    columns = interval_columns("gap", None, (-0.01, 0.03))
    assert np.isnan(columns["gap_seeds_low"]) and np.isnan(columns["gap_seeds_high"])
    assert (columns["gap_bootstrap_low"], columns["gap_bootstrap_high"]) == (-0.01, 0.03)
    assert intervals_of(columns, "gap") == [None, (-0.01, 0.03)]


def test_several_seeds_are_averaged_per_image_before_resampling():
    """S×N per-image results: each image's value is its mean over the seeds. Seed 0 right
    on every image and seed 1 wrong on every one make every image 1/2: every resample's
    mean is 1/2 exactly (sums of halves), and the gap to an always-wrong side too."""
    seeds = np.array([[1.0] * 7, [0.0] * 7])
    assert mean_interval(seeds, 500, seed=0) == (0.5, 0.5)
    assert paired_difference_interval(seeds, np.zeros((2, 7)), 500, seed=0) == (0.5, 0.5)


def test_a_ratio_of_identical_sides_is_exactly_zero():
    """The two sides are paired by image (columns of one table): identical sides give a
    ratio of 1 in every resample, whatever the images drawn."""
    sides = np.array([1.0, 2.0, 4.0, 8.0])
    assert paired_ratio_interval(sides, sides, 500, seed=0) == (0.0, 0.0)


@pytest.mark.parametrize("interval", [paired_difference_interval, paired_ratio_interval])
def test_paired_intervals_are_reproducible_from_their_seed(interval):
    rng = np.random.default_rng(9)
    first, second = rng.random(90) + 0.5, rng.random(90) + 0.5
    assert interval(first, second, 2000, seed=4) == interval(first, second, 2000, seed=4)
    assert interval(first, second, 2000, seed=4) != interval(first, second, 2000, seed=5)


@pytest.mark.parametrize("draws", sorted(DRAWS))
@pytest.mark.parametrize("resamples", [1, 7, 2001])
def test_the_statistic_sees_exactly_the_requested_resamples(draws, resamples, monkeypatch):
    """Counted by the statistic itself, across chunks of 3 resamples (the last partial)."""
    import lbr.stats

    monkeypatch.setattr(lbr.stats, "_GROUPED_UP_TO", DRAWS[draws])
    monkeypatch.setattr(lbr.stats, "_CHUNK_RESAMPLES", 3)
    monkeypatch.setattr(lbr.stats, "_CHUNK_DRAWS", 3 * 6)  # 6 images: 3 resamples a chunk
    seen = []

    def statistic(means):
        seen.append(len(means))
        return means[:, 0]

    bootstrap_interval(np.array([1.0, 0.0, 2.0, 1.0, 0.5, 3.0]), statistic, resamples, seed=0)
    assert sum(seen) == resamples and max(seen) <= 3


def test_a_chunk_never_draws_more_indices_than_allowed_unless_one_resample_needs_more(
    monkeypatch,
):
    """Drawing image indices, a chunk holds at most _CHUNK_DRAWS of them, and at least one
    resample when a resample alone (N indices) is more than that."""
    import lbr.stats

    monkeypatch.setattr(lbr.stats, "_GROUPED_UP_TO", 0)
    monkeypatch.setattr(lbr.stats, "_CHUNK_DRAWS", 4)  # fewer than the 6 images
    seen = []

    def statistic(means):
        seen.append(len(means))
        return means[:, 0]

    bootstrap_interval(np.arange(6.0), statistic, 5, seed=0)
    assert seen == [1, 1, 1, 1, 1]


def test_an_interval_with_a_missing_end_is_absent():
    row = {"gap_seeds_low": np.nan, "gap_seeds_high": 0.02}
    row |= {"gap_bootstrap_low": -0.01, "gap_bootstrap_high": np.nan}
    assert intervals_of(row, "gap") == [None, None]
