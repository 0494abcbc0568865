"""Rule `autoencoder_tables`: R2 and R3 summaries over every autoencoder run."""

import sys
from pathlib import Path

# The lbr package sits beside scripts/: importable without installation (conda envs, clusters).
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821

import pandas as pd
from lbr.atomic import load_json, save_parquet
from lbr.logs import setup_rule_logging
from lbr.train.autoencoder_claims import guidance_pairs


def main(smk) -> None:
    setup_rule_logging(smk.log)
    summaries = pd.DataFrame([load_json(path) for path in smk.input.dynamics])
    save_parquet(smk.output.dynamics, summaries)
    for name in ("directions", "bands", "curves"):
        save_parquet(smk.output[name], pd.concat([pd.read_parquet(p) for p in smk.input[name]]))
    guidance = pd.DataFrame([load_json(path) for path in smk.input.guidance])
    save_parquet(smk.output.guidance, guidance)
    save_parquet(smk.output.pairs, guidance_pairs(guidance))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
