"""Rule `autoencoder_tables`: R2 and R3 summaries over every autoencoder run."""

import sys
from pathlib import Path

# The lbr package sits beside scripts/: importable without installation (conda envs, clusters).
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821

import pandas as pd
from lbr.atomic import load_json, load_parquet, save_parquet
from lbr.logs import setup_rule_logging
from lbr.train.autoencoder_claims import dynamics_summaries, guidance_pairs


def _runs(paths) -> pd.DataFrame:
    """One row per run's JSON; its numerics environment stays in the JSON (nested)."""
    return pd.DataFrame([load_json(path) for path in paths]).drop(columns="environment")


def main(smk) -> None:
    setup_rule_logging(smk.log)
    tables = {
        name: pd.concat([load_parquet(p) for p in smk.input[name]])
        for name in ("directions", "bands", "curves")
    }
    for name, table in tables.items():
        save_parquet(smk.output[name], table)
    runs = _runs(smk.input.dynamics)
    save_parquet(
        smk.output.dynamics, dynamics_summaries(runs, tables["directions"], tables["bands"])
    )
    guidance = _runs(smk.input.guidance)
    save_parquet(smk.output.guidance, guidance)
    save_parquet(smk.output.pairs, guidance_pairs(guidance))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
