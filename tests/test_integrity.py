"""Size and sha256 records (lbr.integrity): a dataset or spectrum file altered or truncated
after it was written is refused, naming the file and the command that redoes it, and
each file is hashed once per process."""

import pytest
from lbr.data.format import read_dataset, write_dataset
from lbr.errors import DataError
from support import small_image_dataset


def test_altered_dataset_file_is_refused_with_the_fix(tmp_path):
    write_dataset(tmp_path, small_image_dataset(), {"name": "x"})
    images = tmp_path / "train_images.npy"
    data = bytearray(images.read_bytes())
    data[-5:] = b"\xff\x00\xff\x00\xff"  # same size, different pixels
    images.write_bytes(bytes(data))
    with pytest.raises(DataError) as caught:
        read_dataset(tmp_path)
    message = str(caught.value)
    assert "train_images.npy" in message and "sha256" in message
    assert f"--forcerun {tmp_path}/meta.json" in message


def test_truncated_dataset_file_names_the_file_not_mmap(tmp_path):
    write_dataset(tmp_path, small_image_dataset(), {"name": "x"})
    images = tmp_path / "test_images.npy"
    images.write_bytes(images.read_bytes()[:-40])
    with pytest.raises(DataError) as caught:
        read_dataset(tmp_path)
    message = str(caught.value)
    assert "test_images.npy" in message and "truncated" in message and "mmap" not in message


def test_truncated_spectrum_file_is_refused_with_the_fix(tmp_path):
    from lbr.spectral.cache import compute_spectrum, read_spectrum, write_spectrum
    from lbr.spectral.statistics import Preprocessing

    write_dataset(tmp_path / "data", small_image_dataset(), {"name": "x"})
    prep = Preprocessing(per_image_std=False, center=True, global_std=True, jitter=0.001)
    spectrum = compute_spectrum(tmp_path / "data", prep, chunk_size=8, rtol=1e-10, device="cpu")
    write_spectrum(tmp_path / "spectrum", spectrum)
    read_spectrum(tmp_path / "spectrum")  # intact: accepted
    vectors = tmp_path / "spectrum" / "eigenvectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:-100])
    with pytest.raises(DataError) as caught:
        read_spectrum(tmp_path / "spectrum")
    message = str(caught.value)
    assert "eigenvectors.npy" in message and "summary.json" in message


def test_each_file_is_hashed_once_per_process(tmp_path, monkeypatch):
    from lbr import integrity

    write_dataset(tmp_path, small_image_dataset(), {"name": "x"})
    hashed = []
    original = integrity.sha256
    monkeypatch.setattr(integrity, "sha256", lambda path: hashed.append(path) or original(path))
    read_dataset(tmp_path)
    read_dataset(tmp_path, mmap=False)
    assert len(hashed) == 4  # the four arrays, once each
