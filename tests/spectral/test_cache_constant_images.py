"""Constant training images stop the spectrum job with the dataset's name and what to
check (issue 26, item 11)."""

from __future__ import annotations

import numpy as np
import pytest
from lbr.data.format import ImageDataset, write_dataset
from lbr.errors import DataError
from lbr.spectral.cache import compute_spectrum
from lbr.spectral.statistics import Preprocessing

STANDARDIZED = Preprocessing(per_image_std=False, center=True, global_std=True, jitter=0.001)
PER_IMAGE = Preprocessing(per_image_std=True, center=True, global_std=False, jitter=0.0)


def _flat(directory):
    flat = np.full((20, 4, 4, 1), 7, np.uint8)
    labels = np.arange(20) % 2
    dataset = ImageDataset(flat, labels, flat[:6], labels[:6], class_names=["a", "b"])
    write_dataset(directory, dataset, {"name": "flat"})
    return directory


@pytest.mark.parametrize("prep", [STANDARDIZED, PER_IMAGE], ids=["global_std", "per_image_std"])
def test_constant_images_name_the_dataset(tmp_path, prep):
    directory = _flat(tmp_path / "datasets" / "flat")
    with pytest.raises(DataError) as caught:
        compute_spectrum(directory, prep, chunk_size=8, rtol=1e-10, device="cpu")
    message = str(caught.value)
    assert "dataset 'flat'" in message and str(directory) in message
    assert "Every training image is the same" in message and "'subset'" in message
