"""Diffusion: Jacobi solves, conservation, relaxation rate, explicit limits."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from neurorelax.graph import (
    JacobiConvergenceWarning,
    LinearSystem,
    diffuse_exact,
    diffuse_explicit,
    diffuse_implicit,
    distance_from_uniform,
    eigenmodes,
    implicit_system,
    jacobi_iteration_radius,
    jacobi_solve,
    laplacian,
    largest_eigenvalue,
    neighbour_mean,
)

RTOL = {np.float32: 1e-5, np.float64: 1e-10}


@pytest.mark.parametrize("omega", [1.0, 0.7])
def test_jacobi_equals_direct_sparse_solve(small_world, rng, omega):
    system = implicit_system(small_world, gamma=2.0, dt=0.5)
    rhs = rng.random((small_world.n_nodes, 3))
    rhs_before = rhs.copy()

    result = jacobi_solve(system, rhs, tol=1e-14, omega=omega)

    direct = spla.spsolve(system.matrix.tocsc(), rhs)
    assert result.converged
    np.testing.assert_allclose(result.solution, direct, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(rhs, rhs_before)
    assert result.residuals.size == result.n_iterations + 1
    assert result.residuals[-1] <= 1e-14 < result.residuals[-2]


def test_jacobi_float32_is_accurate_to_single_precision(small_world, rng):
    system = implicit_system(small_world, gamma=1.0, dt=0.5)
    rhs = rng.random(small_world.n_nodes).astype(np.float32)
    result = jacobi_solve(system, rhs, tol=1e-6)
    assert result.solution.dtype == np.float32
    direct = spla.spsolve(system.matrix.tocsc(), rhs.astype(np.float64))
    np.testing.assert_allclose(result.solution, direct, rtol=1e-5)


@pytest.mark.parametrize("omega", [1.0, 0.7])
def test_convergence_factor_matches_spectral_radius(small_world, rng, omega):
    # gamma dt = 3 makes the radius close to 1, so the asymptotic regime is long.
    system = implicit_system(small_world, gamma=3.0, dt=1.0)
    rho = jacobi_iteration_radius(system, omega=omega)
    result = jacobi_solve(
        system, rng.random(small_world.n_nodes), tol=1e-13, max_iter=5000, omega=omega
    )

    residuals = result.residuals
    window = np.flatnonzero((residuals < 1e-4) & (residuals > 1e-12))
    first, last = window[0], window[-1]
    observed = (residuals[last] / residuals[first]) ** (1.0 / (last - first))
    assert 0.8 < rho < 1
    assert abs(observed - rho) <= 0.05 * rho


def test_iteration_radius_formula_for_plain_jacobi(small_world):
    system = implicit_system(small_world, gamma=1.0, dt=1.0)
    iteration = -(sp.diags_array(1 / system.diagonal) @ system.offdiag).toarray()
    expected = np.max(np.abs(np.linalg.eigvals(iteration)))
    assert jacobi_iteration_radius(system) == pytest.approx(expected, rel=1e-12)


def test_jacobi_warns_when_it_stops_early(small_world, rng):
    system = implicit_system(small_world, gamma=3.0, dt=1.0)
    with pytest.warns(
        JacobiConvergenceWarning,
        match=r"stopped after max_iter=5 sweeps with relative "
        r"residual .* > tol=1e-10",
    ):
        result = jacobi_solve(system, rng.random(small_world.n_nodes), max_iter=5)
    assert not result.converged and result.n_iterations == 5


def test_jacobi_accepts_a_plain_matrix(rng):
    matrix = np.array([[4.0, 1.0], [2.0, 5.0]])
    result = jacobi_solve(matrix, [1.0, 2.0], tol=1e-14)
    np.testing.assert_allclose(result.solution, np.linalg.solve(matrix, [1.0, 2.0]))


@pytest.mark.parametrize("method", ["eig", "expm"])
def test_exact_diffusion_conserves_total_and_relaxes_at_gamma_lambda2(
    small_world, rng, method
):
    gamma = 0.8
    initial = np.zeros((small_world.n_nodes, 2))
    initial[0, 0], initial[:, 1] = 1.0, rng.random(small_world.n_nodes)
    times = np.linspace(0, 40, 81)
    result = diffuse_exact(
        small_world, initial, gamma=gamma, times=times, method=method
    )

    totals = result.states.sum(axis=1)
    np.testing.assert_allclose(
        totals, np.broadcast_to(totals[0], totals.shape), rtol=1e-9, atol=0
    )
    lambda_2 = eigenmodes(small_world, 2).values[1]
    rate = _late_rate(result.times, result.states, window=(20, 40))
    np.testing.assert_allclose(rate, gamma * lambda_2, rtol=0.01)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_implicit_jacobi_diffusion_conserves_the_total(small_world, rng, dtype):
    initial = rng.random((small_world.n_nodes, 2)).astype(dtype)
    single = dtype == np.float32
    result = diffuse_implicit(
        small_world,
        initial,
        gamma=0.8,
        dt=0.05,
        n_steps=400,
        tol=1e-6 if single else 1e-12,
    )

    assert result.states.dtype == dtype
    totals = result.states.astype(np.float64).sum(axis=1)
    # float32 rounding accumulates over the steps: about n_steps * eps / 10.
    np.testing.assert_allclose(
        totals, np.broadcast_to(totals[0], totals.shape), rtol=5e-5 if single else 1e-9
    )
    np.testing.assert_array_equal(result.states[0], initial)
    assert len(result.info["residual_histories"]) == 400


def test_implicit_jacobi_diffusion_relaxes_at_gamma_lambda2(small_world, rng):
    gamma, dt = 0.8, 0.015
    lambda_2 = eigenmodes(small_world, 2).values[1]
    assert gamma * dt * lambda_2 < 0.01  # per-step rate log(1+x)/dt within 0.6 %
    # A zero-mean start: the relative Jacobi tolerance then applies to the
    # deviation from uniform itself, which is what the rate is fitted on.
    initial = rng.random(small_world.n_nodes)
    initial -= initial.mean()
    result = diffuse_implicit(
        small_world, initial, gamma=gamma, dt=dt, n_steps=2700, tol=1e-12
    )

    rate = _late_rate(result.times, result.states[:, :, None], window=(20, 40))
    np.testing.assert_allclose(rate, gamma * lambda_2, rtol=0.01)


def test_implicit_matches_exact_for_small_steps(small_world, rng):
    initial = rng.random((small_world.n_nodes, 2))
    implicit = diffuse_implicit(small_world, initial, gamma=1.0, dt=0.01, n_steps=100)
    exact = diffuse_exact(small_world, initial, gamma=1.0, times=[1.0])
    np.testing.assert_allclose(implicit.final, exact.final, atol=5e-3)


@pytest.mark.parametrize("kind", ["symmetric", "random_walk"])
def test_exact_methods_agree_for_normalised_laplacians(small_world, rng, kind):
    initial = rng.random(small_world.n_nodes)
    eig = diffuse_exact(
        small_world, initial, gamma=1.0, times=[0.5, 2.0], kind=kind, method="eig"
    )
    expm = diffuse_exact(
        small_world, initial, gamma=1.0, times=[0.5, 2.0], kind=kind, method="expm"
    )
    np.testing.assert_allclose(eig.states, expm.states, atol=1e-12)


def test_explicit_euler_stable_below_the_limit_matches_exact(small_world, rng):
    lambda_max = largest_eigenvalue(small_world)
    dt = 0.5 / lambda_max
    initial = rng.random(small_world.n_nodes)
    result = diffuse_explicit(small_world, initial, gamma=1.0, dt=dt, n_steps=400)
    exact = diffuse_exact(small_world, initial, gamma=1.0, times=[400 * dt])
    assert result.info["stability_number"] == pytest.approx(0.5)
    np.testing.assert_allclose(result.final, exact.final, atol=1e-3)


def test_explicit_euler_beyond_the_limit_is_refused(small_world):
    dt = 2.05 / largest_eigenvalue(small_world)
    with pytest.raises(
        ValueError,
        match=r"explicit Euler is unstable: "
        r"gamma\*dt\*lambda_max = 2.05 >= 2",
    ):
        diffuse_explicit(
            small_world, np.ones(small_world.n_nodes), gamma=1.0, dt=dt, n_steps=10
        )


def test_explicit_euler_forced_beyond_the_limit_diverges(small_world, rng):
    dt = 2.2 / largest_eigenvalue(small_world)
    initial = rng.random(small_world.n_nodes)
    result = diffuse_explicit(
        small_world, initial, gamma=1.0, dt=dt, n_steps=200, unstable="allow"
    )
    deviation = np.abs(result.states - initial.mean()).max(axis=1)
    assert deviation[-1] > 1e6 * deviation[0]
    assert np.all(np.diff(deviation[50:]) > 0)


def test_largest_eigenvalue_matches_dense(small_world):
    dense = np.linalg.eigvalsh(laplacian(small_world).toarray())
    assert largest_eigenvalue(small_world) == pytest.approx(dense[-1], rel=1e-12)


def test_linear_system_round_trip():
    matrix = sp.csr_array(np.array([[2.0, -1.0], [-1.0, 3.0]]))
    system = LinearSystem.from_matrix(matrix)
    np.testing.assert_array_equal(system.diagonal, [2.0, 3.0])
    np.testing.assert_array_equal(system.matrix.toarray(), matrix.toarray())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda g: diffuse_exact(g, np.ones(5), gamma=1.0, times=[1.0]),
            r"initial must have 60 rows, one per node .* got shape \(5,\)",
        ),
        (
            lambda g: diffuse_exact(g, np.full(60, np.nan), gamma=1.0, times=[1.0]),
            r"initial must contain only finite values; entry \(0,\) is",
        ),
        (
            lambda g: diffuse_exact(g, np.ones((60, 2, 2)), gamma=1.0, times=[1.0]),
            r"initial must have 1 or 2 dimension\(s\)",
        ),
        (
            lambda g: diffuse_exact(g, np.ones(60), gamma=0.0, times=[1.0]),
            r"gamma must be a finite number > 0, got 0.0",
        ),
        (
            lambda g: diffuse_exact(g, np.ones(60), gamma=1.0, times=[2.0, 1.0]),
            r"times must be non-negative and non-decreasing",
        ),
        (
            lambda g: diffuse_implicit(g, np.ones(60), gamma=1.0, dt=-0.1, n_steps=3),
            r"dt must be a finite number > 0, got -0.1",
        ),
        (
            lambda g: diffuse_implicit(g, np.ones(60), gamma=np.inf, dt=0.1, n_steps=3),
            r"gamma must be a finite number > 0, got inf",
        ),
        (
            lambda g: diffuse_implicit(g, np.ones(60), gamma=1.0, dt=0.1, n_steps=0),
            r"n_steps must be an integer >= 1, got 0",
        ),
        (
            lambda g: diffuse_explicit(
                g, np.ones(60), gamma=1.0, dt=0.01, n_steps=2, unstable="maybe"
            ),
            r"unstable must be one of 'raise', 'allow'; got 'maybe'",
        ),
        (
            lambda g: jacobi_solve(
                implicit_system(g, 1.0, 1.0), np.ones(60), omega=2.0
            ),
            r"omega must be a finite number in \(0.0, 2.0\), got 2.0",
        ),
        (
            lambda g: jacobi_solve(implicit_system(g, 1.0, 1.0), np.ones(60), tol=0),
            r"tol must be a finite number > 0, got 0",
        ),
        (
            lambda g: jacobi_solve(np.array([[0.0, 1.0], [1.0, 1.0]]), np.ones(2)),
            r"system must have a non-zero diagonal for Jacobi; A\[0, 0\] = 0",
        ),
        (
            lambda g: jacobi_solve(np.ones((2, 3)), np.ones(2)),
            r"system must be a square matrix, got shape \(2, 3\)",
        ),
        (
            lambda g: jacobi_solve(
                implicit_system(g, 1.0, 1.0), np.ones(60), x0=np.ones((60, 2))
            ),
            r"x0 must have the shape of rhs \(60, 1\), got \(60, 2\)",
        ),
        (
            lambda g: diffuse_exact(
                g, np.ones(60), gamma=1.0, times=[1.0], method="fast"
            ),
            r"method must be one of 'auto', 'eig', 'expm'; got 'fast'",
        ),
    ],
)
def test_bad_diffusion_input(small_world, call, message):
    with pytest.raises(ValueError, match=message):
        call(small_world)


def _late_rate(times, states, window):
    """Decay rate of ||M - mean|| over a late time window (log-linear fit)."""
    deviation = states - states.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(deviation.reshape(len(times), -1), axis=1)
    inside = (times >= window[0]) & (times <= window[1])
    return -np.polyfit(times[inside], np.log(norms[inside]), 1)[0]


def test_no_warning_in_the_normal_case(small_world, rng):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        diffuse_implicit(small_world, rng.random(60), gamma=1.0, dt=0.1, n_steps=5)


def test_neighbour_mean_and_distance_from_uniform(small_world, rng):
    state = rng.random((small_world.n_nodes, 2))
    dense = small_world.to_dense()
    expected = dense @ state / dense.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(neighbour_mean(small_world, state), expected)
    # The Laplacian is d times (value - neighbour mean).
    np.testing.assert_allclose(
        laplacian(small_world) @ state,
        small_world.degrees[:, None] * (state - expected),
        atol=1e-12,
    )

    result = diffuse_exact(small_world, state, gamma=1.0, times=[0.0, 1.0, 5.0])
    distance = distance_from_uniform(result.states)
    assert distance.shape == (3, 2)
    assert np.all(np.diff(distance, axis=0) < 0)
    with pytest.raises(
        ValueError,
        match=r"states must have shape \(n_times, "
        r"n_nodes\)",
    ):
        distance_from_uniform(np.ones(4))


def test_float32_default_tolerance_is_reachable(small_world, rng):
    system = implicit_system(small_world, gamma=1.0, dt=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = jacobi_solve(system, rng.random(60).astype(np.float32))
    assert result.converged and result.residuals[-1] <= 1e-5
