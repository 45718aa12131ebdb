"""Laplacians against the textbook formulas and their invariants."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from neurorelax.graph import LAPLACIAN_KINDS, Graph, GraphWarning, laplacian
from neurorelax.graph.reference import laplacian_dense


def random_weights(n, seed, *, directed=False, isolated=False):
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0, 2, (n, n)) * (rng.random((n, n)) < 0.3)
    if not directed:
        weights = np.triu(weights, 1) + np.triu(weights, 1).T
    np.fill_diagonal(weights, 0.0)
    if isolated:
        weights[0, :] = weights[:, 0] = 0.0
    return weights


@pytest.mark.filterwarnings("ignore::neurorelax.graph.GraphWarning")
@pytest.mark.parametrize("kind", LAPLACIAN_KINDS)
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("isolated", [False, True])
def test_laplacian_matches_reference(kind, directed, isolated):
    weights = random_weights(25, 3, directed=directed, isolated=isolated)
    g = Graph(weights, directed=directed)
    result = laplacian(g, kind)
    assert isinstance(result, sp.csr_array) and result.dtype == np.float64
    np.testing.assert_allclose(
        result.toarray(), laplacian_dense(weights, kind), rtol=1e-13, atol=1e-14
    )


@pytest.mark.parametrize("kind", ["combinatorial", "random_walk"])
def test_rows_sum_to_zero(kind):
    result = laplacian(Graph(random_weights(30, 4)), kind)
    np.testing.assert_allclose(result.sum(axis=1), 0.0, atol=1e-12)


@pytest.mark.parametrize("kind", ["combinatorial", "symmetric"])
def test_symmetric_kinds_are_symmetric_positive_semidefinite(kind):
    dense = laplacian(Graph(random_weights(30, 5)), kind).toarray()
    np.testing.assert_allclose(dense, dense.T, atol=1e-15)
    values = np.linalg.eigvalsh(dense)
    assert values.min() > -1e-12
    if kind == "symmetric":
        assert values.max() <= 2 + 1e-12


def test_agrees_with_networkx():
    nx_graph = nx.connected_watts_strogatz_graph(40, 4, 0.3, seed=2)
    g = Graph(nx_graph)
    np.testing.assert_allclose(
        laplacian(g).toarray(), nx.laplacian_matrix(nx_graph).toarray()
    )
    np.testing.assert_allclose(
        laplacian(g, "symmetric").toarray(),
        nx.normalized_laplacian_matrix(nx_graph).toarray(),
        atol=1e-14,
    )


def test_accepts_plain_arrays_and_does_not_mutate_the_graph():
    weights = random_weights(10, 6)
    g = Graph(weights)
    before = g.weights.copy()
    np.testing.assert_allclose(laplacian(weights).toarray(), laplacian(g).toarray())
    assert (g.weights != before).nnz == 0


def test_isolated_node_rows_are_zero_for_normalised_kinds():
    with pytest.warns(GraphWarning):
        g = Graph(random_weights(10, 7, isolated=True))
    for kind in ("symmetric", "random_walk"):
        dense = laplacian(g, kind).toarray()
        assert not dense[0].any() and not dense[:, 0].any()


def test_bad_kind_is_refused():
    with pytest.raises(
        ValueError,
        match="kind must be one of 'combinatorial', "
        "'symmetric', 'random_walk'; got 'normed'",
    ):
        laplacian(Graph(np.ones((3, 3)) - np.eye(3)), "normed")
