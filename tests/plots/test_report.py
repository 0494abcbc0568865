"""What the report stage's figure draws (lbr/plots/report.py: the R1 prediction): made
from small hand-made verdict tables, read back from the matplotlib artists and compared
with the columns it names: each trained dataset's point and intervals on both readings,
the shading of the threshold reading, the rank relation's title."""

import matplotlib
import numpy as np
import pandas as pd
from lbr.plots import report, style
from lbr.r1_prediction import (
    AGREES,
    BOTTOM_WINS,
    DISAGREES,
    HIGH_ALIGNMENT,
    MIN_RANK_DATASETS,
    NOT_TRAINED,
    TOP_WINS,
    UNDECIDED,
)
from lbr.stats import interval_columns
from support import EPS, axis_texts, default_text_sizes, drawn_grid, drawn_texts, gamma
from support import drawn_error_bars as _bars

RED, BLUE = matplotlib.colors.to_rgba("tab:red"), matplotlib.colors.to_rgba("tab:blue")
# One rounding of a number of points (|x| ≤ 100) is within POINT / 2 (= u·100).
POINT = 100 * EPS


def _verdicts(gaps, readings=(AGREES, DISAGREES, UNDECIDED), seeds_intervals=True):
    """Three trained datasets with their gap's intervals (seeds: gap ± 3 points; bootstrap:
    gap − 1, gap + 2 points) and one untrained."""
    rows = []
    for (dataset, dimension, k10, k32), gap, reading in zip(
        [("digits", 64, 0.11, 0.95), ("photos", 768, 0.97, 0.29), ("texture", 192, 0.05, 0.50)],
        gaps,
        readings,
    ):
        seeds = (gap - 0.03, gap + 0.03) if seeds_intervals else None
        rows.append(
            dict(
                dataset=dataset,
                dimension=dimension,
                alignment_k10=k10,
                alignment_k32=k32,
                predicted=TOP_WINS if k32 >= HIGH_ALIGNMENT else BOTTOM_WINS,
                top_accuracy=0.5,
                bottom_accuracy=0.5 + gap,
                bottom_minus_top=gap,
                outcome="inconclusive",
                threshold_verdict=reading,
                **interval_columns("bottom_minus_top", seeds, (gap - 0.01, gap + 0.02)),
            )
        )
    rows.append(
        dict(
            dataset="untrained",
            dimension=3072,
            alignment_k10=0.3,
            alignment_k32=0.4,
            predicted=BOTTOM_WINS,
            top_accuracy=np.nan,
            bottom_accuracy=np.nan,
            bottom_minus_top=np.nan,
            outcome=NOT_TRAINED,
            threshold_verdict=NOT_TRAINED,
            **interval_columns("bottom_minus_top", None, None),
        )
    )
    return pd.DataFrame(rows)


def _points(axis):
    return [c for c in axis.collections if isinstance(c, matplotlib.collections.PathCollection)]


def test_r1_prediction_figure_places_each_trained_dataset_on_both_readings():
    verdicts = _verdicts([-0.5481, -0.2857, 0.14])
    figure = report.r1_prediction_figure(verdicts, {"top": 0.75, "bottom": 0.25})
    main, secondary = figure.axes
    green, black = matplotlib.colors.to_rgba("tab:green"), (0.0, 0.0, 0.0, 1.0)
    orange = matplotlib.colors.to_rgba("tab:orange")
    expected = [(0.95, -54.81), (0.29, -28.57), (0.50, 14.0)]
    for axis, colours in ((main, [black] * 3), (secondary, [green, black, orange])):
        points = _points(axis)
        assert len(points) == 3  # the untrained dataset is named, not drawn
        # x is the alignment itself; y is 100 × the gap against the literal in points:
        # two roundings of a number of points
        for point, (x, y), colour in zip(points, expected, colours):
            np.testing.assert_allclose(point.get_offsets(), [[x, y]], rtol=0, atol=POINT)
            assert tuple(point.get_facecolor()[0]) == colour
        notes = {t.get_text(): t.xy for t in axis.texts if hasattr(t, "xy")}
        assert sorted(notes) == ["digits (D=64)", "photos (D=768)", "texture (D=192)"]
        np.testing.assert_allclose(notes["photos (D=768)"], (0.29, -28.57), rtol=0, atol=POINT)
        # both intervals of each gap, in points: over seeds ±3 (thin), bootstrap −1/+2 (broad)
        bars = _bars(axis)
        assert len(bars) == 6
        for x, gap in expected:
            mine = sorted((b for b in bars if b[0] == x), key=lambda b: b[3])
            # an end is centre − (centre − 100·low): the sum, two ×100 and two differences
            # in the figure, the literal and the sum here: 8 roundings of numbers of points
            np.testing.assert_allclose(mine[0][1:3], (gap - 3, gap + 3), rtol=0, atol=4 * POINT)
            np.testing.assert_allclose(mine[1][1:3], (gap - 1, gap + 2), rtol=0, atol=4 * POINT)
            assert mine[0][3] == 1.0 and mine[1][3] == 5.0
        span = 1.15 * 57.81  # the largest interval end, with room
        # gap − 0.03, ×100, ×1.15 in the figure; the literal and ×1.15 here: five roundings
        np.testing.assert_allclose(axis.get_ylim(), (-span, span), rtol=gamma(5), atol=0)
        assert axis.get_xlim() == (0, 1)
        assert axis.get_xlabel() == "closed-form alignment at K=32 (Eq. 7, fraction)"
        assert axis.get_ylabel() == (
            "bottom 25% − top 75%\ntest accuracy (points), mean over seeds"
        )
    # main reading: photos (0.29) +? … by alignment: photos −28.57, texture +14, digits −54.81
    assert main.get_title() == (
        "Main reading: rank relation across datasets (the paper predicts τ < 0)\n"
        "Kendall τ = -0.33 over 3 datasets → inconclusive\n"
        "exact one-sided p = 0.5 (level 0.05); 3 datasets cannot reach it (min p = 1/3!)"
    )
    assert secondary.get_title() == (
        "Secondary reading: alignment threshold 0.9\n(shaded: where the outcome would agree "
        "with the prediction)\nnot trained: untrained"
    )
    # shaded where the prediction holds: bottom ≥ top left of the threshold (upper half),
    # top ≥ bottom right of it (lower half)
    spans = [
        (p.get_x(), p.get_x() + p.get_width(), p.get_facecolor()[:3]) for p in secondary.patches
    ]
    assert spans == [(0, HIGH_ALIGNMENT, BLUE[:3]), (HIGH_ALIGNMENT, 1, RED[:3])]
    assert [(p.get_y(), p.get_height()) for p in secondary.patches] == [(0.5, 0.5), (0, 0.5)]
    texts = [t.get_text() for t in secondary.texts if not hasattr(t, "xy")]
    assert texts == [f"predicted: {BOTTOM_WINS}", f"predicted: {TOP_WINS}"]
    assert [t.get_text() for t in secondary.get_legend().get_texts()] == [
        "agrees",
        "disagrees",
        "inconclusive (an interval contains 0)",
        "95% t-interval over seeds",
        "95% paired bootstrap over test images",
    ]


def test_r1_prediction_figure_keeps_five_points_of_room_and_names_only_drawn_intervals():
    verdicts = _verdicts([0.01, -0.02, 0.005], seeds_intervals=False)
    figure = report.r1_prediction_figure(verdicts, {"top": 0.9, "bottom": 0.2})
    for axis in figure.axes:
        assert axis.get_ylim() == (-5.0, 5.0)
        np.testing.assert_allclose(
            np.concatenate([p.get_offsets() for p in _points(axis)]),
            [[0.95, 1.0], [0.29, -2.0], [0.50, 0.5]],
            rtol=gamma(2),  # the gap literal's rounding and the ×100; x is the alignment
            atol=0,
        )
        assert len(_bars(axis)) == 3  # one seed: the bootstrap only
    assert [t.get_text() for t in figure.axes[0].get_legend().get_texts()] == [
        "95% paired bootstrap over test images"
    ]


def test_r1_prediction_figure_main_reading_of_four_datasets_in_order():
    verdicts = _verdicts([-0.05, 0.03, 0.01])
    extra = verdicts.iloc[[0]].assign(dataset="mid", alignment_k32=0.7, bottom_minus_top=-0.01)
    table = pd.concat([verdicts, extra], ignore_index=True)
    title = report.r1_prediction_figure(table, {"top": 0.9, "bottom": 0.2}).axes[0].get_title()
    assert title.splitlines()[1:] == [
        "Kendall τ = -1.00 over 4 datasets → holds",
        "exact one-sided p = 0.0417 (level 0.05)",
    ]


def test_r1_prediction_labels_of_nearby_datasets_do_not_overlap():
    """Two pairs of datasets close in alignment and gap (as Fashion-MNIST at two sizes and
    two photograph sets are): every label is readable, none covers another."""
    rows = []
    for dataset, alignment, gap in [
        ("fashion_mnist_28", 0.766, -0.047),
        ("fashion_mnist_32", 0.741, -0.054),
        ("photo_patches", 0.036, -0.019),
        ("garments_on_photos", 0.148, -0.017),
    ]:
        rows.append(
            dict(
                dataset=dataset,
                dimension=3072,
                alignment_k10=alignment / 2,
                alignment_k32=alignment,
                predicted=BOTTOM_WINS,
                top_accuracy=0.6,
                bottom_accuracy=0.6 + gap,
                bottom_minus_top=gap,
                outcome="inconclusive",
                threshold_verdict=UNDECIDED,
                **interval_columns("bottom_minus_top", (gap - 0.03, gap + 0.03), None),
            )  # fmt: skip
        )
    figure = report.r1_prediction_figure(pd.DataFrame(rows), {"top": 0.9, "bottom": 0.2})
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    for axis in figure.axes:
        labels = [t for t in axis.texts if hasattr(t, "xy")]
        assert len(labels) == 4
        boxes = [t.get_window_extent(renderer) for t in labels]
        for i in range(4):
            for j in range(i + 1, 4):
                assert not boxes[i].overlaps(boxes[j]), (labels[i].get_text(), labels[j].get_text())
        # the higher point of a close pair has its label above it, the lower below
        where = {t.get_text().split(" ")[0]: (t.xy[1], t.get_position()[1]) for t in labels}
        for higher, lower in [("fashion_mnist_28", "fashion_mnist_32"),
                              ("garments_on_photos", "photo_patches")]:  # fmt: skip
            assert where[higher][1] > 0 > where[lower][1]


def test_r1_prediction_figure_reference_lines_and_a_single_dataset():
    """The zero line of both panels, the threshold line, the two prediction labels at the
    ends of the y range, each label above or below its point; one trained dataset: τ is
    undefined and the title says why."""
    verdicts = _verdicts([-0.5481, -0.2857, 0.14]).iloc[[0, 3]]  # digits and untrained
    figure = report.r1_prediction_figure(verdicts, {"top": 0.75, "bottom": 0.25})
    main, secondary = figure.axes
    for axis in (main, secondary):
        zero = [line for line in axis.lines if tuple(line.get_ydata()) == (0, 0)]
        assert len(zero) == 1 and tuple(zero[0].get_xdata()) == (0, 1)
        (label,) = [t for t in axis.texts if hasattr(t, "xy")]
        # digits is alone: labelled above its point, 5 points right and 4 up
        assert label.get_text() == "digits (D=64)" and label.get_va() == "bottom"
        assert tuple(label.xyann) == (5, 4)
    (threshold,) = [line for line in secondary.lines if tuple(line.get_xdata()) == (0.9, 0.9)]
    assert threshold.get_linestyle() == "--"
    span = secondary.get_ylim()[1]
    positions = {t.get_text(): t.get_position() for t in secondary.texts if not hasattr(t, "xy")}
    assert positions == {
        f"predicted: {BOTTOM_WINS}": (0.02, 0.97 * span),
        f"predicted: {TOP_WINS}": (0.98, -0.97 * span),
    }
    title = main.get_title().splitlines()
    assert title[1] == "Kendall τ = undefined over 1 datasets → inconclusive"
    assert title[2] == f"1 trained dataset: a rank relation needs at least {MIN_RANK_DATASETS}"


# --- what the R1 figure says, at which size, and how it is laid out -------------------

DEFAULT = default_text_sizes()


def test_r1_prediction_figure_words_sizes_and_styles():
    verdicts = _verdicts([-0.5481, -0.2857, 0.14])
    figure = report.r1_prediction_figure(verdicts, {"top": 0.9, "bottom": 0.6})
    main, secondary = figure.axes
    texts = drawn_texts(figure)
    ylabel = "bottom 60% − top 90%\ntest accuracy (points), mean over seeds"
    labels = ["digits (D=64)", "photos (D=768)", "texture (D=192)"]
    for number, axis in enumerate((main, secondary)):
        mine = axis_texts(texts, number)
        assert mine[0] == ("title", axis.get_title(), style.TITLE_SIZE)
        assert mine[1:3] == [
            ("xlabel", "closed-form alignment at K=32 (Eq. 7, fraction)", DEFAULT["label"]),
            ("ylabel", ylabel, DEFAULT["label"]),
        ]
        assert mine[3:6] == [("text", label, style.LABEL_SIZE) for label in labels]
        assert {size for where, _, size in mine if where == "legend"} == {style.LABEL_SIZE}
        assert axis.get_legend()._loc == 3  # lower left
        assert drawn_grid(axis) == (True, style.GRID["alpha"])
        (zero,) = [line for line in axis.lines if tuple(line.get_ydata()) == (0, 0)]
        assert (zero.get_color(), zero.get_linewidth()) == (
            style.ZERO_LINE["color"],
            style.ZERO_LINE["lw"],
        )
        assert all(point.get_zorder() > 4 for point in _points(axis))  # above the intervals
    assert [t[1:] for t in texts if t[0] == "1 text"][3:] == [
        (f"predicted: {BOTTOM_WINS}", style.TITLE_SIZE),
        (f"predicted: {TOP_WINS}", style.TITLE_SIZE),
    ]
    notes = [t for t in secondary.texts if not hasattr(t, "xy")]
    assert [matplotlib.colors.to_rgba(t.get_color()) for t in notes] == [BLUE, RED]
    assert [(t.get_va(), t.get_ha()) for t in notes] == [("top", "left"), ("baseline", "right")]
    for shade in secondary.patches:
        assert (shade.get_facecolor()[3], shade.get_linewidth()) == (style.SHADE["alpha"], 0)
    (threshold,) = [line for line in secondary.lines if tuple(line.get_xdata()) == (0.9, 0.9)]
    assert (threshold.get_color(), threshold.get_linewidth()) == (
        style.REFERENCE["color"],
        style.REFERENCE["lw"],
    )
    assert tuple(figure.get_size_inches()) == report._FIGURE_SIZE
    assert figure.get_layout_engine() is not None  # constrained: titles and labels fit
    assert main.get_position().y0 == secondary.get_position().y0  # side by side


def test_r1_prediction_labels_of_close_points_go_below_the_lower_one():
    verdicts = _verdicts([-0.10, -0.20, 0.30])
    # digits at 0.0 and photos exactly a label's width away: close; texture far from both
    verdicts["alignment_k32"] = [0.0, report._LABEL_WIDTH, 0.9, 0.4]
    figure = report.r1_prediction_figure(verdicts, {"top": 0.9, "bottom": 0.2})
    labels = {t.get_text().split(" ")[0]: t for t in figure.axes[0].texts if hasattr(t, "xy")}
    # a distance equal to the width is not close: both labels above their points
    assert [labels[name].get_va() for name in ("digits", "photos", "texture")] == ["bottom"] * 3
    verdicts["alignment_k32"] = [0.0, 0.99 * report._LABEL_WIDTH, 0.9, 0.4]
    figure = report.r1_prediction_figure(verdicts, {"top": 0.9, "bottom": 0.2})
    labels = {t.get_text().split(" ")[0]: t for t in figure.axes[0].texts if hasattr(t, "xy")}
    assert (labels["digits"].get_va(), tuple(labels["digits"].xyann)) == ("bottom", (5, 4))
    assert (labels["photos"].get_va(), tuple(labels["photos"].xyann)) == ("top", (5, -4))


def test_r1_prediction_span_takes_the_largest_end_of_either_interval():
    # texture's upper end is the largest: its seed interval (+3) here, its bootstrap (+2) next
    for seeds_intervals, end in ((True, 0.33), (False, 0.32)):
        verdicts = _verdicts([-0.05, 0.02, 0.30], seeds_intervals=seeds_intervals)
        figure = report.r1_prediction_figure(verdicts, {"top": 0.9, "bottom": 0.2})
        # the end's ×100 (gap + 0.0x: one more rounding) and ×1.15 in the figure; the
        # literals and ×1.15 here: five roundings
        np.testing.assert_allclose(
            figure.axes[0].get_ylim()[1], 1.15 * 100 * end, rtol=gamma(5), atol=0
        )


def test_r1_prediction_figure_names_every_untrained_dataset_and_none_when_all_trained():
    verdicts = _verdicts([-0.5481, -0.2857, 0.14])
    second = verdicts.iloc[[3]].assign(dataset="also_untrained")
    title = (
        report.r1_prediction_figure(
            pd.concat([verdicts, second], ignore_index=True), {"top": 0.9, "bottom": 0.2}
        )
        .axes[1]
        .get_title()
    )
    assert title.endswith("\nnot trained: untrained, also_untrained")
    title = (
        report.r1_prediction_figure(verdicts.iloc[:3], {"top": 0.9, "bottom": 0.2})
        .axes[1]
        .get_title()
    )
    assert title == (
        "Secondary reading: alignment threshold 0.9\n(shaded: where the outcome would agree "
        "with the prediction)"
    )


def test_r1_prediction_verdict_legend_entries_are_the_points_they_name():
    figure = report.r1_prediction_figure(
        _verdicts([-0.5481, -0.2857, 0.14]), {"top": 0.9, "bottom": 0.2}
    )
    handles = figure.axes[1].get_legend().legend_handles[:3]
    assert [(h.get_marker(), h.get_linestyle()) for h in handles] == [("o", "None")] * 3
    colours = [matplotlib.colors.to_rgba(h.get_color()) for h in handles]
    assert colours == [matplotlib.colors.to_rgba(c) for c in ("tab:green", "black", "tab:orange")]
