"""Atomic writes: the destination holds either the old or the new complete file, never a
partial one, and no temporary file is left behind (checked on the directory itself);
the file mode follows the umask (read from /proc, or by the fallback when /proc cannot
be read), a full disk becomes a PipelineError naming the path while other errors pass
through unchanged, and the saved bytes are what numpy and json themselves would write
(independent oracles)."""

import errno
import io
import json
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lbr import atomic
from lbr.atomic import atomic_path, load_json, load_npy, save_json, save_npy, save_parquet
from lbr.errors import DataError, PipelineError


def test_writes_go_to_a_temporary_sibling_then_replace_the_target(tmp_path):
    target = tmp_path / "deep" / "dir" / "out.bin"
    with atomic_path(target) as tmp:
        assert tmp != target and tmp.parent == target.parent  # same filesystem: rename works
        assert tmp.name.startswith(".out.bin.") and tmp.name.endswith(".tmp")
        tmp.write_bytes(b"new")
        assert not target.exists()  # nothing under the real name until the block ends
    assert target.read_bytes() == b"new"
    assert os.listdir(target.parent) == ["out.bin"]


def test_a_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_save_npy_never_writes_the_target_in_place(tmp_path, monkeypatch):
    target = tmp_path / "a.npy"
    target.write_bytes(b"old")
    opened = []
    real_open = open

    def spying_open(file, *args, **kwargs):
        opened.append(Path(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spying_open)
    save_npy(target, np.arange(3))
    monkeypatch.undo()
    assert target not in opened and opened and all(p.parent == tmp_path for p in opened)
    np.testing.assert_array_equal(np.load(target), np.arange(3))
    assert os.listdir(tmp_path) == ["a.npy"]


def test_npy_round_trip_is_contiguous_and_exact(tmp_path):
    array = np.arange(24, dtype=np.float32).reshape(4, 6)[:, ::2]  # not contiguous
    save_npy(tmp_path / "a.npy", array)
    loaded = load_npy(tmp_path / "a.npy")
    assert loaded.dtype == np.float32 and loaded.flags.c_contiguous
    np.testing.assert_array_equal(loaded, array)
    mapped = load_npy(tmp_path / "a.npy", mmap=True)
    assert isinstance(mapped, np.memmap) and mapped.mode == "r"
    assert not isinstance(load_npy(tmp_path / "a.npy"), np.memmap)


def test_pickled_object_arrays_are_refused_on_load(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match=r"obj\.npy is truncated or corrupt \(.*allow_pickle"):
        load_npy(tmp_path / "obj.npy")
    with pytest.raises(ValueError):
        save_npy(tmp_path / "obj2.npy", np.array([{"a": 1}], dtype=object))
    assert not (tmp_path / "obj2.npy").exists()


def test_json_is_sorted_indented_and_converts_numpy_and_paths(tmp_path):
    payload = {"b": np.float32(1.5), "a": np.arange(2), "p": Path("x/y"), "i": np.int64(3)}
    save_json(tmp_path / "p.json", payload)
    text = (tmp_path / "p.json").read_text()
    assert (
        text
        == json.dumps({"a": [0, 1], "b": 1.5, "i": 3, "p": "x/y"}, indent=2, sort_keys=True) + "\n"
    )
    assert load_json(tmp_path / "p.json") == {"a": [0, 1], "b": 1.5, "i": 3, "p": "x/y"}
    assert type(load_json(tmp_path / "p.json")["i"]) is int


def test_json_refuses_unknown_types_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "p.json"
    target.write_text("{}")
    with pytest.raises(TypeError, match="cannot serialise set to JSON"):
        save_json(target, {"s": {1, 2}})
    assert target.read_text() == "{}" and os.listdir(tmp_path) == ["p.json"]


def test_parquet_round_trip_without_index(tmp_path):
    frame = pd.DataFrame({"k": [1, 2, 3], "v": [0.5, 1.5, 2.5]}, index=[7, 8, 9])
    save_parquet(tmp_path / "t.parquet", frame)
    back = pd.read_parquet(tmp_path / "t.parquet")
    assert list(back.columns) == ["k", "v"] and list(back.index) == [0, 1, 2]
    assert os.listdir(tmp_path) == ["t.parquet"]


# --- the file mode, a full disk, and the bytes numpy and json would write -------------


@pytest.fixture
def umask():
    """Set the process umask for one test, and restore it afterwards."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_the_file_mode_is_an_ordinary_write_under_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    save_json(tmp_path / "a.json", {})
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == mode
    # the same as a plain open() would give
    (tmp_path / "plain").write_text("x")
    assert stat.S_IMODE((tmp_path / "plain").stat().st_mode) == mode


def test_the_umask_is_read_from_proc_without_changing_it(umask, monkeypatch):
    umask(0o027)
    calls = []
    real = os.umask
    monkeypatch.setattr(atomic.os, "umask", lambda m: calls.append(m) or real(m))
    if Path("/proc/self/status").exists():
        assert atomic._umask() == 0o027 and calls == []
    monkeypatch.undo()
    assert os.umask(0o027) == 0o027


def test_without_proc_the_umask_is_read_and_restored(umask, monkeypatch):
    umask(0o037)
    real_read = Path.read_text

    def no_proc(self, *args, **kwargs):
        if str(self).startswith("/proc"):
            raise PermissionError(errno.EACCES, "no /proc here", str(self))
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", no_proc)
    assert atomic._umask() == 0o037
    assert atomic._umask() == 0o037  # the first call put the mask back
    monkeypatch.undo()
    assert os.umask(0o022) == 0o037


def test_a_proc_status_without_umask_line_falls_back(umask, monkeypatch):
    umask(0o007)
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: "Name:\tpython\nUmask_x 1\n")
    assert atomic._umask() == 0o007


def test_the_proc_umask_line_is_octal(monkeypatch):
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: "Name:\tx\nUmask:\t0027\n")
    assert atomic._umask() == 0o027 == 23


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG])
def test_a_full_disk_is_a_pipeline_error_naming_the_file(tmp_path, code):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(PipelineError) as caught:
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise OSError(code, os.strerror(code))
    message = str(caught.value)
    assert message.startswith(f"could not write {target}: ")
    assert f"free space on the filesystem holding {tmp_path} and rerun" in message
    assert caught.value.__cause__.errno == code
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.bin"]


def test_numpys_short_write_counts_as_a_full_disk(tmp_path):
    with pytest.raises(PipelineError, match="could not write"):
        with atomic_path(tmp_path / "a.npy"):
            raise OSError("100 requested and 40 written")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EACCES, "permission denied"),
        OSError(errno.EIO, "100 requested and 40 written"),  # has an errno, not ENOSPC
        OSError("some other failure"),
        FileNotFoundError(errno.ENOENT, "gone"),
    ],
)
def test_other_os_errors_pass_through_unchanged(tmp_path, error):
    with pytest.raises(OSError) as caught:
        with atomic_path(tmp_path / "a.bin"):
            raise error
    assert caught.value is error and not isinstance(caught.value, PipelineError)
    assert os.listdir(tmp_path) == []


def test_save_npy_writes_the_bytes_numpy_writes_for_a_c_ordered_copy(tmp_path):
    fortran = np.asfortranarray(np.arange(6, dtype=np.int16).reshape(2, 3))
    save_npy(tmp_path / "f.npy", fortran)
    expected = io.BytesIO()
    np.save(expected, np.array(fortran, order="C"))
    assert (tmp_path / "f.npy").read_bytes() == expected.getvalue()
    loaded = np.load(tmp_path / "f.npy")
    assert loaded.flags.c_contiguous and not np.isfortran(loaded)


@pytest.mark.parametrize("content", [b"", b"\x93NUMPY", b"not an npy file at all"])
def test_a_truncated_npy_is_a_data_error_naming_it(tmp_path, content):
    save_npy(tmp_path / "a.npy", np.arange(100.0))
    whole = (tmp_path / "a.npy").read_bytes()
    for data in (content, whole[: len(whole) // 2]):
        (tmp_path / "a.npy").write_bytes(data)
        with pytest.raises(DataError, match=r"a\.npy is truncated or corrupt \("):
            load_npy(tmp_path / "a.npy")


def test_load_npy_mmap_is_read_only(tmp_path):
    save_npy(tmp_path / "a.npy", np.arange(4.0))
    mapped = load_npy(tmp_path / "a.npy", mmap=True)
    with pytest.raises(ValueError):
        mapped[0] = 1.0
    own = load_npy(tmp_path / "a.npy")
    own[0] = 5.0  # an ordinary load is a writable copy
    assert load_npy(tmp_path / "a.npy")[0] == 0.0


def test_save_json_bytes_equal_an_independent_dump(tmp_path):
    payload = {"z": [1, {"y": 2, "x": None}], "a": "é", "m": np.float64(0.25)}
    save_json(tmp_path / "p.json", payload)
    plain = {"z": [1, {"y": 2, "x": None}], "a": "é", "m": 0.25}
    assert (tmp_path / "p.json").read_text() == json.dumps(plain, indent=2, sort_keys=True) + "\n"
    assert load_json(str(tmp_path / "p.json")) == plain


@pytest.mark.parametrize(
    "value, expected",
    [
        (np.bool_(True), True),
        (np.int8(-3), -3),
        (np.float16(0.5), 0.5),
        (np.zeros((2, 0)), [[], []]),
        (np.array([[1, 2], [3, 4]], dtype=np.uint8), [[1, 2], [3, 4]]),
        (Path("/a/b.txt"), "/a/b.txt"),
    ],
)
def test_jsonable_values(value, expected):
    converted = atomic._jsonable(value)
    assert converted == expected and type(converted) is type(expected)


@pytest.mark.parametrize("value", [object(), {1}, b"bytes", 1j])
def test_jsonable_refuses_the_rest_by_type_name(value):
    with pytest.raises(TypeError, match=f"^cannot serialise {type(value).__name__} to JSON$"):
        atomic._jsonable(value)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_outputs_respect_the_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        save_npy(tmp_path / "a.npy", np.zeros(3))
    finally:
        os.umask(previous)
    assert (tmp_path / "a.npy").stat().st_mode & 0o777 == mode
