"""The R2 measurement (directions that count, energy-weighted bands, the rank statistic)
and the R3 pairs, on hand-written tables."""

import numpy as np
import pandas as pd
import pytest
from lbr.errors import ConfigError
from lbr.train.autoencoder_claims import (
    R2_MIN_GAMMA,
    band_ranges,
    band_table,
    dynamics_summaries,
    figure6_pairs,
    guidance_pairs,
    order_gamma,
    r2_summary,
    signal_directions,
)


def test_bands_cover_every_direction():
    assert band_ranges([1, 5, 17], 64) == [(1, 4), (5, 16), (17, 64)]
    for bad in ([2, 5], [1, 5, 5], []):
        with pytest.raises(ConfigError, match="band_edges"):
            band_ranges(bad, 64)
    # the message names the edge that is too large and the number of directions
    with pytest.raises(ConfigError, match="band edge 100 exceeds the 64 eigen-directions"):
        band_ranges([1, 5, 100], 64)


def test_jitter_only_directions_do_not_count():
    energy = np.array([10.0, 1.0, 1e-3, 1e-13, 0.0])
    assert signal_directions(energy).tolist() == [True, True, True, False, False]


def _directions(errors: dict[int, list[float]], energy: dict[int, float], steps=(0, 10, 100)):
    return pd.DataFrame(
        [
            {"step": step, "k": k, "error": e, "energy": energy[k]}
            for k, values in errors.items()
            for step, e in zip(steps, values)
        ]
    )


def test_bands_are_energy_weighted_not_means_of_ratios():
    # Band 1..2: a large direction half learned, a tiny one untouched (ratio 1).
    table = _directions({1: [100, 50, 50], 2: [1, 1, 1], 3: [4, 4, 1]}, {1: 100, 2: 1, 3: 4})
    bands = band_table(table, [1, 3])
    last = bands[bands["step"] == 100].set_index("band")["relative_error"]
    assert last[0] == pytest.approx(51 / 101)  # a mean of ratios would give 0.75
    assert last[1] == pytest.approx(0.25)


def test_rank_statistic_orders_directions_never_learned_last():
    energy = {k: 1.0 for k in range(1, 5)}
    top_first = _directions(
        {1: [1, 0.1, 0], 2: [1, 0.4, 0], 3: [1, 1, 0.3], 4: [1, 1, 0.6]}, energy
    )
    summary = r2_summary(top_first, band_table(top_first, [1, 3]))
    assert summary["gamma"] > R2_MIN_GAMMA and summary["r2_holds"]
    assert summary["directions_learned"] == 3 and summary["band_learned_steps"] == [10, 100]
    bottom_first = _directions(
        {1: [1, 1, 1], 2: [1, 1, 0.2], 3: [1, 0.3, 0], 4: [1, 0.1, 0]}, energy
    )
    summary = r2_summary(bottom_first, band_table(bottom_first, [1, 3]))
    assert summary["gamma"] < 0 and summary["r2_holds"] is False
    nothing = _directions({k: [1, 1, 1] for k in energy}, energy)
    assert r2_summary(nothing, band_table(nothing, [1]))["r2_holds"] is None


def test_gamma_judges_the_order_shown_not_how_far_training_got():
    inf = np.inf
    # Only the top 2 of 6 learned, in order: as ordered as it can be (Spearman would give 0.85).
    assert order_gamma([1, 2, inf, inf, inf, inf]) == 1.0
    assert order_gamma([inf, inf, 3, 1]) == -1.0
    assert order_gamma([5, 1, 5, 9]) == pytest.approx((4 - 1) / (4 + 1))
    assert np.isnan(order_gamma([inf, inf, inf]))
    # one pair in order, one reversed, one tied: as many of each, γ = 0 (not "all tied")
    assert order_gamma([1, 2, 1]) == 0.0


def test_dynamics_summaries_recompute_r2_per_model_from_the_tables():
    energy = {k: 1.0 for k in range(1, 5)}
    good = _directions({1: [1, 0.1, 0], 2: [1, 0.4, 0], 3: [1, 1, 0.3], 4: [1, 1, 0.6]}, energy)
    bad = _directions({1: [1, 1, 1], 2: [1, 1, 0.2], 3: [1, 0.3, 0], 4: [1, 0.1, 0]}, energy)
    directions = pd.concat([good.assign(arch="a"), bad.assign(arch="b")]).assign(dataset="d")
    bands = pd.concat(
        [band_table(t, [1, 3]).assign(arch=a) for t, a in ((good, "a"), (bad, "b"))]
    ).assign(dataset="d")
    facts = {"dataset": "d", "latent": 2, "width": 1, "parameters": 10, "directions_left_out": 0}
    runs = pd.DataFrame([{**facts, "arch": "b", "gamma": 9.0}, {**facts, "arch": "a"}])
    summary = dynamics_summaries(runs, directions, bands)
    assert summary["arch"].tolist() == ["b", "a"] and summary["r2_holds"].tolist() == [False, True]
    assert summary["gamma"].iloc[0] < 0  # recomputed, not the stale value of the run file


def _runs(rows):
    base = {"dataset": "d", "arch": "conv", "latent": 8, "train_reconstruction_loss": 1.0}
    return pd.DataFrame([{**base, **row} for row in rows])


def test_guidance_pairs_r3_verdict_and_figure6_choice():
    table = _runs(
        [
            {
                "guidance": 0.0,
                "test_reconstruction_loss": 1.00,
                "linear_probe_accuracy": 0.30,
                "mlp_probe_accuracy": 0.5,
            },
            {
                "guidance": 0.1,
                "test_reconstruction_loss": 1.03,
                "linear_probe_accuracy": 0.45,
                "mlp_probe_accuracy": 0.6,
            },
            {
                "guidance": 1.0,
                "test_reconstruction_loss": 1.20,
                "linear_probe_accuracy": 0.60,
                "mlp_probe_accuracy": 0.7,
            },
        ]
    )
    pairs = guidance_pairs(table)
    assert len(pairs) == 2
    np.testing.assert_allclose(pairs["reconstruction_gap"], [0.03, 0.20])
    np.testing.assert_allclose(pairs["linear_probe_relative_difference"], [50.0, 100.0])
    assert pairs["r3_holds"].tolist() == [True, False]
    # Fig. 6 shows the pair with equal reconstruction, not the one with the largest gain.
    assert [p["guidance"] for p in figure6_pairs(pairs)] == [0.1]
