"""R2 and R3 from hand-made autoencoder tables (lbr/train/autoencoder_claims.py).

The fixtures give each eigen-direction its own energy, from 1e-6 to 1e3, so a rule that
drops the energy (an absolute threshold, a mean of ratios instead of a ratio of sums) gives
another answer; the guidance table has several latent sizes, datasets and architectures
whose unguided twins all differ, so a pair matched to the wrong twin shows in every number.
"""

import numpy as np
import pandas as pd
import pytest
import support
from lbr.errors import ConfigError
from lbr.train.autoencoder_claims import (
    LEARNED_FRACTION,
    R2_MIN_GAMMA,
    R3_PROBE_GAP,
    R3_RECONSTRUCTION_TOLERANCE,
    SIGNAL_RTOL,
    band_ranges,
    band_table,
    dynamics_summaries,
    figure6_pairs,
    guidance_pairs,
    learned_steps,
    order_gamma,
    r2_summary,
    signal_directions,
    strongest_pair,
)

INF = np.inf


def test_thresholds_are_the_documented_ones():
    # docs/autoencoders.md states these; every expected value below is derived from them.
    assert (SIGNAL_RTOL, LEARNED_FRACTION, R2_MIN_GAMMA) == (1e-6, 0.5, 0.5)
    assert (R3_RECONSTRUCTION_TOLERANCE, R3_PROBE_GAP) == (0.05, 0.10)


# --- which directions count -----------------------------------------------------------


def test_signal_directions_are_relative_to_the_largest_energy():
    # The largest energy is not the first; 1e-3 is exactly 1e-6 × 1e3 (both exact products).
    energy = np.array([2.0, 1e3, 1e-3, np.nextafter(1e-3, 0), 5e-7, 0.0, 40.0])
    assert signal_directions(energy).tolist() == [True, True, True, False, False, False, True]
    # The same rule at another scale: an absolute threshold would drop 1e-8.
    small = np.array([1e-3, 2e-6, 5e-10, 1e-8])
    assert signal_directions(small).tolist() == [True, True, False, True]


@pytest.mark.parametrize(
    "edges, count, bands",
    [
        ([1, 5, 17, 33], 40, [(1, 4), (5, 16), (17, 32), (33, 40)]),
        ([1, 40], 40, [(1, 39), (40, 40)]),  # the last edge may be the last direction
        ([1], 7, [(1, 7)]),
        ([1, 2, 3], 3, [(1, 1), (2, 2), (3, 3)]),
    ],
)
def test_band_ranges(edges, count, bands):
    assert band_ranges(edges, count) == bands


@pytest.mark.parametrize(
    "edges, count, message",
    [
        ([1, 41], 40, "exceeds the 40 eigen-directions"),
        ([0, 5], 40, "start at 1"),
        ([2, 5], 40, "start at 1"),
        ([1, 5, 3], 40, "increase strictly"),
        ([1, 5, 5], 40, "increase strictly"),
        ([], 40, "start at 1"),
    ],
)
def test_band_ranges_refuse_bad_edges(edges, count, message):
    with pytest.raises(ConfigError, match=message):
        band_ranges(edges, count)


# --- per-direction and per-band tables ------------------------------------------------


def _directions(errors: dict[int, list[float]], energy: dict[int, float], steps):
    """One row per (step, k), in shuffled order: row order must carry no meaning."""
    table = pd.DataFrame(
        [
            {"step": step, "k": k, "error": e, "energy": energy[k]}
            for k, values in errors.items()
            for step, e in zip(steps, values)
        ]
    )
    return table.sample(frac=1.0, random_state=7).reset_index(drop=True)


ENERGY = {1: 1e3, 2: 40.0, 3: 2.0, 4: 0.05, 5: 1e-4, 6: 1e-6}
BAND_ERRORS = {
    1: [1e3, 100.0, 10.0],
    2: [40.0, 40.0, 4.0],
    3: [2.0, 1.0, 0.5],
    4: [0.05, 0.05, 0.01],
    5: [1e-4, 1e-4, 2e-5],
    6: [1e-6, 5e-7, 1e-7],
}


def test_band_table_is_a_ratio_of_sums_per_band_and_step():
    table = _directions(BAND_ERRORS, ENERGY, steps=(0, 10, 100))
    bands = band_table(table, [1, 3, 5]).sort_values(["step", "band"])
    assert bands.columns.tolist() == ["step", "band", "band_start", "band_stop", "relative_error"]
    assert bands["step"].tolist() == [0, 0, 0, 10, 10, 10, 100, 100, 100]
    assert bands["band"].tolist() == [0, 1, 2] * 3
    assert bands["band_start"].tolist() == [1, 3, 5] * 3
    assert bands["band_stop"].tolist() == [2, 4, 6] * 3
    # Σ error / Σ energy, e.g. band 1 at step 10: (100 + 40) / (1000 + 40) = 0.135, where a
    # mean of ratios would give 0.55.
    expected = [
        1.0,
        1.0,
        1.0,
        (100 + 40) / (1e3 + 40),
        (1 + 0.05) / (2 + 0.05),
        (1e-4 + 5e-7) / (1e-4 + 1e-6),
        (10 + 4) / (1e3 + 40),
        (0.5 + 0.01) / (2 + 0.05),
        (2e-5 + 1e-7) / (1e-4 + 1e-6),
    ]
    # Two sums of two positive terms and one quotient on each side, of the same literals:
    # 6 roundings of u = ε/2 relative, within γ₃ = 3ε (a mean of ratios is 4× off).
    np.testing.assert_allclose(bands["relative_error"], expected, rtol=support.gamma(3))


def test_band_table_last_band_runs_to_the_last_direction():
    table = _directions(BAND_ERRORS, ENERGY, steps=(0, 10, 100))
    bands = band_table(table, [1, 6])
    final = bands[bands["step"] == 10].sort_values("band")
    assert final[["band_start", "band_stop"]].values.tolist() == [[1, 5], [6, 6]]
    np.testing.assert_allclose(
        final["relative_error"],
        [(100 + 40 + 1 + 0.05 + 1e-4) / (1e3 + 40 + 2 + 0.05 + 1e-4), 0.5],
        # two five-term positive sums (4 roundings each) and the quotient on each side: 18
        # roundings of u = ε/2 relative, γ₉
        rtol=support.gamma(9),
    )


# Learned = first snapshot with error ≤ ½ × energy. Directions of energies 1e3 .. 1e-6:
# k = 1 is learned at 100 (400 ≤ 500) although its error is never ≤ ½ in absolute terms;
# k = 2 exactly at half its energy at 10, and again above it later (first snapshot counts);
# k = 3 carries 1e-6 and is never learned though its error is always tiny;
# k = 4 only at the last snapshot.
LEARNING = {
    1: [1e3, 600.0, 400.0, 100.0],
    2: [8.0, 4.0, 5.0, 1.0],
    3: [1e-6, 9e-7, 6e-7, 5.1e-7],
    4: [0.3, 0.2, 0.16, 0.0],
}
LEARNING_ENERGY = {1: 1e3, 2: 8.0, 3: 1e-6, 4: 0.3}
STEPS = (0, 10, 100, 1000)


def test_learned_steps_follow_each_directions_own_energy():
    steps = learned_steps(_directions(LEARNING, LEARNING_ENERGY, STEPS))
    assert steps.index.tolist() == [1, 2, 3, 4]
    assert steps.tolist() == [100.0, 10.0, INF, 1000.0]


@pytest.mark.parametrize(
    "steps, gamma",
    [
        # pairs i < j: (10,5) R, (10,10) tie, (10,inf) C, (10,20) C, 5: C C C, 10: C C,
        # (inf,20) R: C = 7, R = 2
        ([10, 5, 10, INF, 20], 5 / 9),
        ([1, 2, INF, INF], 1.0),
        ([INF, INF, 3, 1], -1.0),
        # C = 6 (each 1 before 3, 2, 2), R = 2 (3 before 2, 2), ties (1,1) (2,2): exactly ½
        ([1, 1, 3, 2, 2], 0.5),
        ([7, 7], np.nan),
        ([INF, INF, INF], np.nan),
    ],
)
def test_order_gamma_by_hand(steps, gamma):
    # (C − R)/(C + R) of integer counts: one rounding, as the literal's: exact
    assert order_gamma(steps) == gamma or (np.isnan(gamma) and np.isnan(order_gamma(steps)))


def _bands(relative: dict[int, list[float]], steps=STEPS):
    rows = [
        {"step": s, "band": b, "band_start": 1, "band_stop": 1, "relative_error": e}
        for b, values in relative.items()
        for s, e in zip(steps, values)
    ]
    return pd.DataFrame(rows).sample(frac=1.0, random_state=5).reset_index(drop=True)


# Band 0 reaches ½ exactly at 10, band 1 at 100, band 2 never.
BANDS = {0: [1.0, 0.5, 0.3, 0.1], 1: [1.0, 0.9, 0.45, 0.2], 2: [1.0, 1.0, 0.8, 0.7]}


def test_r2_summary_of_one_model():
    # learned at [100, 10, inf, 1000]: (100,10) R, (100,inf) C, (100,1000) C, 10: C C,
    # (inf,1000) R: C = 4, R = 2, γ = 1/3 < ½
    summary = r2_summary(_directions(LEARNING, LEARNING_ENERGY, STEPS), _bands(BANDS))
    assert summary == {
        "gamma": 1 / 3,  # (4 − 2)/(4 + 2): one rounding of integers, as 1/3 here: exact
        "r2_holds": False,
        "directions_counted": 4,
        "directions_learned": 3,
        "band_learned_steps": [10.0, 100.0, INF],
        "final_band_relative_error": [0.1, 0.2, 0.7],
    }


def test_r2_holds_at_a_gamma_of_exactly_one_half():
    # learned at [10, 10, 1000, 100, 100]: γ = ½ (see test_order_gamma_by_hand); energies
    # 1e3 .. 1e-6, each learned when its error reaches half of it.
    energy = {1: 1e3, 2: 30.0, 3: 1e-6, 4: 0.02, 5: 5e-4}
    at = {1: 10, 2: 10, 3: 1000, 4: 100, 5: 100}
    errors = {k: [energy[k] if s < at[k] else 0.4 * energy[k] for s in STEPS] for k in energy}
    summary = r2_summary(_directions(errors, energy, STEPS), _bands(BANDS))
    assert summary["gamma"] == 0.5 and summary["r2_holds"] is True
    assert summary["directions_learned"] == 5 and summary["directions_counted"] == 5


def test_r2_undefined_when_nothing_is_ordered():
    errors = {k: [1.0, 1.0, 1.0, 1.0] for k in (1, 2, 3)}
    summary = r2_summary(_directions(errors, {1: 1.0, 2: 1.0, 3: 1.0}, STEPS), _bands(BANDS))
    assert np.isnan(summary["gamma"]) and summary["r2_holds"] is None
    assert summary["directions_learned"] == 0 and summary["directions_counted"] == 3


def test_dynamics_summaries_keep_each_models_facts_and_tables_apart():
    # Four models, two datasets × two architectures, each with its own latent, width, size,
    # left-out count and learning order; the runs' stored γ is stale and must be recomputed.
    orders = {
        ("d1", "mlp"): [10, 100],  # γ = 1
        ("d1", "conv"): [100, 10],  # γ = −1
        ("d2", "mlp"): [10, 1000, 100],  # C 2, R 1: γ = 1/3
        ("d2", "conv"): [10, INF, 100, INF],  # C 4, R 1: γ = 3/5
    }
    energies = [1e3, 2.0, 1e-6, 0.05]
    directions, bands = [], []
    for (dataset, arch), learned in orders.items():
        energy = {k + 1: energies[k] for k in range(len(learned))}
        errors = {
            k: [energy[k] if s < learned[k - 1] else 0.25 * energy[k] for s in STEPS]
            for k in energy
        }
        table = _directions(errors, energy, STEPS)
        directions.append(table.assign(dataset=dataset, arch=arch))
        bands.append(band_table(table, [1, 2]).assign(dataset=dataset, arch=arch))
    facts = [
        ("d2", "conv", 64, 8, 5_000, 3),
        ("d1", "mlp", 32, 16, 1_000_000, 0),
        ("d2", "mlp", 8, 4, 20_000, 11),
        ("d1", "conv", 16, 32, 300_000, 1),
    ]
    runs = pd.DataFrame(
        [
            dict(dataset=d, arch=a, latent=k, width=w, parameters=p, directions_left_out=n, gamma=9)
            for d, a, k, w, p, n in facts
        ]
    )
    summary = dynamics_summaries(runs, pd.concat(directions), pd.concat(bands))
    assert summary[
        ["dataset", "arch", "latent", "width", "parameters", "directions_left_out"]
    ].values.tolist() == [list(f) for f in facts]
    # ratios of integer counts, one rounding each as the literals': exact
    np.testing.assert_array_equal(summary["gamma"], [3 / 5, 1.0, 1 / 3, -1.0])
    assert summary["r2_holds"].tolist() == [True, True, False, False]
    assert summary["directions_counted"].tolist() == [4, 2, 3, 2]
    assert summary["directions_learned"].tolist() == [2, 2, 3, 2]
    # band 0 = direction 1 only (its error falls to ¼ of its energy at its learned step)
    assert [s[0] for s in summary["band_learned_steps"]] == [10.0, 10.0, 10.0, 100.0]


# --- R3: guided models and their unguided twins ----------------------------------------

# (dataset, arch, latent): unguided test loss, train loss, linear and MLP probe accuracy.
TWINS = {
    ("d1", "conv", 8): (2.0, 1.0, 0.30, 0.50),
    ("d1", "conv", 32): (1.0, 0.5, 0.40, 0.55),
    ("d1", "conv", 128): (0.5, 0.25, 0.45, 0.60),
    ("d1", "resnet", 8): (4.0, 2.0, 0.20, 0.35),
    ("d2", "conv", 8): (8.0, 4.0, 0.60, 0.70),
    ("d2", "conv", 32): (0.25, 0.125, 0.65, 0.72),
}
# guided (twin, weight): test loss, train loss, linear, MLP; then the expected
# reconstruction gap, train gap, linear gain, MLP gain and R3 verdict.
GUIDED = [
    (("d1", "conv", 8), 0.05, (2.06, 1.2, 0.52, 0.55), (0.03, 0.2, 0.22, 0.05, True)),
    # the test loss 8% worse: no R3 whatever the probe says
    (("d1", "conv", 8), 0.1, (2.16, 0.9, 0.70, 0.60), (0.08, -0.1, 0.40, 0.10, False)),
    # guided worse by 15 points at 4% better test loss: a gap either way counts
    (("d1", "conv", 32), 0.05, (0.96, 0.5, 0.25, 0.50), (-0.04, 0.0, -0.15, -0.05, True)),
    # 6% better: outside the ±5%
    (("d1", "conv", 32), 0.1, (0.94, 0.45, 0.60, 0.65), (-0.06, -0.1, 0.20, 0.10, False)),
    # a large MLP gain does not stand in for the linear probe's
    (("d1", "conv", 128), 0.05, (0.505, 0.25, 0.47, 0.95), (0.01, 0.0, 0.02, 0.35, False)),
    # a 60% worse train loss does not matter: R3 is judged on the test loss
    (("d1", "conv", 128), 0.1, (0.5245, 0.4, 0.5500001, 0.61), (0.049, 0.6, 0.1000001, 0.01, True)),
    (("d1", "resnet", 8), 0.1, (4.08, 2.0, 0.45, 0.40), (0.02, 0.0, 0.25, 0.05, True)),
    (("d2", "conv", 8), 0.05, (8.16, 4.0, 0.51, 0.70), (0.02, 0.0, -0.09, 0.0, False)),
    (("d2", "conv", 8), 0.1, (8.408, 4.4, 0.99, 0.99), (0.051, 0.1, 0.39, 0.29, False)),
    (("d2", "conv", 32), 0.05, (0.2475, 0.125, 0.80, 0.75), (-0.01, 0.0, 0.15, 0.03, True)),
]


def _guidance_table():
    rows = []
    for (dataset, arch, latent), (test, train, linear, mlp) in TWINS.items():
        rows.append((dataset, arch, latent, 0.0, test, train, linear, mlp))
    for (dataset, arch, latent), weight, (test, train, linear, mlp), _ in GUIDED:
        rows.append((dataset, arch, latent, weight, test, train, linear, mlp))
    columns = [
        "dataset",
        "arch",
        "latent",
        "guidance",
        "test_reconstruction_loss",
        "train_reconstruction_loss",
        "linear_probe_accuracy",
        "mlp_probe_accuracy",
    ]
    table = pd.DataFrame(rows, columns=columns)
    return table.sample(frac=1.0, random_state=11).reset_index(drop=True)


def test_guidance_pairs_match_each_guided_model_to_its_own_twin():
    pairs = guidance_pairs(_guidance_table())
    pairs = pairs.sort_values(["dataset", "arch", "latent", "guidance"]).reset_index(drop=True)
    expected = sorted(GUIDED, key=lambda g: (*g[0], g[1]))
    assert len(pairs) == len(GUIDED)
    assert [tuple(r) for r in pairs[["dataset", "arch", "latent"]].values] == [
        g[0] for g in expected
    ]
    assert pairs["guidance"].tolist() == [g[1] for g in expected]
    twins = np.array([TWINS[g[0]] for g in expected])
    for column, index in (
        ("test_reconstruction_loss_unguided", 0),
        ("train_reconstruction_loss_unguided", 1),
        ("linear_probe_accuracy_unguided", 2),
        ("mlp_probe_accuracy_unguided", 3),
    ):
        np.testing.assert_array_equal(pairs[column], twins[:, index], err_msg=column)
    gaps = np.array([g[3][:4] for g in expected])
    eps = support.EPS
    # The twins' losses are powers of two, so a gap is a loss scaled exactly, less 1
    # (exact: Sterbenz): its error is the loss's representation (u·ratio, ratio ≤ 1.6) and
    # the literal's (u·|gap|, ≤ 0.6).
    ratio = eps / 2 * (1.6 + 0.6)
    np.testing.assert_allclose(pairs["reconstruction_gap"], gaps[:, 0], rtol=0, atol=ratio)
    np.testing.assert_allclose(pairs["train_reconstruction_gap"], gaps[:, 1], rtol=0, atol=ratio)
    # gains: the two accuracies', the subtraction's and the literal's roundings, four of
    # numbers below 1
    np.testing.assert_allclose(pairs["linear_probe_gain"], gaps[:, 2], rtol=0, atol=4 * eps / 2)
    np.testing.assert_allclose(pairs["mlp_probe_gain"], gaps[:, 3], rtol=0, atol=4 * eps / 2)
    # Fig. 5's y axis: 100 × (guided / unguided − 1) against 100 × (guided − unguided) /
    # unguided: the quotient's rounding (u·q, q ≤ 5) × 100, and ≤ 5 roundings of the
    # result r (|r| ≤ 400) on the two sides.
    for probe, index in (("linear", 2), ("mlp", 3)):
        guided = np.array([g[2][index] for g in expected])
        np.testing.assert_allclose(
            pairs[f"{probe}_probe_relative_difference"],
            100 * (guided - twins[:, index]) / twins[:, index],
            rtol=0,
            atol=eps / 2 * (100 * 5 + 5 * 400),
        )
    assert pairs["r3_holds"].tolist() == [g[3][4] for g in expected]


def test_strongest_pair_among_equal_reconstructions():
    pairs = guidance_pairs(_guidance_table())
    best = strongest_pair(pairs)
    # within ±5%: gains 0.22, −0.15, 0.02, 0.10, 0.25, −0.09, 0.15 → resnet's 0.25 (the
    # 0.40 and 0.39 pairs are 8% and 5.1% apart in test loss)
    assert (best["dataset"], best["arch"], best["latent"], best["guidance"]) == (
        "d1",
        "resnet",
        8,
        0.1,
    )
    # a larger loss instead of a larger gain: the −0.15 pair becomes the strongest
    stronger = pairs.copy()
    stronger.loc[stronger["linear_probe_gain"].round(2) == -0.15, "linear_probe_gain"] = -0.3
    best = strongest_pair(stronger)
    assert (best["arch"], best["latent"], best["guidance"]) == ("conv", 32, 0.05)


def test_strongest_pair_falls_back_to_every_pair():
    pairs = guidance_pairs(_guidance_table())
    far = pairs[pairs["reconstruction_gap"].abs() > 0.05]
    best = strongest_pair(far)
    assert (best["dataset"], best["latent"], best["guidance"]) == ("d1", 8, 0.1)  # 0.40


def test_figure6_shows_each_datasets_strongest_pair_in_table_order():
    pairs = guidance_pairs(_guidance_table())
    ordered = pd.concat([pairs[pairs["dataset"] == "d2"], pairs[pairs["dataset"] == "d1"]])
    shown = figure6_pairs(ordered)
    assert [(p["dataset"], p["arch"], p["latent"], p["guidance"]) for p in shown] == [
        ("d2", "conv", 32, 0.05),  # 0.15; the 0.39 pair is 5.1% apart
        ("d1", "resnet", 8, 0.1),
    ]


def _float32_accuracy(correct: int, total: int) -> float:
    """A probe's accuracy as the probe computes it: the float32 mean of its 0/1 hits."""
    return float(np.float32(correct) / np.float32(total))


@pytest.mark.parametrize(
    "guided, unguided, total, holds",
    [
        (70, 60, 100, True),  # exactly 10 points, 0.09999996 in float32
        (7_000, 6_000, 10_000, True),
        (9, 8, 10, True),
        (60, 70, 100, True),  # 10 points worse
        (69, 60, 100, False),  # 9 points
        # the largest test set here (SVHN, 26 032): 10 points are 2 603.2 images
        (22_604, 20_000, 26_032, True),
        (22_603, 20_000, 26_032, False),  # one image short
    ],
)
def test_r3_counts_a_gap_of_exactly_ten_points(guided, unguided, total, holds):
    rows = [
        ("d", "conv", 8, weight, 1.0, 1.0, _float32_accuracy(correct, total), 0.5)
        for weight, correct in ((0.0, unguided), (0.1, guided))
    ]
    columns = [
        "dataset",
        "arch",
        "latent",
        "guidance",
        "test_reconstruction_loss",
        "train_reconstruction_loss",
        "linear_probe_accuracy",
        "mlp_probe_accuracy",
    ]
    pairs = guidance_pairs(pd.DataFrame(rows, columns=columns))
    assert pairs["r3_holds"].tolist() == [holds]
