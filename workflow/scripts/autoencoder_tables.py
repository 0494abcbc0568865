"""Rule `autoencoder_tables`: R2 and R3 summaries over every autoencoder run."""

import pandas as pd
from lbr.atomic import load_json, load_parquet, save_parquet
from lbr.logs import setup_rule_logging
from lbr.train.autoencoder_claims import dynamics_summaries, guidance_pairs, r3_pair_summary
from lbr.train.convergence import convergence_table

GUIDANCE_KEYS = ["dataset", "arch", "latent", "guidance", "seed"]


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
    # One row per guidance run (one per seed), with whether its linear probe's accuracy
    # was still rising at the end of training (lbr.train.convergence).
    late = convergence_table(tables["curves"], GUIDANCE_KEYS, "linear_probe_accuracy")
    guidance = _runs(smk.input.guidance).merge(
        late, on=GUIDANCE_KEYS, how="left", validate="one_to_one"
    )
    save_parquet(smk.output.guidance, guidance)
    pairs = guidance_pairs(guidance)
    save_parquet(smk.output.pairs, pairs)
    # Per-test-image results keyed by run, in the order of params.guidance_runs.
    per_image = {
        (d, a, int(k), float(g), int(s)): load_parquet(path)
        for path, (d, a, k, g, s) in zip(smk.input.test_images, smk.params.guidance_runs)
    }
    intervals = smk.params.intervals
    save_parquet(
        smk.output.pair_summary,
        r3_pair_summary(
            pairs, per_image, intervals["bootstrap_resamples"], intervals["bootstrap_seed"]
        ),
    )


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
