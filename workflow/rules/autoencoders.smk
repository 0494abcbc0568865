# Autoencoders: learning dynamics in the eigenbasis (R2) and supervised guidance (R3).
# One GPU job per run (lbr.train.grid's DYNAMICS_FIELDS and GUIDANCE_FIELDS are their
# wildcards); the tables and Figs. 3, 5 and 6 from all runs.

DYNAMICS_RUN = f"{RESULTS}/dynamics/{{dataset}}/{{arch}}"
GUIDANCE_RUN = (
    f"{RESULTS}/guidance/{{dataset}}/{{arch}}-k{{latent}}-g{{weight}}-s{{seed}}"
)


rule dynamics:
    input:
        dataset=dataset_input("autoencoders"),
        spectrum=spectrum_input("autoencoders"),
    output:
        directions=f"{DYNAMICS_RUN}-directions.parquet",
        bands=f"{DYNAMICS_RUN}-bands.parquet",
        summary=f"{DYNAMICS_RUN}.json",
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
        runtime=TRAINING_RUNTIME,
    params:
        settings=AUTOENCODERS["dynamics"],
        device=config["device"],
        acceleration=ACCELERATION,
        compile_cache=COMPILE_CACHE,
        cpu_threads=CPU_THREADS,
        code=stage_version("autoencoders"),
    script:
        "../scripts/dynamics.py"


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
        runtime=TRAINING_RUNTIME,
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
        dynamics=run_paths(
            rules.dynamics.output.summary, DYNAMICS_RUNS, DYNAMICS_FIELDS
        ),
        directions=run_paths(
            rules.dynamics.output.directions, DYNAMICS_RUNS, DYNAMICS_FIELDS
        ),
        bands=run_paths(rules.dynamics.output.bands, DYNAMICS_RUNS, DYNAMICS_FIELDS),
        guidance=run_paths(
            rules.guidance.output.metrics, GUIDANCE_RUNS, GUIDANCE_FIELDS
        ),
        curves=run_paths(rules.guidance.output.curves, GUIDANCE_RUNS, GUIDANCE_FIELDS),
        test_images=run_paths(
            rules.guidance.output.test_images, GUIDANCE_RUNS, GUIDANCE_FIELDS
        ),
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
        guidance_runs=GUIDANCE_RUNS,
        intervals=config["intervals"],
        code=stage_version("autoencoders"),
    script:
        "../scripts/autoencoder_tables.py"


rule figure_autoencoders:
    input:
        dynamics=rules.autoencoder_tables.output.dynamics,
        directions=rules.autoencoder_tables.output.directions,
        bands=rules.autoencoder_tables.output.bands,
        pairs=rules.autoencoder_tables.output.pairs,
        curves=rules.autoencoder_tables.output.curves,
        reconstructions=run_paths(
            rules.guidance.output.reconstructions, GUIDANCE_RUNS, GUIDANCE_FIELDS
        ),
        datasets=[
            f"{stage_dataset_dir('autoencoders', d)}/{DATASET_META}"
            for d in AUTOENCODERS["datasets"]
        ],
    output:
        dynamics=figure_outputs("fig3_dynamics", "Autoencoders"),
        guidance=figure_outputs("fig5_guidance", "Autoencoders"),
        reconstructions=figure_outputs("fig6_reconstructions", "Autoencoders"),
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
        guidance_runs=GUIDANCE_RUNS,
        show=AUTOENCODERS["guidance"]["show"],
        code=stage_version("figures"),
    script:
        "../scripts/plot_autoencoders.py"
