"""Spectral statistics of a dataset and the closed forms built on them (MATH.md)."""
