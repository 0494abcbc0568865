"""A guidance run saves RECONSTRUCTIONS_KEPT reconstructions whatever `guidance.show`
says, so `show` is display only and no param (issue 26, item 7): the schema's maximum
for `show` is what the runs keep."""

from __future__ import annotations

import yaml
from lbr.config import SCHEMA_PATH
from lbr.train.autoencoder import RECONSTRUCTIONS_KEPT


def test_show_can_never_ask_for_more_than_a_run_keeps():
    schema = yaml.safe_load(SCHEMA_PATH.read_text())
    guidance = schema["properties"]["autoencoders"]["properties"]["guidance"]["properties"]
    assert guidance["show"]["maximum"] == RECONSTRUCTIONS_KEPT
