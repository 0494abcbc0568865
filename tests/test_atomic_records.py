"""Tables and JSON records that were truncated, corrupted or edited after they were
written stop the job that reads them, naming the file and the command that redoes it
(issue 26, item 10): a bare JSONDecodeError or pyarrow's message said neither, and a
hand-edited table was used silently."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from lbr import integrity
from lbr.atomic import load_json, load_parquet, save_json, save_parquet
from lbr.errors import DataError


@pytest.fixture(autouse=True)
def _users_options(monkeypatch, tmp_path):
    monkeypatch.setenv(integrity.SNAKEMAKE_OPTIONS_ENV, f"--configfile {tmp_path}/mine.yaml")


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "K": np.arange(1, 6),
            "alignment": [0.1, 0.25, np.nan, 0.5, 1.0],
            "dataset": ["digits", "digits", "photo", "photo", None],
            "agrees": [True, False, True, True, False],
            "count": pd.array([1, None, 3, 4, 5], dtype="Int64"),
            # lists: parquet reads the child field back as `element`, not `item`
            "steps": [[1.0, 2.0], [], [0.5], [3.0, 4.0, 5.0], [1.0]],
        }
    )


def test_a_table_reads_back_exactly_what_pandas_reads(tmp_path):
    path = tmp_path / "t.parquet"
    save_parquet(path, _frame())
    pd.testing.assert_frame_equal(load_parquet(path), pd.read_parquet(path))
    pd.testing.assert_frame_equal(load_parquet(path), _frame())


def test_the_record_ignores_row_groups(tmp_path):
    path = tmp_path / "t.parquet"
    save_parquet(path, _frame())
    table = pq.read_table(path)
    pq.write_table(table, path, row_group_size=2)  # same content and metadata, other layout
    pd.testing.assert_frame_equal(load_parquet(path), _frame())


def _error(path) -> str:
    with pytest.raises(DataError) as caught:
        load_parquet(path)
    return str(caught.value)


def test_an_edited_value_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "t.parquet"
    save_parquet(path, _frame())
    table = pq.read_table(path)  # edited with pyarrow: the old record is kept
    edited = table.set_column(1, "alignment", pq.read_table(path)["alignment"].fill_null(0.3))
    pq.write_table(edited, path)
    message = _error(path)
    assert str(path) in message and "altered" in message
    assert f"--configfile {tmp_path}/mine.yaml --forcerun {path}" in message


def test_a_table_rewritten_by_pandas_has_no_record_and_is_refused(tmp_path):
    path = tmp_path / "t.parquet"
    save_parquet(path, _frame())
    frame = pd.read_parquet(path)
    frame.loc[0, "alignment"] = 0.9
    frame.to_parquet(path, index=False)
    assert "no record" in _error(path)


def test_a_truncated_table_names_the_file_and_the_fix(tmp_path):
    path = tmp_path / "t.parquet"
    save_parquet(path, _frame())
    path.write_bytes(path.read_bytes()[:-30])
    message = _error(path)
    assert str(path) in message and "truncated" in message and "--forcerun" in message


@pytest.mark.parametrize("cut", [2, 10])  # the last byte is a newline
def test_a_truncated_json_names_the_file_and_the_fix(tmp_path, cut):
    path = tmp_path / "summary.json"
    save_json(path, {"accuracy": 0.5, "runs": [1, 2, 3]})
    path.write_bytes(path.read_bytes()[:-cut])
    with pytest.raises(json.JSONDecodeError):
        json.loads(path.read_text())  # what the reader met before
    with pytest.raises(DataError) as caught:
        load_json(path)
    message = str(caught.value)
    assert str(path) in message and "truncated" in message
    assert f"--configfile {tmp_path}/mine.yaml --forcerun {path}" in message


def _edited(frame: pd.DataFrame, column: str, row: int, value) -> pd.DataFrame:
    frame = frame.copy()
    frame.at[row, column] = value
    return frame


EDITS = {
    "an integer": lambda f: _edited(f, "K", 0, 7),
    "a float by one bit": lambda f: _edited(f, "alignment", 1, np.nextafter(0.25, 1)),
    "a boolean": lambda f: _edited(f, "agrees", 1, True),
    "a nullable integer": lambda f: _edited(f, "count", 2, 4),
    "a null into a value": lambda f: _edited(f, "count", 1, 0),
    "a string": lambda f: _edited(f, "dataset", 0, "digitz"),
    "a list": lambda f: _edited(f, "steps", 0, [1.0, 2.5]),
    "a column's name": lambda f: f.rename(columns={"K": "k"}),
    "the order of two columns": lambda f: f[["alignment", "K", *f.columns[2:]]],
}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_any_single_edit_changes_the_record(edit):
    """The record (table_digest) of the table before and after one edit, each a table
    pandas would write: equal only if the content is."""
    import pyarrow as pa
    from lbr.atomic import table_digest

    def digest(frame):
        return table_digest(pa.Table.from_pandas(frame, preserve_index=False))

    assert digest(_frame()) == digest(_frame().copy())
    assert digest(EDITS[edit](_frame())) != digest(_frame())


def test_the_refusals_name_the_command_that_redoes_the_file(tmp_path):
    path = tmp_path / "t.parquet"
    _frame().to_parquet(path, index=False)  # no record
    redo = f"--configfile {tmp_path}/mine.yaml --forcerun {path}"
    assert redo in _error(path)
    save_parquet(path, _frame())
    path.write_bytes(path.read_bytes()[:-30])
    assert redo in _error(path)
