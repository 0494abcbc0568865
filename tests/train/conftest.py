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
