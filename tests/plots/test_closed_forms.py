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
from lbr.plots import closed_forms


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
    assert figure.axes[0].get_ylabel() == "(loss − closed form) / ‖Y‖² + λ‖X‖²"
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
