"""Eigenmodes, projections, per-mode decay rates, fast and slow components."""

import numpy as np
import pytest

from neurorelax.graph import (
    Graph,
    diffuse_exact,
    diffuse_with_decay,
    eigenmodes,
    fast_slow_rates,
    fit_decay_rates,
    high_frequency_share,
    laplacian,
    mode_decay,
    mode_decay_rates,
    node_decay,
    project,
    reconstruct,
    split_fast_slow,
)


@pytest.mark.parametrize("kind", ["combinatorial", "symmetric", "random_walk"])
def test_eigenmodes_are_eigenpairs_and_duals_are_biorthogonal(small_world, kind):
    modes = eigenmodes(small_world, kind=kind)
    operator = laplacian(small_world, kind)
    np.testing.assert_allclose(
        operator @ modes.vectors, modes.vectors * modes.values, atol=1e-11
    )
    np.testing.assert_allclose(
        modes.dual.T @ modes.vectors, np.eye(small_world.n_nodes), atol=1e-11
    )
    assert np.all(np.diff(modes.values) >= 0) and abs(modes.values[0]) < 1e-12


def test_projection_round_trip(small_world, rng):
    modes = eigenmodes(small_world)
    state = rng.random((small_world.n_nodes, 3))
    amplitudes = project(state, modes)
    assert amplitudes.shape == (small_world.n_nodes, 3)
    np.testing.assert_allclose(reconstruct(amplitudes, modes), state, atol=1e-12)
    np.testing.assert_allclose(project(state[:, 0], modes), amplitudes[:, 0])


def test_partial_modes_by_lanczos_match_dense(small_world):
    full = eigenmodes(small_world)
    lowest = eigenmodes(small_world, 5)
    np.testing.assert_allclose(lowest.values, full.values[:5], atol=1e-12)
    assert not lowest.is_complete and full.is_complete


def test_fitted_mode_decay_rates_equal_gamma_lambda_k(small_world, rng):
    gamma = 0.3
    modes = eigenmodes(small_world)
    initial = rng.random(small_world.n_nodes)
    times = np.linspace(0.0, 4.0, 9)
    # expm_multiply is independent of the eigendecomposition being tested.
    result = diffuse_exact(
        small_world, initial, gamma=gamma, times=times, method="expm"
    )
    amplitudes = project(result.states.T, modes).T

    fitted = fit_decay_rates(times, amplitudes[:, 1:11])
    expected = mode_decay_rates(modes, gamma)[1:11]
    np.testing.assert_allclose(fitted, expected, rtol=1e-6)


def test_fit_decay_rates_recovers_known_exponentials():
    times = np.linspace(0, 2, 5)
    series = np.column_stack([3 * np.exp(-0.5 * times), -np.exp(-2.0 * times)])
    np.testing.assert_allclose(fit_decay_rates(times, series), [0.5, 2.0])


def test_high_frequency_share_falls_under_diffusion(small_world, rng):
    modes = eigenmodes(small_world)
    initial = rng.random(small_world.n_nodes)
    later = diffuse_exact(small_world, initial, gamma=1.0, times=[1.0]).final
    assert high_frequency_share(later, modes) < 0.1 * high_frequency_share(
        initial, modes
    )
    assert 0 <= high_frequency_share(initial, modes) <= 1


def test_node_decay_is_exponential_per_node():
    rates = np.array([0.0, 1.0, 2.0])
    result = node_decay(np.ones((3, 2)), rates, 1.5)
    np.testing.assert_allclose(result[:, 1], np.exp(-rates * 1.5))


def test_mode_decay_with_diffusion_rates_is_diffusion(small_world, rng):
    modes = eigenmodes(small_world)
    initial = rng.random(small_world.n_nodes)
    decayed = mode_decay(initial, modes, mode_decay_rates(modes, 0.7), 2.0)
    exact = diffuse_exact(small_world, initial, gamma=0.7, times=[2.0], method="expm")
    np.testing.assert_allclose(decayed, exact.final, atol=1e-10)


def test_fast_and_slow_components(small_world, rng):
    modes = eigenmodes(small_world)
    state = rng.random(small_world.n_nodes)
    slow, fast = split_fast_slow(state, modes, 5)
    np.testing.assert_allclose(slow + fast, state)
    np.testing.assert_allclose(project(fast, modes)[:5], 0, atol=1e-12)

    rates = fast_slow_rates(modes, 5, slow_rate=0.01, fast_rate=10.0)
    later = mode_decay(state, modes, rates, 1.0)
    np.testing.assert_allclose(
        later, slow * np.exp(-0.01) + fast * np.exp(-10.0), atol=1e-12
    )


def test_incomplete_modes_decay_the_remainder(small_world, rng):
    modes = eigenmodes(small_world, 3)
    state = rng.random(small_world.n_nodes)
    later = mode_decay(state, modes, [0.0, 0.0, 0.0], 1.0, remainder_rate=1.0)
    kept = reconstruct(project(state, modes), modes)
    np.testing.assert_allclose(later, kept + np.exp(-1.0) * (state - kept))


def test_diffusion_with_uniform_and_node_decay(small_world, rng):
    initial = rng.random(small_world.n_nodes)
    uniform = diffuse_with_decay(
        small_world, initial, gamma=0.5, times=[0.0, 2.0], node_rates=0.3
    )
    plain = diffuse_exact(small_world, initial, gamma=0.5, times=[2.0])
    np.testing.assert_allclose(uniform.final, np.exp(-0.6) * plain.final)

    per_node = diffuse_with_decay(
        small_world,
        initial,
        gamma=0.5,
        times=[2.0],
        node_rates=np.full(small_world.n_nodes, 0.3),
    )
    np.testing.assert_allclose(per_node.final, uniform.final, rtol=1e-10)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda g: eigenmodes(Graph(np.array([[0, 1.0], [2.0, 0]]), directed=True)),
            "graph must be undirected for eigenmodes",
        ),
        (
            lambda g: eigenmodes(g, 61),
            r"n_modes must be at most the node count 60, "
            r"got 61",
        ),
        (
            lambda g: project(np.ones(7), eigenmodes(g, 3)),
            r"state must have 60 rows, one per node",
        ),
        (
            lambda g: mode_decay_rates(eigenmodes(g, 3), -1.0),
            r"gamma must be a finite number > 0, got -1.0",
        ),
        (
            lambda g: node_decay(np.ones(3), [1.0, -1.0, 0.0], 1.0),
            r"rates must be non-negative; entry \(1,\) is",
        ),
        (
            lambda g: node_decay(np.ones(3), [1.0, 1.0], 1.0),
            r"rates must be a number or have shape \(3,\), one per node, got "
            r"shape \(2,\)",
        ),
        (
            lambda g: mode_decay(np.ones(60), eigenmodes(g, 3), [1.0, 1.0], 1.0),
            r"rates must have shape \(3,\), got shape \(2,\)",
        ),
        (
            lambda g: fast_slow_rates(
                eigenmodes(g, 3), 4, slow_rate=0.1, fast_rate=1.0
            ),
            r"n_slow must be at most the number of modes 3, got 4",
        ),
        (
            lambda g: fit_decay_rates([0, 1], np.ones((3, 2))),
            r"amplitudes must have 2 rows \(one per time\), got shape \(3, 2\)",
        ),
        (
            lambda g: fit_decay_rates([0, 1], np.ones((2, 2)), floor=np.nan),
            r"floor must be a finite number >= 0, got nan",
        ),
        (
            lambda g: fit_decay_rates([0, 1], np.ones((2, 2)), floor="x"),
            r"floor must be a finite number >= 0, got 'x'",
        ),
        (
            lambda g: diffuse_with_decay(
                g, np.ones(60), gamma=1.0, times=[1.0], node_rates=np.ones(5)
            ),
            r"node_rates must be a number or have shape \(60,\)",
        ),
    ],
)
def test_bad_spectral_input(small_world, call, message):
    with pytest.raises(ValueError, match=message):
        call(small_world)
