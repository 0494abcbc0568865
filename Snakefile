# Reproduction pipeline for "Learning by Reconstruction Produces Uninformative
# Features For Perception" (Balestriero & LeCun, ICML 2024).
#
#   snakemake --cores all                                   # default, offline config
#   snakemake --cores all --configfile config.paper.yaml    # the paper's datasets
#   snakemake --profile profiles/slurm                      # on a SLURM cluster


configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/datasets.smk"
include: "workflow/rules/spectrum.smk"
include: "workflow/rules/closed_forms.smk"
include: "workflow/rules/subspace.smk"
include: "workflow/rules/autoencoders.smk"


rule all:
    default_target: True
    input:
        all_spectrum_outputs(),
        figure_outputs("fig2_alignment"),
        figure_outputs("fig7_denoising"),
        figure_outputs("fig8_theorem1"),
        [figure_outputs(f"fig9_gallery_{d}") for d in DATASETS],
        figure_outputs("fig4_subspace"),
        figure_outputs("fig3_dynamics"),
