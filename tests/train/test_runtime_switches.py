"""The runtime's fast (no compile) parts (lbr/train/runtime.py): what `auto` means per
device, the C++ compiler check, bad values, the Runtime's own methods, the seed, the
thread counts, the numerics record and the compile cache's directory."""

import os

import numpy as np
import pytest
import torch
from lbr import threads
from lbr.errors import ConfigError
from lbr.train import runtime
from lbr.train.runtime import (
    Runtime,
    cpu_threads,
    numerics_environment,
    resolve_runtime,
    seed_everything,
    setup_training_job,
    use_compile_cache,
)
from support import blas_threads
from threadpoolctl import threadpool_limits

CPU = torch.device("cpu")
# What `auto` means, by hand: the fast path on a GPU, the plain one on a CPU.
AUTO = {
    "cuda": {"precision": "bf16", "compile": True, "channels_last": True, "fused_optimizer": True},
    "cpu": {"precision": "fp32", "compile": False, "channels_last": True, "fused_optimizer": False},
}


@pytest.mark.parametrize("device", ["cuda", "cpu"])
def test_auto_is_the_devices_choice_for_every_switch(device):
    """A CUDA device object needs no GPU to exist; only resolving 'cuda' does."""
    for switch, value in AUTO[device].items():
        assert runtime._auto(switch, torch.device(device)) == value


@pytest.mark.parametrize("compiler", ["g++", "c++"])
def test_any_cxx_compiler_on_the_path_allows_compiling_on_cpu(programs, compiler):
    programs.add(compiler)
    assert runtime._cxx_compiler() == f"/usr/bin/{compiler}"
    assert resolve_runtime("cpu", {"compile": True}).compile is True


def test_the_cxx_variable_comes_first(programs, monkeypatch):
    programs.update({"g++", "c++"})
    monkeypatch.setenv("CXX", "/opt/clang++")
    assert runtime._cxx_compiler() == "/opt/clang++"
    programs.clear()
    assert resolve_runtime("cpu", {"compile": True}).compile is True


def test_compiling_on_cpu_without_a_compiler_says_what_to_install(programs):
    assert runtime._cxx_compiler() is None
    with pytest.raises(ConfigError) as caught:
        resolve_runtime("cpu", {"compile": True})
    assert str(caught.value) == (
        "acceleration.compile is on for a CPU run but no C++ compiler was found "
        "(torch.compile generates C++ on CPU): install g++ (apt-get install g++) or set "
        "acceleration.compile: false"
    )
    assert resolve_runtime("cpu", {"compile": False}).compile is False  # nothing to compile


@pytest.mark.parametrize("value", [0, 1])
def test_integers_are_not_booleans(value):
    with pytest.raises(ConfigError, match=f"acceleration.compile is {value}; "):
        resolve_runtime("cpu", {"compile": value})


def test_a_bad_value_names_the_switch_and_the_allowed_values():
    with pytest.raises(ConfigError) as caught:
        resolve_runtime("cpu", {"precision": "fp16"})
    assert str(caught.value) == "acceleration.precision is 'fp16'; use one of auto, bf16, fp32"


def test_describe_is_every_switch_and_the_device_by_name():
    described = Runtime(CPU, "bf16", True, False, True).describe()
    assert described == {
        "device": "cpu",
        "precision": "bf16",
        "compile": True,
        "channels_last": False,
        "fused_optimizer": True,
    }


def test_bf16_autocasts_matrix_products_and_fp32_does_not():
    a = torch.ones(2, 2)
    with Runtime(CPU, "bf16").autocast():
        assert (a @ a).dtype == torch.bfloat16
    with Runtime(CPU, "fp32").autocast():
        assert (a @ a).dtype == torch.float32


def test_channels_last_lays_out_images_and_weights_only_when_on():
    images = torch.arange(2 * 3 * 4 * 5, dtype=torch.float32).reshape(2, 3, 4, 5)
    on, off = Runtime(CPU, channels_last=True), Runtime(CPU, channels_last=False)
    laid = on.layout(images)
    assert laid.is_contiguous(memory_format=torch.channels_last) and torch.equal(laid, images)
    assert not images.is_contiguous(memory_format=torch.channels_last)
    assert off.layout(images) is images
    vectors = torch.ones(2, 3)
    assert on.layout(vectors) is vectors  # not an image batch: unchanged
    for switch, expected in ((on, True), (off, False)):
        model = switch.place(torch.nn.Conv2d(3, 4, 3))
        assert model.weight.is_contiguous(memory_format=torch.channels_last) is expected
        assert model.weight.device == CPU


def test_seeding_makes_torchs_draws_the_seeds_and_cpu_kernels_deterministic():
    before = torch.are_deterministic_algorithms_enabled()
    try:
        torch.use_deterministic_algorithms(False)
        generator = seed_everything(7, CPU)
        drawn = torch.rand(3)
        assert torch.are_deterministic_algorithms_enabled()
    finally:
        torch.use_deterministic_algorithms(before)
    assert torch.equal(drawn, torch.rand(3, generator=torch.Generator().manual_seed(7)))
    assert generator.initial_seed() == 7 and generator.device == CPU
    assert torch.equal(torch.rand(3, generator=generator), drawn)


@pytest.mark.parametrize("count, expected", [(3, 3), (0, 1), (6, 4)])
def test_cpu_threads_sets_torch_and_blas_up_to_the_cores(monkeypatch, count, expected):
    monkeypatch.setattr(threads, "available_cores", lambda: 4)
    before = torch.get_num_threads()
    try:
        with threadpool_limits(limits=None):
            np.ones(1) @ np.ones(1)
            cpu_threads(count)
            assert torch.get_num_threads() == expected
            assert blas_threads() == {expected}
    finally:
        torch.set_num_threads(before)


def test_the_numerics_record_names_threads_versions_and_each_blas(monkeypatch):
    pool = {"user_api": "blas", "internal_api": "openblas", "version": "0.3.30"}
    pools = [{**pool, "architecture": "Zen", "num_threads": 2}, {"user_api": "openmp"}]
    monkeypatch.setattr("threadpoolctl.threadpool_info", lambda: pools)
    assert numerics_environment() == {
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "blas": [{"internal_api": "openblas", "version": "0.3.30", "architecture": "Zen"}],
    }


@pytest.fixture
def no_cache_variables(monkeypatch):
    monkeypatch.delenv("TORCHINDUCTOR_CACHE_DIR", raising=False)
    monkeypatch.delenv("TRITON_CACHE_DIR", raising=False)


def test_the_compile_cache_goes_to_the_runs_directory(tmp_path, no_cache_variables):
    root = use_compile_cache(tmp_path / "run" / "cache")
    assert root == (tmp_path / "run" / "cache").resolve() and root.is_dir()
    assert os.environ["TORCHINDUCTOR_CACHE_DIR"] == str(root)
    assert os.environ["TRITON_CACHE_DIR"] == str(root / "triton")


def test_inductors_own_default_is_not_a_users_choice(tmp_path, no_cache_variables, monkeypatch):
    from torch._inductor.runtime.cache_dir_utils import default_cache_dir

    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", default_cache_dir())
    assert use_compile_cache(tmp_path / "cache") == (tmp_path / "cache").resolve()


def test_a_users_cache_directories_win(tmp_path, no_cache_variables, monkeypatch):
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path / "mine"))
    assert use_compile_cache(tmp_path / "run") == tmp_path / "mine"
    assert (tmp_path / "mine").is_dir() and not (tmp_path / "run").exists()
    assert os.environ["TRITON_CACHE_DIR"] == str(tmp_path / "mine" / "triton")
    monkeypatch.setenv("TRITON_CACHE_DIR", str(tmp_path / "triton"))
    use_compile_cache(tmp_path / "run")
    assert os.environ["TRITON_CACHE_DIR"] == str(tmp_path / "triton")


def test_a_training_job_starts_with_its_threads_and_the_runs_cache(
    tmp_path, no_cache_variables, monkeypatch
):
    monkeypatch.setattr(threads, "available_cores", lambda: 4)
    before = torch.get_num_threads()
    try:
        with threadpool_limits(limits=None):
            setup_training_job(3, tmp_path / "cache")
            assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)
    assert os.environ["TORCHINDUCTOR_CACHE_DIR"] == str((tmp_path / "cache").resolve())
