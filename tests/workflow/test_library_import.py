"""Where a job's script imports lbr from (workflow/rules/common.smk): the workflow's own
workflow/ directory, even when the Python that runs Snakemake has lbr installed from
another checkout (this repository's `pip install -e .`)."""

import shutil
import subprocess
import sys

from support import REPO, TINY

# A rule whose script reports the lbr it imported; added to the copy's Snakefile only.
PROBE_RULE = """

rule where_is_lbr:
    output:
        "where_is_lbr.txt",
    script:
        "where_is_lbr.py"
"""
PROBE_SCRIPT = """import lbr

with open(snakemake.output[0], "w") as out:
    out.write(lbr.__file__)
"""


def test_a_copy_of_the_workflow_runs_its_own_library_not_the_installed_one(tmp_path):
    import lbr

    installed = lbr.__file__
    assert str(REPO) in installed  # the install this test runs with is this checkout's
    clone = tmp_path / "clone"
    clone.mkdir()
    shutil.copytree(
        REPO / "workflow",
        clone / "workflow",
        ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"),
    )
    shutil.copytree(REPO / "envs", clone / "envs")
    (clone / "Snakefile").write_text((REPO / "Snakefile").read_text() + PROBE_RULE)
    (clone / "where_is_lbr.py").write_text(PROBE_SCRIPT)
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "where_is_lbr.txt", "--cores", "1"]
        + ["--configfile", str(TINY)],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    imported = (clone / "where_is_lbr.txt").read_text()
    assert imported == str(clone / "workflow" / "lbr" / "__init__.py"), (imported, installed)
