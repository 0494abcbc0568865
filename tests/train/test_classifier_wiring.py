"""What train_classifier hands to its collaborators and to the user: the training
settings that reach the loop (each a distinct value, so a dropped or shifted one shows),
the seeded generator, the per-epoch log line against the metrics row it reports, the
tensors' types, and the parameter count by hand."""

import logging

import numpy as np
import pytest
import torch
from lbr.train import classifier
from lbr.train.classifier import TrainSettings, as_device_tensors, parameter_count
from lbr.train.loop import LoopSettings
from lbr.train.runtime import Runtime

CPU = torch.device("cpu")


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _data(n_train=20, n_test=9, classes=3, side=8):
    rng = np.random.default_rng(3)
    x = torch.from_numpy(rng.normal(0, 1, (n_train + n_test, 1, side, side)).astype(np.float32))
    y = torch.from_numpy(rng.integers(0, classes, n_train + n_test))
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:], classes


SETTINGS = TrainSettings(epochs=2, batch_size=7, learning_rate=3e-3, weight_decay=2e-4,
                         augment=True, seed=11, width_multiplier=1 / 16)  # fmt: skip


def test_the_training_settings_and_a_seeded_generator_reach_the_loop(monkeypatch):
    seen = {}
    real_loop = classifier.train_loop

    def spy(model, batch_loss, train_x, train_y, loop, runtime, generator, **kwargs):
        seen.update(loop=loop, generator=generator)
        return real_loop(model, batch_loss, train_x, train_y, loop, runtime, generator, **kwargs)

    monkeypatch.setattr(classifier, "train_loop", spy)
    train_x, train_y, test_x, test_y, classes = _data()
    metrics, _ = classifier.train_classifier(
        train_x, train_y, test_x, test_y, classes, SETTINGS, Runtime(CPU)
    )
    assert seen["loop"] == LoopSettings(
        epochs=2, batch_size=7, learning_rate=3e-3, weight_decay=2e-4, augment=True
    )
    assert isinstance(seen["generator"], torch.Generator)
    assert seen["generator"].initial_seed() == 11
    assert metrics["epoch"].tolist() == [1, 2]


def test_each_epoch_is_logged_with_the_numbers_of_its_metrics_row(caplog):
    train_x, train_y, test_x, test_y, classes = _data()
    with caplog.at_level(logging.INFO, logger="lbr.train"):
        metrics, _ = classifier.train_classifier(
            train_x, train_y, test_x, test_y, classes, SETTINGS, Runtime(CPU)
        )
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("epoch ")]
    assert logged == [
        f"epoch {row.epoch}: train loss {row.train_loss:.4f}, test loss {row.test_loss:.4f}, "
        f"test accuracy {row.test_accuracy:.4f}, {row.images_per_second:.0f} images/s"
        for row in metrics.itertuples()
    ]


def test_labels_become_int64_whatever_their_stored_type():
    """Datasets store labels as uint8; the losses need int64 class indices."""
    images = np.arange(2 * 12, dtype=np.uint8).reshape(2, 12)
    labels = np.array([3, 250], dtype=np.uint8)
    x, y = as_device_tensors(images, labels, (2, 2, 3), CPU)
    assert x.dtype == torch.float32 and x.shape == (2, 3, 2, 2)
    assert y.dtype == torch.int64 and y.tolist() == [3, 250]


def test_parameter_count_by_hand():
    assert parameter_count(torch.nn.Linear(3, 2)) == 3 * 2 + 2
    model = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, bias=False), torch.nn.BatchNorm2d(4))
    assert parameter_count(model) == 2 * 4 * 3 * 3 + 4 + 4  # BatchNorm: weight and bias
