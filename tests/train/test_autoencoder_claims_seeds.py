"""R3 over seeds (lbr/train/autoencoder_claims.py): each guided run paired with its own
seed's twin, and the per-pair summary's means, intervals and three verdicts on hand-made
runs whose per-image results make each bootstrap interval known exactly."""

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from lbr.stats import (
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    paired_difference_interval,
    paired_ratio_interval,
)
from lbr.train.autoencoder_claims import (
    R3_PROBE_MARGIN,
    guidance_pairs,
    r3_pair_summary,
)
from support import EPS, gamma, t_interval_bound

N = 50  # test images


def _run(latent, weight, seed, rec, accuracy):
    return dict(
        dataset="d",
        arch="conv",
        latent=latent,
        guidance=weight,
        seed=seed,
        test_reconstruction_loss=rec,
        train_reconstruction_loss=rec,
        linear_probe_accuracy=accuracy,
        mlp_probe_accuracy=accuracy,
    )


def test_each_guided_run_meets_the_twin_of_its_own_seed():
    table = pd.DataFrame(
        [
            _run(8, 0.0, 0, 1.0, 0.30),
            _run(8, 0.0, 1, 2.0, 0.40),
            _run(8, 0.5, 0, 1.1, 0.70),
            _run(8, 0.5, 1, 2.4, 0.45),
            _run(16, 0.0, 0, 4.0, 0.5),  # another latent: never a twin of latent 8
        ]
    ).sample(frac=1.0, random_state=1)
    pairs = guidance_pairs(table).sort_values("seed")
    assert pairs["seed"].tolist() == [0, 1]
    assert pairs["test_reconstruction_loss_unguided"].tolist() == [1.0, 2.0]
    # the two values' and the literal's representations and the division or subtraction
    # (the − 1 is exact: Sterbenz): four roundings of numbers below 1.2 (u = EPS/2 each)
    assert pairs["reconstruction_gap"].tolist() == pytest.approx([0.1, 0.2], abs=2.4 * EPS)
    assert pairs["linear_probe_gain"].tolist() == pytest.approx([0.4, 0.05], abs=2.4 * EPS)


def _per_image(errors, correct):
    return pd.DataFrame(
        {
            "reconstruction_error": errors,
            "linear_probe_correct": correct,
            "mlp_probe_correct": correct,
        }
    )


def _grid(seeds):
    """Per seed s: the unguided model's per-image errors e and the guided one's c_s·e (c_s a
    number: every resample's ratio of means is c_s with one seed, the ratio of the seeds'
    mean factors with several; or a per-image array); probes right on the first k images
    (guided a superset of unguided)."""
    table, per_image = [], {}
    errors = np.linspace(0.5, 1.5, N)
    for seed, (factor, unguided_right, guided_right) in seeds.items():
        for weight, scale, right in ((0.0, 1.0, unguided_right), (0.5, factor, guided_right)):
            correct = np.arange(N) < right
            per_image[("d", "conv", 8, weight, seed)] = _per_image(scale * errors, correct)
            table.append(_run(8, weight, seed, float(np.mean(scale * errors)), right / N))
    return guidance_pairs(pd.DataFrame(table)), per_image


def test_one_seed_bootstrap_intervals_are_the_exact_constants():
    pairs, per_image = _grid({0: (1.02, 10, 30)})  # guided +2% error, 20 more images right
    row = r3_pair_summary(pairs, per_image, 2000, 0).iloc[0]
    assert row["seeds"] == 1
    assert np.isnan(row["reconstruction_gap_seeds_low"])
    # each error × 1.02 (u), each resampled mean an N-term dot product of positive terms
    # and a division (γ_{N+1} relative), the ratio and the literals: within γ_{2N+5}·1.02
    exact = pytest.approx(0.02, abs=gamma(2 * N + 5) * 1.02)
    assert (row["reconstruction_gap_bootstrap_low"], row["reconstruction_gap_bootstrap_high"]) == (
        exact,
        exact,
    )
    low, high = row["linear_probe_gain_bootstrap_low"], row["linear_probe_gain_bootstrap_high"]
    assert low < 20 / N < high  # the 20 images that differ, resampled
    assert (row["reconstruction_verdict"], row["probe_verdict"], row["r3_verdict"]) == (
        HOLDS,
        HOLDS,
        HOLDS,
    )


@pytest.mark.parametrize(
    "seeds, verdicts",
    [
        # reconstruction 8% worse: outside ±5% whatever the probes say
        ({0: (1.08, 10, 30)}, (FAILS, HOLDS, FAILS)),
        # probes 2 images apart: within ±10 points
        ({0: (1.01, 10, 11)}, (HOLDS, FAILS, FAILS)),
        # probes 5 images (10 points) apart: the interval contains the margin
        ({0: (1.01, 10, 15)}, (HOLDS, INCONCLUSIVE, INCONCLUSIVE)),
        # reconstruction 0% or 10% worse on alternate images (5% on the whole): the
        # interval contains the 5% margin
        ({0: (np.resize([1.0, 1.1], N), 10, 30)}, (INCONCLUSIVE, HOLDS, INCONCLUSIVE)),
        # the same below: 0% or 10% better (5% on the whole) contains the −5% margin
        ({0: (np.resize([0.9, 1.0], N), 10, 30)}, (INCONCLUSIVE, HOLDS, INCONCLUSIVE)),
        # the guided probe 5 images (10 points) worse: the interval contains −10 points
        ({0: (1.01, 15, 10)}, (HOLDS, INCONCLUSIVE, INCONCLUSIVE)),
    ],
)
def test_each_condition_fails_or_straddles_on_its_own(seeds, verdicts):
    pairs, per_image = _grid(seeds)
    row = r3_pair_summary(pairs, per_image, 2000, 0).iloc[0]
    assert (row["reconstruction_verdict"], row["probe_verdict"], row["r3_verdict"]) == verdicts


def test_several_seeds_give_scipys_t_interval_and_the_mean():
    """Three seeds: gains 20, 24 and 4 images (40, 48, 8 points); the t-interval over seeds
    reaches below 10 points although the bootstrap (images averaged over seeds) does not."""
    pairs, per_image = _grid({0: (1.01, 10, 30), 3: (1.02, 10, 34), 5: (1.0, 10, 14)})
    row = r3_pair_summary(pairs, per_image, 2000, 0).iloc[0]
    gains = np.array([20, 24, 4]) / N
    assert row["seeds"] == 3
    # each gain: two accuracies (one rounding each) and their difference, numbers below 1,
    # then a 3-term mean; the same here from the counts: within γ₆ on each side
    assert row["linear_probe_gain"] == pytest.approx(gains.mean(), abs=2 * gamma(6))
    # scipy's interval of the same per-seed gains (checked against the counts above)
    seed_gains = pairs.sort_values("seed")["linear_probe_gain"].to_numpy()
    expected = scipy.stats.t.interval(
        0.95, 2, loc=seed_gains.mean(), scale=scipy.stats.sem(seed_gains)
    )
    assert (row["linear_probe_gain_seeds_low"], row["linear_probe_gain_seeds_high"]) == (
        pytest.approx(expected[0], abs=t_interval_bound(seed_gains)),
        pytest.approx(expected[1], abs=t_interval_bound(seed_gains)),
    )
    assert row["linear_probe_gain_seeds_low"] < R3_PROBE_MARGIN
    assert row["linear_probe_gain_bootstrap_low"] > R3_PROBE_MARGIN
    assert row["probe_verdict"] == INCONCLUSIVE
    # the reconstruction gap's bootstrap: the ratio of the seeds' mean errors, exactly
    ratio = (1.01 + 1.02 + 1.0) / 3 - 1
    # per image: three products and 3-term means (γ₆ guided, γ₃ unguided), each resampled
    # mean an N-term dot product of positive terms and a division (γ_{N+1}), the ratio,
    # and the literal here (γ₆): within γ_{2N+18}·1.02
    bound = gamma(2 * N + 18) * 1.02
    assert row["reconstruction_gap_bootstrap_low"] == pytest.approx(ratio, abs=bound)
    assert row["reconstruction_gap_bootstrap_high"] == pytest.approx(ratio, abs=bound)
    # the mean of the seeds' gaps (1%, 2%, 0%): each gap the ratio of two N-term means of
    # positive terms (γ_{N+1} each), the division and the − 1, below 1.02; then the mean
    assert row["reconstruction_gap"] == pytest.approx(0.01, abs=gamma(2 * N + 8) * 1.02)


def test_without_per_image_results_only_the_seeds_judge():
    pairs, _ = _grid({0: (1.01, 10, 30), 1: (1.01, 10, 31)})
    row = r3_pair_summary(pairs).iloc[0]
    assert np.isnan(row["linear_probe_gain_bootstrap_low"])
    assert row["probe_verdict"] == HOLDS  # gains 20 and 21 images: t over 2 seeds well above


def _stack(per_image, weight, seeds, column):
    return np.stack(
        [per_image[("d", "conv", 8, weight, s)][column].to_numpy(np.float64) for s in seeds]
    )


def test_the_given_resamples_and_seed_make_both_bootstrap_intervals():
    """Each bootstrap interval is lbr.stats' own on the runs' per-image tables, stacked in
    seed order, with the resamples and seed passed; another seed gives other intervals."""
    pairs, per_image = _grid(
        {0: (np.resize([1.0, 1.1], N), 10, 30), 2: (np.resize([1.05, 0.97], N), 12, 25)}
    )
    row = r3_pair_summary(pairs, per_image, 300, 7).iloc[0]
    ratio = paired_ratio_interval(
        _stack(per_image, 0.5, (0, 2), "reconstruction_error"),
        _stack(per_image, 0.0, (0, 2), "reconstruction_error"),
        300,
        7,
    )
    gain = paired_difference_interval(
        _stack(per_image, 0.5, (0, 2), "linear_probe_correct"),
        _stack(per_image, 0.0, (0, 2), "linear_probe_correct"),
        300,
        7,
    )
    columns = ("reconstruction_gap", ratio), ("linear_probe_gain", gain)
    for column, interval in columns:
        assert (row[f"{column}_bootstrap_low"], row[f"{column}_bootstrap_high"]) == interval
    other = r3_pair_summary(pairs, per_image, 300, 8).iloc[0]
    for column, interval in columns:
        assert (other[f"{column}_bootstrap_low"], other[f"{column}_bootstrap_high"]) != interval


def test_the_order_of_the_runs_rows_changes_no_bit():
    """Seeds are taken in ascending order whatever the table's order: the same numbers to
    the last bit, although sums over these seeds' values round differently by order."""
    pairs, per_image = _grid({0: (1.01, 10, 11), 1: (1.02, 10, 12), 2: (1.03, 10, 36)})
    pairs = pairs.sort_values("seed")
    gains = pairs["linear_probe_gain"].to_numpy()
    assert gains.sum() != gains[::-1].sum()  # the case the test needs: order shows
    forward = r3_pair_summary(pairs, per_image, 300, 0)
    backward = r3_pair_summary(pairs.iloc[::-1], per_image, 300, 0)
    pd.testing.assert_frame_equal(forward, backward, check_exact=True)


def test_pairs_come_out_in_the_order_they_first_appear():
    pairs, _ = _grid({0: (1.01, 10, 30)})
    mixed = pd.concat([pairs.assign(dataset="zeta"), pairs.assign(dataset="alpha")])
    assert r3_pair_summary(mixed)["dataset"].tolist() == ["zeta", "alpha"]


def test_a_table_without_seeds_is_one_run_per_pair():
    table = pd.DataFrame([_run(8, 0.0, 0, 2.0, 0.3), _run(8, 0.5, 0, 2.05, 0.6)])
    row = r3_pair_summary(guidance_pairs(table.drop(columns="seed"))).iloc[0]
    assert row["seeds"] == 1
    # two representations, the division and the − 1 (exact), below 1.1: within 2·EPS
    assert row["reconstruction_gap"] == pytest.approx(0.025, abs=2 * EPS)
    assert row["linear_probe_gain"] == pytest.approx(0.3, abs=2 * EPS)
