"""Benchmark of the eigendecomposition stage against the direct numpy computation.

    python benchmarks/bench_spectrum.py [--device cpu|cuda] [--cases fashion_mnist cifar_sized]
    python benchmarks/bench_spectrum.py --cases tinyimagenet_sized   # N = 100 000, D = 12 288

For each case, in the same run and on the same data (a uint8 .npy on disk):
  pipeline: lbr's chunked float64 pass (Σ, M, counts, mean) + eigh, images memory-mapped;
  direct:   X in float64 (N×D), standardized, numpy.linalg.eigh(X.T @ X).
Each runs in its own process so peak memory (max RSS) is measured separately.
Fashion-MNIST is read from Debian's dataset-fashion-mnist when installed; the
CIFAR-sized case (N=50000, D=32·32·3) uses seeded random images; the TinyImageNet-sized
case (N=100 000, D=64·64·3) uses seeded crops of scikit-learn's sample photographs
(bench_denoising.photo_crops) and runs the pipeline only (X in float64 would take
9.8 GB). The pass is chunked (--chunk-size images at a time): its memory is a few D×D
matrices plus one chunk, whatever N.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))

FASHION = Path("/usr/share/datasets/fashion-mnist")


def make_case(name: str, directory: Path) -> Path:
    if name == "fashion_mnist":
        from lbr.data.local import load_idx_directory

        dataset = load_idx_directory(FASHION, None)
        images, labels = dataset.train_images, dataset.train_labels
    elif name == "tinyimagenet_sized":
        from bench_denoising import photo_crops

        images, labels = photo_crops(100_000, 64)
    elif name == "cifar_sized":
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, size=(50000, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, size=50000)
    else:
        raise SystemExit(f"unknown case {name}")
    np.save(directory / f"{name}_images.npy", images)
    np.save(directory / f"{name}_labels.npy", labels)
    return directory / f"{name}_images.npy"


def run_pipeline(images_path: str, device: str, chunk_size: int) -> dict:
    from lbr.spectral.eigen import eigendecompose
    from lbr.spectral.statistics import Preprocessing, accumulate_statistics

    images = np.load(images_path, mmap_mode="r")
    labels = np.load(images_path.replace("_images", "_labels"))
    start = time.perf_counter()
    stats = accumulate_statistics(
        images, labels, 10, Preprocessing(jitter=0.0), chunk_size=chunk_size, device=device
    )
    middle = time.perf_counter()
    eigen = eigendecompose(stats.covariance, rtol=1e-12, device=device)
    end = time.perf_counter()
    return {
        "pass_s": middle - start,
        "eigh_s": end - middle,
        "total_s": end - start,
        "top_eigenvalues": eigen.eigenvalues[:5].tolist(),
        "eigenvalues": eigen.eigenvalues.tolist(),
    }


def run_direct(images_path: str, device: str, chunk_size: int) -> dict:
    images = np.load(images_path)
    start = time.perf_counter()
    x = images.transpose(0, 3, 1, 2).reshape(len(images), -1).astype(np.float64)
    x -= x.mean(axis=0)
    x /= np.sqrt((x**2).mean())
    values = np.linalg.eigh(x.T @ x)[0][::-1]
    end = time.perf_counter()
    return {
        "total_s": end - start,
        "top_eigenvalues": values[:5].tolist(),
        "eigenvalues": values.tolist(),
    }


def child(kind: str, images_path: str, device: str, chunk_size: int) -> None:
    result = (run_pipeline if kind == "pipeline" else run_direct)(images_path, device, chunk_size)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["max_rss_mb"] = usage.ru_maxrss / 1024
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    print(json.dumps(result))


def measure(kind: str, images_path: Path, device: str, chunk_size: int) -> dict:
    command = [sys.executable, __file__, "--child", kind, str(images_path), "--device", device]
    output = subprocess.run(
        command + ["--chunk-size", str(chunk_size)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--cases", nargs="+", default=["fashion_mnist", "cifar_sized"])
    parser.add_argument("--chunk-size", type=int, default=4096)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], args.child[1], args.device, args.chunk_size)
    import torch

    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, device {args.device}")
    print(
        "| case | N | D | stage | time (s) | peak RSS (MB) | max rel. eigenvalue diff (top 100) |"
    )
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for case in args.cases:
            if case == "fashion_mnist" and not FASHION.is_dir():
                print(f"| {case} | skipped: apt-get install dataset-fashion-mnist |")
                continue
            path = make_case(case, Path(scratch))
            shape = np.load(path, mmap_mode="r").shape
            n, d = shape[0], int(np.prod(shape[1:]))
            pipe = measure("pipeline", path, args.device, args.chunk_size)
            print(
                f"| {case} | {n} | {d} | pipeline (pass {pipe['pass_s']:.1f} s + eigh "
                f"{pipe['eigh_s']:.1f} s; CPU {pipe['cpu_s']:.0f} s) | {pipe['total_s']:.1f} "
                f"| {pipe['max_rss_mb']:.0f} | |",
                flush=True,
            )
            if case == "tinyimagenet_sized":
                continue
            direct = measure("direct", path, "cpu", args.chunk_size)
            a, b = np.array(pipe["eigenvalues"][:100]), np.array(direct["eigenvalues"][:100])
            diff = float(np.max(np.abs(a - b) / b))
            print(
                f"| {case} | {n} | {d} | numpy.linalg.eigh(X.T @ X) | {direct['total_s']:.1f} "
                f"| {direct['max_rss_mb']:.0f} | {diff:.1e} |"
            )


if __name__ == "__main__":
    main()
