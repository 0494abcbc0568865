# Acquire one dataset into the standard on-disk format (uint8 NxHxWxC + int64 labels),
# decoded once; the training-shape copy, when its config asks for one, is resized from it.


rule dataset:
    input:
        base=base_dataset_input,
    output:
        dataset_files("{dataset}"),
    log:
        log_path("dataset", "{dataset}"),
    benchmark:
        benchmark_path("dataset", "{dataset}")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        spec=lambda wildcards: config["datasets"][wildcards.dataset],
        mirror=config.get("download_mirror"),
        download_dir=lambda wildcards: download_dir(
            config["datasets"][wildcards.dataset]["source"]
        ),
        code=stage_version("dataset"),
    script:
        "../scripts/acquire_dataset.py"


rule dataset_training_view:
    input:
        dataset_files("{dataset}"),
    output:
        dataset_files(f"{{dataset}}{TRAINING_VIEW_SUFFIX}"),
    log:
        log_path("dataset", "{dataset}-training-view"),
    benchmark:
        benchmark_path("dataset", "{dataset}-training-view")
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=30,
    params:
        spec=lambda wildcards: config["datasets"][wildcards.dataset],
        code=stage_version("dataset"),
    script:
        "../scripts/dataset_training_view.py"
