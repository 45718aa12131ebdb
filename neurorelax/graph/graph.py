"""The weighted graph on which graph-level activation lives.

A :class:`Graph` holds a non-negative weighted adjacency matrix W as a
``scipy.sparse.csr_array`` of float64, validated once when the graph is built:
square, finite, non-negative, symmetric unless the graph is directed, and
without self-loops (refused, or dropped on request). Isolated nodes and
disconnected components are legal but usually a modelling mistake, so they are
reported by a :class:`GraphWarning` and kept as attributes.

Convention: ``W[i, j]`` is the weight of the edge from node i to node j. For a
directed graph the degree of node i is its out-degree, ``sum_j W[i, j]``.
"""

import logging
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from neurorelax.graph._checks import as_csr, check_real
from neurorelax.validation import check_choice, check_finite_array, format_value

__all__ = ["Graph", "GraphWarning"]

logger = logging.getLogger(__name__)

# Relative tolerance under which W and W.T count as equal; the stored matrix is
# then made exactly symmetric by averaging.
SYMMETRY_RTOL = 1e-12


class GraphWarning(UserWarning):
    """Legal but suspicious graph input (isolated nodes, several components)."""


class Graph:
    """A weighted graph with validated, non-negative weights stored as CSR.

    Parameters
    ----------
    weights : array_like, scipy.sparse matrix or array, or networkx.Graph
        Weighted adjacency matrix W of shape (n_nodes, n_nodes); ``W[i, j]``
        is the weight (dimensionless coupling strength) of the edge i -> j.
        A networkx graph is converted with :meth:`from_networkx` defaults
        (a ``networkx.DiGraph`` gives a directed graph).
    directed : bool, optional
        Accept an asymmetric W. By default W must be symmetric (to a relative
        tolerance of 1e-12, after which it is symmetrised exactly).
    self_loops : {"refuse", "drop"}, optional
        What to do with non-zero diagonal entries: raise ``ValueError``
        ("refuse", the default) or remove them and log it ("drop").
    labels : sequence of str, optional
        One name per node; default ``"0", "1", ...``.
    positions : array_like of shape (n_nodes, 3) or (n_nodes, 2), optional
        Node coordinates (any length unit, e.g. mm); 2-D positions get z = 0.
    tract_lengths : array_like or sparse, shape (n_nodes, n_nodes), optional
        Non-negative length of each connection (e.g. mm), with the same
        symmetry requirement as ``weights``.
    name : str, optional
        A short name used in logs and figure titles.

    Attributes
    ----------
    weights : scipy.sparse.csr_array of float64, shape (n_nodes, n_nodes)
        W with canonical format (sorted indices, no duplicates, no explicit
        zeros). Treat it as read-only.
    isolated_nodes : ndarray of int64
        Indices of nodes without any edge (in or out).
    n_components : int
        Number of (weakly, if directed) connected components.

    Raises
    ------
    ValueError
        For a non-square, non-finite or negative W, an asymmetric W without
        ``directed=True``, self-loops with ``self_loops="refuse"``, and labels,
        positions or tract lengths that do not match the node count.

    Warns
    -----
    GraphWarning
        When some nodes are isolated or the graph has several components.

    Examples
    --------
    >>> import numpy as np
    >>> g = Graph(np.array([[0, 1, 0], [1, 0, 2], [0, 2, 0]]))
    >>> g.n_nodes, g.n_edges
    (3, 2)
    >>> g.degrees.tolist()
    [1.0, 3.0, 2.0]
    """

    def __init__(
        self,
        weights,
        *,
        directed=False,
        self_loops="refuse",
        labels=None,
        positions=None,
        tract_lengths=None,
        name=None,
    ):
        if _is_networkx(weights):
            other = Graph.from_networkx(
                weights,
                directed=directed or weights.is_directed(),
                self_loops=self_loops,
                labels=labels,
                positions=positions,
                tract_lengths=tract_lengths,
                name=name,
            )
            self.__dict__.update(other.__dict__)
            return

        check_choice("self_loops", self_loops, ("refuse", "drop"))
        if not isinstance(directed, bool | np.bool_):
            raise ValueError(
                f"directed must be True or False, got {format_value(directed)}"
            )
        self.directed = bool(directed)
        self.name = None if name is None else str(name)
        self.weights = _validated_matrix(
            "weights", weights, directed=self.directed, self_loops=self_loops
        )
        n_nodes = self.weights.shape[0]

        self.labels = _validated_labels(labels, n_nodes)
        self.positions = _validated_positions(positions, n_nodes)
        self.tract_lengths = None
        if tract_lengths is not None:
            self.tract_lengths = _validated_matrix(
                "tract_lengths",
                tract_lengths,
                directed=self.directed,
                self_loops="drop",
                n_nodes=n_nodes,
            )

        self._report_structure()

    @classmethod
    def from_networkx(cls, nx_graph, weight="weight", **keywords):
        """Build a graph from a networkx graph.

        Parameters
        ----------
        nx_graph : networkx.Graph or networkx.DiGraph
            Nodes in ``nx_graph.nodes`` order become indices 0..n-1. A
            ``networkx.DiGraph`` gives ``directed=True`` unless stated.
        weight : str or None, optional
            Edge attribute holding the weight; edges without it weigh 1, and
            ``None`` gives every edge weight 1. A name other than the default
            ``"weight"`` that no edge carries is refused (most likely a
            misspelling, which would otherwise give unit weights silently).
        **keywords
            Keywords of :class:`Graph`. ``labels`` defaults to each node's
            ``"label"`` attribute, or to ``str(node)``; ``positions`` to the
            nodes' ``"pos"`` attributes when every node has one.

        Returns
        -------
        Graph
        """
        import networkx as nx

        if not _is_networkx(nx_graph):
            raise ValueError(
                "nx_graph must be a networkx graph, got "
                f"{type(nx_graph).__name__}: {format_value(nx_graph)}"
            )
        nodes = list(nx_graph.nodes)
        keywords.setdefault("directed", nx_graph.is_directed())
        if keywords.get("labels") is None:
            keywords["labels"] = [
                str(nx_graph.nodes[node].get("label", node)) for node in nodes
            ]
        if keywords.get("positions") is None:
            pos = [nx_graph.nodes[node].get("pos") for node in nodes]
            if nodes and all(p is not None for p in pos):
                keywords["positions"] = np.asarray(pos, dtype=np.float64)

        if not nodes:
            raise ValueError("nx_graph must have at least one node, got an empty graph")
        if weight is not None and weight != "weight" and nx_graph.number_of_edges():
            check_weight_attribute(nx_graph, weight)
        try:
            matrix = nx.to_scipy_sparse_array(
                nx_graph, nodelist=nodes, weight=weight, format="csr", dtype=np.float64
            )
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"nx_graph: edge attribute {weight!r} must hold numbers ({error})"
            ) from None
        return cls(matrix, **keywords)

    # Sizes and structure -----------------------------------------------------

    @property
    def n_nodes(self):
        """int: Number of nodes."""
        return self.weights.shape[0]

    @property
    def n_edges(self):
        """int: Number of edges; an undirected edge is counted once."""
        if self.directed:
            return int(self.weights.nnz)
        return int(self.weights.nnz // 2)

    @property
    def degrees(self):
        """ndarray of float64, shape (n_nodes,): weighted (out-)degree."""
        return np.asarray(self.weights.sum(axis=1)).ravel()

    @property
    def is_symmetric(self):
        """bool: Whether W equals its transpose exactly."""
        difference = self.weights - self.weights.T
        return difference.count_nonzero() == 0

    def components(self):
        """Return the connected components, largest first.

        Returns
        -------
        list of ndarray of int64
            Node indices of each (weakly, if directed) connected component,
            sorted ascending; components ordered by decreasing size, ties by
            their smallest node index.
        """
        _, membership = connected_components(
            self.weights, directed=self.directed, connection="weak"
        )
        groups = [
            np.flatnonzero(membership == k).astype(np.int64)
            for k in range(membership.max(initial=-1) + 1)
        ]
        return sorted(groups, key=lambda nodes: (-nodes.size, nodes[0]))

    # Conversions ---------------------------------------------------------------

    def to_dense(self):
        """Return W as a dense ndarray of float64, shape (n_nodes, n_nodes)."""
        return self.weights.toarray()

    def to_networkx(self):
        """Return a networkx graph with integer nodes 0..n-1.

        Each node carries ``label`` (and ``pos`` when positions are known);
        each edge carries ``weight`` (and ``length`` when tract lengths are
        known). Directed graphs give a ``networkx.DiGraph``.
        """
        import networkx as nx

        nx_graph = nx.DiGraph() if self.directed else nx.Graph()
        for index, label in enumerate(self.labels):
            attributes = {"label": label}
            if self.positions is not None:
                attributes["pos"] = tuple(self.positions[index])
            nx_graph.add_node(index, **attributes)

        coo = self.weights.tocoo()
        lengths = None
        if self.tract_lengths is not None:
            lengths = self.tract_lengths
        for i, j, w in zip(
            coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True
        ):
            if not self.directed and j < i:
                continue
            attributes = {"weight": w}
            if lengths is not None:
                attributes["length"] = float(lengths[i, j])
            nx_graph.add_edge(i, j, **attributes)
        return nx_graph

    def subgraph(self, node_indices):
        """Return the graph induced by some nodes.

        Parameters
        ----------
        node_indices : array_like of int, or of bool with shape (n_nodes,)
            Indices of the nodes to keep (unique, in range), or a mask. The
            new graph numbers them in the order given.

        Returns
        -------
        Graph
            Same ``directed`` flag, with labels, positions and tract lengths
            restricted to the kept nodes.
        """
        index = _validated_node_indices("node_indices", node_indices, self.n_nodes)
        tract = None
        if self.tract_lengths is not None:
            tract = self.tract_lengths[index][:, index]
        positions = None if self.positions is None else self.positions[index]
        return Graph(
            self.weights[index][:, index],
            directed=self.directed,
            labels=[self.labels[i] for i in index],
            positions=positions,
            tract_lengths=tract,
            name=self.name,
        )

    def __repr__(self):
        kind = "directed" if self.directed else "undirected"
        name = "" if self.name is None else f" {self.name!r}"
        return f"<Graph{name}: {self.n_nodes} nodes, {self.n_edges} edges, {kind}>"

    def _report_structure(self):
        """Find isolated nodes and components; warn about them."""
        touched = np.zeros(self.n_nodes, dtype=bool)
        coo = self.weights.tocoo()
        touched[coo.row] = True
        touched[coo.col] = True
        self.isolated_nodes = np.flatnonzero(~touched).astype(np.int64)
        self.n_components = len(self.components()) if self.n_nodes else 0
        label = self.name or "graph"
        logger.debug(
            "%s: %d nodes, %d edges, %d component(s)",
            label,
            self.n_nodes,
            self.n_edges,
            self.n_components,
        )

        if self.isolated_nodes.size:
            shown = self.isolated_nodes[:10].tolist()
            message = (
                f"{label}: {self.isolated_nodes.size} isolated node(s) "
                f"(first: {shown}); they keep their activation under diffusion"
            )
            logger.warning(message)
            warnings.warn(message, GraphWarning, stacklevel=3)
        if self.n_components > 1:
            message = (
                f"{label}: {self.n_components} connected components; diffusion "
                "equalises activation only within each component"
            )
            logger.warning(message)
            warnings.warn(message, GraphWarning, stacklevel=3)


def check_weight_attribute(nx_graph, weight, where="nx_graph"):
    """Refuse a chosen weight attribute that no edge of ``nx_graph`` carries.

    Edges without the attribute weigh 1, so a misspelt name would otherwise
    give a graph of unit weights without a word. ``where`` names the graph
    (an argument or a file) in the message.
    """
    present = set()
    for _, _, data in nx_graph.edges(data=True):
        if weight in data:
            return
        present.update(map(str, data))
    found = ", ".join(sorted(present)[:10]) if present else "none"
    raise ValueError(
        f"{where}: no edge has the attribute weight={weight!r}; the edges' "
        f"attributes are: {found}"
    )


def _is_networkx(value):
    """True when ``value`` is a networkx graph (without importing networkx)."""
    module = type(value).__module__ or ""
    return module.startswith("networkx") and hasattr(value, "is_directed")


def _validated_matrix(name, values, *, directed, self_loops, n_nodes=None):
    """Return ``values`` as a canonical, checked csr_array of float64."""
    if sp.issparse(values):
        matrix = as_csr(name, values)
    else:
        check_real(name, values)
        dense = check_finite_array(name, values, ndim=2)
        matrix = sp.csr_array(dense)
    _check_square(name, matrix.shape, n_nodes)

    matrix.sum_duplicates()
    if (matrix.data < 0).any():
        coo = matrix.tocoo()
        k = int(np.flatnonzero(coo.data < 0)[0])
        raise ValueError(
            f"{name} must be non-negative; entry ({coo.row[k]}, {coo.col[k]}) "
            f"is {float(coo.data[k])!r}"
        )
    matrix = _handle_self_loops(name, matrix, self_loops)
    matrix.eliminate_zeros()
    matrix.sort_indices()
    with np.errstate(over="ignore"):  # an overflow is refused just below
        strengths = np.concatenate([matrix.sum(axis=0), matrix.sum(axis=1)])
    if not np.isfinite(strengths).all():
        raise ValueError(
            f"{name}: the sum of a node's weights overflows float64; rescale "
            "the weights (e.g. divide by their maximum)"
        )

    if not directed:
        matrix = _symmetrised(name, matrix)
    return compact_indices(matrix)


def compact_indices(matrix):
    """Store CSR indices as int32 when they fit (halves index traffic)."""
    limit = np.iinfo(np.int32).max
    if max(matrix.nnz, matrix.shape[0]) < limit and matrix.indices.dtype != np.int32:
        matrix.indices = matrix.indices.astype(np.int32)
        matrix.indptr = matrix.indptr.astype(np.int32)
    return matrix


def _check_square(name, shape, n_nodes):
    if shape[0] != shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {shape}")
    if shape[0] == 0:
        raise ValueError(f"{name} must have at least one node, got shape {shape}")
    if n_nodes is not None and shape != (n_nodes, n_nodes):
        raise ValueError(
            f"{name} must have shape ({n_nodes}, {n_nodes}) to match the "
            f"weights, got shape {shape}"
        )


def _handle_self_loops(name, matrix, self_loops):
    diagonal = matrix.diagonal()
    loops = np.flatnonzero(diagonal != 0)
    if loops.size == 0:
        return matrix
    if self_loops == "refuse":
        raise ValueError(
            f"{name} must have a zero diagonal (no self-loops); node "
            f"{loops[0]} has W[{loops[0]}, {loops[0]}] = {float(diagonal[loops[0]])!r} "
            f"({loops.size} self-loop(s) in all). Pass self_loops='drop' to "
            "remove them"
        )
    logger.info("%s: dropped %d self-loop(s)", name, loops.size)
    matrix = matrix.tolil()
    matrix.setdiag(0)
    return sp.csr_array(matrix)


def _symmetrised(name, matrix):
    """Check that a matrix is symmetric within tolerance; make it exact."""
    difference = abs(matrix - matrix.T)
    scale = abs(matrix).max() if matrix.nnz else 0.0
    if difference.nnz and difference.max() > SYMMETRY_RTOL * scale:
        coo = difference.tocoo()
        k = int(np.argmax(coo.data))
        i, j = int(coo.row[k]), int(coo.col[k])
        raise ValueError(
            f"{name} must be symmetric for an undirected graph; "
            f"W[{i}, {j}] = {float(matrix[i, j])!r} but W[{j}, {i}] = "
            f"{float(matrix[j, i])!r}. "
            "Pass directed=True for a directed graph"
        )
    # Both forms are exactly symmetric (addition commutes). W + W.T overflows
    # for weights near the float64 maximum, and halving first would round the
    # tiniest subnormal weights to 0, so halve first only for huge weights.
    if scale > np.finfo(np.float64).max / 2:
        symmetric = sp.csr_array(0.5 * matrix + 0.5 * matrix.T)
    else:
        symmetric = sp.csr_array((matrix + matrix.T) * 0.5)
    symmetric.eliminate_zeros()
    symmetric.sort_indices()
    return symmetric


def _validated_labels(labels, n_nodes):
    if labels is None:
        return [str(i) for i in range(n_nodes)]
    if isinstance(labels, str) or not hasattr(labels, "__len__"):
        raise ValueError(
            f"labels must be a sequence of {n_nodes} strings, got "
            f"{format_value(labels)}"
        )
    if len(labels) != n_nodes:
        raise ValueError(
            f"labels must have one entry per node ({n_nodes}), got {len(labels)}"
        )
    return [str(label) for label in labels]


def _validated_positions(positions, n_nodes):
    if positions is None:
        return None
    array = check_finite_array("positions", positions, ndim=2)
    if array.shape[0] != n_nodes or array.shape[1] not in (2, 3):
        raise ValueError(
            f"positions must have shape ({n_nodes}, 3) or ({n_nodes}, 2), "
            f"got shape {array.shape}"
        )
    if array.shape[1] == 2:
        array = np.column_stack([array, np.zeros(n_nodes)])
    return array


def _validated_node_indices(name, node_indices, n_nodes):
    array = np.asarray(node_indices)
    if array.dtype == bool:
        if array.shape != (n_nodes,):
            raise ValueError(
                f"{name} as a mask must have shape ({n_nodes},), got "
                f"shape {array.shape}"
            )
        return np.flatnonzero(array).astype(np.int64)
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise ValueError(
            f"{name} must be a 1-D array of integer node indices, got "
            f"{format_value(node_indices)}"
        )
    array = array.astype(np.int64)
    if array.size and (array.min() < 0 or array.max() >= n_nodes):
        raise ValueError(
            f"{name} must lie in [0, {n_nodes - 1}], got values from "
            f"{array.min()} to {array.max()}"
        )
    if np.unique(array).size != array.size:
        raise ValueError(f"{name} must not repeat a node, got {format_value(array)}")
    return array
