"""The rules ask what lbr.resources computes from the dataset's D and N: a dry run of the
paper config under the SLURM profile."""

import re

import yaml
from lbr import resources
from lbr.data.catalog import REMOTE_SOURCE_NAMES, closed_form_shape, training_images
from support import REPO


def _planned_resources(dry_run: str) -> dict:
    """{(rule, wildcards): resources} of every job in a printed dry run."""
    jobs, rule, wildcards = {}, None, ""
    for line in dry_run.splitlines():
        line = line.strip()
        if match := re.fullmatch(r"(?:local)?rule (\w+):", line):
            rule, wildcards = match.group(1), ""
        elif line.startswith("wildcards: "):
            wildcards = line.removeprefix("wildcards: ")
        elif line.startswith("resources: ") and rule:
            jobs[(rule, wildcards)] = dict(re.findall(r"(\w+)=([^,\s]+)", line))
    return jobs


def test_a_paper_dry_run_with_the_slurm_profile_requests_the_model(paper_slurm_plan):
    jobs = _planned_resources(paper_slurm_plan)
    datasets = yaml.safe_load((REPO / "config.paper.yaml").read_text())["datasets"]
    shape = closed_form_shape(datasets["tinyimagenet"])
    dim, images = shape[0] * shape[1] * shape[2], training_images("tinyimagenet", datasets)
    assert (dim, images) == (12288, 100_000)
    spectrum = jobs[("spectrum", "dataset=tinyimagenet, preprocessing=standardized")]
    assert int(spectrum["mem_mb"]) == resources.memory_mb("spectrum", dim, images)
    assert int(spectrum["runtime"]) == resources.runtime_minutes("spectrum", dim, images)
    denoising = next(v for (r, w), v in jobs.items() if r == "denoising" and "tinyimagenet" in w)
    assert int(denoising["mem_mb"]) == resources.memory_mb("denoising", dim, images)
    # the raw files are fetched by a local rule, once per source
    downloads = [w for r, w in jobs if r == "download"]
    remote = {spec["source"] for spec in datasets.values()} & set(REMOTE_SOURCE_NAMES)
    assert sorted(w.removeprefix("source=") for w in downloads) == sorted(remote)
