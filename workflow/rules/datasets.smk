# Acquire one dataset into the standard on-disk format (uint8 NxHxWxC + int64 labels).


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
