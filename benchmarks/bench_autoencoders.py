"""Training throughput of each registered autoencoder: the pipeline's loop against an
authors-style loop.

    python benchmarks/bench_autoencoders.py [--device cuda] [--arch resnet] [--width 64]
        [--latent 256] [--size 64] [--images 20000] [--output record.json]

Same method and JSON record as bench_training.py (see its docstring), one record per
architecture (all registered ones unless --arch): the reconstruction objective (MSE on
the input) with the pipeline's loop and switches, against per-sample torchvision crops
and flips in a DataLoader with fp16 + GradScaler on GPU. The paper config's autoencoders
train at 64×64×3 (Imagenette) and 32×32×3 (CIFAR-10), width 64, latent 256.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))

from lbr.models.autoencoders import ARCHITECTURES, build_autoencoder  # noqa: E402
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


def reconstruction(network, x, y):
    return F.mse_loss(network(x)[0].float(), x.float())


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--arch", action="append", choices=sorted(ARCHITECTURES))
    p.add_argument("--images", type=int, default=None, help="default 20000 on GPU, 512 on CPU")
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--latent", type=int, default=256)
    p.add_argument("--size", type=int, default=32, help="image height and width")
    args = p.parse_args()
    runtime, cache = runtime_from(args)
    device = runtime.device
    count = args.images or (20000 if device.type == "cuda" else 512)
    workers = args.workers if args.workers is not None else (14 if device.type == "cuda" else 0)
    shape = (3, args.size, args.size)
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(count, *shape, generator=generator).to(device)
    labels = torch.randint(0, 10, (count,), generator=generator).to(device)
    peak = bf16_matmul_peak(device)
    for arch in args.arch or sorted(ARCHITECTURES):
        seeds = seed_everything(0, device)
        model = runtime.place(build_autoencoder(arch, shape, args.latent, args.width, 10))
        clock = EpochClock()
        settings = LoopSettings(args.epochs, args.batch, 1e-3, 0.0, augment=True)
        train_loop(
            model,
            reconstruction,
            images,
            labels,
            settings,
            runtime,
            seeds,
            on_epoch=clock,
        )
        pipeline = clock.summary(count)
        flop = training_flop_per_image(model, shape)
        reference = None
        if not args.skip_reference:
            torch.manual_seed(0)
            plain = build_autoencoder(arch, shape, args.latent, args.width, 10).to(device)
            reference = authors_style_throughput(
                plain, reconstruction, images, labels, device, args.batch, args.epochs, workers
            )
        record(
            runtime,
            args,
            benchmark=f"autoencoder_{arch}",
            width=args.width,
            latent=args.latent,
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
