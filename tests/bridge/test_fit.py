"""Fitting the graph-level model: recovery of known parameters."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from neurorelax.bridge.fit import fit_graph_model, simulate_graph_model


def ring_laplacian(n):
    weights = np.zeros((n, n))
    for i in range(n):
        weights[i, (i + 1) % n] = weights[(i + 1) % n, i] = 1.0
    return np.diag(weights.sum(axis=1)) - weights


def synthetic(laplacian, gamma, decay, gain, nodes, dt=1e-3, steps=300):
    """Activity of dM/dt = -gamma L M - decay M + gain u, by solve_ivp."""
    n = laplacian.shape[0]
    inputs = np.zeros((len(nodes), n, steps))
    runs = []
    for s, node in enumerate(nodes):
        inputs[s, node, 50:120] = 1.0

        def rhs(t, m, node=node):
            drive = np.zeros(n)
            drive[node] = 1.0 if 0.05 <= t < 0.12 else 0.0
            return -gamma * laplacian @ m - decay * m + gain * drive

        solution = solve_ivp(
            rhs,
            (0, steps * dt),
            np.zeros(n),
            t_eval=np.arange(steps) * dt,
            rtol=1e-10,
            atol=1e-12,
            max_step=dt,
        )
        runs.append(solution.y)
    return inputs, np.array(runs)


def test_fit_recovers_gamma_decay_and_gain_within_2_percent():
    laplacian = ring_laplacian(8)
    inputs, measured = synthetic(laplacian, 30.0, 15.0, 200.0, [0, 3])
    rng = np.random.default_rng(0)
    noisy = measured + rng.normal(0, 0.01 * measured.std(), measured.shape)

    fit = fit_graph_model(laplacian, inputs, noisy, 1e-3)

    assert fit.params["gamma"] == pytest.approx(30.0, rel=0.02)
    assert fit.params["decay"] == pytest.approx(15.0, rel=0.02)
    assert fit.params["gain"] == pytest.approx(200.0, rel=0.02)
    assert fit.r_squared > 0.99


def test_prediction_of_a_held_out_stimulus_matches():
    laplacian = ring_laplacian(8)
    inputs, measured = synthetic(laplacian, 30.0, 15.0, 200.0, [0, 3, 5])
    fit = fit_graph_model(laplacian, inputs[:2], measured[:2], 1e-3)
    predicted = simulate_graph_model(
        fit.params, laplacian, inputs[2:], measured[2:, :, 0], 1e-3
    )
    assert np.allclose(predicted, measured[2:], atol=1e-6 * measured.max())


def test_strength_leak_turns_diffusion_into_a_rate_model():
    # eta = -gamma: dM/dt = gamma W M - decay M + gain u
    laplacian = ring_laplacian(6)
    weights = np.diag(np.diag(laplacian)) - laplacian
    params = {"gamma": 10.0, "decay": 40.0, "gain": 5.0, "eta": -10.0}
    inputs = np.zeros((1, 6, 100))
    inputs[0, 2, :] = 1.0
    out = simulate_graph_model(params, laplacian, inputs, np.zeros((1, 6)), 1e-3)
    steady = np.linalg.solve(40.0 * np.eye(6) - 10.0 * weights, 5.0 * np.eye(6)[2])
    late = simulate_graph_model(
        params, laplacian, np.repeat(inputs, 20, axis=2), np.zeros((1, 6)), 1e-3
    )[0, :, -1]
    assert np.allclose(late, steady, rtol=1e-6)
    assert out[0, 2, 1] > 0


def test_saturating_model_approaches_the_linear_one_for_large_m_sat():
    laplacian = ring_laplacian(5)
    inputs = np.zeros((1, 5, 200))
    inputs[0, 0, 20:80] = 1.0
    params = {"gamma": 20.0, "decay": 10.0, "gain": 100.0}
    linear = simulate_graph_model(params, laplacian, inputs, np.zeros((1, 5)), 1e-3)
    saturating = simulate_graph_model(
        {**params, "m_sat": 1e6},
        laplacian,
        inputs,
        np.zeros((1, 5)),
        1e-3,
        nonlinearity="saturating",
    )
    assert np.allclose(saturating, linear, atol=0.02 * linear.max())


def test_fit_with_saturation_recovers_its_parameters():
    laplacian = ring_laplacian(6)
    params = {"gamma": 25.0, "decay": 20.0, "gain": 300.0, "m_sat": 3.0}
    inputs = np.zeros((2, 6, 250))
    inputs[0, 0, 30:100] = 1.0
    inputs[1, 3, 30:100] = 1.0
    measured = simulate_graph_model(
        params, laplacian, inputs, np.zeros((2, 6)), 1e-3, nonlinearity="saturating"
    )
    fit = fit_graph_model(
        laplacian,
        inputs,
        measured,
        1e-3,
        free=("gamma", "decay", "gain", "m_sat"),
        nonlinearity="saturating",
    )
    for name, value in params.items():
        assert fit.params[name] == pytest.approx(value, rel=0.02)


def test_a_run_too_short_to_fit_is_refused():
    laplacian = ring_laplacian(4)
    with pytest.raises(ValueError, match="measured must have at least 9 steps"):
        fit_graph_model(laplacian, np.zeros((1, 4, 5)), np.zeros((1, 4, 5)), 1e-3)


def test_m_sat_without_a_nonlinearity_is_refused():
    laplacian = ring_laplacian(4)
    with pytest.raises(ValueError, match="free may hold 'm_sat' only with"):
        fit_graph_model(
            laplacian,
            np.zeros((1, 4, 50)),
            np.zeros((1, 4, 50)),
            1e-3,
            free=("gamma", "m_sat"),
        )


def test_mismatched_shapes_are_refused():
    laplacian = ring_laplacian(4)
    with pytest.raises(ValueError, match="inputs must have the shape of"):
        fit_graph_model(laplacian, np.zeros((1, 4, 40)), np.zeros((1, 4, 50)), 1e-3)


def test_fit_recovers_the_graph_levels_own_relaxation():
    # free relaxation computed by neurorelax.graph (exact exponential), on a
    # ring with random weights, from three random initial patterns
    from neurorelax.connectome import generators
    from neurorelax.graph import diffuse_with_decay, laplacian

    graph = generators.ring(8, weight=(0.5, 1.5), seed=4)
    initial = np.random.default_rng(0).normal(size=(8, 3))
    times = np.arange(200) * 1e-3
    trajectory = diffuse_with_decay(
        graph, initial, gamma=30.0, times=times, node_rates=15.0
    )
    measured = np.transpose(trajectory.states, (2, 1, 0))

    fit = fit_graph_model(
        laplacian(graph).toarray(),
        np.zeros_like(measured),
        measured,
        1e-3,
        free=("gamma", "decay"),
    )

    assert fit.params["gamma"] == pytest.approx(30.0, rel=0.02)
    assert fit.params["decay"] == pytest.approx(15.0, rel=0.02)
