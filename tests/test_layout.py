"""Artifact file lists: the library writes what the rules declare, and scripts find
an artifact's directory from the files a rule hands them."""

import pytest
from lbr.data.format import read_dataset, write_dataset
from lbr.errors import DataError
from lbr.layout import (
    DATASET_FILES,
    SPECTRUM_FILES,
    artifact_directory,
    dataset_directory,
    spectrum_directory,
)
from lbr.spectral.cache import compute_spectrum, write_spectrum
from lbr.spectral.statistics import Preprocessing
from support import small_image_dataset


def test_written_files_are_exactly_the_declared_lists(tmp_path):
    data_dir, spectrum_dir = tmp_path / "data", tmp_path / "spectrum"
    write_dataset(data_dir, small_image_dataset(), {"name": "toy"})
    assert sorted(p.name for p in data_dir.iterdir()) == sorted(DATASET_FILES)
    spectrum = compute_spectrum(data_dir, Preprocessing(), chunk_size=7, rtol=1e-10, device="cpu")
    write_spectrum(spectrum_dir, spectrum)
    assert sorted(p.name for p in spectrum_dir.iterdir()) == sorted(SPECTRUM_FILES)
    assert dataset_directory([data_dir / n for n in DATASET_FILES]) == data_dir
    assert spectrum_directory([str(spectrum_dir / n) for n in SPECTRUM_FILES]) == spectrum_dir
    assert read_dataset(dataset_directory([data_dir / n for n in DATASET_FILES])).image_shape == (
        4,
        4,
        1,
    )


@pytest.mark.parametrize(
    "files",
    [
        ["a/train_images.npy"],  # incomplete
        [f"a/{n}" for n in DATASET_FILES[:-1]] + ["b/meta.json"],  # two directories
        [f"a/{n}" for n in SPECTRUM_FILES],  # another artifact's files
    ],
)
def test_a_wrong_file_list_is_named(files):
    with pytest.raises(DataError, match="expected the files"):
        dataset_directory(files)


def test_files_of_another_set_are_refused_with_the_files_given():
    with pytest.raises(DataError) as caught:
        artifact_directory(["out/a.npy", "other/b.npy"], ("a.npy", "b.npy"))
    assert str(caught.value) == (
        "expected the files ['a.npy', 'b.npy'] of one directory, got ['out/a.npy', 'other/b.npy']"
    )
