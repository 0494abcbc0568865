"""Autoencoder models, eigen-bands, the R2 and R3 summaries."""

import numpy as np
import pandas as pd
import pytest
import torch
from lbr.errors import ConfigError
from lbr.models.autoencoders import build_autoencoder
from lbr.train.autoencoder import AutoencoderSettings, band_ranges, guidance_pairs, halving_summary


@pytest.mark.parametrize("arch", ["mlp", "conv", "resnet"])
@pytest.mark.parametrize("shape", [(1, 8, 8), (3, 16, 16), (1, 28, 28)])
def test_autoencoders_reconstruct_the_input_shape(arch, shape):
    model = build_autoencoder(arch, shape, latent=5, width=8, num_classes=10)
    reconstruction, logits = model(torch.zeros(2, *shape))
    assert reconstruction.shape == (2, *shape) and logits.shape == (2, 10)
    assert model.encode(torch.zeros(2, *shape)).shape == (2, 5)


def test_latent_larger_than_the_input_is_refused():
    with pytest.raises(ConfigError, match="latent size 65"):
        build_autoencoder("mlp", (1, 8, 8), latent=65, width=8, num_classes=10)


def test_negative_guidance_is_refused():
    with pytest.raises(ConfigError, match="guidance"):
        AutoencoderSettings("conv", 8, 8, 1, 32, 1e-3, 0.0, guidance=-0.1)


def test_bands_cover_every_direction():
    assert band_ranges([1, 5, 17], 64) == [(1, 4), (5, 16), (17, 64)]
    for bad in ([2, 5], [1, 5, 5], []):
        with pytest.raises(ConfigError, match="band_edges"):
            band_ranges(bad, 64)
    with pytest.raises(ConfigError, match="exceeds"):
        band_ranges([1, 100], 64)


def _dynamics(errors_by_band):
    rows = [
        {"step": step, "band": band, "relative_error": error}
        for band, errors in enumerate(errors_by_band)
        for step, error in zip((0, 10, 100, 1000), errors)
    ]
    return pd.DataFrame(rows)


def test_halving_steps_and_r2_verdict():
    ordered = halving_summary(
        _dynamics([[1, 0.4, 0.1, 0.0], [1, 0.8, 0.45, 0.1], [1, 0.9, 0.8, 0.6]])
    )
    assert ordered["halving_steps"] == [10, 100, float("inf")] and ordered["r2_holds"]
    reversed_ = halving_summary(_dynamics([[1, 0.9, 0.4, 0.1], [1, 0.3, 0.2, 0.1]]))
    assert reversed_["halving_steps"] == [100, 10] and not reversed_["r2_holds"]


def test_guidance_pairs_and_r3_verdict():
    table = pd.DataFrame(
        [
            {
                "dataset": "d",
                "arch": "conv",
                "latent": 8,
                "guidance": 0.0,
                "test_reconstruction_loss": 1.00,
                "linear_probe_accuracy": 0.30,
                "mlp_probe_accuracy": 0.5,
            },
            {
                "dataset": "d",
                "arch": "conv",
                "latent": 8,
                "guidance": 0.1,
                "test_reconstruction_loss": 1.03,
                "linear_probe_accuracy": 0.45,
                "mlp_probe_accuracy": 0.6,
            },
            {
                "dataset": "d",
                "arch": "conv",
                "latent": 8,
                "guidance": 1.0,
                "test_reconstruction_loss": 1.20,
                "linear_probe_accuracy": 0.60,
                "mlp_probe_accuracy": 0.7,
            },
        ]
    )
    pairs = guidance_pairs(table)
    assert len(pairs) == 2
    np.testing.assert_allclose(pairs["reconstruction_gap"], [0.03, 0.20])
    assert pairs["r3_holds"].tolist() == [True, False]
