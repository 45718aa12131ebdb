"""Graph Laplacians: combinatorial, symmetric normalised and random-walk.

With W the weighted adjacency, D = diag(d) its degree matrix (d_i = sum_j
W[i, j], the out-degree for a directed graph) and I the identity:

- combinatorial ``L = D - W``;
- symmetric normalised ``L_sym = I - D^-1/2 W D^-1/2``;
- random-walk ``L_rw = I - D^-1 W``.

The combinatorial Laplacian of an undirected graph is symmetric positive
semi-definite with zero row and column sums, so diffusion dM/dt = -gamma L M
conserves the total activation. Its eigenvalues satisfy
0 = lambda_1 <= lambda_2 <= ... <= lambda_n <= 2 max(d).
"""

import numpy as np
import scipy.sparse as sp

from neurorelax.validation import check_choice

__all__ = ["LAPLACIAN_KINDS", "laplacian"]

LAPLACIAN_KINDS = ("combinatorial", "symmetric", "random_walk")


def laplacian(graph, kind="combinatorial"):
    """Return a Laplacian of a graph as a CSR matrix.

    Parameters
    ----------
    graph : Graph or anything :class:`~neurorelax.graph.Graph` accepts
        The graph; other input is converted with ``Graph(graph)`` (undirected,
        self-loops refused).
    kind : {"combinatorial", "symmetric", "random_walk"}, optional
        ``"combinatorial"``: L = D - W. ``"symmetric"``:
        L = I - D^-1/2 W D^-1/2. ``"random_walk"``: L = I - D^-1 W.

    Returns
    -------
    scipy.sparse.csr_array of float64, shape (n_nodes, n_nodes)
        The Laplacian, with sorted indices and an explicit diagonal entry on
        every row (zero for isolated nodes).

    Notes
    -----
    For an isolated node (d_i = 0) the normalised Laplacians have a zero row
    and column, as in Chung's definition; networkx puts 1 on the diagonal
    instead. For a directed graph, d is the out-degree and
    (L M)_i = sum_j W[i, j] (M_i - M_j): node i is pulled towards the nodes it
    points to.

    Examples
    --------
    >>> import numpy as np
    >>> from neurorelax.graph import Graph
    >>> g = Graph(np.array([[0.0, 2.0], [2.0, 0.0]]))
    >>> laplacian(g).toarray().tolist()
    [[2.0, -2.0], [-2.0, 2.0]]
    >>> np.round(laplacian(g, "symmetric").toarray(), 12).tolist()
    [[1.0, -1.0], [-1.0, 1.0]]
    """
    from neurorelax.graph.graph import Graph

    check_choice("kind", kind, LAPLACIAN_KINDS)
    if not isinstance(graph, Graph):
        graph = Graph(graph)
    return laplacian_of_weights(graph.weights, kind)


def laplacian_of_weights(weights, kind="combinatorial"):
    """Return a Laplacian of already validated CSR weights (no checks).

    For internal use where the weights change during a simulation (Hebbian
    replay); see :func:`laplacian` for the definitions.
    """
    n_nodes = weights.shape[0]
    degrees = np.asarray(weights.sum(axis=1)).ravel()
    connected = degrees > 0

    if kind == "combinatorial":
        result = sp.diags_array(degrees) - weights
    elif kind == "symmetric":
        scale = np.zeros(n_nodes)
        scale[connected] = 1.0 / np.sqrt(degrees[connected])
        scaled = sp.diags_array(scale) @ weights @ sp.diags_array(scale)
        result = sp.diags_array(connected.astype(np.float64)) - scaled
    else:
        scale = np.zeros(n_nodes)
        scale[connected] = 1.0 / degrees[connected]
        scaled = sp.diags_array(scale) @ weights
        result = sp.diags_array(connected.astype(np.float64)) - scaled

    result = sp.csr_array(result, dtype=np.float64)
    result.sum_duplicates()
    result.sort_indices()
    return result
