"""The conda environment mirrors the pinned pip requirements."""

import re
import tomllib

import yaml
from support import REPO


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ]", requirement, maxsplit=1)[0].lower()


def test_conda_env_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    env = yaml.safe_load((REPO / "envs" / "lbr.yaml").read_text())
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    # Every runtime requirement but snakemake itself (which runs outside the job env) is
    # in the env, with the same version constraint.
    expected = {r for r in project if _name(r) != "snakemake"}
    assert set(pip) == expected
    assert "torch==2.14.1" in pip and "torchvision==0.29.1" in pip
    assert "python=3.11" in env["dependencies"]
