"""Benchmark of Theorem 1's interpolation table (the `theorem1_interpolation` rule).

    python benchmarks/bench_interpolation.py [--dimension 3072] [--threads 1]
                                             [--library OTHER_CHECKOUT/workflow]

Times `lbr.spectral.theorem1.interpolation_table` on a synthetic spectrum of dimension
D with 10 classes (eigenvalues decaying as 1/i like natural images, random orthonormal
eigenvectors, random class sums), with the latent sizes and λ factors of config.yaml,
BLAS limited to --threads as the rule does. --library times another checkout's code
(for a before/after comparison in one session on one machine). Prints the seconds (wall
and CPU) and a checksum of the table, which two versions of the code must share to
rounding.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]


def synthetic_spectrum(dimension: int, classes: int = 10, seed: int = 0) -> SimpleNamespace:
    rng = np.random.default_rng(seed)
    eigenvalues = 1.0 / np.arange(1, dimension + 1)
    eigenvectors, _ = np.linalg.qr(rng.standard_normal((dimension, dimension)))
    counts = np.full(classes, 1000)
    # whitened class sums P (C×D) with ‖P‖² = 0.8 N: least squares explains 80% of ‖Y‖²
    whitened = rng.standard_normal((classes, dimension))
    whitened *= np.sqrt(0.8 * counts.sum()) / np.linalg.norm(whitened)
    class_sums = (whitened * np.sqrt(eigenvalues)) @ eigenvectors.T
    return SimpleNamespace(
        eigen=SimpleNamespace(eigenvalues=eigenvalues, eigenvectors=eigenvectors),
        statistics=SimpleNamespace(class_sums=class_sums, class_counts=counts),
        summary={"dataset_dir": "synthetic"},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dimension", type=int, default=3072)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--library", type=Path, default=REPO / "workflow")
    args = parser.parse_args()
    sys.path.insert(0, str(args.library.resolve()))
    import lbr.spectral.theorem1 as theorem1
    from threadpoolctl import threadpool_limits

    assert Path(theorem1.__file__).is_relative_to(args.library.resolve()), theorem1.__file__
    settings = yaml.safe_load((REPO / "config.yaml").read_text())["theorem1"]["interpolation"]
    spectrum = synthetic_spectrum(args.dimension)
    with threadpool_limits(limits=args.threads, user_api="blas"):
        wall, cpu = time.perf_counter(), time.process_time()
        table = theorem1.interpolation_table(spectrum, **settings)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"D={args.dimension} threads={args.threads} rows={len(table)} "
        f"wall={wall:.2f}s cpu={cpu:.2f}s "
        f"checksum={table['supervised_residual_fraction'].sum():.12f} "
        f"library={args.library}"
    )


if __name__ == "__main__":
    main()
