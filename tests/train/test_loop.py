"""The training loop: a diverging loss stops with a clear error; what the loop hands to
torch and to the augmentation (the compile call, the optimizer's switches, the padding
and the run's generator); a CUDA out-of-memory error names the batch size to try."""

import pytest
import torch
import torch.optim.optimizer as optimizer_module
from lbr.train import loop
from lbr.train.classifier import TrainingError
from lbr.train.device_data import crop_padding
from lbr.train.loop import LoopSettings, compiled, train_loop
from lbr.train.runtime import Runtime
from support import tiny_classifier_run as _tiny_run

CPU = torch.device("cpu")
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_diverging_loss_stops_with_a_clear_error():
    with pytest.raises(TrainingError, match="Lower learning_rate"):
        _tiny_run(learning_rate=1e30)


@pytest.mark.parametrize("switch", [False, True])
def test_the_training_steps_are_compiled_with_static_shapes_only_when_asked(monkeypatch, switch):
    """torch.compile is lazy: wrapping a model compiles nothing until it is called."""
    real, calls = torch.compile, []

    def recording_compile(model, **options):
        calls.append((model, options))
        return real(model, **options)

    monkeypatch.setattr(torch, "compile", recording_compile)
    model = torch.nn.Linear(1, 1)
    step_model = compiled(model, Runtime(CPU, compile=switch))
    if switch:
        assert calls == [(model, {"dynamic": False})] and step_model._orig_mod is model
    else:
        assert calls == [] and step_model is model


def _images(height=16, width=8, count=6):
    generator = torch.Generator().manual_seed(1)
    return torch.rand(count, 1, height, width, generator=generator), torch.arange(count)


def _pixel_mean_loss(model, x, y):
    return model(x.mean(dim=(1, 2, 3)).unsqueeze(1)).pow(2).mean()


@pytest.mark.parametrize("fused", [False, True])
def test_the_optimizer_gets_the_runtimes_fused_switch(fused):
    seen = []
    handle = optimizer_module.register_optimizer_step_post_hook(
        lambda optimizer, args, kwargs: seen.append(optimizer.param_groups[0]["fused"])
    )
    try:
        x, y = _images()
        train_loop(
            torch.nn.Linear(1, 1), _pixel_mean_loss, x, y, LoopSettings(1, 3, 0.1, 0.02),
            Runtime(CPU, fused_optimizer=fused), torch.Generator().manual_seed(0),
        )  # fmt: skip
    finally:
        handle.remove()
    assert seen == [fused, fused]  # two steps, each with the switch as given (not None)


def test_augmentation_pads_by_the_image_height_with_the_runs_generator(monkeypatch):
    """Non-square images (16×8): the crop padding follows the height (crop_padding's
    argument), and every batch is augmented from the run's own generator."""
    real, calls = loop.random_crop_flip, []

    def recording_augmentation(images, padding, generator):
        calls.append((padding, generator))
        return real(images, padding, generator)

    monkeypatch.setattr(loop, "random_crop_flip", recording_augmentation)
    x, y = _images(height=16, width=8)
    generator = torch.Generator().manual_seed(0)
    settings = LoopSettings(2, 4, 0.1, 0.0, augment=True)
    train_loop(torch.nn.Linear(1, 1), _pixel_mean_loss, x, y, settings, Runtime(CPU), generator)
    assert crop_padding(16) == 2 != crop_padding(8)  # the case the test needs
    assert calls == [(2, generator)] * 4  # 2 epochs × batches of 4 and 2


def test_cuda_running_out_of_memory_names_the_batch_size_and_half_of_it():
    def out_of_memory(model, x, y):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    x, y = _images()
    with pytest.raises(TrainingError) as caught:
        train_loop(
            torch.nn.Linear(1, 1), out_of_memory, x, y, LoopSettings(1, 6, 0.1, 0.0),
            Runtime(CPU), torch.Generator().manual_seed(0),
        )  # fmt: skip
    assert str(caught.value) == (
        "CUDA ran out of memory at batch size 6: lower the batch_size of this stage in the "
        "config (e.g. to 3) or the model width"
    )
    assert isinstance(caught.value.__cause__, torch.cuda.OutOfMemoryError)


def _trained(default_device=None):
    """Two epochs of y = w·x on ten scalars; each epoch's loss and the final weight."""
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1, bias=False)
    x, y = torch.arange(10.0).reshape(-1, 1), torch.arange(10)
    settings = LoopSettings(2, 4, 0.01, weight_decay=0.0)
    losses, generator = [], torch.Generator().manual_seed(0)

    def run():
        train_loop(
            model,
            lambda network, xb, yb: (network(xb) ** 2).mean(),
            x,
            y,
            settings,
            Runtime(CPU),
            generator,
            on_epoch=lambda epoch, loss, seconds: losses.append(loss),
        )

    if default_device is None:
        run()
    else:
        with torch.device(default_device):
            run()
    return losses, model.weight.item()


def test_the_loop_makes_its_tensors_on_the_runtimes_device_not_torchs_default():
    """On a GPU, an epoch order or a running sum made on torch's default device (the
    CPU) would not meet the data. Here the runtime's device is the CPU and the default
    another one (meta): what the loop makes without naming its device would land there
    and fail."""
    assert _trained("meta") == _trained()
