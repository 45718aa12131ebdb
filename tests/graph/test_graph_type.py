"""Graph construction, validation, warnings and conversions."""

import subprocess
import sys

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from neurorelax.graph import Graph, GraphWarning

PATH = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 2.0], [0.0, 2.0, 0.0]])


@pytest.mark.parametrize(
    "make",
    [
        lambda w: w,
        lambda w: w.tolist(),
        sp.csr_array,
        sp.csc_matrix,
        sp.coo_array,
        lambda w: nx.from_numpy_array(w),
    ],
    ids=["ndarray", "list", "csr_array", "csc_matrix", "coo_array", "networkx"],
)
def test_graph_from_every_input_kind_stores_the_same_csr(make):
    g = Graph(make(PATH))

    assert isinstance(g.weights, sp.csr_array)
    assert g.weights.dtype == np.float64
    assert g.weights.has_sorted_indices
    np.testing.assert_array_equal(g.to_dense(), PATH)
    assert (g.n_nodes, g.n_edges) == (3, 2)
    np.testing.assert_array_equal(g.degrees, [1.0, 3.0, 2.0])
    assert g.is_symmetric and not g.directed


def test_graph_does_not_mutate_its_input():
    dense = PATH.copy()
    sparse = sp.csr_array(PATH)
    Graph(dense)
    Graph(sparse)
    np.testing.assert_array_equal(dense, PATH)
    np.testing.assert_array_equal(sparse.toarray(), PATH)


def test_defaults_for_labels_and_metadata():
    g = Graph(PATH, name="path")
    assert g.labels == ["0", "1", "2"]
    assert g.positions is None and g.tract_lengths is None
    assert repr(g) == "<Graph 'path': 3 nodes, 2 edges, undirected>"


def test_labels_positions_and_tract_lengths_are_kept():
    g = Graph(
        PATH,
        labels=["a", "b", "c"],
        positions=np.arange(6).reshape(3, 2),
        tract_lengths=PATH * 10,
    )
    assert g.labels == ["a", "b", "c"]
    np.testing.assert_array_equal(g.positions[:, 2], 0.0)
    assert g.positions.shape == (3, 3)
    np.testing.assert_array_equal(g.tract_lengths.toarray(), PATH * 10)


def test_directed_graph_keeps_asymmetry_and_counts_every_edge():
    weights = np.array([[0.0, 1.0], [3.0, 0.0]])
    g = Graph(weights, directed=True)
    assert g.directed and not g.is_symmetric
    assert g.n_edges == 2
    np.testing.assert_array_equal(g.to_dense(), weights)
    assert isinstance(g.to_networkx(), nx.DiGraph)


def test_tiny_asymmetry_is_symmetrised_exactly():
    weights = PATH.copy()
    weights[0, 1] += 1e-15
    g = Graph(weights)
    assert g.is_symmetric


def test_self_loops_dropped_on_request():
    weights = PATH + np.diag([1.0, 0.0, 0.5])
    g = Graph(weights, self_loops="drop")
    np.testing.assert_array_equal(g.to_dense(), PATH)
    assert g.weights.diagonal().sum() == 0


@pytest.mark.filterwarnings("ignore:.*connected components")
def test_explicit_zeros_are_not_edges():
    sparse = sp.csr_array(PATH)
    sparse.data[:] = [0.0, 1.0, 2.0, 2.0]  # W[0, 1] stored as an explicit zero
    sparse = sp.csr_array(sparse + sparse.T) * 0.5
    sparse.data[sparse.data == 0.5] = 0.0
    with pytest.warns(GraphWarning, match="1 isolated node"):
        g = Graph(sparse)
    assert g.n_edges == 1
    np.testing.assert_array_equal(g.isolated_nodes, [0])


def test_isolated_nodes_and_components_are_reported():
    weights = np.zeros((5, 5))
    weights[0, 1] = weights[1, 0] = 1.0
    weights[2, 3] = weights[3, 2] = 1.0
    with pytest.warns(GraphWarning) as record:
        g = Graph(weights)
    messages = [str(w.message) for w in record]
    assert any("1 isolated node(s) (first: [4])" in m for m in messages)
    assert any("3 connected components" in m for m in messages)
    np.testing.assert_array_equal(g.isolated_nodes, [4])
    assert g.n_components == 3
    components = g.components()
    assert [c.tolist() for c in components] == [[0, 1], [2, 3], [4]]


def test_connected_graph_gives_no_warning(recwarn):
    g = Graph(PATH)
    assert g.n_components == 1 and g.isolated_nodes.size == 0
    assert not [w for w in recwarn if issubclass(w.category, GraphWarning)]


def test_subgraph_restricts_everything():
    g = Graph(PATH, labels=["a", "b", "c"], positions=np.eye(3), tract_lengths=PATH * 2)
    sub = g.subgraph([2, 1])
    np.testing.assert_array_equal(sub.to_dense(), [[0.0, 2.0], [2.0, 0.0]])
    assert sub.labels == ["c", "b"]
    np.testing.assert_array_equal(sub.positions, np.eye(3)[[2, 1]])
    np.testing.assert_array_equal(sub.tract_lengths.toarray(), [[0, 4], [4, 0]])
    mask = g.subgraph(np.array([True, True, False]))
    assert mask.labels == ["a", "b"]


def test_networkx_round_trip_keeps_weights_labels_positions():
    g = Graph(PATH, labels=["a", "b", "c"], positions=np.eye(3))
    nx_graph = g.to_networkx()
    assert nx_graph.nodes[2]["label"] == "c"
    assert nx_graph.edges[1, 2]["weight"] == 2.0
    back = Graph.from_networkx(nx_graph)
    np.testing.assert_array_equal(back.to_dense(), PATH)
    assert back.labels == ["a", "b", "c"]
    np.testing.assert_array_equal(back.positions, np.eye(3))


def test_from_networkx_uses_node_names_and_unweighted_edges():
    nx_graph = nx.path_graph(["x", "y", "z"])
    g = Graph.from_networkx(nx_graph)
    assert g.labels == ["x", "y", "z"]
    np.testing.assert_array_equal(g.degrees, [1.0, 2.0, 1.0])


@pytest.mark.parametrize(
    ("weights", "keywords", "message"),
    [
        (np.ones((2, 3)), {}, r"weights must be a square matrix, got shape \(2, 3\)"),
        (np.ones(3), {}, r"weights must have 2 dimension\(s\), got shape \(3,\)"),
        (
            np.array([[0, np.nan], [np.nan, 0]]),
            {},
            r"weights must contain only finite values; entry \(0, 1\) is .*nan",
        ),
        (
            sp.csr_array(np.array([[0, np.inf], [1, 0]])),
            {},
            r"weights \(stored entries\) must contain only finite values",
        ),
        (
            np.array([[0, -1.0], [-1.0, 0]]),
            {},
            r"weights must be non-negative; entry \(0, 1\) is -1.0",
        ),
        (
            np.array([[0, 1.0], [2.0, 0]]),
            {},
            r"weights must be symmetric for an undirected graph; W\[0, 1\] = 1.0 "
            r"but W\[1, 0\] = 2.0. Pass directed=True",
        ),
        (
            PATH + np.eye(3),
            {},
            r"weights must have a zero diagonal \(no self-loops\); node 0 .* "
            r"Pass self_loops='drop'",
        ),
        (
            PATH,
            {"self_loops": "keep"},
            r"self_loops must be one of 'refuse', 'drop'; got 'keep'",
        ),
        (PATH, {"labels": ["a"]}, r"labels must have one entry per node \(3\), got 1"),
        (PATH, {"labels": "abc"}, r"labels must be a sequence of 3 strings"),
        (
            PATH,
            {"positions": np.zeros((3, 4))},
            r"positions must have shape \(3, 3\) or \(3, 2\), got shape \(3, 4\)",
        ),
        (
            PATH,
            {"tract_lengths": np.ones((2, 2))},
            r"tract_lengths must have shape \(3, 3\) to match the weights",
        ),
        (PATH, {"tract_lengths": -PATH}, r"tract_lengths must be non-negative"),
    ],
)
def test_bad_graph_input_is_refused_with_a_clear_message(weights, keywords, message):
    with pytest.raises(ValueError, match=message):
        Graph(weights, **keywords)


@pytest.mark.parametrize(
    ("indices", "message"),
    [
        ([0, 3], r"node_indices must lie in \[0, 2\], got values from 0 to 3"),
        ([0, 0], r"node_indices must not repeat a node"),
        ([0.5], r"node_indices must be a 1-D array of integer node indices"),
        (np.array([True, False]), r"node_indices as a mask must have shape \(3,\)"),
    ],
)
def test_bad_subgraph_indices(indices, message):
    with pytest.raises(ValueError, match=message):
        Graph(PATH).subgraph(indices)


def test_from_networkx_refuses_other_objects():
    with pytest.raises(
        ValueError, match="nx_graph must be a networkx graph, got ndarray"
    ):
        Graph.from_networkx(PATH)


def test_graph_level_never_imports_brian2():
    code = (
        "import sys, neurorelax.graph, neurorelax.kernels; "
        "sys.exit(1 if 'brian2' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_large_index_arrays_are_stored_as_int32():
    rows = np.array([0, 1], dtype=np.int64)
    sparse = sp.coo_array((np.ones(2), (rows, rows[::-1])), shape=(2, 2))
    g = Graph(sparse.tocsr())
    assert g.weights.indices.dtype == np.int32
    assert g.weights.indptr.dtype == np.int32


def test_networkx_digraph_gives_a_directed_graph():
    nx_graph = nx.DiGraph([(0, 1), (1, 2), (2, 0)])
    g = Graph(nx_graph)
    assert g.directed and g.n_edges == 3
    np.testing.assert_array_equal(g.to_dense()[0], [0.0, 1.0, 0.0])
