# The reproduction report: every claim of the paper against this run's numbers.


rule r1_verdicts:
    input:
        alignment=[f"{RESULTS}/alignment/{d}.parquet" for d in DATASETS],
        subspace=f"{RESULTS}/subspace/summary.parquet",
        # The headline runs' per-test-image results: the paired bootstrap of the gap.
        test_images=[
            f"{subspace_run_dir(*run)}/test_images.parquet" for run in HEADLINE_RUNS
        ],
    output:
        f"{RESULTS}/report/r1_verdicts.parquet",
    log:
        log_path("report", "r1_verdicts"),
    benchmark:
        benchmark_path("report", "r1_verdicts")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        datasets=DATASETS,
        headline=config["subspace"]["headline"],
        headline_runs=HEADLINE_RUNS,
        intervals=config["intervals"],
        code=stage_version("report"),
    script:
        "../scripts/r1_verdicts.py"


rule figure_r1_prediction:
    input:
        f"{RESULTS}/report/r1_verdicts.parquet",
    output:
        figure_outputs("r1_prediction", report_item=True),
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
        alignment=[f"{RESULTS}/alignment/{d}.parquet" for d in DATASETS],
        screen=f"{RESULTS}/denoising/screen.parquet",
        adam=f"{RESULTS}/theory/theorem1_adam.parquet",
        subspace=f"{RESULTS}/subspace/summary.parquet",
        dynamics=f"{RESULTS}/dynamics/summary.parquet",
        pairs=f"{RESULTS}/guidance/pairs.parquet",
        pair_summary=f"{RESULTS}/guidance/pair_summary.parquet",
        guidance=f"{RESULTS}/guidance/summary.parquet",
        r1_verdicts=f"{RESULTS}/report/r1_verdicts.parquet",
        r1_figure=figure_outputs("r1_prediction")[0],
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
