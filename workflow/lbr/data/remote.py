"""Downloadable datasets: the readers of their file formats, and REMOTE_SOURCES, one
RemoteSource per download of the catalog (lbr.data.catalog), built by its format.

URLs and checksums of the torchvision datasets are read from torchvision's own
dataset classes, the maintained source of truth (the catalog names the class);
TinyImageNet, which torchvision lacks, carries its own in the catalog. Every file is
verified before it is parsed; CIFAR's pickled batches are unpickled only after their
checksum matched, and then with an unpickler that admits nothing but numpy arrays and
builtin containers.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from torchvision import datasets as tv

from ..errors import DataError
from .catalog import (
    CATALOG_FILE,
    CatalogError,
    Downloaded,
    FromTorchvision,
    downloaded_sources,
    resolve,
)
from .download import RemoteFile, extract, fetch, verify_checksum
from .format import ImageDataset
from .idx import read_idx
from .transforms import decode_image


@dataclass(frozen=True)
class RemoteSource:
    """A downloadable dataset: its files, its documented split sizes and its reader."""

    name: str
    files: tuple[RemoteFile, ...]
    split_sizes: dict[str, int]
    reader: Callable[[RemoteSource, Path, list[int] | None], ImageDataset]
    # Checksums of files inside an archive, checked before they are parsed.
    inner_md5: dict[str, str] | None = None
    extra: dict | None = None

    def download(self, download_dir: Path, mirror: str | None) -> None:
        """Fetch and verify the raw files (the only step that needs the network)."""
        for remote in self.files:
            fetch(remote.from_mirror(mirror), download_dir, mirror=mirror)

    def verify(self, download_dir: Path) -> None:
        """Check that every raw file is present with its checksum, without the network:
        building a dataset (a cluster job) never downloads."""
        missing = [f.filename for f in self.files if not (download_dir / f.filename).exists()]
        if missing:
            raise DataError(
                f"{self.name}: {', '.join(missing)} not in {download_dir}. Fetch the raw files "
                f"first, where there is internet (a login node): 'snakemake --cores 1 "
                f"downloads', or copy them into {download_dir} by hand."
            )
        for remote in self.files:
            verify_checksum(download_dir / remote.filename, remote.md5)

    def decode(self, download_dir: Path, shape: list[int] | None) -> ImageDataset:
        """Read the downloaded files (no network); `shape` for image-file sources."""
        return self.reader(self, download_dir, shape)


# --- MNIST family: four gzip IDX files -------------------------------------------------


def _read_mnist_family(source: RemoteSource, directory: Path, shape) -> ImageDataset:
    by_stem = {
        f.filename.split("-")[0] + ("_images" if "images" in f.filename else "_labels"): directory
        / f.filename
        for f in source.files
    }
    return ImageDataset(
        train_images=read_idx(by_stem["train_images"]),
        train_labels=read_idx(by_stem["train_labels"]),
        test_images=read_idx(by_stem["t10k_images"]),
        test_labels=read_idx(by_stem["t10k_labels"]),
        class_names=list(source.extra["classes"]),
    )


def mnist_format(facts: Downloaded) -> RemoteSource:
    dataset_class = _torchvision_class(facts)
    mirror = dataset_class.mirrors[0]
    files = tuple(
        RemoteFile(url=f"{mirror}{filename}", filename=filename, md5=md5)
        for filename, md5 in dataset_class.resources
    )
    return RemoteSource(
        facts.name,
        files,
        dict(facts.split_sizes),
        _read_mnist_family,
        extra={"classes": dataset_class.classes},
    )


# --- CIFAR-10/100: a tar.gz of pickled batches ----------------------------------------


class _ArrayUnpickler(pickle.Unpickler):
    """Admits only what CIFAR batches contain: numpy arrays and builtin containers."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name}")


def _load_batch(path: Path, md5: str) -> dict:
    verify_checksum(path, md5)
    return _ArrayUnpickler(io.BytesIO(path.read_bytes()), encoding="latin1").load()


def _read_cifar(source: RemoteSource, directory: Path, shape) -> ImageDataset:
    folder = (
        extract(directory / source.files[0].filename, directory / "extracted")
        / source.extra["base_folder"]
    )
    label_key = source.extra["label_key"]
    splits = {}
    for split, names in (("train", source.extra["train"]), ("test", source.extra["test"])):
        images, labels = [], []
        for name in names:
            batch = _load_batch(folder / name, source.inner_md5[name])
            images.append(
                np.asarray(batch["data"], dtype=np.uint8)
                .reshape(-1, 3, 32, 32)
                .transpose(0, 2, 3, 1)
            )
            labels.append(np.asarray(batch[label_key], dtype=np.int64))
        splits[split] = (np.concatenate(images), np.concatenate(labels))
    meta_name, meta_key = source.extra["meta"]
    classes = _load_batch(folder / meta_name, source.inner_md5[meta_name])[meta_key]
    return ImageDataset(*splits["train"], *splits["test"], class_names=list(classes))


def cifar_format(facts: Downloaded) -> RemoteSource:
    dataset_class = _torchvision_class(facts)
    inner = {n: m for n, m in dataset_class.train_list + dataset_class.test_list}
    inner[dataset_class.meta["filename"]] = dataset_class.meta["md5"]
    return RemoteSource(
        facts.name,
        (RemoteFile(dataset_class.url, dataset_class.filename, dataset_class.tgz_md5),),
        dict(facts.split_sizes),
        _read_cifar,
        inner_md5=inner,
        extra={
            "base_folder": dataset_class.base_folder,
            "label_key": facts.reader_options["label_key"],
            "train": [n for n, _ in dataset_class.train_list],
            "test": [n for n, _ in dataset_class.test_list],
            "meta": (dataset_class.meta["filename"], dataset_class.meta["key"]),
        },
    )


# --- SVHN: MATLAB v5 files (read by scipy, no pickle) ---------------------------------


def _read_svhn(source: RemoteSource, directory: Path, shape) -> ImageDataset:
    from scipy.io import loadmat

    splits = {}
    for split, remote in zip(("train", "test"), source.files):
        try:
            content = loadmat(directory / remote.filename)
        except (ValueError, OSError) as error:
            raise DataError(
                f"cannot read {remote.filename}: {error}; delete it and rerun"
            ) from error
        labels = content["y"].astype(np.int64).ravel()
        labels[labels == 10] = 0  # SVHN stores digit 0 as label 10
        splits[split] = (np.ascontiguousarray(content["X"].transpose(3, 0, 1, 2)), labels)
    return ImageDataset(*splits["train"], *splits["test"], class_names=[str(d) for d in range(10)])


def svhn_format(facts: Downloaded) -> RemoteSource:
    dataset_class = _torchvision_class(facts)
    files = tuple(RemoteFile(*dataset_class.split_list[split]) for split in ("train", "test"))
    return RemoteSource(facts.name, files, dict(facts.split_sizes), _read_svhn)


# --- STL-10: raw binary, column-major 96×96×3 -----------------------------------------


def _read_stl10(source: RemoteSource, directory: Path, shape) -> ImageDataset:
    folder = (
        extract(directory / source.files[0].filename, directory / "extracted")
        / source.extra["base_folder"]
    )
    splits = {}
    for split in ("train", "test"):
        image_file, label_file = folder / f"{split}_X.bin", folder / f"{split}_y.bin"
        for path in (image_file, label_file):
            verify_checksum(path, source.inner_md5[path.name])
        images = (
            np.fromfile(image_file, dtype=np.uint8).reshape(-1, 3, 96, 96).transpose(0, 3, 2, 1)
        )
        labels = np.fromfile(label_file, dtype=np.uint8).astype(np.int64) - 1
        splits[split] = (np.ascontiguousarray(images), labels)
    classes = (folder / "class_names.txt").read_text().split()
    return ImageDataset(*splits["train"], *splits["test"], class_names=classes)


def stl10_format(facts: Downloaded) -> RemoteSource:
    dataset_class = _torchvision_class(facts)
    inner = {n: m for n, m in dataset_class.train_list + dataset_class.test_list}
    return RemoteSource(
        facts.name,
        (RemoteFile(dataset_class.url, dataset_class.filename, dataset_class.tgz_md5),),
        dict(facts.split_sizes),
        _read_stl10,
        inner_md5=inner,
        extra={"base_folder": dataset_class.base_folder},
    )


# --- Image folders inside an archive: Imagenette and TinyImageNet ----------------------


def _stack(paths_and_labels, shape, what: str):
    if not paths_and_labels:
        raise DataError(f"{what}: no images found")
    images = [decode_image(path, shape) for path, _ in paths_and_labels]
    if len({image.shape for image in images}) > 1:
        raise DataError(
            f"{what}: images differ in size; set 'shape' for this dataset in the config"
        )
    return np.stack(images), np.array([label for _, label in paths_and_labels], dtype=np.int64)


def _read_imagenette(source: RemoteSource, directory: Path, shape) -> ImageDataset:
    root = extract(directory / source.files[0].filename, directory / "extracted")
    folder = next(
        (p for p in root.iterdir() if p.is_dir() and p.name.startswith("imagenette2")), None
    )
    if folder is None:
        raise DataError(f"{root} holds no imagenette2* folder: the archive is not Imagenette")
    wnids = sorted(p.name for p in (folder / "train").iterdir() if p.is_dir())
    splits = {}
    for split, subdir in (("train", "train"), ("test", "val")):
        items = [
            (path, wnids.index(path.parent.name))
            for path in sorted((folder / subdir).glob("*/*.JPEG"))
        ]
        splits[split] = _stack(items, shape, f"imagenette {subdir}")
    names = [
        tv.Imagenette._WNID_TO_CLASS[w][0] if w in tv.Imagenette._WNID_TO_CLASS else w
        for w in wnids
    ]
    return ImageDataset(*splits["train"], *splits["test"], class_names=names)


def imagenette_format(facts: Downloaded) -> RemoteSource:
    url, md5 = _torchvision_class(facts)._ARCHIVES[facts.files.archive]
    return RemoteSource(
        facts.name,
        (RemoteFile(url, url.rsplit("/", 1)[-1], md5),),
        dict(facts.split_sizes),
        _read_imagenette,
    )


def _read_tinyimagenet(source: RemoteSource, directory: Path, shape) -> ImageDataset:
    folder = (
        extract(directory / source.files[0].filename, directory / "extracted") / "tiny-imagenet-200"
    )
    if not (folder / "wnids.txt").exists():
        raise DataError(f"{folder}/wnids.txt missing: the archive is not TinyImageNet-200")
    wnids = (folder / "wnids.txt").read_text().split()
    index = {w: i for i, w in enumerate(wnids)}
    train = [
        (path, index[path.parent.parent.name])
        for path in sorted((folder / "train").glob("*/images/*.JPEG"))
    ]
    # The official test split has no labels; the validation split, labelled in its
    # annotations file, is the test set everybody reports on.
    annotations = [
        line.split("\t")
        for line in (folder / "val" / "val_annotations.txt").read_text().splitlines()
        if line
    ]
    test = [(folder / "val" / "images" / fields[0], index[fields[1]]) for fields in annotations]
    words = (
        dict(
            line.split("\t", 1)
            for line in (folder / "words.txt").read_text().splitlines()
            if "\t" in line
        )
        if (folder / "words.txt").exists()
        else {}
    )
    return ImageDataset(
        *_stack(train, shape, "tinyimagenet train"),
        *_stack(test, shape, "tinyimagenet val"),
        class_names=[words.get(w, w).split(",")[0].strip() for w in wnids],
    )


def tinyimagenet_format(facts: Downloaded) -> RemoteSource:
    if isinstance(facts.files, FromTorchvision):
        raise CatalogError(
            f"dataset source {facts.name!r} in {CATALOG_FILE}: the TinyImageNet format "
            f"reads files the catalog lists as Hosted(url, md5), not from torchvision"
        )
    files = tuple(RemoteFile(f.url, f.url.rsplit("/", 1)[-1], f.md5) for f in facts.files)
    return RemoteSource(facts.name, files, dict(facts.split_sizes), _read_tinyimagenet)


def _torchvision_class(facts: Downloaded):
    """The torchvision dataset class whose URLs and md5s a download uses."""
    if not isinstance(facts.files, FromTorchvision):
        raise CatalogError(
            f"dataset source {facts.name!r} in {CATALOG_FILE}: its format reads the files' "
            f"URLs and md5s from torchvision; set files=FromTorchvision(<class name>)"
        )
    try:
        return getattr(tv, facts.files.dataset_class)
    except AttributeError as error:
        raise CatalogError(
            f"dataset source {facts.name!r} in {CATALOG_FILE}: torchvision.datasets has no "
            f"{facts.files.dataset_class!r}"
        ) from error


REMOTE_SOURCES: dict[str, RemoteSource] = {
    name: resolve(facts, "format")(facts) for name, facts in downloaded_sources().items()
}
