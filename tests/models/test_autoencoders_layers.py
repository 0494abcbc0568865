"""Each autoencoder layer by layer, against the architecture written out by hand from
docs/autoencoders.md's table: every convolution's channels, kernel, stride, padding and
bias, every normalisation and nonlinearity in its place, and a decoder whose own output
already has the input's size (the final resize is for odd sizes only)."""

import pytest
import torch
from lbr.models.autoencoders import build_autoencoder
from torch import nn

LATENT, WIDTH, CLASSES = 5, 4, 10


def _leaves(module: nn.Module) -> list[tuple]:
    """The layers in the order they are applied (for these models: registration order)."""
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
        bias = module.bias is not None
        kind = type(module).__name__
        return [(kind, module.in_channels, module.out_channels, *module.kernel_size,
                 *module.stride, *module.padding, bias)]  # fmt: skip
    if isinstance(module, nn.BatchNorm2d):
        return [("BN", module.num_features)]
    if isinstance(module, nn.Linear):
        return [("Linear", module.in_features, module.out_features)]
    if isinstance(module, nn.Upsample):
        return [("Upsample", module.scale_factor, module.mode)]
    if isinstance(module, nn.MaxPool2d):
        return [("MaxPool", module.kernel_size, module.stride, module.padding)]
    children = list(module.children())
    if not children:
        return [(type(module).__name__,)]
    return [leaf for child in children for leaf in _leaves(child)]


def conv(c_in, c_out, k, stride=1, padding=1, bias=True):
    return ("Conv2d", c_in, c_out, k, k, stride, stride, padding, padding, bias)


def up(c_in, c_out):  # a 4×4 stride-2 transposed convolution: exactly doubles the size
    return ("ConvTranspose2d", c_in, c_out, 4, 4, 2, 2, 1, 1, True)


BN = "BN"
RELU = ("ReLU",)


def residual(c):  # conv-BN-ReLU-conv-BN around the identity (the ReLU after the sum is F.relu)
    return [conv(c, c, 3, bias=False), (BN, c), RELU, conv(c, c, 3, bias=False), (BN, c)]


def basic_block(c):  # torchvision's BasicBlock without downsampling: conv1 bn1 relu conv2 bn2
    return residual(c)


def test_mlp():
    model = build_autoencoder("mlp", (3, 16, 16), LATENT, WIDTH, CLASSES)
    hidden = 32 * WIDTH
    assert _leaves(model.encoder) == [
        ("Flatten",), ("Linear", 768, hidden), RELU, ("Linear", hidden, hidden), RELU,
        ("Linear", hidden, LATENT),
    ]  # fmt: skip
    assert _leaves(model.decoder) == [
        ("Linear", LATENT, hidden), RELU, ("Linear", hidden, hidden), RELU,
        ("Linear", hidden, 768), ("Unflatten",),
    ]  # fmt: skip


def test_conv():
    model = build_autoencoder("conv", (3, 16, 16), LATENT, WIDTH, CLASSES)
    w = WIDTH
    assert _leaves(model.encoder) == [
        conv(3, w, 3, 2), (BN, w), RELU, conv(w, 2 * w, 3, 2), (BN, 2 * w), RELU,
        ("Flatten",), ("Linear", 2 * w * 4 * 4, LATENT),
    ]  # fmt: skip
    assert _leaves(model.decoder) == [
        ("Linear", LATENT, 2 * w * 4 * 4), ("Unflatten",), RELU,
        up(2 * w, w), (BN, w), RELU, up(w, 3),
    ]  # fmt: skip


def test_resnet():
    model = build_autoencoder("resnet", (3, 16, 16), LATENT, WIDTH, CLASSES)
    w = WIDTH
    assert _leaves(model.encoder) == [
        conv(3, w, 3), (BN, w), RELU, *residual(w),
        conv(w, 2 * w, 3, 2), (BN, 2 * w), RELU, *residual(2 * w),
        conv(2 * w, 4 * w, 3, 2), (BN, 4 * w), RELU, *residual(4 * w),
        ("Flatten",), ("Linear", 4 * w * 4 * 4, LATENT),
    ]  # fmt: skip
    assert _leaves(model.decoder) == [
        ("Linear", LATENT, 4 * w * 4 * 4), ("Unflatten",), RELU, *residual(4 * w),
        up(4 * w, 2 * w), (BN, 2 * w), RELU, *residual(2 * w),
        up(2 * w, w), (BN, w), RELU, *residual(w),
        conv(w, 3, 3),
    ]  # fmt: skip


def _resnet34_decoder(grid, stem_upsample):
    w = WIDTH
    channels, depths = [8 * w, 4 * w, 2 * w, w], [3, 6, 4, 3]  # resnet34's stages, mirrored
    layers = [("Linear", LATENT, channels[0] * grid * grid), ("Unflatten",), RELU]
    layers += [leaf for _ in range(depths[0]) for leaf in basic_block(channels[0])]
    for c_in, c_out, depth in zip(channels, channels[1:], depths[1:]):
        layers += [("Upsample", 2.0, "nearest"), conv(c_in, c_out, 3, bias=False), (BN, c_out)]
        layers += [RELU, *[leaf for _ in range(depth) for leaf in basic_block(c_out)]]
    if stem_upsample:
        layers.append(("Upsample", 4.0, "nearest"))
    return [*layers, conv(w, 3, 3)]


@pytest.mark.parametrize(
    "size, stem, grid, stem_upsample",
    [
        # CIFAR stem below 64 pixels: 3×3 stride 1, no pool; 32 / 2³ = 4
        (32, [conv(3, 64, 3, bias=False), ("Identity",)], 4, False),
        # ImageNet stem: 7×7 stride 2 and a 3×3 stride-2 max-pool; 64 / 2⁵ = 2
        (64, [conv(3, 64, 7, 2, 3, bias=False), ("MaxPool", 3, 2, 1)], 2, True),
    ],
)
def test_resnet34(size, stem, grid, stem_upsample):
    import torchvision

    model = build_autoencoder("resnet34", (3, size, size), LATENT, WIDTH, CLASSES)
    encoder = _leaves(model.encoder)
    assert [encoder[0], encoder[3]] == stem and encoder[1:3] == [(BN, 64), RELU]
    reference = _leaves(torchvision.models.resnet34(weights=None))
    assert encoder[4:-2] == reference[4:-2]  # layer1 to layer4, as torchvision builds them
    assert encoder[-2:] == [("AdaptiveAvgPool2d",), ("Linear", 512, LATENT)]
    assert _leaves(model.decoder) == _resnet34_decoder(grid, stem_upsample)


@pytest.mark.parametrize(
    "arch, shape",
    [
        ("mlp", (3, 16, 16)),
        ("conv", (3, 16, 16)),
        ("conv", (1, 28, 28)),
        ("resnet", (3, 16, 16)),
        ("resnet", (1, 28, 28)),
        ("resnet34", (3, 32, 32)),
        ("resnet34", (3, 64, 64)),
    ],
)
def test_the_decoder_itself_gives_the_input_size_and_the_head_reads_the_code(arch, shape):
    model = build_autoencoder(arch, shape, LATENT, WIDTH, CLASSES).eval()
    x = torch.randn(2, *shape, generator=torch.Generator().manual_seed(0))
    code = model.encode(x)
    assert model.decoder(code).shape == (2, *shape)
    reconstruction, logits = model(x)
    assert torch.equal(reconstruction, model.decoder(code))
    assert _leaves(model.head) == [("Linear", LATENT, CLASSES)]
    assert torch.equal(logits, model.head(code))
