"""ResNet9: the authors' size and cost."""

import pytest
import torch
from lbr.models.resnet9 import ResNet9


def test_resnet9_matches_the_authors_size():
    model = ResNet9(3, 10)
    assert sum(p.numel() for p in model.parameters()) == pytest.approx(30.3e6, rel=0.01)
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 3, 32, 32))
    assert counter.get_total_flops() == pytest.approx(1.06e9, rel=0.01)
    assert ResNet9(1, 10, width_multiplier=0.1)(torch.zeros(2, 1, 8, 8)).shape == (2, 10)


def _conv_bn_parameters(c_in, c_out):
    """A 3×3 convolution without bias, then BatchNorm's scale and shift."""
    return 9 * c_in * c_out + 2 * c_out


def test_parameter_count_by_hand():
    w = (64, 128, 256, 512, 1028)
    residual = [2 * _conv_bn_parameters(c, c) for c in (w[1], w[3], w[4])]
    stages = [_conv_bn_parameters(3, w[0]), *(_conv_bn_parameters(a, b) for a, b in zip(w, w[1:]))]
    expected = sum(stages) + sum(residual) + w[4] * 10 + 10  # and the linear classifier
    assert sum(p.numel() for p in ResNet9(3, 10).parameters()) == expected


def test_a_width_rounded_to_zero_keeps_one_channel():
    model = ResNet9(1, 10, widths=(1, 1, 1, 1, 1), width_multiplier=0.1)
    assert model.classifier.in_features == 1
    assert model(torch.zeros(2, 1, 8, 8)).shape == (2, 10)


def test_five_widths_or_a_clear_error():
    with pytest.raises(ValueError, match=r"ResNet9 takes 5 widths, got \(1, 2\)"):
        ResNet9(1, 10, widths=(1, 2))


def test_a_residual_block_adds_its_body_to_its_input():
    from lbr.models.resnet9 import Residual

    block = Residual(4).eval()
    x = torch.randn(2, 4, 5, 5, generator=torch.Generator().manual_seed(0))
    body = block.body(x)
    assert body.abs().sum() > 0  # the case the test needs
    assert torch.equal(block(x), x + body)
