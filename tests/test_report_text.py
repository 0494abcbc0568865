"""The report's sentences and appendices (lbr/report.py) compared whole, on hand-made
tables: what a reader sees when a table lacks an interval, a seed count or a flag, the
"still rising" column of R1's table, the convergence appendix, the warnings, and the
boundary cases of the verdicts (a margin on an interval's end, two datasets, one pair).
Each expected string is written out by hand from the table it is built from."""

import numpy as np
import pandas as pd
import pytest
from lbr import report
from lbr.r1_prediction import (
    AGREES,
    BOTTOM_BETTER,
    BOTTOM_WINS,
    DISAGREES,
    TOP_BETTER,
    TOP_WINS,
)
from lbr.stats import FAILS, HOLDS, INCONCLUSIVE, interval_columns

# --- interval_text and _why: a difference and why its verdict came out ---------------


def _difference(mean, over_seeds=None, over_images=None, **counts):
    return {"gap": mean, **interval_columns("gap", over_seeds, over_images), **counts}


@pytest.mark.parametrize(
    "row, text",
    [
        (
            _difference(0.018, (-0.005, 0.041), (0.002, 0.034), seeds=3, test_size=899),
            "+1.8 points; 95% t over 3 seeds [-0.5, +4.1], paired bootstrap over 899 test "
            "images [+0.2, +3.4]",
        ),
        # a table without the counts: no number is made up for them
        (
            _difference(-0.25, None, (-0.3, -0.2)),
            "-25.0 points; no interval over seeds (0 seeds), paired bootstrap over test images "
            "[-30.0, -20.0]",
        ),
        (
            _difference(0.5, None, None, seeds=1, test_size=40),
            "+50.0 points; no interval over seeds (1 seed), no bootstrap (no per-image results)",
        ),
        (
            _difference(0.07, None, None, seeds=2, test_size=0),
            "+7.0 points; no interval over seeds (2 seeds), no bootstrap (no per-image results)",
        ),
    ],
)
def test_interval_text_says_what_each_interval_rests_on(row, text):
    assert report.interval_text(row, "gap") == text


def test_interval_text_with_another_unit():
    row = _difference(0.031, (0.01, 0.05), None, seeds=4, test_size=10)
    assert report.interval_text(row, "gap", unit="%") == (
        "+3.1%; 95% t over 4 seeds [+1.0, +5.0], no bootstrap (no per-image results)"
    )


@pytest.mark.parametrize(
    "seeds, bootstrap, side, why",
    [
        (None, None, "above 0", "no interval"),
        ((0.01, 0.03), (0.02, 0.04), "above 0", "both intervals lie above 0"),
        (None, (0.02, 0.04), "above 0", "the interval lies above 0"),
        # a margin on an interval's end counts as inside it: the interval does not exclude it
        ((-0.02, 0.0), (0.01, 0.03), "above 0", "the interval over seeds contains 0"),
        ((0.01, 0.03), (0.0, 0.02), "above 0", "the interval over test images contains 0"),
        ((-0.01, 0.01), (0.0, 0.02), None, "both intervals contain 0"),
        ((-0.03, -0.01), (0.01, 0.03), None, "the intervals lie on different sides"),
    ],
)
def test_why_names_the_interval_that_decides(seeds, bootstrap, side, why):
    assert report._why(_difference(0.01, seeds, bootstrap), "gap", [0.0], "0", side) == why


# --- R1's table: the "still rising" column (_rising_headline) -------------------------


def _trained(dataset, alignment, top, bottom, outcome, reading):
    return dict(
        dataset=dataset,
        dimension=64,
        alignment_k10=alignment / 2,
        alignment_k32=alignment,
        predicted=TOP_WINS if alignment >= 0.9 else BOTTOM_WINS,
        top_accuracy=top,
        bottom_accuracy=bottom,
        bottom_minus_top=bottom - top,
        seeds=2,
        test_size=100,
        outcome=outcome,
        threshold_verdict=reading,
        **interval_columns("bottom_minus_top", (bottom - top - 0.01, bottom - top + 0.01), None),
    )


VERDICTS = pd.DataFrame(
    [
        _trained("a", 0.95, 0.9, 0.5, TOP_BETTER, AGREES),
        _trained("b", 0.3, 0.6, 0.7, BOTTOM_BETTER, AGREES),
        _trained("c", 0.5, 0.7, 0.6, TOP_BETTER, DISAGREES),
    ]
)
HEADLINE = {"top": 0.75, "bottom": 0.25}


def _subspace_run(dataset, side, fraction, seed, rising, augment=False):
    return dict(dataset=dataset, side=side, fraction=fraction, seed=seed, augment=augment,
                still_rising=rising)  # fmt: skip


def _subspace_runs():
    """Flags on headline and other runs: only a dataset's own flagged headline runs
    without augmentation belong in its cell."""
    return pd.DataFrame(
        [
            _subspace_run("a", "top", 0.75, 0, True),
            _subspace_run("a", "top", 0.75, 1, False),
            _subspace_run("a", "bottom", 0.25, 0, None),  # too short to judge
            _subspace_run("a", "bottom", 0.25, 1, True),
            _subspace_run("a", "top", 0.5, 0, True),  # not a headline fraction
            _subspace_run("a", "bottom", 0.25, 2, True, augment=True),  # augmented
            _subspace_run("b", "top", 0.75, 0, False),
            _subspace_run("b", "bottom", 0.25, 0, np.nan),  # read back from parquet
            _subspace_run("c", "bottom", 0.75, 0, True),  # the top's fraction on the bottom
            _subspace_run("c", "top", 0.25, 3, True),  # the bottom's fraction on the top
            _subspace_run("c", "bottom", 0.25, 3, True),
        ]
    )


def _rising_column(text):
    rows = [line for line in text.splitlines() if line.startswith("| ") and " | 64 | " in line]
    return {row.split(" | ")[0][2:]: row.rstrip(" |").rsplit(" | ", 1)[1] for row in rows}


def test_r1_table_lists_each_datasets_own_flagged_headline_runs():
    text = report.r1_markdown(VERDICTS, HEADLINE, _subspace_runs())
    assert _rising_column(text) == {"a": "top s0, bottom s1", "b": "none", "c": "bottom s3"}


def test_r1_table_without_flags_says_so():
    assert set(_rising_column(report.r1_markdown(VERDICTS, HEADLINE)).values()) == {"n/a"}
    unflagged = _subspace_runs().drop(columns="still_rising")
    assert set(_rising_column(report.r1_markdown(VERDICTS, HEADLINE, unflagged)).values()) == {
        "n/a"
    }


def test_r1_markdown_whole_text():
    text = report.r1_markdown(VERDICTS, HEADLINE, _subspace_runs())
    # by alignment: b (+10.0), c (−10.0), a (−40.0): every pair discordant, τ = −1
    assert text == (
        "## R1 per dataset: the paper's prediction against training\n"
        "\n"
        "**Main reading (no threshold).** Kendall τ between the alignment at K=32 and bottom − "
        "top over 3 trained datasets: τ = -1.00; the paper predicts a negative relation, "
        "judged by an exact permutation test at 0.05 (one-sided): **inconclusive** (p = 0.167 > "
        "0.05 for a negative relation; with 3 datasets no ordering can reach 0.05 (the "
        "smallest exact p-value is 1/3! = 0.167)).\n"
        "\n"
        "**Secondary reading (threshold).** Prediction (Fig. 4's caption): alignment at K=32 "
        "≥ 0.9 (well aligned, no background) → top ≥ bottom; below → bottom ≥ top, the bottom "
        "subspace holding 25% of the variance against the top's 75%. The paper gives no number "
        "for 'well aligned': the threshold is this project's (docs/claims.md). The outcome is "
        "decided only where every 95% interval of bottom − top excludes 0 (t over seeds, none "
        "with one seed; paired bootstrap over the test images); otherwise it is inconclusive.\n"
        "\n"
        "| dataset | D | alignment at K=10, K=32 | predicted | seeds | top 75% | bottom 25% "
        "| bottom − top (points) | 95% t over seeds | 95% bootstrap over test images "
        "| outcome | threshold reading | still rising |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        "| a | 64 | 0.475, 0.950 | top ≥ bottom | 2 | 90.0% | 50.0% | -40.0 | [-41.0, -39.0] "
        "| — | top > bottom | agrees | top s0, bottom s1 |\n"
        "| b | 64 | 0.150, 0.300 | bottom ≥ top | 2 | 60.0% | 70.0% | +10.0 | [+9.0, +11.0] "
        "| — | bottom > top | agrees | none |\n"
        "| c | 64 | 0.250, 0.500 | bottom ≥ top | 2 | 70.0% | 60.0% | -10.0 | [-11.0, -9.0] "
        "| — | top > bottom | **disagrees** | bottom s3 |\n"
    )


def test_r1_with_one_trained_dataset_has_no_tau():
    one = VERDICTS.iloc[[0]].reset_index(drop=True)
    assert "τ = undefined;" in report.r1_markdown(one, HEADLINE)
    assert ": τ = undefined; " in report.r1_rank_claim(one)["this run"]


def test_r1_secondary_rows_say_on_which_side_the_intervals_lie():
    rows = report.subspace_claims(VERDICTS, {"top": 0.8, "bottom": 0.6})
    assert [r["this run"].rsplit(" → ", 1)[1] for r in rows] == [
        "top > bottom (the interval lies below 0)",
        "bottom > top (the interval lies above 0)",
        "top > bottom (the interval lies below 0)",
    ]
    # the configured fractions, to the percent (60.6 would print as 61)
    assert "; top 80% → 90.0%, bottom 60% → 50.0%; " in rows[0]["this run"]
    assert [r["verdict"] for r in rows] == [HOLDS, HOLDS, FAILS]


# --- the convergence appendix ---------------------------------------------------------


def _flag(side, seed, rise, start, final, rising, augment=False, fraction=0.9):
    return dict(dataset="d", side=side, fraction=fraction, augment=augment, seed=seed,
                late_accuracy_rise=rise, late_rise_from=start, final_epoch=final,
                still_rising=rising)  # fmt: skip


CONVERGENCE_HEAD = (
    "## Convergence: runs still rising at the end\n"
    "\n"
    "A run is listed when its test accuracy (subspace runs: the classifier's; R3 runs: the "
    "linear probe's) rose by more than 1 point over the last 1/5 of its epochs (from the last "
    "recorded epoch at or before 4/5 of training to the end). A verdict resting on such a "
    "run may change with longer training.\n"
    "\n"
)


def test_convergence_appendix_whole_text():
    subspace = pd.DataFrame(
        [
            _flag("bottom", 1, 0.052, 16, 20, True, augment=True, fraction=0.25),
            _flag("top", 0, np.nan, None, 1, None),
            _flag("top", 2, np.nan, None, 1, np.nan),
            _flag("top", 3, 0.0, 4, 5, False),
        ]
    )
    guidance = pd.DataFrame(
        [
            dict(
                dataset="d",
                arch="mlp",
                latent=4,
                guidance=0.5,
                seed=1,
                late_accuracy_rise=0.004,
                late_rise_from=8,
                final_epoch=10,
                still_rising=False,
            ),
        ]
    )
    assert report.convergence_markdown(subspace, guidance) == CONVERGENCE_HEAD + (
        "1 of 5 runs flagged:\n"
        "\n"
        "- subspace d bottom 0.25 aug seed 1: +5.2 points from epoch 16 to 20\n"
        "\n"
        "2 runs too short to judge (no recorded epoch before the last fifth).\n"
    )


def test_convergence_appendix_of_tables_without_flags():
    """Tables written without the convergence columns: nothing is flagged or unjudged."""
    subspace = pd.DataFrame([_flag("top", 0, 0.5, 4, 5, True)]).drop(columns="still_rising")
    guidance = pd.DataFrame([dict(dataset="d", arch="mlp", latent=4, guidance=0.5, seed=0)])
    assert report.convergence_markdown(subspace, guidance) == (
        CONVERGENCE_HEAD + "0 of 2 runs flagged.\n"
    )


def test_convergence_appendix_one_unjudged_run():
    subspace = pd.DataFrame([_flag("top", 0, np.nan, None, 1, None)])
    assert report.convergence_markdown(subspace).endswith(
        "0 of 1 runs flagged.\n\n1 run too short to judge (no recorded epoch before the last "
        "fifth).\n"
    )


# --- the report's frame ---------------------------------------------------------------


def test_the_report_without_a_preamble_or_appendix():
    row = {"claim": "c", "paper": "p", "this run": "t", "verdict": "holds", "figure": "f"}
    assert report.reproduction_markdown([row]) == (
        "# Reproduction report\n\n\n\n| claim | paper | this run | verdict | figure |\n"
        "|---|---|---|---|---|\n| c | p | t | **holds** | `f` |\n"
    )


# --- warnings -------------------------------------------------------------------------


def test_warnings_section_lists_each_warning():
    assert report.warnings_markdown([]) == ""
    assert report.warnings_markdown(["one class is empty", "a | b"]) == (
        "## Warnings\n\n- one class is empty\n- a | b\n"
    )


# --- R3 over seeds: one pair, and the table's header -----------------------------------


def _pair_summary(verdicts):
    rows = []
    for i, verdict in enumerate(verdicts):
        row = dict(dataset="d", arch="conv", latent=8 * (i + 1), guidance=0.1, seeds=3,
                   reconstruction_gap=0.01, linear_probe_gain=0.2,
                   reconstruction_verdict=HOLDS, probe_verdict=verdict, r3_verdict=verdict)  # fmt: skip
        row.update(interval_columns("reconstruction_gap", (0.0, 0.02), (0.005, 0.015)))
        row.update(interval_columns("linear_probe_gain", (0.05, 0.35), (0.15, 0.25)))
        rows.append(row)
    return pd.DataFrame(rows)


PAIRS = pd.DataFrame(
    [
        dict(
            dataset="d",
            arch="conv",
            latent=8,
            guidance=0.1,
            seed=0,
            reconstruction_gap=0.5,
            train_reconstruction_gap=-0.5,
            linear_probe_accuracy_unguided=0.3,
            linear_probe_accuracy=0.45,
            linear_probe_gain=0.15,
            r3_holds=False,
        ),
    ]
)


@pytest.mark.parametrize(
    "verdicts, overall, counts",
    [
        ([INCONCLUSIVE], INCONCLUSIVE, "of 1 pair 0 hold, 1 inconclusive, 0 do not"),
        ([FAILS], FAILS, "of 1 pair 0 hold, 0 inconclusive, 1 do not"),
        ([HOLDS], HOLDS, "of 1 pair 1 hold, 0 inconclusive, 0 do not"),
        ([INCONCLUSIVE] * 2, INCONCLUSIVE, "of 2 pairs 0 hold, 2 inconclusive, 0 do not"),
        ([HOLDS, FAILS], HOLDS, "of 2 pairs 1 hold, 0 inconclusive, 1 do not"),
    ],
)
def test_guidance_claim_counts_pairs_over_seeds(verdicts, overall, counts):
    row = report.guidance_claim(PAIRS, _pair_summary(verdicts))
    assert row["verdict"] == overall
    assert row["this run"] == (
        "best pair d conv k=8 g=0.1 (seed 0): test reconstruction +50.0%, train -50.0%, "
        f"linear probe 30.0% → 45.0%; over seeds and test images, {counts} (within ±5% test "
        "reconstruction loss and ≥ 10 points apart, every 95% interval on one side)"
    )


def test_r3_table_header():
    text = report.r3_markdown(_pair_summary([HOLDS]))
    assert text.split("| d | conv |")[0] == (
        "## R3 per pair: guided against unguided, over seeds and test images\n"
        "\n"
        "A pair holds when every 95% interval of its relative test-reconstruction gap lies "
        "within ±5% and every interval of its linear-probe gain (guided − unguided) lies beyond "
        "±10 points; it does not hold when the intervals of either lie wholly on the other "
        "side; otherwise it is inconclusive (docs/claims.md).\n"
        "\n"
        "| dataset | arch | latent | weight | seeds | test reconstruction gap (%) "
        "| 95% t over seeds | 95% bootstrap | linear-probe gain (points) | 95% t over seeds "
        "| 95% bootstrap | verdict | why |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )


def test_convergence_appendix_counts_unjudged_runs_of_both_tables():
    """Unjudged R3 runs add to the subspace runs' count (1 + 2 here)."""
    subspace = pd.DataFrame([_flag("top", 0, np.nan, None, 1, None)])
    guidance = pd.DataFrame(
        [
            dict(dataset="d", arch="mlp", latent=4, guidance=0.5, seed=seed, still_rising=None)
            for seed in (0, 1)
        ]
    )
    assert report.convergence_markdown(subspace, guidance).endswith(
        "0 of 3 runs flagged.\n\n3 runs too short to judge (no recorded epoch before the last "
        "fifth).\n"
    )
