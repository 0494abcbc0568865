"""Atomic writes: the destination holds either the old or the new complete file, never a
partial one, and no temporary file is left behind (checked on the directory itself)."""

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lbr.atomic import atomic_path, load_json, load_npy, save_json, save_npy, save_parquet
from lbr.errors import DataError


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
