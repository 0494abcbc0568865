"""ResNet9, on-device augmentation, projection and the training loop, on CPU at tiny size."""

import numpy as np
import pytest
import torch
from lbr.data.embedded import load_digits_dataset
from lbr.device import resolve_device
from lbr.errors import ConfigError
from lbr.models.resnet9 import ResNet9
from lbr.spectral.cache import Spectrum
from lbr.spectral.eigen import eigendecompose
from lbr.spectral.statistics import Preprocessing, accumulate_statistics
from lbr.train.classifier import TrainingError, TrainSettings, as_device_tensors, train_classifier
from lbr.train.device_data import random_crop_flip
from lbr.train.projection import projected_splits
from lbr.train.runtime import Runtime


def test_resnet9_matches_the_authors_size():
    model = ResNet9(3, 10)
    assert sum(p.numel() for p in model.parameters()) == pytest.approx(30.3e6, rel=0.01)
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 3, 32, 32))
    assert counter.get_total_flops() == pytest.approx(1.06e9, rel=0.01)
    assert ResNet9(1, 10, width_multiplier=0.1)(torch.zeros(2, 1, 8, 8)).shape == (2, 10)


def test_random_crop_is_a_window_of_the_reflect_padded_image():
    generator = torch.Generator().manual_seed(0)
    images = torch.arange(4 * 2 * 6 * 6, dtype=torch.float32).reshape(4, 2, 6, 6)
    out = random_crop_flip(images, 2, generator)
    padded = torch.nn.functional.pad(images, (2, 2, 2, 2), mode="reflect")
    for i in range(4):
        windows = [padded[i, :, y : y + 6, x : x + 6] for y in range(5) for x in range(5)]
        windows += [w.flip(-1) for w in windows]
        assert any(torch.equal(out[i], w) for w in windows)
    again = random_crop_flip(images, 2, torch.Generator().manual_seed(0))
    assert torch.equal(out, again)


def _digits_spectrum():
    data = load_digits_dataset(0.3, seed=0)
    prep = Preprocessing(per_image_std=True, center=True, global_std=False, jitter=0.0)
    stats = accumulate_statistics(data.train_images, data.train_labels, 10, prep)
    eigen = eigendecompose(stats.covariance)
    summary = {
        "preprocessing": prep.as_dict(),
        "total_variance": float(np.trace(stats.covariance)),
        "image_shape": [8, 8, 1],
    }
    return data, Spectrum(stats, eigen, summary)


def test_projection_records_dimensions_and_variance():
    data, spectrum = _digits_spectrum()
    splits, info = projected_splits(data, spectrum, "bottom", 0.25)
    assert info["variance_fraction"] >= 0.25 and info["dimensions"] < spectrum.eigen.rank
    assert splits["train"].shape == (len(data.train_labels), 64)
    np.testing.assert_allclose(splits["train"].mean(axis=0), 0, atol=1e-4)
    # The projection lies in the span of the kept eigenvectors (before re-normalization
    # only a per-image scale and a common shift are applied).
    top, _ = projected_splits(data, spectrum, "top", 0.5)
    assert not np.allclose(top["train"], splits["train"])


def test_projection_needs_the_classification_preprocessing():
    data, spectrum = _digits_spectrum()
    spectrum.summary["preprocessing"]["global_std"] = True
    with pytest.raises(ConfigError, match="classification preprocessing"):
        projected_splits(data, spectrum, "top", 0.5)


def _tiny_run(seed=0, runtime=None, **changes):
    data, spectrum = _digits_spectrum()
    splits, _ = projected_splits(data, spectrum, "top", 0.9)
    device = torch.device("cpu")
    train = as_device_tensors(splits["train"], data.train_labels, (8, 8, 1), device)
    test = as_device_tensors(splits["test"], data.test_labels, (8, 8, 1), device)
    settings = TrainSettings(
        **{
            "epochs": 5,
            "batch_size": 64,
            "augment": True,
            "seed": seed,
            "width_multiplier": 0.125,
            **changes,
        }
    )
    return train_classifier(*train, *test, 10, settings, runtime or Runtime(device))


def test_training_learns_and_is_deterministic_on_cpu():
    first, _ = _tiny_run()
    second, _ = _tiny_run()
    columns = ["train_loss", "test_loss", "test_accuracy"]
    assert first[columns].equals(second[columns])
    assert first["test_accuracy"].iloc[-1] > 0.5  # 10 classes: chance is 0.1
    assert first["train_loss"].iloc[-1] < first["train_loss"].iloc[0]


def test_diverging_loss_stops_with_a_clear_error():
    with pytest.raises(TrainingError, match="Lower learning_rate"):
        _tiny_run(learning_rate=1e30)


def test_cuda_without_gpu_fails_at_start():
    if torch.cuda.is_available():
        pytest.skip("a GPU is visible")
    with pytest.raises(ConfigError, match="no GPU"):
        resolve_device("cuda")


def test_bad_loss_name():
    with pytest.raises(ConfigError, match="loss"):
        TrainSettings(loss="hinge")
