"""The subspace-training grid."""

from lbr.train.grid import subspace_runs


def test_subspace_grid_lists_each_run_once():
    grid = {
        "datasets": ["d"],
        "sides": ["top", "bottom"],
        "fractions": [0.2, 0.9],
        "headline": {"top": 0.9, "bottom": 0.2},
        "dimension_halves": True,
        "augment": [False, True],
        "seeds": [0],
    }
    runs = subspace_runs(grid)
    assert len(runs) == len(set(runs)) == (4 + 2) * 2  # the headline pair is in the grid already
    assert ("d", "top", "0.9", "aug", 0) in runs and ("d", "bottom_dims", "0.5", "noaug", 0) in runs
