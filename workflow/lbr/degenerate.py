"""Data too degenerate for the paper's questions: refused where no result can mean
anything (fewer than two classes), warned about where results rest on too little (a
class with few training images, a subspace far from the variance fraction it is named
after). The warnings go to the job's log and to results/report.md."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import DataError

# Alignment, the subspace runs and the probes all compare classes.
MIN_CLASSES = 2
# Below this many training images a class's mean and within-class directions are mostly
# noise, and an accuracy measured on it moves by whole images.
MIN_TRAIN_IMAGES_PER_CLASS = 10
# A variance subspace ("top"/"bottom") whose kept fraction is further than this from the
# requested one is not the experiment its name says (too few directions carry variance:
# "bottom 20%" can then be the very subspace "top 50%" is).
FRACTION_TOLERANCE = 0.1


def check_classes(
    name: str, train_labels: np.ndarray, test_labels: np.ndarray, class_names: list[str]
) -> list[str]:
    """Raise DataError when a split holds fewer than MIN_CLASSES classes; return a warning
    for each class with fewer than MIN_TRAIN_IMAGES_PER_CLASS training images."""
    for split, labels in (("train", train_labels), ("test", test_labels)):
        present = [class_names[int(i)] for i in np.unique(labels)]
        if len(present) < MIN_CLASSES:
            raise DataError(
                f"datasets.{name}: the {split} split holds images of {len(present)} class(es) "
                f"{present}; alignment, the subspace runs and the probes compare classes, so "
                f"at least {MIN_CLASSES} are needed. Give the source more classes "
                f"(image_folder: one folder per class), or check 'subset' and 'test_fraction'"
            )
    counts = np.bincount(np.asarray(train_labels), minlength=len(class_names))
    return [
        f"dataset {name!r}: class {class_names[i]!r} has {int(count)} training image(s), fewer "
        f"than {MIN_TRAIN_IMAGES_PER_CLASS}: its statistics and the accuracies measured on it "
        f"rest on too few images"
        for i, count in enumerate(counts)
        if count < MIN_TRAIN_IMAGES_PER_CLASS
    ]


def fraction_warning(dataset: str, side: str, requested: float, kept: float) -> str | None:
    """A warning when a variance subspace keeps a fraction far from the requested one."""
    if side not in ("top", "bottom") or abs(kept - requested) <= FRACTION_TOLERANCE:
        return None
    return (
        f"subspace {dataset} {side} {requested:g}: keeps {kept:.1%} of the variance, not "
        f"{requested:.0%} (more than {FRACTION_TOLERANCE:.0%} off: too few directions carry "
        f"variance, so this run is not the experiment it is named after)"
    )


def fraction_warnings(table: pd.DataFrame) -> list[str]:
    """fraction_warning for each (dataset, side, fraction) of a subspace summary table."""
    runs = table.drop_duplicates(["dataset", "side", "fraction"])
    warnings = (
        fraction_warning(row.dataset, row.side, row.fraction, row.variance_fraction)
        for row in runs.itertuples(index=False)
    )
    return [warning for warning in warnings if warning]
