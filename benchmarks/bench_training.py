"""Training throughput of the authors' ResNet9: the pipeline's loop against an authors-style loop.

    python benchmarks/bench_training.py [--device cuda] [--images 50000] [--steps 60] [--compile]

Both loops train the same model on the same random 32×32×3 data, in the same process:
  pipeline:  data resident on the device, batched on-device crop/flip, bf16 autocast
             (GPU), channels-last, fused AdamW, optional torch.compile (lbr.train);
  reference: per-sample torchvision RandomCrop(32, padding=4, reflect) + flip in a
             DataLoader with worker processes, fp16 autocast with a GradScaler, AdamW
             (the authors' style).
Reports images/s after warm-up and, on GPU, the fraction of a measured bf16 matmul peak
(3 × 1.06 GFLOP per training image). On CPU it runs at tiny size as a smoke test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))

from lbr.models.resnet9 import ResNet9  # noqa: E402
from lbr.train.classifier import TrainSettings, train_classifier  # noqa: E402

FLOP_PER_TRAINING_IMAGE = 3 * 1.062e9


def bf16_matmul_peak(device) -> float:
    n = 8192
    a = torch.randn(n, n, device=device, dtype=torch.bfloat16)
    b = torch.randn(n, n, device=device, dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(20):
        a @ b
    torch.cuda.synchronize()
    return 20 * 2 * n**3 / (time.perf_counter() - start)


def pipeline_throughput(images, labels, device, batch, epochs, compile_model, width) -> float:
    settings = TrainSettings(
        epochs=epochs,
        batch_size=batch,
        augment=True,
        compile=compile_model,
        width_multiplier=width,
        eval_batch_size=batch,
    )
    test = (images[:batch], labels[:batch])
    metrics, _ = train_classifier(images, labels, *test, 10, settings, device)
    return float(metrics["images_per_second"].iloc[1:].mean())  # epoch 1 pays for warm-up


class _Tensors(torch.utils.data.Dataset):
    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.transform(self.images[index]), self.labels[index]


def reference_throughput(images, labels, device, batch, epochs, width, workers) -> float:
    from torchvision import transforms

    transform = transforms.Compose(
        [
            transforms.RandomCrop(32, padding=4, padding_mode="reflect"),
            transforms.RandomHorizontalFlip(),
        ]
    )
    loader = torch.utils.data.DataLoader(
        _Tensors(images.cpu(), labels.cpu(), transform),
        batch_size=batch,
        shuffle=True,
        num_workers=workers,
        pin_memory=device.type == "cuda",
        drop_last=True,
        persistent_workers=workers > 0,
    )
    model = ResNet9(3, 10, width_multiplier=width).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-3)
    scaler = torch.amp.GradScaler(enabled=device.type == "cuda")
    rates = []
    for _ in range(epochs):
        seen, start = 0, time.perf_counter()
        for x, y in loader:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            with torch.autocast(device.type, dtype=torch.float16, enabled=device.type == "cuda"):
                loss = F.mse_loss(model(x).float(), F.one_hot(y, 10).float())
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            seen += len(y)
        if device.type == "cuda":
            torch.cuda.synchronize()
        rates.append(seen / (time.perf_counter() - start))
    return sum(rates[1:]) / max(1, len(rates) - 1) if len(rates) > 1 else rates[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--images", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument(
        "--width", type=float, default=None, help="width multiplier (default 1 on GPU, 1/16 on CPU)"
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--compile", action="store_true")
    args = parser.parse_args()
    device = torch.device(args.device)
    gpu = device.type == "cuda"
    count = args.images or (50000 if gpu else 1024)
    width = args.width or (1.0 if gpu else 1 / 16)
    batch = args.batch if gpu else min(args.batch, 128)
    workers = args.workers if args.workers is not None else (14 if gpu else 0)
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(count, 3, 32, 32, generator=generator).to(device)
    labels = torch.randint(0, 10, (count,), generator=generator).to(device)
    print(
        f"torch {torch.__version__}, device {device}"
        f"{' (' + torch.cuda.get_device_name() + ')' if gpu else ''}, {count} images, batch {batch}, width ×{width}"
    )
    fast = pipeline_throughput(images, labels, device, batch, args.epochs, args.compile, width)
    reference = reference_throughput(images, labels, device, batch, args.epochs, width, workers)
    print(f"pipeline loop{' (compiled)' if args.compile else ''}: {fast:,.0f} images/s")
    print(f"authors-style loop ({workers} workers): {reference:,.0f} images/s")
    print(f"speed-up: {fast / reference:.2f}x")
    if gpu and width == 1.0:
        peak = bf16_matmul_peak(device)
        print(
            f"measured bf16 matmul peak: {peak / 1e12:.0f} TFLOP/s; pipeline at "
            f"{100 * fast * FLOP_PER_TRAINING_IMAGE / peak:.1f}% of it"
        )


if __name__ == "__main__":
    main()
