# Everything the paper proves in closed form, from the eigendecomposition cache:
# alignment (Eq. 7), Theorem 1, denoising (Theorem 3), and their figures.


rule alignment:
    input:
        spectrum_input("alignment"),
    output:
        f"{RESULTS}/alignment/{{dataset}}.parquet",
    log:
        log_path("alignment", "{dataset}"),
    benchmark:
        benchmark_path("alignment", "{dataset}")
    conda:
        "../../envs/lbr.yaml"
    threads: sized_threads()
    resources:
        mem_mb=sized_memory("alignment"),
        runtime=sized_runtime("alignment"),
    params:
        threads=sized_threads(),  # fixed BLAS threads: the same numbers whatever --cores
        code=stage_version("alignment"),
    script:
        "../scripts/alignment.py"


rule denoising:
    input:
        spectrum_input("denoising"),
    output:
        f"{RESULTS}/denoising/{{dataset}}/{{noise}}.parquet",
    log:
        log_path("denoising", "{dataset}-{noise}"),
    benchmark:
        benchmark_path("denoising", "{dataset}-{noise}")
    conda:
        "../../envs/lbr.yaml"
    threads: sized_threads()
    resources:
        mem_mb=sized_memory("denoising"),
        runtime=sized_runtime("denoising"),
    params:
        threads=sized_threads(),  # fixed BLAS threads: the same numbers whatever --cores
        noise=lambda w: noise_spec(NOISES[w.noise]),
        device=config["device"],
        code=stage_version("denoising"),
    script:
        "../scripts/denoising.py"


rule denoising_table:
    input:
        run_paths(rules.denoising.output[0], DENOISING_RUNS, DENOISING_FIELDS),
    output:
        table=f"{RESULTS}/denoising/all.parquet",
        screen=f"{RESULTS}/denoising/screen.parquet",
    log:
        log_path("denoising", "all"),
    benchmark:
        benchmark_path("denoising", "all")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=10,
    params:
        datasets=[dataset for dataset, _ in DENOISING_RUNS],
        k_min=config["denoising"]["k_min"],
        code=stage_version("denoising"),
    script:
        "../scripts/denoising_table.py"


rule theorem1_adam:
    output:
        f"{RESULTS}/theory/theorem1_adam.parquet",
    log:
        log_path("theory", "theorem1_adam"),
    benchmark:
        benchmark_path("theory", "theorem1_adam")
    conda:
        "../../envs/lbr.yaml"
    threads: CPU_THREADS
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        adam=config["theorem1"]["adam"],
        cpu_threads=CPU_THREADS,
        code=stage_version("theorem1"),
    script:
        "../scripts/theorem1_adam.py"


rule theorem1_interpolation:
    input:
        spectrum_input("theorem1"),
    output:
        f"{RESULTS}/theory/interpolation/{{dataset}}.parquet",
    log:
        log_path("theory", "interpolation-{dataset}"),
    benchmark:
        benchmark_path("theory", "interpolation-{dataset}")
    conda:
        "../../envs/lbr.yaml"
    threads: sized_threads()
    resources:
        mem_mb=sized_memory("theorem1_interpolation"),
        runtime=sized_runtime("theorem1_interpolation"),
    params:
        threads=sized_threads(),  # fixed BLAS threads: the same numbers whatever --cores
        interpolation=config["theorem1"]["interpolation"],
        code=stage_version("theorem1"),
    script:
        "../scripts/theorem1_interpolation.py"


rule figure_alignment:
    input:
        expand(rules.alignment.output[0], dataset=DATASETS),
    output:
        figure_outputs("fig2_alignment", "Alignment"),
    log:
        log_path("figures", "fig2_alignment"),
    benchmark:
        benchmark_path("figures", "fig2_alignment")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        datasets=DATASETS,
        code=stage_version("figures"),
    script:
        "../scripts/plot_alignment.py"


rule figure_denoising:
    input:
        table=rules.denoising_table.output.table,
        screen=rules.denoising_table.output.screen,
    output:
        denoising=figure_outputs("fig7_denoising", "Denoising"),
        screen=figure_outputs("denoising_screen", "Denoising"),
    log:
        log_path("figures", "fig7_denoising"),
    benchmark:
        benchmark_path("figures", "fig7_denoising")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        k_min=config["denoising"]["k_min"],
        code=stage_version("figures"),
    script:
        "../scripts/plot_denoising.py"


rule figure_theorem1:
    input:
        adam=rules.theorem1_adam.output[0],
        interpolation=expand(rules.theorem1_interpolation.output[0], dataset=DATASETS),
    output:
        theorem1=figure_outputs("fig8_theorem1", "Theorem 1"),
        interpolation=figure_outputs("theorem1_interpolation", "Theorem 1"),
    log:
        log_path("figures", "fig8_theorem1"),
    benchmark:
        benchmark_path("figures", "fig8_theorem1")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        datasets=DATASETS,
        code=stage_version("figures"),
    script:
        "../scripts/plot_theorem1.py"


rule figure_gallery:
    input:
        dataset=rules.dataset.output,
        spectrum=spectrum_input("gallery"),
    output:
        figure_outputs("fig9_gallery_{dataset}", "Subspaces"),
    log:
        log_path("figures", "fig9_gallery_{dataset}"),
    benchmark:
        benchmark_path("figures", "fig9_gallery_{dataset}")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=sized_memory("figure_gallery"),
        runtime=sized_runtime("figure_gallery"),
    params:
        gallery=config["gallery"],
        code=stage_version("figures"),
    script:
        "../scripts/plot_gallery.py"
