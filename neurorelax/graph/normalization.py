"""Normalization: lateral inhibition at the graph level keeps activity bounded.

- :func:`divisive_normalization`: each node's drive divided by a constant
  plus the drive pooled over itself and its weighted neighbourhood
  (Heeger-style gain control; Carandini & Heeger 2012).
- :func:`k_winners_take_all`: only the k most active nodes of each pattern
  stay active (hard competition).
"""

import numpy as np

from neurorelax.graph._checks import as_graph, as_state, check_n_threads
from neurorelax.kernels import sparse_relax
from neurorelax.validation import check_integer, check_positive, format_value

__all__ = ["divisive_normalization", "k_winners_take_all"]


def divisive_normalization(
    activation, graph=None, *, sigma=1.0, exponent=1.0, r_max=1.0, n_threads=0
):
    """Divide each node's drive by a constant plus its pooled neighbourhood.

    With E_i = x_i^n (n = ``exponent``) and W the graph's weights,

        y_i = r_max * E_i / (sigma^n + E_i + sum_j W[i, j] E_j).

    The pool always contains the node itself, so for any non-negative input
    0 <= y_i < r_max (and y_i <= r_max E_i / sigma^n): the output is bounded
    however strong the input. A node with strong neighbours is suppressed:
    lateral inhibition.

    Parameters
    ----------
    activation : array_like, shape (n_nodes,) or (n_nodes, n_patterns)
        Non-negative input x (float32 stays float32).
    graph : Graph or array_like or networkx graph, optional
        The pool weights W (dimensionless). Without a graph each node is
        normalised by itself only: y = r_max E / (sigma^n + E).
    sigma : float, optional
        Semi-saturation constant (units of x), > 0.
    exponent : float, optional
        n > 0; larger values sharpen the competition.
    r_max : float, optional
        Maximum response (units of y), > 0.
    n_threads : int, optional
        OpenMP threads; 0 uses the OpenMP default.

    Returns
    -------
    ndarray, shape of ``activation``
        y, in [0, r_max).

    Examples
    --------
    >>> import numpy as np
    >>> from neurorelax.graph import Graph
    >>> pool = Graph(np.ones((3, 3)) - np.eye(3))
    >>> y = divisive_normalization([1.0, 1.1, 1.0], pool, sigma=0.1, exponent=4)
    >>> bool(y[1] > y[0]), bool(y.max() < 1.0)
    (True, True)
    """
    sigma = check_positive("sigma", sigma)
    exponent = check_positive("exponent", exponent)
    r_max = check_positive("r_max", r_max)
    n_threads = check_n_threads(n_threads)
    try:
        semi = sigma**exponent
    except OverflowError:
        semi = np.inf
    if semi == 0 or not np.isfinite(semi):
        raise ValueError(
            f"sigma ** exponent must be a positive finite float64, got sigma = "
            f"{sigma!r} and exponent = {exponent!r} (the power "
            f"{'underflows to 0' if semi == 0 else 'overflows'}); rescale the "
            "activation and sigma"
        )
    n_nodes = None
    if graph is not None:
        graph = as_graph("graph", graph)
        n_nodes = graph.n_nodes
    size = n_nodes if n_nodes is not None else _leading(activation)
    state, was_1d = as_state("activation", activation, size, nonnegative=True)

    with np.errstate(over="ignore"):
        drive = state**exponent
    pool_gain = 1.0 if graph is None else 1.0 + float(graph.degrees.max())
    largest = float(drive.max()) if drive.size else 0.0
    if not largest * pool_gain + semi <= np.finfo(state.dtype).max:
        raise ValueError(
            f"activation ** exponent overflows float{8 * state.itemsize} once "
            f"pooled (largest activation {float(state.max())!r}, exponent "
            f"{exponent!r}); rescale the activation (and sigma) first"
        )
    if graph is None:
        # In float64: sigma ** exponent may be below the float32 range.
        wide = drive.astype(np.float64)
        output = (r_max * wide / (semi + wide)).astype(state.dtype)
    else:
        weights = graph.weights
        output = sparse_relax.divisive_pool(
            weights.indptr,
            weights.indices,
            weights.data,
            drive,
            semi,
            r_max,
            n_threads=n_threads,
        )
    return output[:, 0] if was_1d else output


def k_winners_take_all(activation, k, *, binary=False):
    """Keep the k largest entries of each pattern and silence the rest.

    Parameters
    ----------
    activation : array_like, shape (n_nodes,) or (n_nodes, n_patterns)
        Non-negative activation.
    k : int
        Number of winners per pattern, 1 <= k <= n_nodes. Ties are broken in
        favour of the lower node index, so exactly k nodes win.
    binary : bool, optional
        Set winners to 1 instead of keeping their values.

    Returns
    -------
    ndarray, shape of ``activation``
        At most k non-zero entries per pattern, each in [0, max input] (or
        {0, 1} when ``binary``): activity is bounded by k times the largest
        input.

    Examples
    --------
    >>> k_winners_take_all([0.2, 0.9, 0.5, 0.1], 2).tolist()
    [0.0, 0.9, 0.5, 0.0]
    """
    if not isinstance(binary, bool | np.bool_):
        raise ValueError(f"binary must be True or False, got {format_value(binary)}")
    state, was_1d = as_state(
        "activation", activation, _leading(activation), nonnegative=True
    )
    n_nodes = state.shape[0]
    k = check_integer("k", k, minimum=1)
    if k > n_nodes:
        raise ValueError(f"k must be at most the node count {n_nodes}, got {k}")

    # Stable sort of -x: equal values keep index order, lower index wins.
    winners = np.argsort(-state, axis=0, kind="stable")[:k]
    mask = np.zeros_like(state, dtype=bool)
    np.put_along_axis(mask, winners, True, axis=0)
    output = np.where(mask, 1.0 if binary else state, 0.0).astype(state.dtype)
    return output[:, 0] if was_1d else output


def _leading(values):
    """Length of the first axis (0 for a scalar, which then fails the check).

    Ragged nested lists also give 0; the array check then names the argument.
    """
    try:
        shape = np.shape(values)
    except ValueError:
        return 0
    return shape[0] if shape else 0
