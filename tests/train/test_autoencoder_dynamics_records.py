"""The R2 measurement (`learning_dynamics`) against independent oracles: global hooks
capture the model and the images of every recorded snapshot (no change to the code
under test), and each row of the directions table must be that snapshot's batch-
statistics reconstruction error along each eigenvector, on a fixed subset of the
*training* images, at the step the row names (log-spaced marks computed by hand)."""

import copy

import numpy as np
import pytest
import torch
import torch.optim.optimizer as optimizer_module
from lbr.data.embedded import load_digits_dataset
from lbr.data.format import ImageDataset, read_dataset, write_dataset
from lbr.models.autoencoders import Autoencoder
from lbr.spectral.cache import compute_spectrum, read_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing
from lbr.train.autoencoder import AutoencoderSettings, DynamicsSettings, learning_dynamics
from lbr.train.autoencoder_claims import SIGNAL_RTOL
from lbr.train.projection import preprocessed_split

U = 2.0**-24
TRAIN_N, TEST_N, BATCH, EPOCHS = 64, 30, 24, 2  # ceil(64 / 24) = 3 steps per epoch
# 6 steps, 4 snapshots: round(logspace(0, log10 6, 4)) = round(1, 1.82, 3.30, 6), and 0
STEPS = [0, 1, 2, 3, 6]
D = 64


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("dynamics")
    full = load_digits_dataset(0.2, seed=1)
    small = ImageDataset(
        full.train_images[:TRAIN_N],
        full.train_labels[:TRAIN_N],
        full.test_images[:TEST_N],
        full.test_labels[:TEST_N],
        full.class_names,
    )
    write_dataset(root / "data", small, {"name": "digits"})
    prep = Preprocessing(per_image_std=False, center=True, global_std=True, jitter=1e-3)
    write_spectrum(root / "spectrum", compute_spectrum(root / "data", prep, 64, 1e-10, "cpu"))
    return root


@pytest.fixture(scope="module", params=[1000, 20])  # every training image, or 20 of them
def dynamics(request, dirs):
    settings = AutoencoderSettings("conv", 4, 4, EPOCHS, BATCH, 1e-2, 0.0, seed=0)
    sampling = DynamicsSettings(snapshots=4, subset=request.param, band_edges=(1, 5, 17))
    seen = {"model": None, "records": [], "after_step": {}, "steps": 0, "moved": []}

    def pre_hook(module, args):
        if isinstance(module, Autoencoder):
            seen["model"] = module
            if not torch.is_grad_enabled():  # a snapshot, not a training step
                state = copy.deepcopy(module.state_dict())
                seen["records"].append((args[0].detach().clone(), state))

    def post_hook(module, args, output):
        if isinstance(module, Autoencoder) and not torch.is_grad_enabled():
            # running means and variances; BatchNorm's num_batches_tracked counter still
            # counts the snapshot's batch (read only when momentum is None, never here)
            before, after = seen["records"][-1][1], module.state_dict()
            seen["moved"] += [
                k
                for k in after
                if not k.endswith("num_batches_tracked") and not torch.equal(before[k], after[k])
            ]

    def step_hook(optimizer, args, kwargs):
        seen["steps"] += 1
        seen["after_step"][seen["steps"]] = copy.deepcopy(seen["model"].state_dict())

    handles = [
        torch.nn.modules.module.register_module_forward_pre_hook(pre_hook),
        torch.nn.modules.module.register_module_forward_hook(post_hook),
        optimizer_module.register_optimizer_step_post_hook(step_hook),
    ]
    try:
        directions, bands, summary = learning_dynamics(
            str(dirs / "data"), str(dirs / "spectrum"), settings, sampling, "cpu"
        )
    finally:
        for handle in handles:
            handle.remove()
    dataset, spectrum = read_dataset(dirs / "data"), read_spectrum(dirs / "spectrum")
    splits = {s: preprocessed_split(dataset, spectrum, s) for s in ("train", "test")}
    return dict(
        directions=directions,
        summary=summary,
        seen=seen,
        splits=splits,
        spectrum=spectrum,
        subset=request.param,
    )


def _rows(table):
    return {tuple(r) for r in np.asarray(table, dtype=np.float32)}


def test_snapshots_are_at_the_hand_computed_steps(dynamics):
    directions, seen = dynamics["directions"], dynamics["seen"]
    assert sorted(directions["step"].unique().tolist()) == STEPS
    assert len(seen["records"]) == len(STEPS) and seen["steps"] == EPOCHS * 3
    assert not seen["moved"], "a snapshot moved the model's state (running statistics)"
    # the state each snapshot saw is the model after that many optimizer steps
    for step, (_, state) in zip(STEPS[1:], seen["records"][1:]):
        after = seen["after_step"][step]
        assert all(torch.equal(state[k], after[k]) for k in after), step


def test_the_probe_subset_is_fixed_and_drawn_from_the_training_split(dynamics):
    seen, splits = dynamics["seen"], dynamics["splits"]
    first = seen["records"][0][0]
    count = min(dynamics["subset"], TRAIN_N)
    assert first.shape == (count, 1, 8, 8)
    probe = _rows(first.reshape(count, -1).numpy())
    assert len(probe) == count  # distinct images
    assert probe <= _rows(splits["train"])
    assert not probe & _rows(splits["test"])
    for x, _ in seen["records"][1:]:
        assert torch.equal(x, first)


def _along(vectors, basis):
    """Mean over images of (u_kᵀv)² (float64), and a float32 bound: each projection sums
    D + 1 rounded products (the basis cast to float32 included), its square doubles the
    relative error, the mean of n squares adds n·u."""
    v = vectors.astype(np.float64)
    p = v @ basis
    error = (D + 1) * U * (np.abs(v) @ np.abs(basis))
    value = (p**2).mean(axis=0)
    return value, (2 * np.abs(p) * error).mean(axis=0) + (len(v) + 2) * U * value


def test_each_row_is_its_snapshots_error_along_each_kept_direction(dynamics):
    directions, seen, spectrum = dynamics["directions"], dynamics["seen"], dynamics["spectrum"]
    probe_x = seen["records"][0][0]
    flat = probe_x.reshape(len(probe_x), -1).numpy()
    vectors = spectrum.eigen.eigenvectors
    energy, energy_bound = _along(flat, vectors)
    keep = energy >= SIGNAL_RTOL * energy.max()
    assert (~keep).sum() > 0  # digits' constant border pixels: jitter-only directions
    assert dynamics["summary"]["directions_left_out"] == (~keep).sum()
    model = seen["model"]
    for step, (x, state) in zip(STEPS, seen["records"]):
        rows = directions[directions["step"] == step]
        assert rows["k"].tolist() == (np.flatnonzero(keep) + 1).tolist()
        np.testing.assert_array_equal(rows["eigenvalue"], spectrum.eigen.eigenvalues[keep])
        assert (np.abs(rows["energy"].to_numpy() - energy[keep]) <= energy_bound[keep]).all()
        twin = copy.deepcopy(model)
        twin.load_state_dict(state)
        twin.train()  # batch statistics, as the snapshot takes them
        with torch.no_grad():
            residual = (twin(x)[0].float() - x).reshape(len(x), -1).numpy()
        error, bound = _along(residual, vectors[:, keep])
        assert (np.abs(rows["error"].to_numpy() - error) <= bound).all(), step
    # what the check tells apart: the running statistics (eval mode) give other errors
    twin = copy.deepcopy(model)
    twin.load_state_dict(seen["records"][-1][1])
    twin.eval()
    with torch.no_grad():
        residual = (twin(probe_x)[0] - probe_x).reshape(len(probe_x), -1).numpy()
    eval_error, _ = _along(residual, vectors[:, keep])
    last = directions[directions["step"] == STEPS[-1]]["error"].to_numpy()
    assert np.abs(eval_error - last).max() > 100 * bound.max()


def test_the_probe_subset_is_the_seeds_draw_without_replacement(dynamics):
    """The images are numpy's draw from the run's seed (0), sorted: a subset not drawn
    from the seed would differ between two runs of the same config."""
    count = min(dynamics["subset"], TRAIN_N)
    drawn = np.sort(np.random.default_rng(0).choice(TRAIN_N, count, replace=False))
    expected = dynamics["splits"]["train"][drawn]
    first = dynamics["seen"]["records"][0][0].reshape(count, -1).numpy()
    np.testing.assert_array_equal(first, expected.reshape(count, -1))


def test_the_summary_names_the_models_size(dynamics):
    summary, model = dynamics["summary"], dynamics["seen"]["model"]
    assert summary["latent"] == 4 and summary["width"] == 4
    assert summary["parameters"] == sum(p.numel() for p in model.parameters())
