"""Small hand-checked edges of lbr.spectral.denoising: Fig. 7's first K for small
images (an integer half of the largest K), and the subspace shift's clipping."""

import numpy as np
import pandas as pd
from lbr.spectral.denoising import fig7_first_k, in_fig7_range, subspace_shift


def test_fig7_first_k_is_k_min_or_the_integer_half_of_the_largest_k():
    assert fig7_first_k(4, 100) == 4
    assert fig7_first_k(10, 5) == 2 and type(fig7_first_k(10, 5)) is int
    assert fig7_first_k(10, 20) == 10


def test_in_fig7_range_per_dataset():
    table = pd.DataFrame({"dataset": ["small"] * 5 + ["big"] * 3, "K": [1, 2, 3, 4, 5, 10, 20, 30]})
    kept = in_fig7_range(table, k_min=10)
    # small: largest K 5 -> first K 2 (not 2.5); big: largest 30 -> first K 10
    assert kept["K"].tolist() == [2, 3, 4, 5, 10, 20, 30]


def test_subspace_shift_by_hand():
    # Q = a rotation by 90° in the first two coordinates: the top-1 spaces are orthogonal
    q = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(subspace_shift(q), [1.0, 0.0, 0.0])
    c, s = np.cos(0.3), np.sin(0.3)
    q = np.array([[c, -s], [s, c]])
    np.testing.assert_allclose(subspace_shift(q), [s**2, 0.0], atol=1e-16)


def test_subspace_shift_never_goes_below_zero():
    """Rounding can make ‖Q[:K, :K]‖² exceed K slightly; the shift is clipped at 0."""
    np.testing.assert_array_equal(subspace_shift((1 + 1e-9) * np.eye(3)), [0.0, 0.0, 0.0])


def test_the_lapack_eigensolver_reads_the_lower_triangle_only():
    from lbr.spectral import denoising

    lower = np.array([[2.0, 0.0], [1.0, 2.0]])  # stands for [[2, 1], [1, 2]]
    expected = np.array([[1.0, 1.0], [-1.0, 1.0]]) / np.sqrt(2)  # eigenvalues 1, 3
    np.testing.assert_allclose(
        np.abs(denoising._lapack_eigenvectors(lower.copy())), np.abs(expected)
    )


def test_a_non_cpu_device_goes_to_the_torch_front(monkeypatch):
    from types import SimpleNamespace

    from lbr.spectral import denoising

    calls = []

    def front(h, root, device):
        calls.append(device)
        return denoising._lapack_front(h, root)

    monkeypatch.setattr(denoising, "_torch_front", front)
    gpu = SimpleNamespace(type="cuda")
    h = np.array([[2.0, 0.5], [0.5, 1.0]])
    w, bound = denoising._graded_generalized_eigenvectors(np.array([2.0, 1.0]), h.copy(), gpu)
    assert calls == [gpu] and w.shape == (2, 2) and bound < 1e-12


def test_a_cpu_closed_form_job_never_imports_torch():
    """Importing torch is about 3 s of every job's start: the jobs that only read a
    spectrum (alignment, denoising, Theorem 1, their tables) must not pay it on the CPU."""
    import subprocess
    import sys

    from conftest import REPO

    code = """
import sys
import numpy as np
from lbr.spectral import alignment, cache, denoising, theorem1
from lbr.spectral.noise import ImageGeometry, Masking
rng = np.random.default_rng(0)
x = rng.standard_normal((40, 12))
covariance = x.T @ x
values, vectors = np.linalg.eigh(covariance)
order = np.argsort(values)[::-1]
w, bound = denoising.denoising_ordered_basis(
    values[order], vectors[:, order], covariance, 40, Masking(1, 0.5), ImageGeometry(2, 2, 3)
)
assert bound < 1e-8, bound
print("torch" in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO / "workflow",
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_a_cpu_however_named_solves_with_lapack(monkeypatch):
    """'cpu' and 'auto' on a machine without a GPU both mean LAPACK (None); only a GPU
    device goes to torch."""
    import torch
    from lbr.spectral import denoising

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert denoising._solver_device("cpu") is None
    assert denoising._solver_device("auto") is None
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert denoising._solver_device("auto").type == "cuda"
