# Config validation, wildcard constraints and the one place where paths are built.

import sys
from pathlib import Path

# The lbr library lives in workflow/; importable with or without `pip install -e .`.
sys.path.insert(0, str(Path(workflow.basedir) / "workflow"))

from lbr import stage_version
from lbr.config import check_config
from lbr.errors import ConfigError
from lbr.layout import DATASET_FILES, DATASET_META, SPECTRUM_FILES
from lbr.spectral.noise import expand_noise_grid, noise_spec
from lbr.train.grid import subspace_runs

try:
    check_config(config)
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


wildcard_constraints:
    dataset="[A-Za-z0-9_]+",
    preprocessing="[A-Za-z0-9_]+",
    noise="[A-Za-z0-9_.]+",
    side="top|bottom|top_dims|bottom_dims",
    fraction="[0-9.]+",
    augment="aug|noaug",
    seed="[0-9]+",
    arch="mlp|conv|resnet",
    latent="[0-9]+",
    weight="[0-9.]+",


RESULTS = "results"


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


def log_path(stage, name):
    return f"{RESULTS}/logs/{stage}/{name}.log"


def benchmark_path(stage, name):
    return f"{RESULTS}/benchmarks/{stage}/{name}.tsv"


NOISES = expand_noise_grid(config["denoising"]["noises"])
DATASETS = list(config["datasets"])
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


def spectrum_input(section):
    """The spectrum files a stage reads, for the preprocessing its config section names."""
    preprocessing = config[section]["preprocessing"]
    return lambda wildcards: spectrum_files(wildcards.dataset, preprocessing)


SUBSPACE_RUNS = subspace_runs(config["subspace"])


def subspace_run_dir(dataset, side, fraction, augment, seed):
    return f"{RESULTS}/subspace/{dataset}/{side}-{fraction}-{augment}-s{seed}"


AUTOENCODERS = config["autoencoders"]


def dynamics_runs():
    return [
        (d, arch)
        for d in AUTOENCODERS["datasets"]
        for arch in AUTOENCODERS["dynamics"]["architectures"]
    ]


def guidance_runs():
    grid = AUTOENCODERS["guidance"]
    return [
        (d, arch, latent, f"{weight:g}")
        for d in AUTOENCODERS["datasets"]
        for arch in grid["architectures"]
        for latent in grid["latents"]
        for weight in grid["weights"]
    ]


def guidance_stem(dataset, arch, latent, weight):
    return f"{RESULTS}/guidance/{dataset}/{arch}-k{latent}-g{weight}"


def all_spectrum_outputs():
    return [
        f"{spectrum_dir(d, p)}/summary.json"
        for d in config["datasets"]
        for p in config["spectrum"]["preprocessings"]
    ]


def base_dataset_input(wildcards):
    """A composite dataset reads its base dataset's files."""
    spec = config["datasets"][wildcards.dataset]
    if spec["source"] == "composite":
        return dataset_files(spec["base"])
    return []
