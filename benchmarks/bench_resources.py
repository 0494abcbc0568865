"""Measure what real jobs of the pipeline use, beside what they ask the scheduler for.

    python benchmarks/bench_resources.py [--workdir DIR] [--keep]

Runs the real rules through Snakemake (one job at a time, so each job's peak memory is
its own) on datasets of three sizes, then reads each job's `benchmark:` file
(results/benchmarks/*.tsv: wall seconds, CPU seconds, peak RSS) and prints it beside the
mem_mb and runtime that lbr.resources requests for the same D and N:

  digits:   scikit-learn's 8×8 digits (D = 64, N = 1 437);
  fashion:  Fashion-MNIST from Debian's dataset-fashion-mnist (D = 784, N = 60 000);
  photos32: crops of the photographs shipped with scikit-image at 32×32×3 (D = 3 072,
            N = 10 000; CIFAR's image size).

Per dataset: spectrum, alignment, denoising (masking p = 2, r = 0.55; gaussian σ = 1),
Theorem 1's interpolation, and one epoch of subspace training (top 50%). The measured
rows are also written to benchmarks/resource_measurements.json, which
tests/test_resources.py checks the model against. CPU seconds are the steady measure on a
shared machine; wall seconds depend on its load.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow"))

from lbr import resources  # noqa: E402
from lbr.data.registry import DEBIAN_FASHION_MNIST  # noqa: E402

OUTPUT = REPO / "benchmarks" / "resource_measurements.json"
PHOTOS = ["astronaut", "brick", "chelsea", "coffee", "grass"]
PHOTOS += ["gravel", "hubble_deep_field", "ihc", "motorcycle_left", "rocket"]
DATASETS = {
    "digits": {"source": "digits", "test_fraction": 0.2, "seed": 0},
    "fashion": {"source": "idx_directory", "path": DEBIAN_FASHION_MNIST},
    "photos32": {
        "source": "photo_patches",
        "photos": PHOTOS,
        "shape": [32, 32, 3],
        "crop": 32,
        "block": 64,
        "train_per_photo": 1000,
        "test_per_photo": 100,
        "seed": 0,
    },
}
NOISES = {"masking": {"patch_sizes": [2], "ratios": [0.55]}, "gaussian": {"sigmas": [1.0]}}
NOISE_NAMES = ["masking_p2_r0.55", "gaussian_s1"]
# rule -> its stage in lbr.resources.COSTS where the names differ
MODEL_STAGE = {"subspace_train": "training"}


def bench_config() -> dict:
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["device"] = "cpu"
    config["datasets"] = DATASETS
    config["spectrum"]["preprocessings"] = ["standardized", "per_image"]
    config["denoising"]["noises"] = NOISES
    config["subspace"].update(
        datasets=list(DATASETS),
        sides=["top"],
        fractions=[0.5],
        dimension_halves=False,
    )
    config["subspace"]["training"]["epochs"] = 1
    config["autoencoders"]["datasets"] = ["digits"]
    return config


def targets(config: dict) -> list[str]:
    out = []
    for name in DATASETS:
        out.append(f"results/spectrum/{name}/standardized/summary.json")
        out.append(f"results/alignment/{name}.parquet")
        out += [f"results/denoising/{name}/{noise}.parquet" for noise in NOISE_NAMES]
        out.append(f"results/theory/interpolation/{name}.parquet")
        out.append(f"results/subspace/{name}/top-0.5-noaug-s0/summary.json")
    return out


def read_benchmarks(workdir: Path, config: dict) -> list[dict]:
    """One row per job: what it used (its benchmark file) and what it requested."""
    rows = []
    jobs = [("dataset", "dataset", name, name) for name in DATASETS]
    for name in DATASETS:
        jobs.append(("spectrum", "spectrum", f"{name}-standardized", name))
        jobs.append(("spectrum", "spectrum", f"{name}-per_image", name))
        jobs.append(("alignment", "alignment", name, name))
        jobs += [("denoising", "denoising", f"{name}-{noise}", name) for noise in NOISE_NAMES]
        jobs.append(("theorem1_interpolation", "theory", f"interpolation-{name}", name))
        jobs.append(("subspace_train", "subspace", f"{name}-top-0.5-noaug-s0", name))
    for stage, folder, job, name in jobs:
        path = workdir / "results" / "benchmarks" / folder / f"{job}.tsv"
        with open(path) as handle:
            measured = next(csv.DictReader(handle, delimiter="\t"))
        # D and N as built (an idx_directory's shape is known only from its files)
        meta = json.loads((workdir / "results" / "datasets" / name / "meta.json").read_text())
        dim, images = math.prod(meta["image_shape"]), meta["split_sizes"]["train"]
        row = {
            "stage": stage,
            "job": job,
            "D": dim,
            "N": images,
            "wall_seconds": float(measured["s"]),
            "cpu_seconds": float(measured["cpu_time"]),
            "peak_rss_mb": float(measured["max_rss"]),
        }
        model = MODEL_STAGE.get(stage, stage)
        row["requested_mem_mb"] = resources.memory_mb(model, dim, images)
        if model != "training":  # training runtime comes from the config (GPU time)
            row["requested_runtime_min"] = resources.runtime_minutes(model, dim, images)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="lbr-bench-resources-"))
    workdir.mkdir(parents=True, exist_ok=True)
    config = bench_config()
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    command += ["--configfile", str(workdir / "config.yaml"), "--directory", str(workdir)]
    command += ["--cores", "2", *targets(config)]
    subprocess.run(command, check=True)
    rows = read_benchmarks(workdir, config)
    OUTPUT.write_text(json.dumps(rows, indent=1) + "\n")
    print("| stage | job | D | N | wall s | CPU s | peak MB | requested MB | requested min |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['stage']} | {r['job']} | {r['D']} | {r['N']} | {r['wall_seconds']:.1f} "
            f"| {r['cpu_seconds']:.1f} | {r['peak_rss_mb']:.0f} "
            f"| {r.get('requested_mem_mb', '')} | {r.get('requested_runtime_min', '')} |"
        )
    if not args.keep and args.workdir is None:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
