"""Rule `autoencoder_tables`: R2 and R3 summaries over every autoencoder run."""

import sys
from pathlib import Path

# The lbr package sits beside scripts/: importable without installation (conda envs, clusters).
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821

import pandas as pd
from lbr.atomic import load_json, save_parquet
from lbr.logs import setup_rule_logging
from lbr.train.autoencoder import guidance_pairs


def main(smk) -> None:
    setup_rule_logging(smk.log)
    rows = []
    for path, (dataset, arch) in zip(smk.input.dynamics, smk.params.dynamics_runs):
        summary = load_json(path)
        rows.append(
            {
                "dataset": dataset,
                "arch": arch,
                "r2_holds": summary["r2_holds"],
                "halving_steps": [float(s) for s in summary["halving_steps"]],
            }
        )
    save_parquet(smk.output.dynamics, pd.DataFrame(rows))
    save_parquet(
        smk.output.dynamics_all, pd.concat([pd.read_parquet(p) for p in smk.input.dynamics_tables])
    )
    guidance = pd.DataFrame([load_json(path) for path in smk.input.guidance])
    save_parquet(smk.output.guidance, guidance)
    save_parquet(smk.output.pairs, guidance_pairs(guidance))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
