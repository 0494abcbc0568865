"""The autoencoder's evaluation (R3): train/test reconstruction loss and the linear and
MLP probes on the frozen code, against independent oracles.

* Hand-built autoencoders (the project's Autoencoder class around layers whose weights
  are set by hand) with BatchNorm running statistics that no batch has: reconstructions
  and codes must be the eval-mode outputs, computed here in plain torch; the statistics
  must not move; the mode must be handed back.
* Probes on a one-dimensional code whose value is a chosen pixel: training codes
  ±1…±5 labelled by sign, test codes +3 and +5 labelled so that a probe that learned the
  sign scores exactly 5/7; evaluating on the training codes or any other denominator
  gives another number.
* Inside `_evaluate`, every probe's forwards captured by global hooks: each probe is
  trained on standardized training codes, evaluated on the test codes standardized by
  the *training* codes' mean and std, and reports the hand count of its own logits.
* `guided_autoencoder` end to end, with the model and its state after each epoch's last
  optimizer step captured by global hooks: every curve row and the final metrics must
  be that epoch's model re-evaluated in eval mode, on the right split.
"""

import copy
import types

import numpy as np
import pytest
import torch
import torch.optim.optimizer as optimizer_module
from lbr.data.embedded import load_digits_dataset
from lbr.data.format import ImageDataset, read_dataset, write_dataset
from lbr.models.autoencoders import Autoencoder
from lbr.spectral.cache import compute_spectrum, read_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing
from lbr.train.autoencoder import (
    AutoencoderSettings,
    ProbeSettings,
    _codes,
    _evaluate,
    _fit_probe,
    _reconstruct,
    guided_autoencoder,
)
from lbr.train.projection import preprocessed_split
from lbr.train.runtime import Runtime

U = 2.0**-24
CPU = torch.device("cpu")
SHAPE = (1, 3, 4)  # C, H, W: D = 12
D = 12


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _hand_autoencoder(latent=1, classes=2):
    """code = BN(x₀) (x₀ the first pixel; BN with running mean 2, var 9, affine 1.5, 0.25);
    reconstruction = BN'(W·code + b) reshaped, with running statistics of its own."""
    encoder = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(D, latent), torch.nn.BatchNorm1d(latent)
    )
    decoder = torch.nn.Sequential(
        torch.nn.Linear(latent, D), torch.nn.BatchNorm1d(D), torch.nn.Unflatten(1, SHAPE)
    )
    with torch.no_grad():
        encoder[1].weight.zero_()
        encoder[1].weight[:, 0] = 1.0
        encoder[1].bias.zero_()
        encoder[2].running_mean.fill_(2.0)
        encoder[2].running_var.fill_(9.0)
        encoder[2].weight.fill_(1.5)
        encoder[2].bias.fill_(0.25)
        decoder[0].weight.copy_(torch.linspace(-1, 1, D * latent).reshape(D, latent))
        decoder[0].bias.copy_(torch.linspace(0, 0.5, D))
        decoder[1].running_mean.copy_(torch.linspace(-0.5, 0.5, D))
        decoder[1].running_var.copy_(torch.linspace(0.5, 2.0, D))
    for norm in (encoder[2], decoder[1]):
        norm.num_batches_tracked.fill_(11)
    return Autoencoder(encoder, decoder, latent, classes, SHAPE)


def _images(first_pixel, rest):
    x = torch.full((len(first_pixel), *SHAPE), float(rest))
    x[:, 0, 0, 0] = torch.tensor(first_pixel, dtype=torch.float32)
    x[:, 0, 1:, 1:] += torch.linspace(-1, 1, len(first_pixel))[:, None, None]
    return x


def _eval_reconstruction(model, x, batch):
    """Plain torch: a copy in eval mode, the same chunks (so the same floats)."""
    twin = copy.deepcopy(model).eval()
    with torch.no_grad():
        return torch.cat([twin(x[s : s + batch])[0] for s in range(0, len(x), batch)])


def _eval_codes(model, x, batch):
    twin = copy.deepcopy(model).eval()
    with torch.no_grad():
        return torch.cat([twin.encode(x[s : s + batch]) for s in range(0, len(x), batch)])


class _ProbeWatch:
    """Global forward hooks (no change to the code under test): the autoencoder, and
    every outermost forward of another module (a probe): its module, input and output."""

    def __init__(self, autoencoder=None):
        self.autoencoder, self.depth, self.calls = autoencoder, 0, []

    def _pre(self, module, args):
        self.depth += 1

    def _post(self, module, args, output):
        self.depth -= 1
        if isinstance(module, Autoencoder) and self.autoencoder is None:
            self.autoencoder = module
        if self.depth or self.autoencoder is None:
            return
        if any(module is m for m in self.autoencoder.modules()):
            return
        self.calls.append(
            dict(module=module, x=args[0].detach().clone(), out=output.detach().clone())
        )

    def __enter__(self):
        self.handles = [
            torch.nn.modules.module.register_module_forward_pre_hook(self._pre),
            torch.nn.modules.module.register_module_forward_hook(self._post),
        ]
        return self

    def __exit__(self, *exc):
        for handle in self.handles:
            handle.remove()


def _standardized_codes(train_codes, test_codes):
    """(test − mean) / std with the *training* codes' mean and std (ddof 1), float64, and
    a bound for float32: the mean of n codes (n·u·mean|c|), the std (≈ (n + 4)·u
    relative) and two roundings."""
    train, test = train_codes.double(), test_codes.double()
    mean, std = train.mean(dim=0), train.std(dim=0).clamp_min(1e-6)
    n = len(train)
    value = (test - mean) / std
    bound = (n + 8) * U * ((test - mean).abs() + train.abs().mean(dim=0)) / std + U * value.abs()
    return value, bound


def _by_probe(calls):
    """The captured calls grouped per probe network, in the order the probes ran."""
    groups = []
    for call in calls:
        if not groups or groups[-1][0]["module"] is not call["module"]:
            groups.append([])
        groups[-1].append(call)
    return groups


def _check_probe_evaluations(probes, codes, test_y, result, hidden):
    """A linear then an MLP probe, each trained on standardized training codes only, then
    evaluated once (its last forward) on the test codes standardized by the *training*
    codes; each reports the share of its own logits' argmax that hits the test labels (a
    hand count over its captured logits)."""
    assert len(probes) == 2
    linear, mlp = probes[0][0]["module"], probes[1][0]["module"]
    assert isinstance(linear, torch.nn.Linear)
    assert isinstance(mlp, torch.nn.Sequential) and mlp[0].out_features == hidden
    expected, bound = _standardized_codes(codes["train"], codes["test"])
    train_expected, train_bound = _standardized_codes(codes["train"], codes["train"])
    for kind, calls in zip(("linear", "mlp"), probes):
        *training, evaluation = calls
        x = evaluation["x"].double()
        assert x.shape == expected.shape
        assert ((x - expected).abs() <= bound).all(), kind
        correct = (evaluation["out"].argmax(dim=1) == test_y).sum().item()
        assert result[f"{kind}_probe_accuracy"] == pytest.approx(correct / len(test_y), abs=1e-7)
        assert training
        for call in training:  # each row is some standardized training code
            gap = (call["x"].double()[:, None, :] - train_expected[None]).abs()
            assert (gap <= train_bound[None]).all(dim=2).any(dim=1).all(), kind


def _buffers(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("was_training", [True, False])
def test_reconstruct_and_codes_are_eval_mode_in_any_batch(was_training):
    model = _hand_autoencoder()
    model.train(was_training)
    before = _buffers(model)
    x = _images(np.linspace(-5, 5, 37), 0.3)  # 37 = 4·8 + 5
    for batch in (8, 1024):
        reconstruction = _reconstruct(model, x, Runtime(CPU, channels_last=False), batch=batch)
        assert torch.equal(reconstruction, _eval_reconstruction(model, x, batch))
        codes = _codes(model, x, batch=batch)
        assert torch.equal(codes, _eval_codes(model, x, batch))
        # code = 1.5·(x₀ − 2)/√(9 + eps) + 0.25, by hand (float32 rounding: a few u)
        by_hand = 1.5 * (x[:, 0, 0, 0].double() - 2) / np.sqrt(9 + 1e-5) + 0.25
        torch.testing.assert_close(codes[:, 0].double(), by_hand, rtol=8 * U, atol=8 * U * 5)
        assert model.training is was_training
        assert all(m.training is was_training for m in model.modules())
        after = model.state_dict()
        assert all(torch.equal(before[k], after[k]) for k in before)
    # what eval mode changes here: batch statistics would give other numbers
    twin = copy.deepcopy(model).train()
    with torch.no_grad():
        assert (twin(x)[0] - _eval_reconstruction(model, x, 1024)).abs().max() > 0.1


# ---- probes on a known one-dimensional code ----

TRAIN_CODES = np.repeat([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5], 4).astype(float)  # 40
TRAIN_LABELS = (TRAIN_CODES > 0).astype(np.int64)
TEST_CODES = np.array([3, 3, 3, 5, 5, 5, 5], dtype=float)
TEST_LABELS = np.array([1, 1, 0, 1, 1, 1, 0])  # a probe that learned the sign: 5 of 7
PROBE = ProbeSettings(
    epochs=25, batch_size=16, learning_rate=0.05, weight_decay=0.0, hidden=8, record_every=1
)


def _standardized(train, test):
    train, test = torch.tensor(train), torch.tensor(test)
    mean, std = train.mean(), train.std()
    return ((train - mean) / std).float()[:, None], ((test - mean) / std).float()[:, None]


@pytest.mark.parametrize("hidden", [0, PROBE.hidden])
def test_a_probe_scores_its_test_codes_by_hand_count(hidden):
    train_z, test_z = _standardized(TRAIN_CODES, TEST_CODES)
    accuracy = _fit_probe(
        train_z,
        torch.from_numpy(TRAIN_LABELS),
        test_z,
        torch.from_numpy(TEST_LABELS),
        2,
        hidden,
        PROBE,
        0,
        Runtime(CPU),
    )
    assert accuracy == pytest.approx(5 / 7, abs=1e-7)  # float32 mean of 7 terms


def test_a_probe_leaves_the_global_random_state_alone():
    train_z, test_z = _standardized(TRAIN_CODES, TEST_CODES)
    torch.manual_seed(123)
    state = torch.get_rng_state()
    args = (torch.from_numpy(TRAIN_LABELS), test_z, torch.from_numpy(TEST_LABELS), 2)
    first = _fit_probe(train_z, *args, 0, PROBE, 0, Runtime(CPU))
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(999)  # another global state: the probe is seeded by its own seed
    assert _fit_probe(train_z, *args, 0, PROBE, 0, Runtime(CPU)) == first


def test_evaluate_reports_each_split_in_eval_mode_and_probes_the_frozen_code():
    """Training images carry the training codes in their first pixel and 0.3 elsewhere,
    test images the test codes and 0.9: the splits' reconstruction losses differ, the
    codes pass through the encoder's BatchNorm (eval mode: an increasing affine map,
    which the standardization by the *training* codes undoes) and the probes must score
    5/7."""
    model = _hand_autoencoder()
    model.train()
    before = _buffers(model)
    data = types.SimpleNamespace(
        train_x=_images(TRAIN_CODES, 0.3),
        train_y=torch.from_numpy(TRAIN_LABELS),
        test_x=_images(TEST_CODES, 0.9),
        test_y=torch.from_numpy(TEST_LABELS),
        num_classes=2,
    )
    with _ProbeWatch(model) as watch:
        result = _evaluate(model, data, PROBE, 0, Runtime(CPU, channels_last=False))
    codes = {s: _eval_codes(model, getattr(data, f"{s}_x"), 1024) for s in ("train", "test")}
    _check_probe_evaluations(_by_probe(watch.calls), codes, data.test_y, result, PROBE.hidden)
    for split in ("train", "test"):
        x = getattr(data, f"{split}_x")
        error = (_eval_reconstruction(model, x, 1024).double() - x.double()) ** 2
        expected = error.mean().item()
        bound = (error.numel() + 3) * U * expected
        assert abs(result[f"{split}_reconstruction_loss"] - expected) <= bound, split
        with torch.no_grad():
            batch_mode = ((copy.deepcopy(model).train()(x)[0] - x) ** 2).double().mean().item()
        assert abs(batch_mode - expected) > 100 * bound  # the mode shows
    assert abs(result["train_reconstruction_loss"] - result["test_reconstruction_loss"]) > 0.1
    assert result["linear_probe_accuracy"] == pytest.approx(5 / 7, abs=1e-7)
    assert result["mlp_probe_accuracy"] == pytest.approx(5 / 7, abs=1e-7)
    assert model.training
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


# ---- guided_autoencoder end to end ----

TRAIN_N, TEST_N, AE_BATCH, AE_EPOCHS, RECORD_EVERY = 64, 30, 24, 3, 2  # 64 = 2·24 + 16


@pytest.fixture(scope="module")
def digits_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("guided")
    full = load_digits_dataset(0.2, seed=0)
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


@pytest.fixture(scope="module")
def guided(digits_dirs):
    root = digits_dirs
    settings = AutoencoderSettings(
        "conv", latent=6, width=4, epochs=AE_EPOCHS, batch_size=AE_BATCH,
        learning_rate=1e-2, weight_decay=0.0, guidance=0.5, seed=0,
    )  # fmt: skip
    probe = ProbeSettings(
        epochs=2, batch_size=32, learning_rate=1e-2, weight_decay=0.0, hidden=8,
        record_every=RECORD_EVERY,
    )  # fmt: skip
    seen = {"model": None, "snapshots": [], "steps": 0}
    steps_per_epoch = -(-TRAIN_N // AE_BATCH)

    def forward_hook(module, args, output):
        if isinstance(module, Autoencoder):
            seen["model"] = module

    def step_hook(optimizer, args, kwargs):
        model = seen["model"]
        if model is None or optimizer.param_groups[0]["params"][0] is not next(model.parameters()):
            return  # a probe's optimizer
        seen["steps"] += 1
        if seen["steps"] % steps_per_epoch == 0:
            seen["snapshots"].append(copy.deepcopy(model.state_dict()))

    handles = [
        torch.nn.modules.module.register_module_forward_hook(forward_hook),
        optimizer_module.register_optimizer_step_post_hook(step_hook),
    ]
    per_image = {}
    try:
        with _ProbeWatch() as watch:
            metrics, curves, shown = guided_autoencoder(
                str(root / "data"),
                str(root / "spectrum"),
                settings,
                probe,
                TEST_N,
                "cpu",
                per_image=per_image,
            )
    finally:
        for handle in handles:
            handle.remove()
    dataset, spectrum = read_dataset(root / "data"), read_spectrum(root / "spectrum")
    split = {
        s: torch.from_numpy(preprocessed_split(dataset, spectrum, s)).reshape(-1, 1, 8, 8)
        for s in ("train", "test")
    }
    return dict(
        metrics=metrics,
        curves=curves,
        shown=shown,
        seen=seen,
        split=split,
        settings=settings,
        probe=probe,
        watch=watch,
        per_image=per_image,
        test_y=torch.tensor(np.asarray(dataset.test_labels)),
    )


def _loss(model, x):
    """Eval-mode reconstruction MSE (float64 of float32 outputs) and its float32 bound."""
    reconstruction = _eval_reconstruction(
        model, x.contiguous(memory_format=torch.channels_last), 1024
    )
    error = (reconstruction.double() - x.double()) ** 2
    value = error.mean().item()
    return value, (error.numel() + 3) * U * value


def test_curves_are_every_kth_epoch_and_the_last(guided):
    assert guided["curves"]["epoch"].tolist() == [2, 3]
    assert guided["seen"]["steps"] == AE_EPOCHS * 3 and len(guided["seen"]["snapshots"]) == 3


def test_each_curve_row_is_its_epochs_model_on_each_split(guided):
    model, curves = guided["seen"]["model"], guided["curves"]
    for _, row in curves.iterrows():
        epoch = int(row["epoch"])
        twin = copy.deepcopy(model)
        twin.load_state_dict(guided["seen"]["snapshots"][epoch - 1])
        for split in ("train", "test"):
            expected, bound = _loss(twin, guided["split"][split])
            assert abs(row[f"{split}_reconstruction_loss"] - expected) <= bound, (epoch, split)
            other = "test" if split == "train" else "train"
            # the other split, and batch statistics, are further off than two bounds
            assert abs(_loss(twin, guided["split"][other])[0] - expected) > 3 * bound
            batch_mode = copy.deepcopy(twin).train()
            with torch.no_grad():
                x = guided["split"][split]
                wrong = ((batch_mode(x)[0] - x) ** 2).double().mean().item()
            assert abs(wrong - expected) > 3 * bound
        for probe in ("linear", "mlp"):
            count = row[f"{probe}_probe_accuracy"] * TEST_N
            assert abs(count - round(count)) < 1e-4  # a count over the 30 test images
    losses = curves["test_reconstruction_loss"].tolist()
    assert abs(losses[0] - losses[1]) > 3 * (TEST_N * 64 + 3) * U * losses[1]


def test_each_curve_rows_probes_read_that_epochs_codes(guided):
    """Per row, in order: a linear then an MLP probe, trained on the standardized codes
    of that epoch's model (eval mode) and scored against the dataset's own test labels."""
    probes = _by_probe(guided["watch"].calls)
    rows = [probes[i : i + 2] for i in range(0, len(probes), 2)]
    curves = guided["curves"]
    assert len(rows) == len(curves)
    model = guided["seen"]["model"]
    for (_, row), row_calls in zip(curves.iterrows(), rows):
        twin = copy.deepcopy(model)
        twin.load_state_dict(guided["seen"]["snapshots"][int(row["epoch"]) - 1])
        codes = {s: _eval_codes(twin, guided["split"][s], 1024) for s in ("train", "test")}
        result = {k: row[k] for k in ("linear_probe_accuracy", "mlp_probe_accuracy")}
        _check_probe_evaluations(row_calls, codes, guided["test_y"], result, guided["probe"].hidden)


def test_final_metrics_are_the_last_epoch_and_the_shown_images_are_the_test_split(guided):
    metrics, curves, shown = guided["metrics"], guided["curves"], guided["shown"]
    last = curves.iloc[-1]
    for key in (
        "train_reconstruction_loss",
        "test_reconstruction_loss",
        "linear_probe_accuracy",
        "mlp_probe_accuracy",
    ):
        assert metrics[key] == last[key], key
    assert metrics["final_train_objective"] == last["train_objective"]
    settings = guided["settings"]
    for key in ("arch", "latent", "width", "guidance"):
        assert metrics[key] == getattr(settings, key)
    assert metrics["parameters"] == sum(p.numel() for p in guided["seen"]["model"].parameters())
    test_x = guided["split"]["test"]
    assert shown.shape[0] == min(TEST_N, len(shown)) and shown.shape[1:] == (1, 8, 8)
    expected, bound = _loss(guided["seen"]["model"], test_x[: len(shown)])
    error = (torch.from_numpy(shown).double() - test_x[: len(shown)].double()) ** 2
    assert abs(error.mean().item() - expected) <= bound
    if len(shown) == TEST_N:
        assert abs(metrics["test_reconstruction_loss"] - error.mean().item()) <= bound


def test_the_per_image_record_is_the_final_evaluation(guided):
    """Per test image: each final probe's correctness (its captured logits against the
    dataset's test labels) and the final model's eval-mode reconstruction error (the
    mean over its D = 64 pixels: float32, (D + 3)·u relative)."""
    per_image, test_y = guided["per_image"], guided["test_y"]
    last_linear, last_mlp = _by_probe(guided["watch"].calls)[-2:]
    for kind, calls in (("linear", last_linear), ("mlp", last_mlp)):
        expected = (calls[-1]["out"].argmax(dim=1) == test_y).numpy()
        np.testing.assert_array_equal(per_image[f"{kind}_probe_correct"], expected)
    x = guided["split"]["test"]
    reconstruction = _eval_reconstruction(
        guided["seen"]["model"], x.contiguous(memory_format=torch.channels_last), 1024
    )
    error = ((reconstruction.double() - x.double()) ** 2).flatten(1).mean(dim=1).numpy()
    got = per_image["reconstruction_error"]
    assert got.shape == (TEST_N,)
    assert (np.abs(got - error) <= (64 + 3) * U * error).all()
    assert abs(got.mean() - guided["metrics"]["test_reconstruction_loss"]) <= 1e-4 * got.mean()
