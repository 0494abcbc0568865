# Reproduction pipeline for "Learning by Reconstruction Produces Uninformative
# Features For Perception" (Balestriero & LeCun, ICML 2024).
#
#   snakemake --cores all                                   # default, offline config
#   snakemake --cores all --configfile config.paper.yaml    # the paper's datasets
#   snakemake --profile profiles/slurm                      # on a SLURM cluster

from snakemake.utils import min_version

# The oldest Snakemake this workflow was checked with (9.0.1: parse, --lint, a run of the
# closed-form stages, --report); pyproject.toml pins the range the test suite runs on.
min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/datasets.smk"
include: "workflow/rules/spectrum.smk"
include: "workflow/rules/closed_forms.smk"
include: "workflow/rules/subspace.smk"
include: "workflow/rules/autoencoders.smk"
include: "workflow/rules/report.smk"


FINAL_OUTPUTS = [
    *all_spectrum_outputs(),
    *figure_outputs("fig2_alignment"),
    *figure_outputs("fig7_denoising"),
    *figure_outputs("fig8_theorem1"),
    *[f for d in DATASETS for f in figure_outputs(f"fig9_gallery_{d}")],
    *figure_outputs("fig4_subspace"),
    *figure_outputs("fig3_dynamics"),
    f"{RESULTS}/report.md",
]


rule all:
    default_target: True
    input:
        FINAL_OUTPUTS,


rule archive:
    input:
        FINAL_OUTPUTS,
    output:
        f"{RESULTS}/archive/run.tar.gz",
    log:
        log_path("archive", "run"),
    benchmark:
        benchmark_path("archive", "run")
    localrule: True
    conda:
        "envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        config=config,
        code_dir=workflow.basedir,
    script:
        "workflow/scripts/archive_run.py"
