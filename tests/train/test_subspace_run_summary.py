"""The parts of a subspace run's summary that the record tests' two-epoch runs leave
open: a one-epoch run's throughput, the acceleration switches the run was given, and the
warning of a subspace that keeps far more variance than its name says (one direction
carries almost all of it), in the summary and in the job's log."""

import logging

import numpy as np
import pytest
from lbr.data.format import ImageDataset, write_dataset
from lbr.degenerate import FRACTION_TOLERANCE, fraction_warning
from lbr.models.resnet9 import AUTHORS_WIDTHS
from lbr.spectral.cache import compute_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing
from lbr.train.runtime import resolve_runtime
from lbr.train.subspace_run import SubspaceRun, run_subspace_training, subspace_settings

SIDE, N = 8, 24
TRAINING = {"epochs": 1, "batch_size": 8, "learning_rate": 1e-2, "weight_decay": 0.0}
MODEL = {"widths": list(AUTHORS_WIDTHS), "width_multiplier": 1 / 16}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def dominated(tmp_path_factory):
    """Images that are ± one fixed pattern plus faint noise: after the per-image std and
    centring one direction carries nearly all the variance, so no top subspace can keep
    30% of it."""
    root = tmp_path_factory.mktemp("dominated")
    rng = np.random.default_rng(2)
    pattern = rng.integers(0, 2, (SIDE, SIDE, 1)) * 100

    def images(signs):
        noise = rng.integers(0, 3, (len(signs), SIDE, SIDE, 1))
        return (120 + signs[:, None, None, None] * pattern // 2 + noise).astype(np.uint8)

    labels = np.arange(N) % 2
    signs = np.where(labels == 0, -1, 1)
    dataset = ImageDataset(images(signs), labels, images(signs[::-1]), labels[::-1], ["a", "b"])
    write_dataset(root / "lines", dataset, {"name": "lines"})
    prep = Preprocessing(per_image_std=True, center=True, global_std=False, jitter=0.0)
    write_spectrum(root / "spectrum", compute_spectrum(root / "lines", prep, 64, 1e-10, "cpu"))
    return root


def _run(root, acceleration=None, fraction=0.3):
    settings = subspace_settings(dict(TRAINING), dict(MODEL), False, 0)
    run = SubspaceRun(
        str(root / "lines"), str(root / "spectrum"), "top", fraction, settings, "cpu", acceleration
    )
    return run_subspace_training(run)


def test_a_subspace_far_from_its_fraction_is_flagged_in_the_summary_and_the_log(dominated, caplog):
    with caplog.at_level(logging.WARNING, logger="lbr.subspace"):
        metrics, summary, _ = _run(dominated)
    kept = summary["variance_fraction"]
    assert kept - 0.3 > FRACTION_TOLERANCE  # the premise: one direction holds > 40%
    expected = fraction_warning("lines", "top", 0.3, kept)
    assert summary["warnings"] == [expected]
    assert [r.getMessage() for r in caplog.records if r.name == "lbr.subspace"] == [expected]
    # one epoch: the throughput is that epoch's (no first epoch to leave out)
    assert summary["mean_images_per_second"] == metrics["images_per_second"].iloc[0]
    assert len(metrics) == 1


def test_a_subspace_near_its_fraction_has_no_warning(dominated, caplog):
    with caplog.at_level(logging.WARNING, logger="lbr.subspace"):
        _, summary, _ = _run(dominated, fraction=1.0)
    assert abs(summary["variance_fraction"] - 1.0) <= FRACTION_TOLERANCE
    assert "warnings" not in summary
    assert not [r for r in caplog.records if r.name == "lbr.subspace"]


def test_the_summary_describes_the_acceleration_the_run_was_given(dominated):
    acceleration = {"channels_last": False, "precision": "fp32"}
    _, summary, _ = _run(dominated, acceleration)
    assert summary["runtime"] == resolve_runtime("cpu", acceleration).describe()
    assert summary["runtime"]["channels_last"] is False
    _, default, _ = _run(dominated)
    assert default["runtime"] == resolve_runtime("cpu").describe()
    assert default["runtime"]["channels_last"] is True  # auto: on, on every device
