# The headline experiment: ResNet9 trained and tested on images projected onto the
# top or bottom variance subspace. One GPU job per run (lbr.train.grid.SUBSPACE_FIELDS
# are its wildcards); R1's verdicts and Figs. 1 and 4 from all runs.

SUBSPACE_RUN = (
    f"{RESULTS}/subspace/{{dataset}}/{{side}}-{{fraction}}-{{augment}}-s{{seed}}"
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
        runtime=TRAINING_RUNTIME,
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
        summaries=run_paths(
            rules.subspace_train.output.summary, SUBSPACE_RUNS, SUBSPACE_FIELDS
        ),
        metrics=run_paths(
            rules.subspace_train.output.metrics, SUBSPACE_RUNS, SUBSPACE_FIELDS
        ),
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


rule r1_verdicts:
    input:
        alignment=expand(rules.alignment.output[0], dataset=DATASETS),
        subspace=rules.subspace_table.output.summary,
        # The headline runs' per-test-image results: the paired bootstrap of the gap.
        test_images=run_paths(
            rules.subspace_train.output.test_images, HEADLINE_RUNS, SUBSPACE_FIELDS
        ),
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


rule figure_subspace:
    input:
        summary=rules.subspace_table.output.summary,
        curves=rules.subspace_table.output.curves,
        # The headline pair's intervals (over seeds, and over test images).
        r1_verdicts=rules.r1_verdicts.output[0],
    output:
        subspace=figure_outputs("fig4_subspace", "Subspaces"),
        headline=figure_outputs("fig1_headline", "Subspaces"),
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
