"""Classifier training with the whole dataset resident on the device.

The paper's recipe (the authors' code): AdamW (lr 1e-3, weight decay 1e-3), OneCycle,
batch 512, MSE on one-hot targets (cross-entropy optional), random crop with reflect
padding and horizontal flip. Fast path: no DataLoader, batched on-device augmentation,
and the Runtime's switches (bf16 autocast, torch.compile, channels-last, fused AdamW).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from ..errors import ConfigError
from ..models.classifiers import DEFAULT_CLASSIFIER, build_classifier, check_classifier
from ..models.resnet9 import AUTHORS_WIDTHS
from .loop import LoopSettings, TrainingError, train_loop  # noqa: F401 (TrainingError re-exported)
from .runtime import Runtime, seed_everything

log = logging.getLogger("lbr.train")


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 50
    batch_size: int = 512
    learning_rate: float = 1e-3
    weight_decay: float = 1e-3
    loss: str = "mse"
    augment: bool = False
    seed: int = 0
    architecture: str = DEFAULT_CLASSIFIER  # a name in lbr.models.classifiers.CLASSIFIERS
    widths: tuple[int, ...] = field(default=AUTHORS_WIDTHS)
    width_multiplier: float = 1.0
    eval_batch_size: int = 2048

    def __post_init__(self) -> None:
        if self.loss not in ("mse", "cross_entropy"):
            raise ConfigError(f"loss must be 'mse' or 'cross_entropy', got {self.loss!r}")
        check_classifier(self.architecture)


def _loss(logits: torch.Tensor, labels: torch.Tensor, kind: str, num_classes: int) -> torch.Tensor:
    logits = logits.float()
    if kind == "mse":
        return F.mse_loss(logits, F.one_hot(labels, num_classes).float())
    return F.cross_entropy(logits, labels)


@torch.no_grad()
def evaluate_per_image(
    model, images, labels, settings: TrainSettings, num_classes: int, runtime: Runtime
) -> tuple[float, torch.Tensor]:
    """(mean loss, whether each image is classified correctly: bool, on the device) of the
    eager model in eval mode; the loss sum stays on the device (one sync)."""
    model.eval()
    total_loss = torch.zeros((), dtype=torch.float64, device=runtime.device)
    correct = []
    for start in range(0, len(labels), settings.eval_batch_size):
        x, y = (
            images[start : start + settings.eval_batch_size],
            labels[start : start + settings.eval_batch_size],
        )
        with runtime.autocast():
            logits = model(runtime.layout(x))
        total_loss += _loss(logits, y, settings.loss, num_classes).double() * len(y)
        correct.append(logits.argmax(dim=1) == y)
    model.train()
    return total_loss.item() / len(labels), torch.cat(correct)


def evaluate(
    model, images, labels, settings: TrainSettings, num_classes: int, runtime: Runtime
) -> tuple[float, float]:
    """(mean loss, accuracy) of the eager model in eval mode."""
    loss, correct = evaluate_per_image(model, images, labels, settings, num_classes, runtime)
    return loss, correct.sum().item() / len(labels)


def train_classifier(
    train_x: torch.Tensor,
    train_y: torch.Tensor,
    test_x: torch.Tensor,
    test_y: torch.Tensor,
    num_classes: int,
    settings: TrainSettings,
    runtime: Runtime,
    record: dict | None = None,
):
    """Train settings.architecture's classifier on device-resident tensors (N×C×H×W
    float); return (metrics, model).

    With `record` (a dict), record["test_correct"] is set to the last epoch's per-test-image
    correctness (numpy bool, in test order): the evaluation its final accuracy comes from.

    Raises TrainingError on a non-finite loss (no output should then be written) or
    on CUDA running out of memory, naming the batch size to lower.
    """
    generator = seed_everything(settings.seed, runtime.device)
    model = runtime.place(
        build_classifier(
            settings.architecture,
            train_x.shape[1:],
            num_classes,
            settings.widths,
            settings.width_multiplier,
        )
    )
    rows = []

    def batch_loss(network, x, y):
        return _loss(network(x), y, settings.loss, num_classes)

    def on_epoch(epoch, train_loss, seconds):
        test_loss, correct = evaluate_per_image(
            model, test_x, test_y, settings, num_classes, runtime
        )
        accuracy = correct.sum().item() / len(test_y)
        if record is not None:
            record["test_correct"] = correct.cpu().numpy()
        rows.append(
            {
                "epoch": epoch,
                "train_loss": train_loss,
                "test_loss": test_loss,
                "test_accuracy": accuracy,
                "epoch_seconds": seconds,
                "images_per_second": len(train_y) / seconds,
            }
        )
        log.info(
            "epoch %d: train loss %.4f, test loss %.4f, test accuracy %.4f, %.0f images/s",
            epoch,
            train_loss,
            test_loss,
            accuracy,
            len(train_y) / seconds,
        )

    loop = LoopSettings(
        settings.epochs,
        settings.batch_size,
        settings.learning_rate,
        settings.weight_decay,
        settings.augment,
    )
    train_loop(model, batch_loss, train_x, train_y, loop, runtime, generator, on_epoch=on_epoch)
    return pd.DataFrame(rows), model


def parameter_count(model: torch.nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))


def as_device_tensors(
    images: np.ndarray, labels: np.ndarray, shape: tuple[int, int, int], device
) -> tuple:
    """N×D float (channel-first flattening) → N×C×H×W float32 on `device`, labels int64."""
    height, width, channels = shape
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32)).reshape(
        -1, channels, height, width
    )
    # torch.tensor copies: labels may be a read-only memory map.
    return x.to(device), torch.tensor(np.asarray(labels), dtype=torch.int64, device=device)
