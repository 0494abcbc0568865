# Autoencoders: learning dynamics in the eigenbasis (R2) and supervised guidance (R3).


rule dynamics:
    input:
        dataset=dataset_input("autoencoders"),
        spectrum=spectrum_input("autoencoders"),
    output:
        directions=f"{RESULTS}/dynamics/{{dataset}}/{{arch}}-directions.parquet",
        bands=f"{RESULTS}/dynamics/{{dataset}}/{{arch}}-bands.parquet",
        summary=f"{RESULTS}/dynamics/{{dataset}}/{{arch}}.json",
    log:
        log_path("dynamics", "{dataset}-{arch}"),
    benchmark:
        benchmark_path("dynamics", "{dataset}-{arch}")
    conda:
        "../../envs/lbr.yaml"
    threads: CPU_THREADS
    resources:
        gpu=0 if config["device"] == "cpu" else 1,
        mem_mb=sized_memory("training", "autoencoders"),
        runtime=120,
    params:
        settings=AUTOENCODERS["dynamics"],
        device=config["device"],
        acceleration=ACCELERATION,
        compile_cache=COMPILE_CACHE,
        cpu_threads=CPU_THREADS,
        code=stage_version("autoencoders"),
    script:
        "../scripts/dynamics.py"


GUIDANCE_RUN = guidance_stem("{dataset}", "{arch}", "{latent}", "{weight}", "{seed}")


rule guidance:
    input:
        dataset=dataset_input("autoencoders"),
        spectrum=spectrum_input("autoencoders"),
    output:
        metrics=f"{GUIDANCE_RUN}.json",
        curves=f"{GUIDANCE_RUN}-curves.parquet",
        reconstructions=f"{GUIDANCE_RUN}-reconstructions.npy",
        # Per test image: each probe's correctness and the reconstruction error (R3's
        # paired bootstrap).
        test_images=f"{GUIDANCE_RUN}-test-images.parquet",
    log:
        log_path("guidance", "{dataset}-{arch}-k{latent}-g{weight}-s{seed}"),
    benchmark:
        benchmark_path("guidance", "{dataset}-{arch}-k{latent}-g{weight}-s{seed}")
    conda:
        "../../envs/lbr.yaml"
    threads: CPU_THREADS
    resources:
        gpu=0 if config["device"] == "cpu" else 1,
        mem_mb=sized_memory("training", "autoencoders"),
        runtime=120,
    params:
        # `show` only picks how many of the saved reconstructions Fig. 6 draws; the seed
        # is the job's wildcard (adding a seed runs only the new runs).
        settings=without_keys(AUTOENCODERS["guidance"], "show", "seeds"),
        device=config["device"],
        acceleration=ACCELERATION,
        compile_cache=COMPILE_CACHE,
        cpu_threads=CPU_THREADS,
        code=stage_version("autoencoders"),
    script:
        "../scripts/guidance.py"


rule autoencoder_tables:
    input:
        dynamics=[f"{RESULTS}/dynamics/{d}/{a}.json" for d, a in dynamics_runs()],
        directions=[
            f"{RESULTS}/dynamics/{d}/{a}-directions.parquet"
            for d, a in dynamics_runs()
        ],
        bands=[f"{RESULTS}/dynamics/{d}/{a}-bands.parquet" for d, a in dynamics_runs()],
        guidance=[f"{guidance_stem(*run)}.json" for run in guidance_runs()],
        curves=[f"{guidance_stem(*run)}-curves.parquet" for run in guidance_runs()],
        test_images=[
            f"{guidance_stem(*run)}-test-images.parquet" for run in guidance_runs()
        ],
    output:
        dynamics=f"{RESULTS}/dynamics/summary.parquet",
        directions=f"{RESULTS}/dynamics/directions.parquet",
        bands=f"{RESULTS}/dynamics/bands.parquet",
        guidance=f"{RESULTS}/guidance/summary.parquet",
        pairs=f"{RESULTS}/guidance/pairs.parquet",
        curves=f"{RESULTS}/guidance/curves.parquet",
        pair_summary=f"{RESULTS}/guidance/pair_summary.parquet",
    log:
        log_path("autoencoders", "tables"),
    benchmark:
        benchmark_path("autoencoders", "tables")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        guidance_runs=guidance_runs(),
        intervals=config["intervals"],
        code=stage_version("autoencoders"),
    script:
        "../scripts/autoencoder_tables.py"


rule figure_autoencoders:
    input:
        dynamics=f"{RESULTS}/dynamics/summary.parquet",
        directions=f"{RESULTS}/dynamics/directions.parquet",
        bands=f"{RESULTS}/dynamics/bands.parquet",
        pairs=f"{RESULTS}/guidance/pairs.parquet",
        curves=f"{RESULTS}/guidance/curves.parquet",
        reconstructions=[
            f"{guidance_stem(*run)}-reconstructions.npy" for run in guidance_runs()
        ],
        datasets=[
            f"{stage_dataset_dir('autoencoders', d)}/{DATASET_META}"
            for d in AUTOENCODERS["datasets"]
        ],
    output:
        dynamics=figure_outputs("fig3_dynamics", report_item=True),
        guidance=figure_outputs("fig5_guidance", report_item=True),
        reconstructions=figure_outputs("fig6_reconstructions", report_item=True),
    log:
        log_path("figures", "autoencoders"),
    benchmark:
        benchmark_path("figures", "autoencoders")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        dataset_dirs={
            d: stage_dataset_dir("autoencoders", d) for d in AUTOENCODERS["datasets"]
        },
        guidance_runs=guidance_runs(),
        show=AUTOENCODERS["guidance"]["show"],
        code=stage_version("figures"),
    script:
        "../scripts/plot_autoencoders.py"
