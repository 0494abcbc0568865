"""Training throughput of the authors' ResNet9: the pipeline's loop against an authors-style loop.

    python benchmarks/bench_training.py [--device cuda] [--width 1] [--images 50000]
        [--precision bf16 --compile true ...] [--compile-cache DIR] [--output record.json]

Both loops train the same model on the same random images (3×32×32 unless --size), in
the same process:
  pipeline:  lbr.train's loop: data resident on the device, batched on-device crop/flip,
             and the fast-path switches (--precision, --compile, --channels-last,
             --fused-optimizer; `auto` resolves them as the pipeline does for the device);
  reference: per-sample torchvision RandomCrop (reflect padding) + flip in a DataLoader
             with worker processes, fp16 autocast with a GradScaler on GPU, AdamW.
Prints (and with --output writes) one JSON record: device, torch version, images/s of
each loop per wall second and per CPU second (epoch 1 is warm-up; on a shared machine
the CPU-second rate is the stable one), the FLOPs of a training image, the bf16 matmul peak
measured on this device and the pipeline's fraction of it, and compile seconds (epoch
1's extra time over a steady epoch). Run it twice with the same --compile-cache to see
what the cache saves a second job.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))

from lbr.models.resnet9 import ResNet9  # noqa: E402
from lbr.train.loop import LoopSettings, train_loop  # noqa: E402
from lbr.train.runtime import seed_everything  # noqa: E402
from training_common import (  # noqa: E402
    EpochClock,
    authors_style_throughput,
    bf16_matmul_peak,
    parser,
    record,
    runtime_from,
    training_flop_per_image,
)


def mse(network, x, y):
    """The authors' loss: MSE on one-hot targets."""
    return F.mse_loss(network(x).float(), F.one_hot(y, 10).float())


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--images", type=int, default=None, help="default 50000 on GPU, 1024 on CPU")
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--width", type=float, default=1.0, help="width multiplier (1 = the authors')")
    p.add_argument("--size", type=int, default=32, help="image height and width")
    args = p.parse_args()
    runtime, cache = runtime_from(args)
    device = runtime.device
    count = args.images or (50000 if device.type == "cuda" else 1024)
    workers = args.workers if args.workers is not None else (14 if device.type == "cuda" else 0)
    generator = torch.Generator().manual_seed(0)
    shape = (3, args.size, args.size)
    images = torch.randn(count, *shape, generator=generator).to(device)
    labels = torch.randint(0, 10, (count,), generator=generator).to(device)

    seeds = seed_everything(0, device)
    model = runtime.place(ResNet9(3, 10, width_multiplier=args.width))
    clock = EpochClock()
    settings = LoopSettings(args.epochs, args.batch, 1e-3, 1e-3, augment=True)
    train_loop(model, mse, images, labels, settings, runtime, seeds, on_epoch=clock)
    pipeline = clock.summary(count)
    flop = training_flop_per_image(model, shape)
    peak = bf16_matmul_peak(device)

    reference = None
    if not args.skip_reference:
        torch.manual_seed(0)
        plain = ResNet9(3, 10, width_multiplier=args.width).to(device)
        reference = authors_style_throughput(
            plain, mse, images, labels, device, args.batch, args.epochs, workers
        )
    record(
        runtime,
        args,
        benchmark="resnet9",
        width_multiplier=args.width,
        parameters=sum(p.numel() for p in model.parameters()),
        image_shape=list(shape),
        images=count,
        batch_size=args.batch,
        pipeline=pipeline,
        authors_style=reference,
        authors_style_workers=workers,
        speedup=pipeline["images_per_second"] / reference["images_per_second"]
        if reference
        else None,
        training_flop_per_image=flop,
        measured_bf16_peak_flops=peak,
        fraction_of_bf16_peak=pipeline["images_per_second"] * flop / peak,
        compile_seconds=pipeline["first_epoch_extra_seconds"] if runtime.compile else None,
        compile_cache=cache if runtime.compile else None,
    )


if __name__ == "__main__":
    main()
