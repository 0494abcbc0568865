# Config validation, wildcard constraints and the one place where paths are built.

import os
import re
import sys
from pathlib import Path

# The lbr library lives in workflow/; importable with or without `pip install -e .`.
sys.path.insert(0, str(Path(workflow.basedir) / "workflow"))

from lbr import stage_version
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
from lbr.layout import DATASET_FILES, DATASET_META, SPECTRUM_FILES
from lbr.spectral.noise import expand_noise_grid, noise_spec
from lbr.train.grid import headline_runs, subspace_runs


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


REPORT_CATEGORY = {
    "fig2_alignment": "Alignment",
    "fig7_denoising": "Denoising",
    "denoising_screen": "Denoising",
    "fig8_theorem1": "Theorem 1",
    "theorem1_interpolation": "Theorem 1",
    "fig9_gallery": "Subspaces",
    "fig4_subspace": "Subspaces",
    "fig1_headline": "Subspaces",
    "r1_prediction": "Subspaces",
    "fig3_dynamics": "Autoencoders",
    "fig5_guidance": "Autoencoders",
    "fig6_reconstructions": "Autoencoders",
}


def figure_outputs(name, report_item=False):
    """PNG and PDF paths of a figure; as rule outputs (report_item=True) the PNG goes
    into `snakemake --report` with its caption from workflow/report/."""
    png, pdf = f"{FIGURES}/{name}.png", f"{FIGURES}/{name}.pdf"
    if report_item:
        stem = name.split("_{")[0]
        png = report(
            png,
            caption=f"../report/{stem}.rst",
            category=REPORT_CATEGORY[stem],
        )
    return [png, pdf]


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


SUBSPACE_RUNS = subspace_runs(config["subspace"])
# The headline pair's runs that R1 and Fig. 1 judge, every seed (lbr.train.grid).
HEADLINE_RUNS = headline_runs(config["subspace"])


def subspace_run_dir(dataset, side, fraction, augment, seed):
    return f"{RESULTS}/subspace/{dataset}/{side}-{fraction}-{augment}-s{seed}"


AUTOENCODERS = config["autoencoders"]


def without_keys(section, *keys):
    """A config section as a param, less its display-only keys (changing them reruns
    only the figures that read them)."""
    return {key: value for key, value in section.items() if key not in keys}


def dynamics_runs():
    return [
        (d, arch)
        for d in AUTOENCODERS["datasets"]
        for arch in AUTOENCODERS["dynamics"]["architectures"]
    ]


def guidance_runs():
    grid = AUTOENCODERS["guidance"]
    return [
        (d, arch, latent, f"{weight:g}", seed)
        for d in AUTOENCODERS["datasets"]
        for arch in grid["architectures"]
        for latent in grid["latents"]
        for weight in grid["weights"]
        for seed in grid["seeds"]
    ]


def guidance_stem(dataset, arch, latent, weight, seed):
    return f"{RESULTS}/guidance/{dataset}/{arch}-k{latent}-g{weight}-s{seed}"


def all_spectrum_outputs():
    return [
        f"{spectrum_dir(d, p)}/summary.json"
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
