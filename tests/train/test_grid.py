"""The run grids (lbr/train/grid.py) of a small config, against the runs written out by
hand: every run once, in the order the rules expand them, numbers as the paths show them."""

import pytest
from lbr.layout import path_number
from lbr.train.grid import (
    DENOISING_FIELDS,
    DYNAMICS_FIELDS,
    GUIDANCE_FIELDS,
    SUBSPACE_FIELDS,
    denoising_runs,
    dynamics_runs,
    guidance_runs,
    subspace_runs,
)

SUBSPACE = {
    "datasets": ["d", "e"],
    "sides": ["top", "bottom"],
    "fractions": [0.2, 0.9],
    "headline": {"top": 0.9, "bottom": 0.25},
    "dimension_halves": True,
    "augment": [False, True],
    "seeds": [3],
}

AUTOENCODERS = {
    "datasets": ["d", "e"],
    "dynamics": {"architectures": ["mlp", "conv"]},
    "guidance": {
        "architectures": ["conv"],
        "latents": [8, 32],
        "weights": [0.0, 0.05, 1.0],
        "seeds": [0, 2],
    },
}

NOISES = {"masking": {"patch_sizes": [2], "ratios": [0.5, 0.75]}, "gaussian": {"sigmas": [1.0]}}


def test_subspace_grid_of_a_small_config():
    runs = subspace_runs(SUBSPACE)
    per_dataset = [
        ("top", "0.2"), ("top", "0.9"), ("bottom", "0.2"), ("bottom", "0.9"),
        ("bottom", "0.25"),  # the headline bottom; the headline top is in the grid already
        ("top_dims", "0.5"), ("bottom_dims", "0.5"),
    ]  # fmt: skip
    assert runs == [
        (d, side, fraction, augment, 3)
        for d in ("d", "e")
        for side, fraction in per_dataset
        for augment in ("noaug", "aug")
    ]


def test_subspace_grid_without_dimension_halves_and_with_the_headline_in_the_grid():
    grid = {**SUBSPACE, "datasets": ["d"], "dimension_halves": False, "augment": [True]}
    grid["headline"] = {"top": 0.9, "bottom": 0.2}
    assert subspace_runs(grid) == [
        ("d", "top", "0.2", "aug", 3),
        ("d", "top", "0.9", "aug", 3),
        ("d", "bottom", "0.2", "aug", 3),
        ("d", "bottom", "0.9", "aug", 3),
    ]


def test_dynamics_grid_of_a_small_config():
    assert dynamics_runs(AUTOENCODERS) == [
        ("d", "mlp"),
        ("d", "conv"),
        ("e", "mlp"),
        ("e", "conv"),
    ]


def test_guidance_grid_of_a_small_config():
    runs = guidance_runs(AUTOENCODERS)
    expected = []
    for dataset in ("d", "e"):
        for latent in (8, 32):
            for weight in ("0", "0.05", "1"):  # as the paths write 0.0, 0.05 and 1.0
                for seed in (0, 2):
                    expected.append((dataset, "conv", latent, weight, seed))
    assert runs == expected


def test_denoising_grid_of_a_small_config():
    assert denoising_runs(["d", "e"], NOISES) == [
        ("d", "masking_p2_r0.5"),
        ("d", "masking_p2_r0.75"),
        ("d", "gaussian_s1"),
        ("e", "masking_p2_r0.5"),
        ("e", "masking_p2_r0.75"),
        ("e", "gaussian_s1"),
    ]


def test_empty_sections_have_no_runs():
    assert dynamics_runs({**AUTOENCODERS, "datasets": []}) == []
    assert guidance_runs({**AUTOENCODERS, "datasets": []}) == []
    assert denoising_runs(["d"], {}) == []


@pytest.mark.parametrize(
    ("runs", "fields"),
    [
        (subspace_runs(SUBSPACE), SUBSPACE_FIELDS),
        (dynamics_runs(AUTOENCODERS), DYNAMICS_FIELDS),
        (guidance_runs(AUTOENCODERS), GUIDANCE_FIELDS),
        (denoising_runs(["d"], NOISES), DENOISING_FIELDS),
    ],
)
def test_each_run_has_one_value_per_field(runs, fields):
    assert runs and all(len(run) == len(fields) for run in runs)
    assert len(set(runs)) == len(runs)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.5, "0.5"), (1.0, "1"), (0.05, "0.05"), (0.0, "0"), (10.0, "10"), (0.0001, "0.0001")],
)
def test_path_numbers_are_the_shortest_decimal(value, text):
    assert path_number(value) == text
