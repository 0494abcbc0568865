"""The training loop: a diverging loss stops with a clear error."""

import pytest
from lbr.train.classifier import TrainingError
from support import tiny_classifier_run as _tiny_run


def test_diverging_loss_stops_with_a_clear_error():
    with pytest.raises(TrainingError, match="Lower learning_rate"):
        _tiny_run(learning_rate=1e30)
