# Autoencoders: learning dynamics in the eigenbasis (R2) and supervised guidance (R3).


rule dynamics:
    input:
        dataset=dataset_files("{dataset}"),
        spectrum=spectrum_input("autoencoders"),
    output:
        table=f"{RESULTS}/dynamics/{{dataset}}/{{arch}}.parquet",
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
        settings=AUTOENCODERS["dynamics"],
        device=config["device"],
        code=stage_version("autoencoders"),
    script:
        "../scripts/dynamics.py"


GUIDANCE_RUN = guidance_stem("{dataset}", "{arch}", "{latent}", "{weight}")


rule guidance:
    input:
        dataset=dataset_files("{dataset}"),
        spectrum=spectrum_input("autoencoders"),
    output:
        metrics=f"{GUIDANCE_RUN}.json",
        reconstructions=f"{GUIDANCE_RUN}-reconstructions.npy",
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
        settings=AUTOENCODERS["guidance"],
        device=config["device"],
        code=stage_version("autoencoders"),
    script:
        "../scripts/guidance.py"


rule autoencoder_tables:
    input:
        dynamics=[f"{RESULTS}/dynamics/{d}/{a}.json" for d, a in dynamics_runs()],
        dynamics_tables=[
            f"{RESULTS}/dynamics/{d}/{a}.parquet" for d, a in dynamics_runs()
        ],
        guidance=[f"{guidance_stem(*run)}.json" for run in guidance_runs()],
    output:
        dynamics=f"{RESULTS}/dynamics/summary.parquet",
        dynamics_all=f"{RESULTS}/dynamics/all.parquet",
        guidance=f"{RESULTS}/guidance/summary.parquet",
        pairs=f"{RESULTS}/guidance/pairs.parquet",
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
        dynamics_runs=dynamics_runs(),
        guidance_runs=guidance_runs(),
        code=stage_version("autoencoders"),
    script:
        "../scripts/autoencoder_tables.py"


rule figure_autoencoders:
    input:
        dynamics_all=f"{RESULTS}/dynamics/all.parquet",
        guidance=f"{RESULTS}/guidance/summary.parquet",
        pairs=f"{RESULTS}/guidance/pairs.parquet",
        reconstructions=[
            f"{guidance_stem(*run)}-reconstructions.npy" for run in guidance_runs()
        ],
        datasets=[f"{dataset_dir(d)}/{DATASET_META}" for d in AUTOENCODERS["datasets"]],
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
        dataset_dirs={d: dataset_dir(d) for d in AUTOENCODERS["datasets"]},
        guidance_stems={
            "-".join(map(str, run)): guidance_stem(*run) for run in guidance_runs()
        },
        show=AUTOENCODERS["guidance"]["show"],
        code=stage_version("figures"),
    script:
        "../scripts/plot_autoencoders.py"
