"""Autoencoder training on real digits: settings, batch-statistics snapshots, the learning
dynamics and the guided autoencoder at tiny size on the CPU."""

import numpy as np
import pytest
import torch
from lbr.data.embedded import load_digits_dataset
from lbr.data.format import ImageDataset, write_dataset
from lbr.errors import ConfigError
from lbr.models.autoencoders import build_autoencoder
from lbr.spectral.cache import compute_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing
from lbr.train import autoencoder
from lbr.train.autoencoder import (
    AutoencoderSettings,
    DynamicsSettings,
    ProbeSettings,
    dynamics_settings,
    guidance_settings,
    guided_autoencoder,
    learning_dynamics,
    snapshot_reconstruction,
)
from lbr.train.runtime import Runtime


def test_negative_guidance_is_refused():
    with pytest.raises(ConfigError, match="guidance"):
        AutoencoderSettings("conv", 8, 8, 1, 32, 1e-3, 0.0, guidance=-0.1)


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


@pytest.mark.slow  # a 21M-parameter encoder, trained and probed: tens of seconds
def test_resnet34_guidance_runs_on_cpu_at_tiny_size(digits_dirs):
    data, spectrum, _ = digits_dirs
    section = {
        "width": 4,
        "epochs": 2,
        "batch_size": 100,
        "learning_rate": 1e-3,
        "weight_decay": 0.0,
        "seeds": [0, 3],  # the grid's seeds: the run's own comes from its wildcard
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
    settings, probe = guidance_settings(section, "resnet34", "16", "0.5", "3")
    assert settings.guidance == 0.5 and settings.seed == 3 and isinstance(probe, ProbeSettings)
    metrics, curves, shown = guided_autoencoder(data, spectrum, settings, probe, 3, "cpu")
    assert curves["epoch"].tolist() == [1, 2] and shown.shape == (3, 1, 8, 8)
    assert metrics["parameters"] > 21_000_000  # resnet34's encoder alone has 21.3M
    for column in ("train_reconstruction_loss", "test_reconstruction_loss"):
        assert np.isfinite(curves[column]).all() and metrics[column] == curves[column].iloc[-1]
    assert curves["linear_probe_accuracy"].between(0, 1).all()


# A config section whose every value differs from the others and from the defaults.
_MODEL_SECTION = {
    "width": 5, "epochs": 7, "batch_size": 11, "learning_rate": 0.013, "weight_decay": 0.017,
}  # fmt: skip


def test_the_dynamics_section_becomes_the_settings_of_one_architecture():
    section = {
        **_MODEL_SECTION, "latent": 19, "seed": 23, "snapshots": 29, "subset": 31,
        "band_edges": [1, 3, 9],
    }  # fmt: skip
    model, sampling = dynamics_settings(section, "mlp")
    assert model == AutoencoderSettings("mlp", 19, 5, 7, 11, 0.013, 0.017, seed=23)
    assert sampling == DynamicsSettings(29, 31, (1, 3, 9))


def test_the_guidance_section_becomes_the_settings_of_one_run_of_its_grid():
    probe = {"epochs": 2, "batch_size": 3, "learning_rate": 0.5, "weight_decay": 0.25}
    section = {
        **_MODEL_SECTION, "augment": True, "record_every": 4,
        "probe": {**probe, "hidden": 37},
    }  # fmt: skip
    model, probe_settings = guidance_settings(section, "conv", "8", "0.5", "2")
    assert model == AutoencoderSettings(
        "conv", 8, 5, 7, 11, 0.013, 0.017, augment=True, guidance=0.5, seed=2
    )
    assert (model.latent, model.guidance, model.seed) == (8, 0.5, 2)  # numbers, not text
    assert probe_settings == ProbeSettings(2, 3, 0.5, 0.25, 37, record_every=4)


class _Fixed(torch.nn.Module):
    """Returns the same reconstruction and logits whatever the input."""

    def __init__(self, recon, logits):
        super().__init__()
        self.recon, self.logits = recon, logits

    def forward(self, x):
        return self.recon, self.logits


@pytest.mark.parametrize("weight", [0.0, 0.5, 2.0])
def test_the_training_loss_is_the_mean_squared_error_plus_weight_times_cross_entropy(weight):
    x = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    recon = torch.tensor([[1.0, 1.0], [2.0, 1.0]])  # squared errors 1, 0, 0, 4: mean 1.25
    logits = torch.tensor([[0.0, 0.0], [0.0, 0.0]])  # two equal classes: cross-entropy ln 2
    y = torch.tensor([0, 1])
    loss = autoencoder._reconstruction_loss(_Fixed(recon, logits), x, y, weight)
    # float32: ln 2 and the sums each within a few units of the last place
    assert loss.item() == pytest.approx(1.25 + weight * np.log(2), rel=1e-6)


def test_snapshots_start_before_the_first_step_and_end_at_the_last():
    assert autoencoder._snapshot_steps(100, 3) == {0, 1, 10, 100}
    assert autoencoder._snapshot_steps(6, 4) == {0, 1, 2, 3, 6}  # 6^(1/3) = 1.82, 3.30


def test_the_hidden_layer_probe_separates_what_a_linear_one_cannot():
    """XOR of two signs: no linear probe gets above 3 of 4 quadrants; one hidden ReLU
    layer separates them (a probe without its nonlinearity would be linear)."""
    generator = torch.Generator().manual_seed(0)
    corners = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    labels = torch.tensor([0, 1, 1, 0])
    pick = torch.randint(0, 4, (400,), generator=generator)
    z = corners[pick] + 0.1 * torch.randn(400, 2, generator=generator)
    y = labels[pick]
    probe = ProbeSettings(epochs=60, batch_size=50, learning_rate=0.05, weight_decay=0.0, hidden=32)
    runtime = Runtime(torch.device("cpu"))

    def accuracy(hidden):
        correct = autoencoder._probe_correct(
            z[:300], y[:300], z[300:], y[300:], 2, hidden, probe, 0, runtime
        )
        return correct.float().mean().item()

    assert accuracy(0) <= 0.8 and accuracy(32) >= 0.95


def test_a_runs_acceleration_reaches_its_runtime(digits_dirs, programs):
    """Compile asked for on a machine without a C++ compiler (`programs` left empty): both
    runs stop at once with the runtime's error (they would train eagerly if the block were
    dropped)."""
    settings = AutoencoderSettings("mlp", 4, 4, 1, 32, 1e-3, 0.0)
    probe = ProbeSettings(1, 32, 1e-3, 0.0, 4)
    data, spectrum, _ = digits_dirs
    with pytest.raises(ConfigError, match="no C\\+\\+ compiler"):
        guided_autoencoder(data, spectrum, settings, probe, 1, "cpu", {"compile": True})
    sampling = DynamicsSettings(2, 16, (1, 5))
    with pytest.raises(ConfigError, match="no C\\+\\+ compiler"):
        learning_dynamics(data, spectrum, settings, sampling, "cpu", {"compile": True})
