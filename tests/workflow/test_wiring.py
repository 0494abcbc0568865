"""Which files each job reads and where its params come from, from Snakemake's own plan.

Snakemake builds the DAG of the default config (config.yaml), of the paper config
(config.paper.yaml) and of a variant of the paper config in which every config section
names its own preprocessing and a dataset with a training view is also an autoencoder
dataset (so that a job reading another section's spectrum or another stage's view of a
dataset reads a file of another name) and two seeds (not 0) for every training claim.
Each plan is made once, without downloads or
results, through Snakemake's API in a fresh interpreter; every job's wildcards, input
files (named), output files and evaluated params are compared with what the config file
says, for every rule of the plan.

The expected values are derived from the config dicts here, by the contract of the config
(docs and the config's comments), never from the workflow's own helpers: a training
stage (subspace, autoencoders) reads a dataset with `closed_form_shape: native` through
its copy at `shape`, `<name>.training`; every other stage reads `<name>`; a stage reads the
spectrum of its own section's preprocessing.
"""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import REPO

pytestmark = [pytest.mark.xdist_group("wiring")]

TRAINING_SECTIONS = ("subspace", "autoencoders")
CLOSED_FORM_SECTIONS = ("alignment", "theorem1", "denoising", "gallery")
TRAINING_VIEW = ".training"

# Runs in a fresh interpreter: builds the DAG of one config (every job forced, so the
# whole plan) and writes each job's rule, wildcards, inputs, outputs and params as JSON.
PLANNER = r"""
import json, sys
from pathlib import Path
from snakemake.api import (
    ConfigSettings, DAGSettings, OutputSettings, ResourceSettings, SnakemakeApi,
    StorageSettings,
)
from snakemake.settings.enums import Quietness

snakefile, configfile, workdir, out = sys.argv[1:5]
with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
    workflow_api = api.workflow(
        resource_settings=ResourceSettings(cores=2),
        config_settings=ConfigSettings(configfiles=[Path(configfile)]),
        storage_settings=StorageSettings(),
        snakefile=Path(snakefile),
        workdir=Path(workdir),
    )
    workflow_api.dag(DAGSettings(targets={"all", "results/archive/run.tar.gz"}))
    workflow = workflow_api._workflow
    workflow._prepare_dag(forceall=True, ignore_incomplete=True, lock_warn_only=True, nolock=True)
    workflow._build_dag()

    def files(value):
        return str(value) if isinstance(value, str) else [str(f) for f in value]

    jobs = [
        {
            "rule": job.rule.name,
            "wildcards": dict(job.wildcards.items()),
            "named": {key: files(value) for key, value in job.input.items()},
            "inputs": [str(f) for f in job.input],
            "outputs": [str(f) for f in job.output],
            "named_outputs": {key: files(value) for key, value in job.output.items()},
            "params": dict(job.params.items()),
        }
        for job in workflow.dag.jobs
    ]
Path(out).write_text(json.dumps(jobs, default=repr))
"""


def _distinct_sections(config: dict) -> dict:
    """The config with one preprocessing per section (a copy of the one it names, with its
    own jitter so the spectrum jobs' params differ too), a dataset that has a training
    view added to the autoencoder datasets, distinct image counts and two seeds for every
    training claim."""
    variant = copy.deepcopy(config)
    sections = [s for s, v in variant.items() if isinstance(v, dict) and "preprocessing" in v]
    for index, section in enumerate(sections):
        own = dict(variant["preprocessings"][variant[section]["preprocessing"]])
        own["jitter"] = 1e-3 * (index + 2)
        variant["preprocessings"][f"{section}_only"] = own
        variant[section]["preprocessing"] = f"{section}_only"
    variant["device"] = "cpu"  # the same plan, without importing torch to resolve `auto`
    # the two image counts (8 and 8 in both configs) told apart
    variant["gallery"]["images"] = 5
    variant["autoencoders"]["guidance"]["show"] = 7
    viewed = [d for d in variant["datasets"] if _has_training_view(variant["datasets"][d])]
    extra = [d for d in viewed if d not in variant["autoencoders"]["datasets"]]
    variant["autoencoders"]["datasets"].append(extra[-1])
    # several seeds, none of them 0, for the headline pair and the R3 pairs
    variant["subspace"]["seeds"] = [3, 1]
    variant["autoencoders"]["guidance"]["seeds"] = [2, 5]
    return variant


def _has_training_view(spec: dict) -> bool:
    return spec.get("closed_form_shape") == "native" and spec.get("shape") is not None


class Plan:
    def __init__(self, config: dict, jobs: list[dict]):
        self.config = config
        self.jobs = jobs
        self.rules = {}
        for job in jobs:
            self.rules.setdefault(job["rule"], []).append(job)
        self.producer = {f: job for job in jobs for f in job["outputs"]}

    def one(self, rule: str) -> dict:
        (job,) = self.rules[rule]
        return job

    def view(self, section: str, dataset: str) -> str:
        """The directory (under results/datasets and results/spectrum) a section reads."""
        spec = self.config["datasets"][dataset]
        viewed = section in TRAINING_SECTIONS and _has_training_view(spec)
        return dataset + TRAINING_VIEW if viewed else dataset

    def preprocessing(self, section: str) -> str:
        return self.config[section]["preprocessing"]

    def outputs(self, rule: str) -> set[str]:
        return {f for job in self.rules.get(rule, []) for f in job["outputs"]}


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """{name: Plan} of the three configs, planned in parallel."""
    root = tmp_path_factory.mktemp("wiring")
    paper = yaml.safe_load((REPO / "config.paper.yaml").read_text())
    distinct = root / "distinct.yaml"
    distinct.write_text(yaml.safe_dump(_distinct_sections(paper)))
    configs = {
        "default": REPO / "config.yaml",
        "paper": REPO / "config.paper.yaml",
        "distinct": distinct,
    }
    running = {}
    for name, path in configs.items():
        workdir = root / name
        workdir.mkdir()
        command = [sys.executable, "-c", PLANNER, str(REPO / "Snakefile"), str(path)]
        command += [str(workdir), str(root / f"{name}.json")]
        running[name] = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    result = {}
    for name, process in running.items():
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, f"{name}:\n{stdout[-3000:]}\n{stderr[-3000:]}"
        assert not (root / name / "results").exists()  # a plan: nothing made
        jobs = json.loads((root / f"{name}.json").read_text())
        result[name] = Plan(yaml.safe_load(configs[name].read_text()), jobs)
    return result


PLANS = ["default", "paper", "distinct"]


def _dataset_dirs(files) -> set[str]:
    return {Path(f).parts[2] for f in files if f.startswith("results/datasets/")}


def _spectra(files) -> set[tuple[str, str]]:
    return {Path(f).parts[2:4] for f in files if f.startswith("results/spectrum/")}


def _reads_whole(plan: Plan, job: dict, directory: str) -> None:
    """The job reads every file the job writing `directory` writes, and nothing else there."""
    read = {f for f in job["inputs"] if f.startswith(directory + "/")}
    writer = plan.producer[next(iter(read))]
    assert read == set(writer["outputs"]), (job["rule"], job["wildcards"], directory)


def _reads(plan: Plan, job: dict, views: set[str], spectra: set[tuple[str, str]]) -> None:
    """Exactly these dataset views and (view, preprocessing) spectra, each whole."""
    where = (job["rule"], job["wildcards"])
    assert _dataset_dirs(job["inputs"]) == views, where
    assert _spectra(job["inputs"]) == spectra, where
    for view in views:
        _reads_whole(plan, job, f"results/datasets/{view}")
    for view, preprocessing in spectra:
        _reads_whole(plan, job, f"results/spectrum/{view}/{preprocessing}")


def _taken_from(param, section) -> bool:
    """Whether a param is the config entry `section`: equal, or for a mapping, equal on
    every key the two share, with the shared keys most of each (a rule may leave out a
    display-only key or add a record of its own; another section differs on a shared key
    or shares few)."""
    if not isinstance(section, dict) or not isinstance(param, dict):
        return param == section
    shared = set(param) & set(section)
    return (
        all(param[key] == section[key] for key in shared)
        and 2 * len(shared) >= len(section)
        and 2 * len(shared) >= len(param)
    )


def _acceleration(params: dict, config: dict) -> None:
    """Switches the config sets (not `auto`) reach the job as set."""
    for key, value in config.get("acceleration", {}).items():
        if value != "auto":
            assert params["acceleration"][key] == value, key


def _device(config: dict) -> set[str]:
    """The devices a job's `device` param may hold: the config's, `auto` resolved to
    whichever this machine has (lbr.config.planned_device; torch is not imported here)."""
    return {"cpu", "cuda"} if config["device"] == "auto" else {config["device"]}


# --- every rule is checked ------------------------------------------------------------

CHECKED = {
    "all",
    "archive",
    "download",
    "dataset",
    "dataset_training_view",
    "spectrum",
    "alignment",
    "denoising",
    "denoising_table",
    "theorem1_adam",
    "theorem1_interpolation",
    "figure_alignment",
    "figure_denoising",
    "figure_theorem1",
    "figure_gallery",
    "subspace_train",
    "subspace_table",
    "figure_subspace",
    "dynamics",
    "guidance",
    "autoencoder_tables",
    "figure_autoencoders",
    "r1_verdicts",
    "figure_r1_prediction",
    "reproduction_report",
}


@pytest.mark.parametrize("name", PLANS)
def test_every_planned_rule_has_its_wiring_checked_here(plans, name):
    plan = plans[name]
    assert set(plan.rules) <= CHECKED, set(plan.rules) - CHECKED
    # only the paper configs download, and only they have training views
    optional = {"download", "dataset_training_view"}
    assert CHECKED - set(plan.rules) <= optional
    # one device for every job that has one
    assert len({job["params"]["device"] for job in plan.jobs if "device" in job["params"]}) == 1


# --- datasets and spectra -------------------------------------------------------------


@pytest.mark.parametrize("name", PLANS)
def test_datasets_and_their_training_views(plans, name):
    from lbr.data.catalog import REMOTE_SOURCE_NAMES

    plan, config = plans[name], plans[name].config
    datasets = config["datasets"]
    made = {job["wildcards"]["dataset"]: job for job in plan.rules["dataset"]}
    assert set(made) == set(datasets)
    for dataset, job in made.items():
        spec = datasets[dataset]
        assert _taken_from(job["params"]["spec"], spec)
        assert job["params"]["download_dir"] == f"results/downloads/{spec['source']}"
        assert _dataset_dirs(job["outputs"]) == {dataset}
        base = [spec["base"]] if spec["source"] == "composite" else []
        assert _dataset_dirs(job["named"]["base"]) == set(base)
        for view in base:
            _reads_whole(plan, job, f"results/datasets/{view}")
        remote = spec["source"] in REMOTE_SOURCE_NAMES
        manifest = f"results/downloads/{spec['source']}/verified.json"
        assert job["named"]["downloads"] == (manifest if remote else [])
    sources = {spec["source"] for spec in datasets.values()} & set(REMOTE_SOURCE_NAMES)
    downloads = {job["wildcards"]["source"] for job in plan.rules.get("download", [])}
    assert downloads == sources
    trained = {d for s in TRAINING_SECTIONS for d in config[s]["datasets"]}
    viewed = {d for d in trained if _has_training_view(datasets[d])}
    views = {
        job["wildcards"]["dataset"]: job for job in plan.rules.get("dataset_training_view", [])
    }
    assert set(views) == viewed
    for dataset, job in views.items():
        assert _taken_from(job["params"]["spec"], datasets[dataset])
        _reads(plan, job, {dataset}, set())
        assert _dataset_dirs(job["outputs"]) == {dataset + TRAINING_VIEW}
    if name != "default":
        assert viewed  # the paper configs exercise the views


@pytest.mark.parametrize("name", PLANS)
def test_spectrum_jobs_one_per_view_and_preprocessing_asked_for(plans, name):
    plan, config = plans[name], plans[name].config
    expected = {(d, p) for d in config["datasets"] for p in config["spectrum"]["preprocessings"]}
    expected |= {
        (d, config[section]["preprocessing"])
        for section in CLOSED_FORM_SECTIONS
        for d in config["datasets"]
    }
    expected |= {
        (plan.view(section, d), config[section]["preprocessing"])
        for section in TRAINING_SECTIONS
        for d in config[section]["datasets"]
    }
    jobs = plan.rules["spectrum"]
    planned = [(j["wildcards"]["dataset"], j["wildcards"]["preprocessing"]) for j in jobs]
    assert sorted(planned) == sorted(expected)
    for job in jobs:
        view, preprocessing = job["wildcards"]["dataset"], job["wildcards"]["preprocessing"]
        _reads(plan, job, {view}, set())
        assert _spectra(job["outputs"]) == {(view, preprocessing)}
        params = job["params"]
        assert params["preprocessing"] == config["preprocessings"][preprocessing]
        for key in ("chunk_size", "rank_rtol"):  # when a param (it may be read by the job)
            assert params.get(key, config["spectrum"][key]) == config["spectrum"][key], key
        assert params["device"] in _device(config)
    if name == "distinct":  # every section's spectrum is its own
        assert len({p for _, p in expected}) == len(config["preprocessings"])


# --- closed forms ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PLANS)
def test_closed_form_jobs_read_their_sections_spectrum(plans, name):
    plan, config = plans[name], plans[name].config
    datasets = list(config["datasets"])
    for rule, section in (
        ("alignment", "alignment"),
        ("theorem1_interpolation", "theorem1"),
        ("figure_gallery", "gallery"),
    ):
        jobs = {job["wildcards"]["dataset"]: job for job in plan.rules[rule]}
        assert sorted(jobs) == sorted(datasets), rule
        for dataset, job in jobs.items():
            views = {dataset} if rule == "figure_gallery" else set()
            _reads(plan, job, views, {(dataset, plan.preprocessing(section))})
    for job in plan.rules["theorem1_interpolation"]:
        assert _taken_from(job["params"]["interpolation"], config["theorem1"]["interpolation"])
    for job in plan.rules["figure_gallery"]:
        assert _taken_from(job["params"]["gallery"], config["gallery"])
        assert job["named"]["dataset"] == [f for f in job["inputs"] if "/datasets/" in f]
    adam = plan.one("theorem1_adam")
    assert adam["inputs"] == [] and _taken_from(adam["params"]["adam"], config["theorem1"]["adam"])


_NOISE_KEYS = {"patch_sizes": "patch", "ratios": "ratio", "sigmas": "sigma", "lengths": "length"}


def _noise_settings(noises: dict) -> list[dict]:
    """Every setting of the config's noise grid: the product of each family's lists."""
    import itertools

    settings = []
    for family, grid in noises.items():
        keys = sorted(grid)
        for values in itertools.product(*(grid[k] for k in keys)):
            settings.append({"family": family, **{_NOISE_KEYS[k]: v for k, v in zip(keys, values)}})
    return settings


def _canonical(setting: dict) -> str:
    return json.dumps(setting, sort_keys=True)


@pytest.mark.parametrize("name", PLANS)
def test_denoising_jobs_one_per_dataset_and_noise_setting(plans, name):
    plan, config = plans[name], plans[name].config
    settings = sorted(_canonical(s) for s in _noise_settings(config["denoising"]["noises"]))
    by_dataset = {}
    names = {}
    for job in plan.rules["denoising"]:
        dataset, noise = job["wildcards"]["dataset"], job["wildcards"]["noise"]
        _reads(plan, job, set(), {(dataset, plan.preprocessing("denoising"))})
        assert job["outputs"] == [f"results/denoising/{dataset}/{noise}.parquet"]
        assert job["params"]["device"] in _device(config)
        setting = _canonical(job["params"]["noise"])
        by_dataset.setdefault(dataset, []).append(setting)
        # one name, one setting, whichever dataset
        assert names.setdefault(noise, setting) == setting
    assert sorted(by_dataset) == sorted(config["datasets"])
    for dataset, planned in by_dataset.items():
        assert sorted(planned) == settings, dataset
    table = plan.one("denoising_table")
    assert set(table["inputs"]) == plan.outputs("denoising")
    assert len(table["inputs"]) == len(plan.rules["denoising"])
    # the table labels each input with params.datasets, position by position
    assert [Path(f).parts[2] for f in table["inputs"]] == table["params"]["datasets"]
    assert table["params"]["k_min"] == config["denoising"]["k_min"]
    figure = plan.one("figure_denoising")
    for key in ("table", "screen"):
        assert figure["named"][key] == table["named_outputs"][key], key
    assert figure["params"]["k_min"] == config["denoising"]["k_min"]


def _paired(files: list[str], datasets: list[str], template: str) -> None:
    """Input i is dataset i's file: the scripts zip params.datasets with the inputs."""
    assert files == [template.format(d) for d in datasets]


@pytest.mark.parametrize("name", PLANS)
def test_closed_form_figures_pair_each_input_with_its_dataset(plans, name):
    plan, config = plans[name], plans[name].config
    datasets = sorted(config["datasets"])
    alignment = plan.one("figure_alignment")
    assert sorted(alignment["params"]["datasets"]) == datasets
    _paired(alignment["inputs"], alignment["params"]["datasets"], "results/alignment/{}.parquet")
    assert set(alignment["inputs"]) == plan.outputs("alignment")
    theorem1 = plan.one("figure_theorem1")
    assert sorted(theorem1["params"]["datasets"]) == datasets
    assert theorem1["named"]["adam"] == plan.one("theorem1_adam")["outputs"][0]
    _paired(
        theorem1["named"]["interpolation"],
        theorem1["params"]["datasets"],
        "results/theory/interpolation/{}.parquet",
    )
    assert set(theorem1["named"]["interpolation"]) == plan.outputs("theorem1_interpolation")


# --- training -------------------------------------------------------------------------


def _subspace_grid(section: dict) -> set[tuple]:
    pairs = [(side, f) for side in section["sides"] for f in section["fractions"]]
    pairs += [(side, section["headline"][side]) for side in ("top", "bottom")]
    if section["dimension_halves"]:  # lbr.train.grid: the halves of the dimensions
        pairs += [("top_dims", 0.5), ("bottom_dims", 0.5)]
    return {
        (d, side, f"{fraction:g}", "aug" if augment else "noaug", str(seed))
        for d in section["datasets"]
        for side, fraction in pairs
        for augment in section["augment"]
        for seed in section["seeds"]
    }


@pytest.mark.parametrize("name", PLANS)
def test_subspace_jobs_read_the_training_view_and_the_subspace_spectrum(plans, name):
    plan, config = plans[name], plans[name].config
    section = config["subspace"]
    keys = ("dataset", "side", "fraction", "augment", "seed")
    jobs = plan.rules["subspace_train"]
    planned = [tuple(job["wildcards"][k] for k in keys) for job in jobs]
    assert sorted(planned) == sorted(_subspace_grid(section))
    for job in jobs:
        view = plan.view("subspace", job["wildcards"]["dataset"])
        _reads(plan, job, {view}, {(view, plan.preprocessing("subspace"))})
        assert _dataset_dirs(job["named"]["dataset"]) == {view}
        assert _spectra(job["named"]["spectrum"]) == {(view, plan.preprocessing("subspace"))}
        params = job["params"]
        assert _taken_from(params["training"], section["training"])
        assert _taken_from(params["model"], section["model"])
        assert params.get("save_weights", section["save_weights"]) == section["save_weights"]
        assert params["device"] in _device(config)
        _acceleration(params, config)
        weights = [f for f in job["outputs"] if f.endswith("/weights.pt")]
        assert len(weights) == int(section["save_weights"])
    table = plan.one("subspace_table")
    for key, name in (("summaries", "summary.json"), ("metrics", "metrics.parquet")):
        assert set(table["named"][key]) == {
            f for f in plan.outputs("subspace_train") if f.endswith(name)
        }
        # params.runs labels each summary and each curve, position by position
        labelled = [
            f"results/subspace/{{}}/{{}}-{{}}-{{}}-s{{}}/{name}".format(*run)
            for run in table["params"]["runs"]
        ]
        assert table["named"][key] == labelled, key
    assert sorted(tuple(map(str, run)) for run in table["params"]["runs"]) == sorted(
        _subspace_grid(section)
    )
    figure = plan.one("figure_subspace")
    assert figure["named"]["summary"] == table["named_outputs"]["summary"]
    assert figure["named"]["curves"] == table["named_outputs"]["curves"]
    assert figure["named"]["r1_verdicts"] == plan.one("r1_verdicts")["outputs"][0]
    assert _taken_from(figure["params"]["headline"], section["headline"])


@pytest.mark.parametrize("name", PLANS)
def test_autoencoder_jobs_read_the_training_view_and_the_autoencoder_spectrum(plans, name):
    plan, config = plans[name], plans[name].config
    section = config["autoencoders"]
    spectrum = plan.preprocessing("autoencoders")
    dynamics = plan.rules["dynamics"]
    planned = sorted((j["wildcards"]["dataset"], j["wildcards"]["arch"]) for j in dynamics)
    expected = [(d, a) for d in section["datasets"] for a in section["dynamics"]["architectures"]]
    assert planned == sorted(expected)
    guidance = plan.rules["guidance"]
    keys = ("dataset", "arch", "latent", "weight", "seed")
    planned = sorted(tuple(j["wildcards"][k] for k in keys) for j in guidance)
    grid = section["guidance"]
    expected = [
        (d, a, str(k), f"{w:g}", str(seed))
        for d in section["datasets"]
        for a in grid["architectures"]
        for k in grid["latents"]
        for w in grid["weights"]
        for seed in grid["seeds"]
    ]
    assert planned == sorted(expected)
    for job in guidance:  # the seed is the job's own; the grid's list is no param of it
        assert "seeds" not in job["params"]["settings"] and "seed" not in job["params"]["settings"]
    for job, settings in [(j, section["dynamics"]) for j in dynamics] + [
        (j, grid) for j in guidance
    ]:
        view = plan.view("autoencoders", job["wildcards"]["dataset"])
        _reads(plan, job, {view}, {(view, spectrum)})
        assert _dataset_dirs(job["named"]["dataset"]) == {view}
        assert _spectra(job["named"]["spectrum"]) == {(view, spectrum)}
        assert _taken_from(job["params"]["settings"], settings)
        assert job["params"]["device"] in _device(config)
        _acceleration(job["params"], config)
    if name == "distinct":  # a dataset read through its training view
        assert any(plan.view("autoencoders", d) != d for d in section["datasets"])

    tables = plan.one("autoencoder_tables")
    for key, rule, suffix in (
        ("dynamics", "dynamics", ".json"),
        ("directions", "dynamics", "-directions.parquet"),
        ("bands", "dynamics", "-bands.parquet"),
        ("guidance", "guidance", ".json"),
        ("curves", "guidance", "-curves.parquet"),
        ("test_images", "guidance", "-test-images.parquet"),
    ):
        made = {f for f in plan.outputs(rule) if _suffix(f) == suffix}
        assert set(tables["named"][key]) == made, key
        assert len(tables["named"][key]) == len(made)

    # per-image results keyed by params.guidance_runs, position by position
    labelled = [
        "results/guidance/{}/{}-k{}-g{}-s{}-test-images.parquet".format(*run)
        for run in tables["params"]["guidance_runs"]
    ]
    assert tables["named"]["test_images"] == labelled
    assert tables["params"]["intervals"] == config["intervals"]

    figure = plan.one("figure_autoencoders")
    for key in ("dynamics", "directions", "bands", "pairs", "curves"):
        assert figure["named"][key] == tables["named_outputs"][key], key
    # reconstructions keyed by params.guidance_runs, position by position
    labelled = [
        "results/guidance/{}/{}-k{}-g{}-s{}-reconstructions.npy".format(*run)
        for run in figure["params"]["guidance_runs"]
    ]
    assert figure["named"]["reconstructions"] == labelled
    assert set(labelled) == {f for f in plan.outputs("guidance") if f.endswith(".npy")}
    views = {d: plan.view("autoencoders", d) for d in section["datasets"]}
    assert figure["params"]["dataset_dirs"] == {
        d: f"results/datasets/{v}" for d, v in views.items()
    }
    assert _dataset_dirs(figure["named"]["datasets"]) == set(views.values())
    for f in figure["named"]["datasets"]:  # the shape and class names: the view's meta file
        assert f in plan.producer and f.endswith(".json")
    assert figure["params"]["show"] == grid["show"]


def _suffix(path: str) -> str:
    name = Path(path).name
    for suffix in (
        "-directions.parquet",
        "-bands.parquet",
        "-curves.parquet",
        "-test-images.parquet",
    ):
        if name.endswith(suffix):
            return suffix
    return Path(path).suffix


# --- the report -----------------------------------------------------------------------


@pytest.mark.parametrize("name", PLANS)
def test_report_jobs_read_every_dataset_in_order_and_the_subspace_headline(plans, name):
    plan, config = plans[name], plans[name].config
    headline = config["subspace"]["headline"]
    verdicts = plan.one("r1_verdicts")
    report = plan.one("reproduction_report")
    for job in (verdicts, report):
        assert sorted(job["params"]["datasets"]) == sorted(config["datasets"])
        _paired(
            job["named"]["alignment"], job["params"]["datasets"], "results/alignment/{}.parquet"
        )
        assert job["named"]["subspace"] == plan.one("subspace_table")["outputs"][0]
        assert _taken_from(job["params"]["headline"], headline)
    assert report["named"]["r1_verdicts"] == verdicts["outputs"][0]
    assert report["named"]["screen"] == plan.one("denoising_table")["named_outputs"]["screen"]
    assert report["named"]["adam"] == plan.one("theorem1_adam")["outputs"][0]
    for key in ("dynamics", "pairs", "pair_summary", "guidance"):
        assert report["named"][key] == plan.one("autoencoder_tables")["named_outputs"][key]
    # R1's bootstrap: the per-image results of the headline pair at the augmentation the
    # verdict reads (plain runs when there are any), every dataset and seed, in the order
    # of params.headline_runs
    section = config["subspace"]
    augment = "noaug" if False in section["augment"] else "aug"
    expected = {
        (d, side, f"{section['headline'][side]:g}", augment, str(seed))
        for d in section["datasets"]
        for side in ("top", "bottom")
        for seed in section["seeds"]
    }
    runs = [tuple(map(str, run)) for run in verdicts["params"]["headline_runs"]]
    assert sorted(runs) == sorted(expected) and len(runs) == len(expected)
    assert verdicts["named"]["test_images"] == [
        "results/subspace/{}/{}-{}-{}-s{}/test_images.parquet".format(*run) for run in runs
    ]
    assert set(verdicts["named"]["test_images"]) <= plan.outputs("subspace_train")
    assert verdicts["params"]["intervals"] == config["intervals"]
    prediction = plan.one("figure_r1_prediction")
    assert prediction["inputs"] == verdicts["outputs"]
    assert _taken_from(prediction["params"]["headline"], headline)
    assert report["named"]["r1_figure"] == prediction["outputs"][0]


@pytest.mark.parametrize("name", PLANS)
def test_final_targets(plans, name):
    plan, config = plans[name], plans[name].config
    final = set(plan.one("all")["inputs"])
    spectra = {
        f"results/spectrum/{d}/{p}/summary.json"
        for d in config["datasets"]
        for p in config["spectrum"]["preprocessings"]
    }
    assert spectra <= final
    galleries = {f"results/figures/fig9_gallery_{d}.png" for d in config["datasets"]}
    assert galleries <= final and "results/report.md" in final
    archive = plan.one("archive")
    assert set(archive["inputs"]) == final
    assert archive["params"]["config"]["subspace"] == config["subspace"]
