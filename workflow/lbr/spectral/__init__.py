"""Spectral statistics of a dataset and the closed forms built on them (docs/method.md)."""
