"""The downloadable sources' readers, against fake archives served by a local HTTP server;
a dataset is decoded from the downloaded raw files and never touches the network."""

import io
from dataclasses import replace

import fake_archives as fake
import numpy as np
import pytest
from lbr.errors import ChecksumError
from support import download_and_decode as _acquire


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
