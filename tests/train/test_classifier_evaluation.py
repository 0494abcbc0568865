"""The classifier's evaluation against independent oracles.

* `evaluate` on hand-made models whose logits are known exactly (the images *are* the
  logits), with an evaluation batch that does not divide the test set: the accuracy is a
  hand count, the loss a float64 per-image mean; a BatchNorm model whose running
  statistics differ from any batch's shows the mode, and its buffers must not move.
* `train_classifier` with every epoch's model captured after its last optimizer step
  (a global optimizer hook, no change to the code under test): each metrics row must be
  that model re-evaluated in plain torch, in eval mode, on the test tensors; each row's
  training loss must be the per-image mean of the losses of the forwards it ran.

Tolerances are float32 rounding bounds of the sums involved (u = 2⁻²⁴ per operation,
m·u for a sum of m non-negative terms), not values seen on one machine.
"""

import contextlib
import copy

import numpy as np
import pytest
import torch
import torch.optim.optimizer as optimizer_module
from lbr.models.resnet9 import ResNet9
from lbr.train.classifier import TrainSettings, as_device_tensors, evaluate, train_classifier
from lbr.train.runtime import Runtime
from support import gamma

U = 2.0**-24  # float32 unit roundoff
CPU = torch.device("cpu")
N_TEST, K = 37, 3  # 37 is prime: no evaluation batch below it divides it


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _onehot(labels, classes):
    return np.eye(classes)[labels]


def _mse_per_image(logits, labels, classes):
    """float64 per-image MSE against one-hot targets (the mean over the K outputs)."""
    return ((np.asarray(logits, np.float64) - _onehot(labels, classes)) ** 2).mean(axis=1)


def _ce_per_image(logits, labels):
    z = np.asarray(logits, np.float64)
    top = z.max(axis=1, keepdims=True)
    lse = (top + np.log(np.exp(z - top).sum(axis=1, keepdims=True)))[:, 0]
    return lse - z[np.arange(len(z)), labels], lse


def _mse_bound(logits, labels, classes, batch, value_error=0.0):
    """|float32 batched mean − float64 mean| for MSE: each difference d carries
    value_error·|z| + u·|d| (z the computed logit), so d² moves by 2|d|·that; each batch
    mean sums batch·K non-negative terms (≤ (batch·K + 1)·u relative)."""
    z = np.asarray(logits, np.float64)
    d = z - _onehot(labels, classes)
    per_element = 2 * np.abs(d) * (value_error * np.abs(z) + U * np.abs(d))
    return per_element.mean() + (batch * classes + 1) * U * (d**2).mean()


def _ce_bound(logits, labels, batch):
    """F.cross_entropy in float32: log-sum-exp of K terms (K + 2 roundings of the sum,
    relative, give that much absolute error after the log), the subtraction and the
    shift (2u of |lse| + |z_y|), then a mean of `batch` terms (batch·u of Σ|ℓ|); twice
    the first-order sum, for the second-order terms."""
    z = np.asarray(logits, np.float64)
    losses, lse = _ce_per_image(z, labels)
    per_image = (z.shape[1] + 2 + 2 * (np.abs(lse) + np.abs(z[np.arange(len(z)), labels]))) * U
    return 2 * (per_image.mean() + (batch + 1) * U * np.abs(losses).mean())


def _logit_images(logits):
    """N×K logits stored as N×1×1×K images: a Flatten model returns them exactly."""
    return torch.from_numpy(np.ascontiguousarray(logits, dtype=np.float32)).reshape(-1, 1, 1, K)


def _known_logits(seed=0):
    """Logits with a known, well separated argmax per image and labels that match it for
    exactly 23 of the 37 images."""
    rng = np.random.default_rng(seed)
    predicted = rng.integers(0, K, N_TEST)
    logits = rng.uniform(-1.0, 1.0, (N_TEST, K)).astype(np.float32)
    logits[np.arange(N_TEST), predicted] = 1.5 + rng.uniform(0, 1, N_TEST)  # margin ≥ 0.5
    labels = predicted.copy()
    wrong = rng.choice(N_TEST, N_TEST - 23, replace=False)
    labels[wrong] = (predicted[wrong] + rng.integers(1, K, len(wrong))) % K
    return logits, labels, predicted


@pytest.mark.parametrize("eval_batch_size", [8, 16, 37, 100])
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_evaluate_is_a_hand_count_and_a_per_image_mean(loss, eval_batch_size):
    logits, labels, predicted = _known_logits()
    assert (predicted == labels).sum() == 23  # the hand count
    model = torch.nn.Flatten()
    settings = TrainSettings(loss=loss, eval_batch_size=eval_batch_size)
    y = torch.from_numpy(labels)
    mean_loss, accuracy = evaluate(model, _logit_images(logits), y, settings, K, Runtime(CPU))
    assert accuracy == 23 / 37
    batch = min(eval_batch_size, N_TEST)
    if loss == "mse":
        expected = _mse_per_image(logits, labels, K).mean()
        bound = _mse_bound(logits, labels, K, batch)
    else:
        expected = _ce_per_image(logits, labels)[0].mean()
        bound = _ce_bound(logits, labels, batch)
    assert abs(mean_loss - expected) <= bound
    # The bound is far below what a mean of batch means would be off by.
    if eval_batch_size < N_TEST:
        per_image = (
            _mse_per_image(logits, labels, K) if loss == "mse" else _ce_per_image(logits, labels)[0]
        )
        starts = range(0, N_TEST, eval_batch_size)
        batch_means = np.mean([per_image[s : s + eval_batch_size].mean() for s in starts])
        assert abs(batch_means - expected) > 100 * bound


def test_evaluate_sees_every_image_once_whatever_the_batch():
    """Each image predicts a different class: only the exact set of images evaluated
    gives the count (the first, the last, a repeated or a skipped batch all change it)."""
    labels = np.array([0, 1, 2] * 12 + [1])  # 37
    for right in [np.arange(37) == 0, np.arange(37) == 36, np.arange(37) % 5 == 4]:
        predicted = np.where(right, labels, (labels + 1) % K)
        logits = _onehot(predicted, K).astype(np.float32)
        for batch in (1, 5, 8, 36):
            settings = TrainSettings(eval_batch_size=batch)
            _, accuracy = evaluate(
                torch.nn.Flatten(),
                _logit_images(logits),
                torch.from_numpy(labels),
                settings,
                K,
                Runtime(CPU),
            )
            assert accuracy == right.sum() / 37, (batch, right.sum())


def _batchnorm_model(running_mean, running_var):
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.BatchNorm1d(K))
    norm = model[1]
    norm.running_mean.copy_(torch.tensor(running_mean))
    norm.running_var.copy_(torch.tensor(running_var))
    norm.num_batches_tracked.fill_(7)
    with torch.no_grad():
        norm.weight.copy_(torch.tensor([1.0, 0.5, 2.0]))
        norm.bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
    return model


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_evaluate_runs_in_eval_mode_and_leaves_batchnorm_alone(loss):
    running_mean, running_var = [2.0, -1.0, 0.5], [0.25, 4.0, 1.0]
    model = _batchnorm_model(running_mean, running_var)
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (N_TEST, K)).astype(np.float32)
    labels = rng.integers(0, K, N_TEST)
    norm = model[1]
    weight, bias = norm.weight.detach().double().numpy(), norm.bias.detach().double().numpy()
    eps = norm.eps
    # Eval mode: running statistics; train mode: each batch's own (biased variance).
    z_eval = (x - np.array(running_mean)) / np.sqrt(np.array(running_var) + eps) * weight + bias
    batch = 8

    def batch_mode(start):
        part = x[start : start + batch].astype(np.float64)
        return (part - part.mean(0)) / np.sqrt(part.var(0) + eps) * weight + bias

    z_train = np.concatenate([batch_mode(s) for s in range(0, N_TEST, batch)])
    settings = TrainSettings(loss=loss, eval_batch_size=batch)
    mean_loss, accuracy = evaluate(
        model, _logit_images(x), torch.from_numpy(labels), settings, K, Runtime(CPU)
    )
    # Eval-mode logits (float32 BatchNorm: ≤ 6 roundings per value, relative).
    top2 = np.sort(z_eval, axis=1)[:, -2:]
    assert (top2[:, 1] - top2[:, 0]).min() > 1e-3  # no argmax within rounding of a tie
    assert accuracy == (z_eval.argmax(1) == labels).sum() / N_TEST
    assert (z_train.argmax(1) == labels).sum() != (z_eval.argmax(1) == labels).sum()
    if loss == "mse":
        expected = _mse_per_image(z_eval, labels, K).mean()
        bound = _mse_bound(z_eval, labels, K, batch, value_error=6 * U)
        wrong_mode = _mse_per_image(z_train, labels, K).mean()
    else:
        expected = _ce_per_image(z_eval, labels)[0].mean()
        bound = _ce_bound(z_eval, labels, batch) + 2 * 6 * U * np.abs(z_eval).max()
        wrong_mode = _ce_per_image(z_train, labels)[0].mean()
    assert abs(mean_loss - expected) <= bound
    assert abs(wrong_mode - expected) > 100 * bound
    # Evaluation hands the model back to training, its statistics untouched.
    assert model.training and all(m.training for m in model.modules())
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before), "evaluation moved a buffer"


def test_as_device_tensors_unflattens_channel_first():
    height, width, channels = 3, 2, 4  # non-square, several channels
    flat = np.arange(5 * channels * height * width, dtype=np.float64).reshape(5, -1) / 7
    labels = np.array([4, 0, 3, 1, 2])
    labels.setflags(write=False)  # a read-only memory map, as the pipeline passes
    x, y = as_device_tensors(flat, labels, (height, width, channels), CPU)
    assert x.shape == (5, channels, height, width) and x.dtype == torch.float32
    for n in range(5):
        for c in range(channels):
            for h in range(height):
                for w in range(width):
                    value = np.float32(flat[n, c * height * width + h * width + w])
                    assert x[n, c, h, w].item() == value
    assert y.dtype == torch.int64 and y.tolist() == labels.tolist()


# ---- train_classifier: every row is its epoch's model, on the test split, in eval mode ----

# 50 = 3·16 + 2, 37 = 2·16 + 5; ten epochs let BatchNorm's running statistics settle
# enough for the eval-mode predictions to change from epoch to epoch
TRAIN_N, BATCH, EVAL_BATCH, EPOCHS = 50, 16, 16, 10
SIDE, CHANNELS = 8, 2


def _classifier_data():
    """Distinct noisy images; class c has a bright band in rows 2c, 2c + 1 of channel 0.
    Train labels are the band's class, test labels the class after it, so a model that
    learns the training split gets the test split wrong (a test accuracy equal to the
    training accuracy is impossible)."""
    rng = np.random.default_rng(5)

    def images(classes):
        x = rng.normal(0, 1, (len(classes), CHANNELS, SIDE, SIDE)).astype(np.float32)
        for i, c in enumerate(classes):
            x[i, 0, 2 * c : 2 * c + 2] += 2.0
        return x

    train_y = np.arange(TRAIN_N) % K
    shown = rng.integers(0, K, N_TEST)
    test_y = (shown + 1) % K
    return [torch.from_numpy(a) for a in (images(train_y), train_y, images(shown), test_y)]


@contextlib.contextmanager
def _watch_training(steps_per_epoch):
    """Record, without touching the code under test, every ResNet9 forward (input,
    output, mode, grad) and the model's state after the last optimizer step of each
    epoch."""
    seen = {"model": None, "forwards": [], "snapshots": [], "steps": 0}

    def forward_hook(module, args, output):
        if isinstance(module, ResNet9):
            seen["model"] = module
            seen["forwards"].append(
                {
                    "x": args[0].detach().clone(),
                    "logits": output.detach().clone(),
                    "training": module.training,
                    "grad": torch.is_grad_enabled(),
                }
            )

    def step_hook(optimizer, args, kwargs):
        seen["steps"] += 1
        if seen["steps"] % steps_per_epoch == 0:
            seen["snapshots"].append(copy.deepcopy(seen["model"].state_dict()))

    handles = [
        torch.nn.modules.module.register_module_forward_hook(forward_hook),
        optimizer_module.register_optimizer_step_post_hook(step_hook),
    ]
    try:
        yield seen
    finally:
        for handle in handles:
            handle.remove()


def _eval_logits(model, images, batch):
    """Plain torch: eval mode, channels-last (the runtime's layout), `batch` images at a
    time (the evaluation's chunks, so the logits are the same floats)."""
    model.eval()
    with torch.no_grad():
        return torch.cat(
            [
                model(images[s : s + batch].contiguous(memory_format=torch.channels_last))
                for s in range(0, len(images), batch)
            ]
        ).numpy()


def _fresh(settings, state):
    model = ResNet9(CHANNELS, K, settings.widths, settings.width_multiplier)
    model = model.to(memory_format=torch.channels_last)
    model.load_state_dict(state)
    return model


def _test_loss(logits, labels, kind):
    if kind == "mse":
        return _mse_per_image(logits, labels, K).mean()
    return _ce_per_image(logits, labels)[0].mean()


def _loss_bound(logits, labels, kind, batch):
    if kind == "mse":
        return _mse_bound(logits, labels, K, batch)
    return _ce_bound(logits, labels, batch)


@pytest.fixture(scope="module", params=["mse", "cross_entropy"])
def trained(request):
    train_x, train_y, test_x, test_y = _classifier_data()
    settings = TrainSettings(
        epochs=EPOCHS,
        batch_size=BATCH,
        eval_batch_size=EVAL_BATCH,
        learning_rate=1e-2,
        loss=request.param,
        width_multiplier=1 / 16,
    )
    steps_per_epoch = -(-TRAIN_N // BATCH)
    record = {}
    with _watch_training(steps_per_epoch) as seen:
        metrics, model = train_classifier(
            train_x, train_y, test_x, test_y, K, settings, Runtime(CPU), record
        )
    data = dict(train_x=train_x, train_y=train_y, test_x=test_x, test_y=test_y)
    return dict(metrics=metrics, model=model, seen=seen, settings=settings, record=record, **data)


def test_one_row_per_epoch_in_order(trained):
    metrics, seen = trained["metrics"], trained["seen"]
    assert metrics["epoch"].tolist() == list(range(1, EPOCHS + 1))
    steps_per_epoch = -(-TRAIN_N // BATCH)
    assert seen["steps"] == EPOCHS * steps_per_epoch and len(seen["snapshots"]) == EPOCHS
    # images per second is the training set over the epoch's time: N / s, then × s here,
    # two roundings
    np.testing.assert_allclose(
        metrics["images_per_second"] * metrics["epoch_seconds"], TRAIN_N, rtol=gamma(2)
    )


def test_each_row_is_its_epochs_model_on_the_test_split_in_eval_mode(trained):
    metrics, settings = trained["metrics"], trained["settings"]
    test_x, test_y = trained["test_x"], trained["test_y"].numpy()
    kind = settings.loss
    for epoch, state in enumerate(trained["seen"]["snapshots"], start=1):
        row = metrics[metrics["epoch"] == epoch].iloc[0]
        logits = _eval_logits(_fresh(settings, state), test_x, EVAL_BATCH)
        assert row["test_accuracy"] == (logits.argmax(1) == test_y).sum() / N_TEST, epoch
        expected = _test_loss(logits, test_y, kind)
        assert abs(row["test_loss"] - expected) <= _loss_bound(logits, test_y, kind, EVAL_BATCH)
    # The returned model is the last epoch's.
    last = _eval_logits(copy.deepcopy(trained["model"]), test_x, EVAL_BATCH)
    final = metrics.iloc[-1]
    assert final["test_accuracy"] == (last.argmax(1) == test_y).sum() / N_TEST
    assert abs(final["test_loss"] - _test_loss(last, test_y, kind)) <= _loss_bound(
        last, test_y, kind, EVAL_BATCH
    )
    # the per-image record is that last evaluation, image by image in test order
    np.testing.assert_array_equal(trained["record"]["test_correct"], last.argmax(1) == test_y)
    earlier = [
        _eval_logits(_fresh(settings, state), test_x, EVAL_BATCH).argmax(1) == test_y
        for state in trained["seen"]["snapshots"][:-1]
    ]
    assert any(not np.array_equal(e, last.argmax(1) == test_y) for e in earlier)


def test_the_oracle_tells_splits_modes_and_epochs_apart(trained):
    """The checks above would see each wrong choice: the training split, train mode and
    a neighbouring epoch all give losses far outside the bound."""
    settings, kind = trained["settings"], trained["settings"].loss
    test_x, test_y = trained["test_x"], trained["test_y"].numpy()
    snapshots = trained["seen"]["snapshots"]
    losses = [
        _test_loss(_eval_logits(_fresh(settings, s), test_x, EVAL_BATCH), test_y, kind)
        for s in snapshots
    ]
    last = _eval_logits(_fresh(settings, snapshots[-1]), test_x, EVAL_BATCH)
    bound = _loss_bound(last, test_y, kind, EVAL_BATCH)
    assert min(abs(a - b) for a, b in zip(losses, losses[1:])) > 100 * bound
    on_train = _eval_logits(_fresh(settings, snapshots[-1]), trained["train_x"], EVAL_BATCH)
    train_loss = _test_loss(on_train, trained["train_y"].numpy(), kind)
    assert abs(train_loss - losses[-1]) > 100 * bound
    model = _fresh(settings, snapshots[-1]).train()
    with torch.no_grad():
        batch_stats = model(test_x.contiguous(memory_format=torch.channels_last)).numpy()
    assert abs(_test_loss(batch_stats, test_y, kind) - losses[-1]) > 100 * bound


def test_training_ran_in_train_mode_and_evaluation_moved_no_statistic(trained):
    """Every forward with gradients ran in train mode, every forward without gradients in
    eval mode; BatchNorm counted exactly the training steps (an evaluation in train mode
    would add to the count, training in eval mode would not count)."""
    seen = trained["seen"]
    training = [f for f in seen["forwards"] if f["grad"]]
    evaluation = [f for f in seen["forwards"] if not f["grad"]]
    assert all(f["training"] for f in training)
    assert not any(f["training"] for f in evaluation)
    assert len(training) == seen["steps"]
    for name, buffer in trained["model"].state_dict().items():
        if name.endswith("num_batches_tracked"):
            assert buffer.item() == seen["steps"], name
    assert trained["model"].training  # handed back ready to train


def test_each_rows_training_loss_is_the_per_image_mean_of_its_epoch(trained):
    """Each epoch's training forwards cover every training image exactly once; the row's
    train_loss is the mean of their per-image losses (the float32 running sum adds one
    rounding per step to the bound)."""
    metrics, kind = trained["metrics"], trained["settings"].loss
    train_x, train_y = trained["train_x"], trained["train_y"].numpy()
    index = {train_x[i].numpy().tobytes(): i for i in range(TRAIN_N)}
    assert len(index) == TRAIN_N
    steps_per_epoch = -(-TRAIN_N // BATCH)
    training = [f for f in trained["seen"]["forwards"] if f["grad"]]
    for epoch in range(1, EPOCHS + 1):
        forwards = training[(epoch - 1) * steps_per_epoch : epoch * steps_per_epoch]
        seen_images, total, bound = [], 0.0, 0.0
        for f in forwards:
            rows = [index[np.ascontiguousarray(x.numpy()).tobytes()] for x in f["x"]]
            seen_images += rows
            logits, labels = f["logits"].numpy(), train_y[rows]
            per_image = (
                _mse_per_image(logits, labels, K)
                if kind == "mse"
                else _ce_per_image(logits, labels)[0]
            )
            total += per_image.sum()
            bound += _loss_bound(logits, labels, kind, len(rows)) * len(rows)
        assert sorted(seen_images) == list(range(TRAIN_N)), epoch
        expected = total / TRAIN_N
        bound = bound / TRAIN_N + (steps_per_epoch + 1) * U * expected
        assert abs(metrics["train_loss"].iloc[epoch - 1] - expected) <= bound, epoch
