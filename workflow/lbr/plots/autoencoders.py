"""Figures of the autoencoder stages (workflow/rules/autoencoders.smk): Figs. 1 (bottom)
and 3's learning dynamics, Fig. 5's guidance pairs, Fig. 6's reconstructions."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd

from .style import FINE_GRID, GRID, LABEL_SIZE, REFERENCE, SMALL_SIZE, TITLE_SIZE

# Unguided models blue, guided green, in Fig. 5 and Fig. 6 alike; in Fig. 5 from these
# colour maps, lighter for smaller latent codes (as the paper).
_MODEL_COLOURS = {"unguided": "tab:blue", "guided": "tab:green"}
_MODEL_SHADES = {"unguided": "Blues", "guided": "Greens"}
_LEGEND_SHADE = 0.8
# Snapshots early (red) to late (blue), with no pale middle that would vanish on white.
_SNAPSHOT_COLOURS = ["#d62728", "#7b3294", "#1f4eb4"]
_SNAPSHOT_TICKS = 8  # at most this many snapshot steps named on the colour bar
_MARKERS = "osD^v<>"  # one per guidance weight, in ascending order
_SNAPSHOT_LINE = {"lw": 0.9}
_ENERGY_LINE = {"color": "black", "lw": 1.6}  # the data's energy: above the snapshots
_PAIR_LINK = {"color": "grey", "lw": 0.6}  # joins the two models of a pair
# Inches: (width per model, height) of Fig. 1 (bottom)/3; (width, height per dataset) of
# Fig. 5 and Fig. 6.
_DYNAMICS_PANEL = (4.4, 7)
_GUIDANCE_SIZE = (9, 6.4)
_RECONSTRUCTION_SIZE = (10, 6.2)


def _parameters(count: int) -> str:
    return f"{count / 1e6:.3g}M" if count >= 1e6 else f"{count / 1e3:.3g}k"


def _model_title(summary: pd.Series) -> str:
    return (
        f"{summary['dataset']}, {summary['arch']} autoencoder "
        f"(latent {summary['latent']}, width {summary['width']}, "
        f"{_parameters(summary['parameters'])} parameters)"
    )


def dynamics_figure(directions: pd.DataFrame, bands: pd.DataFrame, summaries: pd.DataFrame):
    """Figs. 1 (bottom) and 3. Top row: each eigen-direction's reconstruction error on the
    probe images against its index k (log-log), one curve per snapshot from red (early) to
    blue (late), the data's energy along u_k in black (the error of reconstructing nothing).
    Bottom row: each band's energy-weighted relative error against the training step."""
    n = len(summaries)
    figure, axes = plt.subplots(
        2,
        n,
        figsize=(_DYNAMICS_PANEL[0] * n, _DYNAMICS_PANEL[1]),
        squeeze=False,
        layout="constrained",
    )
    colour_map = matplotlib.colors.LinearSegmentedColormap.from_list(
        "early_to_late", _SNAPSHOT_COLOURS
    )
    for column, summary in enumerate(summaries.itertuples(index=False)):
        summary = pd.Series(summary._asdict())
        mine = (directions["dataset"] == summary["dataset"]) & (
            directions["arch"] == summary["arch"]
        )
        table = directions[mine]
        steps = sorted(table["step"].unique())
        spectrum_axis, band_axis = axes[0][column], axes[1][column]
        for index, step in enumerate(steps):
            curve = table[table["step"] == step]
            colour = colour_map(index / max(len(steps) - 1, 1))
            spectrum_axis.plot(curve["k"], curve["error"], color=colour, **_SNAPSHOT_LINE)
        first = table[table["step"] == steps[0]]
        spectrum_axis.plot(first["k"], first["energy"], label="data", **_ENERGY_LINE)
        spectrum_axis.set(xscale="log", yscale="log", xlabel="eigen-direction k (1 = largest)")
        spectrum_axis.set_ylabel("mean squared error along u_k")
        spectrum_axis.set_title(_model_title(summary), fontsize=TITLE_SIZE)
        spectrum_axis.legend(fontsize=LABEL_SIZE, loc="lower left")
        spectrum_axis.grid(**FINE_GRID)
        # One colour per snapshot, in order; the colour bar names their steps.
        scale = plt.cm.ScalarMappable(
            norm=matplotlib.colors.BoundaryNorm(np.arange(len(steps) + 1) - 0.5, colour_map.N),
            cmap=colour_map,
        )
        bar = figure.colorbar(scale, ax=spectrum_axis, label="training step", shrink=0.8)
        shown = np.linspace(0, len(steps) - 1, min(len(steps), _SNAPSHOT_TICKS))
        shown = np.unique(shown.round().astype(int))
        bar.set_ticks(shown, labels=[str(steps[i]) for i in shown])
        mine = (bands["dataset"] == summary["dataset"]) & (bands["arch"] == summary["arch"])
        band_rows = bands[mine & (bands["step"] > 0)]
        groups = list(band_rows.groupby("band"))
        colours = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(groups)))
        for colour, (_band, curve) in zip(colours, groups):
            label = f"k {curve['band_start'].iloc[0]}–{curve['band_stop'].iloc[0]}"
            band_axis.plot(
                curve["step"], curve["relative_error"], color=colour, marker=".", label=label
            )
        band_axis.axhline(0.5, ls="--", label="learned (½ of energy)", **REFERENCE)
        band_axis.set(xscale="log", yscale="log", xlabel="training step")
        band_axis.set_ylabel("Σ error / Σ data energy in band")
        band_axis.set_title(
            f"{summary['dataset']}, {summary['arch']}: bands; "
            f"γ(k, step learned) = {summary['gamma']:+.2f}",
            fontsize=TITLE_SIZE,
        )
        band_axis.legend(fontsize=LABEL_SIZE)
        band_axis.grid(**FINE_GRID)
    return figure


def _pair_colours(latents) -> dict:
    """(unguided, guided) colour per latent size: lighter for smaller codes."""
    shades = np.linspace(0.45, 0.95, len(latents))
    unguided, guided = (plt.get_cmap(_MODEL_SHADES[m]) for m in ("unguided", "guided"))
    return {
        latent: (unguided(shade), guided(shade)) for latent, shade in zip(sorted(latents), shades)
    }


def guidance_figure(pairs: pd.DataFrame):
    """Fig. 5 with the paper's axes, per dataset: test accuracy of the linear (filled) and
    MLP (open) probes of both models of each pair, and the guided model's accuracy relative
    to its unguided twin (%), against the train and the test reconstruction loss."""
    datasets = list(dict.fromkeys(pairs["dataset"]))
    figure, axes = plt.subplots(
        2 * len(datasets),
        2,
        figsize=(_GUIDANCE_SIZE[0], _GUIDANCE_SIZE[1] * len(datasets)),
        squeeze=False,
        layout="constrained",
    )
    weights = sorted(pairs["guidance"].unique())
    markers = dict(zip(weights, _MARKERS))
    for index, dataset in enumerate(datasets):
        subset = pairs[pairs["dataset"] == dataset]
        colours = _pair_colours(subset["latent"].unique())
        for column, split in enumerate(("train", "test")):
            accuracy, relative = axes[2 * index][column], axes[2 * index + 1][column]
            loss = f"{split}_reconstruction_loss"
            for pair in subset.itertuples(index=False):
                pair = pair._asdict()
                blue, green = colours[pair["latent"]]
                for probe, fill in (("linear", True), ("mlp", False)):
                    points = [
                        (
                            pair[f"{loss}_unguided"],
                            100 * pair[f"{probe}_probe_accuracy_unguided"],
                            blue,
                        ),
                        (pair[loss], 100 * pair[f"{probe}_probe_accuracy"], green),
                    ]
                    accuracy.plot([p[0] for p in points], [p[1] for p in points], **_PAIR_LINK)
                    for x, y, colour in points:
                        accuracy.scatter(
                            x,
                            y,
                            marker=markers[pair["guidance"]],
                            facecolors=colour if fill else "none",
                            edgecolors=colour,
                        )
                    relative.scatter(
                        pair[loss],
                        pair[f"{probe}_probe_relative_difference"],
                        marker=markers[pair["guidance"]],
                        facecolors=green if fill else "none",
                        edgecolors=green,
                    )
            relative.axhline(0, **REFERENCE)
            accuracy.set(xlabel=f"{split} reconstruction loss (MSE)", ylabel="test accuracy (%)")
            relative.set(
                xlabel=f"{split} reconstruction loss of the guided model (MSE)",
                ylabel="guided vs unguided accuracy (%, relative)",
            )
            accuracy.set_title(
                f"{dataset}: probes against {split} reconstruction loss", fontsize=TITLE_SIZE
            )
            relative.set_title(f"{dataset}: relative difference per pair", fontsize=TITLE_SIZE)
            for axis in (accuracy, relative):
                axis.grid(**GRID)
                axis.ticklabel_format(axis="x", useOffset=False)
    handles = [
        matplotlib.lines.Line2D(
            [],
            [],
            ls="",
            marker=_MARKERS[0],
            color=plt.get_cmap(_MODEL_SHADES["unguided"])(_LEGEND_SHADE),
            label="unguided (weight 0)",
        ),
        *[
            matplotlib.lines.Line2D(
                [],
                [],
                ls="",
                marker=markers[w],
                color=plt.get_cmap(_MODEL_SHADES["guided"])(_LEGEND_SHADE),
                label=f"guided, weight {w:g}",
            )
            for w in weights
            if w > 0
        ],
        matplotlib.lines.Line2D([], [], ls="", marker="o", color="k", label="linear probe"),
        matplotlib.lines.Line2D(
            [], [], ls="", marker="o", mfc="none", color="k", label="MLP probe"
        ),
    ]
    latents = ", ".join(str(v) for v in sorted(pairs["latent"].unique()))
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=3,
        fontsize=LABEL_SIZE,
        title=f"latent sizes {latents}: lighter = smaller",
        title_fontsize=LABEL_SIZE,
    )
    return figure


def _curves_axes(axes, pair: pd.Series, curves: pd.DataFrame) -> None:
    """Fig. 6's training curves for one pair: reconstruction losses and probe accuracies."""
    styles = {
        0.0: (_MODEL_COLOURS["unguided"], "unguided"),
        float(pair["guidance"]): (_MODEL_COLOURS["guided"], f"guided, weight {pair['guidance']:g}"),
    }
    for guidance, run in curves.groupby("guidance"):
        colour, name = styles[float(guidance)]
        axes[0].plot(
            run["epoch"], run["train_reconstruction_loss"], color=colour, label=f"{name}, train"
        )
        axes[0].plot(
            run["epoch"],
            run["test_reconstruction_loss"],
            color=colour,
            ls="--",
            label=f"{name}, test",
        )
        for axis, probe in zip(axes[1:], ("linear", "mlp")):
            axis.plot(
                run["epoch"],
                100 * run[f"{probe}_probe_accuracy"],
                color=colour,
                marker=".",
                label=name,
            )
    axes[0].set(ylabel="reconstruction loss (MSE)")
    axes[0].ticklabel_format(axis="y", useOffset=False)
    axes[1].set(ylabel="linear probe test accuracy (%)")
    axes[2].set(ylabel="MLP probe test accuracy (%)")
    for axis in axes:
        axis.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        axis.set_xlabel("epoch")
        axis.grid(**GRID)
        axis.legend(fontsize=SMALL_SIZE)


def _unit_range(image) -> np.ndarray:
    """An image scaled to [0, 1] for display (constant images shown black)."""
    image = np.asarray(image, dtype=np.float64)
    low, high = image.min(), image.max()
    return (image - low) / (high - low) if high > low else np.zeros_like(image)


def reconstruction_figure(panels):
    """Fig. 6, per dataset: test images and their reconstructions by the unguided and the
    guided model of the chosen pair (each image scaled to [0, 1] for display), then both
    models' training curves."""
    figure = plt.figure(
        figsize=(_RECONSTRUCTION_SIZE[0], _RECONSTRUCTION_SIZE[1] * len(panels)),
        layout="constrained",
    )
    blocks = np.atleast_1d(figure.subfigures(len(panels), 1))
    for block, (pair, originals, unguided, guided, curves) in zip(blocks, panels):
        top, bottom = block.subfigures(2, 1, height_ratios=[1.1, 1])
        rows = [
            ("original", originals),
            (
                f"unguided\ntest rec {pair['test_reconstruction_loss_unguided']:.3g}\n"
                f"linear probe {100 * pair['linear_probe_accuracy_unguided']:.0f}%",
                unguided.transpose(0, 2, 3, 1),
            ),
            (
                f"guided, weight {pair['guidance']:g}\n"
                f"test rec {pair['test_reconstruction_loss']:.3g}\n"
                f"linear probe {100 * pair['linear_probe_accuracy']:.0f}%",
                guided.transpose(0, 2, 3, 1),
            ),
        ]
        count = len(originals)
        image_axes = top.subplots(len(rows), count, squeeze=False, gridspec_kw={"wspace": 0.05})
        for r, (label, images) in enumerate(rows):
            for c in range(count):
                image = _unit_range(images[c])
                image_axes[r][c].imshow(
                    image.squeeze(), cmap="gray" if image.shape[-1] == 1 else None
                )
                image_axes[r][c].set_xticks([])
                image_axes[r][c].set_yticks([])
            image_axes[r][0].set_ylabel(
                label, fontsize=SMALL_SIZE, rotation=0, ha="right", va="center"
            )
        top.suptitle(
            f"{pair['dataset']}: {pair['arch']} autoencoders, latent {pair['latent']}, "
            f"{_parameters(pair['parameters'])} parameters (test images)",
            fontsize=TITLE_SIZE,
        )
        _curves_axes(bottom.subplots(1, 3), pair, curves)
    return figure
