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


# The config contract: a --configfile replaces config.yaml, it is not merged onto it
# (a merge could add and change keys but never remove a dataset or a noise family).
# config.yaml is read only when no --configfile is given; --config KEY=VALUE applies
# on top of whichever file is used.
if not workflow.config_settings.configfiles:

    configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/datasets.smk"
include: "workflow/rules/spectrum.smk"
include: "workflow/rules/closed_forms.smk"
include: "workflow/rules/subspace.smk"
include: "workflow/rules/autoencoders.smk"
include: "workflow/rules/report.smk"


# What `all` makes: every figure and table that the ones below do not already need.
FINAL_OUTPUTS = [
    *all_spectrum_outputs(),
    *rules.figure_alignment.output,
    *rules.figure_denoising.output.denoising,
    *rules.figure_theorem1.output.theorem1,
    *[f for d in DATASETS for f in expand(rules.figure_gallery.output, dataset=d)],
    *rules.figure_subspace.output.subspace,
    *rules.figure_autoencoders.output.dynamics,
    rules.reproduction_report.output.markdown,
]


rule all:
    default_target: True
    input:
        FINAL_OUTPUTS,


# Takes FINAL_OUTPUTS: included after it is defined.
include: "workflow/rules/archive.smk"
