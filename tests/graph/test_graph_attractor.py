"""Hopfield settling completes corrupted cues; the energy never increases."""

import numpy as np
import pytest

from neurorelax.graph import (
    Graph,
    corrupt,
    energy,
    hebbian_weights,
    settle,
)
from neurorelax.graph.reference import hopfield_sweep


@pytest.fixture(scope="module")
def stored():
    rng = np.random.default_rng(7)
    patterns = np.sign(rng.standard_normal((200, 5)))
    return patterns, hebbian_weights(patterns)


@pytest.mark.parametrize("which", range(5))
def test_thirty_percent_corrupted_cue_is_completed(stored, which):
    patterns, weights = stored
    cue = corrupt(patterns[:, which], 0.3, seed=which)
    assert np.mean(cue == patterns[:, which]) == pytest.approx(0.7)

    result = settle(cue, weights, patterns=patterns, seed=which)

    assert result.converged
    assert result.overlaps[-1, which] >= 0.95
    assert np.all(np.diff(result.energies) <= 1e-12)
    assert result.energies[-1] < result.energies[0]


def test_energy_never_increases_for_many_cues_in_parallel(stored):
    patterns, weights = stored
    rng = np.random.default_rng(8)
    cues = np.sign(rng.standard_normal((200, 16)))
    result = settle(cues, weights, patterns=patterns, n_threads=2)
    assert result.energies.shape[1] == 16
    assert np.all(np.diff(result.energies, axis=0) <= 1e-12)
    assert result.overlaps.shape == (result.n_sweeps + 1, 5, 16)


def test_settle_matches_pure_python_sweeps(stored):
    patterns, weights = stored
    cue = corrupt(patterns[:, 0], 0.4, seed=3)
    result = settle(cue, weights, seed=11, max_sweeps=2)
    rng = np.random.default_rng(11)
    state = cue
    for _ in range(result.n_sweeps):
        state, _ = hopfield_sweep(weights, np.zeros(200), rng.permutation(200), state)
    np.testing.assert_array_equal(result.states, state)


def test_energy_formula(stored):
    patterns, weights = stored
    s = patterns[:, 0]
    dense = weights.toarray()
    assert energy(s, weights) == pytest.approx(-0.5 * s @ dense @ s)
    theta = np.linspace(-1, 1, 200)
    assert energy(s, weights, theta) == pytest.approx(-0.5 * s @ dense @ s + theta @ s)


def test_graph_restricted_weights_keep_only_edges():
    rng = np.random.default_rng(9)
    patterns = np.sign(rng.standard_normal((30, 2)))
    ring = Graph(np.roll(np.eye(30), 1, axis=1) + np.roll(np.eye(30), -1, axis=1))
    weights = hebbian_weights(patterns, ring).toarray()
    assert np.all((weights != 0) <= (ring.to_dense() > 0))
    np.testing.assert_allclose(weights, weights.T)


def test_cue_is_not_mutated(stored):
    patterns, weights = stored
    cue = corrupt(patterns[:, 1], 0.3, seed=1)
    before = cue.copy()
    settle(cue, weights)
    np.testing.assert_array_equal(cue, before)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda p, w: settle(np.zeros(200), w),
            r"cues must contain only \+1 and -1; entry \(0,\) is 0.0",
        ),
        (
            lambda p, w: settle(np.ones(10), w),
            r"cues must have 200 rows \(one per node\), got shape \(10,\)",
        ),
        (
            lambda p, w: settle(p[:, 0], w.toarray() + np.eye(200)),
            r"weights must have a zero diagonal",
        ),
        (
            lambda p, w: settle(p[:, 0], np.triu(w.toarray())),
            r"weights must be symmetric \(W = W.T\)",
        ),
        (
            lambda p, w: settle(p[:, 0], w, patterns=p[:10]),
            r"patterns must have 200 rows \(one per node\)",
        ),
        (
            lambda p, w: settle(p[:, 0], w, max_sweeps=0),
            r"max_sweeps must be an integer >= 1, got 0",
        ),
        (
            lambda p, w: corrupt(p[:, 0], 1.5),
            r"fraction must be a finite number in \[0.0, 1.0\], got 1.5",
        ),
        (
            lambda p, w: hebbian_weights(p * 0.5),
            r"patterns must contain only \+1 and -1; entry \(0, 0\) is",
        ),
        (
            lambda p, w: energy(p[:, 0], w, thresholds=np.ones(3)),
            r"thresholds must have shape \(200,\), got shape \(3,\)",
        ),
    ],
)
def test_bad_attractor_input(stored, call, message):
    patterns, weights = stored
    with pytest.raises(ValueError, match=message):
        call(patterns, weights)
