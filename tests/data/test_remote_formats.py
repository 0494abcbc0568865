"""Each downloadable source's format, built at test time from its catalog entry, names
the files its dataset's hosts publish: URL, file name and md5 of every download, the
member names and checksums inside the archives, and what the reader needs to find them.

The expected values are the hosts' published ones, written out here by hand (torchvision
carries the same facts; the formats read them from it, so a format that reads the wrong
attribute, index or split fails here).
"""

from dataclasses import replace

import pytest
from lbr.data.catalog import CatalogError, FromTorchvision, Hosted, downloaded_sources, resolve
from lbr.data.download import RemoteFile
from lbr.data.remote import (
    cifar_format,
    imagenette_format,
    mnist_format,
    svhn_format,
    tinyimagenet_format,
)


def built(name):
    facts = downloaded_sources()[name]
    return resolve(facts, "format")(facts)


MNIST_FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
MNIST_FILES += ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


@pytest.mark.parametrize(
    ("name", "host", "md5s", "first_class"),
    [
        (
            "mnist",
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            [
                "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                "d53e105ee54ea40749a09fcbcd1e9432",
                "9fb629c4189551a2d022fa330f9573f3",
                "ec29112dd5afa0611ce80d1b7f02629c",
            ],
            "0 - zero",
        ),
        (
            "fashion_mnist",
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            [
                "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                "25c81989df183df01b3e8a0aad5dffbe",
                "bef4ecab320f06d8554ea6380940ec79",
                "bb300cfdad3c16e7a12a480ee83cd310",
            ],
            "T-shirt/top",
        ),
        (
            "kmnist",
            "http://codh.rois.ac.jp/kmnist/dataset/kmnist/",
            [
                "bdb82020997e1d708af4cf47b453dcf7",
                "e144d726b3acfaa3e44228e80efcd344",
                "5c965bf0a639b31b8f53240b1b52f4d7",
                "7320c461ea6c1c855c0b718fb2a4b134",
            ],
            "o",
        ),
    ],
)
def test_mnist_family_four_idx_files_from_the_first_mirror(name, host, md5s, first_class):
    source = built(name)
    expected = tuple(
        RemoteFile(host + filename, filename, md5) for filename, md5 in zip(MNIST_FILES, md5s)
    )
    assert source.name == name and source.files == expected
    assert source.split_sizes == {"train": 60000, "test": 10000}
    assert len(source.extra["classes"]) == 10 and source.extra["classes"][0] == first_class
    assert source.inner_md5 is None


def test_cifar10_archive_batches_and_meta():
    source = built("cifar10")
    assert source.name == "cifar10"
    assert source.files == (
        RemoteFile(
            "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
            "cifar-10-python.tar.gz",
            "c58f30108f718f92721af3b95e74349a",
        ),
    )
    assert source.inner_md5 == {
        "data_batch_1": "c99cafc152244af753f735de768cd75f",
        "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
        "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
        "data_batch_4": "634d18415352ddfa80567beed471001a",
        "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
        "test_batch": "40351d587109b95175f43aff81a1287e",
        "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
    }
    assert source.extra == {
        "base_folder": "cifar-10-batches-py",
        "label_key": "labels",
        "train": [f"data_batch_{i}" for i in range(1, 6)],
        "test": ["test_batch"],
        "meta": ("batches.meta", "label_names"),
    }
    assert source.split_sizes == {"train": 50000, "test": 10000}


def test_cifar100_reads_the_fine_labels_and_their_names():
    source = built("cifar100")
    assert source.files == (
        RemoteFile(
            "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
            "cifar-100-python.tar.gz",
            "eb9058c3a382ffc7106e4002c42a8d85",
        ),
    )
    assert source.inner_md5 == {
        "train": "16019d7e3df5f24257cddd939b257f8d",
        "test": "f0ef6b0ae62326f3e7ffdfab6717acfc",
        "meta": "7973b15100ade9c7d40fb424638fde48",
    }
    assert source.extra == {
        "base_folder": "cifar-100-python",
        "label_key": "fine_labels",
        "train": ["train"],
        "test": ["test"],
        "meta": ("meta", "fine_label_names"),
    }


def test_svhn_train_and_test_but_not_extra():
    source = built("svhn")
    assert source.name == "svhn"
    host = "http://ufldl.stanford.edu/housenumbers/"
    assert source.files == (
        RemoteFile(host + "train_32x32.mat", "train_32x32.mat", "e26dedcc434d2e4c54c9b2d4a06d8373"),
        RemoteFile(host + "test_32x32.mat", "test_32x32.mat", "eb5a983be6a315427106f1b164d9cef3"),
    )
    assert source.split_sizes == {"train": 73257, "test": 26032}
    assert source.inner_md5 is None and source.extra is None


def test_stl10_labelled_splits_checked_inside_the_archive():
    source = built("stl10")
    assert source.name == "stl10"
    assert source.files == (
        RemoteFile(
            "http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz",
            "stl10_binary.tar.gz",
            "91f7769df0f17e558f3565bffb0c7dfb",
        ),
    )
    # the unlabelled split is listed among torchvision's training files; it is never read
    assert {name: source.inner_md5[name] for name in ("train_X.bin", "train_y.bin")} == {
        "train_X.bin": "918c2871b30a85fa023e0c44e0bee87f",
        "train_y.bin": "5a34089d4802c674881badbb80307741",
    }
    assert source.inner_md5["test_X.bin"] == "7f263ba9f9e0b06b93213547f721ac82"
    assert source.inner_md5["test_y.bin"] == "36f9794fa4beb8a2c72628de14fa638e"
    assert source.extra == {"base_folder": "stl10_binary"}
    assert source.split_sizes == {"train": 5000, "test": 8000}


@pytest.mark.parametrize(
    ("name", "archive", "md5"),
    [
        ("imagenette", "imagenette2.tgz", "fe2fc210e6bb7c5664d602c3cd71e612"),
        ("imagenette_320", "imagenette2-320.tgz", "3df6f0d01a2c9592104656642f5e78a3"),
        ("imagenette_160", "imagenette2-160.tgz", "e793b78cc4c9e9a4ccc0c1155377a412"),
    ],
)
def test_imagenette_one_archive_per_resolution(name, archive, md5):
    source = built(name)
    url = "https://s3.amazonaws.com/fast-ai-imageclas/" + archive
    assert source.files == (RemoteFile(url, archive, md5),)
    assert source.name == name and source.split_sizes == {"train": 9469, "test": 3925}


def test_tinyimagenet_hosted_file_named_after_its_url():
    source = built("tinyimagenet")
    assert source.files == (
        RemoteFile(
            "http://cs231n.stanford.edu/tiny-imagenet-200.zip",
            "tiny-imagenet-200.zip",
            "90528d7ca1a48142e341f4ef8d21d0de",
        ),
    )
    assert source.name == "tinyimagenet"
    assert source.split_sizes == {"train": 100000, "test": 10000}


def test_the_split_sizes_are_a_copy_of_the_catalog_entry():
    source = built("svhn")
    source.split_sizes["train"] = 1
    assert downloaded_sources()["svhn"].split_sizes["train"] == 73257


# --- a catalog entry whose files do not suit its format -------------------------------


def test_a_torchvision_format_refuses_hosted_files_naming_the_entry_and_the_fix():
    facts = replace(downloaded_sources()["mnist"], files=(Hosted("http://h/x.gz", "0" * 32),))
    with pytest.raises(CatalogError) as caught:
        mnist_format(facts)
    message = str(caught.value)
    assert "'mnist'" in message and "catalog" in message
    assert "set files=FromTorchvision(<class name>)" in message


def test_an_unknown_torchvision_class_is_named():
    facts = replace(downloaded_sources()["cifar10"], files=FromTorchvision("CIFAR11"))
    with pytest.raises(CatalogError, match="torchvision.datasets has no 'CIFAR11'") as caught:
        cifar_format(facts)
    assert "'cifar10'" in str(caught.value)
    assert isinstance(caught.value.__cause__, AttributeError)


@pytest.mark.parametrize("format_", [svhn_format, imagenette_format])
def test_other_torchvision_formats_refuse_hosted_files(format_):
    facts = replace(downloaded_sources()["svhn"], files=(Hosted("http://h/x", "0" * 32),))
    with pytest.raises(CatalogError, match="FromTorchvision"):
        format_(facts)


def test_the_tinyimagenet_format_refuses_torchvision_files():
    facts = replace(downloaded_sources()["tinyimagenet"], files=FromTorchvision("Imagenette"))
    with pytest.raises(CatalogError) as caught:
        tinyimagenet_format(facts)
    message = str(caught.value)
    assert "'tinyimagenet'" in message and "Hosted(url, md5)" in message
