"""Rule `dataset`: acquire one configured dataset into the standard on-disk format."""

from lbr.data.registry import acquire
from lbr.layout import dataset_directory
from lbr.logs import setup_rule_logging


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    meta = acquire(
        name=smk.wildcards.dataset,
        spec=smk.params.spec,
        output_dir=dataset_directory(smk.output),
        download_dir=smk.params.download_dir,
        base_dir=dataset_directory(smk.input.base) if smk.input.base else None,
    )
    log.info("wrote %s: %s", smk.wildcards.dataset, meta["split_sizes"])


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
