"""Rule `figure_autoencoders`: Figs. 3 (and 1 bottom), 5 and 6."""

import numpy as np
from lbr.atomic import load_npy, load_parquet
from lbr.data.format import read_dataset
from lbr.logs import setup_rule_logging
from lbr.plots.autoencoders import dynamics_figure, guidance_figure, reconstruction_figure
from lbr.plots.style import save_figure
from lbr.train.autoencoder_claims import figure6_pairs


def main(smk) -> None:
    setup_rule_logging(smk.log)
    out = smk.output
    save_figure(
        dynamics_figure(
            load_parquet(smk.input.directions),
            load_parquet(smk.input.bands),
            load_parquet(smk.input.dynamics),
        ),
        *out.dynamics,
    )
    pairs = load_parquet(smk.input.pairs)
    save_figure(guidance_figure(pairs), *out.guidance)
    # Reconstructions are inputs in the order of params.guidance_runs: key them by run.
    reconstructions = {
        (d, a, int(k), float(g), int(s)): path
        for path, (d, a, k, g, s) in zip(smk.input.reconstructions, smk.params.guidance_runs)
    }
    curves = load_parquet(smk.input.curves)
    panels = []
    for pair in figure6_pairs(pairs):
        key = (pair["dataset"], pair["arch"], int(pair["latent"]))
        seed = int(pair["seed"])  # the seed of the strongest pair: both models of that seed
        originals = read_dataset(smk.params.dataset_dirs[pair["dataset"]]).test_images
        panels.append(
            (
                pair,
                np.asarray(originals[: smk.params.show]),
                load_npy(reconstructions[(*key, 0.0, seed)])[: smk.params.show],
                load_npy(reconstructions[(*key, float(pair["guidance"]), seed)])[: smk.params.show],
                curves[
                    (curves["dataset"] == key[0])
                    & (curves["arch"] == key[1])
                    & (curves["latent"] == key[2])
                    & (curves["seed"] == seed)
                    & curves["guidance"].isin([0.0, pair["guidance"]])
                ],
            )
        )
    save_figure(reconstruction_figure(panels), *out.reconstructions)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
