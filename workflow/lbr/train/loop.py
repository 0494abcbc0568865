"""The one training loop every experiment shares: AdamW + OneCycle over tensors that
stay on the device, batched on-device augmentation, and the Runtime's fast-path switches."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from ..errors import PipelineError
from .device_data import crop_padding, random_crop_flip
from .runtime import Runtime


class TrainingError(PipelineError):
    """Training diverged or ran out of memory; the message says what to change."""


@dataclass(frozen=True)
class LoopSettings:
    epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    augment: bool = False


def compiled(model: torch.nn.Module, runtime: Runtime) -> torch.nn.Module:
    """The module the training steps call. Compiled with static shapes: one graph for the
    full batches and one for the last partial batch (≤ 2 per model and run; the batch size
    is a constant of the run). Evaluation and snapshots call the eager `model`, so they
    add no graph and switching between train and eval mode recompiles nothing."""
    return torch.compile(model, dynamic=False) if runtime.compile else model


def train_loop(
    model: torch.nn.Module,
    batch_loss: Callable,
    train_x: torch.Tensor,
    train_y: torch.Tensor,
    settings: LoopSettings,
    runtime: Runtime,
    generator: torch.Generator,
    on_epoch: Callable | None = None,
    on_step: Callable | None = None,
) -> None:
    """Minimize batch_loss(model, x, y) over shuffled batches for settings.epochs epochs.

    on_step(step) runs after every optimizer step (1-based global count);
    on_epoch(epoch, mean_train_loss, seconds) after every epoch. A non-finite epoch loss
    raises TrainingError, as does CUDA running out of memory (naming the batch size).
    """
    device = runtime.device
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=settings.learning_rate,
        weight_decay=settings.weight_decay,
        fused=runtime.fused_optimizer,
    )
    steps_per_epoch = math.ceil(len(train_y) / settings.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=settings.learning_rate, total_steps=settings.epochs * steps_per_epoch
    )
    step_model = compiled(model, runtime)
    padding = crop_padding(train_x.shape[2]) if settings.augment else 0
    step = 0
    try:
        for epoch in range(1, settings.epochs + 1):
            started = time.perf_counter()
            order = torch.randperm(len(train_y), generator=generator, device=device)
            running = torch.zeros((), device=device)
            for index in order.split(settings.batch_size):
                x, y = train_x[index], train_y[index]
                if settings.augment:
                    x = random_crop_flip(x, padding, generator)
                with runtime.autocast():
                    loss = batch_loss(step_model, runtime.layout(x), y)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
                running += loss.detach() * len(y)  # no .item(): no host sync per step
                step += 1
                if on_step is not None:
                    on_step(step)
            train_loss = running.item() / len(train_y)  # one device sync per epoch
            if not math.isfinite(train_loss):
                raise TrainingError(
                    f"training loss became {train_loss} in epoch {epoch}: the run diverged. "
                    f"Lower learning_rate (now {settings.learning_rate}) or check the inputs."
                )
            if device.type == "cuda":
                torch.cuda.synchronize()
            if on_epoch is not None:
                on_epoch(epoch, train_loss, time.perf_counter() - started)
    except torch.cuda.OutOfMemoryError as error:
        raise TrainingError(
            f"CUDA ran out of memory at batch size {settings.batch_size}: lower the batch_size "
            f"of this stage in the config (e.g. to {settings.batch_size // 2}) or the model "
            f"width"
        ) from error
