"""Figures of the report stage (workflow/rules/report.smk): R1's prediction from the
closed form against the training outcome."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..r1_prediction import (
    AGREES,
    BOTTOM_WINS,
    DISAGREES,
    HIGH_ALIGNMENT,
    NOT_TRAINED,
    PREDICTOR_K,
    TOP_WINS,
    rank_relation,
)
from ..stats import RANK_ALPHA
from .style import (
    GRID,
    LABEL_SIZE,
    REFERENCE,
    SHADE,
    SIDE_COLOURS,
    TITLE_SIZE,
    ZERO_LINE,
    draw_intervals,
    drawn_interval_handles,
)

_READING_COLOURS = {AGREES: "tab:green", DISAGREES: "black"}
_UNDECIDED_COLOUR = "tab:orange"
_FIGURE_SIZE = (11.5, 4.6)  # inches, both readings side by side
# The gap axis spans at least ±_MIN_SPAN points, else the largest gap or interval end
# with _ROOM to spare.
_MIN_SPAN, _ROOM = 5.0, 1.15
# Two datasets closer than this in alignment get their labels on either side of their
# points (above the higher, below the lower): a label is about this wide at fontsize 7.
_LABEL_WIDTH = 0.3


def _label_above(alignments: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """Whether each point's label goes above it: unless a point within _LABEL_WIDTH in
    alignment lies higher (ties: the later one), whose label then takes the place above."""
    above = []
    for i, (x, y) in enumerate(zip(alignments, gaps)):
        near = np.abs(alignments - x) < _LABEL_WIDTH
        higher = (gaps > y) | ((gaps == y) & (np.arange(len(gaps)) > i))
        above.append(not np.any(near & higher))
    return np.array(above, dtype=bool)


def _gap_span(trained: pd.DataFrame) -> float:
    """Half the y range of the R1 panels: the largest gap or interval end, with room."""
    columns = ["bottom_minus_top"] + [
        f"bottom_minus_top_{kind}_{end}"
        for kind in ("seeds", "bootstrap")
        for end in ("low", "high")
        if f"bottom_minus_top_{kind}_{end}" in trained
    ]
    values = 100 * trained[columns].to_numpy(dtype=np.float64)
    largest = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
    return max(_MIN_SPAN, _ROOM * largest)


def r1_prediction_figure(verdicts: pd.DataFrame, headline: dict):
    """R1 from training, per trained dataset: x = the closed-form alignment at
    PREDICTOR_K, y = bottom minus top accuracy of the headline pair (mean over seeds) with
    its 95% intervals. Left, the main reading: the rank relation across datasets (Kendall's
    τ, exact permutation p; the paper predicts τ < 0). Right, the secondary reading: the
    threshold HIGH_ALIGNMENT, shaded where outcome and prediction agree, each dataset
    coloured by its three-valued verdict."""
    trained = verdicts[verdicts["outcome"] != NOT_TRAINED]
    alignment = f"alignment_k{PREDICTOR_K}"
    span = _gap_span(trained)
    figure, (main, secondary) = plt.subplots(1, 2, figsize=_FIGURE_SIZE, layout="constrained")
    rank = rank_relation(verdicts)
    above = _label_above(
        trained[alignment].to_numpy(dtype=np.float64),
        trained["bottom_minus_top"].to_numpy(dtype=np.float64),
    )
    for axis in (main, secondary):
        axis.axhline(0, **ZERO_LINE)
        for row, on_top in zip(trained.to_dict("records"), above):
            x, gap = row[alignment], 100 * row["bottom_minus_top"]
            draw_intervals(axis, x, row, "bottom_minus_top")
            if axis is main:
                colour = "black"
            else:
                colour = _READING_COLOURS.get(row["threshold_verdict"], _UNDECIDED_COLOUR)
            axis.scatter(x, gap, color=colour, zorder=5)
            axis.annotate(
                f"{row['dataset']} (D={row['dimension']})",
                (x, gap),
                xytext=(5, 4 if on_top else -4),
                textcoords="offset points",
                va="bottom" if on_top else "top",
                fontsize=LABEL_SIZE,
            )
        axis.set_xlim(0, 1)
        axis.set_ylim(-span, span)
        axis.set_xlabel(f"closed-form alignment at K={PREDICTOR_K} (Eq. 7, fraction)")
        axis.grid(**GRID)
    for axis in (main, secondary):
        axis.set_ylabel(
            f"bottom {100 * headline['bottom']:.0f}% − top {100 * headline['top']:.0f}%\n"
            "test accuracy (points), mean over seeds"
        )
    tau = "undefined" if np.isnan(rank["tau"]) else f"{rank['tau']:+.2f}"
    if np.isnan(rank["p_negative"]):
        detail = f"{rank['reason']}"
    else:
        detail = f"exact one-sided p = {rank['p_negative']:.3g} (level {RANK_ALPHA})"
        if 1 / rank["orderings"] > RANK_ALPHA:
            detail += (
                f"; {rank['datasets']} datasets cannot reach it (min p = 1/{rank['datasets']}!)"
            )
    main.set_title(
        "Main reading: rank relation across datasets (the paper predicts τ < 0)\n"
        f"Kendall τ = {tau} over {rank['datasets']} datasets → {rank['verdict']}\n{detail}",
        fontsize=TITLE_SIZE,
    )
    gap_handles = drawn_interval_handles(trained, ["bottom_minus_top"], paired=True)
    if gap_handles:
        main.legend(handles=gap_handles, fontsize=LABEL_SIZE, loc="lower left")
    # Where the prediction is that the bottom (top) side wins, in that side's colour.
    bottom, top = SIDE_COLOURS["bottom"], SIDE_COLOURS["top"]
    secondary.axvspan(0, HIGH_ALIGNMENT, ymin=0.5, ymax=1, color=bottom, **SHADE)
    secondary.axvspan(HIGH_ALIGNMENT, 1, ymin=0, ymax=0.5, color=top, **SHADE)
    secondary.axvline(HIGH_ALIGNMENT, ls="--", **REFERENCE)
    secondary.text(
        0.02, 0.97 * span, f"predicted: {BOTTOM_WINS}", color=bottom, va="top", fontsize=TITLE_SIZE
    )
    secondary.text(
        0.98, -0.97 * span, f"predicted: {TOP_WINS}", color=top, ha="right", fontsize=TITLE_SIZE
    )
    missing = verdicts[verdicts["outcome"] == NOT_TRAINED]["dataset"].tolist()
    note = f"\nnot trained: {', '.join(missing)}" if missing else ""
    secondary.set_title(
        f"Secondary reading: alignment threshold {HIGH_ALIGNMENT}\n(shaded: where the "
        f"outcome would agree with the prediction){note}",
        fontsize=TITLE_SIZE,
    )
    verdict_handles = [
        matplotlib.lines.Line2D([], [], ls="", marker="o", color=colour, label=label)
        for colour, label in (
            (_READING_COLOURS[AGREES], "agrees"),
            (_READING_COLOURS[DISAGREES], "disagrees"),
            (_UNDECIDED_COLOUR, "inconclusive (an interval contains 0)"),
        )
    ]
    secondary.legend(handles=verdict_handles + gap_handles, fontsize=LABEL_SIZE, loc="lower left")
    return figure
