# The reproduction report: every claim of the paper against this run's numbers.


rule figure_r1_prediction:
    input:
        rules.r1_verdicts.output[0],
    output:
        figure_outputs("r1_prediction", "Subspaces"),
    log:
        log_path("figures", "r1_prediction"),
    benchmark:
        benchmark_path("figures", "r1_prediction")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        headline=config["subspace"]["headline"],
        code=stage_version("figures"),
    script:
        "../scripts/plot_r1_prediction.py"


rule reproduction_report:
    input:
        alignment=expand(rules.alignment.output[0], dataset=DATASETS),
        screen=rules.denoising_table.output.screen,
        adam=rules.theorem1_adam.output[0],
        subspace=rules.subspace_table.output.summary,
        dynamics=rules.autoencoder_tables.output.dynamics,
        pairs=rules.autoencoder_tables.output.pairs,
        pair_summary=rules.autoencoder_tables.output.pair_summary,
        guidance=rules.autoencoder_tables.output.guidance,
        r1_verdicts=rules.r1_verdicts.output[0],
        r1_figure=rules.figure_r1_prediction.output[0],
        # Each dataset's labels, for the warnings about classes with few images.
        datasets=[f"{dataset_dir(d)}/{DATASET_META}" for d in DATASETS],
    output:
        markdown=f"{RESULTS}/report.md",
        html=report(
            f"{RESULTS}/reproduction.html",
            caption="../report/reproduction.rst",
            category="Reproduction",
        ),
        table=f"{RESULTS}/reproduction.parquet",
    log:
        log_path("report", "reproduction"),
    benchmark:
        benchmark_path("report", "reproduction")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        datasets=DATASETS,
        headline=config["subspace"]["headline"],
        code=stage_version("report"),
    script:
        "../scripts/reproduction_report.py"
