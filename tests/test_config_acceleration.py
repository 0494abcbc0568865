"""The `acceleration` block as a param (lbr.config.planned_acceleration): one value for
every block a job would resolve to the same switches, so writing out the defaults
reruns nothing, and a different value wherever the job would run differently (issue 26,
item 7)."""

from __future__ import annotations

import itertools

import pytest
import yaml
from lbr.config import ACCELERATION_AUTO, SCHEMA_PATH, planned_acceleration
from lbr.train import runtime

VALUES = {
    "precision": ("auto", "bf16", "fp32"),
    "compile": ("auto", True, False),
    "channels_last": ("auto", True, False),
    "fused_optimizer": ("auto", True, False),
}
BLOCKS = [dict(zip(VALUES, combo, strict=True)) for combo in itertools.product(*VALUES.values())]


def test_the_switches_are_the_schemas_and_the_jobs():
    schema = yaml.safe_load(SCHEMA_PATH.read_text())["properties"]["acceleration"]["properties"]
    assert {key: tuple(value["enum"]) for key, value in schema.items()} == VALUES
    assert set(runtime.SWITCHES) == set(ACCELERATION_AUTO) == set(VALUES)


def test_on_the_cpu_the_param_decides_exactly_what_the_job_runs(monkeypatch):
    monkeypatch.setattr(runtime, "_cxx_compiler", lambda: "g++")  # compile: true resolves
    params, runs = {}, {}
    for block in BLOCKS:
        planned = planned_acceleration(block, "cpu")
        resolved = runtime.resolve_runtime("cpu", block)
        assert runtime.resolve_runtime("cpu", planned) == resolved  # the job runs the same
        params.setdefault(repr(planned), set()).add(resolved)
        runs.setdefault(resolved, set()).add(repr(planned))
    # One param per way of running, one way of running per param: 2 x 2 x 2 x 2 of 81 blocks.
    assert all(len(v) == 1 for v in params.values()) and all(len(v) == 1 for v in runs.values())
    assert len(params) == 16


@pytest.mark.parametrize(
    ("block", "device", "planned"),
    [
        ({}, "cpu", {}),
        (None, "cuda", {}),
        ({"precision": "auto", "compile": "auto"}, "cuda", {}),
        ({"precision": "bf16", "compile": True, "fused_optimizer": True}, "cuda", {}),
        ({"precision": "fp32"}, "cuda", {"precision": "fp32"}),
        ({"channels_last": True}, "cpu", {}),
        ({"channels_last": False}, "cpu", {"channels_last": False}),
        # A cluster plans with the word `auto`: only explicit values are known to matter.
        ({"precision": "auto", "channels_last": True}, "auto", {"channels_last": True}),
        ({"precision": "fp32", "compile": False}, "auto", {"precision": "fp32", "compile": False}),
    ],
)
def test_defaults_written_out_plan_as_nothing(block, device, planned):
    assert planned_acceleration(block, device) == planned
