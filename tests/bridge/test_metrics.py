"""Comparison metrics."""

import numpy as np
import pytest

from neurorelax.bridge.metrics import (
    graph_modes,
    mode_relaxation_times,
    node_correlations,
    pearson_offdiagonal,
    r_squared,
)


def test_r_squared_of_a_perfect_and_of_a_mean_prediction():
    measured = np.array([1.0, 3.0, 2.0, 6.0])
    assert r_squared(measured, measured) == 1.0
    assert r_squared(np.full(4, measured.mean()), measured) == pytest.approx(0.0)


def test_node_correlations_per_node():
    t = np.linspace(0, 1, 50)
    measured = np.stack([np.sin(5 * t), t, np.ones_like(t)])[None]
    predicted = np.stack([np.sin(5 * t), -t, t])[None]
    result = node_correlations(predicted, measured)
    assert result[0] == pytest.approx(1.0)
    assert result[1] == pytest.approx(-1.0)
    assert np.isnan(result[2])


def test_pearson_ignores_the_diagonal():
    first = np.array([[100.0, 1.0], [2.0, -5.0]])
    second = np.array([[0.0, 2.0], [4.0, 9.0]])
    assert pearson_offdiagonal(first, second) == pytest.approx(1.0)


def test_mode_relaxation_times_of_known_exponentials():
    n = 6
    weights = np.zeros((n, n))
    for i in range(n):
        weights[i, (i + 1) % n] = weights[(i + 1) % n, i] = 1.0
    laplacian = np.diag(weights.sum(axis=1)) - weights
    eigenvalues, modes = graph_modes(laplacian)
    gamma, decay, dt = 20.0, 5.0, 1e-3
    t = np.arange(200) * dt
    rng = np.random.default_rng(0)
    amplitudes = rng.normal(size=(3, n))
    activation = np.einsum(
        "nk,sk,kt->snt",
        modes,
        amplitudes,
        np.exp(-np.outer(gamma * eigenvalues + decay, t)),
    )

    taus, _ = mode_relaxation_times(activation, modes, dt, 0, 200, n_modes=4)

    assert taus == pytest.approx(1 / (gamma * eigenvalues[:4] + decay), rel=1e-3)
