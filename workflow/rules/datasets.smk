# Acquisition in two steps. `download` fetches a source's raw files and checks their md5:
# a local rule, so on a cluster it runs where the workflow was started (a login node with
# internet). `dataset` decodes them into the standard on-disk format (uint8 NxHxWxC +
# int64 labels), once, as a normal job that needs no network; the training-shape copy,
# when the config asks for one, is resized from it.


localrules:
    download,
    downloads,


rule downloads:
    input:
        [download_manifest(s) for s in DOWNLOADED_SOURCES],


rule download:
    output:
        download_manifest("{source}"),
    log:
        log_path("download", "{source}"),
    benchmark:
        benchmark_path("download", "{source}")
    wildcard_constraints:
        source="|".join(REMOTE_SOURCE_NAMES),
    retries: 2
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=120,
    params:
        code=stage_version("dataset"),
    script:
        "../scripts/download_source.py"


rule dataset:
    input:
        base=base_dataset_input,
        downloads=downloads_input,
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
        mem_mb=sized_memory("dataset"),
        runtime=60,
    params:
        spec=dataset_spec,
        download_dir=lambda wildcards: download_dir(
            config["datasets"][wildcards.dataset]["source"]
        ),
        code=stage_version("dataset"),
    script:
        "../scripts/acquire_dataset.py"


rule dataset_training_view:
    input:
        rules.dataset.output,
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
        mem_mb=sized_memory("dataset"),
        runtime=30,
    params:
        spec=lambda wildcards: config["datasets"][wildcards.dataset],
        code=stage_version("dataset"),
    script:
        "../scripts/dataset_training_view.py"
