"""A rule script's logging (lbr/logs.py): records of the lbr loggers and uncaught
exceptions with their traceback go to the rule's log file, written afresh, and to stderr."""

from __future__ import annotations

import logging
import re
import sys

import pytest
from lbr.logs import setup_rule_logging

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\w+) ([\w.]+): (.*)$")


@pytest.fixture
def restored():
    """The root logger's handlers and level, and sys.excepthook, as they were."""
    root = logging.getLogger()
    handlers, level, hook = root.handlers[:], root.level, sys.excepthook
    yield
    for handler in root.handlers:
        handler.close()
    root.handlers[:], sys.excepthook = handlers, hook
    root.setLevel(level)


def test_records_go_to_the_log_file_and_stderr(tmp_path, capsys, restored):
    path = tmp_path / "logs" / "rule" / "job.log"  # its folders do not exist yet
    earlier = logging.StreamHandler(sys.stdout)
    logging.getLogger().addHandler(earlier)  # a handler from before: replaced
    logger = setup_rule_logging([str(path)])
    assert logger.name == "lbr"
    logging.getLogger("lbr.stage").info("kept %d of %d", 3, 4)
    logging.getLogger("lbr.stage").debug("not at INFO")
    for handler in logging.getLogger().handlers:
        handler.flush()
    (line,) = path.read_text().splitlines()
    assert LINE.match(line).groups() == ("INFO", "lbr.stage", "kept 3 of 4")
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [line] and captured.out == ""


def test_the_log_file_is_written_afresh(tmp_path, restored):
    path = tmp_path / "job.log"
    path.write_text("a line from the previous run\n")
    setup_rule_logging([path])
    logging.getLogger("lbr").warning("new")
    for handler in logging.getLogger().handlers:
        handler.flush()
    (line,) = path.read_text().splitlines()
    assert LINE.match(line).groups() == ("WARNING", "lbr", "new")


def test_an_uncaught_exception_is_logged_with_its_traceback(tmp_path, restored):
    path = tmp_path / "job.log"
    setup_rule_logging([path])
    try:
        raise ValueError("no such column")
    except ValueError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    for handler in logging.getLogger().handlers:
        handler.flush()
    lines = path.read_text().splitlines()
    assert LINE.match(lines[0]).groups() == ("ERROR", "lbr", "failed: no such column")
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-1] == "ValueError: no such column"
