"""What the autoencoder figures draw (lbr/plots/autoencoders.py: Figs. 3, 5, 6): made from small
hand-made tables, read back from the matplotlib artists (lines, scatter offsets and colours,
images, labels) and compared with the columns the captions name. Two models share an
architecture and two datasets share latent sizes, so a figure that reads another model's
or dataset's rows shows; snapshot steps and bands are listed out of order."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from lbr.plots import autoencoders, style
from support import axis_texts, default_text_sizes, drawn_grid, drawn_texts

rgba = matplotlib.colors.to_rgba


# --- Figs. 1 (bottom), 3: dynamics_figure ---------------------------------------------

STEPS = [100, 0, 1000, 10]  # out of order in the table
MODELS = {("d2", "mlp"): 3.0, ("d1", "mlp"): 7.0}  # each model's own scale


def _dynamics_tables():
    directions, bands = [], []
    for (dataset, arch), scale in MODELS.items():
        for step in STEPS:
            for k in range(1, 7):
                energy = scale * 10.0 ** (3 - k)
                error = energy * (0.9 ** np.log1p(step)) ** (7 - k)
                directions.append(
                    dict(
                        dataset=dataset,
                        arch=arch,
                        step=step,
                        k=k,
                        error=error,
                        energy=energy if step == 0 else -1.0,
                    )
                )
        for band, (start, stop) in ((1, (4, 6)), (0, (1, 3))):  # bands out of order
            for step in sorted(STEPS):
                value = scale / 10 + band / 3 + step / 1e4
                bands.append(
                    dict(
                        dataset=dataset,
                        arch=arch,
                        step=step,
                        band=band,
                        band_start=start,
                        band_stop=stop,
                        relative_error=value,
                    )
                )
    return pd.DataFrame(directions), pd.DataFrame(bands)


def _summaries():
    return pd.DataFrame(
        [
            dict(dataset="d2", arch="mlp", latent=32, width=16, parameters=1_234_567, gamma=1 / 3),
            dict(dataset="d1", arch="mlp", latent=8, width=4, parameters=45_000, gamma=-0.5),
        ]
    )


def test_dynamics_figure_error_per_direction_and_band_per_model():
    directions, bands = _dynamics_tables()
    figure = autoencoders.dynamics_figure(directions, bands, _summaries())
    panels = np.array(figure.axes[:4], dtype=object).reshape(2, 2)
    titles = [
        "d2, mlp autoencoder (latent 32, width 16, 1.23M parameters)",
        "d1, mlp autoencoder (latent 8, width 4, 45k parameters)",
    ]
    band_titles = [
        "d2, mlp: bands; γ(k, step learned) = +0.33",
        "d1, mlp: bands; γ(k, step learned) = -0.50",
    ]
    for column, (dataset, arch) in enumerate(MODELS):
        spectrum, band = panels[0][column], panels[1][column]
        mine = directions[(directions["dataset"] == dataset) & (directions["arch"] == arch)]
        # one curve per snapshot, early (red) to late (blue), then the data's energy in black
        assert len(spectrum.lines) == len(STEPS) + 1
        for line, step in zip(spectrum.lines, sorted(STEPS)):
            curve = mine[mine["step"] == step]
            np.testing.assert_array_equal(line.get_xydata(), np.c_[curve["k"], curve["error"]])
        assert rgba(spectrum.lines[0].get_color()) == rgba("#d62728")
        assert rgba(spectrum.lines[len(STEPS) - 1].get_color()) == rgba("#1f4eb4")
        energy = spectrum.lines[-1]
        first = mine[mine["step"] == 0]
        np.testing.assert_array_equal(energy.get_xydata(), np.c_[first["k"], first["energy"]])
        assert rgba(energy.get_color()) == (0, 0, 0, 1) and energy.get_label() == "data"
        assert spectrum.get_xscale() == spectrum.get_yscale() == "log"
        assert spectrum.get_title() == titles[column]
        # bands: energy-weighted error against the step (step 0 left out), sorted by band
        table = bands[(bands["dataset"] == dataset) & (bands["arch"] == arch)]
        assert len(band.lines) == 3
        for line, number, label in zip(band.lines, (0, 1), ("k 1–3", "k 4–6")):
            curve = table[(table["band"] == number) & (table["step"] > 0)]
            np.testing.assert_array_equal(
                line.get_xydata(), np.c_[curve["step"], curve["relative_error"]]
            )
            assert line.get_label() == label
        threshold = band.lines[2]
        assert list(threshold.get_ydata()) == [0.5, 0.5]
        assert threshold.get_label() == "learned (½ of energy)"
        assert band.get_title() == band_titles[column]
        assert band.get_xscale() == band.get_yscale() == "log"
    colour_bars = figure.axes[4:]
    assert len(colour_bars) == 2
    for bar in colour_bars:
        labels = [t.get_text() for t in bar.get_yticklabels()]
        assert labels == [str(s) for s in sorted(STEPS)]
        assert bar.get_ylabel() == "training step"


# --- Fig. 5: guidance_figure ----------------------------------------------------------

PAIR_COLUMNS = [
    "dataset",
    "arch",
    "latent",
    "guidance",
    "train_reconstruction_loss",
    "train_reconstruction_loss_unguided",
    "test_reconstruction_loss",
    "test_reconstruction_loss_unguided",
    "linear_probe_accuracy",
    "linear_probe_accuracy_unguided",
    "mlp_probe_accuracy",
    "mlp_probe_accuracy_unguided",
    "linear_probe_relative_difference",
    "mlp_probe_relative_difference",
]


def _pairs():
    rows = [
        ("d1", "conv", 32, 0.1, 1.10, 1.20, 1.30, 1.40, 0.61, 0.42, 0.73, 0.54, 45.2, 35.1),
        ("d1", "conv", 8, 0.05, 2.10, 2.20, 2.30, 2.40, 0.35, 0.26, 0.57, 0.48, 34.6, 18.7),
        ("d2", "conv", 16, 0.1, 3.10, 3.20, 3.30, 3.40, 0.19, 0.28, 0.37, 0.46, -32.1, -19.5),
    ]
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def _marker_vertices(marker):
    style = matplotlib.markers.MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform()).vertices


def test_guidance_figure_draws_both_models_of_each_pair_against_each_loss():
    pairs = _pairs()
    figure = autoencoders.guidance_figure(pairs)
    axes = np.array(figure.axes, dtype=object).reshape(4, 2)
    blues, greens = plt.get_cmap("Blues"), plt.get_cmap("Greens")
    shade = {("d1", 8): 0.45, ("d1", 32): 0.95, ("d2", 16): 0.45}  # per dataset, by latent
    markers = {0.05: "o", 0.1: "s"}
    for index, dataset in enumerate(("d1", "d2")):
        mine = pairs[pairs["dataset"] == dataset]
        for column, split in enumerate(("train", "test")):
            accuracy, relative = axes[2 * index][column], axes[2 * index + 1][column]
            loss = f"{split}_reconstruction_loss"
            scatters, lines = iter(accuracy.collections), iter(accuracy.lines)
            relative_scatters = iter(relative.collections)
            for pair in mine.itertuples(index=False):
                pair = pair._asdict()
                blue, green = (
                    blues(shade[dataset, pair["latent"]]),
                    greens(shade[dataset, pair["latent"]]),
                )
                for probe, filled in (("linear", True), ("mlp", False)):
                    unguided = (
                        pair[f"{loss}_unguided"],
                        100 * pair[f"{probe}_probe_accuracy_unguided"],
                    )
                    guided = (pair[loss], 100 * pair[f"{probe}_probe_accuracy"])
                    # the table's values, × 100 as here: exact
                    np.testing.assert_array_equal(next(lines).get_xydata(), [unguided, guided])
                    for point, colour in ((unguided, blue), (guided, green)):
                        drawn = next(scatters)
                        np.testing.assert_array_equal(drawn.get_offsets(), [point])
                        assert tuple(drawn.get_edgecolor()[0]) == colour
                        faces = drawn.get_facecolor()
                        assert (tuple(faces[0]) == colour) if filled else len(faces) == 0
                        np.testing.assert_allclose(
                            drawn.get_paths()[0].vertices,
                            _marker_vertices(markers[pair["guidance"]]),
                        )
                    drawn = next(relative_scatters)
                    np.testing.assert_array_equal(
                        drawn.get_offsets(),
                        [[pair[loss], pair[f"{probe}_probe_relative_difference"]]],
                    )
                    assert tuple(drawn.get_edgecolor()[0]) == green
            assert next(scatters, None) is None and next(relative_scatters, None) is None
            assert accuracy.get_xlabel() == f"{split} reconstruction loss (MSE)"
            assert accuracy.get_ylabel() == "test accuracy (%)"
            assert relative.get_xlabel() == f"{split} reconstruction loss of the guided model (MSE)"
            assert relative.get_ylabel() == "guided vs unguided accuracy (%, relative)"
            assert accuracy.get_title() == f"{dataset}: probes against {split} reconstruction loss"
            assert relative.get_title() == f"{dataset}: relative difference per pair"
    legend = figure.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == [
        "unguided (weight 0)",
        "guided, weight 0.05",
        "guided, weight 0.1",
        "linear probe",
        "MLP probe",
    ]
    assert legend.get_title().get_text() == "latent sizes 8, 16, 32: lighter = smaller"


# --- Fig. 6: reconstruction_figure ----------------------------------------------------


def _curves(dataset, guidance, scale):
    rows = []
    for weight in (0.0, guidance):
        for epoch in (0, 5, 10):
            rows.append(
                dict(
                    dataset=dataset,
                    guidance=weight,
                    epoch=epoch,
                    train_reconstruction_loss=scale * (1 + weight) / (epoch + 1),
                    test_reconstruction_loss=scale * (2 + weight) / (epoch + 1),
                    linear_probe_accuracy=0.1 + weight + epoch / 100,
                    mlp_probe_accuracy=0.2 + weight + epoch / 50,
                )
            )
    return pd.DataFrame(rows)


def _panel(dataset, channels, count, guidance, seed):
    rng = np.random.default_rng(seed)
    pair = pd.Series(
        dict(
            dataset=dataset,
            arch="conv",
            latent=16,
            parameters=250_000,
            guidance=guidance,
            test_reconstruction_loss=0.01254,
            test_reconstruction_loss_unguided=0.01231,
            linear_probe_accuracy=0.523,
            linear_probe_accuracy_unguided=0.314,
        )
    )
    originals = rng.integers(0, 256, (count, 4, 5, channels)).astype(np.uint8)
    unguided = rng.normal(size=(count, channels, 4, 5))
    guided = rng.normal(size=(count, channels, 4, 5)) * 3 + 1
    return pair, originals, unguided, guided, _curves(dataset, guidance, seed + 1)


def _scaled(image):
    image = np.asarray(image, dtype=np.float64)
    return ((image - image.min()) / (image.max() - image.min())).squeeze()


def test_reconstruction_figure_images_and_curves_of_each_pair():
    panels = [_panel("grey", 1, 3, 0.1, 0), _panel("colour", 3, 2, 0.05, 1)]
    figure = autoencoders.reconstruction_figure(panels)
    assert len(figure.subfigs) == 2
    for block, (pair, originals, unguided, guided, curves) in zip(figure.subfigs, panels):
        top, bottom = block.subfigs
        count = len(originals)
        images = np.array(top.axes, dtype=object).reshape(3, count)
        shown = [originals, unguided.transpose(0, 2, 3, 1), guided.transpose(0, 2, 3, 1)]
        for row, versions in enumerate(shown):
            for c in range(count):
                # each image scaled to [0, 1] by the same subtraction and division: exact
                np.testing.assert_array_equal(
                    images[row][c].images[0].get_array(), _scaled(versions[c])
                )
        labels = [images[r][0].get_ylabel() for r in range(3)]
        assert labels == [
            "original",
            "unguided\ntest rec 0.0123\nlinear probe 31%",
            f"guided, weight {pair['guidance']:g}\ntest rec 0.0125\nlinear probe 52%",
        ]
        assert top.get_suptitle() == (
            f"{pair['dataset']}: conv autoencoders, latent 16, 250k parameters (test images)"
        )
        losses, linear, mlp = bottom.axes
        names = {0.0: "unguided", pair["guidance"]: f"guided, weight {pair['guidance']:g}"}
        # Fig. 6 colours its models as Fig. 5 does: unguided blue, guided green.
        colours = {0.0: rgba("tab:blue"), pair["guidance"]: rgba("tab:green")}
        assert len(losses.lines) == 4 and len(linear.lines) == len(mlp.lines) == 2
        for index, weight in enumerate((0.0, pair["guidance"])):
            run = curves[curves["guidance"] == weight]
            train, test = losses.lines[2 * index], losses.lines[2 * index + 1]
            for line, column, line_style, suffix in (
                (train, "train_reconstruction_loss", "-", "train"),
                (test, "test_reconstruction_loss", "--", "test"),
            ):
                np.testing.assert_array_equal(line.get_xydata(), np.c_[run["epoch"], run[column]])
                assert line.get_linestyle() == line_style
                assert line.get_label() == f"{names[weight]}, {suffix}"
                assert rgba(line.get_color()) == colours[weight]
            for axis, probe in ((linear, "linear"), (mlp, "mlp")):
                line = axis.lines[index]
                np.testing.assert_array_equal(  # the table's accuracies × 100 as here: exact
                    line.get_xydata(), np.c_[run["epoch"], 100 * run[f"{probe}_probe_accuracy"]]
                )
                assert line.get_label() == names[weight]
                assert rgba(line.get_color()) == colours[weight]
        assert losses.get_ylabel() == "reconstruction loss (MSE)"
        assert linear.get_ylabel() == "linear probe test accuracy (%)"
        assert mlp.get_ylabel() == "MLP probe test accuracy (%)"
        assert all(axis.get_xlabel() == "epoch" for axis in (losses, linear, mlp))


def test_unit_range():
    np.testing.assert_array_equal(
        autoencoders._unit_range([[2.0, 4.0], [3.0, 6.0]]), [[0, 0.5], [0.25, 1]]
    )
    np.testing.assert_array_equal(autoencoders._unit_range(np.full((2, 2), 7.0)), np.zeros((2, 2)))


# --- what the autoencoder figures say, at which size, and how large they are ----------

DEFAULT = default_text_sizes()
LABEL = DEFAULT["label"]


def test_dynamics_figure_words_sizes_and_colour_bar_of_each_model():
    directions, bands = _dynamics_tables()
    figure = autoencoders.dynamics_figure(directions, bands, _summaries())
    texts = drawn_texts(figure)
    spectrum = [
        ("xlabel", "eigen-direction k (1 = largest)", LABEL),
        ("ylabel", "mean squared error along u_k", LABEL),
        ("legend", "data", style.LABEL_SIZE),
    ]
    band = [
        ("xlabel", "training step", LABEL),
        ("ylabel", "Σ error / Σ data energy in band", LABEL),
        ("legend", "k 1–3", style.LABEL_SIZE),
        ("legend", "k 4–6", style.LABEL_SIZE),
        ("legend", "learned (½ of energy)", style.LABEL_SIZE),
    ]
    for number in (0, 1):
        words = axis_texts(texts, number)
        assert words[0][0] == "title" and words[0][2] == style.TITLE_SIZE
        assert words[1:] == spectrum
        words = axis_texts(texts, number + 2)
        assert words[0][0] == "title" and words[0][2] == style.TITLE_SIZE
        assert words[1:] == band
    assert [text for where, text, _ in texts if where.startswith(("4 ", "5 "))] == [
        "training step"
    ] * 2
    width, height = autoencoders._DYNAMICS_PANEL
    assert tuple(figure.get_size_inches()) == (2 * width, height)
    early_to_late = matplotlib.colors.LinearSegmentedColormap.from_list(
        "x", autoencoders._SNAPSHOT_COLOURS
    )
    for number in (0, 1):
        spectrum_axis, band_axis = figure.axes[number], figure.axes[number + 2]
        # the k-th of n snapshots at k / (n − 1) along the early-to-late map
        snapshots = spectrum_axis.lines[: len(STEPS)]
        for index, line in enumerate(snapshots):
            assert rgba(line.get_color()) == early_to_late(index / (len(STEPS) - 1))
        assert {line.get_linewidth() for line in snapshots} == {0.9}
        assert spectrum_axis.lines[-1].get_linewidth() > 0.9  # the data above the snapshots
        assert spectrum_axis.get_legend()._loc == 3  # lower left
        # bands from viridis' start to 0.85 of it, in band order; the threshold a reference
        colours = plt.get_cmap("viridis")(np.linspace(0, 0.85, 2))
        assert [rgba(line.get_color()) for line in band_axis.lines[:2]] == [
            tuple(c) for c in colours
        ]
        assert all(line.get_marker() == "." for line in band_axis.lines[:2])
        threshold = band_axis.lines[2]
        assert (threshold.get_color(), threshold.get_linewidth(), threshold.get_linestyle()) == (
            style.REFERENCE["color"], style.REFERENCE["lw"], "--",
        )  # fmt: skip
        for axis in (spectrum_axis, band_axis):
            assert drawn_grid(axis) == (True, style.FINE_GRID["alpha"])
            minor = axis.xaxis.get_minor_ticks()
            assert minor and minor[0].gridline.get_visible()
            assert minor[0].gridline.get_linewidth() == style.FINE_GRID["lw"]
        # one colour per snapshot on the bar, each centred on its own tick
        bar = figure.axes[4 + number]._colorbar
        np.testing.assert_array_equal(bar.norm.boundaries, np.arange(len(STEPS) + 1) - 0.5)
        assert bar.cmap.N == early_to_late.N
        np.testing.assert_array_equal(bar.get_ticks(), np.arange(len(STEPS)))


def test_dynamics_figure_names_at_most_eight_snapshot_steps_and_one_band_step():
    steps = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89]
    directions = pd.DataFrame(
        [
            dict(dataset="d", arch="mlp", step=s, k=k, error=1.0 + s, energy=2.0)
            for s in steps
            for k in (1, 2)
        ]
    )
    bands = pd.DataFrame(
        [
            dict(
                dataset="d",
                arch="mlp",
                step=s,
                band=0,
                band_start=1,
                band_stop=2,
                relative_error=0.7,
            )
            for s in (0, 1)  # one step after step 0: the band is still drawn and named
        ]
    )
    summaries = pd.DataFrame(
        [dict(dataset="d", arch="mlp", latent=2, width=2, parameters=999, gamma=0.0)]
    )
    figure = autoencoders.dynamics_figure(directions, bands, summaries)
    bar = figure.axes[2]
    shown = np.unique(np.linspace(0, 10, 8).round().astype(int))
    assert [t.get_text() for t in bar.get_yticklabels()] == [str(steps[i]) for i in shown]
    band_axis = figure.axes[1]
    assert band_axis.lines[0].get_xydata().tolist() == [[1, 0.7]]
    assert band_axis.lines[0].get_label() == "k 1–2"


def test_guidance_figure_words_sizes_zero_lines_and_legend_handles():
    pairs = _pairs()
    figure = autoencoders.guidance_figure(pairs)
    texts = drawn_texts(figure)
    sized = {
        (text, size) for where, text, size in texts if where.endswith("title") or "legend" in where
    }
    assert ("d1: probes against train reconstruction loss", style.TITLE_SIZE) in sized
    assert ("d2: relative difference per pair", style.TITLE_SIZE) in sized
    titles = [size for where, _, size in texts if where[0].isdigit() and where.endswith(" title")]
    assert len(titles) == 8 and set(titles) == {style.TITLE_SIZE}
    assert {size for where, _, size in texts if where.startswith("figure legend")} == {
        style.LABEL_SIZE
    }
    width, height = autoencoders._GUIDANCE_SIZE
    assert tuple(figure.get_size_inches()) == (width, 2 * height)
    axes = np.array(figure.axes, dtype=object).reshape(4, 2)
    for row in range(4):
        for axis in axes[row]:
            assert drawn_grid(axis) == (True, style.GRID["alpha"])
            assert axis.xaxis.get_major_formatter().get_useOffset() is False
            if row % 2 == 0:  # accuracy panels: the two models of a pair joined, thin
                links = {(line.get_color(), line.get_linewidth()) for line in axis.lines}
                assert links == {(autoencoders._PAIR_LINK["color"], autoencoders._PAIR_LINK["lw"])}
        if row % 2:  # relative panels: a zero line, and each point's marker is its weight's
            for axis in axes[row]:
                zero = [line for line in axis.lines if list(line.get_ydata()) == [0, 0]]
                assert [(z.get_color(), z.get_linewidth()) for z in zero] == [
                    (style.REFERENCE["color"], style.REFERENCE["lw"])
                ]
    relative = axes[1][0]  # d1's pairs: weight 0.1 ('s') then 0.05 ('o'), linear then MLP
    for drawn, marker, filled in zip(relative.collections, ("s", "s", "o", "o"), (True, False) * 2):
        np.testing.assert_allclose(drawn.get_paths()[0].vertices, _marker_vertices(marker))
        assert (len(drawn.get_facecolor()) > 0) == filled
    legend = figure.legends[0]
    handles = legend.legend_handles
    assert [h.get_linestyle() for h in handles] == ["None"] * 5
    assert [h.get_marker() for h in handles] == ["o", "o", "s", "o", "o"]
    assert rgba(handles[0].get_color()) == plt.get_cmap("Blues")(0.8)
    assert all(rgba(h.get_color()) == plt.get_cmap("Greens")(0.8) for h in handles[1:3])
    assert handles[3].get_markerfacecolor() != "none" and handles[4].get_markerfacecolor() == "none"
    assert legend._ncols == 3 and legend._loc == 8  # lower center, outside the axes


def test_reconstruction_figure_words_sizes_layout_and_curve_axes():
    panels = [_panel("grey", 1, 3, 0.1, 0), _panel("colour", 3, 2, 0.05, 1)]
    figure = autoencoders.reconstruction_figure(panels)
    width, height = autoencoders._RECONSTRUCTION_SIZE
    assert tuple(figure.get_size_inches()) == (width, 2 * height)
    for block, (_pair, originals, *_rest) in zip(figure.subfigs, panels):
        top, bottom = block.subfigs
        assert top._suptitle.get_fontsize() == style.TITLE_SIZE
        # images above, a little taller than the curves below
        assert top.bbox.height > bottom.bbox.height > 0
        assert top.bbox.y0 >= bottom.bbox.y1 - 1
        images = np.array(top.axes, dtype=object).reshape(3, len(originals))
        for row in images:
            label = row[0].yaxis.label
            assert (label.get_fontsize(), label.get_rotation(), label.get_ha()) == (
                style.SMALL_SIZE,
                0,
                "right",
            )
            for axis in row:
                assert (list(axis.get_xticks()), list(axis.get_yticks())) == ([], [])
                colour_map = axis.images[0].get_cmap().name
                assert colour_map == ("gray" if originals.shape[-1] == 1 else "viridis")
                assert axis.images[0].get_array().ndim == (2 if originals.shape[-1] == 1 else 3)
        curves = bottom.axes
        assert len(curves) == 3
        assert len({round(axis.get_position().y0, 6) for axis in curves}) == 1  # one row
        assert curves[0].yaxis.get_major_formatter().get_useOffset() is False
        for axis in curves:
            assert drawn_grid(axis) == (True, style.GRID["alpha"])
            assert axis.xaxis.get_major_locator()._integer
            assert {t.get_fontsize() for t in axis.get_legend().get_texts()} == {style.SMALL_SIZE}
        assert all(line.get_marker() == "." for axis in curves[1:] for line in axis.lines)


def test_parameters_and_unit_range_edges():
    assert autoencoders._parameters(1_000_000) == "1M"
    assert autoencoders._parameters(998_400) == "998k"
    assert autoencoders._parameters(2_345_000) == "2.35M"
    constant = autoencoders._unit_range(np.full((2, 3), 7, dtype=np.uint8))
    assert constant.dtype == np.float64 and constant.shape == (2, 3) and not constant.any()
    scaled = autoencoders._unit_range(np.array([[0, 255]], dtype=np.uint8))
    assert scaled.dtype == np.float64 and scaled.tolist() == [[0.0, 1.0]]


def test_dynamics_figure_of_two_snapshots_spans_the_colour_map():
    directions = pd.DataFrame(
        [
            dict(dataset="d", arch="mlp", step=s, k=k, error=1.0 + s, energy=2.0)
            for s in (0, 50)
            for k in (1, 2)
        ]
    )
    bands = pd.DataFrame(
        [
            dict(
                dataset="d",
                arch="mlp",
                step=50,
                band=0,
                band_start=1,
                band_stop=2,
                relative_error=0.7,
            )
        ]
    )
    summaries = pd.DataFrame(
        [dict(dataset="d", arch="mlp", latent=2, width=2, parameters=999, gamma=0.0)]
    )
    figure = autoencoders.dynamics_figure(directions, bands, summaries)
    assert figure.get_layout_engine() is not None  # constrained: colour bars and titles fit
    first, last = figure.axes[0].lines[:2]
    assert (rgba(first.get_color()), rgba(last.get_color())) == (
        rgba(autoencoders._SNAPSHOT_COLOURS[0]),
        rgba(autoencoders._SNAPSHOT_COLOURS[-1]),
    )
    # the colour bar shows the same map as the lines: early red, late blue
    bar = figure.axes[2]._colorbar
    assert rgba(bar.cmap(0.0)) == rgba(autoencoders._SNAPSHOT_COLOURS[0])
    assert rgba(bar.cmap(1.0)) == rgba(autoencoders._SNAPSHOT_COLOURS[-1])


def test_guidance_and_reconstruction_figures_of_one_dataset_one_image():
    figure = autoencoders.guidance_figure(_pairs().iloc[[2]])
    assert len(figure.axes) == 4 and figure.get_layout_engine() is not None
    probes = figure.legends[0].legend_handles[-2:]
    assert [rgba(handle.get_color()) for handle in probes] == [(0, 0, 0, 1)] * 2
    figure = autoencoders.reconstruction_figure([_panel("grey", 1, 1, 0.1, 0)])
    assert figure.get_layout_engine() is not None
    top, bottom = figure.subfigs[0].subfigs
    assert len(top.axes) == 3 and len(bottom.axes) == 3
    assert all(axis.yaxis.label.get_va() == "center" for axis in top.axes)
    # the images a little taller than the curves (1.1 : 1); the subfigure grid's arithmetic
    # is a dozen roundings of numbers below the figure's size: far inside 1e-12 relative
    assert top.bbox.height / bottom.bbox.height == pytest.approx(1.1, rel=1e-12)
