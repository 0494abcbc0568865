"""Theorem 3 (lbr.spectral.denoising): the alignment of the noisy encoder against a direct
pixel-space computation, Fig. 7's relative change, hand-checked edges (the subspace
shift), the graded generalized eigensolver against a 50-digit solve with its warm and
cold starts and the torch front, and the diagonal-H shortcut against the general path
it replaces."""

import mpmath
import numpy as np
import pytest
import scipy.linalg
import torch
from lbr.errors import ConfigError
from lbr.spectral import denoising, jacobi
from lbr.spectral.alignment import ORTHONORMAL_TOLERANCE
from lbr.spectral.denoising import (
    denoising_alignment,
    denoising_ordered_basis,
    spectrum_denoising,
    subspace_shift,
)
from lbr.spectral.eigen import eigendecompose
from lbr.spectral.noise import (
    ChannelMasking,
    Gaussian,
    Masking,
    Noise,
    SmoothGaussian,
)
from support import EPS, closed_form_geometry, gamma
from support import alignment_data as _data
from support import alignment_spectrum as _spectrum
from support import direct_alignment as _direct_alignment
from support import householder_in_order as _householder_in_order
from support import toy_spectrum as _toy_spectrum

GEOMETRY = closed_form_geometry()


@pytest.mark.parametrize(
    "noise",
    [
        Masking(1, 0.3),
        Masking(2, 0.75),
        ChannelMasking(3, 0.5),
        Gaussian(0.7),
        SmoothGaussian(0.5, 1.5),
    ],
)
# --- Theorem 3 against direct computations on structured small images -----------------


def test_denoising_alignment_equals_direct_computation(noise):
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    table = denoising_alignment(
        eigen.eigenvalues, eigen.eigenvectors, sigma, m, n, x.shape[1], noise, GEOMETRY
    )
    # Direct: the generalized problem in pixel space, then representation + QR on the samples.
    s, g = noise.mean_scale, noise.second_moment(sigma, x.shape[1], GEOMETRY)
    mu, v = scipy.linalg.eigh(s**2 * sigma @ sigma, g)
    direct = _direct_alignment(x, y, v[:, np.argsort(-mu)])
    np.testing.assert_allclose(table["alignment"], direct, atol=1e-8)


def test_fig7_relative_change_is_the_authors_percent_form():
    """Fig. 7's y axis the authors' way, from the N×D data: the noisy encoder's directions
    (Theorem 3, pixel space), the N×K representation, its QR, A% = 100·√(cumsum/total),
    then 100·(A%noisy − A%clean)/A%clean."""
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    noise = Masking(2, 0.6)
    table = denoising_alignment(
        eigen.eigenvalues, eigen.eigenvectors, sigma, m, n, x.shape[1], noise, GEOMETRY
    )
    s, g = noise.mean_scale, noise.second_moment(sigma, x.shape[1], GEOMETRY)
    mu, v = scipy.linalg.eigh(s**2 * sigma @ sigma, g)
    noisy = 100 * np.sqrt(_direct_alignment(x, y, v[:, np.argsort(-mu)]))
    clean = 100 * np.sqrt(_direct_alignment(x, y, eigen.eigenvectors))
    authors = 100 * (noisy - clean) / clean
    assert np.abs(authors).max() > 0.1  # the masking does move the alignment here
    np.testing.assert_allclose(table["relative_change_percent"], authors, atol=1e-6)
    ratio_form = table["relative_change_of_cumulative_ratio_percent"] / 100
    np.testing.assert_allclose(ratio_form, (1 + authors / 100) ** 2 - 1, atol=1e-8)


@pytest.mark.parametrize("sigma_noise", [0.01, 1.0, 30.0])
def test_gaussian_noise_changes_nothing_corollary_3_1(sigma_noise):
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    table = denoising_alignment(
        eigen.eigenvalues,
        eigen.eigenvectors,
        sigma,
        m,
        n,
        x.shape[1],
        Gaussian(sigma_noise),
        GEOMETRY,
    )
    assert np.abs(table["change"]).max() < 1e-8
    assert table["subspace_shift"].max() < 1e-8


def test_masking_moves_the_subspace():
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    table = denoising_alignment(
        eigen.eigenvalues, eigen.eigenvectors, sigma, m, n, x.shape[1], Masking(2, 0.5), GEOMETRY
    )
    assert table["subspace_shift"].max() > 1e-3 and np.abs(table["change"]).max() > 1e-4
    # full space: no shift; 1 − ‖Q‖²_F/r is off by Q's departure from orthonormal (the
    # code's ORTHONORMAL_TOLERANCE, Frobenius, bounds |tr QᵀQ − r|) over r, and an r²-term sum
    r = len(table)
    shift = ORTHONORMAL_TOLERANCE / r + gamma(r * r)
    assert table["subspace_shift"].iloc[-1] == pytest.approx(0.0, abs=shift)


def test_patch_larger_than_image_is_refused():
    x, y = _data()
    sigma, m, n, eigen = _spectrum(x, y)
    with pytest.raises(ConfigError, match="larger than"):
        denoising_alignment(
            eigen.eigenvalues, eigen.eigenvectors, sigma, m, n, 300, Masking(5, 0.5), GEOMETRY
        )


# --- Theorem 3's tables ---------------------------------------------------------------


def test_subspace_shift_by_hand():
    # exact: 0/1 entries, so every cumulative sum and quotient is an exact small integer
    np.testing.assert_array_equal(subspace_shift(np.eye(3)), [0.0, 0.0, 0.0])
    swap = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(subspace_shift(swap), [1.0, 0.0, 0.0])
    c, s = np.cos(0.3), np.sin(0.3)
    # 1 − (c² + …)/K against s²: a few roundings of numbers ≤ 2 (c² + s² = 1 within 2ε too)
    rotation = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(subspace_shift(rotation), [s**2, 0.0, 0.0], atol=8 * EPS)
    lower = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    np.testing.assert_allclose(subspace_shift(lower), [0.0, s**2 / 2, 0.0], atol=8 * EPS)


def test_spectrum_denoising_labels_and_change_columns():
    _, _, spectrum = _toy_spectrum(d=6)
    spectrum.summary["image_shape"] = [2, 3, 1]
    table = spectrum_denoising(spectrum, Masking(2, 0.5))
    assert table.columns[:2].tolist() == ["noise", "family"]
    assert set(table["noise"]) == {"masking_p2_r0.5"} and set(table["family"]) == {"masking"}
    assert set(table["patch"]) == {2} and set(table["ratio"]) == {0.5}
    assert table["sigma"].isna().all() and table["length"].isna().all()
    assert table["sigma"].dtype == np.float64
    assert table["K"].tolist() == list(range(1, 7))
    np.testing.assert_allclose(table["change"], table["alignment"] - table["alignment_clean"])
    # Fig. 7's quantity: relative change of the percent form A% = 100·√ratio; the
    # ratio form is kept beside it under its own name
    np.testing.assert_allclose(
        table["relative_change_percent"],
        100
        * (np.sqrt(table["alignment"]) - np.sqrt(table["alignment_clean"]))
        / np.sqrt(table["alignment_clean"]),
    )
    np.testing.assert_allclose(
        table["relative_change_of_cumulative_ratio_percent"],
        100 * table["change"] / table["alignment_clean"],
    )
    np.testing.assert_allclose(table["alignment_percent"], 100 * np.sqrt(table["alignment"]))
    np.testing.assert_allclose(
        table["alignment_percent_clean"], 100 * np.sqrt(table["alignment_clean"])
    )
    assert table["solver_error_bound"].nunique() == 1 and table["solver_error_bound"].iloc[0] < 1e-8
    gaussian = spectrum_denoising(spectrum, Gaussian(0.5))
    np.testing.assert_allclose(gaussian["change"], 0.0, atol=1e-12)
    assert set(gaussian["sigma"]) == {0.5} and gaussian["patch"].isna().all()


# --- small hand-checked edges: the subspace shift's clipping, the solver's device -------


def test_subspace_shift_by_hand_on_a_2x2_rotation():
    # Q = a rotation by 90° in the first two coordinates: the top-1 spaces are orthogonal
    q = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(subspace_shift(q), [1.0, 0.0, 0.0])
    c, s = np.cos(0.3), np.sin(0.3)
    q = np.array([[c, -s], [s, c]])
    np.testing.assert_allclose(subspace_shift(q), [s**2, 0.0], atol=8 * EPS)  # as above


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


# --- the graded generalized eigensolver built on the Jacobi SVD -----------------------


def test_graded_generalized_eigenvectors_against_high_precision():
    """Λ w = μ H w with μ spanning more than 15 decades: every μ and direction as a 50-digit solve gives."""
    rng = np.random.default_rng(2)
    n = 24
    eigenvalues = np.logspace(0, -10, n)
    e = rng.standard_normal((n, n)) / np.sqrt(n)
    h = np.eye(n) + 1e-3 * (e @ e.T) / np.sqrt(np.outer(eigenvalues, eigenvalues))
    w, bound = denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    assert bound < 1e-10
    with mpmath.workdps(50):  # μ: the eigenvalues of C = Λ^{1/2} H⁻¹ Λ^{1/2}
        root = mpmath.diag([mpmath.sqrt(mpmath.mpf(x)) for x in eigenvalues])
        c = root * mpmath.inverse(mpmath.matrix(h.tolist())) * root
        mu, z = mpmath.eigsy((c + c.T) / 2)
        order = sorted(range(n), key=lambda i: -mu[i])
        mu_exact = np.array([float(mu[i]) for i in order])
        # w ∝ H⁻¹Λ^{1/2} z: compare directions after normalizing in the H-norm
        w_exact = mpmath.inverse(mpmath.matrix(h.tolist())) * root * z
        w_exact = np.array([[float(w_exact[r, i]) for i in order] for r in range(n)])
    assert mu_exact[-1] / mu_exact[0] < 1e-15  # beyond what a standard solver resolves
    lam_w = eigenvalues[:, None] * w
    mu = np.sum(w * lam_w, axis=0) / np.sum(w * (h @ w), axis=0)
    np.testing.assert_allclose(mu, mu_exact, rtol=1e-10)
    w_exact /= np.sqrt(np.sum(w_exact * (h @ w_exact), axis=0))
    np.testing.assert_allclose(np.abs(np.sum(w * (h @ w_exact), axis=0)), 1.0, atol=1e-8)


def _mixed_problem(n=30):
    """Λ spanning six decades and H = I + a random PSD excess in whitened units."""
    eigenvalues = np.logspace(0, -6, n)
    rng = np.random.default_rng(3)
    e = rng.standard_normal((n, n)) / np.sqrt(n)
    return eigenvalues, np.eye(n) + 1e-2 * (e @ e.T) / np.sqrt(np.outer(eigenvalues, eigenvalues))


def test_falls_back_to_a_cold_start_when_the_defect_is_too_large(monkeypatch):
    eigenvalues, h = _mixed_problem()
    starts = []

    def recording(kind, solver):
        def record(*args):
            starts.append(kind)
            return solver(*args)

        return record

    monkeypatch.setattr(
        denoising, "certified_warm_svd", recording("warm", denoising.certified_warm_svd)
    )
    monkeypatch.setattr(denoising, "jacobi_svd", recording("cold", denoising.jacobi_svd))
    w_warm, _ = denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    assert starts == ["warm"]  # certified: no second solve
    starts.clear()
    monkeypatch.setattr(denoising, "WARM_START_TOLERANCE", 0.0)
    w_cold, _ = denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    assert starts == ["warm", "cold"]
    np.testing.assert_allclose(np.abs(np.sum(w_warm * (h @ w_cold), axis=0)), 1.0, atol=1e-10)


def test_the_rounding_allowance_alone_does_not_send_the_problem_to_a_cold_start(monkeypatch):
    """The bound's rounding allowance γ|F||V| grows like D^1.5 and a cold start carries
    the same (at D = 12 288 it alone is above 1e-8, and a cold start takes hours): only
    the defect (residual, orthogonality) decides. Tolerance between the two here."""
    eigenvalues, h = _mixed_problem()
    certificates = []

    def warm(*args):
        result = jacobi.certified_warm_svd(*args)
        certificates.append(result[1:])
        return result

    monkeypatch.setattr(denoising, "certified_warm_svd", warm)
    denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    [(bound, defect)] = certificates
    assert defect < bound / 2  # the allowance dominates (2e-11 against 2e-9 at D = 3072)

    def no_cold_start(*args):
        raise AssertionError("cold start")

    monkeypatch.setattr(denoising, "jacobi_svd", no_cold_start)
    monkeypatch.setattr(denoising, "WARM_START_TOLERANCE", np.sqrt(bound * defect))
    _, kept = denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    assert kept == bound  # recorded in full


def test_the_torch_front_gives_the_same_certified_result():
    """Cholesky, F, FᵀF and the eigensolve through torch (the GPU path), run here on the
    CPU: the certificate accepts its F and V₀, and the directions match LAPACK's."""
    eigenvalues = np.logspace(0, -8, 40)
    rng = np.random.default_rng(4)
    e = rng.standard_normal((40, 40)) / np.sqrt(40)
    h = np.eye(40) + 1e-3 * (e @ e.T) / np.sqrt(np.outer(eigenvalues, eigenvalues))
    w_lapack, bound_lapack = denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    w_torch, bound_torch = denoising._graded_generalized_eigenvectors(
        eigenvalues, h.copy(), torch.device("cpu")
    )
    assert max(bound_lapack, bound_torch) < denoising.WARM_START_TOLERANCE
    np.testing.assert_allclose(np.abs(np.sum(w_torch * (h @ w_lapack), axis=0)), 1.0, atol=1e-10)
    graded, warm = denoising._torch_front(h.copy(), np.sqrt(eigenvalues), torch.device("cpu"))
    reference, _ = denoising._lapack_front(h.copy(), np.sqrt(eigenvalues))
    np.testing.assert_allclose(np.tril(graded), np.tril(reference), rtol=1e-10, atol=0)
    assert warm.shape == (40, 40)


def test_the_torch_front_refuses_an_indefinite_h():
    h = np.diag([1.0, -1.0, 2.0])
    with pytest.raises(ArithmeticError, match="not positive definite"):
        denoising._torch_front(h, np.ones(3), torch.device("cpu"))
    with pytest.raises(ArithmeticError, match="not positive definite"):
        denoising._lapack_front(h.copy(), np.ones(3))


# --- the diagonal-H shortcut against the general path it replaces ---------------------


def _general(eigenvalues, h):
    """The general path: graded eigensolver, then Householder QR."""
    w, bound = denoising._graded_generalized_eigenvectors(eigenvalues, h.copy())
    return _householder_in_order(w), bound


class DiagonalExcess(Noise):
    """A noise whose whitened excess is a given diagonal (μ not monotone in λ)."""

    family = "test_diagonal"

    def __init__(self, diagonal):
        self.diagonal = diagonal

    def whitened_excess(self, eigenvalues, eigenvectors, sigma, n, geometry):
        return np.diag(self.diagonal)


def _graded_spectrum(seed=0, decades=8):
    rng = np.random.default_rng(seed)
    d = GEOMETRY.dimension
    eigenvalues = np.logspace(0, -decades, d)
    vectors, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return eigenvalues, vectors, (vectors * eigenvalues) @ vectors.T


@pytest.mark.parametrize("kind", ["gaussian", "reordering", "ties"])
def test_diagonal_shortcut_equals_the_general_path(kind):
    eigenvalues, vectors, sigma = _graded_spectrum()
    rng = np.random.default_rng(1)
    if kind == "gaussian":
        noise = Gaussian(0.3)
    elif kind == "reordering":  # μ = λ/h far from λ's order: the permutation matters
        noise = DiagonalExcess(rng.uniform(0, 1e9, len(eigenvalues)) * rng.random(len(eigenvalues)))
    else:  # two μ tie exactly: PCA's order is kept
        diagonal = np.zeros(len(eigenvalues))
        diagonal[3] = eigenvalues[3] / eigenvalues[4] - 1.0
        noise = DiagonalExcess(diagonal)
    ordered, bound = denoising_ordered_basis(eigenvalues, vectors, sigma, 500, noise, GEOMETRY)
    assert bound == 0.0
    h = noise.whitened_excess(eigenvalues, vectors, sigma, 500, GEOMETRY) + np.eye(len(sigma))
    mu = eigenvalues / h.diagonal()
    if kind == "reordering":
        assert np.any(np.diff(mu) > 0)  # not PCA's order, so a wrong permutation would show
        general, _ = _general(eigenvalues, h)
        np.testing.assert_allclose(ordered, general, atol=1e-10)
    if kind == "gaussian":
        np.testing.assert_array_equal(ordered, np.eye(len(sigma)))
    if kind == "ties":
        assert mu[3] == pytest.approx(mu[4], rel=1e-14)
        np.testing.assert_array_equal(np.argmax(ordered, axis=0)[:6], [0, 1, 2, 3, 4, 5])
    # The permutation carries μ in descending order.
    assert np.all(np.diff(mu[np.argmax(ordered, axis=0)]) <= 1e-12 * mu.max())


def test_diagonal_shortcut_not_taken_for_a_non_diagonal_h(monkeypatch):
    eigenvalues, vectors, sigma = _graded_spectrum()
    calls = []
    real = denoising._graded_generalized_eigenvectors
    monkeypatch.setattr(
        denoising,
        "_graded_generalized_eigenvectors",
        lambda *a: calls.append(1) or real(*a),
    )
    denoising_ordered_basis(eigenvalues, vectors, sigma, 500, Masking(2, 0.5), GEOMETRY)
    assert calls == [1]
    calls.clear()
    denoising_ordered_basis(eigenvalues, vectors, sigma, 500, Masking(2, 0.0), GEOMETRY)
    denoising_ordered_basis(eigenvalues, vectors, sigma, 500, Gaussian(2.0), GEOMETRY)
    assert calls == []  # H = I and H diagonal: the exact permutation


def test_gaussian_table_is_pca_exactly():
    rng = np.random.default_rng(5)
    x = (
        rng.standard_normal((GEOMETRY.dimension, 200))
        * np.linspace(3, 0.1, GEOMETRY.dimension)[:, None]
    )
    labels = rng.integers(0, 3, 200)
    x -= x.mean(axis=1, keepdims=True)
    y = np.eye(3)[labels].T
    sigma = x @ x.T
    eigen = eigendecompose(sigma)
    table = denoising_alignment(
        eigen.eigenvalues,
        eigen.eigenvectors,
        sigma,
        y @ x.T,
        y.sum(axis=1),
        200,
        Gaussian(0.5),
        GEOMETRY,
    )
    assert np.all(table["change"] == 0.0) and np.all(table["subspace_shift"] == 0.0)
