# Config validation, wildcard constraints and the one place where paths are built.
#
# Where the library comes from: every process of a run imports lbr from this workflow's
# own workflow/ directory, set here and nowhere else (no script touches sys.path), so a
# checkout always runs its own code, even with a Python environment installed from another
# checkout (`pip install -e .` there points at that checkout's files). The install is for
# the dependencies, the tests, tools/ and `python -m lbr.archive`; the workflow does not
# rely on it, because:
# - jobs run in a conda env (--software-deployment-method conda) do not have the package:
#   envs/lbr.yaml cannot install it (Snakemake copies the env file under .snakemake/conda
#   before creating it, so a relative `pip: -e ../` would point elsewhere, and a copy of
#   the code in the env would not follow later edits);
# - Snakemake's `script:` preamble appends the Snakemake process's sys.path (this
#   directory first) to each script's, so a script finds lbr here by default, but after
#   the interpreter's own site-packages, where an install from another checkout would win;
#   PYTHONPATH puts this directory first for the scripts that run in this environment
#   (Snakemake drops PYTHONPATH for conda jobs, whose env has no lbr to shadow it);
# - a cluster job (SLURM, same filesystem) runs Snakemake again on its node, which parses
#   this file and sets both again.

import os
import re
import sys
from pathlib import Path

LIBRARY = str(Path(workflow.basedir) / "workflow")
sys.path.insert(0, LIBRARY)
_inherited = os.environ.get("PYTHONPATH", "").split(os.pathsep)
os.environ.update(
    PYTHONPATH=os.pathsep.join(
        [LIBRARY, *[p for p in _inherited if p and p != LIBRARY]]
    )
)

from lbr import stage_version
from lbr.scheduler_timers import install as one_pending_scheduler_timer
from snakemake.logging import logger
from lbr.config import (
    WILDCARD_PATTERNS,
    check_config,
    check_rerun_triggers,
    check_unique_keys,
    command_line_rerun_triggers,
    cpu_threads,
    planned_acceleration,
    planned_device,
)
from lbr import resources
from lbr.integrity import SNAKEMAKE_OPTIONS_ENV, snakemake_options
from lbr.data.catalog import REMOTE_SOURCE_NAMES, closed_form_shape, training_images
from lbr.data.source_files import source_files_record
from lbr.data.views import TRAINING_VIEW_SUFFIX, has_training_view, training_view
from lbr.errors import ConfigError, DataError
from lbr.layout import DATASET_FILES, DATASET_META, SPECTRUM_FILES, SPECTRUM_SUMMARY
from lbr.spectral.noise import expand_noise_grid, noise_spec
from lbr.train.grid import (
    DENOISING_FIELDS,
    DYNAMICS_FIELDS,
    GUIDANCE_FIELDS,
    SUBSPACE_FIELDS,
    denoising_runs,
    dynamics_runs,
    guidance_runs,
    headline_runs,
    subspace_runs,
)

# Snakemake's scheduler otherwise wakes once more per second for every finished job
# (lbr/scheduler_timers.py, docs/snakemake_scheduler.md).
if not one_pending_scheduler_timer():
    logger.warning(
        "lbr.scheduler_timers: this Snakemake has no JobScheduler._schedule_reevalutation; "
        "its scheduler runs unpatched (see docs/snakemake_scheduler.md)"
    )


def _jobs_run_on_this_machine():
    # A cluster run (--jobs without --cores, e.g. the SLURM profile) plans on a head node
    # whose devices say nothing about the compute nodes; there, and inside a cluster job,
    # the word stays and each job resolves it.
    return workflow.resource_settings.nodes is None and not workflow.remote_exec


try:
    triggers = command_line_rerun_triggers(sys.argv[1:])
    if triggers is not None:
        check_rerun_triggers(triggers)
    for configfile in workflow.configfiles:
        check_unique_keys(configfile)
    check_config(config)
    if _jobs_run_on_this_machine():
        # Checked before any job is planned; the resolved device (not the word) is what
        # params carry, so cpu -> auto on a CPU-only machine reruns nothing.
        config["device"] = planned_device(config["device"])
except ConfigError as error:
    raise WorkflowError(str(error))


def _sorted_keys(value):
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value


# Snakemake detects changed params by their printed form, so a config whose keys were
# merely reordered (another editor, yaml.safe_dump) would rerun everything: one order.
_canonical = _sorted_keys(dict(config))
config.clear()
config.update(_canonical)


# The fix commands jobs print (a file to redo, a run to archive) carry the user's
# Snakefile, directory, config files and overrides; jobs inherit the environment, and a
# cluster job parses this file again. Never a param: it changes no result.
os.environ[SNAKEMAKE_OPTIONS_ENV] = snakemake_options(
    workflow.main_snakefile,
    Path.cwd(),
    workflow.overwrite_workdir is not None,
    workflow.config_settings.configfiles,
    workflow.config_settings.config_args or [],
)


# One list of patterns, in the library, which the config checks validate against.
workflow.global_wildcard_constraints(**WILDCARD_PATTERNS)


RESULTS = "results"
# torch.compile's kernel cache, shared by every training job of a run (TORCHINDUCTOR_CACHE_DIR
# in the environment overrides it). A constant, so never a rerun trigger.
COMPILE_CACHE = f"{RESULTS}/cache/torch_compile"
# The training fast-path switches as a param: `auto` resolved against the planned device,
# so writing out the defaults reruns nothing; absent keys mean `auto` (lbr.train.runtime).
ACCELERATION = planned_acceleration(config.get("acceleration"), config["device"])
# torch's threads in a training job: a param (it decides the numbers on the CPU), and
# the job's `threads:`. Snakemake lowers `threads:` to --cores; the job keeps this count.
CPU_THREADS = cpu_threads(config)
# A training job's runtime request (minutes), for every executor: its time is GPU time,
# which lbr.resources does not model from the data's size as it does for the other stages.
TRAINING_RUNTIME = 120


def dataset_dir(dataset):
    return f"{RESULTS}/datasets/{dataset}"


def dataset_files(dataset):
    """Every file of a dataset (`dataset` may be the "{dataset}" wildcard)."""
    return [f"{dataset_dir(dataset)}/{name}" for name in DATASET_FILES]


def spectrum_dir(dataset, preprocessing):
    return f"{RESULTS}/spectrum/{dataset}/{preprocessing}"


def spectrum_files(dataset, preprocessing):
    return [f"{spectrum_dir(dataset, preprocessing)}/{name}" for name in SPECTRUM_FILES]


def download_dir(source):
    return f"{RESULTS}/downloads/{source}"


def download_manifest(source):
    """Written by the `download` rule once every raw file of `source` is verified."""
    return f"{download_dir(source)}/verified.json"


def log_path(stage, name):
    return f"{RESULTS}/logs/{stage}/{name}.log"


def benchmark_path(stage, name):
    return f"{RESULTS}/benchmarks/{stage}/{name}.tsv"


NOISES = expand_noise_grid(config["denoising"]["noises"])
DATASETS = list(config["datasets"])
# Sources whose raw files are downloaded (the `downloads` target fetches them all).
DOWNLOADED_SOURCES = sorted(
    {spec["source"] for spec in config["datasets"].values()} & set(REMOTE_SOURCE_NAMES)
)
FIGURES = f"{RESULTS}/figures"


def figure_outputs(name, category):
    """A figure rule's outputs: PNG and PDF. The PNG goes into `snakemake --report` under
    `category`, with its caption from workflow/report/ (one per figure: a name's
    wildcard part, as in fig9_gallery_{dataset}, shares the caption)."""
    stem = name.split("_{")[0]
    png = report(
        f"{FIGURES}/{name}.png", caption=f"../report/{stem}.rst", category=category
    )
    return [png, f"{FIGURES}/{name}.pdf"]


# Stages that train networks: they read each dataset at its `shape` (its training
# view); every other stage reads the stored arrays (closed_form_shape).
TRAINING_SECTIONS = ("subspace", "autoencoders")
# A dataset directory name: a configured dataset, or its derived training copy.
DATASET_VIEW = f"[A-Za-z0-9_]+({re.escape(TRAINING_VIEW_SUFFIX)})?"


def stage_dataset(section, dataset):
    """The directory name under results/datasets and results/spectrum that a stage reads."""
    if section in TRAINING_SECTIONS:
        return training_view(dataset, config["datasets"][dataset])
    return dataset


def stage_dataset_dir(section, dataset):
    return dataset_dir(stage_dataset(section, dataset))


def dataset_input(section):
    """The dataset files a stage reads, at the shape its section uses."""
    return lambda wildcards: dataset_files(stage_dataset(section, wildcards.dataset))


def spectrum_input(section):
    """The spectrum files a stage reads, for the preprocessing its config section names."""
    return lambda wildcards: spectrum_files(
        stage_dataset(section, wildcards.dataset), config[section]["preprocessing"]
    )


# The run grids (lbr.train.grid): per-run paths are expanded from them and the gathering
# jobs get them as params, in the same order.
DENOISING_RUNS = denoising_runs(DATASETS, config["denoising"]["noises"])
SUBSPACE_RUNS = subspace_runs(config["subspace"])
# The headline pair's runs that R1 and Fig. 1 judge, every seed.
HEADLINE_RUNS = headline_runs(config["subspace"])


AUTOENCODERS = config["autoencoders"]
DYNAMICS_RUNS = dynamics_runs(AUTOENCODERS)
GUIDANCE_RUNS = guidance_runs(AUTOENCODERS)


def run_paths(pattern, runs, fields):
    """`pattern` (a rule's output) for each run, in the runs' order; `fields` names the
    wildcard each field of a run fills."""
    if not runs:
        return []
    return expand(
        pattern, zip, **{f: [run[i] for run in runs] for i, f in enumerate(fields)}
    )


def without_keys(section, *keys):
    """A config section as a param, less its display-only keys (changing them reruns
    only the figures that read them)."""
    return {key: value for key, value in section.items() if key not in keys}


def all_spectrum_outputs():
    return [
        f"{spectrum_dir(d, p)}/{SPECTRUM_SUMMARY}"
        for d in config["datasets"]
        for p in config["spectrum"]["preprocessings"]
    ]


def downloads_input(wildcards):
    """A downloadable dataset waits for its verified raw files."""
    source = config["datasets"][wildcards.dataset]["source"]
    return download_manifest(source) if source in REMOTE_SOURCE_NAMES else []


def base_dataset_input(wildcards):
    """A composite dataset reads its base dataset's files."""
    spec = config["datasets"][wildcards.dataset]
    if spec["source"] == "composite":
        return dataset_files(spec["base"])
    return []


def dataset_spec(wildcards):
    """A dataset's config entry as the `dataset` job's param: for a source that reads
    the user's files (image_folder, idx_directory, garments_on_photos), with a record of
    those files (lbr.data.source_files), so adding, removing or replacing one reruns the
    dataset. Sources that read none keep the bare entry (their recorded params stay)."""
    spec = config["datasets"][wildcards.dataset]
    try:
        record = source_files_record(wildcards.dataset, spec)
    except DataError as error:
        raise WorkflowError(str(error))
    return spec if record is None else {**spec, "source_files": record}


# --- Resources from what a job processes (lbr.resources) -----------------------------


def _dataset_shape_and_size(dataset_view):
    """(D, N) of a directory under results/datasets (a dataset or its training copy),
    from the config alone; None where only the data can tell."""
    name = dataset_view.removesuffix(TRAINING_VIEW_SUFFIX)
    spec = config["datasets"][name]
    shape = spec["shape"] if dataset_view != name else closed_form_shape(spec)
    dim = None if shape is None else shape[0] * shape[1] * shape[2]
    return dim, training_images(name, config["datasets"])


def _stage_view(wildcards, section):
    return (
        wildcards.dataset
        if section is None
        else stage_dataset(section, wildcards.dataset)
    )


def sized_threads(section=None):
    """Threads of a job from its dataset's D (section: the config section whose dataset
    view the job reads; None: the `dataset` wildcard is the view itself)."""
    return lambda wildcards: resources.threads(
        _dataset_shape_and_size(_stage_view(wildcards, section))[0]
    )


def sized_memory(stage, section=None):
    """mem_mb of a job from its dataset's D and N; a training job that uses a GPU also
    gets the CUDA runtime's host memory."""
    gpu = stage == "training" and config["device"] != "cpu"
    return lambda wildcards, attempt: resources.memory_mb(
        stage, *_dataset_shape_and_size(_stage_view(wildcards, section)), attempt, gpu
    )


def sized_runtime(stage, section=None):
    return lambda wildcards, attempt: resources.runtime_minutes(
        stage, *_dataset_shape_and_size(_stage_view(wildcards, section)), attempt
    )
