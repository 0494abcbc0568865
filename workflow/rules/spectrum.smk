# The eigendecomposition cache: depends only on a dataset and its preprocessing,
# so changes to training or sweeps never recompute it.


rule spectrum:
    input:
        [f"{RESULTS}/datasets/{{dataset}}/{name}" for name in DATASET_FILES],
    output:
        [
            f"{RESULTS}/spectrum/{{dataset}}/{{preprocessing}}/{name}"
            for name in SPECTRUM_FILES
        ],
    log:
        log_path("spectrum", "{dataset}-{preprocessing}"),
    benchmark:
        benchmark_path("spectrum", "{dataset}-{preprocessing}")
    wildcard_constraints:
        dataset=DATASET_VIEW,
    conda:
        "../../envs/lbr.yaml"
    threads: 8
    resources:
        mem_mb=6000,
        runtime=60,
    params:
        dataset_dir=lambda wildcards: dataset_dir(wildcards.dataset),
        preprocessing=lambda wildcards: config["preprocessings"][
            wildcards.preprocessing
        ],
        chunk_size=config["spectrum"]["chunk_size"],
        rank_rtol=config["spectrum"]["rank_rtol"],
        device=config["device"],
        code=stage_version("spectrum"),
    script:
        "../scripts/compute_spectrum.py"
