"""What the R1 figures draw (lbr/plots.py: Fig. 4, Fig. 1 top, the R1 prediction): made
from small hand-made tables, read back from the matplotlib artists and compared with the
columns the captions name. The tables hold runs the figures must leave out (the halves of
the dimensions, other fractions, augmented runs when plain ones exist) and several seeds
whose mean is what is drawn."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from lbr import paper, plots  # noqa: E402
from lbr.r1_prediction import BOTTOM_WINS, HIGH_ALIGNMENT, TOP_WINS  # noqa: E402

RED, BLUE = matplotlib.colors.to_rgba("tab:red"), matplotlib.colors.to_rgba("tab:blue")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _accuracy(dataset, side, fraction, augment, seed):
    """A distinct accuracy per run: which run a figure read shows in its value."""
    base = {"photos": 0.30, "digits": 0.60}[dataset] + (0.1 if side == "top" else 0.0)
    return base + fraction / 10 + 0.05 * augment + 0.01 * seed


def _variance(dataset, side, fraction, seed):
    return (
        (fraction if side == "top" else fraction / 2) + 0.001 * seed + 0.01 * (dataset == "digits")
    )


def _subspace_table():
    rows = []
    for dataset in ("photos", "digits"):  # panel order: as listed, not sorted
        for side, fraction in [
            (s, f) for s in ("top", "bottom") for f in (0.75, 0.2, 0.9, 0.25, 0.5)
        ] + [("top_dims", 0.5), ("bottom_dims", 0.5)]:
            for augment in (True, False):
                for seed in (0, 1, 2):
                    rows.append(
                        dict(
                            dataset=dataset,
                            side=side,
                            fraction=fraction,
                            augment=augment,
                            seed=seed,
                            final_test_accuracy=_accuracy(dataset, side, fraction, augment, seed),
                            variance_fraction=_variance(dataset, side, fraction, seed),
                            best_test_accuracy=0.99,
                        )
                    )
    # Runs of a dataset in any order, datasets in the config's order (photos first: the
    # figures keep that order, not the sorted one).
    table = pd.DataFrame(rows)
    return pd.concat(
        [
            group.sample(frac=1.0, random_state=2)
            for _, group in table.groupby("dataset", sort=False)
        ]
    ).reset_index(drop=True)


# --- Fig. 4: subspace_figure ----------------------------------------------------------


def test_subspace_figure_mean_over_seeds_per_fraction_in_order():
    table = _subspace_table()
    figure = plots.subspace_figure(table)
    assert [axis.get_title() for axis in figure.axes] == ["photos", "digits"]
    fractions = np.array([0.2, 0.25, 0.5, 0.75, 0.9])
    for axis, dataset in zip(figure.axes, ("photos", "digits")):
        lines = {line.get_label(): line for line in axis.lines}
        assert sorted(lines) == ["bottom", "bottom + aug", "top", "top + aug"]
        for side in ("top", "bottom"):
            for augment in (False, True):
                line = lines[f"{side}{' + aug' if augment else ''}"]
                # mean over seeds 0, 1, 2 is the seed-1 value (accuracy and variance are
                # linear in the seed); sorted by fraction
                accuracy = [_accuracy(dataset, side, f, augment, 1) for f in fractions]
                variance = [_variance(dataset, side, f, 1) for f in fractions]
                # means of three numbers below 2, scaled by 100: < 1e-13
                np.testing.assert_allclose(line.get_xdata(), 100 * np.array(variance), atol=1e-13)
                np.testing.assert_allclose(line.get_ydata(), 100 * np.array(accuracy), atol=1e-13)
                assert matplotlib.colors.to_rgba(line.get_color()) == (
                    RED if side == "top" else BLUE
                )
                assert line.get_linestyle() == ("--" if augment else "-")
                assert line.get_marker() == "o"
        assert axis.get_xlabel() == "variance kept (%)"
    assert figure.axes[0].get_ylabel() == "test accuracy (%)"
    assert figure.axes[-1].get_legend() is not None


# --- Fig. 1 top: headline_figure ------------------------------------------------------


@pytest.mark.parametrize("headline", [{"top": 0.9, "bottom": 0.2}, {"top": 0.75, "bottom": 0.25}])
def test_headline_figure_bars_are_the_plain_headline_runs(headline):
    table = _subspace_table()
    figure = plots.headline_figure(table, headline)
    axis = figure.axes[0]
    bars = axis.patches
    assert len(bars) == 4  # top photos, top digits, bottom photos, bottom digits
    expected = [
        100 * _accuracy(dataset, side, headline[side], False, 1)
        for side in ("top", "bottom")
        for dataset in ("photos", "digits")
    ]
    np.testing.assert_allclose([b.get_height() for b in bars], expected, atol=1e-13)
    centres = [b.get_x() + b.get_width() / 2 for b in bars]
    np.testing.assert_allclose(centres, [-0.19, 0.81, 0.19, 1.19], atol=1e-15)
    assert [b.get_facecolor() for b in bars] == [RED, RED, BLUE, BLUE]
    assert [t.get_text() for t in axis.texts] == [f"{h:.1f}" for h in expected]
    assert [t.get_text() for t in axis.get_xticklabels()] == ["photos", "digits"]
    assert [t.get_text() for t in axis.get_legend().get_texts()] == [
        f"top {100 * headline['top']:.0f}% of variance",
        f"bottom {100 * headline['bottom']:.0f}% of variance",
    ]
    assert axis.get_ylabel() == "test accuracy (%)"
    assert axis.get_title() == f"This run.\nPaper, {paper.headline_text()}"


def test_headline_figure_of_augmented_runs_says_so():
    table = _subspace_table()
    figure = plots.headline_figure(table[table["augment"]], {"top": 0.9, "bottom": 0.2})
    heights = [b.get_height() for b in figure.axes[0].patches]
    expected = [
        100 * _accuracy(d, s, f, True, 1)
        for s, f in (("top", 0.9), ("bottom", 0.2))
        for d in ("photos", "digits")
    ]
    np.testing.assert_allclose(heights, expected, atol=1e-13)
    assert figure.axes[0].get_title().startswith("This run (with augmentation).\nPaper, ")


# --- R1 prediction: r1_prediction_figure ----------------------------------------------


def _verdicts(gaps):
    rows = []
    for (dataset, dimension, k10, k32, agrees), gap in zip(
        [
            ("digits", 64, 0.11, 0.95, True),
            ("photos", 768, 0.97, 0.29, False),
            ("texture", 192, 0.05, 0.50, True),
        ],
        gaps,
    ):
        rows.append(
            dict(
                dataset=dataset,
                dimension=dimension,
                alignment_k10=k10,
                alignment_k32=k32,
                predicted=TOP_WINS if k32 >= HIGH_ALIGNMENT else BOTTOM_WINS,
                top_accuracy=0.5,
                bottom_accuracy=0.5 + gap,
                bottom_minus_top=gap,
                agrees=agrees,
            )
        )
    rows.append(
        dict(
            dataset="untrained",
            dimension=3072,
            alignment_k10=0.3,
            alignment_k32=0.4,
            predicted=BOTTOM_WINS,
            top_accuracy=np.nan,
            bottom_accuracy=np.nan,
            bottom_minus_top=np.nan,
            agrees=None,
        )
    )
    return pd.DataFrame(rows)


def test_r1_prediction_figure_places_each_trained_dataset():
    verdicts = _verdicts([-0.5481, -0.2857, 0.14])
    figure = plots.r1_prediction_figure(verdicts, {"top": 0.75, "bottom": 0.25})
    axis = figure.axes[0]
    points = axis.collections
    assert len(points) == 3  # the untrained dataset is named, not drawn
    green, black = matplotlib.colors.to_rgba("tab:green"), (0.0, 0.0, 0.0, 1.0)
    for point, (x, y, colour) in zip(
        points, [(0.95, -54.81, green), (0.29, -28.57, black), (0.50, 14.0, green)]
    ):
        np.testing.assert_allclose(point.get_offsets(), [[x, y]], rtol=1e-15, atol=1e-13)
        assert tuple(point.get_facecolor()[0]) == colour
    notes = {t.get_text(): t.xy for t in axis.texts if hasattr(t, "xy")}
    assert sorted(notes) == ["digits (D=64)", "photos (D=768)", "texture (D=192)"]
    np.testing.assert_allclose(notes["photos (D=768)"], (0.29, -28.57), atol=1e-13)
    span = 1.15 * 54.81  # the largest gap, with room
    np.testing.assert_allclose(axis.get_ylim(), (-span, span), rtol=1e-13)
    assert axis.get_xlim() == (0, 1)
    assert axis.get_xlabel() == "closed-form alignment at K=32 (Eq. 7, fraction)"
    assert axis.get_ylabel() == "bottom 25% − top 75%\ntest accuracy (points)"
    assert axis.get_title().endswith("green: agree, black: disagree; not trained: untrained")
    # shaded where the prediction holds: bottom ≥ top left of the threshold (upper half),
    # top ≥ bottom right of it (lower half)
    spans = [(p.get_x(), p.get_x() + p.get_width(), p.get_facecolor()[:3]) for p in axis.patches]
    assert spans == [(0, HIGH_ALIGNMENT, BLUE[:3]), (HIGH_ALIGNMENT, 1, RED[:3])]
    assert [(p.get_y(), p.get_height()) for p in axis.patches] == [(0.5, 0.5), (0, 0.5)]
    texts = [t.get_text() for t in axis.texts if not hasattr(t, "xy")]
    assert texts == [f"predicted: {BOTTOM_WINS}", f"predicted: {TOP_WINS}"]


def test_r1_prediction_figure_keeps_five_points_of_room():
    figure = plots.r1_prediction_figure(_verdicts([0.01, -0.02, 0.03]), {"top": 0.9, "bottom": 0.2})
    assert figure.axes[0].get_ylim() == (-5.0, 5.0)
    np.testing.assert_allclose(
        np.concatenate([p.get_offsets() for p in figure.axes[0].collections]),
        [[0.95, 1.0], [0.29, -2.0], [0.50, 3.0]],
        atol=1e-15 * 100,
    )
