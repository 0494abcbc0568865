"""Figures of the closed-form stages (workflow/rules/closed_forms.smk): Fig. 2's
alignment, Fig. 7's denoising and its label-free screen, Fig. 8 and Theorem 1's
interpolation, Fig. 9's gallery."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..spectral.denoising_table import in_fig7_range
from .style import GRID, LABEL_SIZE, SMALL_SIZE, TITLE_SIZE, ZERO_LINE

# Inches: Fig. 2's two panels; (width, height) of one panel of the others, each figure
# as many panels wide (and for Fig. 7, high) as it has datasets (settings, patch sizes).
_ALIGNMENT_SIZE = (6, 7)
_DENOISING_PANEL = (3.2, 2.4)
_SCREEN_PANEL = (4.4, 3.4)  # the smallest; taller with more noises:
_SCREEN_ROW = 0.13  # inches per noise (a SMALL_SIZE label and its spacing)
_SCREEN_MARGIN = 1.0  # inches for the title, the axis label and the ticks
_THEOREM1_PANEL = (3.4, 3)
_INTERPOLATION_PANEL = (4, 3.2)
_GALLERY_IMAGE = (1.3, 1.4)
# Colour maps of a line family: masking ratio (Fig. 7), λ (Fig. 8).
_RATIO_COLOURS = "cool"
_LAMBDA_COLOURS = "viridis"
_RATIO_LINE = {"lw": 1}  # many ratios per panel: thin
_PCA_LIMIT = {"ls": ":", "lw": 0.8}  # λ = ∞, in its K's colour
# Log axes cannot show 0: a shift or gap below this is drawn at it.
_LOG_FLOOR = {"shift": 1e-17, "gap": 1e-16}


def alignment_figure(tables: dict[str, pd.DataFrame], column: str = "alignment_percent"):
    """Fig. 2: alignment against K (top) and against K/D (bottom), one line per dataset."""
    figure, (by_k, by_ratio) = plt.subplots(2, 1, figsize=_ALIGNMENT_SIZE)
    for name, table in tables.items():
        dimension = table["dimension"].iloc[0]
        by_k.plot(table["K"], table[column], label=f"{name} (D={dimension})")
        by_ratio.plot(table["K"] / dimension, table[column], label=name)
    by_k.set_xscale("log")
    by_k.set_xlabel("latent dimension K")
    by_ratio.set_xlabel("K / D")
    for axis in (by_k, by_ratio):
        axis.set_ylabel("alignment (%)" if "percent" in column else "alignment")
        axis.grid(**GRID)
    by_k.legend(fontsize=LABEL_SIZE)
    figure.suptitle("Eq. (7): supervised fit reachable from the top-K PCA features")
    return figure


def denoising_figure(table: pd.DataFrame, k_min: int):
    """Fig. 7: relative change of the percent-form alignment A% against K (the authors'
    100·(A%noisy − A%clean)/A%clean), rows = patch size, columns = dataset, one line per
    masking ratio (cyan → pink), over the K range the paper plots."""
    masking = in_fig7_range(table[table["family"] == "masking"], k_min)
    patches = sorted(masking["patch"].unique())
    datasets = list(dict.fromkeys(masking["dataset"]))
    ratios = sorted(masking["ratio"].unique())
    colours = plt.get_cmap(_RATIO_COLOURS)(np.linspace(0, 1, max(len(ratios), 2)))
    figure, axes = plt.subplots(
        len(patches),
        len(datasets),
        figsize=(_DENOISING_PANEL[0] * len(datasets), _DENOISING_PANEL[1] * len(patches)),
        squeeze=False,
        sharex="col",
    )
    for row, patch in enumerate(patches):
        for column, dataset in enumerate(datasets):
            axis = axes[row][column]
            subset = masking[(masking["patch"] == patch) & (masking["dataset"] == dataset)]
            for colour, ratio in zip(colours, ratios):
                curve = subset[subset["ratio"] == ratio]
                axis.plot(curve["K"], curve["relative_change_percent"], color=colour, **_RATIO_LINE)
            axis.axhline(0, **ZERO_LINE)
            axis.grid(**GRID)
            if row == 0:
                axis.set_title(dataset)
            if column == 0:
                axis.set_ylabel(f"patch {int(patch)}×{int(patch)}\n100·ΔA% / A%clean")
            if row == len(patches) - 1:
                axis.set_xlabel("K")
    mappable = plt.cm.ScalarMappable(
        cmap=_RATIO_COLOURS, norm=plt.Normalize(min(ratios), max(ratios))
    )
    figure.colorbar(mappable, ax=axes, label="masking ratio", shrink=0.6)
    return figure


def screen_figure(screen: pd.DataFrame):
    """Task-agnostic screen: how far each noise moves the encoder's top-K subspace from
    PCA's, over the K range Fig. 7 plots (screen_summary's table)."""
    datasets = list(dict.fromkeys(screen["dataset"]))
    rows = int(screen.groupby("dataset").size().max())
    height = max(_SCREEN_PANEL[1], _SCREEN_MARGIN + _SCREEN_ROW * rows)  # labels never overlap
    figure, axes = plt.subplots(
        1,
        len(datasets),
        figsize=(_SCREEN_PANEL[0] * len(datasets), height),
        squeeze=False,
        layout="constrained",
    )
    for axis, dataset in zip(axes[0], datasets):
        subset = screen[screen["dataset"] == dataset]
        summary = subset.set_index("noise")["max_subspace_shift"].sort_values()
        axis.barh(summary.index, np.maximum(summary.to_numpy(), _LOG_FLOOR["shift"]))
        axis.set_xscale("log")
        axis.set_xlim(left=_LOG_FLOOR["shift"])
        axis.set_title(dataset)
        axis.set_xlabel(f"max over K ≥ {int(subset['first_k'].min())} of mean sin² principal angle")
        axis.tick_params(axis="y", labelsize=SMALL_SIZE)
    figure.suptitle("Label-free screen: noises at ~0 can never change any task's alignment")
    return figure


def theorem1_figure(trajectories: pd.DataFrame):
    """Fig. 8: relative gap of Adam's loss to the closed-form minimum, per step (log scale)."""
    settings = (
        trajectories[["dimension", "latent"]].drop_duplicates().sort_values(["dimension", "latent"])
    )
    figure, axes = plt.subplots(
        1,
        len(settings),
        figsize=(_THEOREM1_PANEL[0] * len(settings), _THEOREM1_PANEL[1]),
        squeeze=False,
        sharey=True,
    )
    lambdas = sorted(trajectories["lam"].unique())
    colours = plt.get_cmap(_LAMBDA_COLOURS)(np.linspace(0, 0.9, len(lambdas)))
    for axis, (_, setting) in zip(axes[0], settings.iterrows()):
        subset = trajectories[
            (trajectories["dimension"] == setting["dimension"])
            & (trajectories["latent"] == setting["latent"])
        ]
        for colour, lam in zip(colours, lambdas):
            curve = subset[subset["lam"] == lam]
            axis.plot(
                curve["step"],
                np.maximum(curve["relative_gap"], _LOG_FLOOR["gap"]),
                color=colour,
                label=f"λ={lam:g}",
            )
        axis.set_yscale("log")
        axis.set_title(f"D={setting['dimension']}, K={setting['latent']}")
        axis.set_xlabel("Adam step")
        axis.grid(**GRID)
    axes[0][0].set_ylabel("(loss − closed form) / (‖Y‖² + λ‖X‖²)")
    axes[0][-1].legend(fontsize=LABEL_SIZE)
    return figure


def interpolation_figure(tables: dict[str, pd.DataFrame]):
    """Theorem 1's interpolation: supervised residual of the optimal encoder from λ=0 to ∞."""
    figure, axes = plt.subplots(
        1,
        len(tables),
        figsize=(_INTERPOLATION_PANEL[0] * len(tables), _INTERPOLATION_PANEL[1]),
        squeeze=False,
    )
    for axis, (name, table) in zip(axes[0], tables.items()):
        finite = table[np.isfinite(table["lambda_relative"]) & (table["lambda_relative"] > 0)]
        for k, curve in finite.groupby("K"):
            (line,) = axis.plot(
                curve["lambda_relative"],
                curve["supervised_residual_fraction"],
                marker=".",
                label=f"K={k}",
            )
            ends = table[(table["K"] == k) & ~np.isfinite(table["lambda_relative"])]
            axis.axhline(
                ends["supervised_residual_fraction"].iloc[0], color=line.get_color(), **_PCA_LIMIT
            )
        axis.set_xscale("log")
        axis.set_title(name)
        axis.set_xlabel("λ (relative to ‖PᵀP‖/λ₁)")
        axis.grid(**GRID)
    axes[0][0].set_ylabel("supervised residual / ‖Y‖²")
    axes[0][-1].legend(fontsize=LABEL_SIZE, title="dotted: PCA (λ=∞)")
    return figure


def gallery_figure(rows: dict[str, np.ndarray], titles: list[str], dataset: str):
    """Fig. 9: images (columns) per version (rows: original, top, bottom), all in pixel
    units on one 0–255 scale (values outside are clipped), at the images' own resolution."""
    count = len(next(iter(rows.values())))
    height, width, channels = np.asarray(next(iter(rows.values()))).shape[1:]
    figure, axes = plt.subplots(
        len(rows),
        count,
        figsize=(_GALLERY_IMAGE[0] * count, _GALLERY_IMAGE[1] * len(rows)),
        squeeze=False,
    )
    for r, (label, images) in enumerate(rows.items()):
        for c in range(count):
            image = np.clip(np.asarray(images[c], dtype=np.float64), 0, 255) / 255
            axes[r][c].imshow(
                image.squeeze(),
                cmap="gray" if channels == 1 else None,
                vmin=0,
                vmax=1,
                interpolation="nearest",
            )
            axes[r][c].set_xticks([])
            axes[r][c].set_yticks([])
            if c == 0:
                axes[r][c].set_ylabel(label, fontsize=LABEL_SIZE)
            if r == 0:
                axes[r][c].set_title(titles[c], fontsize=LABEL_SIZE)
    figure.suptitle(
        f"Fig. 9, {dataset} ({height}×{width}×{channels}): test images projected on the\n"
        "top and bottom variance subspaces, mean image added back (0–255)",
        fontsize=TITLE_SIZE,
    )
    return figure
