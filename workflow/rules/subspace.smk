# The headline experiment: ResNet9 trained and tested on images projected onto the
# top or bottom variance subspace. One GPU job per run.

SUBSPACE_RUN = subspace_run_dir(
    "{dataset}", "{side}", "{fraction}", "{augment}", "{seed}"
)


rule subspace_train:
    input:
        dataset=dataset_input("subspace"),
        spectrum=spectrum_input("subspace"),
    output:
        metrics=f"{SUBSPACE_RUN}/metrics.parquet",
        # Per test image, whether the final model classifies it correctly.
        test_images=f"{SUBSPACE_RUN}/test_images.parquet",
        summary=f"{SUBSPACE_RUN}/summary.json",
        # Declared, so a retrain (or a killed one) never leaves older weights behind. Not a
        # param: turning save_weights off keeps the runs (and any weights.pt they wrote);
        # turning it on reruns the runs whose weights.pt is missing.
        weights=(
            f"{SUBSPACE_RUN}/weights.pt" if config["subspace"]["save_weights"] else []
        ),
    log:
        log_path("subspace", "{dataset}-{side}-{fraction}-{augment}-s{seed}"),
    benchmark:
        benchmark_path("subspace", "{dataset}-{side}-{fraction}-{augment}-s{seed}")
    conda:
        "../../envs/lbr.yaml"
    threads: CPU_THREADS
    resources:
        gpu=0 if config["device"] == "cpu" else 1,
        mem_mb=sized_memory("training", "subspace"),
        runtime=120,
    params:
        training=config["subspace"]["training"],
        model=config["subspace"]["model"],
        device=config["device"],
        acceleration=ACCELERATION,
        compile_cache=COMPILE_CACHE,
        cpu_threads=CPU_THREADS,
        code=stage_version("subspace"),
    script:
        "../scripts/subspace_train.py"


rule subspace_table:
    input:
        summaries=[f"{subspace_run_dir(*run)}/summary.json" for run in SUBSPACE_RUNS],
        metrics=[f"{subspace_run_dir(*run)}/metrics.parquet" for run in SUBSPACE_RUNS],
    output:
        summary=f"{RESULTS}/subspace/summary.parquet",
        curves=f"{RESULTS}/subspace/curves.parquet",
    log:
        log_path("subspace", "summary"),
    benchmark:
        benchmark_path("subspace", "summary")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        runs=SUBSPACE_RUNS,
        code=stage_version("subspace"),
    script:
        "../scripts/subspace_table.py"


rule figure_subspace:
    input:
        summary=f"{RESULTS}/subspace/summary.parquet",
        curves=f"{RESULTS}/subspace/curves.parquet",
        # The headline pair's intervals (over seeds, and over test images).
        r1_verdicts=f"{RESULTS}/report/r1_verdicts.parquet",
    output:
        subspace=figure_outputs("fig4_subspace", report_item=True),
        headline=figure_outputs("fig1_headline", report_item=True),
    log:
        log_path("figures", "fig4_subspace"),
    benchmark:
        benchmark_path("figures", "fig4_subspace")
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
        "../scripts/plot_subspace.py"
