# Config validation, wildcard constraints and the one place where paths are built.

import sys
from pathlib import Path

# The lbr library lives in workflow/; importable with or without `pip install -e .`.
sys.path.insert(0, str(Path(workflow.basedir) / "workflow"))

from lbr import stage_version
from lbr.config import check_config
from lbr.errors import ConfigError
from lbr.spectral.noise import expand_noise_grid, noise_spec

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
DATASET_FILES = (
    "train_images.npy",
    "train_labels.npy",
    "test_images.npy",
    "test_labels.npy",
    "meta.json",
)
SPECTRUM_FILES = (
    "covariance.npy",
    "class_sums.npy",
    "class_counts.npy",
    "mean.npy",
    "eigenvalues.npy",
    "eigenvectors.npy",
    "explained_variance.parquet",
    "summary.json",
)


def dataset_dir(dataset):
    return f"{RESULTS}/datasets/{dataset}"


def spectrum_dir(dataset, preprocessing):
    return f"{RESULTS}/spectrum/{dataset}/{preprocessing}"


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


def named_figure_outputs(key, name):
    """A report figure's outputs named {key}_png and {key}_pdf, for scripts that write several."""
    return dict(
        zip((f"{key}_png", f"{key}_pdf"), figure_outputs(name, report_item=True))
    )


def spectrum_input(section):
    """The spectrum files a stage reads, for the preprocessing its config section names."""
    preprocessing = config[section]["preprocessing"]
    return lambda wildcards: [
        f"{spectrum_dir(wildcards.dataset, preprocessing)}/{name}"
        for name in SPECTRUM_FILES
    ]


def subspace_runs():
    """Every training run of the subspace experiment: (dataset, side, fraction, augment, seed)."""
    grid = config["subspace"]
    runs = []
    for dataset in grid["datasets"]:
        pairs = [(side, f) for side in grid["sides"] for f in grid["fractions"]]
        pairs += [
            ("top", grid["headline"]["top"]),
            ("bottom", grid["headline"]["bottom"]),
        ]
        if grid["dimension_halves"]:
            pairs += [("top_dims", 0.5), ("bottom_dims", 0.5)]
        for side, fraction in dict.fromkeys(pairs):
            for augment in grid["augment"]:
                for seed in grid["seeds"]:
                    runs.append(
                        (
                            dataset,
                            side,
                            f"{fraction:g}",
                            "aug" if augment else "noaug",
                            seed,
                        )
                    )
    return runs


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
    spec = config["datasets"][wildcards.dataset]
    if spec["source"] == "composite":
        return f"{dataset_dir(spec['base'])}/meta.json"
    return []
