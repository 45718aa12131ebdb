"""Spiking assemblies on a graph: wiring, effective graph, spreading."""

import numpy as np
import pytest
from brian2 import ms, nS, second

from neurorelax.bridge.assembly import (
    AssemblyParameters,
    Stimulus,
    build_assembly_network,
    inter_assembly_synapses,
)
from neurorelax.bridge.coarse import coarse_grain, effective_graph
from neurorelax.bridge.metrics import pearson_offdiagonal
from neurorelax.connectome import generators


@pytest.mark.parametrize("mapping", ["conductance", "probability"])
def test_effective_graph_follows_the_input_graph(mapping):
    graph = generators.ring(8, neighbours=2, weight=(0.2, 1.0), seed=3)
    weights = graph.weights.toarray()
    params = AssemblyParameters(neurons_per_node=30, mapping=mapping)

    net = build_assembly_network(graph, params=params, duration=0.1 * second, seed=1)
    assembly = net.assembly_of
    effective = effective_graph(
        np.asarray(net.inter.i[:]),
        np.asarray(net.inter.j[:]),
        np.asarray(net.inter.w[:] / nS),
        assembly,
        assembly,
        8,
    )

    assert pearson_offdiagonal(effective, weights) >= 0.9
    assert np.all(effective[weights == 0] == 0)


@pytest.mark.parametrize("mapping", ["conductance", "probability"])
def test_expected_lateral_conductance_follows_node_strength(mapping):
    weights = np.array([[0, 1.0, 3.0], [1.0, 0, 0], [3.0, 0, 0]])
    params = AssemblyParameters(neurons_per_node=200, mapping=mapping, g_inter=10 * nS)
    pre, post, g_ = inter_assembly_synapses(weights, params, np.random.default_rng(0))
    per_cell_nS = np.bincount(post // 200, weights=g_ * 1e9, minlength=3) / 200
    strengths = weights.sum(axis=0)
    assert per_cell_nS == pytest.approx(10 * strengths / strengths.max(), rel=0.03)


def test_stimulating_a_node_that_does_not_exist_is_refused():
    graph = generators.ring(5)
    with pytest.raises(
        ValueError,
        match=r"stimulus node must be an integer in "
        r"\[0, 4\] \(the graph has 5 nodes\)",
    ):
        build_assembly_network(
            graph, [Stimulus(5, 0 * ms, 10 * ms)], duration=0.1 * second
        )


def test_empty_stimulus_window_is_refused():
    with pytest.raises(ValueError, match="stimulus window must satisfy"):
        build_assembly_network(
            generators.ring(5), [Stimulus(1, 10 * ms, 10 * ms)], duration=0.1 * second
        )


def test_unknown_mapping_is_refused():
    with pytest.raises(ValueError, match="mapping must be one of"):
        AssemblyParameters(mapping="distance")


def test_parameter_with_wrong_units_is_refused():
    with pytest.raises(
        ValueError, match="g_inter must be a non-negative quantity in units of"
    ):
        AssemblyParameters(g_inter=5 * ms)


@pytest.fixture(scope="module")
def ring_response():
    """Activation of a ring of 8 assemblies, node 0 stimulated 4 times."""
    from brian2 import prefs

    prefs.codegen.target = "numpy"
    graph = generators.ring(8)
    onsets = [0.3, 0.55, 0.8, 1.05]
    stimuli = [Stimulus(0, t * second, (t + 0.1) * second) for t in onsets]
    params = AssemblyParameters(neurons_per_node=30)
    net = build_assembly_network(
        graph, stimuli, params=params, duration=1.3 * second, seed=2
    )
    net.network.run(1.3 * second, namespace={})
    grained = coarse_grain(
        np.asarray(net.spikes.i[:]),
        np.asarray(net.spikes.t[:] / second),
        net.assembly_of,
        8,
        t_stop_=1.3,
        bin_width_=1e-3,
        smoothing_width_=4e-3,
        baseline_window_=(0.1, 0.3),
    )
    # stimulus-averaged epochs from 50 ms before onset to 200 ms after it
    first = [int(round(t * 1000)) - 50 for t in onsets]
    return np.mean([grained.activation[:, f : f + 250] for f in first], axis=0)


@pytest.mark.slow
def test_stimulation_spreads_to_neighbours_before_distant_nodes(ring_response):
    response = ring_response
    during = response[:, 60:150].mean(axis=1)
    neighbours, distant = during[[1, 7]], during[[3, 4, 5]]
    assert neighbours.min() > distant.max() + 1.0

    # latency: first time the activation integrated from the onset reaches a
    # quarter of the neighbours' integral over the stimulus
    integral = np.cumsum(response[:, 50:150], axis=1) * 1e-3
    threshold = 0.25 * integral[[1, 7], -1].min()

    def latency(node):
        above = np.nonzero(integral[node] > threshold)[0]
        return above[0] if len(above) else np.inf

    assert max(latency(1), latency(7)) < min(latency(k) for k in (3, 4, 5))


@pytest.mark.slow
def test_stimulated_node_activation_decays_after_the_stimulus(ring_response):
    stimulated = ring_response[0]
    during = stimulated[60:150].mean()
    after = stimulated[190:250].mean()
    assert during > 10.0
    assert abs(after) < 0.2 * during


def test_leak_reversal_must_be_a_voltage():
    with pytest.raises(ValueError, match="E_L must be a quantity in volt"):
        AssemblyParameters(E_L=-65 * nS)
