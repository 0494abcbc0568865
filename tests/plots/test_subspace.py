"""What the subspace figures draw (lbr/plots/subspace.py: Fig. 4, Fig. 1 top): made from
small hand-made tables, read back from the matplotlib artists and compared with the
columns the captions name. The tables hold runs the figures must leave out (the halves of
the dimensions, other fractions, augmented runs when plain ones exist) and several seeds
whose mean is what is drawn."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
from lbr import paper
from lbr.plots import style, subspace
from lbr.stats import interval_columns
from support import EPS, R1_HEADLINE, default_text_sizes, drawn_grid, drawn_texts, gamma, r1_runs
from support import drawn_error_bars as _bars

RED, BLUE = matplotlib.colors.to_rgba("tab:red"), matplotlib.colors.to_rgba("tab:blue")

# A seed mean drawn in points against 100 × the seed-1 value (the values are linear in the
# seed): each value, the seed-1 one here included, is ≤ 7 roundings of positive terms; the
# 3-term mean and ×100 add 4, the expectation's ×100 1: 7 + 4 + 7 + 1 roundings, within
# γ₁₉ relative (a wrong seed is a point away, a wrong run more).
SEED_MEAN = gamma(19)
# One rounding of a number of points (|x| ≤ 100) is within POINT / 2 (= u·100).
POINT = 100 * EPS


def _accuracy(dataset, side, fraction, augment, seed):
    """A distinct accuracy per run: which run a figure read shows in its value."""
    base = {"photos": 0.30, "digits": 0.60}[dataset] + (0.1 if side == "top" else 0.0)
    return base + fraction / 10 + 0.05 * augment + 0.01 * seed


def _variance(dataset, side, fraction, seed):
    return (
        (fraction if side == "top" else fraction / 2) + 0.001 * seed + 0.01 * (dataset == "digits")
    )


def _subspace_table():
    rows = []
    for dataset in ("photos", "digits"):  # panel order: as listed, not sorted
        for side, fraction in [
            (s, f) for s in ("top", "bottom") for f in (0.75, 0.2, 0.9, 0.25, 0.5)
        ] + [("top_dims", 0.5), ("bottom_dims", 0.5)]:
            for augment in (True, False):
                for seed in (0, 1, 2):
                    rows.append(
                        dict(
                            dataset=dataset,
                            side=side,
                            fraction=fraction,
                            augment=augment,
                            seed=seed,
                            final_test_accuracy=_accuracy(dataset, side, fraction, augment, seed),
                            variance_fraction=_variance(dataset, side, fraction, seed),
                            best_test_accuracy=0.99,
                        )
                    )
    # Runs of a dataset in any order, datasets in the config's order (photos first: the
    # figures keep that order, not the sorted one).
    table = pd.DataFrame(rows)
    return pd.concat(
        [
            group.sample(frac=1.0, random_state=2)
            for _, group in table.groupby("dataset", sort=False)
        ]
    ).reset_index(drop=True)


# --- Fig. 4: subspace_figure ----------------------------------------------------------


def test_subspace_figure_mean_over_seeds_per_fraction_in_order():
    table = _subspace_table()
    figure = subspace.subspace_figure(table)
    assert [axis.get_title() for axis in figure.axes] == ["photos", "digits"]
    fractions = np.array([0.2, 0.25, 0.5, 0.75, 0.9])
    for axis, dataset in zip(figure.axes, ("photos", "digits")):
        lines = {line.get_label(): line for line in axis.lines}
        assert sorted(lines) == ["bottom", "bottom + aug", "top", "top + aug"]
        for side in ("top", "bottom"):
            for augment in (False, True):
                line = lines[f"{side}{' + aug' if augment else ''}"]
                # mean over seeds 0, 1, 2 is the seed-1 value (accuracy and variance are
                # linear in the seed); sorted by fraction
                accuracy = [_accuracy(dataset, side, f, augment, 1) for f in fractions]
                variance = [_variance(dataset, side, f, 1) for f in fractions]
                x, y = line.get_xdata(), line.get_ydata()
                np.testing.assert_allclose(x, 100 * np.array(variance), rtol=SEED_MEAN, atol=0)
                np.testing.assert_allclose(y, 100 * np.array(accuracy), rtol=SEED_MEAN, atol=0)
                assert matplotlib.colors.to_rgba(line.get_color()) == (
                    RED if side == "top" else BLUE
                )
                assert line.get_linestyle() == ("--" if augment else "-")
                assert line.get_marker() == "o"
        assert axis.get_xlabel() == "variance kept (%)"
    assert figure.axes[0].get_ylabel() == "test accuracy (%)"
    assert figure.axes[-1].get_legend() is not None


# --- Fig. 1 top: headline_figure ------------------------------------------------------


@pytest.mark.parametrize("headline", [{"top": 0.9, "bottom": 0.2}, {"top": 0.75, "bottom": 0.25}])
def test_headline_figure_bars_are_the_plain_headline_runs(headline):
    table = _subspace_table()
    figure = subspace.headline_figure(table, headline)
    axis = figure.axes[0]
    bars = axis.patches
    assert len(bars) == 4  # top photos, top digits, bottom photos, bottom digits
    expected = [
        100 * _accuracy(dataset, side, headline[side], False, 1)
        for side in ("top", "bottom")
        for dataset in ("photos", "digits")
    ]
    heights = [b.get_height() for b in bars]
    np.testing.assert_allclose(heights, expected, rtol=SEED_MEAN, atol=0)
    centres = [b.get_x() + b.get_width() / 2 for b in bars]
    # the centre's addition, matplotlib's left edge, the test's + width/2 and the literal:
    # four roundings of numbers below 2, each ≤ EPS/2 (a wrong offset is ≥ 0.19 away)
    np.testing.assert_allclose(centres, [-0.19, 0.81, 0.19, 1.19], rtol=0, atol=2 * EPS)
    assert [b.get_facecolor() for b in bars] == [RED, RED, BLUE, BLUE]
    assert [t.get_text() for t in axis.texts] == [f"{h:.1f}" for h in expected]
    assert [t.get_text() for t in axis.get_xticklabels()] == ["photos", "digits"]
    assert [t.get_text() for t in axis.get_legend().get_texts()] == [
        f"top {100 * headline['top']:.0f}% of variance",
        f"bottom {100 * headline['bottom']:.0f}% of variance",
        "one seed",
    ]
    # the seeds as dots on their bar: the plain headline runs of seeds 0, 1, 2
    dots = [line for line in axis.lines if line.get_marker() == "o"]
    assert len(dots) == 4
    for line, centre, (side, dataset) in zip(
        dots,
        [-0.19, 0.81, 0.19, 1.19],
        [(s, d) for s in ("top", "bottom") for d in ("photos", "digits")],
    ):
        # the centre's one addition and the literal's rounding, each ≤ EPS/2 below 2
        np.testing.assert_allclose(line.get_xdata(), [centre] * 3, rtol=0, atol=EPS)
        seeds = [100 * _accuracy(dataset, side, headline[side], False, k) for k in (0, 1, 2)]
        # each seed's own value (a mean of one), × 100 as here: exact
        np.testing.assert_array_equal(sorted(line.get_ydata()), seeds)
    assert axis.get_ylabel() == "test accuracy (%)"
    assert axis.get_title() == f"This run, mean of 3 seeds.\nPaper, {paper.headline_text()}"


def test_headline_figure_of_augmented_runs_says_so():
    table = _subspace_table()
    figure = subspace.headline_figure(table[table["augment"]], {"top": 0.9, "bottom": 0.2})
    heights = [b.get_height() for b in figure.axes[0].patches]
    expected = [
        100 * _accuracy(d, s, f, True, 1)
        for s, f in (("top", 0.9), ("bottom", 0.2))
        for d in ("photos", "digits")
    ]
    np.testing.assert_allclose(heights, expected, rtol=SEED_MEAN, atol=0)
    assert (
        figure.axes[0]
        .get_title()
        .startswith("This run (with augmentation), mean of 3 seeds.\nPaper, ")
    )


def test_headline_figure_of_one_seed_says_so_and_draws_no_dots():
    table = _subspace_table()
    figure = subspace.headline_figure(table[table["seed"] == 2], {"top": 0.9, "bottom": 0.2})
    axis = figure.axes[0]
    assert axis.get_title().startswith("This run, one seed.\nPaper, ")
    assert not [line for line in axis.lines if line.get_marker() == "o"]
    assert "one seed" not in [t.get_text() for t in axis.get_legend().get_texts()]


def test_headline_figure_draws_the_runs_the_verdicts_use():
    """A run with augmented runs only (the tiny config) used to draw an empty Fig. 1 top."""
    runs = r1_runs({"a": (0.9, 0.4), "b": (0.5, 0.6)})
    augmented = runs[runs["augment"]]
    figure = subspace.headline_figure(augmented, R1_HEADLINE)
    heights = [bar.get_height() for bar in figure.axes[0].patches]
    np.testing.assert_allclose(heights, [90.0, 50.0, 70.0, 90.0])  # top a, b; bottom a, b


def _headline_verdicts():
    """Per dataset and side, intervals of the mean accuracy (over seeds: ±2 points around
    an arbitrary 0.5; bootstrap: 0.45 to 0.58), photos with one seed (no t-interval)."""
    rows = []
    for dataset, seeds in (("photos", None), ("digits", (0.48, 0.52))):
        row = {"dataset": dataset}
        for side, shift in (("top", 0.0), ("bottom", 0.1)):
            over_seeds = None if seeds is None else (seeds[0] + shift, seeds[1] + shift)
            row[f"{side}_accuracy"] = 0.5 + shift
            row.update(
                interval_columns(f"{side}_accuracy", over_seeds, (0.45 + shift, 0.58 + shift))
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _curves(table):
    """Per run, 5 epochs of accuracy rising to its final value: the last two epochs add
    (seed + 1) points each."""
    rows = []
    for run in table.to_dict("records"):
        for epoch in range(1, 6):
            late = (run["seed"] + 1) / 100 * (5 - epoch) if epoch >= 4 else 0.3
            rows.append(
                {k: run[k] for k in ("dataset", "side", "fraction", "augment", "seed")}
                | {"epoch": epoch, "test_accuracy": run["final_test_accuracy"] - late}
            )
    return pd.DataFrame(rows)


def test_headline_figure_intervals_and_curves():
    table = _subspace_table()
    # the convergence columns of the subspace table: seed 2 of photos' top run is flagged
    table["late_rise_from"], table["final_epoch"] = 4, 5
    table["still_rising"] = (
        (table["dataset"] == "photos") & (table["side"] == "top") & (table["seed"] == 2)
    )
    figure = subspace.headline_figure(
        table, {"top": 0.9, "bottom": 0.2}, _headline_verdicts(), _curves(table)
    )
    bars_axis, *curve_axes = figure.axes
    assert [a.get_title().split(":")[0] for a in curve_axes] == ["photos", "digits"]
    # the intervals at the bar centres, in points: photos only the bootstrap (one seed)
    drawn = _bars(bars_axis)
    expected = [
        (-0.19, 45, 58, 5.0), (0.19, 55, 68, 5.0),  # photos top, bottom: bootstrap
        (0.81, 45, 58, 5.0), (0.81, 48, 52, 1.0),  # digits top
        (1.19, 55, 68, 5.0), (1.19, 58, 62, 1.0),  # digits bottom
    ]  # fmt: skip
    assert len(drawn) == len(expected)
    # an end is centre − (centre − 100·low): the two sums, the two ×100 and the two
    # differences are 6 roundings of numbers of points (integers here, so exact literals)
    for got, want in zip(drawn, sorted(expected)):
        np.testing.assert_allclose(got, want, rtol=0, atol=3 * POINT)
    assert [t.get_text() for t in bars_axis.get_legend().get_texts()][2:] == [
        "95% t-interval over seeds",
        "95% bootstrap over test images",
        "one seed",
    ]
    for axis, dataset in zip(curve_axes, ("photos", "digits")):
        lines = [line for line in axis.lines if line.get_marker() == "."]
        assert len(lines) == 6  # top and bottom, three seeds each (plain runs only)
        for line in lines:
            assert line.get_xdata().tolist() == [1, 2, 3, 4, 5]
        colours = sorted(matplotlib.colors.to_rgba(line.get_color()) for line in lines)
        assert colours == sorted([RED] * 3 + [BLUE] * 3)
        finals = sorted(line.get_ydata()[-1] for line in lines)
        expected = sorted(
            100 * _accuracy(dataset, side, {"top": 0.9, "bottom": 0.2}[side], False, seed)
            for side in ("top", "bottom")
            for seed in (0, 1, 2)
        )
        # the last epoch's accuracy is the final one minus 0.0, × 100 as here: exact
        np.testing.assert_array_equal(finals, expected)
        shaded = [p for p in axis.patches]
        assert [(p.get_x(), p.get_x() + p.get_width()) for p in shaded] == [(4.0, 5.0)]
        flagged = [line for line in axis.lines if line.get_marker() == "^"]
        if dataset == "photos":
            assert len(flagged) == 1
            top = 100 * _accuracy("photos", "top", 0.9, False, 2)
            np.testing.assert_array_equal(flagged[0].get_xydata(), [[5, top]])  # as finals
            assert "still rising (> 1 point)" in [
                t.get_text() for t in axis.get_legend().get_texts()
            ]
        else:
            assert not flagged
        assert axis.get_xlabel() == "epoch" and axis.get_ylabel() == "test accuracy (%)"
        assert axis.get_title().startswith(f"{dataset}: test accuracy per epoch, 3 seeds a side")


# --- what the subspace figures say, at which size, and how large they are -------------

DEFAULT = default_text_sizes()


def test_subspace_figure_words_line_styles_and_one_panel_size_per_dataset():
    figure = subspace.subspace_figure(_subspace_table())
    legend = [
        ("1 legend", name, style.LABEL_SIZE)
        for name in ("bottom", "bottom + aug", "top", "top + aug")
    ]
    assert drawn_texts(figure) == [
        ("0 title", "photos", DEFAULT["title"]), ("0 xlabel", "variance kept (%)", DEFAULT["label"]),
        ("0 ylabel", "test accuracy (%)", DEFAULT["label"]),
        ("1 title", "digits", DEFAULT["title"]), ("1 xlabel", "variance kept (%)", DEFAULT["label"]),
        *legend,
    ]  # fmt: skip
    width, height = subspace._PANEL
    assert tuple(figure.get_size_inches()) == (2 * width, height)
    for axis in figure.axes:
        assert drawn_grid(axis) == (True, style.GRID["alpha"])
        drawn = {line.get_label(): line for line in axis.lines}
        for label, line in drawn.items():
            side = label.split()[0]
            assert matplotlib.colors.to_rgba(line.get_color()) == {"top": RED, "bottom": BLUE}[side]
            assert line.get_linestyle() == ("--" if "aug" in label else "-")
            assert line.get_marker() == "o"


def _seed_dot_style(line):
    return (
        line.get_linestyle(), line.get_marker(), line.get_markersize(),
        line.get_markerfacecolor(), line.get_markeredgecolor(), line.get_markeredgewidth(),
    )  # fmt: skip


def test_headline_figure_words_sizes_and_the_seed_dots_above_the_bars():
    table = _subspace_table()
    headline = {"top": 0.9, "bottom": 0.2}
    figure = subspace.headline_figure(table, headline)
    axis = figure.axes[0]
    heights = [f"{bar.get_height():.1f}" for bar in axis.patches]
    assert drawn_texts(figure) == [
        ("0 title", f"This run, mean of 3 seeds.\nPaper, {paper.headline_text()}", style.TITLE_SIZE),
        ("0 ylabel", "test accuracy (%)", DEFAULT["label"]),
        *[("0 text", height, style.LABEL_SIZE) for height in heights],
        ("0 legend", "top 90% of variance", style.LABEL_SIZE),
        ("0 legend", "bottom 20% of variance", style.LABEL_SIZE),
        ("0 legend", "one seed", style.LABEL_SIZE),
    ]  # fmt: skip
    # the bar labels are the bars' own heights, centred on them in white
    assert all(text.get_color() == "white" for text in axis.texts)
    assert [text.xy for text in axis.texts] == [(0.5, 0.5)] * 4  # each at its bar's centre
    # matplotlib keeps a bar's edges: its width is their difference (two roundings below 2)
    widths = [bar.get_width() for bar in axis.patches]
    np.testing.assert_allclose(widths, subspace._BAR_WIDTH, rtol=0, atol=2 * EPS)
    width, margin, height = subspace._BARS
    assert tuple(figure.get_size_inches()) == pytest.approx((2 * width + margin, height))
    dots = [line for line in axis.lines if line.get_marker() == "o"]
    handle = axis.get_legend().legend_handles[-1]
    assert {_seed_dot_style(line) for line in dots} == {_seed_dot_style(handle)}
    assert _seed_dot_style(handle) == ("None", "o", 3, "white", "black", 0.7)
    assert all(line.get_zorder() > bar.get_zorder() for line in dots for bar in axis.patches)
    legend = axis.get_legend()
    assert legend._loc == 9  # upper center, below the axis
    assert [handle.get_facecolor() for handle in legend.legend_handles[:2]] == [RED, BLUE]


def test_headline_figure_seed_note_of_unequal_seed_counts():
    table = _subspace_table()
    table = table[(table["dataset"] == "photos") | (table["seed"] < 2)]
    figure = subspace.headline_figure(table, {"top": 0.9, "bottom": 0.2})
    assert figure.axes[0].get_title().startswith("This run, mean of 2–3 seeds.\n")


def test_headline_curves_words_shading_flags_and_the_figure_size():
    table = _subspace_table()
    table["late_rise_from"], table["final_epoch"] = 4, 5
    table["still_rising"] = (
        (table["dataset"] == "photos") & (table["side"] == "top") & (table["seed"] == 2)
    )
    # digits: one seed a side, too short a run to have a last fifth
    table = table[(table["dataset"] == "photos") | (table["seed"] == 0)]
    table.loc[table["dataset"] == "digits", "late_rise_from"] = np.nan
    figure = subspace.headline_figure(table, {"top": 0.9, "bottom": 0.2}, curves=_curves(table))
    texts = [text for text in drawn_texts(figure) if text[0][0] in "12"]
    size = style.SMALL_SIZE
    assert texts == [
        ("1 title", "photos: test accuracy per epoch, 3 seeds a side\nshaded: the last fifth "
         "of training; ▲ rose > 1 point there", style.LABEL_SIZE),
        ("1 xlabel", "epoch", DEFAULT["label"]), ("1 ylabel", "test accuracy (%)", DEFAULT["label"]),
        ("1 legend", "top", size), ("1 legend", "bottom", size),
        ("1 legend", "still rising (> 1 point)", size),
        ("2 title", "digits: test accuracy per epoch, 1 seed a side\nrun too short; ▲ rose > 1 "
         "point there", style.LABEL_SIZE),
        ("2 xlabel", "epoch", DEFAULT["label"]), ("2 ylabel", "test accuracy (%)", DEFAULT["label"]),
        ("2 legend", "top", size), ("2 legend", "bottom", size),
    ]  # fmt: skip
    width, height = subspace._CURVES
    assert tuple(figure.get_size_inches()) == (
        max(2 * subspace._BARS[0] + subspace._BARS[1], 2 * width),
        height,
    )
    photos, digits = figure.axes[1:]
    # the bars span the upper half, the curves fill the lower one
    figure.canvas.draw()
    bars_box = figure.axes[0].get_position()
    assert bars_box.y0 > photos.get_position().y1 and bars_box.y0 > 0.5
    assert photos.get_position().y0 < 0.2 and digits.get_position().y0 < 0.2
    # one dataset: the bars' width decides (with two, the curves' did)
    alone = subspace.headline_figure(
        table[table["dataset"] == "photos"], {"top": 0.9, "bottom": 0.2}, curves=_curves(table)
    )
    assert tuple(alone.get_size_inches()) == (subspace._BARS[0] + subspace._BARS[1], height)
    (shade,) = photos.patches
    assert (shade.get_facecolor()[3], shade.get_linewidth()) == (style.SHADE["alpha"], 0)
    assert not digits.patches
    flagged = [line for line in photos.lines if line.get_marker() == "^"]
    handle = photos.get_legend().legend_handles[-1]
    assert _seed_dot_style(flagged[0]) == _seed_dot_style(handle)
    assert flagged[0].get_markerfacecolor() == "none" and flagged[0].get_markersize() == 9
    others = [line for line in photos.lines if line is not flagged[0]]
    assert all(flagged[0].get_zorder() > line.get_zorder() for line in others)
    handles = photos.get_legend().legend_handles[:2]
    assert [matplotlib.colors.to_rgba(h.get_color()) for h in handles] == [RED, BLUE]
    for axis in (photos, digits):
        assert drawn_grid(axis) == (True, style.GRID["alpha"])
        assert axis.get_legend()._loc == 4  # lower right
        assert axis.xaxis.get_major_locator()._integer


def test_headline_figure_of_two_seeds_draws_their_dots_and_names_them():
    table = _subspace_table()
    figure = subspace.headline_figure(table[table["seed"] < 2], {"top": 0.9, "bottom": 0.2})
    axis = figure.axes[0]
    assert len([line for line in axis.lines if line.get_marker() == "o"]) == 4
    assert [t.get_text() for t in axis.get_legend().get_texts()][-1] == "one seed"
    # the legend below the bars, centred under them, in two columns
    figure.canvas.draw()
    legend, box = axis.get_legend().get_window_extent(), axis.get_window_extent()
    assert legend.y1 < box.y0
    assert abs((legend.x0 + legend.x1) / 2 - (box.x0 + box.x1) / 2) < 0.05 * box.width
    assert axis.get_legend()._ncols == 2


def test_headline_curves_legend_and_shade_and_a_figure_of_three_datasets():
    table = _subspace_table()
    table["late_rise_from"], table["final_epoch"], table["still_rising"] = 4, 5, False
    third = table[table["dataset"] == "digits"].assign(dataset="third")
    table = pd.concat([table, third], ignore_index=True)
    figure = subspace.headline_figure(table, {"top": 0.9, "bottom": 0.2}, curves=_curves(table))
    assert figure.get_layout_engine() is not None  # constrained: three rows of text fit
    for axis in figure.axes[1:]:
        (shade,) = axis.patches
        assert matplotlib.colors.to_rgb(shade.get_facecolor()) == matplotlib.colors.to_rgb("grey")
        handles = axis.get_legend().legend_handles
        assert [(h.get_marker(), h.get_linestyle()) for h in handles] == [(".", "-")] * 2
    # Fig. 4 of three datasets: the legend on the last panel only
    figure = subspace.subspace_figure(table)
    assert [axis.get_legend() is not None for axis in figure.axes] == [False, False, True]
