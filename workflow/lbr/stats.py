"""Intervals, rank tests and three-valued verdicts for the claims that rest on training.

A training claim is judged from a *difference* (bottom − top accuracy of R1's headline
pair, guided − unguided probe accuracy of an R3 pair, ...) and the 95% intervals of that
difference that the run allows:

- over seeds: Student's t-interval of the per-seed differences (none with one seed);
- over test images: a paired bootstrap, resampling the test images with replacement and
  recomputing the difference on the same resampled images for both sides (it needs each
  run's per-test-image results and works with one seed).

A verdict is decided only where every available interval is on one side of the claim's
margin (zero, or the claim's own threshold); an interval that contains a margin, or two
intervals on different sides, make it inconclusive (docs/claims.md).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np

# Coverage of every interval the report gives (two-sided).
CONFIDENCE = 0.95
# The rank test of R1 decides at this one-sided level (an exact permutation p-value).
RANK_ALPHA = 0.05
# Bootstrap resamples are drawn in chunks of at most this many resampled indices (or, for
# data with at most _GROUPED_UP_TO distinct per-image rows, _CHUNK_RESAMPLES resamples).
_CHUNK_DRAWS = 2_000_000
_GROUPED_UP_TO = 64
_CHUNK_RESAMPLES = 10_000

HOLDS, FAILS, INCONCLUSIVE = "holds", "does not hold", "inconclusive"


def t_interval(values: Sequence[float], confidence: float = CONFIDENCE):
    """(low, high) of Student's t-interval for the mean of `values`; None below two."""
    from scipy.stats import t

    values = np.asarray(values, dtype=np.float64)
    if len(values) < 2:
        return None
    mean = float(values.mean())
    half = float(t.ppf(0.5 + confidence / 2, len(values) - 1)) * float(
        values.std(ddof=1) / math.sqrt(len(values))
    )
    return (mean - half, mean + half)


def bootstrap_interval(
    per_image: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    resamples: int,
    seed: int,
    confidence: float = CONFIDENCE,
) -> tuple[float, float]:
    """Percentile interval of `statistic` over bootstrap resamples of the test images.

    per_image: N×m, one row per test image (its columns: what each side measured on
    that image). Each resample draws N images with replacement; statistic(means) gets the
    B×m column means of the resampled rows and returns B values. Every column of a row
    moves together: the resampling is paired.
    """
    per_image = np.asarray(per_image, dtype=np.float64)
    if per_image.ndim == 1:
        per_image = per_image[:, None]
    count = len(per_image)
    rng = np.random.default_rng(seed)
    # Images with equal rows are interchangeable: with few distinct rows (correct/incorrect
    # on each side), how often each distinct row is drawn is multinomial, which is the same
    # distribution as drawing N image indices, at a cost independent of N.
    rows, inverse = np.unique(per_image, axis=0, return_inverse=True)
    values = []
    if len(rows) <= _GROUPED_UP_TO:
        shares = np.bincount(inverse.ravel(), minlength=len(rows)) / count
        for start in range(0, resamples, _CHUNK_RESAMPLES):
            size = min(_CHUNK_RESAMPLES, resamples - start)
            counts = rng.multinomial(count, shares, size=size)
            values.append(np.asarray(statistic(counts @ rows / count), dtype=np.float64))
    else:
        chunk = max(1, _CHUNK_DRAWS // max(count, 1))
        for start in range(0, resamples, chunk):
            size = min(chunk, resamples - start)
            picks = rng.integers(0, count, size=(size, count))
            # How often each image was drawn in each resample: B×N counts, then weighted sums.
            offsets = (np.arange(size) * count)[:, None]
            counts = np.bincount((picks + offsets).ravel(), minlength=size * count)
            means = counts.reshape(size, count) @ per_image / count
            values.append(np.asarray(statistic(means), dtype=np.float64))
    values = np.concatenate(values)
    tail = (1 - confidence) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return (float(low), float(high))


def paired_difference_interval(
    first: np.ndarray, second: np.ndarray, resamples: int, seed: int
) -> tuple[float, float]:
    """Bootstrap interval of mean(first) − mean(second) over the same test images.

    first, second: S×N (seeds × test images) or N arrays of per-image values (1/0 for
    correct/incorrect); with several seeds each image's value is its mean over the seeds.
    """
    difference = _per_image(first) - _per_image(second)
    return bootstrap_interval(difference, lambda means: means[:, 0], resamples, seed)


def paired_ratio_interval(
    first: np.ndarray, second: np.ndarray, resamples: int, seed: int
) -> tuple[float, float]:
    """Bootstrap interval of mean(first) / mean(second) − 1 over the same test images."""
    columns = np.stack([_per_image(first), _per_image(second)], axis=1)
    return bootstrap_interval(columns, lambda means: means[:, 0] / means[:, 1] - 1, resamples, seed)


def _per_image(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    return values.mean(axis=0) if values.ndim == 2 else values


def judge(
    intervals: Sequence[tuple[float, float] | None],
    margins: Sequence[float],
    holds_at: Callable[[float], bool],
) -> str:
    """HOLDS, FAILS or INCONCLUSIVE from the intervals of one difference.

    margins: the points where the claim changes between holding and not (0 for "bottom
    beats top"; −m and +m for "at least m apart"); holds_at(x): whether the claim holds
    for a difference x. An interval that contains a margin decides nothing; the verdict is
    decided when every given interval (None: not available) decides, and the same way.
    """
    given = [i for i in intervals if i is not None]
    if not given:
        return INCONCLUSIVE
    decided = set()
    for low, high in given:
        if any(low <= margin <= high for margin in margins):
            return INCONCLUSIVE
        decided.add(bool(holds_at((low + high) / 2)))
    if len(decided) > 1:
        return INCONCLUSIVE
    return HOLDS if decided.pop() else FAILS


def both(first: str, second: str) -> str:
    """A claim made of two conditions: holds when both hold, fails when either fails."""
    if FAILS in (first, second):
        return FAILS
    return HOLDS if first == second == HOLDS else INCONCLUSIVE


def kendall_tau(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's τ-b of two paired samples (ties counted as in τ-b); nan when either
    sample is constant."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    concordant = discordant = ties_x = ties_y = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        dx, dy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        if dx == 0 and dy == 0:
            continue
        if dx == 0:
            ties_x += 1
        elif dy == 0:
            ties_y += 1
        elif dx == dy:
            concordant += 1
        else:
            discordant += 1
    denominator = math.sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y))
    return float("nan") if denominator == 0 else (concordant - discordant) / denominator


def permutation_p_values(x: Sequence[float], y: Sequence[float]) -> tuple[float, float, int]:
    """Exact permutation p-values of Kendall's τ: every ordering of y against x.

    Returns (p_less, p_greater, orderings): the share of the n! orderings whose τ is at
    most (at least) the observed one, the one-sided p-values of a negative (positive)
    relation. Only for a few datasets: n! orderings are enumerated.
    """
    observed = kendall_tau(x, y)
    if math.isnan(observed):
        return 1.0, 1.0, math.factorial(len(y))
    taus = np.array([kendall_tau(x, order) for order in itertools.permutations(y)])
    # τ-b of the same data in another order can differ from the observed one by rounding
    # only; a relative 1e-12 keeps equal values equal.
    slack = 1e-12 * max(1.0, abs(observed))
    less = float(np.mean(taus <= observed + slack))
    greater = float(np.mean(taus >= observed - slack))
    return less, greater, len(taus)


def interval_columns(prefix: str, seeds, bootstrap) -> dict:
    """A difference's two intervals as table columns (nan where there is none):
    <prefix>_seeds_low/high (t over seeds) and <prefix>_bootstrap_low/high."""
    columns = {}
    for kind, interval in (("seeds", seeds), ("bootstrap", bootstrap)):
        low, high = interval if interval is not None else (np.nan, np.nan)
        columns[f"{prefix}_{kind}_low"] = float(low)
        columns[f"{prefix}_{kind}_high"] = float(high)
    return columns


def intervals_of(row, prefix: str) -> list[tuple[float, float] | None]:
    """The [seeds, bootstrap] intervals interval_columns stored in a row (None: absent)."""
    found = []
    for kind in ("seeds", "bootstrap"):
        low, high = row[f"{prefix}_{kind}_low"], row[f"{prefix}_{kind}_high"]
        found.append(None if np.isnan(low) or np.isnan(high) else (float(low), float(high)))
    return found


def mean_interval(values: np.ndarray, resamples: int, seed: int) -> tuple[float, float]:
    """Bootstrap interval of the mean over test images of per-image values (S×N or N;
    with several seeds, each image's value is its mean over the seeds)."""
    return bootstrap_interval(_per_image(values), lambda means: means[:, 0], resamples, seed)
