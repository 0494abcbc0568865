"""Figures drawn from the tables they show."""

import numpy as np
from support import R1_HEADLINE as HEADLINE
from support import r1_runs as _runs


def test_headline_figure_draws_the_runs_the_verdicts_use():
    """A run with augmented runs only (the tiny config) used to draw an empty Fig. 1 top."""
    from lbr.plots import headline_figure

    runs = _runs({"a": (0.9, 0.4), "b": (0.5, 0.6)})
    augmented = runs[runs["augment"]]
    figure = headline_figure(augmented, HEADLINE)
    heights = [bar.get_height() for bar in figure.axes[0].patches]
    np.testing.assert_allclose(heights, [90.0, 50.0, 70.0, 90.0])  # top a, b; bottom a, b
