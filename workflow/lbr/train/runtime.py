"""How a model trains on its device: the fast-path switches, seeds, threads, compile cache.

The fast path (bf16 autocast, torch.compile, channels-last, fused AdamW) is a set of
explicit switches resolved once from the config's `acceleration` block and the device,
so the code a GPU runs can also run, and be tested, on a CPU with every switch on.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from ..config import ACCELERATION_AUTO
from ..device import resolve_device
from ..errors import ConfigError

# Each switch: its allowed config values; `auto` keeps the historical choice (see _auto).
SWITCHES = {
    "precision": ("auto", "bf16", "fp32"),
    "compile": ("auto", True, False),
    "channels_last": ("auto", True, False),
    "fused_optimizer": ("auto", True, False),
}


@dataclass(frozen=True)
class Runtime:
    """Where and how a model trains; every switch explicit."""

    device: torch.device
    precision: str = "fp32"  # bf16: autocast matmuls and convolutions to bfloat16
    compile: bool = False  # torch.compile the model for the training steps
    channels_last: bool = True  # NHWC images and weights
    fused_optimizer: bool = False  # AdamW's fused kernel (one launch for all parameters)

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.precision == "bf16":
            return torch.autocast(self.device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def place(self, model: torch.nn.Module) -> torch.nn.Module:
        model = model.to(self.device)
        return model.to(memory_format=torch.channels_last) if self.channels_last else model

    def layout(self, x: torch.Tensor) -> torch.Tensor:
        if self.channels_last and x.dim() == 4:
            return x.contiguous(memory_format=torch.channels_last)
        return x

    def describe(self) -> dict:
        return {**asdict(self), "device": str(self.device)}


def _auto(switch: str, device: torch.device):
    # One table (lbr.config) for the jobs and for the plan, which resolves `auto` early.
    return ACCELERATION_AUTO[switch]["cuda" if device.type == "cuda" else "cpu"]


def resolve_runtime(device_name: str, acceleration: Mapping | None = None) -> Runtime:
    """The config's `device` and `acceleration` block (missing keys are `auto`) → Runtime."""
    device = resolve_device(device_name)
    acceleration = dict(acceleration or {})
    unknown = sorted(set(acceleration) - set(SWITCHES))
    if unknown:
        raise ConfigError(
            f"unknown acceleration key(s) {unknown}; the switches are {sorted(SWITCHES)}"
        )
    chosen = {}
    for switch, allowed in SWITCHES.items():
        value = acceleration.get(switch, "auto")
        if value not in allowed or (value in (0, 1) and not isinstance(value, bool)):
            raise ConfigError(
                f"acceleration.{switch} is {value!r}; use one of {', '.join(map(str, allowed))}"
            )
        chosen[switch] = _auto(switch, device) if value == "auto" else value
    if chosen["compile"] and device.type == "cpu" and not _cxx_compiler():
        raise ConfigError(
            "acceleration.compile is on for a CPU run but no C++ compiler was found "
            "(torch.compile generates C++ on CPU): install g++ (apt-get install g++) or set "
            "acceleration.compile: false"
        )
    return Runtime(device, **chosen)


def _cxx_compiler() -> str | None:
    return os.environ.get("CXX") or shutil.which("g++") or shutil.which("c++")


def seed_everything(seed: int, device: torch.device) -> torch.Generator:
    """Seed torch; on CPU request deterministic kernels so the same seed gives the same metrics."""
    torch.manual_seed(seed)
    if device.type == "cpu":
        torch.use_deterministic_algorithms(True)
    else:
        torch.backends.cudnn.benchmark = True
    return torch.Generator(device=device).manual_seed(seed)


def cpu_threads(threads: int) -> None:
    """Set torch's intra-op pool and the BLAS libraries to the configured count (config
    `cpu_threads`), whatever cores Snakemake gave the job (CPU reductions round
    differently with another count), but not above the cores the job may run on
    (lbr.threads.usable_threads: threads beyond them spin against each other)."""
    from ..threads import fix_blas_threads, usable_threads

    torch.set_num_threads(usable_threads(threads))
    fix_blas_threads(threads)


def numerics_environment() -> dict:
    """What besides the config decides a CPU job's numbers: torch's thread count and
    version, and the BLAS libraries loaded (their kernels round differently), for the
    job's summary."""
    import numpy
    from threadpoolctl import threadpool_info

    return {
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        # sorted: threadpoolctl lists libraries in the order they were loaded
        "blas": sorted(
            (
                {key: pool.get(key) for key in ("internal_api", "version", "architecture")}
                for pool in threadpool_info()
                if pool.get("user_api") == "blas"
            ),
            key=lambda pool: [str(value) for value in pool.values()],
        ),
    }


def setup_training_job(threads: int, compile_cache: str | os.PathLike) -> None:
    """What every training job does first: its thread count, and the shared compile cache."""
    cpu_threads(threads)
    use_compile_cache(compile_cache)


def use_compile_cache(directory: str | os.PathLike) -> Path:
    """Keep torch.compile's on-disk caches (Inductor's kernels and graphs, Triton's GPU
    binaries) in `directory`, shared by every job of a run, so only the first job pays
    the full compile. A TORCHINDUCTOR_CACHE_DIR set by the user wins. Call it before the
    first compilation: Inductor reads the variable when it first needs its cache."""
    from torch._inductor.runtime.cache_dir_utils import default_cache_dir

    current = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    # Importing torch._dynamo writes Inductor's default into the variable: that is not a
    # user's choice.
    if current is None or Path(current).resolve() == Path(default_cache_dir()).resolve():
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = str(Path(directory).resolve())
    root = Path(os.environ["TORCHINDUCTOR_CACHE_DIR"])
    os.environ.setdefault("TRITON_CACHE_DIR", str(root / "triton"))
    root.mkdir(parents=True, exist_ok=True)
    return root
