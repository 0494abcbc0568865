# One .tar.gz of the current config's results, with a manifest `python -m lbr.archive
# verify` checks. Not part of `all`: ask for results/archive/run.tar.gz.

import sys


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
        snakefile=workflow.main_snakefile,
        # Snakemake's interpreter: the job lists the config's files with it.
        python=sys.executable,
        code_dir=workflow.basedir,
    script:
        "../scripts/archive_run.py"
