"""`acquire` turns a config entry into the on-disk format, through its source's loader
(the sources and their facts: lbr.data.catalog).

A dataset is decoded once, at its stored shape (stored_shape). When its config asks
for the closed-form stages at the native shape (`closed_form_shape: native`) and the
training stages at another `shape`, the training copy is derived from the stored
arrays by a resize (derive_training_view), never by downloading or decoding again.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..checksums import file_digest
from ..degenerate import check_classes
from ..errors import ConfigError
from .catalog import Downloaded, resolve, source_facts
from .format import ImageDataset, check_split_sizes, read_dataset, subset, write_dataset
from .remote import REMOTE_SOURCES
from .source_files import (  # noqa: F401 (DEBIAN_FASHION_MNIST, the hint: imported from here too)
    DEBIAN_FASHION_MNIST,
    idx_directory_hint,
    source_files_record,
)
from .transforms import conform
from .views import stored_shape

log = logging.getLogger("lbr.data")


def load_source(spec: dict[str, Any], download_dir: Path, base_dir: Path | None) -> ImageDataset:
    """Load the dataset a config entry describes, at its native shape where possible.
    A downloadable source reads its verified raw files from `download_dir` (the
    `download` rule put them there): building a dataset never needs the network."""
    facts = source_facts(spec["source"])
    if isinstance(facts, Downloaded):
        remote = REMOTE_SOURCES[facts.name]
        remote.verify(download_dir)
        dataset = remote.decode(download_dir, stored_shape(spec))
        check_split_sizes(dataset, remote.split_sizes, facts.name)
        return dataset
    return resolve(facts, "loader")(spec, base_dir)


def acquire(
    name: str,
    spec: dict[str, Any],
    output_dir: str | Path,
    download_dir: str | Path,
    base_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Load, conform to the configured shape, validate and write one dataset; return its meta.

    `spec` may carry the plan's record of the user's files (key `source_files`): it is
    dropped, and the record taken again here, just before the files are read, is the
    one meta.json keeps.
    """
    spec = {key: value for key, value in spec.items() if key != "source_files"}
    source_files = source_files_record(name, spec)
    try:
        dataset = load_source(spec, Path(download_dir), Path(base_dir) if base_dir else None)
    except ConfigError as error:
        raise ConfigError(f"datasets.{name}: {error}") from error
    if "subset" in spec and not source_facts(spec["source"]).applies_subset:
        dataset = subset(dataset, spec["subset"])
    dataset.train_images = conform(dataset.train_images, stored_shape(spec))
    dataset.test_images = conform(dataset.test_images, stored_shape(spec))
    dataset.__post_init__()  # re-validate after conversion
    warnings = check_classes(
        name, dataset.train_labels, dataset.test_labels, list(dataset.class_names)
    )
    for warning in warnings:
        log.warning("%s", warning)
    meta = {"name": name, "source": spec["source"], "config": spec, "warnings": warnings}
    if source_files is not None:
        meta["source_files"] = source_files
    if spec["source"] in REMOTE_SOURCES:
        remote = REMOTE_SOURCES[spec["source"]]
        # The official address: a mirror serves the same bytes, as the md5 proves.
        meta["downloads"] = [{"url": f.url, "md5": f.md5} for f in remote.files]
    return write_dataset(output_dir, dataset, meta)


def derive_training_view(
    name: str, spec: dict[str, Any], stored_dir: str | Path, output_dir: str | Path
) -> dict[str, Any]:
    """Write the training-shape copy of a stored dataset (resize and channel conversion
    of the decoded arrays); its meta names the arrays it was derived from."""
    stored_dir = Path(stored_dir)
    dataset = read_dataset(stored_dir, mmap=True)
    for split in ("train", "test"):
        images = getattr(dataset, f"{split}_images")
        setattr(dataset, f"{split}_images", conform(images, spec["shape"]))
    dataset.__post_init__()  # re-validate after conversion
    meta = {
        "name": name,
        "source": spec["source"],
        "config": spec,
        "view": "training",
        "derived_from": {
            "directory": str(stored_dir),
            "meta_sha256": file_digest(stored_dir / "meta.json", "sha256"),
        },
    }
    return write_dataset(output_dir, dataset, meta)
