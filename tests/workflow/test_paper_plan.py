"""The paper config's plan, without downloads or a GPU: Snakemake's dry run of
config.paper.yaml under the SLURM profile, its job counts, and the sbatch requests the
SLURM executor plugin builds from the planned jobs' resources.

A dry run never calls the executor plugin (its maintainers say so in
snakemake-executor-plugin-slurm issue #312), so the plugin's own functions that build the
sbatch line (get_submit_command, set_gres_string) are fed the resources the dry run
planned for each job.
"""

import re
from types import SimpleNamespace

import pytest
import yaml
from support import REPO

PAPER = REPO / "config.paper.yaml"
TRAINING_RULES = ("subspace_train", "dynamics", "guidance")


@pytest.fixture(scope="module")
def plan(paper_slurm_plan):
    """[(rule, resources dict)] of every job the paper config plans, and the job stats."""
    jobs, rule = [], None
    # (jobs of a group, the profile's closed-form jobs, are printed indented)
    for line in (line.strip() for line in paper_slurm_plan.splitlines()):
        if match := re.match(r"^(?:local)?rule (\w+):$", line):
            rule = match[1]
        elif line.startswith("resources: ") and rule is not None:
            jobs.append((rule, _resources(line.removeprefix("resources: "))))
            rule = None
    stats = dict(re.findall(r"^(\w+)\s+(\d+)$", paper_slurm_plan, flags=re.MULTILINE))
    return jobs, {name: int(count) for name, count in stats.items()}


def _resources(text: str) -> dict:
    pairs = (item.split("=", 1) for item in text.split(", "))
    return {key: int(value) if value.isdigit() else value for key, value in pairs}


def test_paper_plan_job_counts(plan):
    jobs, stats = plan
    config = yaml.safe_load(PAPER.read_text())
    datasets = len(config["datasets"])
    subspace, ae = config["subspace"], config["autoencoders"]
    # Per dataset: 2 sides × 9 fractions (the headline 0.9 / 0.2 are among them) + the top
    # and bottom halves of the dimensions, each with and without augmentation: 40 runs.
    per_dataset = (len(subspace["sides"]) * len(subspace["fractions"]) + 2) * len(
        subspace["augment"]
    )
    # Grey sets with closed_form_shape: native that are also trained get a training-shape
    # copy (one resize job) and that copy's spectrum for the training preprocessing.
    trained = set(subspace["datasets"]) | set(ae["datasets"])
    native_trained = sum(
        config["datasets"][name].get("closed_form_shape") == "native" for name in trained
    )
    expected = {
        # one local download job per downloadable source (all nine paper datasets)
        "download": len({spec["source"] for spec in config["datasets"].values()}),
        "dataset": datasets,
        "dataset_training_view": native_trained,
        "spectrum": datasets * len(config["spectrum"]["preprocessings"]) + native_trained,
        "alignment": datasets,
        # masking 3 patch sizes × 10 ratios, channel masking 1, Gaussian 3, smooth 1.
        "denoising": datasets * 35,
        "subspace_train": len(subspace["datasets"]) * per_dataset,
        "dynamics": len(ae["datasets"]) * len(ae["dynamics"]["architectures"]),
        "guidance": len(ae["datasets"])
        * len(ae["guidance"]["architectures"])
        * len(ae["guidance"]["latents"])
        * len(ae["guidance"]["weights"]),
    }
    assert {rule: stats[rule] for rule in expected} == expected
    assert (expected["subspace_train"], expected["dynamics"], expected["guidance"]) == (240, 6, 18)
    assert native_trained == 2  # mnist and fashion_mnist; kmnist is not trained
    assert expected["download"] == 9
    assert stats["total"] == len(jobs) == 659


def test_every_training_job_asks_for_one_gpu_and_nothing_else_does(plan):
    jobs, _ = plan
    for rule, resources in jobs:
        assert resources.get("gpu", 0) == (1 if rule in TRAINING_RULES else 0), (rule, resources)


class _Resources(dict):
    __getattr__ = dict.__getitem__


def test_slurm_profile_turns_the_gpu_tag_into_a_gpu_request(plan):
    pytest.importorskip("snakemake_executor_plugin_slurm")
    from snakemake_executor_plugin_slurm.submit_string import get_submit_command
    from snakemake_executor_plugin_slurm.utils import set_gres_string

    jobs, _ = plan
    params = dict(run_uuid="u", slurm_logfile="log", comment_str="c", account="", partition="")
    params["workdir"] = "."
    seen = set()
    for rule, resources in jobs:
        job = SimpleNamespace(resources=_Resources(resources), threads=2)
        sbatch = get_submit_command(job, params) + set_gres_string(job)
        if rule in TRAINING_RULES:
            # The training rules ask for TRAINING_RUNTIME, 120 minutes (common.smk).
            assert "--gpus=1" in sbatch and " -t 120" in sbatch, (rule, sbatch)
            seen.add(rule)
        else:
            assert "--gpus" not in sbatch and "--gres" not in sbatch, (rule, sbatch)
    assert seen == set(TRAINING_RULES)
