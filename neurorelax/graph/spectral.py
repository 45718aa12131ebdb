"""Laplacian eigenmodes: the graph's frequencies and how fast each one decays.

For an undirected graph the combinatorial Laplacian has eigenpairs
L phi_k = lambda_k phi_k with 0 = lambda_1 <= lambda_2 <= ... and orthonormal
phi_k. Under diffusion dM/dt = -gamma L M each mode's amplitude decays on its
own, a_k(t) = a_k(0) exp(-gamma lambda_k t): high graph frequencies (sharp
distinctions between neighbours) fade first, the smooth modes last.
"""

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse.linalg as spla

from neurorelax.graph._checks import (
    as_graph,
    as_state,
    check_modes,
    check_rate,
    check_times,
)
from neurorelax.graph.laplacian import laplacian
from neurorelax.validation import (
    check_choice,
    check_finite_array,
    check_integer,
    check_positive,
    format_value,
)

__all__ = [
    "DENSE_LIMIT",
    "Eigenmodes",
    "eigenmodes",
    "fit_decay_rates",
    "high_frequency_share",
    "mode_decay_rates",
    "project",
    "reconstruct",
]

# Graphs up to this many nodes are diagonalised densely (O(n^3), exact).
DENSE_LIMIT = 2000


@dataclass(frozen=True)
class Eigenmodes:
    """Eigenpairs of a graph Laplacian, eigenvalues ascending.

    Attributes
    ----------
    values : ndarray of float64, shape (n_modes,)
        lambda_k (units of the weights).
    vectors : ndarray of float64, shape (n_nodes, n_modes)
        phi_k as columns (unit norm for "combinatorial" and "symmetric").
    dual : ndarray of float64, shape (n_nodes, n_modes)
        Columns psi_k with psi_k . phi_l = delta_kl, so that the amplitudes
        of a state M are ``dual.T @ M``. Equal to ``vectors`` for the
        symmetric kinds; D^1/2 times the symmetric eigenvectors for
        "random_walk".
    kind : str
        The Laplacian kind.
    """

    values: np.ndarray
    vectors: np.ndarray
    dual: np.ndarray
    kind: str

    @property
    def n_modes(self):
        """int: Number of modes held."""
        return self.values.size

    @property
    def is_complete(self):
        """bool: Whether the modes span every state (n_modes == n_nodes)."""
        return self.values.size == self.vectors.shape[0]


def eigenmodes(graph, n_modes=None, *, kind="combinatorial"):
    """Return the lowest eigenmodes of a graph Laplacian.

    Parameters
    ----------
    graph : Graph or array_like or networkx graph
        An undirected graph.
    n_modes : int, optional
        How many of the lowest modes; all by default. Graphs above
        ``DENSE_LIMIT`` nodes need ``n_modes`` (computed by shift-invert
        Lanczos, ``scipy.sparse.linalg.eigsh``).
    kind : {"combinatorial", "symmetric", "random_walk"}, optional
        Laplacian kind (see :func:`neurorelax.graph.laplacian`).

    Returns
    -------
    Eigenmodes

    Notes
    -----
    Eigenvectors are fixed in sign so that the entry of largest magnitude is
    positive, which makes results reproducible across LAPACK builds.

    The first modes, one per connected component (an isolated node is one),
    are the stationary ones: their eigenvalues are exactly 0 (a solver gives
    rounding noise of about n eps lambda_max, which would make them decay at
    long times) and their vectors are exact, 1_C / sqrt(|C|) for
    "combinatorial" and D^1/2 1_C normalised for "symmetric" (1_C over the
    square root of the component's total degree for "random_walk", with dual
    d 1_C over the same), components largest first; the other vectors are
    orthogonalised against them.

    Examples
    --------
    >>> import numpy as np
    >>> from neurorelax.graph import Graph
    >>> ring = Graph(np.roll(np.eye(6), 1, axis=1) + np.roll(np.eye(6), -1, axis=1))
    >>> np.round(eigenmodes(ring).values, 6).tolist()
    [0.0, 1.0, 1.0, 3.0, 3.0, 4.0]
    """
    graph = as_graph("graph", graph)
    check_choice("kind", kind, ("combinatorial", "symmetric", "random_walk"))
    if graph.directed:
        raise ValueError(
            "graph must be undirected for eigenmodes (a directed Laplacian has "
            "no orthogonal eigenbasis), got a directed graph"
        )
    n_nodes = graph.n_nodes
    if n_modes is None:
        if n_nodes > DENSE_LIMIT:
            raise ValueError(
                f"n_modes must be given for graphs above {DENSE_LIMIT} nodes "
                f"(this one has {n_nodes}); all modes would need O(n^3) work"
            )
        n_modes = n_nodes
    n_modes = check_integer("n_modes", n_modes, minimum=1)
    if n_modes > n_nodes:
        raise ValueError(
            f"n_modes must be at most the node count {n_nodes}, got {n_modes}"
        )
    if n_nodes > DENSE_LIMIT and n_modes >= n_nodes:
        raise ValueError(
            f"n_modes must be less than the node count {n_nodes} for graphs above "
            f"{DENSE_LIMIT} nodes (sparse eigensolver), got {n_modes}"
        )

    base = "symmetric" if kind == "random_walk" else kind
    operator = laplacian(graph, base)
    values, vectors = _lowest_eigenpairs(operator, n_modes)
    values, vectors = _exact_null_modes(graph, base, values, vectors)
    vectors = vectors * np.where(_largest_entry_sign(vectors) < 0, -1.0, 1.0)
    dual = vectors
    if kind == "random_walk":
        # L_rw = D^-1/2 L_sym D^1/2: eigenvectors D^-1/2 u, duals D^1/2 u.
        root = np.sqrt(np.where(graph.degrees > 0, graph.degrees, 1.0))
        vectors, dual = vectors / root[:, None], vectors * root[:, None]
    return Eigenmodes(values=values, vectors=vectors, dual=dual, kind=kind)


def _lowest_eigenpairs(operator, n_modes):
    n_nodes = operator.shape[0]
    if n_nodes <= DENSE_LIMIT:
        values, vectors = scipy.linalg.eigh(
            operator.toarray(), subset_by_index=(0, n_modes - 1)
        )
    else:
        values, vectors = spla.eigsh(operator, k=n_modes, sigma=-1e-3, which="LM")
        order = np.argsort(values)
        values, vectors = values[order], vectors[:, order]
    return np.clip(values, 0.0, None), vectors


def _exact_null_modes(graph, kind, values, vectors):
    """Put the exact null space of a symmetric Laplacian in the lowest modes.

    An undirected graph's combinatorial and symmetric Laplacians have exactly
    one zero eigenvalue per connected component (isolated nodes included),
    with eigenvectors 1_C (combinatorial) and D^1/2 1_C (symmetric; e_i for
    an isolated node i). A solver returns these eigenvalues as rounding noise
    of either sign (about n eps lambda_max), so that a mode which must be
    stationary decays, visibly so at long times. The lowest of them are set
    to 0, their vectors to the exact normalised null vectors, and the other
    vectors are orthogonalised against those once.
    """
    components = graph.components()
    n_zero = min(len(components), values.size)
    if kind == "combinatorial":
        root = np.ones(graph.n_nodes)
    else:
        degrees = graph.degrees
        root = np.sqrt(np.where(degrees > 0, degrees, 1.0))
    null = np.zeros((graph.n_nodes, n_zero))
    for column, nodes in enumerate(components[:n_zero]):
        part = root[nodes]
        null[nodes, column] = part / np.linalg.norm(part)
    rest = vectors[:, n_zero:]
    rest = rest - null @ (null.T @ rest)
    rest = rest / np.linalg.norm(rest, axis=0)
    values = values.copy()
    values[:n_zero] = 0.0
    return values, np.hstack([null, rest])


def _largest_entry_sign(vectors):
    rows = np.argmax(np.abs(vectors), axis=0)
    return np.sign(vectors[rows, np.arange(vectors.shape[1])])


def project(state, modes):
    """Return the amplitudes of a state on the eigenmodes.

    Parameters
    ----------
    state : array_like, shape (n_nodes,) or (n_nodes, n_patterns)
        Activation M.
    modes : Eigenmodes

    Returns
    -------
    ndarray of float64, shape (n_modes,) or (n_modes, n_patterns)
        a_k = psi_k . M (psi = phi for the symmetric kinds).
    """
    check_modes(modes)
    array, was_1d = as_state("state", state, modes.vectors.shape[0], keep_float32=False)
    amplitudes = modes.dual.T @ array
    return amplitudes[:, 0] if was_1d else amplitudes


def reconstruct(amplitudes, modes):
    """Return sum_k a_k phi_k, the state with the given mode amplitudes.

    Parameters
    ----------
    amplitudes : array_like, shape (n_modes,) or (n_modes, n_patterns)
    modes : Eigenmodes

    Returns
    -------
    ndarray of float64, shape (n_nodes,) or (n_nodes, n_patterns)
    """
    check_modes(modes)
    array, was_1d = as_state(
        "amplitudes", amplitudes, modes.n_modes, keep_float32=False
    )
    state = modes.vectors @ array
    return state[:, 0] if was_1d else state


def mode_decay_rates(modes, gamma):
    """Return gamma * lambda_k, the decay rate of each mode under diffusion.

    Parameters
    ----------
    modes : Eigenmodes
    gamma : float
        Diffusion rate (1/time), > 0.

    Returns
    -------
    ndarray of float64, shape (n_modes,)
        Rates in 1/time: amplitude k decays as exp(-gamma lambda_k t).
    """
    check_modes(modes)
    gamma = check_rate("gamma", gamma)
    return gamma * modes.values


def fit_decay_rates(times, amplitudes, *, floor=1e-300):
    """Fit an exponential decay rate to each amplitude time series.

    Fits log|a_k(t)| = c_k - r_k t by least squares.

    Parameters
    ----------
    times : array_like of float, shape (n_times,)
        Non-decreasing sample times, at least two distinct.
    amplitudes : array_like of float, shape (n_times, n_series)
        Amplitudes over time, e.g. ``project`` applied at each time.
    floor : float, optional
        Magnitudes at or below this (a finite number >= 0) are excluded from
        the fit of their series.

    Returns
    -------
    ndarray of float64, shape (n_series,)
        r_k in 1/time. A series with fewer than two distinct times above
        ``floor`` has no rate and gets NaN: in particular an all-zero series
        (a mode absent from the state, or one that decayed below ``floor``).
        A constant non-zero series gets 0.

    Raises
    ------
    ValueError
        For fewer than two distinct times, or amplitudes whose row count is
        not the number of times.
    """
    times = check_times("times", times)
    if np.unique(times).size < 2:
        raise ValueError(
            "times must hold at least two distinct times to fit a rate, got "
            f"{format_value(times)}"
        )
    floor = check_positive("floor", floor, allow_zero=True)
    values = check_finite_array("amplitudes", amplitudes, ndim=2)
    if values.shape[0] != times.size:
        raise ValueError(
            f"amplitudes must have {times.size} rows (one per time), got shape "
            f"{values.shape}"
        )
    rates = np.full(values.shape[1], np.nan)
    for k in range(values.shape[1]):
        usable = np.abs(values[:, k]) > floor
        if np.unique(times[usable]).size < 2:
            continue
        rates[k] = -_slope(times[usable], np.log(np.abs(values[usable, k])))
    return rates


def _slope(x, y):
    """Least-squares slope of y against x (x non-negative, two distinct values).

    x is shifted and divided by its span first, so that huge or tiny times do
    not overflow or underflow the sums of squares (np.polyfit's do).
    """
    low = x.min()
    span = x.max() - low
    u = (x - low) / span
    u = u - u.mean()
    return np.sum(u * (y - y.mean())) / np.sum(u * u) / span


def high_frequency_share(state, modes, *, cutoff=None):
    """Return the share of a state's energy held by high graph frequencies.

    Parameters
    ----------
    state : array_like, shape (n_nodes,) or (n_nodes, n_patterns)
    modes : Eigenmodes
        A complete set of modes.
    cutoff : int, optional
        Modes with index >= cutoff count as high; default half the modes.

    Returns
    -------
    float or ndarray of float64, shape (n_patterns,)
        sum_{k >= cutoff} a_k^2 / sum_k a_k^2, in [0, 1] (0 for a zero state).
    """
    check_modes(modes)
    if not modes.is_complete:
        raise ValueError(
            f"modes must be complete ({modes.vectors.shape[0]} modes) to split "
            f"energy, got {modes.n_modes}"
        )
    cutoff = modes.n_modes // 2 if cutoff is None else cutoff
    cutoff = check_integer("cutoff", cutoff, minimum=0)
    amplitudes = np.atleast_1d(project(state, modes))
    power = amplitudes**2
    total = power.sum(axis=0)
    share = np.divide(
        power[cutoff:].sum(axis=0), total, out=np.zeros_like(total), where=total > 0
    )
    return float(share) if np.ndim(share) == 0 else share
