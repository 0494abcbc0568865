"""Per-test-image correctness of a classifier run (lbr/train/classifier.py), the data R1's
paired bootstrap reads: evaluate_per_image on a hand-made model whose logits are the
images (a hand count), and train_classifier's record against the returned model
re-evaluated in plain torch in eval mode."""

import numpy as np
import pytest
import torch
from lbr.models.resnet9 import ResNet9
from lbr.train.classifier import (
    TrainSettings,
    as_device_tensors,
    evaluate,
    evaluate_per_image,
    train_classifier,
)
from lbr.train.runtime import Runtime

CPU = torch.device("cpu")


pytestmark = pytest.mark.usefixtures("one_torch_thread")


class _Logits(torch.nn.Module):
    """The image is the logits: x of shape N×K×1×1 → N×K."""

    def forward(self, x):
        return x.flatten(1)


def test_evaluate_per_image_is_a_hand_count_in_test_order():
    logits = np.array(
        [[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [4.0, 0.0, 1.0], [0.0, 1.0, 0.5]]
    )
    labels = np.array([0, 2, 2, 1, 1])  # right, wrong, right, wrong, right
    x = torch.tensor(logits, dtype=torch.float32)[:, :, None, None]
    y = torch.tensor(labels)
    settings = TrainSettings(eval_batch_size=2)  # batches of 2, 2 and 1
    loss, correct = evaluate_per_image(_Logits(), x, y, settings, 3, Runtime(CPU))
    assert correct.dtype == torch.bool
    assert correct.tolist() == [True, False, True, False, True]
    assert evaluate(_Logits(), x, y, settings, 3, Runtime(CPU)) == (loss, 3 / 5)


def test_the_record_is_the_final_models_correctness_on_each_test_image():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(96, 48)).astype(np.float32)
    labels = (train[:, 0] > 0).astype(np.int64) + 2 * (train[:, 1] > 0)
    test = rng.normal(size=(41, 48)).astype(np.float32)
    test_labels = (test[:, 0] > 0).astype(np.int64) + 2 * (test[:, 1] > 0)
    shape = (4, 4, 3)
    tensors = [
        *as_device_tensors(train, labels, shape, CPU),
        *as_device_tensors(test, test_labels, shape, CPU),
    ]
    settings = TrainSettings(epochs=2, batch_size=32, width_multiplier=0.0625, seed=1)
    record = {}
    metrics, model = train_classifier(*tensors, 4, settings, Runtime(CPU), record)
    correct = record["test_correct"]
    assert correct.dtype == np.bool_ and correct.shape == (41,)
    model.eval()
    with torch.no_grad():
        predicted = model(tensors[2].contiguous(memory_format=torch.channels_last)).argmax(1)
    assert np.array_equal(correct, (predicted == tensors[3]).numpy())
    assert correct.mean() == metrics["test_accuracy"].iloc[-1]
    assert isinstance(model, ResNet9)
