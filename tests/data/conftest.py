"""Fixtures of the data layer's tests."""

import pytest
from lbr.data import catalog


@pytest.fixture
def catalog_built_now(monkeypatch):
    """The catalog as its factories build it during the test, not the one built when the
    library was imported: what the test reads (entries, config schema, option defaults)
    is what the catalog's code makes now."""
    monkeypatch.setattr(catalog, "SOURCES", {entry.name: entry for entry in catalog._entries()})
