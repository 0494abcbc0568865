# One .tar.gz of the current config's results, with a manifest `python -m lbr.archive
# verify` checks. Not part of `all`: ask for results/archive/run.tar.gz.

from lbr.archive import run_files


rule archive:
    input:
        FINAL_OUTPUTS,
    output:
        f"{RESULTS}/archive/run.tar.gz",
    log:
        log_path("archive", "run"),
    benchmark:
        benchmark_path("archive", "run")
    localrule: True
    conda:
        "../../envs/lbr.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        config=config,
        # The files of this config's jobs, listed by Snakemake when it plans this job.
        files=lambda wildcards: run_files(workflow.main_snakefile, config, Path.cwd()),
        code_dir=workflow.basedir,
    script:
        "../scripts/archive_run.py"
