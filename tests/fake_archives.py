"""Small files in the real formats of each downloadable dataset, for download tests.

Each builder writes its files into a served directory and returns the RemoteSource its
catalog entry's format builds (called at test time, not the import-time registry),
except for the file checksums and split sizes. The member names and layouts inside the
archives are written here by hand from the datasets' own documentation, so a format or
reader that looks for another name fails; CIFAR's batches are Python 2 pickles, as the
real ones are.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import struct
import tarfile
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
from lbr.data.catalog import downloaded_sources, resolve
from lbr.data.download import RemoteFile
from lbr.data.remote import RemoteSource
from PIL import Image

RNG = np.random.default_rng(0)


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def idx_bytes(array: np.ndarray) -> bytes:
    code = {np.dtype(np.uint8): 0x08}[array.dtype]
    header = bytes([0, 0, code, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    return header + array.tobytes()


def registry_entry(name: str) -> RemoteSource:
    """The RemoteSource the catalog entry's format builds, now."""
    facts = downloaded_sources()[name]
    return resolve(facts, "format")(facts)


def _with_files(name: str, served: Path, names: list[str], sizes: dict, inner=None) -> RemoteSource:
    registry = registry_entry(name)
    files = [
        RemoteFile(f.url, f.filename, md5(served / f.filename))
        for f in registry.files
        if f.filename in names
    ]
    return replace(
        registry, files=tuple(files), split_sizes=sizes, inner_md5=inner or registry.inner_md5
    )


def mnist_like(name: str, served: Path, n_train=12, n_test=6) -> RemoteSource:
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = RNG.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        (served / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images)))
        (served / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    names = [f.filename for f in registry_entry(name).files]
    return _with_files(name, served, names, {"train": n_train, "test": n_test})


def _add(bundle: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    bundle.addfile(info, io.BytesIO(payload))


# Python 2 pickles (protocol 2), as CIFAR's batches are: strings are byte strings that
# only encoding="latin1" reads back as the keys and the arrays' raw bytes.
def _py2_string(text: str | bytes) -> bytes:
    raw = text.encode("latin1") if isinstance(text, str) else text
    if len(raw) < 256:
        return b"U" + bytes([len(raw)]) + raw
    return b"T" + struct.pack("<i", len(raw)) + raw


def _py2_int(value: int) -> bytes:
    return b"K" + bytes([value]) if 0 <= value < 256 else b"J" + struct.pack("<i", value)


def _py2_uint8_array(array: np.ndarray) -> bytes:
    empty = b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n" + _py2_int(0)
    empty += b"\x85" + _py2_string("b") + b"\x87R"
    dtype = b"cnumpy\ndtype\n" + _py2_string("u1") + _py2_int(0) + _py2_int(1) + b"\x87R"
    dtype += b"(" + _py2_int(3) + _py2_string("|") + b"NNN" + _py2_int(-1) + _py2_int(-1)
    dtype += _py2_int(0) + b"tb"
    shape = b"(" + b"".join(_py2_int(d) for d in array.shape) + b"t"
    state = b"(" + _py2_int(1) + shape + dtype + b"\x89" + _py2_string(array.tobytes()) + b"tb"
    return empty + state


def _py2_value(value) -> bytes:
    if isinstance(value, np.ndarray):
        return _py2_uint8_array(value)
    if isinstance(value, list):
        return b"](" + b"".join(_py2_value(item) for item in value) + b"e"
    return _py2_int(value) if isinstance(value, int) else _py2_string(value)


def py2_pickle(content: dict) -> bytes:
    body = b"".join(_py2_string(key) + _py2_value(value) for key, value in content.items())
    return b"\x80\x02}(" + body + b"u."


def cifar_images(first_value: int, count: int) -> np.ndarray:
    """CIFAR rows (count, 3072): each image's red, green and blue 32×32 planes, row-major."""
    return ((first_value + np.arange(count * 3072)) % 251).astype(np.uint8).reshape(count, 3072)


# The real archives' layout: folder, batches (train, then test), meta file, label keys.
CIFAR_LAYOUT = {
    "cifar10": (
        "cifar-10-batches-py",
        [f"data_batch_{i}" for i in range(1, 6)],
        ["test_batch"],
        "batches.meta",
        "labels",
        "label_names",
    ),
    "cifar100": (
        "cifar-100-python",
        ["train"],
        ["test"],
        "meta",
        "fine_labels",
        "fine_label_names",
    ),
}


def cifar(name: str, served: Path, per_batch=4) -> RemoteSource:
    folder, train, test, meta, label_key, names_key = CIFAR_LAYOUT[name]
    classes = 10 if name == "cifar10" else 100
    inner, payloads = {}, {}
    for i, batch in enumerate(train + test):
        payloads[batch] = py2_pickle(
            {
                "batch_label": f"batch {i}",
                label_key: [(i + j) % classes for j in range(per_batch)],
                "data": cifar_images(i * per_batch, per_batch),
                "coarse_labels" if name == "cifar100" else "filenames": [0] * per_batch,
            }
        )
    payloads[meta] = py2_pickle({names_key: [f"class{c}" for c in range(classes)]})
    archive = served / registry_entry(name).files[0].filename
    with tarfile.open(archive, "w:gz") as bundle:
        for batch, payload in payloads.items():
            _add(bundle, f"{folder}/{batch}", payload)
            inner[batch] = hashlib.md5(payload).hexdigest()
    sizes = {"train": per_batch * len(train), "test": per_batch * len(test)}
    return _with_files(name, served, [archive.name], sizes, inner)


def cifar10(served: Path, per_batch=4) -> RemoteSource:
    return cifar("cifar10", served, per_batch)


def svhn_pixels(count: int) -> np.ndarray:
    """SVHN's X as stored: (32, 32, 3, count), the image index last."""
    return (np.arange(32 * 32 * 3 * count) % 253).astype(np.uint8).reshape(32, 32, 3, count)


def svhn(served: Path) -> RemoteSource:
    from scipy.io import savemat

    for remote, n in zip(registry_entry("svhn").files, (7, 5)):
        savemat(
            served / remote.filename,
            {
                "X": svhn_pixels(n),
                "y": np.where(np.arange(n) % 10 == 0, 10, np.arange(n) % 10)
                .reshape(-1, 1)
                .astype(np.uint8),
            },
        )
    return _with_files(
        "svhn", served, [f.filename for f in registry_entry("svhn").files], {"train": 7, "test": 5}
    )


def stl10_bytes(split: str, count: int) -> bytes:
    """STL-10 images as stored: per image, the three 96×96 planes, each column-major."""
    first = 0 if split == "train" else 7
    return ((first + np.arange(count * 3 * 96 * 96)) % 251).astype(np.uint8).tobytes()


def stl10(served: Path) -> RemoteSource:
    folder = "stl10_binary"
    inner = {}
    archive = served / registry_entry("stl10").files[0].filename
    with tarfile.open(archive, "w:gz") as bundle:
        for split, n in (("train", 3), ("test", 2)):
            for suffix, payload in (
                ("X", stl10_bytes(split, n)),
                ("y", (np.arange(n) % 10 + 1).astype(np.uint8).tobytes()),
            ):
                _add(bundle, f"{folder}/{split}_{suffix}.bin", payload)
                inner[f"{split}_{suffix}.bin"] = hashlib.md5(payload).hexdigest()
        _add(bundle, f"{folder}/class_names.txt", "\n".join(f"c{c}" for c in range(10)).encode())
    return _with_files("stl10", served, [archive.name], {"train": 3, "test": 2}, inner)


def _jpeg(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(RNG.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)).save(
        buffer, format="JPEG"
    )
    return buffer.getvalue()


def imagenette(served: Path) -> RemoteSource:
    archive = served / registry_entry("imagenette_160").files[0].filename
    wnids = ["n01440764", "n02102040"]
    with tarfile.open(archive, "w:gz") as bundle:
        for subdir, n in (("train", 3), ("val", 2)):
            for wnid in wnids:
                for i in range(n):
                    _add(bundle, f"imagenette2-160/{subdir}/{wnid}/img{i}.JPEG", _jpeg())
    return _with_files("imagenette_160", served, [archive.name], {"train": 6, "test": 4})


def tinyimagenet(served: Path) -> RemoteSource:
    archive = served / registry_entry("tinyimagenet").files[0].filename
    wnids = ["n01443537", "n01629819", "n01641577"]
    with zipfile.ZipFile(archive, "w") as bundle:
        root = "tiny-imagenet-200"
        bundle.writestr(f"{root}/wnids.txt", "\n".join(wnids) + "\n")
        bundle.writestr(
            f"{root}/words.txt", "".join(f"{w}\tthing {i}, other\n" for i, w in enumerate(wnids))
        )
        for wnid in wnids:
            for i in range(2):
                bundle.writestr(f"{root}/train/{wnid}/images/{wnid}_{i}.JPEG", _jpeg((64, 64)))
        lines = []
        for i, wnid in enumerate(wnids * 2):
            bundle.writestr(f"{root}/val/images/val_{i}.JPEG", _jpeg((64, 64)))
            lines.append(f"val_{i}.JPEG\t{wnid}\t0\t0\t63\t63")
        bundle.writestr(f"{root}/val/val_annotations.txt", "\n".join(lines) + "\n")
    return _with_files("tinyimagenet", served, [archive.name], {"train": 6, "test": 6})
