"""A guidance run's per-test-image results (lbr/train/autoencoder.py), what R3's paired
bootstrap reads: each probe's correctness averages to the accuracy the run reports, each
image's reconstruction error averages to the test reconstruction loss, and the first
images' errors are those of the reconstructions the run returns, recomputed here."""

import numpy as np
import pytest
import torch
from lbr.data.embedded import load_digits_dataset
from lbr.data.format import ImageDataset, read_dataset, write_dataset
from lbr.spectral.cache import compute_spectrum, read_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing
from lbr.train.autoencoder import guidance_settings, guided_autoencoder
from lbr.train.projection import preprocessed_split

U = 2.0**-24  # float32 unit roundoff
SECTION = {
    "width": 4,
    "epochs": 3,  # the last of three epochs is not the second: the reported one is checked
    "batch_size": 50,
    "learning_rate": 1e-3,
    "weight_decay": 0.0,
    "augment": False,
    "record_every": 1,
    "probe": {
        "epochs": 2,
        "batch_size": 50,
        "learning_rate": 1e-2,
        "weight_decay": 0.0,
        "hidden": 8,
    },  # fmt: skip
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("digits")
    full = load_digits_dataset(0.2, seed=0)
    small = ImageDataset(
        full.train_images[:150], full.train_labels[:150], full.test_images[:61],
        full.test_labels[:61], full.class_names,
    )  # fmt: skip
    write_dataset(root / "data", small, {"name": "digits"})
    prep = Preprocessing(per_image_std=False, center=True, global_std=True, jitter=1e-3)
    write_spectrum(root / "spectrum", compute_spectrum(root / "data", prep, 100, 1e-10, "cpu"))
    settings, probe = guidance_settings(SECTION, "conv", "8", "0.5", "2")
    per_image = {}
    metrics, curves, shown = guided_autoencoder(
        str(root / "data"), str(root / "spectrum"), settings, probe, 5, "cpu", None, per_image
    )
    test_x = preprocessed_split(
        read_dataset(root / "data"), read_spectrum(root / "spectrum"), "test"
    )
    torch.set_num_threads(threads)
    return metrics, shown, per_image, test_x, curves


def test_one_value_per_test_image_and_probe(run):
    _, _, per_image, _, _ = run
    assert sorted(per_image) == [
        "linear_probe_correct",
        "mlp_probe_correct",
        "reconstruction_error",
    ]
    assert all(len(values) == 61 for values in per_image.values())
    assert per_image["linear_probe_correct"].dtype == np.bool_


def test_correctness_averages_to_the_reported_accuracy(run):
    metrics, _, per_image, _, _ = run
    for probe in ("linear", "mlp"):
        count = int(per_image[f"{probe}_probe_correct"].sum())
        # the run reports a float32 mean of 61 zeros and ones: within 61 u of count/61
        assert abs(metrics[f"{probe}_probe_accuracy"] - count / 61) <= 61 * U


def test_errors_average_to_the_test_loss_and_match_the_returned_reconstructions(run):
    metrics, shown, per_image, test_x, _ = run
    errors = per_image["reconstruction_error"]
    # float32 sums of D = 64 squares per image, then of all 61·64: (61·64 + 64) u relative
    bound = (61 * 64 + 64) * U * metrics["test_reconstruction_loss"]
    assert abs(errors.mean() - metrics["test_reconstruction_loss"]) <= bound
    first = shown.reshape(5, -1).astype(np.float64) - test_x[:5].astype(np.float64)
    np.testing.assert_allclose(errors[:5], (first**2).mean(axis=1), rtol=130 * U, atol=0)


def test_the_reported_numbers_are_the_last_epochs(run):
    """The run's metrics are its last curve row's (epoch 3 of 3), without the row's epoch
    and time, with the training objective under its own name; the device by name."""
    metrics, _, _, _, curves = run
    assert curves["epoch"].tolist() == [1, 2, 3]
    assert (curves["seconds"] > 0).all()
    last = curves.iloc[-1].to_dict()
    reported = {k: v for k, v in last.items() if k not in ("epoch", "seconds", "train_objective")}
    assert {k: metrics[k] for k in reported} == reported
    assert metrics["final_train_objective"] == last["train_objective"]
    assert not {"epoch", "seconds", "train_objective"} & metrics.keys()
    assert metrics["device"] == "cpu"
    assert metrics["arch"] == "conv" and metrics["latent"] == 8 and metrics["guidance"] == 0.5
    # the second epoch's row differs: reading it instead would show
    assert curves.iloc[1].to_dict() != last
