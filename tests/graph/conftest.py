"""Small graphs shared by the graph-level tests (fixed seeds)."""

import networkx as nx
import numpy as np
import pytest

from neurorelax.graph import Graph


@pytest.fixture
def small_world():
    """Connected, non-bipartite Watts-Strogatz graph with random weights."""
    nx_graph = nx.connected_watts_strogatz_graph(60, 6, 0.2, seed=1)
    rng = np.random.default_rng(2)
    for u, v in nx_graph.edges:
        nx_graph.edges[u, v]["weight"] = rng.uniform(0.5, 1.5)
    return Graph(nx_graph, name="small world")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
