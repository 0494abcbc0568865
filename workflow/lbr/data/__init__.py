"""Dataset acquisition: sources behind one registry, one on-disk format."""
