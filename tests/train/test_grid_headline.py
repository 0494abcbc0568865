"""The headline runs R1 judges (lbr/train/grid.py): the headline pair of every dataset and
seed, at the augmentation the verdict reads, each a run of the grid."""

from lbr.train.grid import headline_augment, headline_runs, subspace_runs

GRID = {
    "datasets": ["a", "b"],
    "sides": ["top", "bottom"],
    "fractions": [0.5, 0.9],
    "headline": {"top": 0.9, "bottom": 0.2},
    "dimension_halves": True,
    "augment": [True, False],
    "seeds": [4, 0, 7],
}


def test_every_dataset_side_and_seed_once_without_augmentation_when_there_is_such_a_run():
    runs = headline_runs(GRID)
    assert headline_augment(GRID) == "noaug"
    assert len(runs) == len(set(runs)) == 2 * 2 * 3
    assert {(d, side, f) for d, side, f, _, _ in runs} == {
        (d, side, f) for d in "ab" for side, f in (("top", "0.9"), ("bottom", "0.2"))
    }
    assert {augment for _, _, _, augment, _ in runs} == {"noaug"}
    assert sorted({seed for *_, seed in runs}) == [0, 4, 7]
    assert set(runs) <= set(subspace_runs(GRID))


def test_augmented_runs_when_there_are_no_others():
    grid = {**GRID, "augment": [True], "seeds": [0]}
    assert headline_augment(grid) == "aug"
    assert headline_runs(grid) == [
        ("a", "top", "0.9", "aug", 0),
        ("a", "bottom", "0.2", "aug", 0),
        ("b", "top", "0.9", "aug", 0),
        ("b", "bottom", "0.2", "aug", 0),
    ]
    assert set(headline_runs(grid)) <= set(subspace_runs(grid))
