"""R1 from training: does the bottom variance subspace gain more over the top one on
less aligned datasets? Two readings (docs/claims.md):

- **Main, without a threshold.** Across the trained datasets, Kendall's τ between a
  dataset's closed-form alignment at small K (PREDICTOR_K) and its bottom − top accuracy
  gap of the headline pair, with an exact permutation p-value: the paper predicts a
  negative relation (the less aligned, the more the bottom subspace gains).
- **Secondary, per dataset, with a threshold.** The paper's caption of Fig. 4 says the
  bottom subspace wins *except* on datasets without background, whose tasks are well
  aligned already at small K. HIGH_ALIGNMENT is this project's number for "well aligned",
  fixed before any training outcome was looked at; each dataset's prediction from it is
  compared with the outcome.

Each dataset's gap carries its 95% intervals (over seeds, and a paired bootstrap over test
images, lbr.stats); a per-dataset outcome is decided only when they exclude zero.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .spectral.alignment import alignment_at
from .stats import (
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    RANK_ALPHA,
    interval_columns,
    judge,
    kendall_tau,
    mean_interval,
    paired_difference_interval,
    permutation_p_values,
    t_interval,
)

# Latent sizes at which the report states the alignment (Fig. 2, small K).
SMALL_K = (10, 32)
# The K the prediction is made at, and the alignment (cumulative-ratio form, in [0, 1])
# at or above which a dataset counts as "well aligned": 90% of the label signal that a
# linear read-out can reach lies in the top-K principal directions.
PREDICTOR_K = 32
HIGH_ALIGNMENT = 0.9
# The rank test needs at least this many trained datasets (τ of two points is ±1 whatever
# the data; with 3 the smallest exact p-value is 1/3! = 0.17, with 4 it is 1/24 = 0.04).
MIN_RANK_DATASETS = 3

# Predictions of the threshold reading.
TOP_WINS, BOTTOM_WINS = "top ≥ bottom", "bottom ≥ top"
# Outcomes of training, decided by the intervals of bottom − top.
TOP_BETTER, BOTTOM_BETTER = "top > bottom", "bottom > top"
UNDECIDED, NOT_TRAINED = "inconclusive", "not trained"
# The threshold reading's verdict per dataset.
AGREES, DISAGREES = "agrees", "disagrees"
_READING = {HOLDS: AGREES, FAILS: DISAGREES, INCONCLUSIVE: INCONCLUSIVE}


def predicted_outcome(alignment: float) -> str:
    """The threshold reading's prediction for the headline pair from the alignment at
    PREDICTOR_K."""
    return TOP_WINS if alignment >= HIGH_ALIGNMENT else BOTTOM_WINS


def headline_runs_of(subspace: pd.DataFrame, headline: dict) -> pd.DataFrame:
    """The headline runs (without augmentation when such runs exist, as Fig. 1 top)."""
    plain = subspace[~subspace["augment"]] if (~subspace["augment"]).any() else subspace
    sides = [
        (plain["side"] == side) & np.isclose(plain["fraction"], headline[side])
        for side in ("top", "bottom")
    ]
    return plain[sides[0] | sides[1]]


def headline_accuracies(subspace: pd.DataFrame, headline: dict) -> pd.DataFrame:
    """Per dataset: mean final test accuracy over seeds of the top and bottom headline
    subspaces (without augmentation when such runs exist, as Fig. 1 top), and their
    variance kept."""
    runs = headline_runs_of(subspace, headline)
    rows = {}
    for side in ("top", "bottom"):
        picked = runs[runs["side"] == side]
        means = picked.groupby("dataset")[["final_test_accuracy", "variance_fraction"]].mean()
        rows[f"{side}_accuracy"] = means["final_test_accuracy"]
        rows[f"{side}_variance"] = means["variance_fraction"]
    return pd.DataFrame(rows)


def headline_seeds(subspace: pd.DataFrame, headline: dict) -> pd.DataFrame:
    """One row per dataset and seed that has both headline runs: top_accuracy,
    bottom_accuracy and bottom_minus_top of that seed."""
    runs = headline_runs_of(subspace, headline)
    wide = runs.pivot_table(
        index=["dataset", "seed"], columns="side", values="final_test_accuracy", aggfunc="mean"
    )
    wide = wide.reindex(columns=["top", "bottom"]).dropna()
    table = wide.rename(columns={"top": "top_accuracy", "bottom": "bottom_accuracy"})
    table["bottom_minus_top"] = table["bottom_accuracy"] - table["top_accuracy"]
    return table.reset_index()


def r1_verdicts(
    alignment: dict[str, pd.DataFrame],
    subspace: pd.DataFrame,
    headline: dict,
    per_image: dict | None = None,
    resamples: int = 10_000,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per dataset with an alignment table: the alignment at SMALL_K, the
    threshold reading's prediction, the headline pair's mean accuracies over seeds and
    their gap (NaN when not trained), each with its 95% intervals (lbr.stats.interval_columns:
    over seeds, and a bootstrap over test images from per_image: {(dataset, side, seed):
    per-test-image correctness}), the outcome the intervals decide and the threshold
    reading's verdict (agrees, disagrees, inconclusive, not trained)."""
    accuracies = headline_accuracies(subspace, headline)
    seeds = headline_seeds(subspace, headline)
    rows = []
    for dataset, table in alignment.items():
        row = {"dataset": dataset, "dimension": int(table["dimension"].iloc[0])}
        for k in SMALL_K:
            row[f"alignment_k{k}"] = alignment_at(table, k)
        row["predicted"] = predicted_outcome(alignment_at(table, PREDICTOR_K))
        mine = seeds[seeds["dataset"] == dataset].sort_values("seed")
        trained = dataset in accuracies.index and len(mine) > 0
        for column in ("top_accuracy", "bottom_accuracy", "top_variance", "bottom_variance"):
            row[column] = float(accuracies.loc[dataset, column]) if trained else np.nan
        row["bottom_minus_top"] = row["bottom_accuracy"] - row["top_accuracy"]
        row["seeds"] = len(mine)
        row["seed_list"] = mine["seed"].astype(int).tolist()
        row["seed_gaps"] = mine["bottom_minus_top"].astype(float).tolist()
        boot = {"top_accuracy": None, "bottom_accuracy": None, "bottom_minus_top": None}
        row["test_size"] = 0
        if trained and per_image is not None:
            correct = {
                side: np.stack([per_image[(dataset, side, int(s))] for s in mine["seed"]])
                for side in ("top", "bottom")
            }
            row["test_size"] = int(correct["top"].shape[1])
            for side in ("top", "bottom"):
                boot[f"{side}_accuracy"] = mean_interval(correct[side], resamples, seed)
            boot["bottom_minus_top"] = paired_difference_interval(
                correct["bottom"], correct["top"], resamples, seed
            )
        for column in ("top_accuracy", "bottom_accuracy", "bottom_minus_top"):
            over_seeds = t_interval(mine[column]) if trained else None
            row.update(interval_columns(column, over_seeds, boot[column]))
        if trained:
            intervals = [t_interval(mine["bottom_minus_top"]), boot["bottom_minus_top"]]
            bottom = judge(intervals, [0.0], lambda gap: gap > 0)
            row["outcome"] = {HOLDS: BOTTOM_BETTER, FAILS: TOP_BETTER}.get(bottom, UNDECIDED)
            predicted_sign = 1 if row["predicted"] == BOTTOM_WINS else -1
            reading = judge(intervals, [0.0], lambda gap, sign=predicted_sign: sign * gap > 0)
            row["threshold_verdict"] = _READING[reading]
        else:
            row["outcome"] = row["threshold_verdict"] = NOT_TRAINED
        rows.append(row)
    return pd.DataFrame(rows)


def rank_relation(verdicts: pd.DataFrame) -> dict:
    """R1's main reading: Kendall's τ between the alignment at PREDICTOR_K and the mean
    bottom − top gap over the trained datasets, with exact one-sided permutation p-values
    (every ordering of the gaps). Holds when a negative relation is significant at
    RANK_ALPHA, does not hold when a positive one is, inconclusive otherwise; `reason`
    says why in words."""
    trained = verdicts[verdicts["outcome"] != NOT_TRAINED]
    count = len(trained)
    x = trained[f"alignment_k{PREDICTOR_K}"].to_numpy(dtype=np.float64)
    y = trained["bottom_minus_top"].to_numpy(dtype=np.float64)
    result = {
        "datasets": count,
        "tau": kendall_tau(x, y) if count >= 2 else float("nan"),
        "p_negative": float("nan"),
        "p_positive": float("nan"),
        "orderings": math.factorial(count),
    }
    if count < MIN_RANK_DATASETS:
        result["verdict"] = INCONCLUSIVE
        result["reason"] = (
            f"{count} trained dataset{'s' if count != 1 else ''}: a rank relation needs at "
            f"least {MIN_RANK_DATASETS}"
        )
        return result
    p_negative, p_positive, orderings = permutation_p_values(x, y)
    result.update(p_negative=p_negative, p_positive=p_positive, orderings=orderings)
    smallest = 1 / orderings
    if p_negative <= RANK_ALPHA:
        result["verdict"] = HOLDS
        result["reason"] = f"negative relation, p = {p_negative:.3g} ≤ {RANK_ALPHA}"
    elif p_positive <= RANK_ALPHA:
        result["verdict"] = FAILS
        result["reason"] = f"positive relation, p = {p_positive:.3g} ≤ {RANK_ALPHA}"
    else:
        result["verdict"] = INCONCLUSIVE
        result["reason"] = f"p = {p_negative:.3g} > {RANK_ALPHA} for a negative relation"
        if smallest > RANK_ALPHA:
            result["reason"] += (
                f"; with {count} datasets no ordering can reach {RANK_ALPHA} (the smallest "
                f"exact p-value is 1/{count}! = {smallest:.3g})"
            )
    return result
