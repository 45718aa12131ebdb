"""Numbers that describe a graph: size, density, weights, components, spectrum.

Used by ``neurorelax graph info`` and ``neurorelax graph plot``.
"""

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg

from neurorelax.graph import Graph, laplacian
from neurorelax.validation import check_integer, format_value

__all__ = [
    "DENSE_SPECTRUM_MAX_NODES",
    "SPECTRUM_MAX_NODES",
    "laplacian_spectrum",
    "summarize",
]

# A dense eigendecomposition of an (n, n) matrix needs 8 n^2 bytes and
# O(n^3) time: 4000 nodes is 128 MB and a few seconds.
DENSE_SPECTRUM_MAX_NODES = 4000
# summarize() skips lambda_2 and lambda_max above this many nodes unless
# asked: the sparse solver's time is unpredictable (a ring of 10,000 nodes,
# with its nearly degenerate spectrum, takes half a minute; 100,000 nodes
# did not finish in minutes).
SPECTRUM_MAX_NODES = DENSE_SPECTRUM_MAX_NODES


def _require_graph(graph):
    if not isinstance(graph, Graph):
        raise TypeError(
            "graph must be a neurorelax.graph.Graph, got "
            f"{type(graph).__name__} {format_value(graph)}; build one with "
            "Graph(weights) or neurorelax.connectome.load()"
        )


def _laplacian(graph, kind="combinatorial"):
    """Laplacian of ``graph``, or of (W + W^T) / 2 when it is directed.

    An undirected graph goes through :func:`neurorelax.graph.laplacian`. For a
    directed graph the same formulas are applied here to the symmetrised
    weights (rebuilding a ``Graph`` would repeat its structure warnings).
    """
    if not graph.directed:
        return laplacian(graph, kind=kind)
    weights = sp.csr_array((graph.weights + graph.weights.T) * 0.5)
    degrees = np.asarray(weights.sum(axis=1)).ravel()
    if kind == "combinatorial":
        return sp.csr_array(sp.diags_array(degrees) - weights)
    scale = np.zeros_like(degrees)
    scale[degrees > 0] = 1.0 / np.sqrt(degrees[degrees > 0])
    scaled = sp.diags_array(scale) @ weights @ sp.diags_array(scale)
    return sp.csr_array(sp.diags_array((degrees > 0).astype(np.float64)) - scaled)


def laplacian_spectrum(graph, kind="combinatorial"):
    """Return all eigenvalues of a Laplacian, ascending.

    Parameters
    ----------
    graph : neurorelax.graph.Graph
        At most ``DENSE_SPECTRUM_MAX_NODES`` nodes. A directed graph is
        replaced by its mean symmetrisation (W + W^T) / 2, whose Laplacian
        is symmetric with a real spectrum.
    kind : {"combinatorial", "symmetric", "random_walk"}
        See :func:`neurorelax.graph.laplacian`; for "random_walk" the
        eigenvalues equal those of "symmetric" (similar matrices), so the
        symmetric form is used.

    Returns
    -------
    ndarray of float64, shape (n_nodes,)
        0 = lambda_1 <= lambda_2 <= ... <= lambda_max; lambda_2 (the
        algebraic connectivity) is 0 exactly when the graph is disconnected.
    """
    _require_graph(graph)
    if graph.n_nodes > DENSE_SPECTRUM_MAX_NODES:
        raise ValueError(
            f"graph must have at most {DENSE_SPECTRUM_MAX_NODES} nodes for a "
            f"full spectrum (dense eigendecomposition), got {graph.n_nodes}"
        )
    kind = "symmetric" if kind == "random_walk" else kind
    matrix = _laplacian(graph, kind).toarray()
    values = scipy.linalg.eigvalsh(matrix)
    return np.clip(values, 0.0, None)


def _extreme_eigenvalues(graph):
    """lambda_2 and lambda_max of the combinatorial Laplacian (sparse)."""
    matrix = _laplacian(graph).tocsc()
    largest = scipy.sparse.linalg.eigsh(
        matrix, k=1, which="LA", return_eigenvectors=False
    )[0]
    # Shift-invert just below zero finds the smallest eigenvalues.
    smallest = scipy.sparse.linalg.eigsh(
        matrix,
        k=2,
        sigma=-1e-6 * max(largest, 1.0),
        which="LM",
        return_eigenvectors=False,
    )
    return float(max(np.sort(smallest)[1], 0.0)), float(largest)


def summarize(graph, *, spectrum_max_nodes=None):
    """Describe a graph in numbers.

    Parameters
    ----------
    graph : neurorelax.graph.Graph
    spectrum_max_nodes : int, optional
        Compute lambda_2 and lambda_max only for graphs of at most this many
        nodes (default ``SPECTRUM_MAX_NODES`` = 4000); larger graphs get None
        and the reason in ``spectrum_skipped``. Above
        ``DENSE_SPECTRUM_MAX_NODES`` the sparse solver
        (``scipy.sparse.linalg.eigsh``) is used, which can take minutes.

    Returns
    -------
    dict
        ``name``, ``nodes``, ``edges`` (undirected edges counted once),
        ``directed``, ``density`` (edges over possible edges, no
        self-connections), ``weight_min`` and ``weight_max`` (over existing
        edges; None without edges), ``symmetric``, ``components`` (count),
        ``largest_component`` (nodes), ``isolated_nodes``, ``lambda_2`` and
        ``lambda_max`` of the combinatorial Laplacian L = D - W (of
        (W + W^T) / 2 for a directed graph; None for a single node), and
        ``spectrum_of`` saying which matrix they come from, and
        ``spectrum_skipped`` (None, or why lambda_2 and lambda_max were not
        computed).
    """
    _require_graph(graph)
    if spectrum_max_nodes is None:
        spectrum_max_nodes = SPECTRUM_MAX_NODES
    spectrum_max_nodes = check_integer(
        "spectrum_max_nodes", spectrum_max_nodes, minimum=0
    )
    n_nodes, n_edges = graph.n_nodes, graph.n_edges
    pairs = n_nodes * (n_nodes - 1) / (1 if graph.directed else 2)
    data = graph.weights.data
    components = graph.components()
    summary = {
        "name": graph.name or "graph",
        "nodes": n_nodes,
        "edges": n_edges,
        "directed": bool(graph.directed),
        "density": n_edges / pairs if pairs else 0.0,
        "weight_min": float(data.min()) if data.size else None,
        "weight_max": float(data.max()) if data.size else None,
        "symmetric": bool(graph.is_symmetric),
        "components": len(components),
        "largest_component": int(components[0].size) if components else 0,
        "isolated_nodes": int(np.asarray(graph.isolated_nodes).size),
        "lambda_2": None,
        "lambda_max": None,
        "spectrum_of": "L = D - W"
        + (" of the symmetrised graph (W + W^T)/2" if graph.directed else ""),
        "spectrum_skipped": None,
    }
    if n_nodes > spectrum_max_nodes:
        summary["spectrum_skipped"] = (
            f"{n_nodes} nodes > spectrum_max_nodes = {spectrum_max_nodes} "
            "(the sparse eigensolver can take minutes on large graphs)"
        )
    elif n_nodes >= 2:
        if n_nodes <= DENSE_SPECTRUM_MAX_NODES:
            values = laplacian_spectrum(graph)
            summary["lambda_2"], summary["lambda_max"] = (
                float(values[1]),
                float(values[-1]),
            )
        else:
            summary["lambda_2"], summary["lambda_max"] = _extreme_eigenvalues(graph)
    return summary
