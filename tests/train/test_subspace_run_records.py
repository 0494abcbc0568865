"""One headline-experiment run (`run_subspace_training`) against independent oracles.

The run trains on a real dataset directory and spectrum; its returned network is then
re-evaluated in plain torch, in eval mode, on the projected *test* images with the
dataset's own test labels, and the summary must carry exactly that accuracy as its
final one (the metrics' last row), the best over the rows as its best, and sizes,
dimensions and settings that match the run's inputs. The dataset's test labels are
shifted against its training labels (the model cannot fit them), and it names one more
class than its labels use, so the loss must be taken over every named class.
"""

import copy

import numpy as np
import pytest
import torch
from lbr.data.format import ImageDataset, read_dataset, write_dataset
from lbr.models.resnet9 import AUTHORS_WIDTHS
from lbr.spectral.cache import compute_spectrum, read_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing
from lbr.train.projection import projected_splits
from lbr.train.subspace_run import SubspaceRun, run_subspace_training, subspace_settings
from support import gamma

U = 2.0**-24
SIDE = 8
TRAIN_N, TEST_N, BATCH, EVAL_BATCH, EPOCHS = 60, 37, 16, 16, 4
CLASSES = ["zero", "one", "two", "never used"]  # labels use 0..2: K = 4, not 3
K = len(CLASSES)
TRAINING = {
    "epochs": EPOCHS,
    "batch_size": BATCH,
    "eval_batch_size": EVAL_BATCH,
    "learning_rate": 1e-2,
    "weight_decay": 1e-3,
    "loss": "mse",
}
MODEL = {"widths": list(AUTHORS_WIDTHS), "width_multiplier": 1 / 16}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _images(rng, labels):
    """Class c: a bright bar in row band c, on noise; every image distinct."""
    images = rng.integers(0, 120, (len(labels), SIDE, SIDE, 1)).astype(np.uint8)
    for i, c in enumerate(labels):
        images[i, 2 * c + 1 : 2 * c + 3, :, 0] += 120
    return images


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("subspace-run")
    rng = np.random.default_rng(0)
    train_y = np.arange(TRAIN_N) % 3
    rule = rng.integers(0, 3, TEST_N)
    test_y = (rule + 1) % 3  # the test images show class `rule`, labelled another
    dataset = ImageDataset(_images(rng, train_y), train_y, _images(rng, rule), test_y, CLASSES)
    write_dataset(root / "dataset", dataset, {"name": "bars"})
    prep = Preprocessing(per_image_std=True, center=True, global_std=False, jitter=0.0)
    spectrum = compute_spectrum(root / "dataset", prep, 64, 1e-10, "cpu")
    write_spectrum(root / "spectrum", spectrum)
    return root, dataset


@pytest.fixture(scope="module", params=[("top", 0.5, False, 0), ("bottom", 0.3, True, 1)])
def run(request, dirs):
    root, dataset = dirs
    side, fraction, augment, seed = request.param
    record = {}
    settings = subspace_settings(dict(TRAINING), dict(MODEL), augment, seed)
    run = SubspaceRun(
        str(root / "dataset"), str(root / "spectrum"), side, fraction, settings, "cpu"
    )
    metrics, summary, network = run_subspace_training(run, record=record)
    splits, info = projected_splits(
        read_dataset(root / "dataset"), read_spectrum(root / "spectrum"), side, fraction
    )
    test_x = torch.from_numpy(splits["test"]).reshape(-1, 1, SIDE, SIDE)
    train_x = torch.from_numpy(splits["train"]).reshape(-1, 1, SIDE, SIDE)
    return dict(
        metrics=metrics,
        summary=summary,
        network=network,
        info=info,
        test_x=test_x,
        train_x=train_x,
        dataset=dataset,
        args=request.param,
        record=record,
    )


def _standardize_rows(flat):
    """Each image divided by its own std (ddof 1, torch's default)."""
    return flat / flat.std(axis=1, ddof=1, keepdims=True)


def _numpy_projection(dataset, side, fraction):
    """The classification preprocessing and projection from the dataset alone (float64):
    per-image std, the *training* mean image removed, the eigenvectors of the *training*
    scatter matrix whose shares of its trace first reach `fraction` from the top or the
    bottom, per-image std again, the projected *training* mean removed."""
    flat = {s: dataset.split(s)[0].reshape(len(dataset.split(s)[0]), -1) for s in ("train", "test")}
    z = {s: _standardize_rows(f.astype(np.float64)) for s, f in flat.items()}
    mean = z["train"].mean(axis=0)
    centred = z["train"] - mean
    values, vectors = np.linalg.eigh(centred.T @ centred)
    values, vectors = values[::-1], vectors[:, ::-1]
    total = values.sum()
    kept = values > 1e-10 * values[0]
    values, vectors = values[kept], vectors[:, kept]
    shares = values / total
    # fraction − 1e-12: lbr.spectral.subspace's own slack, so that a share equal to the
    # fraction up to rounding is counted as reaching it
    if side == "top":
        count = int(np.argmax(np.cumsum(shares) >= fraction - 1e-12)) + 1
        indices = np.arange(count)
    else:
        count = int(np.argmax(np.cumsum(shares[::-1]) >= fraction - 1e-12)) + 1
        indices = np.arange(len(values) - count, len(values))
    # the subspace's edge is not inside a cluster of equal eigenvalues: its projector is
    # defined to ~ε·λ_max/gap whichever solver computed the eigenvectors
    edges = [i for i in (indices[0] - 1, indices[-1] + 1) if 0 <= i < len(values)]
    for i in edges:
        j = indices[0] if i < indices[0] else indices[-1]
        assert abs(values[i] - values[j]) > 1e-6 * values[0]
    basis = vectors[:, indices]
    projected = {s: _standardize_rows((v - mean) @ basis @ basis.T) for s, v in z.items()}
    train_mean = projected["train"].mean(axis=0)
    out = {s: v - train_mean for s, v in projected.items()}
    return out, projected, len(indices), shares[indices].sum()


def test_the_run_trains_and_tests_on_the_training_fitted_projection(dirs, run):
    """The arrays the run is fed (projected_splits of its dataset and spectrum) are the
    numpy projection fitted on the training split alone. Bound per value: float32
    storage of the projected value a (u·|a|), the float32 mean of 60 of them
    (60·u·mean|a|), the subtraction (u·|out|), and 1e-9·max|a| for two eigensolvers."""
    _, dataset = dirs
    side, fraction, _, _ = run["args"]
    expected, projected, dimensions, share = _numpy_projection(dataset, side, fraction)
    assert run["summary"]["dimensions"] == dimensions
    # Weyl: Σ's rounding (entries within γ_{N+4D}|Z|ᵀ|Z|, so ‖ΔΣ‖₂ ≤ γ_{N+4D}·trace) and a
    # backward-stable eigensolver (γ_{D²}‖Σ‖) move each eigenvalue of either computation
    # by δ ≤ (γ_{N+4D} + γ_{D²})·trace: a share of k of them over a D-term total by
    # (k + D)·δ/trace, twice (the next eigenvalue kept or dropped moves it by ~1/D)
    d = SIDE * SIDE
    weyl = 2 * (dimensions + d) * (gamma(TRAIN_N + 4 * d) + gamma(d * d))
    assert run["summary"]["variance_fraction"] == pytest.approx(share, rel=0, abs=weyl)
    scale = np.abs(projected["train"]).mean(axis=0)
    for split in ("train", "test"):
        got = run[f"{split}_x"].reshape(len(expected[split]), -1).numpy().astype(np.float64)
        a = projected[split]
        bound = U * (np.abs(a) + TRAIN_N * scale + np.abs(expected[split])) + 1e-9 * np.abs(a).max()
        assert (np.abs(got - expected[split]) <= bound).all(), split
    # the test split keeps its own offset: only the training mean was removed from it
    assert np.abs(expected["test"].mean(axis=0)).max() > 100 * bound.max()


def _eval_logits(network, images):
    model = copy.deepcopy(network).eval()
    with torch.no_grad():
        return torch.cat(
            [
                model(images[s : s + EVAL_BATCH].contiguous(memory_format=torch.channels_last))
                for s in range(0, len(images), EVAL_BATCH)
            ]
        ).numpy()


def _mse(logits, labels):
    """float64 mean over images of the MSE against one-hot targets over all K classes,
    and its float32 rounding bound (batch means of EVAL_BATCH·K non-negative terms)."""
    d = logits.astype(np.float64) - np.eye(K)[labels]
    value = (d**2).mean()
    return value, (EVAL_BATCH * K + 3) * U * value


def test_final_accuracy_is_the_returned_model_on_the_test_split(run):
    test_y = run["dataset"].test_labels
    logits = _eval_logits(run["network"], run["test_x"])
    accuracy = (logits.argmax(1) == test_y).sum() / TEST_N
    summary, metrics = run["summary"], run["metrics"]
    assert summary["final_test_accuracy"] == accuracy
    assert metrics["test_accuracy"].iloc[-1] == accuracy
    np.testing.assert_array_equal(run["record"]["test_correct"], logits.argmax(1) == test_y)
    loss, bound = _mse(logits, test_y)
    assert abs(metrics["test_loss"].iloc[-1] - loss) <= bound
    # What that check tells apart: the training split, the test images without their
    # labels' shift, and a 3-class one-hot each give another loss.
    on_train = _mse(_eval_logits(run["network"], run["train_x"]), run["dataset"].train_labels)
    assert abs(on_train[0] - loss) > 100 * bound
    assert abs(_mse(logits, (test_y + 2) % 3)[0] - loss) > 100 * bound
    three = ((logits[:, :3].astype(np.float64) - np.eye(3)[test_y]) ** 2).mean()
    assert abs(three - loss) > 100 * bound


def test_summary_is_the_last_row_and_the_best_is_the_maximum(run):
    summary, metrics = run["summary"], run["metrics"]
    assert metrics["epoch"].tolist() == list(range(1, EPOCHS + 1))
    assert summary["final_test_accuracy"] == metrics["test_accuracy"].iloc[-1]
    assert summary["best_test_accuracy"] == metrics["test_accuracy"].max()
    assert summary["final_train_loss"] == metrics["train_loss"].iloc[-1]
    # two means of the same EPOCHS − 1 positive numbers, in any order: γ_EPOCHS each
    assert summary["mean_images_per_second"] == pytest.approx(
        metrics["images_per_second"].iloc[1:].mean(), rel=2 * gamma(EPOCHS)
    )
    # The rows differ from epoch to epoch, so the last row is not the first or another,
    # and the best accuracy is not the last one (the test labels are shifted: learning
    # the training split costs test accuracy).
    assert metrics["train_loss"].nunique() == EPOCHS
    assert metrics["test_loss"].nunique() == EPOCHS
    assert metrics["test_accuracy"].iloc[-1] < metrics["test_accuracy"].max()
    # every accuracy is a count over the 37 test images
    counts = metrics["test_accuracy"] * TEST_N
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-9)


def test_summary_records_the_runs_inputs(run):
    summary, info, network = run["summary"], run["info"], run["network"]
    side, fraction, augment, seed = run["args"]
    assert summary["train_size"] == TRAIN_N and summary["test_size"] == TEST_N
    for key in ("side", "target_fraction", "dimensions", "variance_fraction", "rank"):
        assert summary[key] == info[key], key
    assert summary["side"] == side and summary["target_fraction"] == fraction
    assert summary["augment"] is augment and summary["seed"] == seed
    assert summary["settings"]["augment"] is augment and summary["settings"]["seed"] == seed
    for key, value in TRAINING.items():
        assert summary["settings"][key] == value, key
    assert summary["settings"]["widths"] == MODEL["widths"]
    assert summary["settings"]["architecture"] == "resnet9"  # the default: MODEL names none
    assert summary["parameters"] == sum(p.numel() for p in network.parameters())
    assert summary["device"] == "cpu"
    # BatchNorm counted exactly the training steps: every epoch's batches.
    tracked = [b for n, b in network.named_buffers() if n.endswith("num_batches_tracked")]
    assert tracked and all(b.item() == EPOCHS * 4 for b in tracked)  # 4 = ceil(60 / 16)
