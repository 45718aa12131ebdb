"""Connectome arrays as read from a file, before they become a ``Graph``.

Every reader in :mod:`neurorelax.connectome` returns a :class:`RawConnectome`:
the weight matrix exactly as the file holds it (self-connections and
asymmetry included), the node labels and, where the file has them, node
positions and tract lengths. Preparation steps
(:mod:`neurorelax.connectome.preparation`) map one ``RawConnectome`` to another,
and :meth:`RawConnectome.to_graph` wraps the result in the graph level's
:class:`neurorelax.graph.Graph`.

The weights are kept as a ``scipy.sparse.csr_array`` so that large edge lists
never need a dense ``(n, n)`` array; connectomes read from dense files are
converted once.
"""

import logging
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from neurorelax.graph import Graph

__all__ = ["RawConnectome", "from_graph"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawConnectome:
    """A weighted connectivity matrix with its node metadata.

    Parameters
    ----------
    weights : scipy.sparse.csr_array of float64, shape (n_nodes, n_nodes)
        Connection weights; ``weights[i, j]`` is the weight from node ``i``
        to node ``j`` (arbitrary units). Finite and non-negative; stored
        zeros are removed.
    labels : list of str, length n_nodes
        Unique node labels (region names).
    positions : ndarray of float64, shape (n_nodes, 3), or None
        Node positions (for TVB: region centres in mm).
    tract_lengths : scipy.sparse.csr_array of float64, shape (n_nodes, n_nodes), or None
        Tract lengths (for TVB: mm), kept only where ``weights`` is non-zero.
    name : str
        Short name (built-in name or file stem).
    source : str
        Where the data came from (a path, or ``path:member`` inside a zip).
    directed : bool or None
        ``True`` or ``False`` where the file says so (GraphML, GEXF, an edge
        list read as directed); ``None`` means "decide from the symmetry of
        ``weights``".
    """

    weights: sp.csr_array
    labels: list
    positions: np.ndarray | None = None
    tract_lengths: sp.csr_array | None = None
    name: str = "graph"
    source: str = ""
    directed: bool | None = field(default=None)

    @classmethod
    def from_arrays(
        cls,
        weights,
        *,
        labels=None,
        positions=None,
        tract_lengths=None,
        name="graph",
        source="",
        directed=None,
    ):
        """Build a ``RawConnectome`` from checked arrays.

        The readers check their input entry by entry (to report the line of a
        bad value); this constructor only converts types, fills default
        labels and restricts tract lengths to the existing connections.

        Parameters
        ----------
        weights : array_like or sparse array, shape (n_nodes, n_nodes)
            Finite, non-negative weights.
        labels : sequence of str, optional
            Node labels; default ``"0"``, ``"1"``, ...
        positions : array_like, shape (n_nodes, 3) or (n_nodes, 2), optional
            Node positions; 2-D positions get ``z = 0``.
        tract_lengths : array_like or sparse array, shape (n_nodes, n_nodes), optional
            Tract lengths.
        name, source : str
            See the class docstring.
        directed : bool or None
            See the class docstring.

        Returns
        -------
        RawConnectome
        """
        matrix = sp.csr_array(weights, dtype=np.float64)
        matrix.eliminate_zeros()
        n_nodes = matrix.shape[0]
        labels = [str(i) for i in range(n_nodes)] if labels is None else labels
        if positions is not None:
            positions = np.asarray(positions, dtype=np.float64)
            if positions.shape[1] == 2:
                positions = np.column_stack([positions, np.zeros(n_nodes)])
        if tract_lengths is not None:
            tract_lengths = _on_edges(sp.csr_array(tract_lengths), matrix)
        return cls(
            weights=matrix,
            labels=[str(label) for label in labels],
            positions=positions,
            tract_lengths=tract_lengths,
            name=name,
            source=source,
            directed=directed,
        )

    @property
    def n_nodes(self):
        """int: number of nodes."""
        return self.weights.shape[0]

    @property
    def is_symmetric(self):
        """bool: whether ``weights`` equals its transpose (to 1e-12 relative)."""
        difference = abs(self.weights - self.weights.T)
        scale = max(abs(self.weights).max(), 1.0) if self.weights.nnz else 1.0
        return difference.nnz == 0 or difference.max() <= 1e-12 * scale

    @property
    def n_self_connections(self):
        """int: number of non-zero diagonal entries."""
        return int(np.count_nonzero(self.weights.diagonal()))

    def n_edges(self, directed=None):
        """Return the number of connections between distinct nodes.

        Parameters
        ----------
        directed : bool, optional
            Count ``i -> j`` and ``j -> i`` separately. The default follows
            :attr:`directed`, or the symmetry of the weights when that is
            ``None``; an undirected edge is counted once.

        Returns
        -------
        int
        """
        if directed is None:
            directed = (
                self.directed if self.directed is not None else (not self.is_symmetric)
            )
        off_diagonal = sp.triu(self.weights, 1) + sp.tril(self.weights, -1)
        if directed:
            return int(off_diagonal.count_nonzero())
        return int(sp.triu(off_diagonal + off_diagonal.T, 1).count_nonzero())

    def with_(self, **changes):
        """Return a copy with some fields replaced (stored zeros removed)."""
        raw = replace(self, **changes)
        if "weights" in changes:
            raw.weights.eliminate_zeros()
        if "weights" in changes and raw.tract_lengths is not None:
            raw = replace(raw, tract_lengths=_on_edges(raw.tract_lengths, raw.weights))
        return raw

    def select(self, node_indices):
        """Return the connectome restricted to ``node_indices`` (in that order)."""
        index = np.asarray(node_indices, dtype=np.intp)
        tract = self.tract_lengths
        return replace(
            self,
            weights=sp.csr_array(self.weights[index][:, index]),
            labels=[self.labels[i] for i in index],
            positions=None if self.positions is None else self.positions[index],
            tract_lengths=None
            if tract is None
            else sp.csr_array(tract[index][:, index]),
        )

    def to_graph(self):
        """Wrap the connectome in a :class:`neurorelax.graph.Graph`.

        ``Graph`` holds no self-connections, so any are removed first (and
        logged at INFO). The graph is directed when :attr:`directed` says so,
        or, when that is ``None``, when the weights are asymmetric.

        Returns
        -------
        neurorelax.graph.Graph

        Raises
        ------
        ValueError
            From ``Graph``, if an undirected graph has asymmetric weights or
            tract lengths (beyond a relative 1e-12).
        """
        from .preparation import remove_self_connections

        raw = remove_self_connections(self) if self.n_self_connections else self
        directed = raw.directed if raw.directed is not None else not raw.is_symmetric
        return Graph(
            raw.weights,
            directed=directed,
            labels=list(raw.labels),
            positions=raw.positions,
            tract_lengths=raw.tract_lengths,
            name=raw.name,
        )


def from_graph(graph):
    """Return the :class:`RawConnectome` holding a ``Graph``'s arrays.

    Parameters
    ----------
    graph : neurorelax.graph.Graph

    Returns
    -------
    RawConnectome
    """
    return RawConnectome.from_arrays(
        graph.weights,
        labels=list(graph.labels),
        positions=graph.positions,
        tract_lengths=graph.tract_lengths,
        name=graph.name or "graph",
        source=graph.name or "",
        directed=bool(graph.directed),
    )


def _on_edges(values, weights):
    """Keep the entries of ``values`` where ``weights`` is non-zero."""
    pattern = sp.csr_array(weights, copy=True)
    pattern.data[:] = 1.0
    result = sp.csr_array(values.multiply(pattern), dtype=np.float64)
    result.eliminate_zeros()
    return result
