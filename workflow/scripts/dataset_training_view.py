"""Rule `dataset_training_view`: a stored dataset resized to the shape training uses."""

from lbr.data.registry import derive_training_view
from lbr.layout import dataset_directory
from lbr.logs import setup_rule_logging


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    meta = derive_training_view(
        smk.wildcards.dataset,
        smk.params.spec,
        dataset_directory(smk.input),
        dataset_directory(smk.output),
    )
    log.info("wrote the training view of %s: %s", smk.wildcards.dataset, meta["image_shape"])


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
