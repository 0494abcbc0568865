"""Rule `reproduction_report`: results/report.md and the reproduction table."""

from pathlib import Path

import pandas as pd
from lbr import report
from lbr.atomic import atomic_path, load_parquet, save_parquet
from lbr.data.format import read_dataset
from lbr.degenerate import check_classes, fraction_warnings
from lbr.logs import setup_rule_logging


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    warnings = []
    for name, meta in zip(smk.params.datasets, smk.input.datasets):
        dataset = read_dataset(Path(meta).parent)
        warnings += check_classes(
            name, dataset.train_labels, dataset.test_labels, dataset.class_names
        )
    warnings += fraction_warnings(load_parquet(smk.input.subspace))
    for warning in warnings:
        log.warning("%s", warning)
    alignment = {
        name: load_parquet(path) for name, path in zip(smk.params.datasets, smk.input.alignment)
    }
    screen = load_parquet(smk.input.screen)
    verdicts = load_parquet(smk.input.r1_verdicts)
    subspace = load_parquet(smk.input.subspace)
    pair_summary = load_parquet(smk.input.pair_summary)
    rows = [
        report.alignment_claim(alignment),
        report.gaussian_claim(screen),
        report.masking_claim(screen, alignment),
        report.theorem1_claim(load_parquet(smk.input.adam)),
        report.r1_rank_claim(verdicts),
        *report.subspace_claims(verdicts, smk.params.headline),
        *report.dynamics_claims(load_parquet(smk.input.dynamics)),
        report.guidance_claim(load_parquet(smk.input.pairs), pair_summary),
    ]
    appendix = "\n".join(
        [
            report.r1_markdown(verdicts, smk.params.headline, subspace),
            report.r3_markdown(pair_summary),
            report.convergence_markdown(subspace, load_parquet(smk.input.guidance)),
        ]
    )
    preamble = (
        f"Datasets: {', '.join(smk.params.datasets)}. Verdicts judge the paper's qualitative claim on "
        "this run's data and model sizes; figures are in `results/figures/`."
    )
    if warnings:
        preamble += "\n\n" + report.warnings_markdown(warnings)
    with atomic_path(smk.output.markdown) as tmp:
        tmp.write_text(report.reproduction_markdown(rows, preamble, appendix))
    save_parquet(smk.output.table, pd.DataFrame(rows))
    with atomic_path(smk.output.html) as tmp:
        tmp.write_text(pd.DataFrame(rows).to_html(index=False, border=0))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
