"""R1 per dataset: the paper's prediction from the alignment against the training outcome."""

import numpy as np
import pandas as pd
import pytest
from lbr import report
from lbr.r1_prediction import (
    AGREES,
    BOTTOM_BETTER,
    BOTTOM_WINS,
    DISAGREES,
    HIGH_ALIGNMENT,
    NOT_TRAINED,
    PREDICTOR_K,
    TOP_BETTER,
    TOP_WINS,
    predicted_outcome,
    r1_verdicts,
)
from support import R1_HEADLINE as HEADLINE
from support import r1_runs as _runs


def _alignment(level_at_predictor_k: float, dimension: int = 64) -> pd.DataFrame:
    """An alignment curve through `level_at_predictor_k` at K = PREDICTOR_K."""
    k = np.arange(1, dimension + 1)
    curve = np.minimum(1.0, level_at_predictor_k * k / PREDICTOR_K)
    return pd.DataFrame({"K": k, "alignment_appendix": curve, "dimension": dimension})


def test_prediction_follows_the_threshold():
    assert predicted_outcome(HIGH_ALIGNMENT) == TOP_WINS
    assert predicted_outcome(HIGH_ALIGNMENT - 1e-9) == BOTTOM_WINS


def _correct(accuracies, test_size=200):
    """Per-test-image results with the given accuracies, the first images right."""
    return {
        (dataset, side, 0): np.arange(test_size) < round(accuracy * test_size)
        for dataset, pair in accuracies.items()
        for side, accuracy in zip(("top", "bottom"), pair)
    }


def test_verdicts_per_dataset():
    alignment = {
        "clean_digits": _alignment(0.97),  # well aligned: top should win, and does
        "photos": _alignment(0.4),  # poorly aligned: bottom should win, does not
        "photos_ok": _alignment(0.4),  # poorly aligned, bottom wins
        "untrained": _alignment(0.5),
    }
    accuracies = {"clean_digits": (0.95, 0.4), "photos": (0.7, 0.3), "photos_ok": (0.4, 0.5)}
    runs = _runs(accuracies)
    verdicts = r1_verdicts(alignment, runs, HEADLINE, _correct(accuracies), 2000, 0)
    verdicts = verdicts.set_index("dataset")
    assert verdicts.loc["clean_digits", "alignment_k32"] == pytest.approx(0.97)
    assert verdicts.loc["clean_digits", "alignment_k10"] == pytest.approx(0.97 * 10 / 32)
    assert verdicts["predicted"].tolist() == [TOP_WINS, BOTTOM_WINS, BOTTOM_WINS, BOTTOM_WINS]
    assert verdicts["outcome"].tolist() == [TOP_BETTER, TOP_BETTER, BOTTOM_BETTER, NOT_TRAINED]
    assert verdicts["threshold_verdict"].tolist() == [AGREES, DISAGREES, AGREES, NOT_TRAINED]
    assert verdicts.loc["photos", "bottom_minus_top"] == pytest.approx(-0.4)
    assert np.isnan(verdicts.loc["untrained", "top_accuracy"])

    rows = report.subspace_claims(verdicts.reset_index(), HEADLINE)
    assert [r["verdict"] for r in rows] == ["holds", "does not hold", "holds"]
    assert "clean_digits" in rows[0]["claim"] and "predicts top ≥ bottom" in rows[0]["this run"]
    table = report.r1_markdown(verdicts.reset_index(), HEADLINE)
    assert "| untrained | 64 | 0.156, 0.500 | bottom ≥ top | 0 | — | — | — | — | — " in table
    assert f"≥ {HIGH_ALIGNMENT}" in table
