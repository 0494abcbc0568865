"""A subspace run trains the classifier its settings name: a toy classifier registered
for the test (a linear map of the flattened image) trains through run_subspace_training
for one epoch of one batch, and the run reports that model; an unregistered name is
refused before any data is read."""

import numpy as np
import pytest
import torch
from lbr.data.format import write_dataset
from lbr.errors import ConfigError
from lbr.models import classifiers
from lbr.spectral.cache import compute_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing
from lbr.train.classifier import TrainSettings
from lbr.train.subspace_run import SubspaceRun, run_subspace_training, subspace_settings
from support import small_image_dataset

TRAINING = {
    "epochs": 1,
    "batch_size": 32,
    "learning_rate": 1e-2,
    "weight_decay": 0.0,
    "loss": "mse",
}


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("toy-classifier")
    write_dataset(root / "dataset", small_image_dataset(), {"name": "small"})
    prep = Preprocessing(per_image_std=True, center=True, global_std=False, jitter=0.0)
    write_spectrum(root / "spectrum", compute_spectrum(root / "dataset", prep, 64, 1e-10, "cpu"))
    return root


def test_a_registered_toy_classifier_trains_through_a_subspace_run(dirs, monkeypatch):
    calls = []

    def toy(shape, num_classes, widths, width_multiplier):
        calls.append((shape, num_classes, widths, width_multiplier))
        return torch.nn.Sequential(
            torch.nn.Flatten(), torch.nn.Linear(int(np.prod(shape)), num_classes)
        )

    monkeypatch.setitem(classifiers.CLASSIFIERS, "toy", toy)
    model = {"architecture": "toy", "widths": [1, 2, 3, 4, 5], "width_multiplier": 0.5}
    settings = subspace_settings(TRAINING, model, augment=False, seed=0)
    run = SubspaceRun(dirs / "dataset", dirs / "spectrum", "top", 0.9, settings, "cpu")
    metrics, summary, network = run_subspace_training(run)
    # the builder saw the images' C×H×W, the dataset's classes and the config's settings
    assert calls == [((1, 4, 4), 2, (1, 2, 3, 4, 5), 0.5)]
    assert isinstance(network[1], torch.nn.Linear) and network[1].in_features == 16
    assert summary["parameters"] == 16 * 2 + 2
    assert summary["settings"]["architecture"] == "toy"
    assert metrics["epoch"].tolist() == [1]
    assert np.isfinite(metrics[["train_loss", "test_loss", "test_accuracy"]].to_numpy()).all()
    # a count over the 6 test images
    assert summary["final_test_accuracy"] in {correct / 6 for correct in range(7)}


def test_an_unregistered_classifier_is_refused_before_the_run():
    model = {"architecture": "toy", "widths": [1, 2, 3, 4, 5], "width_multiplier": 0.5}
    with pytest.raises(ConfigError, match=r"unknown classifier 'toy'; choose one of \['resnet9'\]"):
        subspace_settings(TRAINING, model, augment=False, seed=0)
    with pytest.raises(ConfigError, match="subspace.model.architecture"):
        TrainSettings(architecture="ResNet9")
