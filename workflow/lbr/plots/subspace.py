"""Figures of the subspace stage (workflow/rules/subspace.smk): Fig. 4's accuracy against
the variance kept, Fig. 1 (top)'s headline pair with its intervals and curves."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd

from .. import paper
from ..r1_prediction import headline_accuracies, headline_runs_of, headline_seeds
from ..train.convergence import STILL_RISING
from .style import (
    GRID,
    LABEL_SIZE,
    SHADE,
    SIDE_COLOURS,
    SMALL_SIZE,
    TITLE_SIZE,
    draw_intervals,
    drawn_interval_handles,
)

# Inches: one Fig. 4 panel per dataset; one headline bar pair per dataset beside a margin;
# one curves panel per dataset under the bars.
_PANEL = (3.6, 3.2)
_BARS = (1.6, 2.0, 3.2)  # width per dataset, margin, height
_CURVES = (3.2, 6.8)  # width per dataset, height of both rows
_BAR_WIDTH = 0.38  # of the space between two datasets' ticks
# One seed's accuracy on its bar, and a run still rising at its end: drawn above the rest,
# in the plot and its legend alike.
_SEED_DOT = dict(ls="", marker="o", ms=3, mfc="white", mec="black", mew=0.7, zorder=5)
_RISING = dict(ls="", marker="^", ms=9, mfc="none", mec="black", zorder=5)


def subspace_figure(table: pd.DataFrame):
    """Fig. 4: test accuracy against the variance fraction kept, top (red) vs bottom (blue),
    one panel per dataset; dashed lines with augmentation."""
    runs = table[table["side"].isin(["top", "bottom"])]
    datasets = list(dict.fromkeys(runs["dataset"]))
    figure, axes = plt.subplots(
        1, len(datasets), figsize=(_PANEL[0] * len(datasets), _PANEL[1]), squeeze=False
    )
    for axis, dataset in zip(axes[0], datasets):
        for (side, augment), group in runs[runs["dataset"] == dataset].groupby(["side", "augment"]):
            mean = (
                group.groupby("fraction")[["final_test_accuracy", "variance_fraction"]]
                .mean()
                .reset_index()
            )
            axis.plot(
                100 * mean["variance_fraction"],
                100 * mean["final_test_accuracy"],
                marker="o",
                color=SIDE_COLOURS[side],
                ls="--" if augment else "-",
                label=f"{side}{' + aug' if augment else ''}",
            )
        axis.set_title(dataset)
        axis.set_xlabel("variance kept (%)")
        axis.grid(**GRID)
    axes[0][0].set_ylabel("test accuracy (%)")
    axes[0][-1].legend(fontsize=LABEL_SIZE)
    return figure


def headline_figure(
    table: pd.DataFrame,
    headline: dict,
    verdicts: pd.DataFrame | None = None,
    curves: pd.DataFrame | None = None,
):
    """Fig. 1 (top): accuracy with the top subspace of `headline['top']` of the variance
    against the bottom subspace of `headline['bottom']`, per dataset (the runs the R1
    verdicts use: without augmentation when there are such runs): bars are the mean over
    seeds, dots the seeds; with `verdicts` (r1_verdicts), the 95% intervals of each mean.
    With `curves` (subspace_curves_table), a second row: each headline run's test accuracy
    per epoch, the last fifth of training shaded and runs still rising there marked."""
    datasets = list(dict.fromkeys(table["dataset"]))
    accuracies = headline_accuracies(table, headline).reindex(datasets)
    bars_width = _BARS[0] * len(datasets) + _BARS[1]
    if curves is None:
        figure, axis = plt.subplots(figsize=(bars_width, _BARS[2]))
    else:
        width = max(bars_width, _CURVES[0] * len(datasets))
        figure = plt.figure(figsize=(width, _CURVES[1]), layout="constrained")
        grid = figure.add_gridspec(2, len(datasets))
        axis = figure.add_subplot(grid[0, :])
    seeds = headline_seeds(table, headline)
    rows = None if verdicts is None else verdicts.set_index("dataset")
    for offset, side in enumerate(("top", "bottom")):
        centres = np.arange(len(datasets)) + (offset - 0.5) * _BAR_WIDTH
        bars = axis.bar(
            centres,
            100 * accuracies[f"{side}_accuracy"],
            _BAR_WIDTH,
            color=SIDE_COLOURS[side],
            label=f"{side} {100 * headline[side]:.0f}% of variance",
        )
        axis.bar_label(bars, fmt="%.1f", fontsize=LABEL_SIZE, label_type="center", color="white")
        for centre, dataset in zip(centres, datasets):
            values = seeds.loc[seeds["dataset"] == dataset, f"{side}_accuracy"]
            if len(values) > 1:
                axis.plot(np.full(len(values), centre), 100 * values, **_SEED_DOT)
            if rows is not None and dataset in rows.index:
                draw_intervals(axis, centre, rows.loc[dataset], f"{side}_accuracy")
    axis.set_xticks(np.arange(len(datasets)), datasets)
    axis.set_ylabel("test accuracy (%)")
    handles, _ = axis.get_legend_handles_labels()
    if rows is not None:
        handles += drawn_interval_handles(rows, ["top_accuracy", "bottom_accuracy"], paired=False)
    if seeds.groupby("dataset").size().max() > 1 if len(seeds) else False:
        handles.append(matplotlib.lines.Line2D([], [], label="one seed", **_SEED_DOT))
    axis.legend(
        handles=handles,
        fontsize=LABEL_SIZE,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncols=2,
    )
    augmented = " (with augmentation)" if table["augment"].all() else ""
    count = seeds.groupby("dataset").size()
    seed_note = ""
    if len(count):
        low, high = int(count.min()), int(count.max())
        seed_note = (
            ", one seed"
            if high == 1
            else (f", mean of {low} seeds" if low == high else f", mean of {low}–{high} seeds")
        )
    axis.set_title(
        f"This run{augmented}{seed_note}.\nPaper, {paper.headline_text()}", fontsize=TITLE_SIZE
    )
    if curves is not None:
        for column, dataset in enumerate(datasets):
            _headline_curves(figure.add_subplot(grid[1, column]), table, curves, headline, dataset)
    return figure


def _headline_curves(axis, table, curves, headline, dataset) -> None:
    """One dataset's headline runs: test accuracy per epoch, one line per side and seed;
    the last fifth of training shaded, runs still rising there marked ▲."""
    runs = headline_runs_of(table, headline)
    runs = runs[runs["dataset"] == dataset]
    flagged = False
    window = None
    for run in runs.to_dict("records"):
        mine = curves[
            (curves["dataset"] == dataset)
            & (curves["side"] == run["side"])
            & np.isclose(curves["fraction"], run["fraction"])
            & (curves["augment"] == run["augment"])
            & (curves["seed"] == run["seed"])
        ].sort_values("epoch")
        axis.plot(
            mine["epoch"], 100 * mine["test_accuracy"], color=SIDE_COLOURS[run["side"]], marker="."
        )
        rising = run.get("still_rising")
        if rising is not None and not pd.isna(rising) and bool(rising):
            flagged = True
            last = mine.iloc[-1]
            axis.plot([last["epoch"]], [100 * last["test_accuracy"]], **_RISING)
        start = run.get("late_rise_from")
        if start is not None and not pd.isna(start):
            window = (float(start), float(run["final_epoch"]))
    if window is not None:
        axis.axvspan(*window, color="grey", **SHADE)
    axis.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axis.set_xlabel("epoch")
    axis.set_ylabel("test accuracy (%)")
    axis.grid(**GRID)
    seeds = runs["seed"].nunique()
    handles = [
        matplotlib.lines.Line2D([], [], color=SIDE_COLOURS[side], marker=".", label=side)
        for side in ("top", "bottom")
    ]
    if flagged:
        handles.append(
            matplotlib.lines.Line2D(
                [], [], label=f"still rising (> {100 * STILL_RISING:g} point)", **_RISING
            )
        )
    axis.legend(handles=handles, fontsize=SMALL_SIZE, loc="lower right")
    shade = "shaded: the last fifth of training" if window is not None else "run too short"
    axis.set_title(
        f"{dataset}: test accuracy per epoch, {seeds} seed{'s' if seeds != 1 else ''} a "
        f"side\n{shade}; ▲ rose > {100 * STILL_RISING:g} point there",
        fontsize=LABEL_SIZE,
    )
