"""Autoencoder models, the R2 measurement (directions that count, energy-weighted bands,
batch-statistics snapshots, the rank statistic) and the R3 pairs, on real digits."""

import numpy as np
import pandas as pd
import pytest
import torch
from lbr.data.embedded import load_digits_dataset
from lbr.data.format import ImageDataset, write_dataset
from lbr.errors import ConfigError
from lbr.models.autoencoders import build_autoencoder
from lbr.spectral.cache import compute_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing
from lbr.train.autoencoder import (
    AutoencoderSettings,
    DynamicsSettings,
    ProbeSettings,
    guidance_settings,
    guided_autoencoder,
    learning_dynamics,
    snapshot_reconstruction,
)
from lbr.train.autoencoder_claims import (
    R2_MIN_GAMMA,
    band_ranges,
    band_table,
    dynamics_summaries,
    figure6_pairs,
    guidance_pairs,
    order_gamma,
    r2_summary,
    signal_directions,
)
from lbr.train.runtime import Runtime


@pytest.mark.parametrize("arch", ["mlp", "conv", "resnet", "resnet34"])
@pytest.mark.parametrize("shape", [(1, 8, 8), (3, 16, 16), (1, 28, 28)])
def test_autoencoders_reconstruct_the_input_shape(arch, shape):
    model = build_autoencoder(arch, shape, latent=5, width=8, num_classes=10)
    reconstruction, logits = model(torch.zeros(2, *shape))
    assert reconstruction.shape == (2, *shape) and logits.shape == (2, 10)
    assert model.encode(torch.zeros(2, *shape)).shape == (2, 5)


def test_resnet34_encoder_is_torchvisions_resnet34():
    import torchvision

    model = build_autoencoder("resnet34", (3, 64, 64), latent=32, width=8, num_classes=10)
    reference = torchvision.models.resnet34(weights=None)
    ours = {n: p.shape for n, p in model.encoder.named_parameters() if not n.startswith("fc.")}
    theirs = {n: p.shape for n, p in reference.named_parameters() if not n.startswith("fc.")}
    assert ours == theirs and model.encoder.fc.out_features == 32


def test_latent_larger_than_the_input_is_refused():
    with pytest.raises(ConfigError, match="latent size 65"):
        build_autoencoder("mlp", (1, 8, 8), latent=65, width=8, num_classes=10)


def test_negative_guidance_is_refused():
    with pytest.raises(ConfigError, match="guidance"):
        AutoencoderSettings("conv", 8, 8, 1, 32, 1e-3, 0.0, guidance=-0.1)


def test_bands_cover_every_direction():
    assert band_ranges([1, 5, 17], 64) == [(1, 4), (5, 16), (17, 64)]
    for bad in ([2, 5], [1, 5, 5], []):
        with pytest.raises(ConfigError, match="band_edges"):
            band_ranges(bad, 64)
    with pytest.raises(ConfigError, match="exceeds"):
        band_ranges([1, 100], 64)


def test_jitter_only_directions_do_not_count():
    energy = np.array([10.0, 1.0, 1e-3, 1e-13, 0.0])
    assert signal_directions(energy).tolist() == [True, True, True, False, False]


def _directions(errors: dict[int, list[float]], energy: dict[int, float], steps=(0, 10, 100)):
    return pd.DataFrame(
        [
            {"step": step, "k": k, "error": e, "energy": energy[k]}
            for k, values in errors.items()
            for step, e in zip(steps, values)
        ]
    )


def test_bands_are_energy_weighted_not_means_of_ratios():
    # Band 1..2: a large direction half learned, a tiny one untouched (ratio 1).
    table = _directions({1: [100, 50, 50], 2: [1, 1, 1], 3: [4, 4, 1]}, {1: 100, 2: 1, 3: 4})
    bands = band_table(table, [1, 3])
    last = bands[bands["step"] == 100].set_index("band")["relative_error"]
    assert last[0] == pytest.approx(51 / 101)  # a mean of ratios would give 0.75
    assert last[1] == pytest.approx(0.25)


def test_rank_statistic_orders_directions_never_learned_last():
    energy = {k: 1.0 for k in range(1, 5)}
    top_first = _directions(
        {1: [1, 0.1, 0], 2: [1, 0.4, 0], 3: [1, 1, 0.3], 4: [1, 1, 0.6]}, energy
    )
    summary = r2_summary(top_first, band_table(top_first, [1, 3]))
    assert summary["gamma"] > R2_MIN_GAMMA and summary["r2_holds"]
    assert summary["directions_learned"] == 3 and summary["band_learned_steps"] == [10, 100]
    bottom_first = _directions(
        {1: [1, 1, 1], 2: [1, 1, 0.2], 3: [1, 0.3, 0], 4: [1, 0.1, 0]}, energy
    )
    summary = r2_summary(bottom_first, band_table(bottom_first, [1, 3]))
    assert summary["gamma"] < 0 and summary["r2_holds"] is False
    nothing = _directions({k: [1, 1, 1] for k in energy}, energy)
    assert r2_summary(nothing, band_table(nothing, [1]))["r2_holds"] is None


def test_gamma_judges_the_order_shown_not_how_far_training_got():
    inf = np.inf
    # Only the top 2 of 6 learned, in order: as ordered as it can be (Spearman would give 0.85).
    assert order_gamma([1, 2, inf, inf, inf, inf]) == 1.0
    assert order_gamma([inf, inf, 3, 1]) == -1.0
    assert order_gamma([5, 1, 5, 9]) == pytest.approx((4 - 1) / (4 + 1))
    assert np.isnan(order_gamma([inf, inf, inf]))


def test_dynamics_summaries_recompute_r2_per_model_from_the_tables():
    energy = {k: 1.0 for k in range(1, 5)}
    good = _directions({1: [1, 0.1, 0], 2: [1, 0.4, 0], 3: [1, 1, 0.3], 4: [1, 1, 0.6]}, energy)
    bad = _directions({1: [1, 1, 1], 2: [1, 1, 0.2], 3: [1, 0.3, 0], 4: [1, 0.1, 0]}, energy)
    directions = pd.concat([good.assign(arch="a"), bad.assign(arch="b")]).assign(dataset="d")
    bands = pd.concat(
        [band_table(t, [1, 3]).assign(arch=a) for t, a in ((good, "a"), (bad, "b"))]
    ).assign(dataset="d")
    facts = {"dataset": "d", "latent": 2, "width": 1, "parameters": 10, "directions_left_out": 0}
    runs = pd.DataFrame([{**facts, "arch": "b", "gamma": 9.0}, {**facts, "arch": "a"}])
    summary = dynamics_summaries(runs, directions, bands)
    assert summary["arch"].tolist() == ["b", "a"] and summary["r2_holds"].tolist() == [False, True]
    assert summary["gamma"].iloc[0] < 0  # recomputed, not the stale value of the run file


def test_snapshot_uses_batch_statistics_and_leaves_running_statistics_alone():
    torch.manual_seed(0)
    model = build_autoencoder("conv", (1, 8, 8), latent=4, width=4, num_classes=3)
    x = torch.randn(16, 1, 8, 8)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for m in norms:  # unsettled running statistics, as at the first steps
        m.running_mean.fill_(5.0)
        m.running_var.fill_(0.01)
    before = [m.running_mean.clone() for m in norms]
    model.eval()
    snapshot = snapshot_reconstruction(model, x, Runtime(torch.device("cpu")))
    assert all(torch.equal(m.running_mean, b) for m, b in zip(norms, before))
    assert not model.training
    model.train()
    with torch.no_grad():
        expected = model(x)[0]
    torch.testing.assert_close(snapshot, expected)
    model.eval()
    with torch.no_grad():
        assert not torch.allclose(model(x)[0], snapshot)  # eval mode would use the 5.0 means


@pytest.fixture(scope="module")
def digits_dirs(tmp_path_factory):
    """Real digits, cut to 200 training and 100 test images, with their jittered spectrum."""
    root = tmp_path_factory.mktemp("digits")
    full = load_digits_dataset(0.2, seed=0)
    small = ImageDataset(
        full.train_images[:200],
        full.train_labels[:200],
        full.test_images[:100],
        full.test_labels[:100],
        full.class_names,
    )
    write_dataset(root / "data", small, {"name": "digits"})
    prep = Preprocessing(per_image_std=False, center=True, global_std=True, jitter=1e-3)
    write_spectrum(root / "spectrum", compute_spectrum(root / "data", prep, 100, 1e-10, "cpu"))
    constant = int((small.train_images.reshape(200, -1).std(axis=0) == 0).sum())
    return str(root / "data"), str(root / "spectrum"), constant


def test_dynamics_leave_out_constant_pixels_and_stay_finite(digits_dirs):
    data, spectrum, constant = digits_dirs
    assert constant > 0  # digits have constant border pixels: their eigenvalue is jitter only
    settings = AutoencoderSettings("conv", 8, 4, 2, 32, 1e-2, 0.0)
    directions, bands, summary = learning_dynamics(
        data, spectrum, settings, DynamicsSettings(6, 64, (1, 5, 17)), "cpu"
    )
    assert summary["directions_left_out"] == constant
    assert directions["k"].nunique() == 64 - constant
    assert directions["step"].min() == 0 and directions["step"].max() == 2 * 7
    assert np.isfinite(bands["relative_error"]).all() and bands["relative_error"].max() < 10
    gamma = summary["gamma"]  # nan (verdict n/a) when no direction is learned yet
    assert (summary["r2_holds"] is None) == bool(np.isnan(gamma)) and not abs(gamma) > 1


def test_resnet34_guidance_runs_on_cpu_at_tiny_size(digits_dirs):
    data, spectrum, _ = digits_dirs
    section = {
        "width": 4,
        "epochs": 2,
        "batch_size": 100,
        "learning_rate": 1e-3,
        "weight_decay": 0.0,
        "seed": 0,
        "augment": True,
        "record_every": 1,
        "probe": {
            "epochs": 2,
            "batch_size": 100,
            "learning_rate": 1e-3,
            "weight_decay": 0.0,
            "hidden": 8,
        },
    }
    settings, probe = guidance_settings(section, "resnet34", "16", "0.5")
    assert settings.guidance == 0.5 and isinstance(probe, ProbeSettings)
    metrics, curves, shown = guided_autoencoder(data, spectrum, settings, probe, 3, "cpu")
    assert curves["epoch"].tolist() == [1, 2] and shown.shape == (3, 1, 8, 8)
    assert metrics["parameters"] > 21_000_000  # resnet34's encoder alone has 21.3M
    for column in ("train_reconstruction_loss", "test_reconstruction_loss"):
        assert np.isfinite(curves[column]).all() and metrics[column] == curves[column].iloc[-1]
    assert curves["linear_probe_accuracy"].between(0, 1).all()


def _runs(rows):
    base = {"dataset": "d", "arch": "conv", "latent": 8, "train_reconstruction_loss": 1.0}
    return pd.DataFrame([{**base, **row} for row in rows])


def test_guidance_pairs_r3_verdict_and_figure6_choice():
    table = _runs(
        [
            {
                "guidance": 0.0,
                "test_reconstruction_loss": 1.00,
                "linear_probe_accuracy": 0.30,
                "mlp_probe_accuracy": 0.5,
            },
            {
                "guidance": 0.1,
                "test_reconstruction_loss": 1.03,
                "linear_probe_accuracy": 0.45,
                "mlp_probe_accuracy": 0.6,
            },
            {
                "guidance": 1.0,
                "test_reconstruction_loss": 1.20,
                "linear_probe_accuracy": 0.60,
                "mlp_probe_accuracy": 0.7,
            },
        ]
    )
    pairs = guidance_pairs(table)
    assert len(pairs) == 2
    np.testing.assert_allclose(pairs["reconstruction_gap"], [0.03, 0.20])
    np.testing.assert_allclose(pairs["linear_probe_relative_difference"], [50.0, 100.0])
    assert pairs["r3_holds"].tolist() == [True, False]
    # Fig. 6 shows the pair with equal reconstruction, not the one with the largest gain.
    assert [p["guidance"] for p in figure6_pairs(pairs)] == [0.1]
