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


@pytest.mark.parametrize("visible", [True, False])
def test_auto_follows_what_torch_sees(monkeypatch, visible):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: visible)
    assert resolve_device("auto") == torch.device("cuda" if visible else "cpu")
    if visible:
        assert resolve_device("cuda") == torch.device("cuda")


def test_the_missing_gpu_message_says_both_fixes(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ConfigError) as caught:
        resolve_device("cuda")
    assert str(caught.value) == (
        "device 'cuda' was requested but no GPU is visible; set device: cpu or auto, "
        "or run on a GPU node (resources: gpu=1)"
    )
