"""The report's three-valued rows and appendices (lbr/report.py) on hand-made tables: R1's
rank reading, R3 over seeds and test images, and the convergence list. Strings are
compared whole; each table has one setting that flips the verdict."""

import numpy as np
import pandas as pd
import pytest
from lbr import report
from lbr.r1_prediction import NOT_TRAINED
from lbr.stats import FAILS, HOLDS, INCONCLUSIVE, interval_columns

# --- R1, main reading: r1_rank_claim --------------------------------------------------


def _rank_table(points):
    rows = [
        dict(dataset=name, alignment_k32=alignment, bottom_minus_top=gap, outcome="x")
        for name, alignment, gap in points
    ]
    rows.append(dict(dataset="u", alignment_k32=0.99, bottom_minus_top=np.nan, outcome=NOT_TRAINED))
    return pd.DataFrame(rows)


def test_rank_claim_holds_on_four_datasets_in_the_predicted_order():
    table = _rank_table(
        [("a", 0.91, -0.031), ("b", 0.62, 0.004), ("c", 0.45, 0.012), ("d", 0.2, 0.05)]
    )
    row = report.r1_rank_claim(table)
    assert row == {
        "claim": "R1: the less aligned a dataset, the more the bottom subspace gains over the "
        "top one",
        "paper": "Figs. 2, 4: misalignment grows from background-free digits to natural images, "
        "and so does the bottom subspace's advantage",
        "this run": "Kendall τ between alignment at K=32 and bottom − top (points) over 4 "
        "trained datasets [a (0.910, -3.1), b (0.620, +0.4), c (0.450, +1.2), d (0.200, +5.0)]: "
        "τ = -1.00 (exact permutation test over all 24 orderings); negative relation, "
        "p = 0.0417 ≤ 0.05",
        "verdict": HOLDS,
        "figure": "r1_prediction",
    }


def test_rank_claim_one_swap_is_inconclusive():
    # one pair concordant, five discordant: τ = (1 − 5)/6 = −2/3; the orderings of 4 with
    # at least 5 of 6 pairs discordant are 3 + 1 of 24 (Mahonian numbers 1 3 5 6 5 3 1)
    table = _rank_table(
        [("a", 0.91, -0.031), ("b", 0.62, 0.012), ("c", 0.45, 0.004), ("d", 0.2, 0.05)]
    )
    row = report.r1_rank_claim(table)
    assert row["verdict"] == INCONCLUSIVE
    assert row["this run"].endswith(
        "τ = -0.67 (exact permutation test over all 24 orderings); p = 0.167 > 0.05 for a "
        "negative relation"
    )


def test_rank_claim_with_two_datasets_says_why_it_cannot_judge():
    row = report.r1_rank_claim(_rank_table([("a", 0.91, -0.03), ("b", 0.2, 0.05)]))
    assert row["verdict"] == INCONCLUSIVE
    assert row["this run"] == (
        "Kendall τ between alignment at K=32 and bottom − top (points) over 2 trained datasets "
        "[a (0.910, -3.0), b (0.200, +5.0)]: τ = -1.00; 2 trained datasets: a rank relation "
        "needs at least 3"
    )


# --- R3 over seeds: guidance_claim, r3_markdown ---------------------------------------


def _pair(dataset, latent, seeds, rec, rec_seeds, rec_boot, gain, gain_seeds, gain_boot, verdicts):
    row = dict(
        dataset=dataset,
        arch="conv",
        latent=latent,
        guidance=0.1,
        seeds=seeds,
        reconstruction_gap=rec,
        linear_probe_gain=gain,
        reconstruction_verdict=verdicts[0],
        probe_verdict=verdicts[1],
        r3_verdict=verdicts[2],
    )
    row.update(interval_columns("reconstruction_gap", rec_seeds, rec_boot))
    row.update(interval_columns("linear_probe_gain", gain_seeds, gain_boot))
    return row


SUMMARY = [
    _pair(
        "d1",
        8,
        3,
        0.03,
        (0.01, 0.045),
        (0.02, 0.04),
        0.22,
        (0.15, 0.29),
        (0.18, 0.26),
        (HOLDS, HOLDS, HOLDS),
    ),  # fmt: skip
    _pair(
        "d1", 32, 1, 0.2, None, (0.15, 0.25), 0.4, None, (0.33, 0.47), (FAILS, HOLDS, FAILS)
    ),  # fmt: skip
    _pair(
        "d2",
        8,
        2,
        -0.04,
        (-0.09, 0.01),
        (-0.05, -0.03),
        -0.15,
        (-0.3, 0.0),
        (-0.2, -0.1),
        (INCONCLUSIVE, INCONCLUSIVE, INCONCLUSIVE),
    ),  # fmt: skip
]


def _pairs():
    """Per-seed pairs for the best-pair sentence (strongest_pair)."""
    return pd.DataFrame(
        [
            dict(
                dataset="d1",
                arch="conv",
                latent=8,
                guidance=0.1,
                seed=2,
                reconstruction_gap=0.03,
                train_reconstruction_gap=-0.01,
                linear_probe_accuracy_unguided=0.3,
                linear_probe_accuracy=0.52,
                linear_probe_gain=0.22,
                r3_holds=True,
            ),  # fmt: skip
            dict(
                dataset="d2",
                arch="conv",
                latent=8,
                guidance=0.1,
                seed=0,
                reconstruction_gap=0.2,
                train_reconstruction_gap=0.1,
                linear_probe_accuracy_unguided=0.3,
                linear_probe_accuracy=0.7,
                linear_probe_gain=0.4,
                r3_holds=False,
            ),  # fmt: skip
        ]
    )


@pytest.mark.parametrize(
    "r3_verdicts, overall, counts",
    [
        ([HOLDS, FAILS, INCONCLUSIVE], HOLDS, "1 hold, 1 inconclusive, 1 do not"),
        ([FAILS, FAILS, INCONCLUSIVE], INCONCLUSIVE, "0 hold, 1 inconclusive, 2 do not"),
        ([FAILS, FAILS, FAILS], FAILS, "0 hold, 0 inconclusive, 3 do not"),
    ],
)
def test_guidance_claim_over_seeds_is_three_valued(r3_verdicts, overall, counts):
    summary = pd.DataFrame(SUMMARY).assign(r3_verdict=r3_verdicts)
    row = report.guidance_claim(_pairs(), summary)
    assert row["verdict"] == overall
    assert row["this run"] == (
        "best pair d1 conv k=8 g=0.1 (seed 2): test reconstruction +3.0%, train -1.0%, linear "
        f"probe 30.0% → 52.0%; over seeds and test images, of 3 pairs {counts} (within ±5% "
        "test reconstruction loss and ≥ 10 points apart, every 95% interval on one side)"
    )


def test_r3_markdown_one_exact_line_per_pair():
    text = report.r3_markdown(pd.DataFrame(SUMMARY))
    lines = text.splitlines()
    assert lines[0] == "## R3 per pair: guided against unguided, over seeds and test images"
    assert lines[-3:] == [
        "| d1 | conv | 8 | 0.1 | 3 | +3.0 | [+1.0, +4.5] | [+2.0, +4.0] | +22.0 | [+15.0, +29.0] "
        "| [+18.0, +26.0] | **holds** | reconstruction holds (both intervals lie within ±5%); "
        "probe gain holds (both intervals lie beyond ±10 points) |",
        "| d1 | conv | 32 | 0.1 | 1 | +20.0 | — | [+15.0, +25.0] | +40.0 | — | [+33.0, +47.0] "
        "| **does not hold** | reconstruction does not hold (the interval lies outside ±5%); "
        "probe gain holds (the interval lies beyond ±10 points) |",
        "| d2 | conv | 8 | 0.1 | 2 | -4.0 | [-9.0, +1.0] | [-5.0, -3.0] | -15.0 | [-30.0, +0.0] "
        "| [-20.0, -10.0] | **inconclusive** | reconstruction inconclusive (both intervals "
        "contain ±5%); probe gain inconclusive (the interval over seeds contains ±10 points) |",
    ]


# --- convergence_markdown -------------------------------------------------------------


def _run(side, seed, rise, start, final, rising, augment=False, fraction=0.9):
    return dict(
        dataset="a",
        side=side,
        fraction=fraction,
        augment=augment,
        seed=seed,
        late_accuracy_rise=rise,
        late_rise_from=start,
        final_epoch=final,
        still_rising=rising,
    )


def test_convergence_lists_exactly_the_flagged_runs():
    subspace = pd.DataFrame(
        [
            _run("top", 0, 0.034, 4, 6, True),
            _run("bottom", 2, 0.0101, 4, 6, False, augment=True, fraction=0.2),  # rounded off
            _run("top", 1, np.nan, None, 1, None),
        ]
    )
    guidance = pd.DataFrame(
        [
            dict(
                dataset="a",
                arch="conv",
                latent=8,
                guidance=0.05,
                seed=0,
                late_accuracy_rise=0.021,
                late_rise_from=9,
                final_epoch=12,
                still_rising=True,
            ),  # fmt: skip
            dict(
                dataset="a",
                arch="conv",
                latent=8,
                guidance=0.0,
                seed=0,
                late_accuracy_rise=-0.2,
                late_rise_from=9,
                final_epoch=12,
                still_rising=False,
            ),  # fmt: skip
        ]
    )
    text = report.convergence_markdown(subspace, guidance)
    assert text.split("\n\n")[2:] == [
        "2 of 5 runs flagged:",
        "- subspace a top 0.9 noaug seed 0: +3.4 points from epoch 4 to 6\n"
        "- guidance a conv k=8 g=0.05 seed 0: linear probe +2.1 points from epoch 9 to 12",
        "1 run too short to judge (no recorded epoch before the last fifth).\n",
    ]
    assert "rose by more than 1 point over the last 1/5 of its epochs" in text


def test_convergence_with_nothing_flagged():
    text = report.convergence_markdown(pd.DataFrame([_run("top", 0, 0.01, 8, 10, False)]))
    assert text.endswith("\n0 of 1 runs flagged.\n")
