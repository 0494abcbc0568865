"""What the figures share: their look (colours, text sizes, grid), saving, and how a 95%
interval is drawn and named."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..atomic import atomic_path

# The figures' look, written once: a figure function takes its colours, text sizes and
# line weights from here, never from a literal of its own. (Module constants: the mutation
# tests do not vary them; tests/plots check that the figures use them.)
# The top variance subspace is red and the bottom blue in every figure (as the paper).
SIDE_COLOURS = {"top": "tab:red", "bottom": "tab:blue"}
TITLE_SIZE = 8  # panel titles and suptitles that carry a sentence, region notes
LABEL_SIZE = 7  # legends, point and bar labels, image titles
SMALL_SIZE = 6  # legends and tick labels of crowded panels, image row labels
GRID = {"alpha": 0.3}
FINE_GRID = {"alpha": 0.3, "which": "both", "lw": 0.3}  # log-log panels: minor lines too
# A line that is a reference (zero, a threshold), not data.
REFERENCE = {"color": "grey", "lw": 0.8}
ZERO_LINE = {"color": "black", "lw": 0.6}
SHADE = {"alpha": 0.12, "lw": 0}  # a region, behind the data
DPI = 150


def save_figure(figure, png_path: str | Path, pdf_path: str | Path | None = None) -> None:
    for path, kind in ((png_path, "png"), (pdf_path, "pdf")):
        if path is None:
            continue
        with atomic_path(path) as tmp:
            figure.savefig(tmp, format=kind, dpi=DPI, bbox_inches="tight")
    plt.close(figure)


# How the two 95% intervals are drawn wherever an accuracy or a gap carries them: over
# seeds (t) as a thin bar with caps, over test images (paired bootstrap) as a broad pale bar.
_SEEDS_STYLE = dict(fmt="none", ecolor="black", elinewidth=1.0, capsize=3, zorder=4)
_BOOTSTRAP_STYLE = dict(fmt="none", ecolor="black", elinewidth=5, alpha=0.25, zorder=3)


def _interval_handles(paired: bool) -> list:
    bootstrap = "paired bootstrap" if paired else "bootstrap"
    return [
        matplotlib.lines.Line2D(
            [], [], color=_SEEDS_STYLE["ecolor"], lw=_SEEDS_STYLE["elinewidth"], marker="_",
            markersize=2 * _SEEDS_STYLE["capsize"], label="95% t-interval over seeds",
        ),
        matplotlib.lines.Line2D(
            [], [], color=_BOOTSTRAP_STYLE["ecolor"], lw=_BOOTSTRAP_STYLE["elinewidth"],
            alpha=_BOOTSTRAP_STYLE["alpha"], label=f"95% {bootstrap} over test images",
        ),
    ]  # fmt: skip


def drawn_interval_handles(table: pd.DataFrame, prefixes: list[str], paired: bool) -> list:
    """Legend entries of the interval kinds that `table` has for any of `prefixes`."""
    drawn = [
        any(table[f"{p}_{kind}_low"].notna().any() for p in prefixes)
        for kind in ("seeds", "bootstrap")
    ]
    return [h for h, shown in zip(_interval_handles(paired), drawn) if shown]


def draw_intervals(axis, x, row, prefix: str) -> None:
    """Both intervals of `prefix` in a verdicts row (lbr.stats.interval_columns), in
    points, at x; an absent interval (nan) is not drawn."""
    centre = 100 * row[prefix]
    for kind, style in (("bootstrap", _BOOTSTRAP_STYLE), ("seeds", _SEEDS_STYLE)):
        low, high = row[f"{prefix}_{kind}_low"], row[f"{prefix}_{kind}_high"]
        if np.isnan(low) or np.isnan(high):
            continue
        error = [[centre - 100 * low], [100 * high - centre]]
        axis.errorbar([x], [centre], yerr=np.maximum(error, 0), **style)
