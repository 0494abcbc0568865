"""Neural networks of the experiments."""
