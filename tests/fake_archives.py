"""Small files in the real formats of each downloadable dataset, for download tests.

Each builder writes its files into a served directory and returns a RemoteSource
equal to the registry's entry except for the file checksums and split sizes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import tarfile
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
from lbr.data.download import RemoteFile
from lbr.data.remote import REMOTE_SOURCES, RemoteSource
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


def _with_files(name: str, served: Path, names: list[str], sizes: dict, inner=None) -> RemoteSource:
    registry = REMOTE_SOURCES[name]
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
    names = [f.filename for f in REMOTE_SOURCES[name].files]
    return _with_files(name, served, names, {"train": n_train, "test": n_test})


def _add(bundle: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    bundle.addfile(info, io.BytesIO(payload))


def cifar10(served: Path, per_batch=4) -> RemoteSource:
    registry = REMOTE_SOURCES["cifar10"]
    folder = registry.extra["base_folder"]
    inner, payloads = {}, {}
    for i, name in enumerate(registry.extra["train"] + registry.extra["test"]):
        batch = {
            "data": RNG.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8),
            "labels": [(i + j) % 10 for j in range(per_batch)],
        }
        payloads[name] = pickle.dumps(batch)
    meta_name = registry.extra["meta"][0]
    payloads[meta_name] = pickle.dumps({"label_names": [f"class{c}" for c in range(10)]})
    archive = served / registry.files[0].filename
    with tarfile.open(archive, "w:gz") as bundle:
        for name, payload in payloads.items():
            _add(bundle, f"{folder}/{name}", payload)
            inner[name] = hashlib.md5(payload).hexdigest()
    sizes = {
        "train": per_batch * len(registry.extra["train"]),
        "test": per_batch * len(registry.extra["test"]),
    }
    return _with_files("cifar10", served, [archive.name], sizes, inner)


def svhn(served: Path) -> RemoteSource:
    from scipy.io import savemat

    for remote, n in zip(REMOTE_SOURCES["svhn"].files, (7, 5)):
        savemat(
            served / remote.filename,
            {
                "X": RNG.integers(0, 256, size=(32, 32, 3, n), dtype=np.uint8),
                "y": np.where(np.arange(n) % 10 == 0, 10, np.arange(n) % 10)
                .reshape(-1, 1)
                .astype(np.uint8),
            },
        )
    return _with_files(
        "svhn", served, [f.filename for f in REMOTE_SOURCES["svhn"].files], {"train": 7, "test": 5}
    )


def stl10(served: Path) -> RemoteSource:
    registry = REMOTE_SOURCES["stl10"]
    folder = registry.extra["base_folder"]
    inner = {}
    archive = served / registry.files[0].filename
    with tarfile.open(archive, "w:gz") as bundle:
        for split, n in (("train", 3), ("test", 2)):
            for suffix, payload in (
                ("X", RNG.integers(0, 256, size=n * 3 * 96 * 96, dtype=np.uint8).tobytes()),
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
    registry = REMOTE_SOURCES["imagenette_160"]
    archive = served / registry.files[0].filename
    wnids = ["n01440764", "n02102040"]
    with tarfile.open(archive, "w:gz") as bundle:
        for subdir, n in (("train", 3), ("val", 2)):
            for wnid in wnids:
                for i in range(n):
                    _add(bundle, f"imagenette2-160/{subdir}/{wnid}/img{i}.JPEG", _jpeg())
    return _with_files("imagenette_160", served, [archive.name], {"train": 6, "test": 4})


def tinyimagenet(served: Path) -> RemoteSource:
    registry = REMOTE_SOURCES["tinyimagenet"]
    archive = served / registry.files[0].filename
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
