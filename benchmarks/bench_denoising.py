"""Benchmark of Theorem 3's solver (the `denoising` rule) against the authors' algorithm.

    python benchmarks/bench_denoising.py [--case photos32 photos64 fashion_mnist]
                                         [--settings masking_p2_r0.55 ...] [--no-direct]
                                         [--scratch DIR] [--json FILE]

The default run measures, in one go, the pipeline against the authors' algorithm at
D = 3072 (photos32, N = 50 000) and the pipeline alone at D = 12 288 (photos64), and
records seconds and peak memory per stage and D in benchmarks/closed_form_costs.json
({stage: {D: {cpu_seconds, wall_seconds, peak_rss_mb}}}, merged into what is there;
"denoising" is the first setting, the general path). --scratch keeps the spectra (and
their measured cost) between runs, so a rerun skips the D = 12 288 spectrum.

Cases (images with a natural-image spectrum, not white noise):
  photos32:      N = 50 000 seeded 32×32×3 crops of scikit-learn's two sample
                 photographs (D = 3072, CIFAR's size); 10 labels from photo and position;
  photos64:      the same at 64×64×3 (D = 12 288, TinyImageNet's size); pipeline only;
  fashion_mnist: Debian's dataset-fashion-mnist training set (N = 60 000, D = 784).
Per case, once: the statistics pass and Σ's eigendecomposition (the `spectrum` rule,
standardized with the authors' jitter 0.001), saved for the settings to share. Then per
setting, each in its own process so that its seconds and peak memory are its own:
  pipeline: what one `denoising` job computes (lbr.spectral.denoising_alignment: the
            whole table, curves, change, subspace shift and the solver's certificate);
  direct:   the authors' algorithm as the paper describes it, written here: from the
            N×D data recompute Σ, build the masking second moment with a loop over
            patches, solve the generalized eigenproblem A v = μ G v in pixel space, form
            the N×D representation, QR-factor it and take ‖YᵀY q_k‖² per direction.
Prints seconds (wall and CPU), peak RSS, the speed-up and the largest difference between
the two alignment curves. Wall time depends on the machine's load: CPU seconds are the
steadier measure on a shared machine. BLAS runs with its default threads (OpenBLAS: one
per core, 2 here), as numpy does in the `denoising` rule unless the environment says
otherwise (Snakemake's threads: 1 does not limit BLAS by itself).
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
import scipy.linalg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))

from lbr.spectral.denoising import denoising_alignment  # noqa: E402
from lbr.spectral.eigen import eigendecompose  # noqa: E402
from lbr.spectral.noise import ImageGeometry, Masking, expand_noise_grid  # noqa: E402
from lbr.spectral.statistics import (  # noqa: E402
    Preprocessing,
    accumulate_statistics,
    flatten_channel_first,
)

FASHION = Path("/usr/share/datasets/fashion-mnist")
PREPROCESSING = Preprocessing(jitter=0.001)  # the authors' standardization
CASES = {"photos32": (50_000, 32), "photos64": (50_000, 64), "fashion_mnist": (60_000, 28)}
# Every setting the benchmark knows, by name (the paper's grid and the other families).
SETTINGS = expand_noise_grid(
    {
        "masking": {"patch_sizes": [1, 2, 4], "ratios": [0.11, 0.55, 0.99]},
        "channel_masking": {"patch_sizes": [2], "ratios": [0.5]},
        "gaussian": {"sigmas": [1.0]},
        "smooth_gaussian": {"sigmas": [1.0], "lengths": [2.0]},
    }
)


def photo_crops(n: int, side: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n seeded side×side×3 crops of scikit-learn's sample photographs; label = photo
    and which fifth of its width the crop starts in (10 classes)."""
    from sklearn.datasets import load_sample_images

    photos = load_sample_images().images
    rng = np.random.default_rng(seed)
    images = np.empty((n, side, side, 3), np.uint8)
    labels = np.empty(n, np.int64)
    for i, k in enumerate(rng.integers(0, len(photos), n)):
        height, width, _ = photos[k].shape
        top, left = rng.integers(0, height - side + 1), rng.integers(0, width - side + 1)
        images[i] = photos[k][top : top + side, left : left + side]
        labels[i] = 5 * k + 5 * left // (width - side + 1)
    return images, labels


def load_case(case: str, samples: int) -> tuple[np.ndarray, np.ndarray]:
    """The case's first `samples` training images (0: all of them)."""
    if case == "fashion_mnist":
        from lbr.data.local import load_idx_directory

        data = load_idx_directory(FASHION, None)
        images, labels = data.train_images, data.train_labels
        images = images if images.ndim == 4 else images[..., None]
    else:
        n, side = CASES[case]
        images, labels = photo_crops(samples or n, side)
    return (images[:samples], labels[:samples]) if samples else (images, labels)


# --- the three measured jobs (each in a child process) -------------------------------


def job_spectrum(case: str, scratch: Path, samples: int) -> dict:
    saved = scratch / f"{case}.json"
    if saved.is_file() and (scratch / f"{case}.npz").is_file():
        return json.loads(saved.read_text()) | {"reused": True}
    images, labels = load_case(case, samples)
    start = time.perf_counter()
    stats = accumulate_statistics(images, labels, 10, PREPROCESSING, chunk_size=4096)
    middle = time.perf_counter()
    eigen = eigendecompose(stats.covariance, rtol=1e-10)
    end = time.perf_counter()
    np.savez(
        scratch / f"{case}.npz",
        eigenvalues=eigen.eigenvalues,
        eigenvectors=eigen.eigenvectors,
        covariance=stats.covariance,
        class_sums=stats.class_sums,
        class_counts=stats.class_counts,
        n=len(labels),
        shape=np.array(images.shape[1:]),
    )
    result = {"pass_s": middle - start, "eigh_s": end - middle, "rank": eigen.rank}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    result["max_rss_mb"] = usage.ru_maxrss / 1024
    saved.write_text(json.dumps(result))
    return result


def job_pipeline(case: str, scratch: Path, samples: int, setting: str) -> dict:
    s = np.load(scratch / f"{case}.npz")
    start = time.perf_counter()
    table = denoising_alignment(
        s["eigenvalues"],
        s["eigenvectors"],
        s["covariance"],
        s["class_sums"],
        s["class_counts"],
        int(s["n"]),
        SETTINGS[setting],
        ImageGeometry(*s["shape"].tolist()),
    )
    return {
        "seconds": time.perf_counter() - start,
        "curve": table["alignment"].tolist(),
        "bound": float(table["solver_error_bound"].iloc[0]),
        "max_abs_change": float(table["change"].abs().max()),
    }


def masking_second_moment(sigma: np.ndarray, noise: Masking, geometry: ImageGeometry):
    """G = (1−r)²Σ + r(1−r)(Σ ⊙ B), B built patch by patch with Python loops."""
    height, width, channels = geometry.height, geometry.width, geometry.channels
    same = np.zeros_like(sigma)
    groups = [range(channels)] if noise.shared_channels else [[c] for c in range(channels)]
    for top in range(0, height, noise.patch):
        for left in range(0, width, noise.patch):
            spatial = [
                row * width + column
                for row in range(top, min(top + noise.patch, height))
                for column in range(left, min(left + noise.patch, width))
            ]
            for group in groups:
                pixels = [c * height * width + p for c in group for p in spatial]
                same[np.ix_(pixels, pixels)] = 1.0
    keep = 1.0 - noise.ratio
    return keep**2 * sigma + noise.ratio * keep * sigma * same


def job_direct(case: str, scratch: Path, samples: int, setting: str) -> dict:
    images, labels = load_case(case, samples)
    geometry = ImageGeometry(*images.shape[1:])
    noise = SETTINGS[setting]
    start = time.perf_counter()
    x = flatten_channel_first(images).astype(np.float64)
    x -= x.mean(axis=0)
    x /= np.sqrt((x**2).mean())
    # The jitter as D extra rows √N·j·I (unlabelled): XᵀX gains N·j²·I, the expectation
    # of the authors' random jitter, which is what the pipeline uses; same data for both.
    x = np.vstack([x, np.sqrt(len(x)) * PREPROCESSING.jitter * np.eye(x.shape[1])])
    y = np.zeros((len(x), 10))
    y[np.arange(len(labels)), labels] = 1.0
    sigma = x.T @ x  # recomputed per setting, from the N×D data
    if isinstance(noise, Masking):
        g = masking_second_moment(sigma, noise, geometry)
    else:
        g = noise.mean_scale**2 * (sigma + noise.excess_second_moment(sigma, len(labels), geometry))
    _, basis = scipy.linalg.eigh(noise.mean_scale**2 * sigma @ sigma, g)
    q, _ = np.linalg.qr(x @ basis[:, ::-1])  # N×D representation and its QR
    numerators = y.sum(axis=0) @ (y.T @ q) ** 2
    return {
        "seconds": time.perf_counter() - start,
        "curve": (np.cumsum(numerators) / numerators.sum()).tolist(),
    }


JOBS = {"spectrum": job_spectrum, "pipeline": job_pipeline, "direct": job_direct}


def child(kind: str, case: str, scratch: str, samples: str, setting: str | None) -> None:
    args = (case, Path(scratch), int(samples)) + ((setting,) if setting else ())
    result = JOBS[kind](*args)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.setdefault("cpu_s", usage.ru_utime + usage.ru_stime)
    result.setdefault("max_rss_mb", usage.ru_maxrss / 1024)
    print(json.dumps(result))


def measure(kind: str, case: str, scratch: Path, samples: int, setting: str | None = None) -> dict:
    command = [sys.executable, __file__, "--child", kind, case, str(scratch), str(samples)]
    output = subprocess.run(
        command + ([setting] if setting else []), check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


COSTS = Path(__file__).with_name("closed_form_costs.json")


def record(costs: dict, stage: str, d: int, wall: float, job: dict) -> None:
    costs.setdefault(stage, {})[str(d)] = {
        "cpu_seconds": round(job["cpu_s"], 1),
        "wall_seconds": round(wall, 1),
        "peak_rss_mb": round(job["max_rss_mb"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--case", nargs="+", default=["photos32", "photos64"], choices=list(CASES))
    parser.add_argument("--scratch", type=Path, help="keep spectra here (default: a temp dir)")
    parser.add_argument("--json", type=Path, default=COSTS, help="costs file to merge into")
    parser.add_argument(
        "--settings", nargs="+", default=["masking_p2_r0.55", "gaussian_s1"], choices=SETTINGS
    )
    parser.add_argument("--no-direct", action="store_true", help="skip the authors' algorithm")
    parser.add_argument("--samples", type=int, default=0, help="N (default: the case's own)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child[:4], args.child[4] if len(args.child) > 4 else None)
    print("| case | N | D | job | wall (s) | CPU (s) | peak RSS (MB) | notes |")
    print("|---|---|---|---|---|---|---|---|")
    costs = json.loads(args.json.read_text()) if args.json.is_file() else {}
    with tempfile.TemporaryDirectory() as temporary:
        scratch = args.scratch or Path(temporary)
        scratch.mkdir(parents=True, exist_ok=True)
        for case in args.case:
            if case == "fashion_mnist" and not FASHION.is_dir():
                print(f"| {case} | skipped: apt-get install dataset-fashion-mnist |")
                continue
            n, side = CASES[case]
            n = args.samples or n
            d = side * side * (1 if case == "fashion_mnist" else 3)
            spec = measure("spectrum", case, scratch, args.samples)
            reused = " (measured by an earlier run, reused)" if spec.get("reused") else ""
            print(
                f"| {case} | {n} | {d} | spectrum (once) | {spec['pass_s'] + spec['eigh_s']:.1f} "
                f"| {spec['cpu_s']:.1f} | {spec['max_rss_mb']:.0f} | pass {spec['pass_s']:.1f} s, "
                f"eigh {spec['eigh_s']:.1f} s, rank {spec['rank']}{reused} |",
                flush=True,
            )
            record(costs, "spectrum", d, spec["pass_s"] + spec["eigh_s"], spec)
            for index, setting in enumerate(args.settings):
                pipe = measure("pipeline", case, Path(scratch), args.samples, setting)
                if index == 0:
                    record(costs, "denoising", d, pipe["seconds"], pipe)
                    args.json.write_text(json.dumps(costs, indent=2, sort_keys=True) + "\n")
                print(
                    f"| {case} | {n} | {d} | pipeline {setting} | {pipe['seconds']:.1f} "
                    f"| {pipe['cpu_s']:.1f} | {pipe['max_rss_mb']:.0f} | certified bound "
                    f"{pipe['bound']:.1e}, max abs change {pipe['max_abs_change']:.1e} |",
                    flush=True,
                )
                if args.no_direct or case == "photos64" or index > 0:  # direct: first only
                    continue
                direct = measure("direct", case, scratch, args.samples, setting)
                gap = np.abs(
                    np.array(pipe["curve"]) - np.array(direct["curve"][: len(pipe["curve"])])
                )
                print(
                    f"| {case} | {n} | {d} | direct {setting} | {direct['seconds']:.1f} "
                    f"| {direct['cpu_s']:.1f} | {direct['max_rss_mb']:.0f} | "
                    f"{direct['seconds'] / pipe['seconds']:.1f}x wall, "
                    f"{direct['cpu_s'] / pipe['cpu_s']:.1f}x CPU; max |Δ curve| {gap.max():.1e}, "
                    f"K ≤ D/2: {gap[: d // 2].max():.1e} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
