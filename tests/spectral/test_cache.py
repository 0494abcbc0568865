"""The spectrum cache against a direct eigendecomposition on tiny data; a cached spectrum
records each file's size and sha256 (checked here with hashlib), and reading a damaged
one fails with the command that recreates it."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
from lbr import __version__
from lbr.data.format import ImageDataset, write_dataset
from lbr.errors import DataError
from lbr.layout import SPECTRUM_FILES
from lbr.spectral.cache import compute_spectrum, read_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing

H, W, C = 3, 4, 2
D = H * W * C


def _images(n=60, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, H, W, C), dtype=np.uint8)
    return images, rng.integers(0, 3, n)


def _flat(images):
    return np.stack([images[..., c].reshape(len(images), -1) for c in range(C)], 1).reshape(
        len(images), -1
    )


def _dataset_dir(tmp_path):
    images, labels = _images()
    test_images, test_labels = _images(9, seed=1)
    dataset = ImageDataset(images, labels, test_images, test_labels, ["a", "b", "c"])
    write_dataset(tmp_path / "data", dataset, {"source": "test"})
    return tmp_path / "data", images, labels


def test_computed_spectrum_matches_a_direct_eigendecomposition(tmp_path):
    directory, images, labels = _dataset_dir(tmp_path)
    prep = Preprocessing(per_image_std=False, center=True, global_std=True, jitter=0.0)
    spectrum = compute_spectrum(directory, prep, chunk_size=16, rtol=1e-9, device="cpu")
    x = _flat(images).astype(np.float64)
    x -= x.mean(axis=0)
    scale = np.sqrt((x**2).mean())
    x /= scale
    sigma = x.T @ x
    values = np.sort(np.linalg.eigvalsh(sigma))[::-1]
    rank = int((values > 1e-9 * values[0]).sum())
    np.testing.assert_allclose(spectrum.eigen.eigenvalues, values[:rank], rtol=1e-9)
    summary = spectrum.summary
    assert summary["dataset_dir"] == str(directory)
    assert summary["preprocessing"] == prep.as_dict()
    assert summary["num_samples"] == 60 and summary["dimension"] == D
    assert summary["num_classes"] == 3 and summary["image_shape"] == [H, W, C]
    assert summary["rank"] == rank and summary["null_space_dropped"] == D - rank
    assert summary["rank_rtol"] == 1e-9 and summary["lbr_version"] == __version__
    assert summary["global_std"] == pytest.approx(scale)
    assert summary["total_variance"] == pytest.approx(np.trace(sigma))
    assert summary["flattening"] == "channel-first (C, H, W)"
    np.testing.assert_array_equal(spectrum.statistics.class_counts, np.bincount(labels))


def test_written_spectrum_reads_back_identically(tmp_path):
    directory, _, _ = _dataset_dir(tmp_path)
    prep = Preprocessing(per_image_std=True, center=True, global_std=False)
    spectrum = compute_spectrum(directory, prep, chunk_size=1000, rtol=1e-10, device="cpu")
    write_spectrum(tmp_path / "spectrum", spectrum)
    assert sorted(p.name for p in (tmp_path / "spectrum").iterdir()) == sorted(SPECTRUM_FILES)
    back = read_spectrum(tmp_path / "spectrum")
    for name in ("covariance", "class_sums", "class_counts", "mean"):
        np.testing.assert_array_equal(
            getattr(back.statistics, name), getattr(spectrum.statistics, name)
        )
    assert back.statistics.scale == spectrum.statistics.scale == 1.0
    np.testing.assert_array_equal(back.eigen.eigenvalues, spectrum.eigen.eigenvalues)
    np.testing.assert_array_equal(back.eigen.eigenvectors, spectrum.eigen.eigenvectors)
    assert back.eigen.dropped == spectrum.eigen.dropped and back.summary == spectrum.summary
    table = pd.read_parquet(tmp_path / "spectrum" / "explained_variance.parquet")
    np.testing.assert_allclose(
        table["explained_fraction"],
        spectrum.eigen.eigenvalues / spectrum.summary["total_variance"],
    )


# --- the size and sha256 records of a cached spectrum ---------------------------------


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
