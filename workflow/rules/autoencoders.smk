# Autoencoders: learning dynamics in the eigenbasis (R2) and supervised guidance (R3).


rule dynamics:
    input:
        dataset=[f"{RESULTS}/datasets/{{dataset}}/{n}" for n in DATASET_FILES],
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
    threads: 2
    resources:
        gpu=0 if config["device"] == "cpu" else 1,
        mem_mb=8000,
        runtime=120,
    params:
        dataset_dir=lambda w: dataset_dir(w.dataset),
        spectrum_dir=lambda w: spectrum_dir(w.dataset, AUTOENCODERS["preprocessing"]),
        settings=AUTOENCODERS["dynamics"],
        device=config["device"],
        code=stage_version("autoencoders"),
    script:
        "../scripts/dynamics.py"


rule guidance:
    input:
        dataset=[f"{RESULTS}/datasets/{{dataset}}/{n}" for n in DATASET_FILES],
        spectrum=spectrum_input("autoencoders"),
    output:
        metrics=f"{guidance_stem('{dataset}', '{arch}', '{latent}', '{weight}')}.json",
        curves=f"{guidance_stem('{dataset}', '{arch}', '{latent}', '{weight}')}-curves.parquet",
        reconstructions=f"{guidance_stem('{dataset}', '{arch}', '{latent}', '{weight}')}-reconstructions.npy",
    log:
        log_path("guidance", "{dataset}-{arch}-k{latent}-g{weight}"),
    benchmark:
        benchmark_path("guidance", "{dataset}-{arch}-k{latent}-g{weight}")
    conda:
        "../../envs/lbr.yaml"
    threads: 2
    resources:
        gpu=0 if config["device"] == "cpu" else 1,
        mem_mb=8000,
        runtime=120,
    params:
        dataset_dir=lambda w: dataset_dir(w.dataset),
        spectrum_dir=lambda w: spectrum_dir(w.dataset, AUTOENCODERS["preprocessing"]),
        settings=AUTOENCODERS["guidance"],
        device=config["device"],
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
    output:
        dynamics=f"{RESULTS}/dynamics/summary.parquet",
        directions=f"{RESULTS}/dynamics/directions.parquet",
        bands=f"{RESULTS}/dynamics/bands.parquet",
        guidance=f"{RESULTS}/guidance/summary.parquet",
        pairs=f"{RESULTS}/guidance/pairs.parquet",
        curves=f"{RESULTS}/guidance/curves.parquet",
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
        datasets=[f"{RESULTS}/datasets/{d}/meta.json" for d in AUTOENCODERS["datasets"]],
    output:
        **named_figure_outputs("fig3", "fig3_dynamics"),
        **named_figure_outputs("fig5", "fig5_guidance"),
        **named_figure_outputs("fig6", "fig6_reconstructions"),
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
        dataset_dirs={d: dataset_dir(d) for d in AUTOENCODERS["datasets"]},
        guidance_runs=guidance_runs(),
        show=AUTOENCODERS["guidance"]["show"],
        code=stage_version("figures"),
    script:
        "../scripts/plot_autoencoders.py"
