"""Each downloadable source's reader puts every stored byte at the pixel its dataset's
documentation says, reads the labels and class names the dataset stores, and refuses a
broken download with a message naming it.

The oracles index the stored bytes directly (CIFAR: plane, row, column; STL-10: plane,
column, row; SVHN: image index last), independent of the reshapes the readers use.
"""

import tarfile
import zipfile

import fake_archives as fake
import numpy as np
import pytest
from lbr.errors import ChecksumError, DataError
from support import download_and_decode

CIFAR_PIXELS = 32 * 32


def cifar_expected(rows: np.ndarray) -> np.ndarray:
    n, y, x, channel = np.indices((len(rows), 32, 32, 3))
    return rows[n, channel * CIFAR_PIXELS + y * 32 + x]


def test_cifar10_every_pixel_label_and_name_from_python2_batches(http_server, tmp_path):
    served, url = http_server
    dataset = download_and_decode(fake.cifar10(served, per_batch=3), url, tmp_path)
    train_rows = np.concatenate([fake.cifar_images(i * 3, 3) for i in range(5)])
    np.testing.assert_array_equal(dataset.train_images, cifar_expected(train_rows))
    np.testing.assert_array_equal(dataset.test_images, cifar_expected(fake.cifar_images(15, 3)))
    assert dataset.train_images.dtype == np.uint8 and dataset.train_labels.dtype == np.int64
    # batch i holds labels i, i+1, i+2 (mod 10), train batches first
    expected = [(i + j) % 10 for i in range(5) for j in range(3)]
    assert dataset.train_labels.tolist() == expected
    assert dataset.test_labels.tolist() == [5, 6, 7]
    assert dataset.class_names == [f"class{c}" for c in range(10)]


def test_cifar100_fine_labels_and_their_hundred_names(http_server, tmp_path):
    served, url = http_server
    dataset = download_and_decode(fake.cifar("cifar100", served, per_batch=4), url, tmp_path)
    np.testing.assert_array_equal(dataset.train_images, cifar_expected(fake.cifar_images(0, 4)))
    np.testing.assert_array_equal(dataset.test_images, cifar_expected(fake.cifar_images(4, 4)))
    assert dataset.train_labels.tolist() == [0, 1, 2, 3]
    assert dataset.test_labels.tolist() == [1, 2, 3, 4]
    assert dataset.class_names == [f"class{c}" for c in range(100)]


def test_a_second_decode_reuses_the_extracted_archive(http_server, tmp_path):
    served, url = http_server
    source = fake.cifar10(served, per_batch=2)
    first = download_and_decode(source, url, tmp_path)
    (tmp_path / "downloads" / source.files[0].filename).unlink()
    again = source.decode(tmp_path / "downloads", None)
    np.testing.assert_array_equal(again.train_images, first.train_images)


def test_stl10_column_major_planes_and_one_based_labels(http_server, tmp_path):
    served, url = http_server
    dataset = download_and_decode(fake.stl10(served), url, tmp_path)
    for split, images, count in (
        ("train", dataset.train_images, 3),
        ("test", dataset.test_images, 2),
    ):
        stored = np.frombuffer(fake.stl10_bytes(split, count), dtype=np.uint8)
        n, y, x, channel = np.indices((count, 96, 96, 3))
        expected = stored[n * 3 * 96 * 96 + channel * 96 * 96 + x * 96 + y]
        np.testing.assert_array_equal(images, expected)
        assert images.flags.c_contiguous
    assert dataset.train_labels.tolist() == [0, 1, 2] and dataset.train_labels.dtype == np.int64
    assert dataset.class_names == [f"c{c}" for c in range(10)]


def test_svhn_image_index_last_and_label_10_is_digit_0(http_server, tmp_path):
    served, url = http_server
    dataset = download_and_decode(fake.svhn(served), url, tmp_path)
    for images, count in ((dataset.train_images, 7), (dataset.test_images, 5)):
        stored = fake.svhn_pixels(count)
        for k in range(count):
            np.testing.assert_array_equal(images[k], stored[:, :, :, k])
    assert dataset.test_labels.tolist() == [0, 1, 2, 3, 4]
    assert dataset.train_labels.dtype == np.int64
    assert dataset.class_names == [str(d) for d in range(10)]


def test_an_unreadable_svhn_file_is_named_with_the_fix(http_server, tmp_path):
    served, url = http_server
    source = fake.svhn(served)
    (served / "train_32x32.mat").write_bytes(b"not a MATLAB file" * 20)
    source = fake._with_files("svhn", served, ["train_32x32.mat", "test_32x32.mat"], {})
    source.download(tmp_path / "downloads", url)
    with pytest.raises(DataError) as caught:
        source.decode(tmp_path / "downloads", None)
    message = str(caught.value)
    assert message.startswith("cannot read train_32x32.mat: ") and "delete it and rerun" in message


# --- image folders: TinyImageNet and Imagenette ----------------------------------------


def test_tinyimagenet_resized_to_the_configured_shape(http_server, tmp_path):
    served, url = http_server
    dataset = download_and_decode(fake.tinyimagenet(served), url, tmp_path, shape=[32, 32, 3])
    assert dataset.train_images.shape == (6, 32, 32, 3)
    assert dataset.test_images.shape == (6, 32, 32, 3)


def _tinyimagenet_zip(served, wnids, train_per_class, words=True, annotated=True):
    archive = served / fake.registry_entry("tinyimagenet").files[0].filename
    root = "tiny-imagenet-200"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(f"{root}/wnids.txt", "\n".join(wnids) + "\n")
        if words:
            bundle.writestr(f"{root}/words.txt", "".join(f"{w}\tname {w}\n" for w in wnids))
        for wnid in wnids:
            for i in range(train_per_class):
                bundle.writestr(f"{root}/train/{wnid}/images/{wnid}_{i}.JPEG", fake._jpeg((64, 64)))
        bundle.writestr(f"{root}/val/images/val_0.JPEG", fake._jpeg((64, 64)))
        annotation = f"val_0.JPEG\t{wnids[0]}\t0\t0\t9\t9\n" if annotated else ""
        bundle.writestr(f"{root}/val/val_annotations.txt", annotation)
    return fake._with_files("tinyimagenet", served, [archive.name], {"train": 0, "test": 1})


def test_tinyimagenet_without_words_names_classes_by_their_wnid(http_server, tmp_path):
    served, url = http_server
    source = _tinyimagenet_zip(served, ["n01443537", "n01629819"], 1, words=False)
    source.download(tmp_path / "downloads", url)
    dataset = source.decode(tmp_path / "downloads", None)
    assert dataset.class_names == ["n01443537", "n01629819"]
    assert dataset.train_labels.tolist() == [0, 1] and dataset.train_labels.dtype == np.int64


@pytest.mark.parametrize(
    "train_per_class, annotated, split",
    [(0, True, "train"), (1, False, "val")],
)
def test_a_tinyimagenet_split_without_images_is_named(
    http_server, tmp_path, train_per_class, annotated, split
):
    served, url = http_server
    source = _tinyimagenet_zip(served, ["n01443537"], train_per_class, annotated=annotated)
    source.download(tmp_path / "downloads", url)
    with pytest.raises(DataError, match=f"^tinyimagenet {split}: no images found$"):
        source.decode(tmp_path / "downloads", None)


def test_an_archive_without_wnids_is_not_tinyimagenet(http_server, tmp_path):
    served, url = http_server
    archive = served / fake.registry_entry("tinyimagenet").files[0].filename
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("tiny-imagenet-200/readme.txt", "hello")
    source = fake._with_files("tinyimagenet", served, [archive.name], {})
    source.download(tmp_path / "downloads", url)
    with pytest.raises(DataError) as caught:
        source.decode(tmp_path / "downloads", None)
    assert str(caught.value).endswith(
        "tiny-imagenet-200/wnids.txt missing: the archive is not TinyImageNet-200"
    )


def _imagenette_tar(served, members):
    archive = served / fake.registry_entry("imagenette_160").files[0].filename
    with tarfile.open(archive, "w:gz") as bundle:
        for name, payload in members.items():
            fake._add(bundle, name, payload)
    return fake._with_files("imagenette_160", served, [archive.name], {})


def _decode(source, url, tmp_path, shape=None):
    source.download(tmp_path / "downloads", url)
    return source.decode(tmp_path / "downloads", shape)


def test_imagenette_keeps_an_unknown_wnid_as_its_class_name(http_server, tmp_path):
    served, url = http_server
    members = {
        f"imagenette2-160/{split}/{wnid}/a.JPEG": fake._jpeg()
        for split in ("train", "val")
        for wnid in ("n01440764", "n99999999")
    }
    dataset = _decode(_imagenette_tar(served, members), url, tmp_path)
    assert dataset.class_names == ["tench", "n99999999"]
    assert dataset.test_labels.tolist() == [0, 1] and dataset.test_labels.dtype == np.int64


def test_images_of_different_sizes_need_a_shape(http_server, tmp_path):
    served, url = http_server
    members = {
        "imagenette2-160/train/n01440764/a.JPEG": fake._jpeg((40, 30)),
        "imagenette2-160/train/n01440764/b.JPEG": fake._jpeg((30, 40)),
        "imagenette2-160/val/n01440764/c.JPEG": fake._jpeg((40, 30)),
    }
    with pytest.raises(DataError) as caught:
        _decode(_imagenette_tar(served, members), url, tmp_path)
    assert str(caught.value) == (
        "imagenette train: images differ in size; set 'shape' for this dataset in the config"
    )


def test_an_archive_without_an_imagenette_folder_is_refused(http_server, tmp_path):
    served, url = http_server
    # a file whose name starts like the folder is not the folder
    source = _imagenette_tar(served, {"imagenette2-160": b"a file", "other/x.JPEG": fake._jpeg()})
    with pytest.raises(DataError) as caught:
        _decode(source, url, tmp_path)
    assert str(caught.value).endswith("holds no imagenette2* folder: the archive is not Imagenette")


# --- the download step ------------------------------------------------------------------


def test_a_mirror_without_the_file_is_named_in_the_advice(http_server, tmp_path):
    served, url = http_server
    source = fake.mnist_like("mnist", served)
    (served / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError) as caught:
        source.download(tmp_path / "downloads", url)
    assert f"Check that the mirror {url} (config 'download_mirror') is reachable" in str(
        caught.value
    )


def test_missing_raw_files_are_listed_comma_separated(tmp_path):
    source = fake.registry_entry("mnist")
    with pytest.raises(DataError) as caught:
        source.verify(tmp_path)
    files = ", ".join(f.filename for f in source.files)
    assert str(caught.value).startswith(f"mnist: {files} not in {tmp_path}. ")


def test_verify_refuses_a_damaged_raw_file_by_its_md5(http_server, tmp_path):
    served, url = http_server
    source = fake.mnist_like("mnist", served)
    downloads = tmp_path / "downloads"
    source.download(downloads, url)
    source.verify(downloads)  # as downloaded: every md5 matches
    damaged = downloads / "train-labels-idx1-ubyte.gz"
    content = bytearray(damaged.read_bytes())
    content[-1] ^= 0x01
    damaged.write_bytes(bytes(content))
    with pytest.raises(ChecksumError, match="train-labels-idx1-ubyte.gz"):
        source.verify(downloads)
