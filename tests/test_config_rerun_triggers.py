"""`--rerun-triggers` without `params` is refused with the command to use instead (issue
26, item 8): it silently disabled config changes and the stage versions."""

from __future__ import annotations

import pytest
from lbr.config import CHECKOUT_TRIGGERS, check_rerun_triggers, command_line_rerun_triggers
from lbr.errors import ConfigError


@pytest.mark.parametrize(
    ("argv", "triggers"),
    [
        (["--cores", "2", "all"], None),
        (["--rerun-triggers", "mtime", "--cores", "2"], {"mtime"}),
        (["-n", "--rerun-triggers=params"], {"params"}),
        (["--rerun-triggers", "mtime", "params", "input", "-n"], {"mtime", "params", "input"}),
        # Snakemake takes any unambiguous prefix of an option: so does the check
        (["--rerun-trig", "mtime", "--cores", "2"], {"mtime"}),
        (["-n", "--rerun-t=input"], {"input"}),
        (["--rerun-incomplete", "--cores", "2"], None),
    ],
)
def test_the_command_line_triggers_are_read(argv, triggers):
    assert command_line_rerun_triggers(argv) == triggers


@pytest.mark.parametrize("triggers", [{"mtime"}, {"mtime", "input", "code", "software-env"}])
def test_triggers_without_params_are_refused_with_the_checkout_command(triggers):
    with pytest.raises(ConfigError) as caught:
        check_rerun_triggers(triggers)
    assert "leaves out 'params'" in str(caught.value)
    assert f"--rerun-triggers {CHECKOUT_TRIGGERS}" in str(caught.value)


def test_the_checkout_triggers_pass_and_leave_out_code():
    check_rerun_triggers(set(CHECKOUT_TRIGGERS.split()))
    assert "code" not in CHECKOUT_TRIGGERS.split() and "params" in CHECKOUT_TRIGGERS.split()


def test_the_refusal_lists_the_triggers_given():
    with pytest.raises(ConfigError) as caught:
        check_rerun_triggers({"mtime", "input"})
    assert str(caught.value).startswith("--rerun-triggers input mtime leaves out 'params': ")
