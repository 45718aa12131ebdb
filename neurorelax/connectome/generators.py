"""Seeded synthetic graphs for tests and examples.

Every generator returns an undirected :class:`neurorelax.graph.Graph` with
node labels and 3-D positions (z = 0 for planar layouts) and is a pure
function of its arguments: the same arguments and ``seed`` give the same
graph. Edge weights are ``weight`` (a constant) or, when ``weight`` is a
pair ``(low, high)``, drawn uniformly from [low, high) with
``numpy.random.default_rng`` seeded from ``seed``.

Sizes are bounded before anything is built, because networkx keeps every
node and edge as Python objects (about 0.6 kB each; a ring of 1,000,000
nodes takes about 1.2 GB): at most ``MAX_NODES`` = 1,000,000 nodes, at most
``MAX_EDGES`` = 10,000,000 edges (the exact count, or the expected count
for the random generators, about 6 GB) and at most ``MAX_BLOCKS`` = 1,000
blocks in a stochastic block model (whose generator visits every pair of
blocks). Larger requests raise a ValueError naming the argument. Seeds are
integers in [0, 2**32 - 1] (``neurorelax.validation.MAX_SEED``), as
everywhere in neurorelax. :func:`check_arguments` runs a generator's
checks without building anything.

Examples
--------
>>> from neurorelax.connectome import generators
>>> g = generators.ring(8)
>>> g.n_nodes, g.n_edges
(8, 8)
>>> generators.grid_2d(3, 4).n_edges
17
"""

import networkx as nx
import numpy as np

from neurorelax.graph import Graph
from neurorelax.validation import (
    check_in_range,
    check_integer,
    check_positive,
    check_seed,
    format_value,
)

__all__ = [
    "MAX_BLOCKS",
    "MAX_EDGES",
    "MAX_NODES",
    "check_arguments",
    "grid_2d",
    "random_geometric",
    "ring",
    "small_world",
    "stochastic_block",
]

MAX_NODES = 1_000_000
MAX_EDGES = 10_000_000
MAX_BLOCKS = 1_000


def _check_size(generator, nodes, edges, *, nodes_name, edges_name):
    """Refuse a graph beyond ``MAX_NODES`` nodes or ``MAX_EDGES`` edges.

    Parameters
    ----------
    generator : str
        The generator's name, for the message.
    nodes, edges : int or float
        Node count and (expected) edge count of the requested graph.
    nodes_name, edges_name : str
        The arguments that set them, as written in the message.
    """
    if nodes > MAX_NODES:
        raise ValueError(
            f"{generator}: {nodes_name} must be at most {MAX_NODES:,} nodes, got "
            f"{nodes:,}"
        )
    if edges > MAX_EDGES:
        raise ValueError(
            f"{generator}: {edges_name} must be at most {MAX_EDGES:,} edges, got "
            f"{edges:,.0f}; use fewer nodes or a sparser graph"
        )


def _checked_weight(weight):
    """Return ``weight`` checked: a number > 0 or a pair ``(low, high)``."""
    if isinstance(weight, tuple | list):
        if len(weight) != 2:
            raise ValueError(
                f"weight must be a number > 0 or a pair (low, high), got "
                f"{format_value(weight)}"
            )
        low = check_positive("weight[0]", weight[0])
        high = check_positive("weight[1]", weight[1])
        if high <= low:
            raise ValueError(f"weight must have low < high, got {tuple(weight)}")
        return low, high
    return check_positive("weight", weight)


def _weights(nx_graph, weight, seed):
    """Set the 'weight' attribute of every edge (constant or uniform draws)."""
    edges = list(nx_graph.edges)
    weight = _checked_weight(weight)
    if isinstance(weight, tuple):
        # The weight stream is separate from the structure's so that changing
        # the weight range does not change which edges exist.
        rng = np.random.default_rng([check_seed(seed), 1])
        values = rng.uniform(*weight, size=len(edges))
    else:
        values = np.full(len(edges), weight)
    for (u, v), value in zip(edges, values, strict=True):
        nx_graph.edges[u, v]["weight"] = float(value)


def _graph(nx_graph, labels, positions, weight, seed, name):
    _weights(nx_graph, weight, seed)
    return Graph.from_networkx(nx_graph, labels=labels, positions=positions, name=name)


def _circle(n_nodes):
    """Positions on the unit circle, shape (n_nodes, 3)."""
    angles = 2.0 * np.pi * np.arange(n_nodes) / n_nodes
    return np.column_stack([np.cos(angles), np.sin(angles), np.zeros(n_nodes)])


def _ring_arguments(n, *, neighbours=1, weight=1.0, seed=0):
    """Check the arguments of :func:`ring`; return n, neighbours, seed."""
    n = check_integer("n", n, minimum=3)
    neighbours = check_integer("neighbours", neighbours, minimum=1)
    seed = check_seed(seed)
    if 2 * neighbours >= n:
        raise ValueError(
            f"neighbours must be < n / 2 (= {n / 2}) for a ring, got {neighbours}"
        )
    _check_size("ring", n, n * neighbours, nodes_name="n", edges_name="n * neighbours")
    _checked_weight(weight)
    return n, neighbours, seed


def ring(n, *, neighbours=1, weight=1.0, seed=0):
    """Ring lattice: node i is joined to the ``neighbours`` nearest on each side.

    Parameters
    ----------
    n : int
        Number of nodes, >= 3, > 2 * neighbours and <= ``MAX_NODES``.
    neighbours : int, optional
        Neighbours on each side; each node has degree 2 * neighbours, and
        ``n * neighbours`` must be <= ``MAX_EDGES``.
    weight : float or (float, float), optional
        Edge weight, or a range for uniform random weights.
    seed : int, optional
        Seed for random weights (the structure itself is not random).

    Returns
    -------
    Graph
        ``n * neighbours`` edges, nodes on the unit circle.
    """
    n, neighbours, seed = _ring_arguments(
        n, neighbours=neighbours, weight=weight, seed=seed
    )
    nx_graph = nx.watts_strogatz_graph(n, 2 * neighbours, 0.0)
    return _graph(nx_graph, None, _circle(n), weight, seed, f"ring{n}")


def _grid_2d_arguments(rows, cols, *, periodic=False, weight=1.0, seed=0):
    """Check the arguments of :func:`grid_2d`; return rows, cols, seed."""
    minimum = 3 if periodic else 1
    seed = check_seed(seed)
    rows = check_integer("rows", rows, minimum=minimum)
    cols = check_integer("cols", cols, minimum=minimum)
    if rows * cols < 2:
        raise ValueError(f"rows * cols must be >= 2, got {rows} x {cols}")
    _check_size(
        "grid_2d",
        rows * cols,
        2 * rows * cols,
        nodes_name="rows * cols",
        edges_name="the edge count",
    )
    _checked_weight(weight)
    return rows, cols, seed


def grid_2d(rows, cols, *, periodic=False, weight=1.0, seed=0):
    """Two-dimensional square lattice (4-neighbour grid).

    Parameters
    ----------
    rows, cols : int
        Grid size, each >= 1 (>= 3 when ``periodic``), with ``rows * cols``
        <= ``MAX_NODES`` (so at most 2 ``MAX_NODES`` edges).
    periodic : bool, optional
        Wrap both directions (a torus).
    weight : float or (float, float), optional
        Edge weight, or a range for uniform random weights.
    seed : int, optional
        Seed for random weights.

    Returns
    -------
    Graph
        ``rows * cols`` nodes labelled ``"r,c"`` (row-major order) at
        positions (c, r, 0); ``rows (cols - 1) + cols (rows - 1)`` edges
        without wrapping.
    """
    rows, cols, seed = _grid_2d_arguments(
        rows, cols, periodic=periodic, weight=weight, seed=seed
    )
    nx_graph = nx.grid_2d_graph(rows, cols, periodic=periodic)
    ordered = nx.Graph()
    ordered.add_nodes_from((r, c) for r in range(rows) for c in range(cols))
    ordered.add_edges_from(nx_graph.edges)
    labels = [f"{r},{c}" for r, c in ordered.nodes]
    positions = [(c, r, 0.0) for r, c in ordered.nodes]
    return _graph(ordered, labels, positions, weight, seed, f"grid{rows}x{cols}")


def _small_world_arguments(n, k, p, seed=0, *, weight=1.0):
    """Check the arguments of :func:`small_world`; return n, k, p, seed."""
    n = check_integer("n", n, minimum=3)
    k = check_integer("k", k, minimum=2)
    if k % 2 or k >= n:
        raise ValueError(f"k must be an even integer < n (= {n}), got {k}")
    _check_size("small_world", n, n * k // 2, nodes_name="n", edges_name="n * k / 2")
    p = check_in_range("p", p, 0.0, 1.0)
    seed = check_seed(seed)
    _checked_weight(weight)
    return n, k, p, seed


def small_world(n, k, p, seed=0, *, weight=1.0):
    """Watts-Strogatz small-world graph.

    A ring lattice where every node is joined to its ``k`` nearest
    neighbours (``k / 2`` on each side), whose edges are each rewired with
    probability ``p`` (Watts & Strogatz 1998, Nature 393:440).

    Parameters
    ----------
    n : int
        Number of nodes, > k and <= ``MAX_NODES``.
    k : int
        Even number of nearest neighbours, >= 2, with ``n * k / 2`` (the
        edge count) <= ``MAX_EDGES``.
    p : float
        Rewiring probability in [0, 1].
    seed : int, optional
        Seed for the rewiring (and random weights).
    weight : float or (float, float), optional
        Edge weight, or a range for uniform random weights.

    Returns
    -------
    Graph
        ``n * k / 2`` edges; may be disconnected for large ``p`` and small
        ``k``.
    """
    n, k, p, seed = _small_world_arguments(n, k, p, seed, weight=weight)
    nx_graph = nx.watts_strogatz_graph(n, k, p, seed=seed)
    return _graph(nx_graph, None, _circle(n), weight, seed, f"small_world{n}")


def _stochastic_block_arguments(sizes, p_in, p_out, seed=0, *, weight=1.0):
    """Check the arguments of :func:`stochastic_block`.

    Returns
    -------
    sizes : list of int
    p_in, p_out : float
    seed : int
    """
    if (
        isinstance(sizes, int | np.integer)
        or not hasattr(sizes, "__len__")
        or (len(sizes) == 0)
    ):
        raise ValueError(
            f"sizes must be a non-empty sequence of block sizes (e.g. [10, 10, "
            f"10] for 3 blocks), got {format_value(sizes)}"
        )
    if len(sizes) > MAX_BLOCKS:
        raise ValueError(
            f"stochastic_block: sizes must have at most {MAX_BLOCKS:,} blocks, got "
            f"{len(sizes):,}"
        )
    sizes = [check_integer(f"sizes[{i}]", s, minimum=1) for i, s in enumerate(sizes)]
    if sum(sizes) < 2:
        raise ValueError(f"sizes must add up to >= 2 nodes, got {sizes}")
    p_in = check_in_range("p_in", p_in, 0.0, 1.0)
    p_out = check_in_range("p_out", p_out, 0.0, 1.0)
    seed = check_seed(seed)
    total = sum(sizes)
    within = sum(s * (s - 1) // 2 for s in sizes)
    _check_size(
        "stochastic_block",
        total,
        p_in * within + p_out * (total * (total - 1) // 2 - within),
        nodes_name="sum(sizes)",
        edges_name="the expected edge count",
    )
    _checked_weight(weight)
    return sizes, p_in, p_out, seed


def stochastic_block(sizes, p_in, p_out, seed=0, *, weight=1.0):
    """Stochastic block model with ``len(sizes)`` blocks.

    Two nodes in the same block are joined with probability ``p_in``, in
    different blocks with probability ``p_out``, independently.

    Parameters
    ----------
    sizes : sequence of int, or int
        Number of nodes in each block; an int ``B`` is not accepted alone
        (give e.g. ``[10] * B`` for B blocks of 10). At most ``MAX_BLOCKS``
        blocks and ``MAX_NODES`` nodes in all.
    p_in, p_out : float
        Connection probabilities in [0, 1]; the expected edge count must be
        <= ``MAX_EDGES``.
    seed : int, optional
        Seed for the edges (and random weights).
    weight : float or (float, float), optional
        Edge weight, or a range for uniform random weights.

    Returns
    -------
    Graph
        Nodes labelled ``"b<block>.<index>"``, numbered block by block;
        positions on a circle.
    """
    sizes, p_in, p_out, seed = _stochastic_block_arguments(
        sizes, p_in, p_out, seed, weight=weight
    )
    n_blocks = len(sizes)
    probabilities = np.full((n_blocks, n_blocks), p_out)
    np.fill_diagonal(probabilities, p_in)
    nx_graph = nx.stochastic_block_model(sizes, probabilities.tolist(), seed=seed)
    labels = [f"b{b}.{i}" for b, size in enumerate(sizes) for i in range(size)]
    name = f"sbm{n_blocks}x{sum(sizes)}"
    return _graph(nx_graph, labels, _circle(sum(sizes)), weight, seed, name)


def _random_geometric_arguments(n, radius, seed=0, *, dim=2, weight=1.0):
    """Check the arguments of :func:`random_geometric`; return n, radius, seed."""
    n = check_integer("n", n, minimum=2)
    radius = check_positive("radius", radius)
    seed = check_seed(seed)
    if dim not in (2, 3):
        raise ValueError(f"dim must be 2 or 3, got {format_value(dim)}")
    ball = np.pi * radius**2 if dim == 2 else 4.0 / 3.0 * np.pi * radius**3
    _check_size(
        "random_geometric",
        n,
        n * (n - 1) / 2 * min(1.0, ball),
        nodes_name="n",
        edges_name="the expected edge count",
    )
    _checked_weight(weight)
    return n, radius, seed


def random_geometric(n, radius, seed=0, *, dim=2, weight=1.0):
    """Random geometric graph in the unit square (or cube).

    ``n`` points are placed uniformly at random in [0, 1]^dim; two points
    closer than ``radius`` (Euclidean) are joined.

    Parameters
    ----------
    n : int
        Number of nodes, >= 2 and <= ``MAX_NODES``.
    radius : float
        Connection distance, > 0. The expected edge count, ``n (n - 1) / 2``
        times the volume of a ball of this radius (at most 1; the boundary
        is ignored, so this overestimates), must be <= ``MAX_EDGES``.
    seed : int, optional
        Seed for the positions (and random weights).
    dim : {2, 3}, optional
        Dimension of the space.
    weight : float or (float, float), optional
        Edge weight, or a range for uniform random weights.

    Returns
    -------
    Graph
        Node positions are the random points (z = 0 when ``dim`` is 2).
    """
    n, radius, seed = _random_geometric_arguments(
        n, radius, seed, dim=dim, weight=weight
    )
    nx_graph = nx.random_geometric_graph(n, radius, dim=dim, seed=seed)
    positions = np.array([nx_graph.nodes[i]["pos"] for i in range(n)])
    return _graph(nx_graph, None, positions, weight, seed, f"geometric{n}")


_ARGUMENT_CHECKS = {
    "ring": _ring_arguments,
    "grid_2d": _grid_2d_arguments,
    "small_world": _small_world_arguments,
    "stochastic_block": _stochastic_block_arguments,
    "random_geometric": _random_geometric_arguments,
}


def check_arguments(generator, *args, **kwargs):
    """Check a generator's arguments without building the graph.

    Runs every check the generator runs before it builds anything (types,
    ranges, ``MAX_NODES``, ``MAX_EDGES``, ``MAX_BLOCKS``, the seed and the
    weight), so a caller can refuse a request before it logs or spends
    anything on it.

    Parameters
    ----------
    generator : {"ring", "grid_2d", "small_world", "stochastic_block", \
"random_geometric"}
        The generator's name.
    *args, **kwargs
        Its arguments, as the generator takes them.

    Raises
    ------
    ValueError
        The error the generator would raise for these arguments.

    Examples
    --------
    >>> check_arguments("ring", 10)
    >>> check_arguments("ring", 10**8)
    Traceback (most recent call last):
    ...
    ValueError: ring: n must be at most 1,000,000 nodes, got 100,000,000
    """
    if generator not in _ARGUMENT_CHECKS:
        options = ", ".join(repr(name) for name in _ARGUMENT_CHECKS)
        raise ValueError(
            f"generator must be one of {options}; got {format_value(generator)}"
        )
    _ARGUMENT_CHECKS[generator](*args, **kwargs)
