"""Downloadable datasets: official URLs and md5 checksums, format readers.

URLs and checksums of the torchvision datasets are read from torchvision's own
dataset classes, the maintained source of truth; TinyImageNet, which torchvision
lacks, carries its own. Every file is verified before it is parsed; CIFAR's
pickled batches are unpickled only after their checksum matched, and then with an
unpickler that admits nothing but numpy arrays and builtin containers.
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
from .catalog import REMOTE_CATALOG
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
    # Images of varying size: the config entry must set `shape` (see registry.needs_shape).
    needs_shape: bool = False

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


def _mnist_family(name: str, dataset_class) -> RemoteSource:
    mirror = dataset_class.mirrors[0]
    files = tuple(
        RemoteFile(url=f"{mirror}{filename}", filename=filename, md5=md5)
        for filename, md5 in dataset_class.resources
    )
    return RemoteSource(
        name,
        files,
        REMOTE_CATALOG[name][1],
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


def _cifar(name: str, dataset_class, label_key: str) -> RemoteSource:
    inner = {n: m for n, m in dataset_class.train_list + dataset_class.test_list}
    inner[dataset_class.meta["filename"]] = dataset_class.meta["md5"]
    return RemoteSource(
        name,
        (RemoteFile(dataset_class.url, dataset_class.filename, dataset_class.tgz_md5),),
        REMOTE_CATALOG[name][1],
        _read_cifar,
        inner_md5=inner,
        extra={
            "base_folder": dataset_class.base_folder,
            "label_key": label_key,
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


def _svhn() -> RemoteSource:
    files = tuple(RemoteFile(*tv.SVHN.split_list[split]) for split in ("train", "test"))
    return RemoteSource("svhn", files, REMOTE_CATALOG["svhn"][1], _read_svhn)


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


def _stl10() -> RemoteSource:
    inner = {n: m for n, m in tv.STL10.train_list + tv.STL10.test_list}
    return RemoteSource(
        "stl10",
        (RemoteFile(tv.STL10.url, tv.STL10.filename, tv.STL10.tgz_md5),),
        REMOTE_CATALOG["stl10"][1],
        _read_stl10,
        inner_md5=inner,
        extra={"base_folder": tv.STL10.base_folder},
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


def _imagenette(name: str, size: str) -> RemoteSource:
    url, md5 = tv.Imagenette._ARCHIVES[size]
    return RemoteSource(
        name,
        (RemoteFile(url, url.rsplit("/", 1)[-1], md5),),
        REMOTE_CATALOG[name][1],
        _read_imagenette,
        needs_shape=True,
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


TINYIMAGENET = RemoteSource(
    "tinyimagenet",
    (
        RemoteFile(
            "http://cs231n.stanford.edu/tiny-imagenet-200.zip",
            "tiny-imagenet-200.zip",
            "90528d7ca1a48142e341f4ef8d21d0de",
        ),
    ),
    REMOTE_CATALOG["tinyimagenet"][1],
    _read_tinyimagenet,
)


REMOTE_SOURCES: dict[str, RemoteSource] = {
    "mnist": _mnist_family("mnist", tv.MNIST),
    "fashion_mnist": _mnist_family("fashion_mnist", tv.FashionMNIST),
    "kmnist": _mnist_family("kmnist", tv.KMNIST),
    "cifar10": _cifar("cifar10", tv.CIFAR10, "labels"),
    "cifar100": _cifar("cifar100", tv.CIFAR100, "fine_labels"),
    "svhn": _svhn(),
    "stl10": _stl10(),
    "imagenette": _imagenette("imagenette", "full"),
    "imagenette_320": _imagenette("imagenette_320", "320px"),
    "imagenette_160": _imagenette("imagenette_160", "160px"),
    "tinyimagenet": TINYIMAGENET,
}
