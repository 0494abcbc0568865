"""Download, verify and extract against a local HTTP server, hashlib and hand-built
archives: a bad file already on disk is never reused, a verified one is reused without
the network, mirrors keep the file name, extraction refuses paths outside the target
and links, replaces stale files and is done once."""

import hashlib
import io
import os
import tarfile
import zipfile
from dataclasses import replace

import fake_archives as fake
import numpy as np
import pytest
from lbr.data.download import RemoteFile, extract, fetch, verify_checksum
from lbr.errors import ChecksumError, DataError
from support import download_and_decode as _acquire


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


# --- reuse and extraction edges against hashlib and hand-built archives ---------------


PAYLOAD = b"payload-" * 300_000  # 2.4 MB: more than two 1 MiB read blocks


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_an_already_downloaded_bad_file_is_set_aside_not_reused(http_server, tmp_path):
    served, url = http_server
    (served / "data.bin").write_bytes(PAYLOAD)
    target = tmp_path / "dl"
    target.mkdir()
    (target / "data.bin").write_bytes(PAYLOAD[:-1] + b"X")  # a damaged earlier download
    remote = RemoteFile(f"{url}/data.bin", "data.bin", _md5(PAYLOAD))
    with pytest.raises(ChecksumError, match="checksum mismatch for data.bin") as caught:
        fetch(remote, target)
    assert "moved aside" in str(caught.value) and "delete it and rerun" in str(caught.value)
    assert not (target / "data.bin").exists()
    assert (target / "data.bin.corrupt").read_bytes() == PAYLOAD[:-1] + b"X"
    # The next attempt downloads a good copy.
    assert fetch(remote, target).read_bytes() == PAYLOAD


def test_a_good_file_on_disk_is_reused_and_md5_case_does_not_matter(tmp_path):
    (tmp_path / "data.bin").write_bytes(PAYLOAD)
    remote = RemoteFile("http://127.0.0.1:9/unused", "data.bin", _md5(PAYLOAD).upper())
    assert fetch(remote, tmp_path) == tmp_path / "data.bin"
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD


def test_downloaded_file_is_complete_and_md5_case_does_not_matter(http_server, tmp_path):
    served, url = http_server
    (served / "data.bin").write_bytes(PAYLOAD)
    remote = RemoteFile(f"{url}/data.bin", "data.bin", _md5(PAYLOAD).upper())
    path = fetch(remote, tmp_path / "new" / "dir")
    assert path == tmp_path / "new" / "dir" / "data.bin" and path.read_bytes() == PAYLOAD
    assert os.listdir(path.parent) == ["data.bin"]


def test_a_bad_download_keeps_the_real_name_free(http_server, tmp_path):
    served, url = http_server
    (served / "data.bin").write_bytes(PAYLOAD)
    remote = RemoteFile(f"{url}/data.bin", "data.bin", "0" * 32)
    with pytest.raises(ChecksumError) as caught:
        fetch(remote, tmp_path / "dl")
    message = str(caught.value)
    assert f"downloaded from {url}/data.bin" in message and _md5(PAYLOAD) in message
    assert "download_mirror" in message
    assert sorted(os.listdir(tmp_path / "dl")) == ["data.bin.corrupt"]
    assert (tmp_path / "dl" / "data.bin.corrupt").read_bytes() == PAYLOAD


def test_missing_file_on_the_server_is_a_data_error(http_server, tmp_path):
    _, url = http_server
    with pytest.raises(DataError, match="could not download .*missing.bin.*download_mirror"):
        fetch(RemoteFile(f"{url}/missing.bin", "missing.bin", "0" * 32), tmp_path / "dl")
    assert os.listdir(tmp_path / "dl") == []


def test_verify_checksum_accepts_the_right_file_and_moves_a_wrong_one(tmp_path):
    path = tmp_path / "f.gz"
    path.write_bytes(b"abc")
    verify_checksum(path, _md5(b"abc"))
    assert path.exists()
    with pytest.raises(ChecksumError, match=f"expected md5 {'1' * 32}, got {_md5(b'abc')}"):
        verify_checksum(path, "1" * 32)
    assert sorted(os.listdir(tmp_path)) == ["f.gz.corrupt"]


def test_mirror_keeps_the_file_name_and_checksum():
    remote = RemoteFile("https://origin/a/b/train.gz", "train.gz", "ab" * 16)
    assert remote.from_mirror(None) is remote and remote.from_mirror("") is remote
    mirrored = remote.from_mirror("http://mirror/data/")
    assert mirrored == RemoteFile("http://mirror/data/train.gz", "train.gz", "ab" * 16)
    assert remote.from_mirror("http://mirror/data").url == "http://mirror/data/train.gz"
    assert remote.from_mirror("http://mirror/X//").url == "http://mirror/X/train.gz"


def _tar(path, members, mode="w:gz"):
    with tarfile.open(path, mode) as bundle:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return path


def test_extract_tar_replaces_stale_entries_and_runs_once(tmp_path):
    archive = _tar(tmp_path / "a.tar.gz", {"top/x.txt": b"new", "y.txt": b"y"})
    out = tmp_path / "out"
    (out / "top").mkdir(parents=True)
    (out / "top" / "stale.txt").write_bytes(b"stale")  # from an older extraction
    (out / "y.txt").write_bytes(b"old")
    assert extract(archive, out) == out
    assert (out / "top" / "x.txt").read_bytes() == b"new"
    assert not (out / "top" / "stale.txt").exists()
    assert (out / "y.txt").read_bytes() == b"y"
    assert (out / ".a.tar.gz.extracted").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar.gz", "out"]  # no staging left
    # Done once: a second call does not touch the directory.
    (out / "y.txt").write_bytes(b"edited")
    extract(archive, out)
    assert (out / "y.txt").read_bytes() == b"edited"


def test_extract_zip(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("d/z.txt", "zip")
    out = extract(archive, tmp_path / "out")
    assert (out / "d" / "z.txt").read_text() == "zip"


@pytest.mark.parametrize("kind", ["hardlink", "device"])
def test_hard_links_and_devices_are_refused(tmp_path, kind):
    archive = tmp_path / "x.tar"
    with tarfile.open(archive, "w") as bundle:
        info = tarfile.TarInfo("node")
        if kind == "hardlink":
            info.type, info.linkname = tarfile.LNKTYPE, "other"
        else:
            info.type = tarfile.CHRTYPE
        bundle.addfile(info)
    with pytest.raises(DataError, match="contains a link or device \\(node\\)"):
        extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.tar"]


def test_not_an_archive_is_a_clear_error(tmp_path):
    archive = tmp_path / "junk.tar.gz"
    archive.write_bytes(b"this is not an archive at all")
    with pytest.raises(DataError, match="(?s)corrupt or truncated.*delete it and rerun"):
        extract(archive, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.tar.gz"]


def test_a_server_that_never_answers_times_out(tmp_path):
    import socket

    with socket.socket() as silent:  # accepts connections (backlog) but never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        remote = RemoteFile(f"http://127.0.0.1:{port}/f.bin", "f.bin", "0" * 32)
        with pytest.raises(DataError, match="could not download.*timed out"):
            fetch(remote, tmp_path, timeout_s=0.5)


def test_extraction_stages_beside_the_target_and_creates_missing_parents(tmp_path, monkeypatch):
    archive = _tar(tmp_path / "a.tar", {"f.txt": b"f"}, mode="w")
    out = tmp_path / "deep" / "er" / "out"
    moved = []
    real_replace = os.replace

    def spy(source, target):
        moved.append((source, target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    extract(archive, out)
    monkeypatch.undo()
    ((source, target),) = moved
    staging = os.path.dirname(source)
    assert target == out / "f.txt" and os.path.dirname(staging) == str(out.parent)
    name = os.path.basename(staging)
    assert name.startswith(".out.") and name.endswith(".partial")
    assert sorted(os.listdir(out.parent)) == ["out"]


def test_extraction_drops_special_permission_bits(tmp_path):
    archive = tmp_path / "modes.tar"
    with tarfile.open(archive, "w") as bundle:
        info = tarfile.TarInfo("tool")
        info.size, info.mode = 1, 0o6777  # setuid, setgid, world-writable
        bundle.addfile(info, io.BytesIO(b"x"))
    mode = (extract(archive, tmp_path / "out") / "tool").stat().st_mode
    assert mode & 0o6000 == 0 and mode & 0o022 == 0


def test_an_unreachable_mirror_is_named_in_the_advice(tmp_path):
    remote = RemoteFile("http://127.0.0.1:9/none.gz", "none.gz", "0" * 32)
    mirror = "http://127.0.0.1:9"
    with pytest.raises(DataError) as caught:
        fetch(remote.from_mirror(mirror), tmp_path, timeout_s=2, mirror=mirror)
    message = str(caught.value)
    assert message.startswith("could not download http://127.0.0.1:9/none.gz: ")
    assert message.endswith(
        f"Check that the mirror {mirror} (config 'download_mirror') is reachable and "
        f"serves none.gz, or copy the file into {tmp_path} by hand."
    )
    assert os.listdir(tmp_path) == []


def test_download_failure_with_a_mirror_does_not_advise_setting_one(tmp_path):
    from lbr.data.download import RemoteFile, fetch

    mirror = "http://127.0.0.1:9"  # discard port: nothing listens
    remote = RemoteFile("https://example.org/a.gz", "a.gz", "0" * 32).from_mirror(mirror)
    with pytest.raises(DataError) as caught:
        fetch(remote, tmp_path, timeout_s=5, mirror=mirror)
    message = str(caught.value)
    assert mirror in message and "set 'download_mirror'" not in message


def test_the_download_waits_at_most_its_timeout(http_server, tmp_path, monkeypatch):
    """A server that stops answering must not hang the job: the timeout reaches urlopen."""
    import urllib.request

    served, url = http_server
    (served / "x.bin").write_bytes(b"payload")
    asked = []
    real = urllib.request.urlopen

    def recording(address, *args, **kwargs):
        asked.append(kwargs.get("timeout", args[1] if len(args) > 1 else None))
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", recording)
    remote = RemoteFile(f"{url}/x.bin", "x.bin", hashlib.md5(b"payload").hexdigest())
    fetch(remote, tmp_path / "a", timeout_s=7.5)
    assert asked == [7.5]
    fetch(remote, tmp_path / "b")
    assert asked == [7.5, 60.0]  # the default
