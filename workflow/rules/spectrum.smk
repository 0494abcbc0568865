# The eigendecomposition cache: depends only on a dataset and its preprocessing,
# so changes to training or sweeps never recompute it. spectrum.chunk_size (how many
# images the pass holds at once) is read from the config by the job, not a param:
# changing it reruns nothing.


rule spectrum:
    input:
        rules.dataset.output,
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
        rank_rtol=config["spectrum"]["rank_rtol"],
        device=config["device"],
        code=stage_version("spectrum"),
    script:
        "../scripts/compute_spectrum.py"
