"""Extreme inputs at the graph level: long times, huge rates, overflow, caps."""

import re
import warnings

import networkx as nx
import numpy as np
import pytest
import scipy.linalg

from neurorelax.connectome import load
from neurorelax.connectome.generators import ring, stochastic_block
from neurorelax.graph import (
    Graph,
    diffuse_exact,
    diffuse_explicit,
    diffuse_implicit,
    diffuse_with_decay,
    eigenmodes,
    energy,
    fit_decay_rates,
    implicit_system,
    jacobi_iteration_radius,
    jacobi_solve,
    laplacian,
    settle,
    simulate_replay,
)
from neurorelax.graph.replay import RestSchedule

LONG = [(1.0, 1e6), (1.0, 1e10), (1.0, 1e14), (1.0, 1e300), (1e308, 0.5)]
HUGE = [(1.0, 1e14), (1.0, 1e300), (1e308, 0.5)]


def path3():
    return Graph(np.array([[0.0, 1, 0], [1, 0, 2], [0, 2, 0]]))


def two_blocks():
    """A random weighted graph of two connected components (6 and 5 nodes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the several-components GraphWarning
        graph = stochastic_block([6, 5], 0.7, 0.0, seed=3, weight=(0.5, 2.0))
    assert [c.size for c in graph.components()] == [6, 5]
    return graph


GRAPHS = {"path3": path3, "ring8": lambda: ring(8), "two_blocks": two_blocks}


def initial_state(graph):
    return np.random.default_rng(7).uniform(0.0, 2.0, graph.n_nodes)


def per_component(graph, values):
    return np.array([values[nodes].sum() for nodes in graph.components()])


# 1. diffuse_exact at long times ---------------------------------------------------


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("method", ["eig", "expm"])
@pytest.mark.parametrize(("gamma", "time"), LONG)
def test_combinatorial_diffusion_conserves_each_components_total(
    name, method, gamma, time
):
    graph = GRAPHS[name]()
    initial = initial_state(graph)
    out = diffuse_exact(graph, initial, gamma=gamma, times=[0, time], method=method)
    np.testing.assert_allclose(
        per_component(graph, out.final), per_component(graph, initial), rtol=1e-9
    )


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("method", ["eig", "expm"])
@pytest.mark.parametrize(("gamma", "time"), HUGE)
def test_combinatorial_diffusion_ends_at_each_components_mean(
    name, method, gamma, time
):
    graph = GRAPHS[name]()
    initial = initial_state(graph)
    out = diffuse_exact(graph, initial, gamma=gamma, times=[0, time], method=method)
    expected = np.empty(graph.n_nodes)
    for nodes in graph.components():
        expected[nodes] = initial[nodes].mean()
    np.testing.assert_allclose(out.final, expected, rtol=1e-9)


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("method", ["eig", "expm"])
@pytest.mark.parametrize(("gamma", "time"), HUGE)
def test_normalised_diffusion_ends_at_its_own_stationary_state(
    name, method, gamma, time
):
    graph = GRAPHS[name]()
    initial = initial_state(graph)
    degrees = graph.degrees
    walk = np.empty(graph.n_nodes)
    symmetric = np.empty(graph.n_nodes)
    for nodes in graph.components():
        d = degrees[nodes]
        # random walk: a constant, the degree-weighted mean (sum d M conserved)
        walk[nodes] = d @ initial[nodes] / d.sum()
        # symmetric: sqrt(d) times sum sqrt(d) M / sum d (sum sqrt(d) M conserved)
        symmetric[nodes] = np.sqrt(d) * (np.sqrt(d) @ initial[nodes]) / d.sum()
    for kind, expected in (("random_walk", walk), ("symmetric", symmetric)):
        out = diffuse_exact(
            graph, initial, gamma=gamma, times=[0, time], kind=kind, method=method
        )
        np.testing.assert_allclose(out.final, expected, rtol=1e-9)


@pytest.mark.parametrize("method", ["eig", "expm"])
def test_default_connectome_keeps_its_total_at_long_times(method):
    graph = load("default")
    initial = initial_state(graph)
    out = diffuse_exact(graph, initial, gamma=1, times=[0, 1e6, 1e16], method=method)
    np.testing.assert_allclose(out.states.sum(axis=1), initial.sum(), rtol=1e-9)


def test_isolated_node_keeps_its_value_at_long_times():
    weights = np.zeros((4, 4))
    weights[0, 1] = weights[1, 0] = weights[1, 2] = weights[2, 1] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = Graph(weights)
    initial = np.array([3.0, 0.0, 0.0, 5.0])
    for kind in ("combinatorial", "symmetric", "random_walk"):
        for method in ("eig", "expm"):
            out = diffuse_exact(
                graph, initial, gamma=1, times=[0, 1e300], kind=kind, method=method
            )
            assert out.final[3] == pytest.approx(5.0, rel=1e-12)


@pytest.mark.parametrize("kind", ["combinatorial", "symmetric", "random_walk"])
def test_directed_graph_at_long_times_reaches_the_limit_of_expm(kind):
    # 0 -> 1 -> 2 (a sink) <- 3 <-> 4: every node ends pulled to node 2.
    weights = np.zeros((5, 5))
    weights[0, 1], weights[1, 2], weights[3, 2] = 1.0, 2.0, 1.0
    weights[3, 4], weights[4, 3] = 1.0, 0.5
    graph = Graph(weights, directed=True)
    initial = np.arange(1.0, 6.0)
    # exp(-t L) has converged to rounding by t = 200 (slowest rate >= 0.5).
    limit = scipy.linalg.expm(-200.0 * laplacian(graph, kind).toarray()) @ initial
    for time in (1e7, 1e14, 1e300):
        out = diffuse_exact(graph, initial, gamma=1, times=[0, time], kind=kind)
        np.testing.assert_allclose(out.final, limit, rtol=1e-9, atol=1e-12)


def test_eigenmodes_give_exact_zero_eigenvalues_one_per_component():
    graph = two_blocks()
    for kind in ("combinatorial", "symmetric", "random_walk"):
        modes = eigenmodes(graph, kind=kind)
        assert modes.values[:2].tolist() == [0.0, 0.0]
        assert modes.values[2] > 1e-3
        np.testing.assert_allclose(modes.dual.T @ modes.vectors, np.eye(11), atol=1e-12)
    modes = eigenmodes(path3())
    np.testing.assert_allclose(modes.vectors[:, 0], np.full(3, 1 / np.sqrt(3)))
    assert modes.values[0] == 0.0


@pytest.mark.parametrize("time", [1e6, 1e14, 1e300])
def test_diffuse_with_decay_at_long_times_is_finite_and_correct(time):
    graph = two_blocks()
    initial = initial_state(graph)
    first, second = graph.components()
    for rates in (0.0, 0.5):
        out = diffuse_with_decay(
            graph, initial, gamma=1, times=[0, time], node_rates=rates
        )
        expected = np.zeros(graph.n_nodes)
        if rates == 0.0:
            expected[first] = initial[first].mean()
            expected[second] = initial[second].mean()
        np.testing.assert_allclose(out.final, expected, rtol=1e-9, atol=1e-300)
    # Decay on the second component only: the first keeps its mean.
    rates = np.zeros(graph.n_nodes)
    rates[second] = np.linspace(0.1, 1.0, second.size)
    out = diffuse_with_decay(graph, initial, gamma=1, times=[0, time], node_rates=rates)
    expected = np.zeros(graph.n_nodes)
    expected[first] = initial[first].mean()
    np.testing.assert_allclose(out.final, expected, rtol=1e-9, atol=1e-300)


def test_diffuse_with_decay_takes_a_huge_gamma_with_node_rates():
    graph = ring(8)
    rates = np.r_[1e-290, np.zeros(7)]
    out = diffuse_with_decay(
        graph, np.ones(8), gamma=1e308, times=[0, 0.5], node_rates=rates
    )
    np.testing.assert_allclose(out.final, 1.0, rtol=1e-12)


def test_diffuse_with_decay_refuses_rates_too_far_apart_to_resolve():
    # gamma L would mix instantly and the mean decay at 1/8 per unit time, but
    # kappa / gamma = 1e-308 is lost in rounding (the decay would vanish).
    message = (
        "gamma and node_rates span more than float64 resolves: the smallest rate 1 "
        "(gamma * max|L| = inf, node_rates from 1 to 1) is below 1.8e-15 times "
        "the largest inf, yet acts over the last time 0.5; expected rates within "
        "a factor 5.63e+14 of each other, or a shorter time"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        diffuse_with_decay(
            ring(8), np.ones(8), gamma=1e308, times=[0, 0.5], node_rates=[1] + [0] * 7
        )


def test_diffuse_with_decay_refuses_an_overflowing_rate_times_time():
    rates = np.r_[1e308, np.zeros(7)]
    message = (
        "(gamma * L + diag(node_rates)) * t overflows float64: the largest rate "
        "max(gamma, node_rates) = 1e+308 times the last time 10.0 is not finite; "
        "expected a finite product"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        diffuse_with_decay(
            ring(8), np.ones(8), gamma=1, times=[0, 10], node_rates=rates
        )


# 2. Step and record caps, overflowing gamma * dt ---------------------------------


@pytest.mark.parametrize("function", [diffuse_implicit, diffuse_explicit])
def test_huge_n_steps_is_refused_before_allocating(function):
    message = (
        "n_steps must be at most 1e+08 (each step runs in a Python loop; more would "
        "take days), got 1000000000000"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        function(path3(), np.ones(3), gamma=1, dt=0.01, n_steps=10**12)


@pytest.mark.parametrize("function", [diffuse_implicit, diffuse_explicit])
def test_n_steps_whose_states_would_not_fit_is_refused(function):
    message = (
        "n_steps = 10000000 would record 10000001 states of 3 x 200 values "
        "(6e+09 values, 48 GB in float64); expected at most 1e+09 values in all: "
        "fewer steps or times, or fewer patterns"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        function(path3(), np.ones((3, 200)), gamma=1, dt=0.01, n_steps=10**7)


@pytest.mark.parametrize("method", ["eig", "expm"])
def test_too_many_times_are_refused_before_allocating(method):
    message = (
        "times with 1000000 entries would record 1000000 states of 3 x 2000 values "
        "(6e+09 values, 48 GB in float64); expected at most 1e+09 values in all: "
        "fewer steps or times, or fewer patterns"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        diffuse_exact(
            path3(),
            np.ones((3, 2000)),
            gamma=1,
            times=np.linspace(0, 1, 10**6),
            method=method,
        )


def test_replay_refuses_a_record_too_large_to_hold():
    graph = Graph(nx.path_graph(20_000))
    patterns = np.zeros((20_000, 1))
    patterns[:10] = 1.0
    message = (
        "record_every = 1 would record 100001 states of 20000 x 1 values "
        "(2e+09 values, 16 GB in float64)"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        simulate_replay(
            graph,
            patterns,
            gamma=1,
            decay_rate=0.1,
            duration=1e5,
            dt=1.0,
            replay_rate=0.1,
            schedule=RestSchedule(period=2.0, duration=1.0),
        )


def test_implicit_refuses_gamma_dt_that_overflows_with_the_laplacian():
    message = (
        "gamma * dt * L overflows float64: gamma = 1.0, dt = 1e+308 and the largest "
        "|L| entry is 3; expected gamma * dt below 5.99e+307"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        diffuse_implicit(path3(), np.ones(3), gamma=1, dt=1e308, n_steps=1)
    with pytest.raises(ValueError, match=re.escape(message)):
        implicit_system(path3(), 1.0, 1e308)


def test_replay_refuses_gamma_dt_that_overflows():
    message = (
        "gamma * dt * L overflows float64: gamma = 1e+300, dt = 100000000.0 and the "
        "largest |L| entry is 2"
    )
    patterns = np.r_[np.ones(4), np.zeros(4)][:, None]
    with pytest.raises(ValueError, match=re.escape(message)):
        simulate_replay(
            ring(8),
            patterns,
            gamma=1e300,
            decay_rate=0.1,
            duration=1e8,
            dt=1e8,
            replay_rate=0.0,
            schedule=RestSchedule(period=1.0, duration=0.5),
        )


def test_explicit_refuses_gamma_dt_that_overflows_even_when_allowed_unstable():
    message = "gamma * dt must be finite, got gamma = 1e+300 and dt = 1e+300"
    with pytest.raises(ValueError, match=re.escape(message)):
        diffuse_explicit(
            path3(), np.ones(3), gamma=1e300, dt=1e300, n_steps=1, unstable="allow"
        )


def test_explicit_unstable_message_gives_the_largest_stable_dt():
    # lambda_max of path3 is 3 + sqrt(3): dt < 2 / 4.732 = 0.4226.
    with pytest.raises(ValueError, match=re.escape("take dt < 0.4226,")):
        diffuse_explicit(path3(), np.ones(3), gamma=1, dt=1e308, n_steps=1)


# 3. Jacobi: overflow is not divergence -----------------------------------------


def test_jacobi_solves_a_right_hand_side_near_the_float64_limit():
    system = implicit_system(path3(), 1, 0.1)
    rhs = np.array([1e308, 1e308, -1e308])
    result = jacobi_solve(system, rhs)
    assert result.converged
    np.testing.assert_allclose(
        result.solution,
        np.linalg.solve(system.matrix.toarray(), rhs / 1e308) * 1e308,
        rtol=1e-9,
    )
    # Exactly the solution of the problem scaled by a power of two.
    small = jacobi_solve(system, np.ldexp(rhs, -1024))
    assert np.array_equal(np.ldexp(result.solution, -1024), small.solution)
    assert np.array_equal(result.residuals, small.residuals)


def test_jacobi_with_huge_system_entries_does_not_overflow():
    system = implicit_system(path3(), 1, 0.1).matrix.toarray() * 1e300
    result = jacobi_solve(system, np.array([1e300, 2e300, 3e300]))
    expected = np.linalg.solve(system / 1e300, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(result.solution, expected, rtol=1e-9)


def test_jacobi_reports_an_overflowing_solution_as_overflow():
    message = (
        "Jacobi iteration overflowed after 1 sweeps although it converges "
        "(spectral radius 0 < 1): the iterate's values overflow the float range "
        "during the iteration even with the system rescaled (largest |B| 1, "
        "largest |X0| 1, largest |A| off the diagonal 0, smallest |diagonal| "
        "1e-310), so the solution lies beyond it; scale the input"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        jacobi_solve(np.diag([1.0, 1e-310]), np.ones(2))


def test_jacobi_divergence_names_the_spectral_radius():
    # The residual grows 3-fold per sweep until its square overflows.
    message = (
        re.escape("Jacobi iteration diverged (the residual overflowed after ")
        + r"3\d\d"
        + re.escape(
            " sweeps): the iteration matrix has spectral radius >= 1 (3) for this "
            "system and omega=1.0 (see jacobi_iteration_radius); Jacobi needs a "
            "diagonally dominant matrix such as I + gamma dt L"
        )
    )
    with pytest.raises(ValueError, match=message):
        jacobi_solve(np.array([[1.0, 3.0], [3.0, 1.0]]), np.ones(2), max_iter=5000)


def test_jacobi_iteration_radius_of_a_tiny_diagonal_is_inf_not_an_error():
    assert jacobi_iteration_radius(np.array([[1e-310, 1.0], [1.0, 1.0]])) == np.inf
    assert jacobi_iteration_radius(np.diag([1.0, 1e-310])) == 0.0


def test_settle_refuses_weights_whose_energy_overflows():
    weights = np.array([[0, 1e308, -1e308], [1e308, 0, 1e308], [-1e308, 1e308, 0]])
    message = (
        "weights and thresholds must keep the energy within float64: sum |W| / 2 + "
        "sum |theta| = inf (sum |W| = inf, sum |theta| = 0); expected a finite "
        "bound, so scale the weights and thresholds down (settling depends only "
        "on their ratios)"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        settle(np.array([1.0, -1.0, 1.0]), weights)
    with pytest.raises(ValueError, match=re.escape(message)):
        energy(np.array([1.0, -1.0, 1.0]), weights)


def test_replay_refuses_patterns_whose_norm_overflows():
    patterns = np.zeros((8, 1))
    patterns[:3] = 1e200
    message = (
        "patterns must have a squared norm within float64 (overlaps divide by it); "
        "column 0 has largest |entry| 1e+200, so its squared norm overflows: scale "
        "the patterns"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        simulate_replay(
            ring(8),
            patterns,
            gamma=1,
            decay_rate=0.1,
            duration=1.0,
            dt=0.1,
            replay_rate=0.5,
            schedule=RestSchedule(period=1.0, duration=0.5),
        )


# 4. from_networkx with a weight attribute that no edge carries ------------------


def test_from_networkx_refuses_a_weight_attribute_no_edge_has():
    h = nx.Graph()
    h.add_edge("a", "b", weight=2.0, length=3.0)
    h.add_edge("b", "c", weight=1.0)
    message = (
        "nx_graph: no edge has the attribute weight='strength'; the edges' "
        "attributes are: length, weight"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        Graph.from_networkx(h, weight="strength")
    bare = nx.path_graph(3)
    message = (
        "nx_graph: no edge has the attribute weight='strength'; the edges' "
        "attributes are: none"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        Graph.from_networkx(bare, weight="strength")


def test_from_networkx_keeps_unit_weights_for_the_default_and_partial_attributes():
    bare = nx.path_graph(3)
    assert Graph.from_networkx(bare).weights.data.tolist() == [1.0] * 4
    assert Graph.from_networkx(bare, weight=None).weights.data.tolist() == [1.0] * 4
    h = nx.path_graph(3)
    h.edges[0, 1]["strength"] = 4.0
    graph = Graph.from_networkx(h, weight="strength")
    assert graph.to_dense()[0, 1] == 4.0 and graph.to_dense()[1, 2] == 1.0


# 5. fit_decay_rates -------------------------------------------------------------


@pytest.mark.parametrize("times", [[1.0], [2.0, 2.0]])
def test_fit_decay_rates_refuses_fewer_than_two_distinct_times(times):
    shown = "array([1.])" if len(times) == 1 else "array([2., 2.])"
    message = f"times must hold at least two distinct times to fit a rate, got {shown}"
    with pytest.raises(ValueError, match=re.escape(message)):
        fit_decay_rates(times, np.ones((len(times), 1)))


def test_fit_decay_rates_zero_constant_and_huge_times():
    rates = fit_decay_rates([0.0, 1.0, 2.0], np.array([[0.0, 2.0]] * 3))
    assert np.isnan(rates[0]) and rates[1] == 0.0
    huge = fit_decay_rates([0.0, 1e300], np.array([[1.0], [np.exp(-2.0)]]))
    assert huge[0] == pytest.approx(2e-300, rel=1e-12)
