"""Shared by test modules: the repository root and the smallest valid dataset."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def small_image_dataset():
    """20 train and 6 test random 4×4×1 images in two classes: the smallest valid dataset."""
    import numpy as np
    from lbr.data.format import ImageDataset

    rng = np.random.default_rng(0)
    return ImageDataset(
        rng.integers(0, 256, (20, 4, 4, 1), dtype=np.uint8),
        np.arange(20) % 2,
        rng.integers(0, 256, (6, 4, 4, 1), dtype=np.uint8),
        np.arange(6) % 2,
        class_names=["a", "b"],
    )


WORKFLOW = REPO / "tests" / "workflow"
TINY = WORKFLOW / "configs" / "tiny.yaml"  # the end-to-end tests' small config

# fixture -> the xdist group of every test that uses it (tests/workflow/conftest.py): the
# SLURM tests run on one worker, because their module-scoped `cluster` fixture starts the
# one cluster the machine can hold.
SHARED_FIXTURE_GROUPS = {"cluster": "cluster"}

# Tests (file, or file::name prefix) that take minutes: started first, longest first;
# except that the tiny run (made by the first test that needs it) is started second, by
# the worker beside the SLURM tests, which would otherwise make it themselves in series.
LONGEST_FIRST = (
    "tests/workflow/test_cluster.py",
    "tests/workflow/test_pipeline.py::test_end_to_end_outputs",
    "tests/train/test_runtime.py::test_every_autoencoder_with_every_switch_on[resnet34]",
    "tests/train/test_runtime.py::test_classifier_with_every_switch_on",
    "tests/workflow/test_pipeline.py::test_a_job_killed_hard",
    "tests/train/test_runtime.py",
)


def made_once(tmp_path_factory, config, name: str, make) -> Path:
    """make(directory) once per test run, in a directory shared by the xdist workers; a
    failure is recorded so that the other workers fail with it instead of retrying."""
    if not hasattr(config, "workerinput"):  # no xdist: this process is the whole run
        directory = tmp_path_factory.mktemp(name)
        make(directory)
        return directory
    shared = tmp_path_factory.getbasetemp().parent  # the run's base, above each worker's
    directory, outcome = shared / name, shared / f"{name}.outcome.json"
    from filelock import FileLock  # a torch dependency

    with FileLock(str(shared / f"{name}.lock")):
        if not outcome.exists():
            directory.mkdir()
            try:
                make(directory)
            except BaseException as error:
                outcome.write_text(json.dumps({"error": f"{type(error).__name__}: {error}"}))
                raise
            outcome.write_text(json.dumps({"error": None}))
    error = json.loads(outcome.read_text())["error"]
    if error:
        import pytest

        pytest.fail(f"{name} failed on another worker: {error}")
    return directory


# --- helpers shared by the tests of several library modules ------------------------------
# Each test file imports them under the private name its tests call them by.


def closed_form_geometry():
    """The 4×5×2 images of the closed-form tests (alignment, denoising, noise)."""
    from lbr.spectral.noise import ImageGeometry

    return ImageGeometry(height=4, width=5, channels=2)


def alignment_data(n=300, classes=3, balanced=False, seed=0):
    """Structured small images: class means plus correlated noise; X is D×N, centered."""
    import numpy as np

    rng = np.random.default_rng(seed)
    d = closed_form_geometry().dimension
    labels = np.arange(n) % classes if balanced else rng.integers(0, classes, n)
    mixing = rng.standard_normal((d, d)) * np.linspace(2.0, 0.05, d)
    x = mixing @ rng.standard_normal((d, n)) + 0.8 * rng.standard_normal((d, classes))[:, labels]
    x -= x.mean(axis=1, keepdims=True)
    return x, np.eye(classes)[labels].T


def alignment_spectrum(x, y):
    """Σ = XXᵀ, the class sums M = YXᵀ, the class counts and Σ's eigendecomposition."""
    from lbr.spectral.eigen import eigendecompose

    sigma = x @ x.T
    eigen = eigendecompose(sigma)
    return sigma, y @ x.T, y.sum(axis=1), eigen


def direct_alignment(x, y, basis):
    """The authors' algorithm: N×K representation, QR, then ‖YᵀY q_k‖² per direction."""
    import numpy as np

    q, _ = np.linalg.qr(x.T @ basis)
    yy = y.T @ y
    numerators = np.sum((yy @ q) ** 2, axis=0)
    return np.cumsum(numerators) / numerators.sum()


def householder_in_order(basis):
    """Householder QR with R's diagonal made positive: Q's columns span the leading columns."""
    import numpy as np

    q, r = np.linalg.qr(basis)
    return q * np.sign(np.diag(r))


def theorem1_setup(d=6, n=40, classes=3, seed=0):
    """X (D×N, graded scales), one-hot Y and XXᵀ's eigendecomposition for Theorem 1."""
    import numpy as np
    from lbr.spectral.eigen import eigendecompose

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((d, n)) * np.linspace(3, 0.3, d)[:, None]
    y = np.eye(classes)[rng.integers(0, classes, n)].T
    eigen = eigendecompose(x @ x.T)
    return x, y, eigen


def toy_spectrum(seed=0, d=5, n=40, classes=3):
    """Centered X (D×N), one-hot Y and their Spectrum (statistics, eigendecomposition, summary)."""
    import numpy as np
    from lbr.spectral.cache import Spectrum
    from lbr.spectral.eigen import eigendecompose
    from lbr.spectral.statistics import SpectralStatistics

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((d, n)) * np.linspace(2.0, 0.5, d)[:, None]
    x -= x.mean(axis=1, keepdims=True)
    labels = rng.integers(0, classes, n)
    y = np.eye(classes)[labels].T
    eigen = eigendecompose(x @ x.T)
    stats = SpectralStatistics(x @ x.T, y @ x.T, y.sum(axis=1).astype(int), np.zeros(d), 1.0)
    summary = {"image_shape": [1, d, 1], "num_samples": n}
    return x, y, Spectrum(stats, eigen, summary)


def download_and_decode(source, served_url, tmp_path, shape=None):
    """Download a (fake) remote source from `served_url`, decode it, check its split sizes."""
    from lbr.data.format import check_split_sizes

    source.download(tmp_path / "downloads", served_url)
    dataset = source.decode(tmp_path / "downloads", shape)
    check_split_sizes(dataset, source.split_sizes, source.name)
    return dataset


def digits_spectrum():
    """The digits (30% test) and the spectrum of the classification preprocessing."""
    import numpy as np
    from lbr.data.embedded import load_digits_dataset
    from lbr.spectral.cache import Spectrum
    from lbr.spectral.eigen import eigendecompose
    from lbr.spectral.statistics import Preprocessing, accumulate_statistics

    data = load_digits_dataset(0.3, seed=0)
    prep = Preprocessing(per_image_std=True, center=True, global_std=False, jitter=0.0)
    stats = accumulate_statistics(data.train_images, data.train_labels, 10, prep)
    eigen = eigendecompose(stats.covariance)
    summary = {
        "preprocessing": prep.as_dict(),
        "total_variance": float(np.trace(stats.covariance)),
        "image_shape": [8, 8, 1],
    }
    return data, Spectrum(stats, eigen, summary)


def tiny_classifier_run(seed=0, runtime=None, **changes):
    """A ResNet9 trained for 5 epochs on the digits' top-90% projection, on the CPU."""
    import torch
    from lbr.train.classifier import TrainSettings, as_device_tensors, train_classifier
    from lbr.train.projection import projected_splits
    from lbr.train.runtime import Runtime

    data, spectrum = digits_spectrum()
    splits, _ = projected_splits(data, spectrum, "top", 0.9)
    device = torch.device("cpu")
    train = as_device_tensors(splits["train"], data.train_labels, (8, 8, 1), device)
    test = as_device_tensors(splits["test"], data.test_labels, (8, 8, 1), device)
    settings = TrainSettings(
        **{
            "epochs": 5,
            "batch_size": 64,
            "augment": True,
            "seed": seed,
            "width_multiplier": 0.125,
            **changes,
        }
    )
    return train_classifier(*train, *test, 10, settings, runtime or Runtime(device))


R1_HEADLINE = {"top": 0.9, "bottom": 0.2}  # the headline fractions of the R1 tests


def r1_runs(accuracies):
    """Subspace-training runs: {dataset: (top accuracy, bottom accuracy)} at the headline
    fractions, unaugmented, plus augmented runs (ignored by R1) whose bottom side is better."""
    import pandas as pd

    rows = []
    for dataset, (top, bottom) in accuracies.items():
        for side, accuracy, variance in (("top", top, 0.9), ("bottom", bottom, 0.21)):
            fraction = R1_HEADLINE[side]
            for augment, shift in ((False, 0.0), (True, 0.3)):  # augmented runs are ignored
                rows.append(
                    dict(
                        dataset=dataset,
                        side=side,
                        fraction=fraction,
                        augment=augment,
                        seed=0,
                        variance_fraction=variance,
                        final_test_accuracy=accuracy + shift * (side == "bottom"),
                    )
                )
    return pd.DataFrame(rows)


def fake_remote_environment(served, sources):
    """Environment for a Snakemake run whose downloadable `sources` are the fake files
    in `served` (tests/workflow/remote_override/sitecustomize.py applies it in every process)."""
    import json
    import os

    overrides = {
        name: {"md5": {f.filename: f.md5 for f in s.files}, "split_sizes": s.split_sizes}
        for name, s in sources.items()
    }
    path = os.pathsep.join([str(WORKFLOW / "remote_override"), str(REPO / "workflow")])
    return dict(os.environ, LBR_TEST_REMOTES=json.dumps(overrides), PYTHONPATH=path)


def fashion_config(tmp_path, mirror):
    """The tiny config plus a downloadable dataset `fm` (Fashion-MNIST) and `mirror`."""
    import yaml

    config = yaml.safe_load(TINY.read_text())
    config["datasets"]["fm"] = {"source": "fashion_mnist"}
    config["download_mirror"] = mirror
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


# --- floating-point error bounds for test tolerances --------------------------------------
# A tolerance is either a bound the code guarantees (written with its dimension and EPS) or
# exact; a literal tighter than a bound tests the BLAS kernel, not the code.

EPS = 2.0**-52  # np.finfo(float).eps, float64 machine epsilon (unit roundoff is EPS / 2)


def gamma(n):
    """Higham's γ_n = nε/(1 − nε): the relative error bound of a sum or dot product of n
    terms in any summation order (any BLAS kernel, blocking or thread split), ε = EPS."""
    return n * EPS / (1 - n * EPS)


def householder_orthogonality(m, n):
    """Bound on ‖QᵀQ − I‖_F for Householder QR's explicit Q (m×n) plus the test's own QᵀQ
    product: √n·γ_{mn} (Higham, Accuracy and Stability, Thm 19.4 with c = 1) + γ_m."""
    return n**0.5 * gamma(m * n) + gamma(m)


def qr_q_bound(basis):
    """Bound on ‖Q̂ − Q‖_F for any column-wise backward-stable QR with R's diagonal positive
    (Householder, CholeskyQR2 on a well-conditioned A): a backward error γ_{mn}‖a_j‖ in
    each column (Higham Thm 19.4) moved to Q by √2·κ₂(A·D⁻¹), D the column norms (Sun's
    QR perturbation bound; QR is column-scaling invariant)."""
    import numpy as np

    m, n = basis.shape
    kappa = np.linalg.cond(basis / np.linalg.norm(basis, axis=0))
    return 2**0.5 * kappa * gamma(m * n)


def singular_vector_cosine_bound(s, eta, m):
    """Bound on 1 − |cos| between two computed singular vectors of one A (m rows), each SVD
    within a multiplicative perturbation of A with η summed over both: sin θ ≤ η/relgap
    (Eisenstat & Ipsen), 1 − cos θ ≤ sin²θ, plus the vectors' distance from unit norm (≤ η)
    and the m-term dot product's rounding γ_m. relgap_i = min_j |s_i − s_j|/(s_i + s_j)."""
    import numpy as np

    s = np.asarray(s, dtype=np.float64)
    relgap = np.abs(s[:, None] - s[None, :]) / (s[:, None] + s[None, :])
    np.fill_diagonal(relgap, np.inf)
    return (eta / relgap.min(axis=1)) ** 2 + eta + gamma(m)


def t_interval_bound(values):
    """Bound on |lbr.stats.t_interval − scipy's t.interval| at each end: both take the same
    n-term mean and sample sd/√n (the same numpy calls); each end is one product and one
    sum on each side (2u of |mean| + |half| each: γ₄ in all), and scipy may evaluate the
    lower quantile at 0.025 instead of negating the 0.975 one: no simple bound for its
    special function, 16ε of the half-width is generous for it."""
    import numpy as np
    from scipy.stats import t

    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    half = abs(t.ppf(0.975, n - 1)) * values.std(ddof=1) / np.sqrt(n)
    return gamma(4) * (abs(values.mean()) + half) + 16 * EPS * half


def drawn_error_bars(axis):
    """Each error bar a figure's axis draws: (x, low, high, line width), sorted, read from
    its errorbar collections."""
    import matplotlib.collections

    found = []
    for collection in axis.collections:
        if isinstance(collection, matplotlib.collections.LineCollection):
            width = collection.get_linewidth()[0]
            for (x0, low), (x1, high) in collection.get_segments():
                assert x0 == x1
                found.append((x0, low, high, width))
    return sorted(found)


def drawn_texts(figure) -> list[tuple[str, str, float]]:
    """Every piece of text a figure shows besides tick labels, as (where, text, size in
    points), in drawing order: 'suptitle', and per axes (numbered in figure.axes order, its
    subfigures' axes included) 'title', 'xlabel', 'ylabel', 'text' (texts, annotations and
    bar labels), 'legend' entries and 'legend title'; a figure legend's as 'figure legend'.
    Empty texts are left out."""
    found = []

    def add(where, text):
        if text is not None and text.get_text():
            found.append((where, text.get_text(), text.get_fontsize()))

    def legend(where, box):
        if box is not None:
            add(f"{where} title", box.get_title())
            for entry in box.get_texts():
                add(where, entry)

    figures = [figure]
    while figures:  # the figure and its subfigures, breadth first
        current = figures.pop(0)
        add("suptitle", current._suptitle)
        for box in current.legends:
            legend("figure legend", box)
        figures.extend(current.subfigs)
    for number, axis in enumerate(figure.axes):
        add(f"{number} title", axis.title)
        add(f"{number} xlabel", axis.xaxis.label)
        add(f"{number} ylabel", axis.yaxis.label)
        for text in axis.texts:
            add(f"{number} text", text)
        legend(f"{number} legend", axis.get_legend())
    return found


def drawn_grid(axis) -> tuple[bool, float | None]:
    """Whether an axis draws grid lines, and their alpha."""
    lines = axis.xaxis.get_gridlines() + axis.yaxis.get_gridlines()
    shown = [line for line in lines if line.get_visible()]
    return bool(shown), (shown[0].get_alpha() if shown else None)


def default_text_sizes() -> dict[str, float]:
    """Matplotlib's own sizes (points) of the texts a figure leaves unsized."""
    from matplotlib import font_manager, rcParams

    def size(key):
        return font_manager.FontProperties(size=rcParams[key]).get_size_in_points()

    return {
        "title": size("axes.titlesize"),
        "label": size("axes.labelsize"),
        "legend": size("legend.fontsize"),
        "suptitle": size("figure.titlesize"),
    }


def blas_threads() -> set[int]:
    """The thread counts of every BLAS library the process has loaded (threadpoolctl)."""
    from threadpoolctl import threadpool_info

    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def idx_directory(
    root: Path, train: list[int], test: list[int] | None = None, side: int = 2
) -> Path:
    """Four gzip IDX files in `root` (written over any already there), from the format's
    definition (not the pipeline's reader): side×side images 0, 1, 2, ... (mod 256) and
    the given labels (`test`: the train labels again when left out); gzip without a
    timestamp, so equal content is equal bytes."""
    import gzip
    import struct

    import numpy as np

    root.mkdir(parents=True, exist_ok=True)
    for prefix, labels in (("train", train), ("t10k", train if test is None else test)):
        pixels = len(labels) * side * side
        images = (np.arange(pixels) % 256).astype(np.uint8).reshape(len(labels), side, side)
        header = struct.pack(">IIII", 0x0803, len(labels), side, side)
        (root / f"{prefix}-images-idx3-ubyte.gz").write_bytes(
            gzip.compress(header + images.tobytes(), mtime=0)
        )
        header = struct.pack(">II", 0x0801, len(labels))
        (root / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(
            gzip.compress(header + bytes(labels), mtime=0)
        )
    return root


def axis_texts(texts: list[tuple[str, str, float]], number: int) -> list[tuple[str, str, float]]:
    """The entries of drawn_texts that belong to axes `number`, as (role, text, size)."""
    return [
        (where.split(" ", 1)[1], text, size)
        for where, text, size in texts
        if where.startswith(f"{number} ")
    ]
