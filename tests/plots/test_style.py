"""What the figures share (lbr/plots/style.py): saving. How intervals are drawn is read
back from the figures that draw them (test_subspace.py, test_report.py)."""

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from lbr.plots import style
from support import EPS, drawn_error_bars

# An end in points: 100 × the end, and centre ± (difference) in the figure: four roundings
# of numbers below 15.
ENDS = 4 * 15 * EPS


def test_save_figure_writes_png_and_pdf_and_closes(tmp_path):
    figure, axis = plt.subplots(figsize=(1, 1))  # small and without text: quick to write
    axis.plot([0, 1], [1, 0])
    axis.set_axis_off()
    number = figure.number
    style.save_figure(figure, tmp_path / "f.png", tmp_path / "f.pdf")
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "f.pdf").read_bytes()[:5] == b"%PDF-"
    assert not plt.fignum_exists(number)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.png"]
    figure = plt.figure(figsize=(1, 1))
    style.save_figure(figure, tmp_path / "g.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.png", "g.png"]


def _row(**intervals):
    """A verdicts row of a 0.10 gap with the given (low, high) per interval kind."""
    row = {"gap": 0.10}
    for kind in ("seeds", "bootstrap"):
        low, high = intervals.get(kind, (float("nan"), float("nan")))
        row[f"gap_{kind}_low"], row[f"gap_{kind}_high"] = low, high
    return row


def _drawn(row):
    figure, axis = plt.subplots()
    style.draw_intervals(axis, 0.5, row, "gap")
    return [(x, low, high) for x, low, high, _ in drawn_error_bars(axis)]


def test_each_interval_is_drawn_in_points_from_its_own_ends():
    # a bootstrap interval narrower than a point and a seeds interval: both, to the ends
    drawn = _drawn(_row(seeds=(0.07, 0.13), bootstrap=(0.098, 0.103)))
    expected = sorted([(0.5, 7.0, 13.0), (0.5, 9.8, 10.3)])
    assert drawn == [pytest.approx(e, abs=ENDS) for e in expected]


def test_an_interval_with_a_missing_end_is_left_out_and_the_other_still_drawn():
    assert _drawn(_row(seeds=(0.07, 0.13))) == [pytest.approx((0.5, 7.0, 13.0), abs=ENDS)]
    assert _drawn(_row(seeds=(float("nan"), 0.13), bootstrap=(0.09, 0.11))) == [
        pytest.approx((0.5, 9.0, 11.0), abs=ENDS)
    ]
    assert _drawn(_row()) == []


def test_save_figure_writes_at_the_style_resolution_trimmed_to_what_is_drawn(tmp_path):
    figure = plt.figure(figsize=(2, 1))
    figure.add_axes((0.25, 0, 0.5, 1)).set_facecolor("grey")  # 1 × 1 inch of the 2 × 1
    style.save_figure(figure, tmp_path / "f.png")
    height, width = plt.imread(tmp_path / "f.png").shape[:2]
    pad = plt.rcParams["savefig.pad_inches"]  # "tight" keeps what is drawn and this margin
    # axes, ticks and labels: a tight box of at least the 1 × 1 inch axes, less than 2 wide
    assert width < 2 * style.DPI and height >= style.DPI
    assert width >= (1 + 2 * pad) * style.DPI


def test_interval_legend_entries_look_like_the_intervals_they_name():
    figure, axis = plt.subplots()
    style.draw_intervals(axis, 0.5, _row(seeds=(0.05, 0.15), bootstrap=(0.0, 0.2)), "gap")
    table = pd.DataFrame([_row(seeds=(0.05, 0.15), bootstrap=(0.0, 0.2))])
    seeds, bootstrap = style.drawn_interval_handles(table, ["gap"], paired=True)
    drawn = {}
    for container in axis.containers:
        (lines,) = container.lines[2]
        drawn[lines.get_linewidth()[0]] = lines
    thin, broad = drawn[seeds.get_linewidth()], drawn[bootstrap.get_linewidth()]
    for handle, lines in ((seeds, thin), (bootstrap, broad)):
        assert matplotlib.colors.to_rgba(handle.get_color(), handle.get_alpha()) == tuple(
            lines.get_color()[0]
        )
    assert seeds.get_marker() == "_" and bootstrap.get_marker() == "None"
    # the handle's marker as wide as the seeds' caps
    (caps,) = [c for c in axis.containers if c.lines[1]]
    assert seeds.get_markersize() == caps.lines[1][0].get_markersize()
    assert thin.get_linewidth()[0] < broad.get_linewidth()[0]


def test_save_figure_closes_the_figure_it_saved_not_the_current_one(tmp_path):
    saved = plt.figure(figsize=(1, 1))
    current = plt.figure(figsize=(1, 1))
    style.save_figure(saved, tmp_path / "f.png")
    assert not plt.fignum_exists(saved.number) and plt.fignum_exists(current.number)
