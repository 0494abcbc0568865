"""One run of the headline experiment: train on a projected dataset, test on the same projection."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from ..data.format import read_dataset
from ..degenerate import fraction_warning
from ..spectral.cache import read_spectrum
from .classifier import TrainSettings, as_device_tensors, parameter_count, train_classifier
from .projection import projected_splits
from .runtime import resolve_runtime

log = logging.getLogger("lbr.subspace")


@dataclass(frozen=True)
class SubspaceRun:
    """One run of the subspace grid: the dataset and spectrum it reads, the subspace it
    trains and tests on (side, fraction of the variance), how it trains (the model, the
    schedule, augmentation and seed: subspace_settings) and where (the device and the
    acceleration switches, lbr.train.runtime)."""

    dataset_dir: str | Path
    spectrum_dir: str | Path
    side: str
    fraction: float
    settings: TrainSettings
    device: str
    acceleration: dict | None = None


def subspace_settings(training: dict, model: dict, augment: bool, seed: int) -> TrainSettings:
    """The config's subspace.training and subspace.model sections, for one run of the grid
    (its augmentation and seed); a model section without `architecture` trains the
    default classifier."""
    return TrainSettings(
        **training, **{**model, "widths": tuple(model["widths"])}, augment=augment, seed=seed
    )


def run_subspace_training(run: SubspaceRun, record: dict | None = None):
    """Return (per-epoch metrics, summary dict, trained model). With `record` (a dict),
    record["test_correct"] is the final evaluation's correctness per test image."""
    runtime = resolve_runtime(run.device, run.acceleration)
    device = runtime.device
    dataset = read_dataset(run.dataset_dir)
    spectrum = read_spectrum(run.spectrum_dir)
    splits, info = projected_splits(dataset, spectrum, run.side, run.fraction)
    shape = tuple(spectrum.summary["image_shape"])
    train_x, train_y = as_device_tensors(splits["train"], dataset.train_labels, shape, device)
    test_x, test_y = as_device_tensors(splits["test"], dataset.test_labels, shape, device)
    settings = run.settings
    metrics, network = train_classifier(
        train_x, train_y, test_x, test_y, len(dataset.class_names), settings, runtime, record
    )
    final = metrics.iloc[-1]
    summary = {
        **info,
        "augment": settings.augment,
        "seed": settings.seed,
        "device": str(device),
        "runtime": runtime.describe(),
        "final_test_accuracy": float(final["test_accuracy"]),
        "best_test_accuracy": float(metrics["test_accuracy"].max()),
        "final_train_loss": float(final["train_loss"]),
        "mean_images_per_second": float(
            metrics["images_per_second"].iloc[1:].mean()
            if len(metrics) > 1
            else final["images_per_second"]
        ),
        "parameters": parameter_count(network),
        "settings": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(settings).items()
        },
        "train_size": int(len(train_y)),
        "test_size": int(len(test_y)),
    }
    warning = fraction_warning(
        Path(run.dataset_dir).name, run.side, run.fraction, float(info["variance_fraction"])
    )
    if warning:
        log.warning("%s", warning)
        summary["warnings"] = [warning]
    return metrics, summary, network
