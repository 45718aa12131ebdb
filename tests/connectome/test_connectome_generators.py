"""Generators: requested sizes, known edge counts, reproducible with a seed."""

import numpy as np
import pytest

from neurorelax.connectome import from_spec, generators
from neurorelax.graph import GraphWarning

RANDOM = {
    "small_world": lambda seed: generators.small_world(30, 4, 0.2, seed=seed),
    "stochastic_block": lambda seed: generators.stochastic_block(
        [8, 8, 8], 0.6, 0.05, seed=seed
    ),
    "random_geometric": lambda seed: generators.random_geometric(30, 0.4, seed=seed),
    "ring_random_weights": lambda seed: generators.ring(
        10, weight=(0.5, 1.5), seed=seed
    ),
}


def same(a, b):
    return (
        a.labels == b.labels
        and np.array_equal(a.to_dense(), b.to_dense())
        and np.array_equal(a.positions, b.positions)
    )


@pytest.mark.parametrize("name", RANDOM)
def test_same_seed_same_graph_other_seed_other_graph(name):
    make = RANDOM[name]

    assert same(make(4), make(4))
    assert not same(make(4), make(5))


def test_ring_and_grid_sizes():
    ring = generators.ring(12, neighbours=2)
    grid = generators.grid_2d(4, 5)
    torus = generators.grid_2d(4, 5, periodic=True)

    assert (ring.n_nodes, ring.n_edges) == (12, 24)
    assert np.all(ring.degrees == 4.0)
    assert (grid.n_nodes, grid.n_edges) == (20, 4 * 4 + 5 * 3)
    assert (torus.n_nodes, torus.n_edges) == (20, 40)
    assert grid.labels[6] == "1,1"
    np.testing.assert_array_equal(grid.positions[7], [2.0, 1.0, 0.0])


def test_small_world_size_and_edge_count():
    graph = generators.small_world(40, 6, 0.1, seed=1)

    assert (graph.n_nodes, graph.n_edges) == (40, 120)


def test_stochastic_block_blocks_and_densities():
    with pytest.warns(GraphWarning, match="2 connected components"):
        graph = generators.stochastic_block([20, 20], 1.0, 0.0, seed=0)

    assert graph.n_nodes == 40
    assert graph.n_components == 2
    assert graph.n_edges == 2 * (20 * 19 // 2)
    assert graph.labels[0] == "b0.0" and graph.labels[-1] == "b1.19"


def test_random_geometric_edges_follow_the_radius():
    graph = generators.random_geometric(25, 0.35, seed=2)

    distances = np.linalg.norm(
        graph.positions[:, None, :] - graph.positions[None, :, :], axis=-1
    )
    expected = (distances <= 0.35) & ~np.eye(25, dtype=bool)
    np.testing.assert_array_equal(graph.to_dense() > 0, expected)
    assert np.all(graph.positions[:, 2] == 0.0)


def test_random_weights_lie_in_the_range():
    graph = generators.grid_2d(3, 3, weight=(0.2, 0.4), seed=7)

    assert graph.weights.data.min() >= 0.2 and graph.weights.data.max() < 0.4


@pytest.mark.parametrize(
    ("spec", "n_nodes"),
    [
        ("ring:8", 8),
        ("grid:3x4", 12),
        ("small_world:20,4,0.1", 20),
        ("sbm:3x10,0.5,0.05", 30),
        ("geometric:15,0.4", 15),
    ],
)
def test_generator_specs(spec, n_nodes):
    assert from_spec(spec, seed=1).n_nodes == n_nodes


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: generators.ring(2), r"n must be an integer >= 3, got 2"),
        (lambda: generators.ring(6, neighbours=3), r"neighbours must be < n / 2"),
        (lambda: generators.grid_2d(1, 1), r"rows \* cols must be >= 2"),
        (lambda: generators.small_world(10, 3, 0.1), r"k must be an even integer"),
        (lambda: generators.small_world(10, 4, 1.5), r"p must be a finite number in"),
        (
            lambda: generators.stochastic_block(3, 0.5, 0.1),
            r"sizes must be a non-empty sequence of block sizes",
        ),
        (
            lambda: generators.stochastic_block([3, 0], 0.5, 0.1),
            r"sizes\[1\] must be an integer >= 1, got 0",
        ),
        (lambda: generators.random_geometric(10, 0.0), r"radius must be a finite"),
        (lambda: generators.random_geometric(10, 0.2, dim=4), r"dim must be 2 or 3"),
        (lambda: generators.ring(6, weight=(2.0, 1.0)), r"weight must have low < high"),
        (lambda: generators.ring(6, weight=(1.0,)), r"weight must be a number > 0 or"),
        (
            lambda: generators.ring(6, weight=-1.0),
            r"weight must be a finite number > 0",
        ),
        (lambda: from_spec("grid:3by4"), r"graph spec 'grid:3by4' is malformed; exp"),
    ],
)
def test_generator_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
