"""One function per figure: tables in, figure out (PNG and PDF, written atomically)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .atomic import atomic_path  # noqa: E402


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
    """Fig. 7: relative alignment change (%) against K, rows = patch size, columns = dataset,
    one line per masking ratio (cyan → pink)."""
    masking = table[table["family"] == "masking"]
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
            low = min(k_min, int(subset["K"].max()) // 2)
            for colour, ratio in zip(colours, ratios):
                curve = subset[(subset["ratio"] == ratio) & (subset["K"] >= low)]
                axis.plot(curve["K"], curve["relative_change_percent"], color=colour, lw=1)
            axis.axhline(0, color="black", lw=0.6)
            axis.grid(alpha=0.3)
            if row == 0:
                axis.set_title(dataset)
            if column == 0:
                axis.set_ylabel(f"patch {int(patch)}×{int(patch)}\nΔ alignment (%)")
            if row == len(patches) - 1:
                axis.set_xlabel("K")
    mappable = plt.cm.ScalarMappable(cmap="cool", norm=plt.Normalize(min(ratios), max(ratios)))
    figure.colorbar(mappable, ax=axes, label="masking ratio", shrink=0.6)
    return figure


def screen_figure(table: pd.DataFrame):
    """Task-agnostic screen: how far each noise moves the encoder's top-K subspace from PCA's."""
    datasets = list(dict.fromkeys(table["dataset"]))
    figure, axes = plt.subplots(1, len(datasets), figsize=(4 * len(datasets), 3.2), squeeze=False)
    for axis, dataset in zip(axes[0], datasets):
        subset = table[table["dataset"] == dataset]
        summary = subset.groupby("noise", sort=False)["subspace_shift"].max().sort_values()
        axis.barh(summary.index, np.maximum(summary.to_numpy(), 1e-17))
        axis.set_xscale("log")
        axis.set_xlim(left=1e-17)
        axis.set_title(dataset)
        axis.set_xlabel("max over K of mean sin² principal angle")
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


def gallery_figure(rows: dict[str, np.ndarray], titles: list[str]):
    """Fig. 9: images (columns) per version (rows: original, top, bottom), each scaled to [0, 1]."""
    count = len(next(iter(rows.values())))
    figure, axes = plt.subplots(
        len(rows), count, figsize=(1.3 * count, 1.4 * len(rows)), squeeze=False
    )
    for r, (label, images) in enumerate(rows.items()):
        for c in range(count):
            image = _unit_range(images[c])
            axes[r][c].imshow(image.squeeze(), cmap="gray" if image.shape[-1] == 1 else None)
            axes[r][c].set_xticks([])
            axes[r][c].set_yticks([])
            if c == 0:
                axes[r][c].set_ylabel(label, fontsize=7)
            if r == 0:
                axes[r][c].set_title(titles[c], fontsize=7)
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


def headline_figure(table: pd.DataFrame, headline: dict):
    """Fig. 1 (top): accuracy with the top subspace of `headline['top']` of the variance
    against the bottom subspace of `headline['bottom']`, per dataset."""
    datasets = list(dict.fromkeys(table["dataset"]))
    figure, axis = plt.subplots(figsize=(1.6 * len(datasets) + 2, 3.2))
    width = 0.38
    for offset, (side, colour) in enumerate((("top", "tab:red"), ("bottom", "tab:blue"))):
        picked = table[
            (table["side"] == side)
            & np.isclose(table["fraction"], headline[side])
            & ~table["augment"]
        ]
        means = (
            picked.groupby("dataset")[["final_test_accuracy", "variance_fraction"]]
            .mean()
            .reindex(datasets)
        )
        bars = axis.bar(
            np.arange(len(datasets)) + (offset - 0.5) * width,
            100 * means["final_test_accuracy"],
            width,
            color=colour,
            label=f"{side} {100 * headline[side]:.0f}% of variance",
        )
        axis.bar_label(bars, fmt="%.1f", fontsize=7)
    axis.set_xticks(np.arange(len(datasets)), datasets)
    axis.set_ylabel("test accuracy (%)")
    axis.legend(fontsize=8)
    axis.set_title("Paper (TinyImageNet): top 90% → 45%, bottom 20% → 55%", fontsize=9)
    return figure


def dynamics_figure(table: pd.DataFrame):
    """Figs. 1 (bottom) and 3: reconstruction error per eigen-band over training steps,
    top bands (dark) to bottom bands (light); one panel per dataset and architecture."""
    panels = table[["dataset", "arch"]].drop_duplicates().values.tolist()
    figure, axes = plt.subplots(
        1, len(panels), figsize=(3.4 * len(panels), 3), squeeze=False, sharey=True
    )
    for axis, (dataset, arch) in zip(axes[0], panels):
        subset = table[(table["dataset"] == dataset) & (table["arch"] == arch)]
        bands = sorted(subset["band"].unique())
        colours = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(bands)))
        for colour, band in zip(colours, bands):
            curve = subset[(subset["band"] == band) & (subset["step"] > 0)]
            label = f"k {curve['band_start'].iloc[0]}–{curve['band_stop'].iloc[0]}"
            axis.plot(curve["step"], curve["relative_error"], color=colour, marker=".", label=label)
        axis.set_xscale("log")
        axis.set_title(f"{dataset}, {arch}", fontsize=9)
        axis.set_xlabel("training step")
        axis.grid(alpha=0.3)
    axes[0][0].set_ylabel("relative error along eigen-directions")
    axes[0][-1].legend(fontsize=7)
    return figure


def guidance_figure(table: pd.DataFrame):
    """Fig. 5: probe accuracy against test reconstruction loss; each guided model is
    linked to its unguided twin."""
    datasets = list(dict.fromkeys(table["dataset"]))
    figure, axes = plt.subplots(
        2, len(datasets), figsize=(3.8 * len(datasets), 6), squeeze=False, layout="constrained"
    )
    for column, dataset in enumerate(datasets):
        subset = table[table["dataset"] == dataset]
        for row, probe in enumerate(("linear", "mlp")):
            axis = axes[row][column]
            metric = f"{probe}_probe_accuracy"
            for (arch, latent), group in subset.groupby(["arch", "latent"]):
                group = group.sort_values("guidance")
                axis.plot(
                    group["test_reconstruction_loss"],
                    100 * group[metric],
                    color="grey",
                    lw=0.8,
                    zorder=1,
                )
                scatter = axis.scatter(
                    group["test_reconstruction_loss"],
                    100 * group[metric],
                    c=group["guidance"],
                    cmap="plasma",
                    zorder=2,
                    vmin=0,
                    vmax=table["guidance"].max(),
                )
                axis.annotate(
                    f"{arch} k={latent}",
                    (group["test_reconstruction_loss"].iloc[0], 100 * group[metric].iloc[0]),
                    fontsize=6,
                )
            axis.set_title(f"{dataset}: {probe} probe", fontsize=9)
            axis.set_xlabel("test reconstruction loss (MSE)")
            axis.set_ylabel("test accuracy (%)")
            axis.grid(alpha=0.3)
    figure.colorbar(scatter, ax=axes, label="guidance weight", shrink=0.6)
    return figure


def reconstruction_figure(panels):
    """Fig. 6: test images, then their reconstructions by the unguided and the guided
    model of a pair; each image scaled to [0, 1] for display."""
    rows = []
    for dataset, pair, originals, unguided, guided in panels:
        rows.append((f"{dataset}\noriginal", originals))
        rows.append(
            (
                f"unguided\nrec {pair['test_reconstruction_loss_unguided']:.3f}, "
                f"probe {100 * pair['linear_probe_accuracy_unguided']:.0f}%",
                unguided.transpose(0, 2, 3, 1),
            )
        )
        rows.append(
            (
                f"guided g={pair['guidance']:g}\nrec {pair['test_reconstruction_loss']:.3f}, "
                f"probe {100 * pair['linear_probe_accuracy']:.0f}%",
                guided.transpose(0, 2, 3, 1),
            )
        )
    count = len(rows[0][1])
    figure, axes = plt.subplots(
        len(rows), count, figsize=(1.2 * count, 1.3 * len(rows)), squeeze=False
    )
    for r, (label, images) in enumerate(rows):
        for c in range(count):
            image = _unit_range(images[c])
            axes[r][c].imshow(image.squeeze(), cmap="gray" if image.shape[-1] == 1 else None)
            axes[r][c].set_xticks([])
            axes[r][c].set_yticks([])
        axes[r][0].set_ylabel(label, fontsize=6)
    return figure
