"""Fixtures shared by the training tests."""

import pytest
import torch


@pytest.fixture(scope="module")
def one_torch_thread():
    """Torch at one thread for a module's tests: tiny models run fastest on one thread,
    and the machine's cores are shared with the other test workers."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def programs(monkeypatch):
    """Which compilers the machine has: add names to the returned set in a test (CXX is
    unset; an empty set is a machine without a C++ compiler)."""
    import shutil

    found = set()
    monkeypatch.delenv("CXX", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}" if name in found else None)
    return found
