"""The autoencoder architectures: shapes, the resnet34 encoder, and the latent size limit."""

import pytest
import torch
from lbr.errors import ConfigError
from lbr.models.autoencoders import build_autoencoder


@pytest.mark.parametrize("arch", ["mlp", "conv", "resnet", "resnet34"])
@pytest.mark.parametrize("shape", [(1, 8, 8), (3, 16, 16), (1, 28, 28)])
def test_autoencoders_reconstruct_the_input_shape(arch, shape):
    model = build_autoencoder(arch, shape, latent=5, width=8, num_classes=10)
    reconstruction, logits = model(torch.zeros(2, *shape))
    assert reconstruction.shape == (2, *shape) and logits.shape == (2, 10)
    assert model.encode(torch.zeros(2, *shape)).shape == (2, 5)


def test_resnet34_encoder_is_torchvisions_resnet34():
    import torchvision

    model = build_autoencoder("resnet34", (3, 64, 64), latent=32, width=8, num_classes=10)
    reference = torchvision.models.resnet34(weights=None)
    ours = {n: p.shape for n, p in model.encoder.named_parameters() if not n.startswith("fc.")}
    theirs = {n: p.shape for n, p in reference.named_parameters() if not n.startswith("fc.")}
    assert ours == theirs and model.encoder.fc.out_features == 32


def test_latent_larger_than_the_input_is_refused():
    with pytest.raises(ConfigError, match="latent size 65"):
        build_autoencoder("mlp", (1, 8, 8), latent=65, width=8, num_classes=10)
