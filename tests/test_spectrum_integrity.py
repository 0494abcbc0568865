"""A cached spectrum records each file's size and sha256 (checked here with hashlib),
and reading a damaged one fails with the command that recreates it."""

import hashlib
import json

import numpy as np
import pytest
from lbr.errors import DataError
from lbr.spectral.cache import compute_spectrum, read_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing
from test_spectral_cache import _dataset_dir


@pytest.fixture
def spectrum_dir(tmp_path):
    directory, _, _ = _dataset_dir(tmp_path)
    prep = Preprocessing(per_image_std=False, center=True, global_std=False)
    spectrum = compute_spectrum(directory, prep, chunk_size=7, rtol=1e-10, device="cpu")
    write_spectrum(tmp_path / "spectrum", spectrum)
    return tmp_path / "spectrum"


def _advice(directory) -> str:
    return (
        f"recreate them with 'snakemake --cores all --forcerun {directory / 'summary.json'}' "
        f"(or delete {directory} and rerun)"
    )


def test_the_summary_records_every_file_with_an_independent_sha256(spectrum_dir):
    files = json.loads((spectrum_dir / "summary.json").read_text())["files"]
    names = sorted(p.name for p in spectrum_dir.iterdir() if p.name != "summary.json")
    assert sorted(files) == names
    for name, entry in files.items():
        data = (spectrum_dir / name).read_bytes()
        assert entry == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_an_altered_array_is_refused_with_the_redo_command(spectrum_dir):
    path = spectrum_dir / "mean.npy"
    mean = np.load(path)
    np.save(path, mean + 1.0)  # same size, still a valid .npy: only the digest tells
    with pytest.raises(DataError) as caught:
        read_spectrum(spectrum_dir)
    assert "mean.npy" in str(caught.value) and str(caught.value).endswith(_advice(spectrum_dir))


def test_a_truncated_array_without_a_record_names_the_redo_command(spectrum_dir):
    summary = json.loads((spectrum_dir / "summary.json").read_text())
    del summary["files"]  # a spectrum written before the record existed
    (spectrum_dir / "summary.json").write_text(json.dumps(summary))
    data = (spectrum_dir / "covariance.npy").read_bytes()
    (spectrum_dir / "covariance.npy").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError) as caught:
        read_spectrum(spectrum_dir)
    message = str(caught.value)
    assert message.startswith(f"{spectrum_dir / 'covariance.npy'} is truncated or corrupt (")
    assert message.endswith("; " + _advice(spectrum_dir))
