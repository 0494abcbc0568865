"""Which shape each stage reads, for every combination of `shape` and
`closed_form_shape` (the training view itself: tests/data/test_registry_training_view.py)."""

import pytest
from lbr.data.views import has_training_view, stored_shape, training_view

SHAPE = [12, 10, 3]


@pytest.mark.parametrize(
    "spec, stored, view",
    [
        ({}, None, False),  # native everywhere
        ({"shape": SHAPE}, SHAPE, False),
        ({"shape": SHAPE, "closed_form_shape": "training"}, SHAPE, False),
        ({"shape": SHAPE, "closed_form_shape": "native"}, None, True),
        ({"closed_form_shape": "native"}, None, False),  # nothing to resize to
        ({"closed_form_shape": "training"}, None, False),
    ],
)
def test_each_stage_reads_the_shape_the_config_names(spec, stored, view):
    assert stored_shape(spec) == stored
    assert has_training_view(spec) is view
    assert training_view("set", spec) == ("set.training" if view else "set")
