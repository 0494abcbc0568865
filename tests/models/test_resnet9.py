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
