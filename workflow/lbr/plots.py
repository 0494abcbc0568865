"""One function per figure: tables in, figure out (PNG and PDF, written atomically)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from . import paper  # noqa: E402
from .atomic import atomic_path  # noqa: E402
from .r1_prediction import (  # noqa: E402
    AGREES,
    BOTTOM_WINS,
    DISAGREES,
    HIGH_ALIGNMENT,
    NOT_TRAINED,
    PREDICTOR_K,
    TOP_WINS,
    headline_accuracies,
    headline_runs_of,
    headline_seeds,
    rank_relation,
)
from .spectral.denoising_table import in_fig7_range  # noqa: E402
from .stats import RANK_ALPHA  # noqa: E402
from .train.convergence import STILL_RISING  # noqa: E402


def save_figure(figure, png_path: str | Path, pdf_path: str | Path | None = None) -> None:
    for path, kind in ((png_path, "png"), (pdf_path, "pdf")):
        if path is None:
            continue
        with atomic_path(path) as tmp:
            figure.savefig(tmp, format=kind, dpi=150, bbox_inches="tight")
    plt.close(figure)


def alignment_figure(tables: dict[str, pd.DataFrame], column: str = "alignment_percent"):
    """Fig. 2: alignment against K (top) and against K/D (bottom), one line per dataset."""
    figure, (by_k, by_ratio) = plt.subplots(2, 1, figsize=(6, 7))
    for name, table in tables.items():
        dimension = table["dimension"].iloc[0]
        by_k.plot(table["K"], table[column], label=f"{name} (D={dimension})")
        by_ratio.plot(table["K"] / dimension, table[column], label=name)
    by_k.set_xscale("log")
    by_k.set_xlabel("latent dimension K")
    by_ratio.set_xlabel("K / D")
    for axis in (by_k, by_ratio):
        axis.set_ylabel("alignment (%)" if "percent" in column else "alignment")
        axis.grid(alpha=0.3)
    by_k.legend(fontsize=8)
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
    colours = plt.get_cmap("cool")(np.linspace(0, 1, max(len(ratios), 2)))
    figure, axes = plt.subplots(
        len(patches),
        len(datasets),
        figsize=(3.2 * len(datasets), 2.4 * len(patches)),
        squeeze=False,
        sharex="col",
    )
    for row, patch in enumerate(patches):
        for column, dataset in enumerate(datasets):
            axis = axes[row][column]
            subset = masking[(masking["patch"] == patch) & (masking["dataset"] == dataset)]
            for colour, ratio in zip(colours, ratios):
                curve = subset[subset["ratio"] == ratio]
                axis.plot(curve["K"], curve["relative_change_percent"], color=colour, lw=1)
            axis.axhline(0, color="black", lw=0.6)
            axis.grid(alpha=0.3)
            if row == 0:
                axis.set_title(dataset)
            if column == 0:
                axis.set_ylabel(f"patch {int(patch)}×{int(patch)}\n100·ΔA% / A%clean")
            if row == len(patches) - 1:
                axis.set_xlabel("K")
    mappable = plt.cm.ScalarMappable(cmap="cool", norm=plt.Normalize(min(ratios), max(ratios)))
    figure.colorbar(mappable, ax=axes, label="masking ratio", shrink=0.6)
    return figure


def screen_figure(screen: pd.DataFrame):
    """Task-agnostic screen: how far each noise moves the encoder's top-K subspace from
    PCA's, over the K range Fig. 7 plots (screen_summary's table)."""
    datasets = list(dict.fromkeys(screen["dataset"]))
    figure, axes = plt.subplots(
        1, len(datasets), figsize=(4.4 * len(datasets), 3.4), squeeze=False, layout="constrained"
    )
    for axis, dataset in zip(axes[0], datasets):
        subset = screen[screen["dataset"] == dataset]
        summary = subset.set_index("noise")["max_subspace_shift"].sort_values()
        axis.barh(summary.index, np.maximum(summary.to_numpy(), 1e-17))
        axis.set_xscale("log")
        axis.set_xlim(left=1e-17)
        axis.set_title(dataset)
        axis.set_xlabel(f"max over K ≥ {int(subset['first_k'].min())} of mean sin² principal angle")
        axis.tick_params(axis="y", labelsize=6)
    figure.suptitle("Label-free screen: noises at ~0 can never change any task's alignment")
    return figure


def theorem1_figure(trajectories: pd.DataFrame):
    """Fig. 8: relative gap of Adam's loss to the closed-form minimum, per step (log scale)."""
    settings = (
        trajectories[["dimension", "latent"]].drop_duplicates().sort_values(["dimension", "latent"])
    )
    figure, axes = plt.subplots(
        1, len(settings), figsize=(3.4 * len(settings), 3), squeeze=False, sharey=True
    )
    lambdas = sorted(trajectories["lam"].unique())
    colours = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(lambdas)))
    for axis, (_, setting) in zip(axes[0], settings.iterrows()):
        subset = trajectories[
            (trajectories["dimension"] == setting["dimension"])
            & (trajectories["latent"] == setting["latent"])
        ]
        for colour, lam in zip(colours, lambdas):
            curve = subset[subset["lam"] == lam]
            axis.plot(
                curve["step"],
                np.maximum(curve["relative_gap"], 1e-16),
                color=colour,
                label=f"λ={lam:g}",
            )
        axis.set_yscale("log")
        axis.set_title(f"D={setting['dimension']}, K={setting['latent']}")
        axis.set_xlabel("Adam step")
        axis.grid(alpha=0.3)
    axes[0][0].set_ylabel("(loss − closed form) / ‖Y‖² + λ‖X‖²")
    axes[0][-1].legend(fontsize=8)
    return figure


def interpolation_figure(tables: dict[str, pd.DataFrame]):
    """Theorem 1's interpolation: supervised residual of the optimal encoder from λ=0 to ∞."""
    figure, axes = plt.subplots(1, len(tables), figsize=(4 * len(tables), 3.2), squeeze=False)
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
                ends["supervised_residual_fraction"].iloc[0], color=line.get_color(), ls=":", lw=0.8
            )
        axis.set_xscale("log")
        axis.set_title(name)
        axis.set_xlabel("λ (relative to ‖PᵀP‖/λ₁)")
        axis.grid(alpha=0.3)
    axes[0][0].set_ylabel("supervised residual / ‖Y‖²")
    axes[0][-1].legend(fontsize=8, title="dotted: PCA (λ=∞)")
    return figure


def _unit_range(image) -> np.ndarray:
    """An image scaled to [0, 1] for display (constant images shown black)."""
    image = np.asarray(image, dtype=np.float64)
    low, high = image.min(), image.max()
    return (image - low) / (high - low) if high > low else np.zeros_like(image)


def gallery_figure(rows: dict[str, np.ndarray], titles: list[str], dataset: str):
    """Fig. 9: images (columns) per version (rows: original, top, bottom), all in pixel
    units on one 0–255 scale (values outside are clipped), at the images' own resolution."""
    count = len(next(iter(rows.values())))
    height, width, channels = np.asarray(next(iter(rows.values()))).shape[1:]
    figure, axes = plt.subplots(
        len(rows), count, figsize=(1.3 * count, 1.4 * len(rows)), squeeze=False
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
                axes[r][c].set_ylabel(label, fontsize=7)
            if r == 0:
                axes[r][c].set_title(titles[c], fontsize=7)
    figure.suptitle(
        f"Fig. 9, {dataset} ({height}×{width}×{channels}): test images projected on the\n"
        "top and bottom variance subspaces, mean image added back (0–255)",
        fontsize=8,
    )
    return figure


def subspace_figure(table: pd.DataFrame):
    """Fig. 4: test accuracy against the variance fraction kept, top (red) vs bottom (blue),
    one panel per dataset; dashed lines with augmentation."""
    runs = table[table["side"].isin(["top", "bottom"])]
    datasets = list(dict.fromkeys(runs["dataset"]))
    figure, axes = plt.subplots(1, len(datasets), figsize=(3.6 * len(datasets), 3.2), squeeze=False)
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
                color="tab:red" if side == "top" else "tab:blue",
                ls="--" if augment else "-",
                label=f"{side}{' + aug' if augment else ''}",
            )
        axis.set_title(dataset)
        axis.set_xlabel("variance kept (%)")
        axis.grid(alpha=0.3)
    axes[0][0].set_ylabel("test accuracy (%)")
    axes[0][-1].legend(fontsize=8)
    return figure


# How the two 95% intervals are drawn wherever an accuracy or a gap carries them: over
# seeds (t) as a thin bar with caps, over test images (paired bootstrap) as a broad pale bar.
_SEEDS_STYLE = dict(fmt="none", ecolor="black", elinewidth=1.0, capsize=3, zorder=4)
_BOOTSTRAP_STYLE = dict(fmt="none", ecolor="black", elinewidth=5, alpha=0.25, zorder=3)


def _interval_handles(paired: bool) -> list:
    bootstrap = "paired bootstrap" if paired else "bootstrap"
    return [
        matplotlib.lines.Line2D(
            [], [], color="black", lw=1.0, marker="_", markersize=8,
            label="95% t-interval over seeds",
        ),
        matplotlib.lines.Line2D(
            [], [], color="black", lw=5, alpha=0.25,
            label=f"95% {bootstrap} over test images",
        ),
    ]  # fmt: skip


def _drawn_handles(table: pd.DataFrame, prefixes: list[str], paired: bool) -> list:
    """Legend entries of the interval kinds that `table` has for any of `prefixes`."""
    drawn = [
        any(table[f"{p}_{kind}_low"].notna().any() for p in prefixes)
        for kind in ("seeds", "bootstrap")
    ]
    return [h for h, shown in zip(_interval_handles(paired), drawn) if shown]


def _draw_intervals(axis, x, row, prefix: str) -> None:
    """Both intervals of `prefix` in a verdicts row (lbr.stats.interval_columns), in
    points, at x; an absent interval (nan) is not drawn."""
    centre = 100 * row[prefix]
    for kind, style in (("bootstrap", _BOOTSTRAP_STYLE), ("seeds", _SEEDS_STYLE)):
        low, high = row[f"{prefix}_{kind}_low"], row[f"{prefix}_{kind}_high"]
        if np.isnan(low) or np.isnan(high):
            continue
        error = [[centre - 100 * low], [100 * high - centre]]
        axis.errorbar([x], [centre], yerr=np.maximum(error, 0), **style)


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
    if curves is None:
        figure, axis = plt.subplots(figsize=(1.6 * len(datasets) + 2, 3.2))
    else:
        width = max(1.6 * len(datasets) + 2, 3.2 * len(datasets))
        figure = plt.figure(figsize=(width, 6.8), layout="constrained")
        grid = figure.add_gridspec(2, len(datasets))
        axis = figure.add_subplot(grid[0, :])
    width = 0.38
    seeds = headline_seeds(table, headline)
    rows = None if verdicts is None else verdicts.set_index("dataset")
    for offset, (side, colour) in enumerate((("top", "tab:red"), ("bottom", "tab:blue"))):
        centres = np.arange(len(datasets)) + (offset - 0.5) * width
        bars = axis.bar(
            centres,
            100 * accuracies[f"{side}_accuracy"],
            width,
            color=colour,
            label=f"{side} {100 * headline[side]:.0f}% of variance",
        )
        axis.bar_label(bars, fmt="%.1f", fontsize=7, label_type="center", color="white")
        for centre, dataset in zip(centres, datasets):
            values = seeds.loc[seeds["dataset"] == dataset, f"{side}_accuracy"]
            if len(values) > 1:
                axis.plot(
                    np.full(len(values), centre),
                    100 * values,
                    ls="",
                    marker="o",
                    ms=3,
                    mfc="white",
                    mec="black",
                    mew=0.7,
                    zorder=5,
                )
            if rows is not None and dataset in rows.index:
                _draw_intervals(axis, centre, rows.loc[dataset], f"{side}_accuracy")
    axis.set_xticks(np.arange(len(datasets)), datasets)
    axis.set_ylabel("test accuracy (%)")
    handles, _ = axis.get_legend_handles_labels()
    if rows is not None:
        handles += _drawn_handles(rows, ["top_accuracy", "bottom_accuracy"], paired=False)
    if seeds.groupby("dataset").size().max() > 1 if len(seeds) else False:
        handles.append(
            matplotlib.lines.Line2D(
                [], [], ls="", marker="o", ms=3, mfc="white", mec="black", label="one seed"
            ),
        )
    axis.legend(
        handles=handles, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2
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
    axis.set_title(f"This run{augmented}{seed_note}.\nPaper, {paper.headline_text()}", fontsize=8)
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
        colour = "tab:red" if run["side"] == "top" else "tab:blue"
        axis.plot(mine["epoch"], 100 * mine["test_accuracy"], color=colour, lw=1, marker=".")
        rising = run.get("still_rising")
        if rising is not None and not pd.isna(rising) and bool(rising):
            flagged = True
            last = mine.iloc[-1]
            axis.plot(
                [last["epoch"]], [100 * last["test_accuracy"]], ls="", marker="^", ms=9,
                mfc="none", mec="black", zorder=5,
            )  # fmt: skip
        start = run.get("late_rise_from")
        if start is not None and not pd.isna(start):
            window = (float(start), float(run["final_epoch"]))
    if window is not None:
        axis.axvspan(*window, color="grey", alpha=0.12, lw=0)
    axis.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axis.set_xlabel("epoch")
    axis.set_ylabel("test accuracy (%)")
    axis.grid(alpha=0.3)
    seeds = runs["seed"].nunique()
    handles = [
        matplotlib.lines.Line2D([], [], color="tab:red", marker=".", label="top"),
        matplotlib.lines.Line2D([], [], color="tab:blue", marker=".", label="bottom"),
    ]
    if flagged:
        handles.append(
            matplotlib.lines.Line2D(
                [], [], ls="", marker="^", mfc="none", mec="black",
                label=f"still rising (> {100 * STILL_RISING:g} point)",
            )
        )  # fmt: skip
    axis.legend(handles=handles, fontsize=6, loc="lower right")
    shade = "shaded: the last fifth of training" if window is not None else "run too short"
    axis.set_title(
        f"{dataset}: test accuracy per epoch, {seeds} seed{'s' if seeds != 1 else ''} a "
        f"side\n{shade}; ▲ rose > {100 * STILL_RISING:g} point there",
        fontsize=7,
    )


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
    figure, axes = plt.subplots(2, n, figsize=(4.4 * n, 7), squeeze=False, layout="constrained")
    # Early snapshots red, late ones blue; no pale middle that would vanish on white.
    colour_map = matplotlib.colors.LinearSegmentedColormap.from_list(
        "early_to_late", ["#d62728", "#7b3294", "#1f4eb4"]
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
            spectrum_axis.plot(curve["k"], curve["error"], color=colour, lw=0.9)
        first = table[table["step"] == steps[0]]
        spectrum_axis.plot(first["k"], first["energy"], color="black", lw=1.6, label="data")
        spectrum_axis.set(xscale="log", yscale="log", xlabel="eigen-direction k (1 = largest)")
        spectrum_axis.set_ylabel("mean squared error along u_k")
        spectrum_axis.set_title(_model_title(summary), fontsize=8)
        spectrum_axis.legend(fontsize=7, loc="lower left")
        spectrum_axis.grid(alpha=0.3, which="both", lw=0.3)
        # One colour per snapshot, in order; the colour bar names their steps.
        scale = plt.cm.ScalarMappable(
            norm=matplotlib.colors.BoundaryNorm(np.arange(len(steps) + 1) - 0.5, colour_map.N),
            cmap=colour_map,
        )
        bar = figure.colorbar(scale, ax=spectrum_axis, label="training step", shrink=0.8)
        shown = np.unique(np.linspace(0, len(steps) - 1, min(len(steps), 8)).round().astype(int))
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
        band_axis.axhline(0.5, color="grey", lw=0.8, ls="--", label="learned (½ of energy)")
        band_axis.set(xscale="log", yscale="log", xlabel="training step")
        band_axis.set_ylabel("Σ error / Σ data energy in band")
        band_axis.set_title(
            f"{summary['dataset']}, {summary['arch']}: bands; "
            f"γ(k, step learned) = {summary['gamma']:+.2f}",
            fontsize=8,
        )
        band_axis.legend(fontsize=7)
        band_axis.grid(alpha=0.3, which="both", lw=0.3)
    return figure


def _pair_colours(latents) -> dict:
    """Unguided models blue, guided green; lighter for smaller latent codes (as Fig. 5)."""
    shades = np.linspace(0.45, 0.95, len(latents))
    return {
        latent: (plt.get_cmap("Blues")(shade), plt.get_cmap("Greens")(shade))
        for latent, shade in zip(sorted(latents), shades)
    }


def guidance_figure(pairs: pd.DataFrame):
    """Fig. 5 with the paper's axes, per dataset: test accuracy of the linear (filled) and
    MLP (open) probes of both models of each pair, and the guided model's accuracy relative
    to its unguided twin (%), against the train and the test reconstruction loss."""
    datasets = list(dict.fromkeys(pairs["dataset"]))
    figure, axes = plt.subplots(
        2 * len(datasets),
        2,
        figsize=(9, 6.4 * len(datasets)),
        squeeze=False,
        layout="constrained",
    )
    weights = sorted(pairs["guidance"].unique())
    markers = dict(zip(weights, "osD^v<>"))
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
                    accuracy.plot(
                        [p[0] for p in points], [p[1] for p in points], color="grey", lw=0.6
                    )
                    for x, y, colour in points:
                        accuracy.scatter(
                            x,
                            y,
                            s=36,
                            marker=markers[pair["guidance"]],
                            facecolors=colour if fill else "none",
                            edgecolors=colour,
                        )
                    relative.scatter(
                        pair[loss],
                        pair[f"{probe}_probe_relative_difference"],
                        s=36,
                        marker=markers[pair["guidance"]],
                        facecolors=green if fill else "none",
                        edgecolors=green,
                    )
            relative.axhline(0, color="grey", lw=0.8)
            accuracy.set(xlabel=f"{split} reconstruction loss (MSE)", ylabel="test accuracy (%)")
            relative.set(
                xlabel=f"{split} reconstruction loss of the guided model (MSE)",
                ylabel="guided vs unguided accuracy (%, relative)",
            )
            accuracy.set_title(f"{dataset}: probes against {split} reconstruction loss", fontsize=9)
            relative.set_title(f"{dataset}: relative difference per pair", fontsize=9)
            for axis in (accuracy, relative):
                axis.grid(alpha=0.3)
                axis.ticklabel_format(axis="x", useOffset=False)
    handles = [
        matplotlib.lines.Line2D(
            [], [], ls="", marker="o", color=plt.get_cmap("Blues")(0.8), label="unguided (weight 0)"
        ),
        *[
            matplotlib.lines.Line2D(
                [],
                [],
                ls="",
                marker=markers[w],
                color=plt.get_cmap("Greens")(0.8),
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
        fontsize=8,
        title=f"latent sizes {latents}: lighter = smaller",
        title_fontsize=8,
    )
    return figure


def _curves_axes(axes, pair: pd.Series, curves: pd.DataFrame) -> None:
    """Fig. 6's training curves for one pair: reconstruction losses and probe accuracies."""
    styles = {
        0.0: ("tab:blue", "unguided"),
        float(pair["guidance"]): ("tab:orange", f"guided, weight {pair['guidance']:g}"),
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
        axis.grid(alpha=0.3)
        axis.legend(fontsize=6)


def reconstruction_figure(panels):
    """Fig. 6, per dataset: test images and their reconstructions by the unguided and the
    guided model of the chosen pair (each image scaled to [0, 1] for display), then both
    models' training curves."""
    figure = plt.figure(figsize=(10, 6.2 * len(panels)), layout="constrained")
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
            image_axes[r][0].set_ylabel(label, fontsize=6, rotation=0, ha="right", va="center")
        top.suptitle(
            f"{pair['dataset']}: {pair['arch']} autoencoders, latent {pair['latent']}, "
            f"{_parameters(pair['parameters'])} parameters (test images)",
            fontsize=9,
        )
        _curves_axes(bottom.subplots(1, 3), pair, curves)
    return figure


_READING_COLOURS = {AGREES: "tab:green", DISAGREES: "black"}
_UNDECIDED_COLOUR = "tab:orange"


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
    return max(5.0, 1.15 * largest)


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
    figure, (main, secondary) = plt.subplots(1, 2, figsize=(11.5, 4.6), layout="constrained")
    rank = rank_relation(verdicts)
    for axis in (main, secondary):
        axis.axhline(0, color="black", lw=0.6)
        for row in trained.to_dict("records"):
            x, gap = row[alignment], 100 * row["bottom_minus_top"]
            _draw_intervals(axis, x, row, "bottom_minus_top")
            if axis is main:
                colour = "black"
            else:
                colour = _READING_COLOURS.get(row["threshold_verdict"], _UNDECIDED_COLOUR)
            axis.scatter(x, gap, color=colour, zorder=5)
            axis.annotate(
                f"{row['dataset']} (D={row['dimension']})",
                (x, gap),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=7,
            )
        axis.set_xlim(0, 1)
        axis.set_ylim(-span, span)
        axis.set_xlabel(f"closed-form alignment at K={PREDICTOR_K} (Eq. 7, fraction)")
        axis.grid(alpha=0.3)
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
        fontsize=8,
    )
    gap_handles = _drawn_handles(trained, ["bottom_minus_top"], paired=True)
    if gap_handles:
        main.legend(handles=gap_handles, fontsize=7, loc="lower left")
    secondary.axvspan(0, HIGH_ALIGNMENT, ymin=0.5, ymax=1, color="tab:blue", alpha=0.12, lw=0)
    secondary.axvspan(HIGH_ALIGNMENT, 1, ymin=0, ymax=0.5, color="tab:red", alpha=0.12, lw=0)
    secondary.axvline(HIGH_ALIGNMENT, color="grey", ls="--", lw=0.8)
    secondary.text(
        0.02, 0.97 * span, f"predicted: {BOTTOM_WINS}", color="tab:blue", va="top", fontsize=8
    )
    secondary.text(
        0.98, -0.97 * span, f"predicted: {TOP_WINS}", color="tab:red", ha="right", fontsize=8
    )
    missing = verdicts[verdicts["outcome"] == NOT_TRAINED]["dataset"].tolist()
    note = f"\nnot trained: {', '.join(missing)}" if missing else ""
    secondary.set_title(
        f"Secondary reading: alignment threshold {HIGH_ALIGNMENT}\n(shaded: where the "
        f"outcome would agree with the prediction){note}",
        fontsize=8,
    )
    verdict_handles = [
        matplotlib.lines.Line2D([], [], ls="", marker="o", color=colour, label=label)
        for colour, label in (
            (_READING_COLOURS[AGREES], "agrees"),
            (_READING_COLOURS[DISAGREES], "disagrees"),
            (_UNDECIDED_COLOUR, "inconclusive (an interval contains 0)"),
        )
    ]
    secondary.legend(handles=verdict_handles + gap_handles, fontsize=7, loc="lower left")
    return figure
