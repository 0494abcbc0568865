"""The GPU path of the statistics, run on the CPU: the torch scatter accumulator (what a
GPU job uses) gives the same Σ, class sums and counts as the syrk one (what a CPU job
uses), both against the direct computation; and the choice between them follows the
device."""

import numpy as np
import pytest
import torch
from lbr.spectral import statistics
from lbr.spectral.statistics import (
    Preprocessing,
    _scatter_accumulator,
    _SyrkScatter,
    _TorchScatter,
    accumulate_statistics,
)
from support import gamma

RNG = np.random.default_rng(4)


@pytest.mark.parametrize("accumulator", ["syrk", "torch"])
def test_each_accumulator_is_the_sum_of_outer_products(accumulator):
    chunks = [RNG.standard_normal((n, 6)) for n in (5, 1, 9)]
    scatter = _SyrkScatter(6) if accumulator == "syrk" else _TorchScatter(6, torch.device("cpu"))
    for chunk in chunks:
        scatter.add(torch.from_numpy(np.ascontiguousarray(chunk)))
    result = scatter.result().numpy()
    x = np.concatenate(chunks)
    direct = x.T @ x
    # both within γ_15 |X|ᵀ|X| of the exact sum: 2γ_15 between them
    allowed = 2 * gamma(len(x)) * (np.abs(x).T @ np.abs(x))
    assert np.all(np.abs(result - direct) <= allowed)
    assert result.dtype == np.float64 and result.shape == (6, 6)
    np.testing.assert_array_equal(result, result.T)  # the whole matrix, symmetric


def test_the_device_chooses_the_accumulator():
    assert isinstance(_scatter_accumulator(3, torch.device("cpu")), _SyrkScatter)
    on_gpu = _scatter_accumulator(3, torch.device("meta"))  # any device that is not the CPU
    assert isinstance(on_gpu, _TorchScatter) and on_gpu.full.device.type == "meta"
    assert on_gpu.full.shape == (3, 3) and on_gpu.full.dtype == torch.float64


def test_the_statistics_by_the_gpu_path_equal_the_cpu_paths(monkeypatch):
    images = RNG.integers(0, 256, size=(83, 3, 4, 3), dtype=np.uint8)
    labels = RNG.integers(0, 3, size=83)
    prep = Preprocessing(per_image_std=True, center=True, global_std=False, jitter=0.0)
    on_cpu = accumulate_statistics(images, labels, 3, prep, chunk_size=20)
    monkeypatch.setattr(
        statistics, "_scatter_accumulator", lambda dim, device: _TorchScatter(dim, device)
    )
    by_torch = accumulate_statistics(images, labels, 3, prep, chunk_size=20)
    scale = np.abs(on_cpu.covariance).max()
    # two summations of the same 83 products per entry: within 2γ_83 of each other
    np.testing.assert_allclose(by_torch.covariance, on_cpu.covariance, atol=2 * gamma(83) * scale)
    np.testing.assert_array_equal(by_torch.class_sums, on_cpu.class_sums)  # not Σ: the same ops
    np.testing.assert_array_equal(by_torch.class_counts, on_cpu.class_counts)


def test_every_tensor_is_made_on_the_jobs_device_not_torchs_default():
    """On a GPU, a sum made on torch's default device (the CPU) would not meet the data.
    Here the job's device is the CPU and the default device another one (meta): what the
    statistics make without naming the job's device would land there and fail."""
    images = RNG.integers(0, 256, size=(30, 2, 3, 1), dtype=np.uint8)
    labels = RNG.integers(0, 3, size=30)
    prep = Preprocessing(per_image_std=False, center=True, global_std=True, jitter=0.0)
    expected = accumulate_statistics(images, labels, 3, prep, chunk_size=7)
    with torch.device("meta"):
        stats = accumulate_statistics(images, labels, 3, prep, chunk_size=7)
    np.testing.assert_array_equal(stats.covariance, expected.covariance)
    np.testing.assert_array_equal(stats.class_sums, expected.class_sums)
    np.testing.assert_array_equal(stats.class_counts, expected.class_counts)
