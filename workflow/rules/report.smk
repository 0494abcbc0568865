# The reproduction report: every claim of the paper against this run's numbers.


rule reproduction_report:
    input:
        alignment=[f"{RESULTS}/alignment/{d}.parquet" for d in DATASETS],
        screen=f"{RESULTS}/denoising/screen.parquet",
        adam=f"{RESULTS}/theory/theorem1_adam.parquet",
        subspace=f"{RESULTS}/subspace/summary.parquet",
        dynamics=f"{RESULTS}/dynamics/summary.parquet",
        pairs=f"{RESULTS}/guidance/pairs.parquet",
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
