"""Each catalog entry states its dataset's documented facts: the format or loader that
reads it, where its files come from, its images' native shape and its split sizes.
The expected values are the datasets' published ones, written out here by hand."""

import pytest
from lbr.data import catalog
from lbr.data.catalog import VARIES, Downloaded, FromTorchvision, Hosted

pytestmark = pytest.mark.usefixtures("catalog_built_now")

MNIST = {"train": 60000, "test": 10000}
CIFAR = {"train": 50000, "test": 10000}
IMAGENETTE = {"train": 9469, "test": 3925}

DOWNLOADS = {
    "mnist": ("mnist_format", FromTorchvision("MNIST"), (28, 28, 1), MNIST, {}),
    "fashion_mnist": ("mnist_format", FromTorchvision("FashionMNIST"), (28, 28, 1), MNIST, {}),
    "kmnist": ("mnist_format", FromTorchvision("KMNIST"), (28, 28, 1), MNIST, {}),
    "cifar10": (
        "cifar_format",
        FromTorchvision("CIFAR10"),
        (32, 32, 3),
        CIFAR,
        {"label_key": "labels"},
    ),
    "cifar100": (
        "cifar_format",
        FromTorchvision("CIFAR100"),
        (32, 32, 3),
        CIFAR,
        {"label_key": "fine_labels"},
    ),
    "svhn": (
        "svhn_format",
        FromTorchvision("SVHN"),
        (32, 32, 3),
        {"train": 73257, "test": 26032},
        {},
    ),
    "stl10": (
        "stl10_format",
        FromTorchvision("STL10"),
        (96, 96, 3),
        {"train": 5000, "test": 8000},
        {},
    ),
    "imagenette": (
        "imagenette_format",
        FromTorchvision("Imagenette", "full"),
        VARIES,
        IMAGENETTE,
        {},
    ),
    "imagenette_320": (
        "imagenette_format",
        FromTorchvision("Imagenette", "320px"),
        VARIES,
        IMAGENETTE,
        {},
    ),
    "imagenette_160": (
        "imagenette_format",
        FromTorchvision("Imagenette", "160px"),
        VARIES,
        IMAGENETTE,
        {},
    ),
    "tinyimagenet": (
        "tinyimagenet_format",
        (
            Hosted(
                "http://cs231n.stanford.edu/tiny-imagenet-200.zip",
                "90528d7ca1a48142e341f4ef8d21d0de",
            ),
        ),
        (64, 64, 3),
        {"train": 100000, "test": 10000},
        {},
    ),
}


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_each_download_states_its_published_facts(name):
    format_, files, shape, sizes, reader_options = DOWNLOADS[name]
    entry = catalog.SOURCES[name]
    assert isinstance(entry, Downloaded) and entry.name == name
    assert entry.format == f"lbr.data.remote:{format_}"
    assert entry.files == files
    assert entry.native_shape == shape
    assert dict(entry.split_sizes) == sizes
    assert dict(entry.reader_options) == reader_options
    assert entry.options == {} and entry.required_options == () and not entry.applies_subset


def test_the_downloads_are_exactly_these():
    assert sorted(catalog.downloaded_sources()) == sorted(DOWNLOADS)
