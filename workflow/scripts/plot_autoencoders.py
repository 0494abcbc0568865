"""Rule `figure_autoencoders`: Figs. 3 (and 1 bottom), 5 and 6."""

import sys
from pathlib import Path

# The lbr package sits beside scripts/: importable without installation (conda envs, clusters).
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821

import numpy as np
import pandas as pd
from lbr.atomic import load_npy
from lbr.data.format import read_dataset
from lbr.logs import setup_rule_logging
from lbr.plots import dynamics_figure, guidance_figure, reconstruction_figure, save_figure


def main(smk) -> None:
    setup_rule_logging(smk.log)
    save_figure(dynamics_figure(pd.read_parquet(smk.input.dynamics_all)), *smk.output.dynamics)
    guidance = pd.read_parquet(smk.input.guidance)
    save_figure(guidance_figure(guidance), *smk.output.guidance)
    pairs = pd.read_parquet(smk.input.pairs)
    # Fig. 6: the pair whose probe accuracies differ most, per dataset.
    panels = []
    for dataset, group in pairs.groupby("dataset", sort=False):
        best = group.loc[group["linear_probe_gain"].abs().idxmax()]

        def stem(weight, dataset=dataset, best=best):
            return smk.params.guidance_stems[
                f"{dataset}-{best['arch']}-{best['latent']}-{weight:g}"
            ]

        originals = np.asarray(
            read_dataset(smk.params.dataset_dirs[dataset]).test_images[: smk.params.show]
        )
        panels.append(
            (
                dataset,
                best,
                originals,
                load_npy(f"{stem(0.0)}-reconstructions.npy"),
                load_npy(f"{stem(best['guidance'])}-reconstructions.npy"),
            )
        )
    save_figure(reconstruction_figure(panels), *smk.output.reconstructions)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
