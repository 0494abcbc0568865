"""The shared training loop against hand counts.

With a zero learning rate the model does not move, so each image's loss is a number
known in advance; integer inputs and batches of 4 and 2 keep every float32 operation
exact, so the epoch's mean training loss must equal the hand-computed per-image mean
exactly. The loss callable is the caller's own (the loop's real interface): it records
which images each step saw.
"""

import math
import time

import numpy as np
import pytest
import torch
import torch.optim.optimizer as optimizer_module
from lbr.train.loop import LoopSettings, train_loop
from lbr.train.runtime import Runtime

CPU = torch.device("cpu")
N, BATCH, EPOCHS = 10, 4, 3  # batches of 4, 4 and 2: every epoch ends on a partial one
STEPS_PER_EPOCH = 3  # ceil(10 / 4), by hand


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _frozen_run(values, learning_rate=0.0, epochs=EPOCHS):
    """Train y = w·x (w = 1) on scalar images `values` with loss mean(ŷ²) per batch."""
    model = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(1.0)
    x = torch.tensor(values, dtype=torch.float32).reshape(-1, 1)
    y = torch.arange(len(values))  # labels = index: the loss callable sees which images
    batches, epochs_seen, steps = [], [], []

    def batch_loss(network, xb, yb):
        batches.append(yb.tolist())
        return (network(xb) ** 2).mean()

    settings = LoopSettings(epochs, BATCH, learning_rate, weight_decay=0.0)
    generator = torch.Generator().manual_seed(0)
    started = time.perf_counter()
    train_loop(
        model,
        batch_loss,
        x,
        y,
        settings,
        Runtime(CPU),
        generator,
        on_epoch=lambda *args: epochs_seen.append(args),
        on_step=steps.append,
    )
    # each epoch times itself alone: together they fit in the call's wall time
    assert sum(e[2] for e in epochs_seen) <= time.perf_counter() - started
    return model, batches, epochs_seen, steps


@pytest.mark.parametrize(
    "squares",
    [
        [0] * 9 + [100],  # one image carries the loss: a mean of batch means is off by ≥ 1.7
        [1, 4, 9, 16, 25, 36, 49, 64, 81, 100],
    ],
)
def test_epoch_loss_is_the_mean_over_images_exactly(squares):
    values = np.sqrt(squares)
    assert np.array_equal(values**2, squares)  # integer inputs: exact squares
    model, batches, epochs_seen, steps = _frozen_run(values)
    assert model.weight.item() == 1.0  # a zero learning rate leaves the model alone
    expected = sum(squares) / N
    assert [e[0] for e in epochs_seen] == list(range(1, EPOCHS + 1))
    for epoch, loss, seconds in epochs_seen:
        assert loss == expected, epoch
        assert seconds > 0


def test_every_image_once_per_epoch_and_every_step_counted():
    _, batches, epochs_seen, steps = _frozen_run(np.arange(N, dtype=float))
    assert len(epochs_seen) == EPOCHS
    assert steps == list(range(1, EPOCHS * STEPS_PER_EPOCH + 1))
    assert len(batches) == EPOCHS * STEPS_PER_EPOCH
    orders = []
    for epoch in range(EPOCHS):
        chunk = batches[epoch * STEPS_PER_EPOCH : (epoch + 1) * STEPS_PER_EPOCH]
        assert [len(b) for b in chunk] == [4, 4, 2]
        order = [i for b in chunk for i in b]
        assert sorted(order) == list(range(N))
        orders.append(order)
    # shuffled each epoch (seeded): not the same order every time
    assert len({tuple(o) for o in orders}) > 1


def test_one_cycle_schedule_spans_exactly_the_run():
    """The learning rate of every step is OneCycle's over epochs × ceil(N / batch) steps
    (torch's own scheduler on a fresh optimizer is the reference), on AdamW with the
    configured weight decay."""
    recorded = []

    def hook(optimizer, args, kwargs):
        group = optimizer.param_groups[0]
        recorded.append((type(optimizer), group["lr"], group["weight_decay"], group["max_lr"]))

    handle = optimizer_module.register_optimizer_step_post_hook(hook)
    try:
        model = torch.nn.Linear(1, 1)
        # not AdamW's default weight decay (0.01): the configured one must reach it
        settings = LoopSettings(EPOCHS, BATCH, learning_rate=0.3, weight_decay=0.02)
        train_loop(
            model,
            lambda m, x, y: (m(x) ** 2).mean(),
            torch.linspace(-1, 1, N).reshape(-1, 1),
            torch.zeros(N, dtype=torch.int64),
            settings,
            Runtime(CPU),
            torch.Generator().manual_seed(0),
        )
    finally:
        handle.remove()
    reference_optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        reference_optimizer, max_lr=0.3, total_steps=EPOCHS * STEPS_PER_EPOCH
    )
    expected = []
    for _ in range(EPOCHS * STEPS_PER_EPOCH):
        expected.append(reference_optimizer.param_groups[0]["lr"])
        reference_optimizer.step()
        schedule.step()
    assert [r[1] for r in recorded] == expected
    assert all(r[0] is torch.optim.AdamW and r[2] == 0.02 and r[3] == 0.3 for r in recorded)
    assert math.isclose(expected[-1], 0.3 / 25 / 1e4, rel_tol=1e-6)  # ends at the minimum


def test_batches_follow_the_runs_generator():
    """Each epoch's order is torch.randperm drawn from the run's generator (seeded 0), one
    permutation per epoch, split into batches in that order."""
    _, batches, _, _ = _frozen_run(list(range(N)))
    reference = torch.Generator().manual_seed(0)
    expected = []
    for _ in range(EPOCHS):
        expected += [b.tolist() for b in torch.randperm(N, generator=reference).split(BATCH)]
    assert batches == expected
