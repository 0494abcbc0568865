"""R2 and R3 from the autoencoder runs' tables: which eigen-directions count, energy-weighted
bands, the rank statistic of R2, the guided/unguided pairs of R3, and every threshold
these verdicts use (docs/autoencoders.md explains each)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..stats import (
    both,
    interval_columns,
    judge,
    paired_difference_interval,
    paired_ratio_interval,
    t_interval,
)

# A direction counts when the probe images carry energy along it: at least SIGNAL_RTOL × the
# largest direction's energy. Directions below are the null space of the training data,
# whose eigenvalue is only the jitter added to Σ (e.g. digits' constant border pixels).
SIGNAL_RTOL = 1e-6
# Direction k is learned at the first snapshot where its error is at most this fraction of
# the data's energy along it (half of its variance reconstructed).
LEARNED_FRACTION = 0.5
# R2 holds for a model when Goodman and Kruskal's γ between eigen-index k and the step at
# which k is learned (never-learned directions ranked last) is at least this: among pairs of
# directions learned at different steps, ordered pairs outnumber reversed ones 3 to 1.
R2_MIN_GAMMA = 0.5
# R3 holds for a pair when test reconstruction losses agree within 5% (relative) while the
# linear probe accuracies differ by at least 10 points.
R3_RECONSTRUCTION_TOLERANCE = 0.05
R3_PROBE_GAP = 0.10
# A probe accuracy is a fraction of the test set held in float32 (error ≤ 2⁻²⁴), so a gap
# of exactly 10 points can come out up to ~1.2e-7 short (70% − 60% gives 0.09999996). Gaps
# are compared with this slack: far above that rounding, far below one image of any test
# set here (≤ 26 032 images: 3.8e-5).
R3_ACCURACY_ROUNDING = 1e-6


def signal_directions(energy: np.ndarray) -> np.ndarray:
    """Mask of the directions that carry data energy (SIGNAL_RTOL rule)."""
    energy = np.asarray(energy, dtype=np.float64)
    return energy >= SIGNAL_RTOL * energy.max()


def band_ranges(band_edges: list[int], count: int) -> list[tuple[int, int]]:
    """Edges [1, a, b, …] → 1-based inclusive bands [1, a−1], [a, b−1], …, [last, count]."""
    if (
        not band_edges
        or band_edges[0] != 1
        or any(b <= a for a, b in zip(band_edges, band_edges[1:]))
    ):
        raise ConfigError(f"band_edges must start at 1 and increase strictly, got {band_edges}")
    if band_edges[-1] > count:
        raise ConfigError(
            f"band edge {band_edges[-1]} exceeds the {count} eigen-directions that carry "
            f"variance in this dataset; use edges of at most {count}"
        )
    stops = [e - 1 for e in band_edges[1:]] + [count]
    return list(zip(band_edges, stops))


def band_table(directions: pd.DataFrame, band_edges: list[int]) -> pd.DataFrame:
    """Energy-weighted error per band and snapshot: Σ_band error_k / Σ_band energy_k.

    `directions` has one row per (step, k) with the mean squared error and the data's mean
    energy along u_k; only directions that count are in it, k = 1..count.
    """
    count = int(directions["k"].max())
    bands = band_ranges(band_edges, count)
    band_of = np.zeros(count + 1, dtype=np.int64)
    for index, (start, stop) in enumerate(bands):
        band_of[start : stop + 1] = index
    grouped = (
        directions.assign(band=band_of[directions["k"].to_numpy()])
        .groupby(["step", "band"], as_index=False)[["error", "energy"]]
        .sum()
    )
    grouped["band_start"] = [bands[b][0] for b in grouped["band"]]
    grouped["band_stop"] = [bands[b][1] for b in grouped["band"]]
    grouped["relative_error"] = grouped["error"] / grouped["energy"]
    return grouped[["step", "band", "band_start", "band_stop", "relative_error"]]


def learned_steps(directions: pd.DataFrame) -> pd.Series:
    """Per direction k: the first snapshot step with error ≤ LEARNED_FRACTION × energy
    (inf when never within the run)."""
    learned = directions[directions["error"] <= LEARNED_FRACTION * directions["energy"]]
    first = learned.groupby("k")["step"].min().astype(float)
    return first.reindex(sorted(directions["k"].unique()), fill_value=np.inf)


def order_gamma(steps: np.ndarray) -> float:
    """Goodman and Kruskal's γ between the index (0, 1, …) and `steps` (inf = never):
    (C − R) / (C + R) over pairs i < j, C counting steps[j] > steps[i] and R the reverse.
    Tied pairs (same snapshot, or both never learned) do not count, so a run stopped
    before the lower directions are learned is judged on the order it did show.
    nan when every pair is tied."""
    steps = np.asarray(steps, dtype=np.float64)
    ordered = reversed_ = 0
    for i in range(len(steps) - 1):
        later = steps[i + 1 :]
        ordered += int((later > steps[i]).sum())
        reversed_ += int((later < steps[i]).sum())
    if ordered + reversed_ == 0:
        return float("nan")
    return (ordered - reversed_) / (ordered + reversed_)


def r2_summary(directions: pd.DataFrame, bands: pd.DataFrame) -> dict:
    """R2 for one model: γ(k, step learned) against R2_MIN_GAMMA, with the band view (first
    step at which each band's energy-weighted error is at most LEARNED_FRACTION)."""
    steps = learned_steps(directions)  # indexed by k, ascending
    gamma = order_gamma(steps.to_numpy())
    band_learned = []
    for _band, group in bands.groupby("band"):
        reached = group[group["relative_error"] <= LEARNED_FRACTION].sort_values("step")
        band_learned.append(float(reached["step"].iloc[0]) if len(reached) else float("inf"))
    last = bands[bands["step"] == bands["step"].max()].sort_values("band")
    return {
        "gamma": gamma,
        "r2_holds": None if np.isnan(gamma) else bool(gamma >= R2_MIN_GAMMA),
        "directions_counted": int(len(steps)),
        "directions_learned": int(np.isfinite(steps.to_numpy()).sum()),
        "band_learned_steps": band_learned,
        "final_band_relative_error": last["relative_error"].tolist(),
    }


RUN_FACTS = ("dataset", "arch", "latent", "width", "parameters", "directions_left_out")


def dynamics_summaries(
    runs: pd.DataFrame, directions: pd.DataFrame, bands: pd.DataFrame
) -> pd.DataFrame:
    """One R2 row per model: its run facts and r2_summary recomputed from the stored
    tables, so that the verdicts follow the thresholds here and nothing else."""
    rows = []
    for run in runs[list(RUN_FACTS)].to_dict("records"):
        mine = {
            name: table[(table["dataset"] == run["dataset"]) & (table["arch"] == run["arch"])]
            for name, table in (("directions", directions), ("bands", bands))
        }
        rows.append({**run, **r2_summary(mine["directions"], mine["bands"])})
    return pd.DataFrame(rows)


def guidance_pairs(table: pd.DataFrame) -> pd.DataFrame:
    """Each guided model beside its unguided twin (same dataset, architecture, latent and,
    when the table has seeds, seed): one row per pair and seed."""
    twin = ["dataset", "arch", "latent"] + (["seed"] if "seed" in table else [])
    base = table[table["guidance"] == 0]
    guided = table[table["guidance"] > 0]
    pairs = guided.merge(base, on=twin, suffixes=("", "_unguided"))
    pairs["reconstruction_gap"] = (
        pairs["test_reconstruction_loss"] / pairs["test_reconstruction_loss_unguided"] - 1
    )
    pairs["train_reconstruction_gap"] = (
        pairs["train_reconstruction_loss"] / pairs["train_reconstruction_loss_unguided"] - 1
    )
    for probe in ("linear", "mlp"):
        guided_acc = pairs[f"{probe}_probe_accuracy"]
        unguided_acc = pairs[f"{probe}_probe_accuracy_unguided"]
        pairs[f"{probe}_probe_gain"] = guided_acc - unguided_acc
        # Fig. 5's y axis: the guided model's accuracy relative to its twin's, in percent.
        pairs[f"{probe}_probe_relative_difference"] = 100 * (guided_acc / unguided_acc - 1)
    pairs["r3_holds"] = (pairs["reconstruction_gap"].abs() <= R3_RECONSTRUCTION_TOLERANCE) & (
        pairs["linear_probe_gain"].abs() >= R3_PROBE_GAP - R3_ACCURACY_ROUNDING
    )
    return pairs


def strongest_pair(pairs: pd.DataFrame) -> pd.Series:
    """The pair with the largest linear-probe gap among those whose test reconstruction
    losses agree within R3_RECONSTRUCTION_TOLERANCE (all pairs when none do)."""
    close = pairs[pairs["reconstruction_gap"].abs() <= R3_RECONSTRUCTION_TOLERANCE]
    pool = close if len(close) else pairs
    return pool.loc[pool["linear_probe_gain"].abs().idxmax()]


def figure6_pairs(pairs: pd.DataFrame) -> list[pd.Series]:
    """Fig. 6 shows, per dataset, its strongest pair."""
    return [strongest_pair(group) for _dataset, group in pairs.groupby("dataset", sort=False)]


# A pair of R3 is one guided model and its unguided twin; its seeds are its repeats.
PAIR_KEYS = ["dataset", "arch", "latent", "guidance"]
# The probe gap R3 asks for, less the float32 slack: a gap of exactly 10 points counts.
R3_PROBE_MARGIN = R3_PROBE_GAP - R3_ACCURACY_ROUNDING


def r3_pair_summary(
    pairs: pd.DataFrame,
    per_image: dict | None = None,
    resamples: int = 10_000,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per R3 pair over its seeds: the mean relative test-reconstruction gap and
    linear-probe gain (guided − unguided), each with its 95% t-interval over seeds (none
    with one seed) and its paired bootstrap interval over test images (per_image: {(dataset,
    arch, latent, guidance weight, seed): that run's per-test-image table}, with the
    columns linear_probe_correct and reconstruction_error), and three verdicts
    (lbr.stats.judge): reconstruction equal within R3_RECONSTRUCTION_TOLERANCE, probes at
    least R3_PROBE_GAP apart, and R3 (both)."""
    rows = []
    for key, group in pairs.groupby(PAIR_KEYS, sort=False):
        group = group.sort_values("seed") if "seed" in group else group
        seeds = group["seed"].astype(int).tolist() if "seed" in group else [None]
        row = dict(zip(PAIR_KEYS, key))
        row["seeds"] = len(group)
        row["reconstruction_gap"] = float(group["reconstruction_gap"].mean())
        row["linear_probe_gain"] = float(group["linear_probe_gain"].mean())
        boot = {"reconstruction_gap": None, "linear_probe_gain": None}
        if per_image is not None:
            dataset, arch, latent, weight = key
            guided = [per_image[(dataset, arch, int(latent), float(weight), s)] for s in seeds]
            unguided = [per_image[(dataset, arch, int(latent), 0.0, s)] for s in seeds]

            def stack(runs, column):
                return np.stack([run[column].to_numpy(dtype=np.float64) for run in runs])

            boot["reconstruction_gap"] = paired_ratio_interval(
                stack(guided, "reconstruction_error"),
                stack(unguided, "reconstruction_error"),
                resamples,
                seed,
            )
            boot["linear_probe_gain"] = paired_difference_interval(
                stack(guided, "linear_probe_correct"),
                stack(unguided, "linear_probe_correct"),
                resamples,
                seed,
            )
        for column in ("reconstruction_gap", "linear_probe_gain"):
            row.update(interval_columns(column, t_interval(group[column]), boot[column]))
        row["reconstruction_verdict"] = judge(
            [t_interval(group["reconstruction_gap"]), boot["reconstruction_gap"]],
            [-R3_RECONSTRUCTION_TOLERANCE, R3_RECONSTRUCTION_TOLERANCE],
            lambda gap: abs(gap) <= R3_RECONSTRUCTION_TOLERANCE,
        )
        row["probe_verdict"] = judge(
            [t_interval(group["linear_probe_gain"]), boot["linear_probe_gain"]],
            [-R3_PROBE_MARGIN, R3_PROBE_MARGIN],
            lambda gain: abs(gain) >= R3_PROBE_MARGIN,
        )
        row["r3_verdict"] = both(row["reconstruction_verdict"], row["probe_verdict"])
        rows.append(row)
    return pd.DataFrame(rows)
