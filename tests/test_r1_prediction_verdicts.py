"""R1 per dataset (lbr/r1_prediction.py) against hand-made subspace tables.

The subspace table holds, beside the headline runs the verdict reads, every run that must
be left out with accuracies that would move the verdict: other fractions (the headline
fraction of the other side included), the halves of the dimensions, augmented runs, and
several seeds whose mean is the answer. Outcomes are decided by the 95% intervals of
bottom − top: per-test-image results are made with the accuracies of the table (the
images a side gets right nested in the other side's, so the difference has one sign).
"""

import numpy as np
import pandas as pd
import pytest
from lbr.r1_prediction import (
    AGREES,
    BOTTOM_BETTER,
    BOTTOM_WINS,
    DISAGREES,
    HIGH_ALIGNMENT,
    NOT_TRAINED,
    PREDICTOR_K,
    SMALL_K,
    TOP_BETTER,
    TOP_WINS,
    UNDECIDED,
    headline_accuracies,
    predicted_outcome,
    r1_verdicts,
)
from support import EPS, gamma

HEADLINE = {"top": 0.9, "bottom": 0.2}


def _alignment(at: dict[int, float], dimension: int = 64, rank: int | None = None):
    """A step-function alignment table (value of the largest key ≤ K) for K = 1..rank of a
    dataset of dimension D; the proof and percent forms differ from the appendix form the
    verdict reads."""
    k = np.arange(1, (rank or dimension) + 1)
    appendix = np.zeros(len(k))
    for start, value in sorted(at.items()):
        appendix[k >= start] = value
    return pd.DataFrame(
        {
            "K": k,
            "alignment_appendix": appendix,
            "alignment_proof": 1 - appendix,
            "alignment_percent": 100 * np.sqrt(appendix),
            "dimension": dimension,
        }
    )


def _run(dataset, side, fraction, accuracy, variance, augment=False, seed=0):
    return dict(
        dataset=dataset,
        side=side,
        fraction=fraction,
        augment=augment,
        seed=seed,
        variance_fraction=variance,
        final_test_accuracy=accuracy,
    )


def _per_image(accuracies, test_size=100):
    """{(dataset, side, 0): correctness} with round(accuracy × test_size) images right,
    the first ones: the side with fewer right gets a subset of the other's."""
    return {
        (dataset, side, 0): np.arange(test_size) < round(accuracy * test_size)
        for dataset, pair in accuracies.items()
        for side, accuracy in zip(("top", "bottom"), pair)
    }


def _distractors(dataset):
    """Runs a headline verdict must not read: each would flip the outcome if it did."""
    return [
        _run(dataset, "top", 0.2, 0.01, 0.55),  # the bottom's headline fraction, top side
        _run(dataset, "bottom", 0.9, 0.99, 0.60),  # the top's headline fraction, bottom side
        _run(dataset, "top", 0.5, 0.02, 0.75),
        _run(dataset, "bottom", 0.5, 0.98, 0.05),
        _run(dataset, "top_dims", 0.5, 0.03, 0.97),
        _run(dataset, "bottom_dims", 0.5, 0.97, 0.03),
        _run(dataset, "top", 0.9, 0.04, 0.90, augment=True),
        _run(dataset, "bottom", 0.2, 0.96, 0.20, augment=True),
    ]


def test_headline_accuracies_average_the_seeds_of_the_headline_runs_only():
    runs = pd.DataFrame(
        [
            _run("a", "top", 0.9, 0.80, 0.91, seed=0),
            _run("a", "top", 0.9, 0.70, 0.89, seed=1),
            _run("a", "top", 0.9, 0.66, 0.90, seed=2),
            _run("a", "bottom", 0.2, 0.30, 0.19, seed=0),
            _run("a", "bottom", 0.2, 0.50, 0.23, seed=1),
            *_distractors("a"),
            _run("b", "bottom", 0.2, 0.61, 0.2),
            _run("b", "top", 0.9, 0.47, 0.9),
            *_distractors("b"),
        ]
    ).sample(frac=1.0, random_state=3)  # row order carries no meaning
    table = headline_accuracies(runs, HEADLINE)
    assert sorted(table.index) == ["a", "b"]
    expected = {
        "a": [(0.80 + 0.70 + 0.66) / 3, (0.91 + 0.89 + 0.90) / 3, 0.40, 0.21],
        "b": [0.47, 0.9, 0.61, 0.2],
    }
    columns = ["top_accuracy", "top_variance", "bottom_accuracy", "bottom_variance"]
    for dataset, values in expected.items():
        # a mean of ≤ 3 positive floats here and in pandas (any order): two additions and
        # a division each, so γ₃ relative on each side (a wrong seed set is ≥ 0.01 off)
        np.testing.assert_allclose(table.loc[dataset, columns], values, rtol=2 * gamma(3), atol=0)


def test_headline_accuracies_use_augmented_runs_when_there_are_no_others():
    runs = pd.DataFrame(
        [
            _run("a", "top", 0.9, 0.62, 0.9, augment=True),
            _run("a", "bottom", 0.2, 0.71, 0.2, augment=True),
            _run("a", "bottom", 0.9, 0.05, 0.2, augment=True),
        ]
    )
    table = headline_accuracies(runs, HEADLINE)
    assert table.loc["a", "top_accuracy"] == 0.62 and table.loc["a", "bottom_accuracy"] == 0.71


def test_headline_accuracies_follow_the_configured_headline():
    runs = pd.DataFrame(_distractors("a"))
    table = headline_accuracies(runs, {"top": 0.5, "bottom": 0.5})
    assert table.loc["a", "top_accuracy"] == 0.02 and table.loc["a", "bottom_accuracy"] == 0.98


@pytest.mark.parametrize(
    "alignment, predicted",
    [(HIGH_ALIGNMENT, TOP_WINS), (np.nextafter(HIGH_ALIGNMENT, 0), BOTTOM_WINS), (1.0, TOP_WINS)],
)
def test_prediction_threshold(alignment, predicted):
    assert predicted_outcome(alignment) == predicted


def _datasets():
    """Alignment at K = 32 decides the prediction; at K = 10, 31 and 33 it says the opposite."""
    return {
        # well aligned at 32 only: predicted top ≥ bottom; top wins → agrees
        "clean": _alignment({1: 0.1, 32: 0.95, 33: 0.2}),
        # poorly aligned at 32 only: predicted bottom ≥ top; top wins → disagrees
        "photo": _alignment({1: 0.97, 32: 0.3, 33: 0.99}, dimension=768, rank=100),
        # poorly aligned: bottom wins → agrees
        "texture": _alignment({1: 0.95, 32: 0.5, 33: 0.96}, dimension=192),
        # exactly at the threshold: top ≥ bottom predicted; a tie counts as top ≥ bottom
        "edge": _alignment({1: 0.2, 32: HIGH_ALIGNMENT, 33: 0.3}),
        # rank 20 < 32: every direction is in, alignment 1
        "low_rank": _alignment({1: 0.4}, dimension=64, rank=20),
        # only the top headline run exists: not trained
        "half": _alignment({1: 0.5}),
        # no run at all
        "untrained": _alignment({1: 0.35, 10: 0.45}),
    }


ACCURACIES = {  # top, bottom of the headline pair
    "clean": (0.93, 0.41),
    "photo": (0.62, 0.35),
    "texture": (0.38, 0.52),
    "edge": (0.5, 0.5),
    "low_rank": (0.44, 0.71),
}


def _subspace():
    runs = []
    for dataset, (top, bottom) in ACCURACIES.items():
        runs += [_run(dataset, "top", 0.9, top, 0.9), _run(dataset, "bottom", 0.2, bottom, 0.2)]
        runs += _distractors(dataset)
    runs += [_run("half", "top", 0.9, 0.8, 0.9), *_distractors("half")[2:]]
    return pd.DataFrame(runs)


def test_r1_verdicts_every_column_of_every_dataset():
    verdicts = r1_verdicts(_datasets(), _subspace(), HEADLINE, _per_image(ACCURACIES), 2000, 0)
    assert verdicts["dataset"].tolist() == list(_datasets())
    assert verdicts["dimension"].tolist() == [64, 768, 192, 64, 64, 64, 64]
    assert SMALL_K == (10, 32) and PREDICTOR_K == 32
    np.testing.assert_array_equal(verdicts["alignment_k10"], [0.1, 0.97, 0.95, 0.2, 0.4, 0.5, 0.45])
    np.testing.assert_array_equal(
        verdicts["alignment_k32"], [0.95, 0.3, 0.5, HIGH_ALIGNMENT, 1.0, 0.5, 0.45]
    )
    assert verdicts["predicted"].tolist() == [
        TOP_WINS,
        BOTTOM_WINS,
        BOTTOM_WINS,
        TOP_WINS,
        TOP_WINS,
        BOTTOM_WINS,
        BOTTOM_WINS,
    ]
    trained = verdicts.iloc[:5]
    np.testing.assert_array_equal(trained["top_accuracy"], [0.93, 0.62, 0.38, 0.5, 0.44])
    np.testing.assert_array_equal(trained["bottom_accuracy"], [0.41, 0.35, 0.52, 0.5, 0.71])
    np.testing.assert_array_equal(trained["top_variance"], [0.9] * 5)
    np.testing.assert_array_equal(trained["bottom_variance"], [0.2] * 5)
    # two inputs, their difference and the literal each within half an ulp of a number
    # below 1 (2⁻⁵⁴): 4 × 2⁻⁵⁴ = ε
    np.testing.assert_allclose(
        trained["bottom_minus_top"], [-0.52, -0.27, 0.14, 0.0, 0.27], rtol=0, atol=EPS
    )
    # one seed: the paired bootstrap over 100 test images decides (27, 14 and 27 images
    # differ, one way); a tie is undecided
    assert verdicts["outcome"].tolist() == [
        TOP_BETTER,
        TOP_BETTER,
        BOTTOM_BETTER,
        UNDECIDED,
        BOTTOM_BETTER,
        NOT_TRAINED,
        NOT_TRAINED,
    ]
    assert verdicts["threshold_verdict"].tolist() == [
        AGREES,
        DISAGREES,
        AGREES,
        UNDECIDED,
        DISAGREES,
        NOT_TRAINED,
        NOT_TRAINED,
    ]
    assert verdicts["seeds"].tolist() == [1, 1, 1, 1, 1, 0, 0]
    assert verdicts["test_size"].tolist() == [100] * 5 + [0, 0]
    assert verdicts["bottom_minus_top_seeds_low"].isna().all()  # one seed: no t-interval
    trained_gaps = verdicts.iloc[:5]
    assert (
        trained_gaps["bottom_minus_top_bootstrap_low"] <= trained_gaps["bottom_minus_top"]
    ).all()
    assert (
        trained_gaps["bottom_minus_top"] <= trained_gaps["bottom_minus_top_bootstrap_high"]
    ).all()
    untrained = verdicts.iloc[5:]
    for column in (
        "top_accuracy",
        "bottom_accuracy",
        "top_variance",
        "bottom_variance",
        "bottom_minus_top",
    ):
        assert untrained[column].isna().all(), column


def test_a_tie_is_inconclusive_for_either_prediction():
    alignment = {"well": _alignment({1: 0.95}), "poor": _alignment({1: 0.5})}
    runs = pd.DataFrame(
        [_run(d, side, HEADLINE[side], 0.6, 0.5) for d in alignment for side in ("top", "bottom")]
    )
    per_image = _per_image({d: (0.6, 0.6) for d in alignment})
    verdicts = r1_verdicts(alignment, runs, HEADLINE, per_image, 2000, 0)
    assert verdicts["predicted"].tolist() == [TOP_WINS, BOTTOM_WINS]
    assert verdicts["outcome"].tolist() == [UNDECIDED, UNDECIDED]
    assert verdicts["threshold_verdict"].tolist() == [UNDECIDED, UNDECIDED]


@pytest.mark.parametrize(
    "top, bottom, test_size, reading_well, reading_poor",
    [
        # one point on 10 000 images is 100 images, all one way: decided
        (0.7, 0.69, 10_000, AGREES, DISAGREES),
        (0.69, 0.7, 10_000, DISAGREES, AGREES),
        # one point on 100 images is one image: a third of the resamples leave it out
        (0.7, 0.69, 100, UNDECIDED, UNDECIDED),
        (0.69, 0.7, 100, UNDECIDED, UNDECIDED),
    ],
)
def test_one_point_either_way_decides_only_on_enough_images(
    top, bottom, test_size, reading_well, reading_poor
):
    alignment = {"well": _alignment({1: 0.95}), "poor": _alignment({1: 0.5})}
    runs = pd.DataFrame(
        [
            _run(d, side, HEADLINE[side], accuracy, 0.5)
            for d in alignment
            for side, accuracy in (("top", top), ("bottom", bottom))
        ]
    )
    per_image = _per_image({d: (top, bottom) for d in alignment}, test_size)
    verdicts = r1_verdicts(alignment, runs, HEADLINE, per_image, 2000, 0)
    assert verdicts["threshold_verdict"].tolist() == [reading_well, reading_poor]
