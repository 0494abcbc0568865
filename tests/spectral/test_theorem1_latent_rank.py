"""A Theorem 1 latent size beyond the rank of Σ, found by the interpolation job (for
shapes the config does not fix), names its config key and the dataset (issue 26, item 11)."""

from __future__ import annotations

import pytest
from lbr.data.format import write_dataset
from lbr.errors import ConfigError
from lbr.spectral.cache import compute_spectrum
from lbr.spectral.statistics import Preprocessing
from lbr.spectral.theorem1 import interpolation_table
from support import small_image_dataset

STANDARDIZED = Preprocessing(per_image_std=False, center=True, global_std=True, jitter=0.001)


def test_interpolation_latent_beyond_the_rank_names_the_key_and_dataset(tmp_path):
    directory = tmp_path / "datasets" / "small"
    write_dataset(directory, small_image_dataset(), {"name": "small"})
    spectrum = compute_spectrum(directory, STANDARDIZED, chunk_size=8, rtol=1e-10, device="cpu")
    rank = spectrum.eigen.rank
    with pytest.raises(ConfigError) as caught:
        interpolation_table(spectrum, [rank + 1], [1.0])
    message = str(caught.value)
    assert "theorem1.interpolation.latent_sizes" in message and "'small'" in message
    assert f"up to {rank}" in message
