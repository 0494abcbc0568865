"""Gradient descent on Theorem 1's objective, to compare against its closed form (Fig. 8)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from .eigen import eigendecompose
from .theorem1 import solve_theorem1


def adam_trajectory(
    x: np.ndarray, y: np.ndarray, k: int, lam: float, steps: int, learning_rate: float, seed: int
) -> np.ndarray:
    """Loss after every Adam step on L(V, W, Z) (float64, cosine-decayed learning rate).

    x is D×N, y is C×N; initialization is seeded, so the trajectory is reproducible.
    """
    generator = torch.Generator().manual_seed(seed)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    d, c = x.shape[0], y.shape[0]

    def init(*shape):
        return (
            torch.randn(*shape, generator=generator, dtype=torch.float64) / np.sqrt(shape[0])
        ).requires_grad_()

    encoder, classifier, decoder = init(d, k), init(k, c), init(k, d)
    optimizer = torch.optim.Adam([encoder, classifier, decoder], lr=learning_rate)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    losses = np.empty(steps)
    for step in range(steps):
        optimizer.zero_grad(set_to_none=True)
        z = encoder.T @ xt
        loss = ((classifier.T @ z - yt) ** 2).sum() + lam * ((decoder.T @ z - xt) ** 2).sum()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses[step] = loss.item()
    return losses


def adam_grid(
    samples: int,
    dimensions: list[int],
    latent_sizes: list[int],
    lambdas: list[float],
    classes: int,
    steps: int,
    learning_rate: float,
    seed: int,
) -> pd.DataFrame:
    """Fig. 8's experiment: random data, Adam against the closed form, for every setting.

    Data are standard Gaussian X (D×N) with uniformly random one-hot labels; one seed
    per dimension, so all K and λ of a dimension see the same data.
    """
    rows = []
    for d in dimensions:
        rng = np.random.default_rng([seed, d])
        x = rng.standard_normal((d, samples))
        y = np.eye(classes)[rng.integers(0, classes, samples)].T
        eigen = eigendecompose(x @ x.T)
        for k in latent_sizes:
            for lam in lambdas:
                best = solve_theorem1(
                    eigen.eigenvalues, eigen.eigenvectors, y @ x.T, float(samples), lam, k
                ).loss
                losses = adam_trajectory(x, y, k, lam, steps, learning_rate, seed)
                # Gaps are relative to the loss of the zero model, ‖Y‖² + λ‖X‖²: the
                # minimum itself can be 0 (λ = 0 with D ≥ N), the zero model's loss cannot.
                baseline = float(samples) + lam * float(np.sum(x**2))
                rows.append(
                    pd.DataFrame(
                        {
                            "dimension": d,
                            "latent": k,
                            "lam": lam,
                            "step": np.arange(1, steps + 1),
                            "loss": losses,
                            "closed_form": best,
                            "relative_gap": (losses - best) / baseline,
                        }
                    )
                )
    return pd.concat(rows, ignore_index=True)
