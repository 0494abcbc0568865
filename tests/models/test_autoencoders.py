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


@pytest.mark.parametrize("arch", ["mlp", "conv", "resnet", "resnet34"])
def test_non_square_images(arch):
    """8×12: every size computed from the height and the width, not one of them twice."""
    model = build_autoencoder(arch, (1, 8, 12), latent=5, width=4, num_classes=10)
    reconstruction, _ = model(torch.zeros(2, 1, 8, 12))
    assert reconstruction.shape == (2, 1, 8, 12)
    if arch != "resnet34":  # resnet34's decoder doubles 1×2 to 8×16, then resizes
        assert model.decoder(model.encode(torch.zeros(2, 1, 8, 12))).shape == (2, 1, 8, 12)


@pytest.mark.parametrize("latent", [1, 64])
def test_latent_sizes_from_one_to_the_input_dimension(latent):
    model = build_autoencoder("mlp", (1, 8, 8), latent=latent, width=2, num_classes=10)
    assert model.encode(torch.zeros(2, 1, 8, 8)).shape == (2, latent)
    with pytest.raises(ConfigError, match="latent size 0 must be in 1..D = 64"):
        build_autoencoder("mlp", (1, 8, 8), latent=0, width=2, num_classes=10)


def test_an_unknown_architecture_names_the_known_ones():
    with pytest.raises(ConfigError) as caught:
        build_autoencoder("vit", (1, 8, 8), latent=4, width=2, num_classes=10)
    assert str(caught.value) == (
        "unknown autoencoder 'vit'; choose one of ['conv', 'mlp', 'resnet', 'resnet34']"
    )


def test_a_residual_block_adds_its_body_before_the_relu():
    model = build_autoencoder("resnet", (1, 8, 8), latent=4, width=2, num_classes=10).eval()
    block = model.encoder[3]  # the first residual block, at `width` channels
    x = torch.randn(2, 2, 8, 8, generator=torch.Generator().manual_seed(0))
    body = block.body(x)
    assert torch.equal(block(x), torch.relu(x + body))
    assert not torch.equal(torch.relu(x + body), torch.relu(x - body))  # the case it needs
