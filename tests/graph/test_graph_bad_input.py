"""Bad input to the graph-level entry points; each message pinned."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from neurorelax.graph import (
    Graph,
    diffuse_exact,
    diffuse_explicit,
    diffuse_implicit,
    divisive_normalization,
    eigenmodes,
    jacobi_solve,
    k_winners_take_all,
    mode_decay,
    project,
    settle,
)


@pytest.fixture
def ring():
    n = 6
    weights = np.zeros((n, n))
    for i in range(n):
        weights[i, (i + 1) % n] = weights[(i + 1) % n, i] = 1.0
    return Graph(weights)


@pytest.mark.parametrize("n_threads", [10**6, -1, 1.5])
def test_n_threads_is_checked_before_the_kernel(ring, n_threads):
    # 10**6 used to crash the interpreter (segmentation fault) in OpenMP.
    with pytest.raises(ValueError, match=r"n_threads must be (an integer|at most)"):
        diffuse_implicit(
            ring, np.ones(6), gamma=1.0, dt=0.1, n_steps=1, n_threads=n_threads
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda g: diffuse_explicit(
            g, np.ones(6), gamma=1.0, dt=0.1, n_steps=1, n_threads=10**6
        ),
        lambda g: jacobi_solve(np.eye(3), np.ones(3), n_threads=10**6),
        lambda g: divisive_normalization(np.ones(6), g, n_threads=10**6),
        lambda g: settle(np.ones(6), np.ones((6, 6)) - np.eye(6), n_threads=10**6),
    ],
)
def test_every_kernel_entry_point_caps_n_threads(ring, call):
    with pytest.raises(ValueError, match=r"n_threads must be at most \d+ \(4 per CPU"):
        call(ring)


@pytest.mark.parametrize(
    "weights",
    [np.array([[0, 1j], [1j, 0]]), sp.csr_array(np.array([[0, 1j], [1j, 0]]))],
)
def test_complex_weights_are_refused_not_truncated(weights):
    # The imaginary part used to be dropped: a graph with 0 edges.
    with pytest.raises(ValueError, match=r"weights must be real, got complex values"):
        Graph(weights)


def test_complex_state_and_system_are_refused(ring):
    with pytest.raises(ValueError, match=r"initial must be real"):
        diffuse_exact(ring, np.ones(6) * 1j, gamma=1.0, times=[0.0, 1.0])
    with pytest.raises(ValueError, match=r"system must be real"):
        jacobi_solve(np.array([[1.0, 1j], [0.0, 1.0]]), np.ones(2))


def test_directed_must_be_a_bool():
    with pytest.raises(ValueError, match=r"directed must be True or False, got 'no'"):
        Graph(np.array([[0.0, 1.0], [0.0, 0.0]]), directed="no")


def test_empty_networkx_graph():
    with pytest.raises(ValueError, match=r"nx_graph must have at least one node"):
        Graph(nx.Graph())


def test_networkx_weight_that_is_not_a_number():
    with pytest.raises(ValueError, match=r"edge attribute 'weight' must hold numbers"):
        Graph(nx.Graph([(0, 1, {"weight": "strong"})]))


def test_jacobi_divergence_raises_instead_of_returning_nan():
    # Not diagonally dominant: the iterates grow until they overflow.
    with pytest.raises(ValueError, match=r"Jacobi iteration diverged.*radius >= 1"):
        jacobi_solve(np.array([[1.0, 3.0], [3.0, 1.0]]), np.ones(2), max_iter=5000)


@pytest.mark.parametrize(
    "call",
    [
        lambda: k_winners_take_all(np.array([]), 1),
        lambda: divisive_normalization(np.array([])),
    ],
)
def test_empty_activation(call):
    with pytest.raises(ValueError, match=r"activation must hold at least one node"):
        call()


def test_modes_must_be_eigenmodes(ring):
    with pytest.raises(TypeError, match=r"modes must be an Eigenmodes object"):
        project(np.ones(6), np.eye(6))
    with pytest.raises(TypeError, match=r"modes must be an Eigenmodes object"):
        mode_decay(np.ones(6), eigenmodes(ring).vectors, np.ones(6), 1.0)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([[0, 1], [1]], r"weights must be an array of real numbers; could not"),
        (np.zeros((0, 0)), r"weights must have at least one node, got shape \(0, 0\)"),
        (
            np.array([[0, 1e308, 1e308], [1e308, 0, 0], [1e308, 0, 0]]),
            r"weights: the sum of a node's weights overflows float64",
        ),
    ],
)
def test_degenerate_weights_are_refused(weights, message):
    with pytest.raises(ValueError, match=message):
        Graph(weights)


def test_implicit_step_that_overflows_is_refused(ring):
    from neurorelax.graph import implicit_system

    with pytest.raises(ValueError, match=r"gamma \* dt must be finite"):
        implicit_system(ring, gamma=1e300, dt=1e300)
