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
        [f"{RESULTS}/denoising/{d}/{n}.parquet" for d in DATASETS for n in NOISES],
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
        datasets=[d for d in DATASETS for n in NOISES],
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
        [f"{RESULTS}/alignment/{d}.parquet" for d in DATASETS],
    output:
        figure_outputs("fig2_alignment", report_item=True),
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
        table=f"{RESULTS}/denoising/all.parquet",
        screen=f"{RESULTS}/denoising/screen.parquet",
    output:
        denoising=figure_outputs("fig7_denoising", report_item=True),
        screen=figure_outputs("denoising_screen", report_item=True),
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
        adam=f"{RESULTS}/theory/theorem1_adam.parquet",
        interpolation=[f"{RESULTS}/theory/interpolation/{d}.parquet" for d in DATASETS],
    output:
        theorem1=figure_outputs("fig8_theorem1", report_item=True),
        interpolation=figure_outputs("theorem1_interpolation", report_item=True),
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
        dataset=dataset_files("{dataset}"),
        spectrum=spectrum_input("gallery"),
    output:
        figure_outputs("fig9_gallery_{dataset}", report_item=True),
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
