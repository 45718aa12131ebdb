"""Regression tests for defects found in review: crashes, hangs, silent NaN."""

import time
import warnings

import numpy as np
import pytest
import scipy.linalg
import scipy.sparse as sp

from neurorelax.graph import (
    Graph,
    diffuse_exact,
    divisive_normalization,
    eigenmodes,
    jacobi_solve,
    k_winners_take_all,
    mode_decay,
    settle,
)
from neurorelax.graph.decay import diffuse_with_decay, node_decay
from neurorelax.graph.diffusion import LinearSystem, distance_from_uniform
from neurorelax.graph.laplacian import laplacian
from neurorelax.graph.replay import RestSchedule, simulate_replay


def bad_csr():
    """A CSR array whose column index 10**6 lies far outside its 3 columns."""
    return sp.csr_array(
        (
            np.array([1.0, 1.0]),
            np.array([1, 10**6], dtype=np.int32),
            np.array([0, 1, 2, 2]),
        ),
        shape=(3, 3),
    )


def ring_graph(n, directed=False):
    forward = sp.csr_array(
        (np.ones(n), (np.arange(n), (np.arange(n) + 1) % n)), shape=(n, n)
    )
    return Graph(forward if directed else forward + forward.T, directed=directed)


@pytest.fixture
def ring6():
    return ring_graph(6)


# Malformed sparse structure (used to crash the interpreter) ----------------------


@pytest.mark.parametrize("matrix", [bad_csr(), bad_csr().T])
def test_graph_refuses_malformed_sparse_weights(matrix):
    with pytest.raises(ValueError, match=r"weights has a malformed sparse structure"):
        Graph(matrix, directed=True)


def test_linear_system_refuses_malformed_offdiag():
    with pytest.raises(ValueError, match=r"offdiag has a malformed sparse structure"):
        LinearSystem(diagonal=np.ones(3) * 3, offdiag=bad_csr())


def test_jacobi_solve_refuses_malformed_sparse_system():
    with pytest.raises(ValueError, match=r"system has a malformed sparse structure"):
        jacobi_solve(bad_csr(), np.ones(3))


def test_linear_system_accepts_lists_and_any_sparse_format():
    offdiag = sp.coo_array(-(np.ones((3, 3)) - np.eye(3)))
    system = LinearSystem(diagonal=[3, 3, 3], offdiag=offdiag)
    assert isinstance(system.diagonal, np.ndarray)
    assert system.offdiag.format == "csr"
    result = jacobi_solve(system, np.ones(3))
    np.testing.assert_allclose(result.solution, np.ones(3))


@pytest.mark.parametrize(
    ("diagonal", "offdiag", "message"),
    [
        (np.zeros(3), sp.csr_array((3, 3)), r"diagonal must be non-zero.*entry 0"),
        ([1.0, np.nan, 1.0], sp.csr_array((3, 3)), r"diagonal must contain only"),
        (np.ones((3, 1)), sp.csr_array((3, 3)), r"diagonal must have 1 dim"),
        (np.ones(3), sp.csr_array((2, 2)), r"offdiag must have shape \(3, 3\)"),
        (np.ones(2), sp.csr_array([[0, np.inf], [1, 0]]), r"offdiag \(stored"),
        (np.ones(2), sp.csr_array([[0, 1j], [1, 0]]), r"offdiag must be real"),
        (np.ones(2), sp.eye_array(2), r"offdiag must have no diagonal entries"),
    ],
)
def test_linear_system_is_validated(diagonal, offdiag, message):
    with pytest.raises(ValueError, match=message):
        LinearSystem(diagonal=diagonal, offdiag=offdiag)


# Exact diffusion with a large gamma * t * ||L|| (used to run for minutes) --------


def test_diffuse_exact_with_huge_times_is_fast_and_exact():
    graph = Graph(np.roll(np.eye(5), 1, 1), directed=True)
    initial = np.arange(5.0)
    start = time.perf_counter()
    for method in ("auto", "expm"):
        out = diffuse_exact(graph, initial, gamma=1, times=[0, 1e5, 1e7], method=method)
        np.testing.assert_allclose(out.states[1:], 2.0, atol=1e-10)
    assert time.perf_counter() - start < 20  # a hang guard


def test_diffuse_exact_dense_and_sparse_paths_agree():
    graph = Graph(np.roll(np.eye(5), 1, 1), directed=True)
    times = np.linspace(0, 80, 41)  # steps of ||dt L||_1 = 4 and (at once) 160
    initial = np.arange(5.0)
    dense = laplacian(graph).toarray()
    reference = np.array([scipy.linalg.expm(-t * dense) @ initial for t in times])
    out = diffuse_exact(graph, initial, gamma=1, times=times)
    np.testing.assert_allclose(out.states, reference, atol=1e-12)
    jump = diffuse_exact(graph, initial, gamma=1, times=[0, 80])
    np.testing.assert_allclose(jump.final, reference[-1], atol=1e-12)


def test_diffuse_with_decay_with_large_node_rate_is_fast(ring6):
    start = time.perf_counter()
    rates = np.array([1e6, 0, 0, 0, 0, 0])
    out = diffuse_with_decay(ring6, np.ones(6), gamma=1, times=[0, 1], node_rates=rates)
    assert time.perf_counter() - start < 20  # a hang guard
    generator = laplacian(ring6).toarray() + np.diag(rates)
    np.testing.assert_allclose(
        out.final, scipy.linalg.expm(-generator) @ np.ones(6), atol=1e-12
    )


def test_diffuse_exact_refuses_hopeless_expm_above_dense_limit():
    graph = ring_graph(2001, directed=True)
    with pytest.raises(ValueError, match=r"too large .* Use diffuse_implicit"):
        diffuse_exact(graph, np.ones(2001), gamma=1, times=[0, 1e6])


def test_diffuse_exact_refuses_non_finite_gamma_t(ring6):
    with pytest.raises(ValueError, match=r"gamma \* t must be finite"):
        diffuse_exact(ring6, np.ones(6), gamma=1e308, times=[0, 1e10], method="expm")


# Graph construction ----------------------------------------------------------------


def test_symmetrisation_does_not_overflow():
    graph = Graph(np.array([[0, 1e308], [1e308, 0]]))
    assert graph.weights.data.tolist() == [1e308, 1e308]


def test_huge_python_int_is_refused_with_the_argument_name():
    with pytest.raises(ValueError, match=r"weights must be an array of real numbers"):
        Graph([[0, 10**400], [10**400, 0]])


@pytest.mark.parametrize(
    "weights",
    [
        np.array([[0, 1], [1, 0]], dtype="datetime64[s]"),
        np.array([[0, 1], [1, 0]], dtype="timedelta64[s]"),
        np.array([["0", "1"], ["1", "0"]]),
        np.array([[0, "1"], [1, 0]], dtype=object),
    ],
)
def test_graph_refuses_non_numeric_dtypes(weights):
    with pytest.raises(ValueError, match=r"weights must be an array of real numbers"):
        Graph(weights)


def test_graph_refuses_masked_entries():
    masked = np.ma.array([[0, 1.0], [1.0, 0]], mask=[[0, 1], [0, 0]])
    with pytest.raises(ValueError, match=r"weights .* masked array"):
        Graph(masked)


def test_complex_sparse_weights_are_refused():
    weights = np.ones((3, 3)) - np.eye(3)
    with pytest.raises(ValueError, match=r"weights must be real"):
        Graph(sp.csr_array(weights * (1 + 1j)))
    with pytest.raises(ValueError, match=r"weights must be real"):
        settle(np.ones(3), sp.csr_array(weights * (1 + 1j)))


def test_settle_refuses_empty_input():
    with pytest.raises(ValueError, match=r"weights must have at least one node"):
        settle(np.zeros(0), np.zeros((0, 0)))


def test_settle_refuses_malformed_sparse_weights():
    with pytest.raises(ValueError, match=r"weights has a malformed sparse"):
        settle(np.ones(3), bad_csr())


# Normalization ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sigma", "word"), [(1e-200, "underflows to 0"), (1e200, "overflows")]
)
def test_divisive_normalization_refuses_sigma_power_out_of_range(sigma, word):
    with pytest.raises(ValueError, match=rf"sigma \*\* exponent .*{word}"):
        divisive_normalization([0, 1, 0], sigma=sigma, exponent=2)


@pytest.mark.parametrize("with_graph", [False, True])
def test_divisive_normalization_refuses_overflowing_drive(ring6, with_graph):
    graph = ring6 if with_graph else None
    activation = np.zeros(6)
    activation[1] = 1e200
    with pytest.raises(ValueError, match=r"activation \*\* exponent overflows"):
        divisive_normalization(activation, graph, exponent=2)


def test_divisive_normalization_tiny_sigma_in_float32_stays_finite():
    out = divisive_normalization(
        np.array([0, 1, 0], dtype=np.float32), sigma=1e-30, exponent=2
    )
    assert out.dtype == np.float32
    assert np.isfinite(out).all()


def test_k_winners_take_all_requires_a_bool_binary():
    with pytest.raises(ValueError, match=r"binary must be True or False, got 'no'"):
        k_winners_take_all([0.2, 0.9, 0.5], 1, binary="no")


@pytest.mark.parametrize(
    "call",
    [
        lambda: node_decay([[1.0], [1.0, 2.0]], 1.0, 1.0),
        lambda: divisive_normalization([[1.0], [1.0, 2.0]]),
        lambda: k_winners_take_all([[1.0], [1.0, 2.0]], 1),
    ],
)
def test_ragged_activation_is_refused_by_name(call):
    with pytest.raises(ValueError, match=r"(state|activation) must be an array"):
        call()


# Decay and analysis ----------------------------------------------------------------


@pytest.mark.parametrize("rate", [[], "1", [1.0]])
def test_mode_decay_requires_a_scalar_remainder_rate(ring6, rate):
    modes = eigenmodes(ring6, 2)
    with pytest.raises(ValueError, match=r"remainder_rate must be a finite number"):
        mode_decay(np.ones(6), modes, [0.0, 1.0], 1.0, remainder_rate=rate)


def test_mode_decay_accepts_zero_remainder_rate(ring6):
    modes = eigenmodes(ring6, 2)
    state = np.arange(6.0)
    out = mode_decay(state, modes, [0.0, 0.0], 1.0, remainder_rate=0)
    np.testing.assert_allclose(out, state)


@pytest.mark.parametrize(
    ("states", "message"),
    [
        ("abc", r"states must be an array of real numbers"),
        (np.ones((2, 3)) * 1j, r"states must be real"),
        ([[1.0, np.nan], [1.0, 1.0]], r"states must contain only finite"),
    ],
)
def test_distance_from_uniform_validates_states(states, message):
    with pytest.raises(ValueError, match=message):
        distance_from_uniform(states)


# Eigenmodes and replay ---------------------------------------------------------------


def test_eigenmodes_refuses_all_modes_above_dense_limit():
    with pytest.raises(ValueError, match=r"n_modes must be less than the node count"):
        eigenmodes(ring_graph(2001), 2001)


def replay(**keywords):
    graph = ring_graph(6)
    patterns = np.zeros((6, 1))
    patterns[:3, 0] = 1.0
    arguments = dict(
        gamma=1.0,
        decay_rate=0.1,
        duration=1.0,
        dt=0.1,
        replay_rate=0.5,
        schedule=RestSchedule(period=1.0, duration=0.5),
    )
    arguments.update(keywords)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return simulate_replay(graph, patterns, **arguments)


@pytest.mark.parametrize(
    ("duration", "dt", "message"),
    [
        (1.0, 5.0, r"dt must be at most duration"),
        (1.0, 0.3, r"duration must be a whole number of steps"),
        (1e300, 1e-300, r"too many"),
    ],
)
def test_replay_refuses_bad_step_counts(duration, dt, message):
    with pytest.raises(ValueError, match=message):
        replay(duration=duration, dt=dt)


def test_replay_ends_at_duration():
    result = replay(duration=1.0, dt=0.1)
    assert result.times[-1] == pytest.approx(1.0)
