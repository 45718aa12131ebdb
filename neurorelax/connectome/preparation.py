"""Preparation steps that users of connectomes expect.

Each step takes a :class:`~neurorelax.connectome.raw.RawConnectome` and
returns a new one (the input is never modified), and logs at INFO what it
changed: how many connections or nodes it removed, and the weight range it
produced. :func:`prepare` runs the chosen steps in a fixed order and accepts
either a ``RawConnectome`` or a :class:`neurorelax.graph.Graph` (and returns
the same kind).

Counting convention in the logs: a connection is one non-zero off-diagonal
entry ``W[i, j]``; an undirected edge is one symmetric pair, counted once.
"""

import logging

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from neurorelax.graph import Graph
from neurorelax.validation import (
    check_choice,
    check_in_range,
    check_positive,
    format_value,
)

from .raw import RawConnectome, from_graph

__all__ = [
    "NORMALISATIONS",
    "SYMMETRISATIONS",
    "keep_strongest",
    "largest_component",
    "log_transform",
    "normalise",
    "prepare",
    "remove_self_connections",
    "symmetrise",
    "threshold",
]

logger = logging.getLogger(__name__)

SYMMETRISATIONS = ("mean", "max")
NORMALISATIONS = ("max", "total", "row")


def _edge_text(raw):
    """'N undirected edges' or 'N directed connections' for a log line."""
    if raw.is_symmetric:
        return f"{raw.n_edges(directed=False)} undirected edges"
    return f"{raw.n_edges(directed=True)} directed connections"


def _range_text(weights):
    if weights.nnz == 0:
        return "no weights"
    return f"weights in [{weights.data.min():.4g}, {weights.data.max():.4g}]"


def remove_self_connections(raw):
    """Set the diagonal ``W[i, i]`` to zero.

    Parameters
    ----------
    raw : RawConnectome

    Returns
    -------
    RawConnectome
    """
    count = raw.n_self_connections
    if count == 0:
        logger.info("%s: no self-connections to remove", raw.name)
        return raw
    weights = sp.lil_array(raw.weights)
    weights.setdiag(0.0)
    logger.info("%s: removed %d self-connection(s)", raw.name, count)
    return raw.with_(weights=sp.csr_array(weights))


def symmetrise(raw, how="mean"):
    """Make the weights symmetric.

    ``"mean"``: W <- (W + W^T) / 2 (a connection present in one direction
    only keeps half its weight). ``"max"``: W <- max(W, W^T) elementwise.
    Tract lengths become max(T, T^T), so a connection known in one direction
    gets its length in both.

    Parameters
    ----------
    raw : RawConnectome
    how : {"mean", "max"}

    Returns
    -------
    RawConnectome
        Undirected (``directed=False``).
    """
    check_choice("symmetrise", how, SYMMETRISATIONS)
    weights = raw.weights
    before = raw.n_edges(directed=True)
    one_way = int((weights - weights.multiply(weights.T > 0)).count_nonzero())
    if how == "mean":
        result = sp.csr_array((weights + weights.T) * 0.5)
    else:
        result = sp.csr_array(weights.maximum(weights.T))
    tract = raw.tract_lengths
    if tract is not None:
        tract = sp.csr_array(tract.maximum(tract.T))

    prepared = raw.with_(weights=result, tract_lengths=tract, directed=False)
    logger.info(
        "%s: symmetrised (%s): %d directed connections (%d without a reverse "
        "connection) -> %d undirected edges; %s",
        raw.name,
        how,
        before,
        one_way,
        prepared.n_edges(directed=False),
        _range_text(prepared.weights),
    )
    return prepared


def threshold(raw, value):
    """Remove connections weaker than ``value`` (keep ``W[i, j] >= value``).

    Parameters
    ----------
    raw : RawConnectome
    value : float
        Absolute threshold in the units of the weights, >= 0.

    Returns
    -------
    RawConnectome
    """
    value = check_positive("threshold", value, allow_zero=True)
    weights = raw.weights.copy()
    before = _edge_text(raw)
    weights.data[weights.data < value] = 0.0

    prepared = raw.with_(weights=weights)
    logger.info(
        "%s: threshold %.4g: %s -> %s", raw.name, value, before, _edge_text(prepared)
    )
    return prepared


def keep_strongest(raw, fraction):
    """Keep the strongest ``fraction`` of the connections.

    The cut is the weight of the ``ceil(fraction * m)``-th strongest of the
    ``m`` edges (symmetric pairs counted once in a symmetric matrix);
    connections tied with it are all kept, so slightly more than the
    fraction can remain.

    Parameters
    ----------
    raw : RawConnectome
    fraction : float
        In (0, 1].

    Returns
    -------
    RawConnectome
    """
    fraction = check_in_range("keep_fraction", fraction, 0.0, 1.0, low_open=True)
    symmetric = raw.is_symmetric
    off = raw.weights - sp.diags_array(raw.weights.diagonal())
    candidates = sp.triu(off, 1) if symmetric else off
    values = np.sort(sp.csr_array(candidates).data)[::-1]
    if values.size == 0:
        logger.info("%s: keep strongest %.3g: no edges", raw.name, fraction)
        return raw
    count = int(np.ceil(fraction * values.size))
    cut = values[count - 1]

    weights = raw.weights.copy()
    weights.data[weights.data < cut] = 0.0
    prepared = raw.with_(weights=weights)
    logger.info(
        "%s: kept the strongest %.3g of edges (cut at weight %.4g): %s -> %s",
        raw.name,
        fraction,
        cut,
        _edge_text(raw),
        _edge_text(prepared),
    )
    return prepared


def log_transform(raw):
    """Replace each weight by log(1 + w) (zeros stay zero, order is kept).

    Returns
    -------
    RawConnectome
    """
    weights = raw.weights.copy()
    weights.data = np.log1p(weights.data)
    logger.info(
        "%s: log transform w -> log(1 + w): %s -> %s",
        raw.name,
        _range_text(raw.weights),
        _range_text(weights),
    )
    return raw.with_(weights=weights)


def normalise(raw, how="max"):
    """Rescale the weights.

    ``"max"``: W / max(W), so the strongest weight is 1. ``"total"``:
    W / sum_ij W[i, j], so all entries sum to 1 (each undirected edge counts
    twice). ``"row"``: each row divided by its sum, so every node with
    outgoing connections has out-strength 1; this usually makes a symmetric
    matrix asymmetric, i.e. a directed graph. Rows without connections stay
    zero.

    Parameters
    ----------
    raw : RawConnectome
    how : {"max", "total", "row"}

    Returns
    -------
    RawConnectome

    Raises
    ------
    ValueError
        If the graph has no connections (nothing to normalise by).
    """
    check_choice("normalise", how, NORMALISATIONS)
    weights = raw.weights.copy()
    if weights.nnz == 0:
        raise ValueError(
            f"normalise={how!r} needs at least one connection; {raw.name} has none"
        )
    directed = raw.directed
    if how == "max":
        scale = weights.data.max()
        weights.data /= scale
        detail = f"divided by the maximum weight {scale:.4g}"
    elif how == "total":
        scale = weights.data.sum()
        weights.data /= scale
        detail = f"divided by the total weight {scale:.4g}"
    else:
        sums = np.asarray(weights.sum(axis=1)).ravel()
        rows = np.repeat(np.arange(raw.n_nodes), np.diff(weights.indptr))
        weights.data /= sums[rows]
        detail = "each row divided by its sum"
        directed = None  # decided by the symmetry of the result

    prepared = raw.with_(weights=weights, directed=directed)
    if how == "row" and raw.is_symmetric and not prepared.is_symmetric:
        detail += " (the result is asymmetric: a directed graph)"
    logger.info(
        "%s: normalised (%s): %s; %s", raw.name, how, detail, _range_text(weights)
    )
    return prepared


def largest_component(raw):
    """Keep the largest (weakly) connected component.

    Ties between components of equal size go to the one holding the lowest
    node index. Node order within the component is kept.

    Returns
    -------
    RawConnectome
    """
    n_components, membership = connected_components(
        raw.weights, directed=True, connection="weak"
    )
    if n_components <= 1:
        logger.info("%s: connected (%d nodes); nothing removed", raw.name, raw.n_nodes)
        return raw
    sizes = np.bincount(membership)
    keep = np.flatnonzero(membership == int(np.argmax(sizes)))
    dropped = np.setdiff1d(np.arange(raw.n_nodes), keep)

    prepared = raw.select(keep)
    shown = ", ".join(repr(raw.labels[i]) for i in dropped[:10])
    more = "" if dropped.size <= 10 else f" and {dropped.size - 10} more"
    logger.info(
        "%s: largest connected component of %d: kept %d of %d nodes "
        "(removed %s%s); %s -> %s",
        raw.name,
        n_components,
        keep.size,
        raw.n_nodes,
        shown,
        more,
        _edge_text(raw),
        _edge_text(prepared),
    )
    return prepared


def prepare(
    graph,
    *,
    symmetrise=None,
    remove_self_connections=True,
    threshold=None,
    keep_fraction=None,
    log_transform=False,
    normalise=None,
    largest_component=False,
):
    """Run preparation steps in a fixed order.

    The order is: remove self-connections, symmetrise, absolute threshold,
    keep the strongest fraction, log transform, largest connected component,
    normalise. Normalising last means "max" gives a largest weight of
    exactly 1 in the returned graph. Each step that runs logs what it
    changed at INFO.

    Parameters
    ----------
    graph : RawConnectome or neurorelax.graph.Graph
        The connectome; it is not modified.
    symmetrise : {"mean", "max"} or None
        See :func:`neurorelax.connectome.preparation.symmetrise`.
    remove_self_connections : bool
        Zero the diagonal. A ``Graph`` has no self-connections, so ``False``
        only matters for a ``RawConnectome``.
    threshold : float or None
        Remove connections weaker than this absolute weight.
    keep_fraction : float in (0, 1] or None
        Keep this fraction of the strongest connections.
    log_transform : bool
        Replace w by log(1 + w).
    normalise : {"max", "total", "row"} or None
        See :func:`neurorelax.connectome.preparation.normalise`.
    largest_component : bool
        Keep only the largest (weakly) connected component.

    Returns
    -------
    RawConnectome or neurorelax.graph.Graph
        The same kind as ``graph``.

    Examples
    --------
    >>> import numpy as np
    >>> from neurorelax.connectome import RawConnectome, prepare
    >>> raw = RawConnectome.from_arrays(np.array([[1.0, 4.0], [2.0, 0.0]]))
    >>> prepare(raw, symmetrise="mean", normalise="max").weights.toarray()
    array([[0., 1.],
           [1., 0.]])
    """
    options = _checked_options(
        symmetrise,
        threshold,
        keep_fraction,
        normalise,
        remove_self_connections=remove_self_connections,
        log_transform=log_transform,
        largest_component=largest_component,
    )
    is_raw = isinstance(graph, RawConnectome)
    if not is_raw and not isinstance(graph, Graph):
        raise TypeError(
            "graph must be a RawConnectome or a neurorelax.graph.Graph, got "
            f"{type(graph).__name__} {format_value(graph)}; wrap an array in "
            "RawConnectome.from_arrays() or Graph() first"
        )
    raw = graph if is_raw else from_graph(graph)

    steps = [
        (remove_self_connections, "remove_self_connections", ()),
        (symmetrise is not None, "symmetrise", (symmetrise,)),
        (threshold is not None, "threshold", (options["threshold"],)),
        (keep_fraction is not None, "keep_strongest", (options["keep_fraction"],)),
        (log_transform, "log_transform", ()),
        (largest_component, "largest_component", ()),
        (normalise is not None, "normalise", (normalise,)),
    ]
    for enabled, step, arguments in steps:
        if enabled:
            raw = _STEPS[step](raw, *arguments)
    return raw if is_raw else raw.to_graph()


# The step functions by name: prepare() has keyword arguments of the same names.
_STEPS = {
    step.__name__: step
    for step in (
        remove_self_connections,
        symmetrise,
        threshold,
        keep_strongest,
        log_transform,
        largest_component,
        normalise,
    )
}


def _checked_options(symmetrise, threshold, keep_fraction, normalise, **switches):
    """Validate every option before any step runs.

    ``switches`` are on/off options (``log_transform=...``); each must be a
    bool, because a string such as ``"no"`` would otherwise count as on.
    """
    for name, value in switches.items():
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{name} must be True or False, got {format_value(value)}")
    if symmetrise is not None:
        check_choice("symmetrise", symmetrise, SYMMETRISATIONS)
    if normalise is not None:
        check_choice("normalise", normalise, NORMALISATIONS)
    checked = {"threshold": None, "keep_fraction": None}
    if threshold is not None:
        checked["threshold"] = check_positive("threshold", threshold, allow_zero=True)
    if keep_fraction is not None:
        checked["keep_fraction"] = check_in_range(
            "keep_fraction", keep_fraction, 0.0, 1.0, low_open=True
        )
    return checked
