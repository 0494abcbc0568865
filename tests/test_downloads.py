"""The real download, verify, extract and parse code, against a local HTTP server."""

import io
import tarfile
from dataclasses import replace

import fake_archives as fake
import numpy as np
import pytest
from lbr.data.download import RemoteFile, extract, fetch
from lbr.data.format import check_split_sizes
from lbr.errors import ChecksumError, DataError


def _acquire(source, served_url, tmp_path, shape=None):
    source.download(tmp_path / "downloads", served_url)
    dataset = source.decode(tmp_path / "downloads", shape)
    check_split_sizes(dataset, source.split_sizes, source.name)
    return dataset


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "kmnist"])
def test_mnist_family(http_server, tmp_path, name):
    served, url = http_server
    source = fake.mnist_like(name, served)
    dataset = _acquire(source, url, tmp_path)
    assert dataset.train_images.shape == (12, 28, 28, 1) and dataset.test_images.shape == (
        6,
        28,
        28,
        1,
    )
    assert list(dataset.train_labels[:3]) == [0, 1, 2] and len(dataset.class_names) == 10


def test_cifar10_batches_parsed_after_checksum(http_server, tmp_path):
    served, url = http_server
    dataset = _acquire(fake.cifar10(served), url, tmp_path)
    assert dataset.train_images.shape == (20, 32, 32, 3) and dataset.test_images.shape == (
        4,
        32,
        32,
        3,
    )
    assert dataset.class_names[3] == "class3"


def test_cifar_batch_with_wrong_checksum_is_never_unpickled(http_server, tmp_path):
    served, url = http_server
    source = fake.cifar10(served)
    inner = dict(source.inner_md5, data_batch_1="0" * 32)
    with pytest.raises(ChecksumError, match="data_batch_1"):
        _acquire(replace(source, inner_md5=inner), url, tmp_path)


def test_cifar_unpickler_refuses_code(http_server, tmp_path):
    import pickle

    from lbr.data.remote import _ArrayUnpickler

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        _ArrayUnpickler(io.BytesIO(pickle.dumps(Evil()))).load()


def test_svhn(http_server, tmp_path):
    served, url = http_server
    dataset = _acquire(fake.svhn(served), url, tmp_path)
    assert dataset.train_images.shape == (7, 32, 32, 3)
    np.testing.assert_array_equal(dataset.train_labels, np.arange(7))  # SVHN's label 10 is digit 0


def test_stl10(http_server, tmp_path):
    served, url = http_server
    dataset = _acquire(fake.stl10(served), url, tmp_path)
    assert dataset.train_images.shape == (3, 96, 96, 3) and list(dataset.test_labels) == [0, 1]


def test_imagenette_resized(http_server, tmp_path):
    served, url = http_server
    dataset = _acquire(fake.imagenette(served), url, tmp_path, shape=[16, 16, 3])
    assert dataset.train_images.shape == (6, 16, 16, 3) and dataset.test_images.shape == (
        4,
        16,
        16,
        3,
    )
    assert dataset.class_names == ["tench", "English springer"]


def test_tinyimagenet_val_split_from_annotations(http_server, tmp_path):
    served, url = http_server
    dataset = _acquire(fake.tinyimagenet(served), url, tmp_path)
    assert dataset.train_images.shape == (6, 64, 64, 3)
    assert list(dataset.test_labels) == [0, 1, 2, 0, 1, 2]
    assert dataset.class_names == ["thing 0", "thing 1", "thing 2"]


def test_wrong_checksum_keeps_the_file_aside(http_server, tmp_path):
    served, url = http_server
    (served / "data.bin").write_bytes(b"payload")
    target = tmp_path / "dl"
    with pytest.raises(ChecksumError, match="expected md5"):
        fetch(RemoteFile(f"{url}/data.bin", "data.bin", "0" * 32), target)
    assert not (target / "data.bin").exists() and (target / "data.bin.corrupt").exists()


def test_corrupt_archive_with_matching_checksum_fails_clearly(http_server, tmp_path):
    served, url = http_server
    source = fake.cifar10(served)
    archive = served / source.files[0].filename
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])  # truncated
    truncated = replace(source, files=(replace(source.files[0], md5=fake.md5(archive)),))
    with pytest.raises(DataError, match="corrupt or truncated"):
        _acquire(truncated, url, tmp_path)
    assert not any(p.name.endswith(".partial") for p in (tmp_path / "downloads").iterdir())


def test_wrong_split_size_is_refused(http_server, tmp_path):
    served, url = http_server
    source = replace(fake.mnist_like("mnist", served), split_sizes={"train": 60000, "test": 10000})
    with pytest.raises(DataError, match="expected 60000"):
        _acquire(source, url, tmp_path)


def test_unreachable_host_says_how_to_proceed(tmp_path):
    remote = RemoteFile("http://127.0.0.1:9/none.gz", "none.gz", "0" * 32)
    with pytest.raises(DataError, match="copy none.gz into"):
        fetch(remote, tmp_path, timeout_s=2)


@pytest.mark.parametrize("member", ["../escape.txt", "/etc/passwd-lbr", "a/../../escape.txt"])
def test_path_traversal_is_refused(tmp_path, member):
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as bundle:
        fake._add(bundle, member, b"x")
    with pytest.raises(DataError, match="outside"):
        extract(archive, tmp_path / "out")
    assert not (tmp_path / "escape.txt").exists()


def test_symlink_members_are_refused(tmp_path):
    archive = tmp_path / "link.tar"
    with tarfile.open(archive, "w") as bundle:
        info = tarfile.TarInfo("link")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        bundle.addfile(info)
    with pytest.raises(DataError, match="link"):
        extract(archive, tmp_path / "out")


def test_zip_path_traversal_is_refused(tmp_path):
    import zipfile

    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("../escape.txt", "x")
    with pytest.raises(DataError, match="outside"):
        extract(archive, tmp_path / "out")


def test_verified_file_is_reused_without_network(http_server, tmp_path):
    served, url = http_server
    source = fake.mnist_like("mnist", served)
    first = _acquire(source, url, tmp_path)
    for path in served.iterdir():
        path.unlink()  # the server now has nothing: a second acquire must not need it
    second = _acquire(source, url, tmp_path)
    np.testing.assert_array_equal(first.train_images, second.train_images)
