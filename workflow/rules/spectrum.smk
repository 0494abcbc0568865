# The eigendecomposition cache: depends only on a dataset and its preprocessing,
# so changes to training or sweeps never recompute it.


rule spectrum:
    input:
        dataset_files("{dataset}"),
    output:
        spectrum_files("{dataset}", "{preprocessing}"),
    log:
        log_path("spectrum", "{dataset}-{preprocessing}"),
    benchmark:
        benchmark_path("spectrum", "{dataset}-{preprocessing}")
    wildcard_constraints:
        dataset=DATASET_VIEW,
    conda:
        "../../envs/lbr.yaml"
    threads: sized_threads()
    resources:
        mem_mb=sized_memory("spectrum"),
        runtime=sized_runtime("spectrum"),
    params:
        threads=sized_threads(),  # fixed BLAS threads: the same numbers whatever --cores
        preprocessing=lambda wildcards: config["preprocessings"][
            wildcards.preprocessing
        ],
        chunk_size=config["spectrum"]["chunk_size"],
        rank_rtol=config["spectrum"]["rank_rtol"],
        device=config["device"],
        code=stage_version("spectrum"),
    script:
        "../scripts/compute_spectrum.py"
