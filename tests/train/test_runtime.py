"""The runtime (lbr.train.runtime): 'auto' keeps the device's choices and bad values name
the key; and the GPU code path on CPU: bf16 autocast, torch.compile, channels-last,
fused AdamW and on-device augmentation, every switch on, at tiny size, for every
registered classifier and autoencoder (resnet34 without Inductor's code generation, see
CAPTURE_ONLY); and the compiled graphs counted with dynamo's counters.

Graph budget (lbr.train.loop.compiled): a model compiled for training gets one graph for
the full batches and one for the last partial batch; evaluation, snapshots and probes
run eagerly and add none."""

import functools
import math

import numpy as np
import pytest
import torch
from lbr.data.embedded import composite_on_photos, load_digits_dataset
from lbr.data.format import ImageDataset, write_dataset
from lbr.errors import ConfigError
from lbr.models.autoencoders import ARCHITECTURES
from lbr.models.classifiers import CLASSIFIERS
from lbr.spectral.cache import compute_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing
from lbr.train.autoencoder import (
    AutoencoderSettings,
    DynamicsSettings,
    ProbeSettings,
    guided_autoencoder,
    learning_dynamics,
)
from lbr.train.runtime import Runtime, resolve_runtime, use_compile_cache
from lbr.train.subspace_run import SubspaceRun, run_subspace_training, subspace_settings
from torch._dynamo.utils import counters

ALL_ON = {"precision": "bf16", "compile": True, "channels_last": True, "fused_optimizer": True}
GRAPHS_PER_TRAINED_MODEL = 2  # full batches + the last partial batch
TRAIN, TEST, BATCH = 150, 60, 64  # 150 = 2 × 64 + 22: every epoch ends on a partial batch
# The partial batch's own graph is the loop's doing (lbr.train.loop, shared by every
# model), checked on the mlp autoencoder and the guided conv one; the classifier and the
# other autoencoders train on full batches only (one graph), which halves their cold
# compile (the classifier's: 73 of its 83 s on 2 cores went to compiling its two graphs).
# resnet34 trains one epoch of six 25-image batches: bf16 on a CPU without native bf16
# is emulated (a resnet34 step takes 15-30 times its fp32 time here), and what is checked
# (graphs, dtypes, a falling error) does not need more images.
CLASSIFIER_BATCH = TRAIN // 2
FULL_BATCHES_ONLY = {"conv": TRAIN // 2, "resnet": TRAIN // 2, "resnet34": TRAIN // 6}
EPOCHS = {"resnet34": 1}
# resnet34 goes through all of torch.compile but Inductor's C++ code generation: Dynamo's
# capture (the graphs and breaks counted here), AOTAutograd's joint graph, Inductor's
# decompositions and partitioner, then the ATen kernels run in bf16. Generating C++ for
# its 36-convolution encoder took 100 of this test's 165 s alone on 2 cores; the kernels
# it would generate (convolution, batch norm, ReLU, pooling, addition) are generated and
# run for the other models, all but its decoder's nearest upsampling, and on a GPU
# Inductor generates Triton, which no CPU test runs.
CAPTURE_ONLY = {"resnet34"}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Digit strokes over photo crops at 16×16×3 (the paper's kind of data, small): the
    dataset and its two spectra, as the pipeline writes them; and a shared compile cache."""
    root = tmp_path_factory.mktemp("fast-path")
    use_compile_cache(root / "torch_compile")
    digits = load_digits_dataset(0.2, seed=0)
    base = ImageDataset(
        digits.train_images[:TRAIN],
        digits.train_labels[:TRAIN],
        digits.test_images[:TEST],
        digits.test_labels[:TEST],
        digits.class_names,
    )
    write_dataset(root / "dataset", composite_on_photos(base, [16, 16, 3], 1, 64, seed=0), {})
    for name, prep in {
        "standardized": Preprocessing(False, True, True, 0.001),
        "per_image": Preprocessing(True, True, False, 0.0),
    }.items():
        spectrum = compute_spectrum(root / "dataset", prep, 512, 1e-10, "cpu")
        write_spectrum(root / name, spectrum)
    return root


def _count_graphs(run):
    torch._dynamo.reset()
    counters.clear()
    result = run()
    return result, counters["stats"]["unique_graphs"], sum(counters["graph_break"].values())


def test_auto_keeps_the_device_choices_and_bad_values_name_the_key():
    cpu = torch.device("cpu")
    assert resolve_runtime("cpu") == Runtime(cpu, "fp32", False, True, False)
    assert resolve_runtime("cpu", {"compile": "auto"}) == resolve_runtime("cpu", {})
    assert resolve_runtime("cpu", ALL_ON) == Runtime(cpu, "bf16", True, True, True)
    with pytest.raises(ConfigError, match="acceleration.precision"):
        resolve_runtime("cpu", {"precision": "fp16"})
    with pytest.raises(ConfigError, match="acceleration.compile"):
        resolve_runtime("cpu", {"compile": 1})
    with pytest.raises(ConfigError, match="unknown acceleration key"):
        resolve_runtime("cpu", {"compiled": True})


def _classifier(data, acceleration, architecture):
    training = {
        "epochs": 4,
        "batch_size": CLASSIFIER_BATCH,
        "learning_rate": 2e-3,
        "weight_decay": 1e-3,
    }
    model = {"architecture": architecture, "widths": [64, 128, 256, 512, 1028]}
    settings = subspace_settings(
        {**training, "loss": "mse"}, {**model, "width_multiplier": 0.0625}, augment=True, seed=0
    )
    return run_subspace_training(
        SubspaceRun(data / "dataset", data / "per_image", "top", 0.9, settings, "cpu", acceleration)
    )


@pytest.mark.slow  # a cold torch.compile on CPU: minutes on 2 shared cores
@pytest.mark.parametrize("architecture", sorted(CLASSIFIERS))
def test_classifier_with_every_switch_on(data, architecture):
    (metrics, summary, _), graphs, breaks = _count_graphs(
        lambda: _classifier(data, ALL_ON, architecture)
    )
    assert summary["runtime"] == {"device": "cpu", **ALL_ON}
    assert np.isfinite(metrics[["train_loss", "test_loss", "test_accuracy"]].to_numpy()).all()
    assert metrics["train_loss"].iloc[-1] < 0.9 * metrics["train_loss"].iloc[0]
    # 4 epochs × 2 full batches and 4 evaluations (60 images): the training's one graph.
    assert graphs == 1 and breaks == 0
    default_metrics, default_summary, _ = _classifier(data, None, architecture)
    assert list(metrics.columns) == list(default_metrics.columns)
    assert summary.keys() == default_summary.keys()


def _dynamics_settings(arch):
    return AutoencoderSettings(
        arch, latent=8, width=4, epochs=EPOCHS.get(arch, 3),
        batch_size=FULL_BATCHES_ONLY.get(arch, BATCH),
        learning_rate=3e-3, weight_decay=0.0, augment=True, seed=0,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
def test_every_autoencoder_with_every_switch_on(data, arch, monkeypatch):
    if arch in CAPTURE_ONLY:
        backend = "aot_eager_decomp_partition"
        monkeypatch.setattr(torch, "compile", functools.partial(torch.compile, backend=backend))
    sampling = DynamicsSettings(snapshots=8, subset=64, band_edges=(1, 5, 17))

    def run(acceleration):
        return learning_dynamics(
            data / "dataset", data / "standardized", _dynamics_settings(arch), sampling, "cpu",
            acceleration,
        )  # fmt: skip

    (directions, bands, summary), graphs, breaks = _count_graphs(lambda: run(ALL_ON))
    # step 0 and up to 8 log-spaced snapshots of a 64-image subset, none of them compiled
    assert 2 <= directions["step"].nunique() <= 9 and directions["step"].min() == 0
    assert graphs == (1 if arch in FULL_BATCHES_ONLY else GRAPHS_PER_TRAINED_MODEL)
    assert breaks == 0
    assert np.isfinite(directions["error"]).all() and np.isfinite(bands["relative_error"]).all()
    top = bands[bands["band"] == 0].sort_values("step")["relative_error"]
    assert top.iloc[-1] < top.iloc[0]  # the leading directions are being learned
    default_directions, default_bands, default_summary = run(None)
    assert list(directions.columns) == list(default_directions.columns)
    assert len(bands) == len(default_bands) and summary.keys() == default_summary.keys()


@pytest.mark.slow
def test_guided_autoencoder_with_every_switch_on(data):
    probe = ProbeSettings(
        epochs=3, batch_size=64, learning_rate=1e-3, weight_decay=0.0, hidden=16, record_every=1
    )
    settings = AutoencoderSettings(
        "conv", latent=8, width=4, epochs=3, batch_size=BATCH, learning_rate=3e-3,
        weight_decay=0.0, augment=True, guidance=0.1, seed=0,
    )  # fmt: skip

    def run(acceleration):
        return guided_autoencoder(
            data / "dataset", data / "standardized", settings, probe, 4, "cpu", acceleration
        )

    (metrics, curves, reconstructions), graphs, breaks = _count_graphs(lambda: run(ALL_ON))
    # probes and the per-epoch evaluations run eagerly: still the training's two graphs
    assert graphs == GRAPHS_PER_TRAINED_MODEL and breaks == 0
    assert all(math.isfinite(v) for v in metrics.values() if isinstance(v, float))
    assert curves["epoch"].tolist() == [1, 2, 3]
    assert np.isfinite(curves.drop(columns="epoch").to_numpy(dtype=float)).all()
    assert reconstructions.shape == (4, 3, 16, 16) and np.isfinite(reconstructions).all()
    default_metrics, default_curves, default_reconstructions = run(None)
    assert metrics.keys() == default_metrics.keys()
    assert list(curves.columns) == list(default_curves.columns)
    assert reconstructions.shape == default_reconstructions.shape


def test_the_recorded_environment_does_not_depend_on_import_order(monkeypatch):
    """Two BLAS libraries (numpy's and scipy's OpenBLAS) are listed in the order they
    were loaded, which differs between jobs: the record sorts them."""
    from lbr.train import runtime

    pools = [
        {"user_api": "blas", "internal_api": "openblas", "version": v, "architecture": "Haswell"}
        for v in ("0.3.31", "0.3.30")
    ]
    monkeypatch.setattr("threadpoolctl.threadpool_info", lambda: pools)
    first = runtime.numerics_environment()["blas"]
    monkeypatch.setattr("threadpoolctl.threadpool_info", lambda: pools[::-1])
    assert runtime.numerics_environment()["blas"] == first
    assert [pool["version"] for pool in first] == ["0.3.30", "0.3.31"]
