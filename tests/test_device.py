"""Device names: 'cpu', 'auto' and 'cuda' resolve, anything else is refused, and a missing
GPU is an error at start."""

import pytest
import torch
from lbr.device import resolve_device
from lbr.errors import ConfigError


def test_cuda_without_gpu_fails_at_start():
    if torch.cuda.is_available():
        pytest.skip("a GPU is visible")
    with pytest.raises(ConfigError, match="no GPU"):
        resolve_device("cuda")


def test_device_names():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type in ("cpu", "cuda")
    with pytest.raises(ConfigError, match="unknown device 'tpu'"):
        resolve_device("tpu")
