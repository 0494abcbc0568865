"""The classifier trained on the CPU at tiny size: it learns, deterministically."""

import pytest
from lbr.errors import ConfigError
from lbr.train.classifier import TrainSettings
from support import tiny_classifier_run as _tiny_run


def test_training_learns_and_is_deterministic_on_cpu():
    first, _ = _tiny_run()
    second, _ = _tiny_run()
    columns = ["train_loss", "test_loss", "test_accuracy"]
    assert first[columns].equals(second[columns])
    assert first["test_accuracy"].iloc[-1] > 0.5  # 10 classes: chance is 0.1
    assert first["train_loss"].iloc[-1] < first["train_loss"].iloc[0]


def test_bad_loss_name():
    with pytest.raises(ConfigError, match="loss"):
        TrainSettings(loss="hinge")
