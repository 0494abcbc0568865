"""Shared by bench_training.py and bench_autoencoders.py: the command line for the
fast-path switches, the authors-style reference loop, the measured bf16 peak, the record."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))

from lbr.train.runtime import SWITCHES, resolve_runtime, use_compile_cache  # noqa: E402


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    for switch, allowed in SWITCHES.items():
        p.add_argument(
            f"--{switch.replace('_', '-')}",
            default="auto",
            choices=[str(v).lower() for v in allowed],
            help=f"acceleration.{switch} (default auto, as in the pipeline)",
        )
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--epochs", type=int, default=3, help="epoch 1 is warm-up, not averaged")
    p.add_argument("--workers", type=int, default=None, help="authors-style DataLoader workers")
    p.add_argument(
        "--compile-cache",
        default=None,
        help="torch.compile cache directory (default: a fresh one, i.e. a cold first job)",
    )
    p.add_argument("--skip-reference", action="store_true", help="only the pipeline loop")
    p.add_argument("--output", help="write the JSON record here (it is always printed)")
    return p


def runtime_from(args):
    if args.threads:
        torch.set_num_threads(args.threads)
    cache = args.compile_cache or f"/tmp/lbr-bench-compile-{os.getpid()}-{time.time_ns()}"
    use_compile_cache(cache)

    def value(text: str):
        return {"true": True, "false": False}.get(text, text)

    acceleration = {s: value(getattr(args, s)) for s in SWITCHES}
    return resolve_runtime(args.device, acceleration), cache


def bf16_matmul_peak(device: torch.device) -> float:
    """FLOP/s of a large bf16 matmul on this device, measured here (not a data-sheet number)."""
    n = 8192 if device.type == "cuda" else 1024
    a = torch.randn(n, n, device=device, dtype=torch.bfloat16)
    b = torch.randn(n, n, device=device, dtype=torch.bfloat16)
    repeats = 20 if device.type == "cuda" else 5
    for _ in range(2):
        a @ b
    _sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    _sync(device)
    return repeats * 2 * n**3 / (time.perf_counter() - start)


def training_flop_per_image(model: torch.nn.Module, shape) -> float:
    """3 × the forward FLOPs of one image (forward, and backward at twice the forward)."""
    from torch.utils.flop_counter import FlopCounterMode

    was_training = model.training
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, *shape, device=next(model.parameters()).device))
    model.train(was_training)
    return 3.0 * counter.get_total_flops()


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


class _Tensors(torch.utils.data.Dataset):
    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.transform(self.images[index]), self.labels[index]


def authors_style_throughput(model, loss_fn, images, labels, device, batch, epochs, workers):
    """images/s of the authors' kind of loop: per-sample torchvision RandomCrop (reflect
    padding) + flip in a DataLoader with worker processes, fp16 autocast with a
    GradScaler on GPU (fp32 on CPU), plain AdamW; epoch 1 is warm-up. Returns the rates."""
    from torchvision import transforms

    size = images.shape[-1]
    transform = transforms.Compose(
        [
            transforms.RandomCrop(
                size, padding=max(1, round(4 * size / 32)), padding_mode="reflect"
            ),
            transforms.RandomHorizontalFlip(),
        ]
    )
    gpu = device.type == "cuda"
    loader = torch.utils.data.DataLoader(
        _Tensors(images.cpu(), labels.cpu(), transform),
        batch_size=batch,
        shuffle=True,
        num_workers=workers,
        pin_memory=gpu,
        drop_last=True,
        persistent_workers=workers > 0,
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-3)
    scaler = torch.amp.GradScaler(enabled=gpu)
    clock = EpochClock()
    for epoch in range(epochs):
        seen, start = 0, time.perf_counter()
        for x, y in loader:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            with torch.autocast(device.type, dtype=torch.float16, enabled=gpu):
                loss = loss_fn(model, x, y)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            seen += len(y)
        _sync(device)
        clock(epoch, None, time.perf_counter() - start)
    summary = clock.summary(seen)
    return {k: summary[k] for k in ("images_per_second", "images_per_cpu_second")}


def _cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class EpochClock:
    """on_epoch callback of lbr.train.loop.train_loop: wall and CPU seconds of each epoch.

    On a shared, loaded machine wall time mostly measures the other users; CPU seconds
    (all threads of this process) measure the work, so both are recorded."""

    def __init__(self):
        self.wall, self.cpu, self._last = [], [], _cpu_seconds()

    def __call__(self, epoch, loss, seconds):
        now = _cpu_seconds()
        self.wall.append(seconds)
        self.cpu.append(now - self._last)
        self._last = now

    def summary(self, images: int) -> dict:
        """Rates over epochs 2.. (epoch 1 pays for warm-up and compilation), and epoch 1's
        extra wall time over a steady epoch: with compile on, the compile time."""
        steady_wall = sum(self.wall[1:]) / max(1, len(self.wall) - 1)
        steady_cpu = sum(self.cpu[1:]) / max(1, len(self.cpu) - 1)
        return {
            "images_per_second": images / steady_wall,
            "images_per_cpu_second": images / steady_cpu,
            "first_epoch_seconds": self.wall[0],
            "steady_epoch_seconds": steady_wall,
            "first_epoch_extra_seconds": self.wall[0] - steady_wall,
            # Counts the C++ compiler only when Inductor compiles in this process
            # (TORCHINDUCTOR_COMPILE_THREADS=1); its worker pool's time is not reaped.
            "first_epoch_extra_cpu_seconds": self.cpu[0] - steady_cpu,
        }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def record(runtime, args, **fields) -> dict:
    device = runtime.device
    rec = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else _cpu_name(),
        "torch": torch.__version__,
        "cpu_threads": torch.get_num_threads(),
        "load_average_1min": os.getloadavg()[0],
        "runtime": runtime.describe(),
        "inductor_compile_threads": os.environ.get("TORCHINDUCTOR_COMPILE_THREADS"),
        "epochs": args.epochs,
        **fields,
    }
    text = json.dumps(rec, indent=2)
    print(text)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text + "\n")
    return rec
