"""lbr/degenerate.py's judgement of a variance subspace and of a split's classes, at their
edges: a top run is judged as a bottom one is, a kept fraction exactly the tolerance away
is not warned about, and the refusal names the split that lacks classes."""

from __future__ import annotations

import numpy as np
import pytest
from lbr.degenerate import FRACTION_TOLERANCE, check_classes, fraction_warning
from lbr.errors import DataError


@pytest.mark.parametrize("side", ["top", "bottom"])
def test_both_variance_sides_are_judged(side):
    warning = fraction_warning("d", side, 0.5, 0.9)
    assert warning == (
        f"subspace d {side} 0.5: keeps 90.0% of the variance, not 50% (more than 10% off: too "
        "few directions carry variance, so this run is not the experiment it is named after)"
    )
    assert fraction_warning("d", f"{side}_dims", 0.5, 0.9) is None


def test_a_fraction_exactly_the_tolerance_away_is_not_warned_about():
    assert FRACTION_TOLERANCE == 0.1  # 0.2 − 0.1 is 0.1 exactly in binary: the edge itself
    assert fraction_warning("d", "top", 0.1, 0.2) is None
    assert fraction_warning("d", "top", 0.1, np.nextafter(0.2, 1)) is not None


@pytest.mark.parametrize("split", ["train", "test"])
def test_the_refusal_names_the_split_of_one_class(split):
    one, two = np.array([1, 1]), np.array([0, 1])
    labels = {"train": (one, two), "test": (two, one)}[split]
    with pytest.raises(
        DataError, match=rf"^datasets\.d: the {split} split holds images of 1 class\(es\) \['y'\]"
    ):
        check_classes("d", *labels, ["x", "y"])
