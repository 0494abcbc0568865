"""A closed-form job as a fresh process runs it: on the CPU it never imports torch."""


def test_a_cpu_closed_form_job_never_imports_torch():
    """Importing torch is about 3 s of every job's start: the jobs that only read a
    spectrum (alignment, denoising, Theorem 1, their tables) must not pay it on the CPU."""
    import subprocess
    import sys

    from support import REPO

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
