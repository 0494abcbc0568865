"""What the closed-form figures draw (lbr/plots/closed_forms.py: Figs. 2, 7, 8, 9, the screen,
Theorem 1's interpolation): each figure is made from a small hand-made table and its drawn
data are read back from the matplotlib artists and compared with the table column that the
caption or the axis names. Every other column of the tables holds other values, so a figure
that draws the wrong column, the wrong dataset's curve or an unsorted axis shows."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from lbr.plots import closed_forms, style
from support import default_text_sizes, drawn_grid, drawn_texts


def _xy(line):
    return line.get_xydata()


def _legend_texts(axis):
    return [t.get_text() for t in axis.get_legend().get_texts()]


# --- Fig. 2: alignment_figure ---------------------------------------------------------


def _alignment_table(rank: int, dimension: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    appendix = np.sort(rng.uniform(0, 1, rank))
    return pd.DataFrame(
        {
            "K": np.arange(1, rank + 1),
            "alignment_appendix": appendix,
            "alignment_proof": np.sort(rng.uniform(0, 1, rank)),
            "alignment_percent": 100 * np.sqrt(appendix),
            "dimension": dimension,
        }
    )


TABLES = {"zeta": _alignment_table(16, 16, 0), "alpha": _alignment_table(40, 64, 1)}


def test_alignment_figure_draws_each_dataset_against_k_and_k_over_d():
    figure = closed_forms.alignment_figure(TABLES)
    by_k, by_ratio = figure.axes
    assert len(by_k.lines) == len(by_ratio.lines) == 2
    for index, (name, table) in enumerate(TABLES.items()):
        dimension = table["dimension"].iloc[0]
        np.testing.assert_array_equal(
            _xy(by_k.lines[index]), np.c_[table["K"], table["alignment_percent"]]
        )
        np.testing.assert_array_equal(
            _xy(by_ratio.lines[index]), np.c_[table["K"] / dimension, table["alignment_percent"]]
        )
        assert by_ratio.lines[index].get_label() == name
    assert _legend_texts(by_k) == ["zeta (D=16)", "alpha (D=64)"]
    assert by_k.get_xscale() == "log" and by_ratio.get_xscale() == "linear"
    assert (by_k.get_xlabel(), by_ratio.get_xlabel()) == ("latent dimension K", "K / D")
    assert by_k.get_ylabel() == by_ratio.get_ylabel() == "alignment (%)"


def test_alignment_figure_of_another_column():
    figure = closed_forms.alignment_figure(TABLES, column="alignment_appendix")
    for axis in figure.axes:
        assert axis.get_ylabel() == "alignment"
        for line, table in zip(axis.lines, TABLES.values()):
            np.testing.assert_array_equal(line.get_ydata(), table["alignment_appendix"])


# --- Fig. 7: denoising_figure ---------------------------------------------------------


def _denoising_table():
    """Two datasets (D = 16: Fig. 7 starts at K = 8; D = 100: at K = k_min = 32), masking
    with patches and ratios listed out of order, and Gaussian rows that must stay out."""
    rows = []
    for offset, (dataset, largest) in enumerate((("zeta", 16), ("alpha", 100))):
        for patch in (4, 1, 2):
            for ratio in (0.5, 0.0, 0.99):
                for k in range(1, largest + 1):
                    value = 1000 * patch + 100 * ratio + k / 1000 + offset / 7
                    rows.append(("masking", dataset, patch, ratio, k, value, -value))
        for k in range(1, largest + 1):
            rows.append(("gaussian", dataset, np.nan, np.nan, k, 5e5 + k, 0.0))
    columns = ["family", "dataset", "patch", "ratio", "K", "relative_change_percent", "change"]
    return pd.DataFrame(rows, columns=columns)


def test_denoising_figure_one_panel_per_patch_and_dataset_one_line_per_ratio():
    table = _denoising_table()
    figure = closed_forms.denoising_figure(table, k_min=32)
    panels = np.array(figure.axes[:6], dtype=object).reshape(3, 2)
    colours = plt.get_cmap("cool")(np.linspace(0, 1, 3))
    for row, patch in enumerate((1, 2, 4)):
        for column, (dataset, first_k) in enumerate((("zeta", 8), ("alpha", 32))):
            axis = panels[row][column]
            assert len(axis.lines) == 4  # three ratios and the zero line
            for line, colour, ratio in zip(axis.lines, colours, (0.0, 0.5, 0.99)):
                curve = table[
                    (table["family"] == "masking")
                    & (table["dataset"] == dataset)
                    & (table["patch"] == patch)
                    & (table["ratio"] == ratio)
                    & (table["K"] >= first_k)
                ]
                np.testing.assert_array_equal(
                    _xy(line), np.c_[curve["K"], curve["relative_change_percent"]]
                )
                np.testing.assert_array_equal(matplotlib.colors.to_rgba(line.get_color()), colour)
            np.testing.assert_array_equal(axis.lines[3].get_ydata(), [0, 0])
            assert axis.get_title() == (dataset if row == 0 else "")
            assert axis.get_ylabel() == (
                f"patch {patch}×{patch}\n100·ΔA% / A%clean" if column == 0 else ""
            )
            assert axis.get_xlabel() == ("K" if row == 2 else "")
    colourbar = figure.axes[6]
    assert colourbar.get_ylabel() == "masking ratio"
    assert colourbar.get_ylim() == (0.0, 0.99)


# --- the label-free screen: screen_figure ---------------------------------------------


def test_screen_figure_bars_sorted_by_subspace_shift_per_dataset():
    screen = pd.DataFrame(
        [
            ("b", "masking_p1_r0.5", 0.3, 9e-9, 16),
            ("b", "gaussian_s1", 0.0, 8e-9, 32),
            ("b", "smooth_gaussian_s1_l2", 2e-9, 7e-9, 16),
            ("b", "channel_masking_p2_r0.5", 1e-20, 6e-9, 32),
            ("a", "gaussian_s1", 3e-16, 0.5, 8),
            ("a", "masking_p1_r0.5", 4e-2, 0.25, 32),
        ],
        columns=["dataset", "noise", "max_subspace_shift", "max_abs_change_any_k", "first_k"],
    )
    figure = closed_forms.screen_figure(screen)
    b, a = figure.axes
    expected = {
        b: (
            ["gaussian_s1", "channel_masking_p2_r0.5", "smooth_gaussian_s1_l2", "masking_p1_r0.5"],
            [1e-17, 1e-17, 2e-9, 0.3],  # 0 and 1e-20 drawn at the axis' left end
            16,
        ),
        a: (["gaussian_s1", "masking_p1_r0.5"], [3e-16, 4e-2], 8),
    }
    for axis, (noises, widths, first_k) in expected.items():
        assert [t.get_text() for t in axis.get_yticklabels()] == noises
        bars = sorted(axis.patches, key=lambda p: p.get_y())
        assert [p.get_width() for p in bars] == widths
        assert axis.get_xscale() == "log" and axis.get_xlim()[0] == 1e-17
        assert axis.get_xlabel() == f"max over K ≥ {first_k} of mean sin² principal angle"
    assert (b.get_title(), a.get_title()) == ("b", "a")


# --- Fig. 8: theorem1_figure ----------------------------------------------------------


def test_theorem1_figure_panels_by_setting_lines_by_lambda():
    steps = np.array([0, 10, 100, 1000])
    rows = []
    settings = [(512, 16), (16, 3), (16, 16)]  # out of order: panels are sorted
    for d, k in settings:
        for lam in (1.0, 0.0, 0.1):
            gaps = (1 + lam + d / 1000 + k / 100) * 10.0 ** -np.arange(4)
            gaps[2] = -1e-9 if (d, k, lam) == (16, 3, 0.0) else gaps[2]  # below the minimum
            gaps[3] = 0.0 if lam == 1.0 else gaps[3]
            rows += [
                dict(dimension=d, latent=k, lam=lam, step=s, relative_gap=g)
                for s, g in zip(steps, gaps)
            ]
    table = pd.DataFrame(rows).assign(other=lambda t: -t["relative_gap"])
    figure = closed_forms.theorem1_figure(table)
    colours = plt.get_cmap("viridis")(np.linspace(0, 0.9, 3))
    for axis, (d, k) in zip(figure.axes, [(16, 3), (16, 16), (512, 16)]):
        assert axis.get_title() == f"D={d}, K={k}"
        assert len(axis.lines) == 3
        for line, lam, colour in zip(axis.lines, (0.0, 0.1, 1.0), colours):
            curve = table[
                (table["dimension"] == d) & (table["latent"] == k) & (table["lam"] == lam)
            ]
            np.testing.assert_array_equal(line.get_xdata(), steps)
            # drawn on a log axis: gaps ≤ 0 at 1e-16
            np.testing.assert_array_equal(
                line.get_ydata(), np.maximum(curve["relative_gap"], 1e-16)
            )
            np.testing.assert_array_equal(matplotlib.colors.to_rgba(line.get_color()), colour)
            assert line.get_label() == f"λ={lam:g}"
        assert axis.get_yscale() == "log" and axis.get_xlabel() == "Adam step"
    assert figure.axes[0].get_ylabel() == "(loss − closed form) / (‖Y‖² + λ‖X‖²)"
    assert _legend_texts(figure.axes[-1]) == ["λ=0", "λ=0.1", "λ=1"]
    low = figure.axes[0].lines[0].get_ydata()
    assert low[2] == 1e-16  # the negative gap
    assert figure.axes[0].lines[2].get_ydata()[3] == 1e-16  # the zero gap


# --- Theorem 1's interpolation: interpolation_figure ----------------------------------


def _interpolation_table(offset: float) -> pd.DataFrame:
    rows = []
    for k in (32, 10):  # out of order: one line per K, sorted
        for lam in (0.0, 1e-2, 1.0, 100.0, np.inf):
            rows.append((k, lam, offset + k / 100 + np.arctan(lam) / 10))  # finite at λ = ∞
    return pd.DataFrame(rows, columns=["K", "lambda_relative", "supervised_residual_fraction"])


def test_interpolation_figure_lines_per_k_and_the_pca_limit_dotted():
    tables = {"digits": _interpolation_table(0.1), "photos": _interpolation_table(0.5)}
    figure = closed_forms.interpolation_figure(tables)
    for axis, (name, table) in zip(figure.axes, tables.items()):
        assert axis.get_title() == name and axis.get_xscale() == "log"
        assert len(axis.lines) == 4  # a curve and its dotted limit per K
        for index, k in enumerate((10, 32)):
            curve, limit = axis.lines[2 * index], axis.lines[2 * index + 1]
            rows = table[(table["K"] == k) & np.isfinite(table["lambda_relative"])]
            rows = rows[rows["lambda_relative"] > 0]
            np.testing.assert_array_equal(
                _xy(curve), np.c_[rows["lambda_relative"], rows["supervised_residual_fraction"]]
            )
            assert curve.get_label() == f"K={k}"
            at_infinity = table[(table["K"] == k) & np.isinf(table["lambda_relative"])]
            np.testing.assert_array_equal(
                limit.get_ydata(), [at_infinity["supervised_residual_fraction"].iloc[0]] * 2
            )
            assert limit.get_linestyle() == ":" and limit.get_color() == curve.get_color()
        assert axis.get_xlabel() == "λ (relative to ‖PᵀP‖/λ₁)"
    assert figure.axes[0].get_ylabel() == "supervised residual / ‖Y‖²"
    legend = figure.axes[-1].get_legend()
    assert legend.get_title().get_text() == "dotted: PCA (λ=∞)"
    assert [t.get_text() for t in legend.get_texts()] == ["K=10", "K=32"]


# --- Fig. 9: gallery_figure -----------------------------------------------------------


@pytest.mark.parametrize("channels", [1, 3])
def test_gallery_figure_shows_each_version_in_pixel_units(channels):
    rng = np.random.default_rng(channels)
    rows = {
        name: rng.uniform(-60, 320, (3, 4, 5, channels))
        for name in ("original", "top 75%", "bottom 25%")
    }
    titles = ["0: a", "1: b", "2: c"]
    figure = closed_forms.gallery_figure(rows, titles, "digits")
    axes = np.array(figure.axes, dtype=object).reshape(3, 3)
    for r, (label, images) in enumerate(rows.items()):
        for c in range(3):
            image = axes[r][c].images[0]
            np.testing.assert_array_equal(
                image.get_array(), (np.clip(images[c], 0, 255) / 255).squeeze()
            )
            assert image.get_clim() == (0, 1)
            if channels == 1:
                assert image.get_cmap().name == "gray"
            assert axes[r][c].get_ylabel() == (label if c == 0 else "")
            assert axes[r][c].get_title() == (titles[c] if r == 0 else "")
    assert figure.get_suptitle().startswith(f"Fig. 9, digits (4×5×{channels}): test images")


# --- what every closed-form figure says, at which size, and how large it is -----------

DEFAULT = default_text_sizes()
TITLE, LABEL = DEFAULT["title"], DEFAULT["label"]


def test_alignment_figure_words_grid_and_size():
    figure = closed_forms.alignment_figure(TABLES)
    assert drawn_texts(figure) == [
        ("suptitle", "Eq. (7): supervised fit reachable from the top-K PCA features", DEFAULT["suptitle"]),
        ("0 xlabel", "latent dimension K", LABEL),
        ("0 ylabel", "alignment (%)", LABEL),
        ("0 legend", "zeta (D=16)", style.LABEL_SIZE),
        ("0 legend", "alpha (D=64)", style.LABEL_SIZE),
        ("1 xlabel", "K / D", LABEL),
        ("1 ylabel", "alignment (%)", LABEL),
    ]  # fmt: skip
    assert all(drawn_grid(axis) == (True, style.GRID["alpha"]) for axis in figure.axes)
    assert tuple(figure.get_size_inches()) == closed_forms._ALIGNMENT_SIZE
    # D is each table's own, read from its first row whatever the others hold
    tables = {"zeta": TABLES["zeta"].assign(dimension=[16] + [99] * 15)}
    assert drawn_texts(closed_forms.alignment_figure(tables))[3][1] == "zeta (D=16)"


def test_denoising_figure_words_and_one_panel_size_per_patch_and_dataset():
    table = _denoising_table()
    figure = closed_forms.denoising_figure(table, k_min=32)
    ylabel = "patch {0}×{0}\n100·ΔA% / A%clean"
    assert drawn_texts(figure) == [
        ("0 title", "zeta", TITLE), ("0 ylabel", ylabel.format(1), LABEL),
        ("1 title", "alpha", TITLE),
        ("2 ylabel", ylabel.format(2), LABEL),
        ("4 xlabel", "K", LABEL), ("4 ylabel", ylabel.format(4), LABEL),
        ("5 xlabel", "K", LABEL),
        ("6 ylabel", "masking ratio", LABEL),
    ]  # fmt: skip
    width, height = closed_forms._DENOISING_PANEL
    assert tuple(figure.get_size_inches()) == (2 * width, 3 * height)
    panels, colourbar = figure.axes[:6], figure.axes[6]
    for axis in panels:
        assert drawn_grid(axis) == (True, style.GRID["alpha"])
        zero = axis.lines[3]
        assert (zero.get_color(), zero.get_linewidth()) == (
            style.ZERO_LINE["color"],
            style.ZERO_LINE["lw"],
        )
        # columns share their K axis
        assert axis.get_shared_x_axes().joined(axis, panels[panels.index(axis) % 2])
    assert not panels[0].get_shared_x_axes().joined(panels[0], panels[1])
    # the colour bar maps the masking ratios with the lines' colour map, end to end
    assert colourbar._colorbar.cmap.name == closed_forms._RATIO_COLOURS


def test_denoising_figure_of_one_ratio_draws_it_at_the_map_start():
    table = _denoising_table()
    table = table[(table["family"] == "gaussian") | (table["ratio"] == 0.5)]
    figure = closed_forms.denoising_figure(table, k_min=32)
    start = matplotlib.colors.to_rgba(plt.get_cmap(closed_forms._RATIO_COLOURS)(0.0))
    assert matplotlib.colors.to_rgba(figure.axes[0].lines[0].get_color()) == start


def test_screen_figure_words_and_panel_size():
    screen = pd.DataFrame(
        [("b", "gaussian_s1", 0.0, 16), ("a", "masking_p1_r0.5", 4e-2, 8)],
        columns=["dataset", "noise", "max_subspace_shift", "first_k"],
    )
    figure = closed_forms.screen_figure(screen)
    assert drawn_texts(figure) == [
        ("suptitle", "Label-free screen: noises at ~0 can never change any task's alignment", DEFAULT["suptitle"]),
        ("0 title", "b", TITLE), ("0 xlabel", "max over K ≥ 16 of mean sin² principal angle", LABEL),
        ("1 title", "a", TITLE), ("1 xlabel", "max over K ≥ 8 of mean sin² principal angle", LABEL),
    ]  # fmt: skip
    width, height = closed_forms._SCREEN_PANEL
    assert tuple(figure.get_size_inches()) == (2 * width, height)  # few noises: the smallest
    assert figure.get_layout_engine() is not None  # constrained: long noise names fit


def test_screen_figure_grows_with_the_noises_so_their_names_never_overlap():
    names = [f"masking_p{p}_r{r / 10}" for p in (1, 2, 4) for r in range(10)] + [
        f"gaussian_s{s}" for s in (0.1, 1, 10, 100, 1000)
    ]
    screen = pd.DataFrame(
        [(d, n, 10.0 ** -(i % 17), 2) for d in ("a", "b") for i, n in enumerate(names)],
        columns=["dataset", "noise", "max_subspace_shift", "first_k"],
    )
    figure = closed_forms.screen_figure(screen)
    rows = closed_forms._SCREEN_MARGIN + closed_forms._SCREEN_ROW * len(names)
    assert figure.get_size_inches()[1] == pytest.approx(rows)
    figure.canvas.draw()
    for axis in figure.axes:
        boxes = sorted(
            (label.get_window_extent() for label in axis.get_yticklabels()), key=lambda b: b.y0
        )
        assert len(boxes) == len(names)
        assert all(upper.y0 >= lower.y1 for lower, upper in zip(boxes, boxes[1:]))
    for axis in figure.axes:  # noise names small, K values at the default size
        assert {t.get_fontsize() for t in axis.get_yticklabels()} == {style.SMALL_SIZE}
        assert {t.get_fontsize() for t in axis.get_xticklabels()} == {
            matplotlib.font_manager.FontProperties(
                size=plt.rcParams["xtick.labelsize"]
            ).get_size_in_points()
        }


def test_theorem1_figure_words_and_panels_sharing_the_gap_axis():
    table = pd.DataFrame(
        [
            dict(dimension=d, latent=k, lam=lam, step=s, relative_gap=(1 + lam) * 10.0**-s)
            for d, k in ((16, 3), (64, 8))
            for lam in (0.0, 1.0)
            for s in (0, 1, 2)
        ]
    )
    table.loc[(table["dimension"] == 64) & (table["step"] == 2), "relative_gap"] = 1e-9
    figure = closed_forms.theorem1_figure(table)
    assert drawn_texts(figure) == [
        ("0 title", "D=16, K=3", TITLE), ("0 xlabel", "Adam step", LABEL),
        ("0 ylabel", "(loss − closed form) / (‖Y‖² + λ‖X‖²)", LABEL),
        ("1 title", "D=64, K=8", TITLE), ("1 xlabel", "Adam step", LABEL),
        ("1 legend", "λ=0", style.LABEL_SIZE), ("1 legend", "λ=1", style.LABEL_SIZE),
    ]  # fmt: skip
    width, height = closed_forms._THEOREM1_PANEL
    assert tuple(figure.get_size_inches()) == (2 * width, height)
    first, second = figure.axes
    assert first.get_shared_y_axes().joined(first, second)
    assert all(drawn_grid(axis) == (True, style.GRID["alpha"]) for axis in figure.axes)


def test_interpolation_figure_words_and_panel_size():
    tables = {"digits": _interpolation_table(0.1), "photos": _interpolation_table(0.5)}
    figure = closed_forms.interpolation_figure(tables)
    assert drawn_texts(figure) == [
        ("0 title", "digits", TITLE), ("0 xlabel", "λ (relative to ‖PᵀP‖/λ₁)", LABEL),
        ("0 ylabel", "supervised residual / ‖Y‖²", LABEL),
        ("1 title", "photos", TITLE), ("1 xlabel", "λ (relative to ‖PᵀP‖/λ₁)", LABEL),
        ("1 legend title", "dotted: PCA (λ=∞)", DEFAULT["legend"]),
        ("1 legend", "K=10", style.LABEL_SIZE), ("1 legend", "K=32", style.LABEL_SIZE),
    ]  # fmt: skip
    width, height = closed_forms._INTERPOLATION_PANEL
    assert tuple(figure.get_size_inches()) == (2 * width, height)
    for axis in figure.axes:
        assert drawn_grid(axis) == (True, style.GRID["alpha"])
        assert [line.get_marker() for line in axis.lines] == [".", "None"] * 2
        assert [line.get_linewidth() for line in axis.lines[1::2]] == [
            closed_forms._PCA_LIMIT["lw"]
        ] * 2


def test_gallery_figure_words_pixels_and_size():
    rows = {name: np.full((2, 3, 5, 1), 300.0) for name in ("original", "top 75%")}
    rows["original"][0, 0, 0, 0] = -7  # a pixel outside 0–255, clipped
    rows = {name: images.astype(np.int16) for name, images in rows.items()}
    figure = closed_forms.gallery_figure(rows, ["0: a", "1: b"], "digits")
    assert drawn_texts(figure) == [
        ("suptitle", "Fig. 9, digits (3×5×1): test images projected on the\ntop and bottom "
         "variance subspaces, mean image added back (0–255)", style.TITLE_SIZE),
        ("0 title", "0: a", style.LABEL_SIZE), ("0 ylabel", "original", style.LABEL_SIZE),
        ("1 title", "1: b", style.LABEL_SIZE),
        ("2 ylabel", "top 75%", style.LABEL_SIZE),
    ]  # fmt: skip
    width, height = closed_forms._GALLERY_IMAGE
    assert tuple(figure.get_size_inches()) == (2 * width, 2 * height)
    first = figure.axes[0].images[0]
    assert first.get_array()[0, 0] == 0 and first.get_array()[0, 1] == 1  # clipped, scaled
    assert first.get_array().dtype == np.float64
    assert first.get_interpolation() == "nearest"
    for axis in figure.axes:
        assert (list(axis.get_xticks()), list(axis.get_yticks())) == ([], [])


def test_closed_form_figures_of_one_panel_and_of_three():
    """The smallest run draws one dataset, one patch size, one image: every figure still
    draws its single panel; with three datasets the legend sits on the last panel."""
    table = _denoising_table()
    one = table[
        (table["dataset"] == "zeta") & ((table["patch"] == 2) | (table["family"] == "gaussian"))
    ]
    figure = closed_forms.denoising_figure(
        one[one["ratio"].isin([0.0, 0.99]) | one["ratio"].isna()], 8
    )
    panel = figure.axes[0]
    # two ratios: the first at the colour map's start, the second at its end; thin lines
    ends = plt.get_cmap(closed_forms._RATIO_COLOURS)([0.0, 1.0])
    assert [matplotlib.colors.to_rgba(line.get_color()) for line in panel.lines[:2]] == [
        tuple(c) for c in ends
    ]
    assert {line.get_linewidth() for line in panel.lines[:2]} == {closed_forms._RATIO_LINE["lw"]}
    screen = pd.DataFrame(
        [("a", "gaussian_s1", 1e-3, 8)],
        columns=["dataset", "noise", "max_subspace_shift", "first_k"],
    )
    assert len(closed_forms.screen_figure(screen).axes) == 1
    trajectory = pd.DataFrame(
        [dict(dimension=4, latent=2, lam=0.0, step=s, relative_gap=1.0 / (s + 1)) for s in (0, 1)]
    )
    assert len(closed_forms.theorem1_figure(trajectory).axes) == 1
    three = {
        name: _interpolation_table(offset) for name, offset in (("a", 0.1), ("b", 0.2), ("c", 0.3))
    }
    figure = closed_forms.interpolation_figure(three)
    assert [axis.get_legend() is not None for axis in figure.axes] == [False, False, True]
    assert len(closed_forms.interpolation_figure({"a": three["a"]}).axes) == 1
    figure = closed_forms.gallery_figure({"original": np.full((1, 2, 2, 1), 128.0)}, ["0: a"], "d")
    assert len(figure.axes) == 1


def test_gallery_figure_keeps_the_0_255_scale_for_images_that_do_not_span_it():
    rows = {"original": np.linspace(100, 200, 12).reshape(1, 3, 4, 1)}
    figure = closed_forms.gallery_figure(rows, ["0: a"], "d")
    image = figure.axes[0].images[0]
    assert image.get_clim() == (0, 1)
    np.testing.assert_array_equal(image.get_array(), rows["original"][0, ..., 0] / 255)
