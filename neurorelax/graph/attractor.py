"""Attractor settling: pattern completion in a Hopfield network.

Stored +1/-1 patterns xi_mu become minima of the energy

    E(s) = -1/2 s^T W s + theta^T s,   W = (1/n) sum_mu xi_mu xi_mu^T, W_ii = 0,

and a noisy cue rolls downhill to the nearest one: settling is recognition.
Updates are asynchronous (one node at a time, in a random order per sweep),
s_i <- sign(sum_j W_ij s_j - theta_i), which for symmetric W with zero
diagonal never increases E (a flip changes it by -2 |h_i|). Couplings may be
restricted to the edges of a graph (a diluted network).
"""

import logging
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from neurorelax.graph._blas import serial_blas
from neurorelax.graph._checks import as_csr, as_graph, check_n_threads
from neurorelax.kernels import hopfield
from neurorelax.validation import (
    check_finite_array,
    check_in_range,
    check_integer,
)

__all__ = ["SettleResult", "corrupt", "energy", "hebbian_weights", "settle"]

logger = logging.getLogger(__name__)


@dataclass
class SettleResult:
    """Outcome of :func:`settle`.

    Attributes
    ----------
    states : ndarray of float64, shape of the cues
        Final +1/-1 states.
    energies : ndarray of float64, shape (n_sweeps + 1,) or (n_sweeps + 1, n_cues)
        E after each sweep, starting with the cue.
    overlaps : ndarray of float64 or None
        Overlap (1/n) xi_mu . s with each stored pattern after each sweep,
        shape (n_sweeps + 1, n_patterns) or (n_sweeps + 1, n_patterns,
        n_cues); None when no patterns were given.
    flips : ndarray of int64, shape (n_sweeps,) or (n_sweeps, n_cues)
        Nodes that changed in each sweep.
    converged : bool
        Whether every cue reached a fixed point (a sweep without flips).
    """

    states: np.ndarray
    energies: np.ndarray
    overlaps: np.ndarray | None
    flips: np.ndarray
    converged: bool

    @property
    def n_sweeps(self):
        """int: Sweeps performed."""
        return self.flips.shape[0]


def hebbian_weights(patterns, graph=None):
    """Return Hebbian couplings W = (1/n) sum_mu xi_mu xi_mu^T, zero diagonal.

    Parameters
    ----------
    patterns : array_like, shape (n_nodes, n_patterns)
        Entries +1 or -1.
    graph : Graph or array_like or networkx graph, optional
        Keep only couplings along the graph's edges (diluted network).

    Returns
    -------
    scipy.sparse.csr_array of float64, shape (n_nodes, n_nodes)
        Symmetric; reliable recall needs n_patterns well below 0.14 n for a
        fully connected network.
    """
    xi = _checked_spins("patterns", patterns, ndim=2)
    n_nodes = xi.shape[0]
    dense = (xi @ xi.T) / n_nodes
    np.fill_diagonal(dense, 0.0)
    if graph is not None:
        graph = as_graph("graph", graph)
        if graph.n_nodes != n_nodes:
            raise ValueError(
                f"graph must have {n_nodes} nodes to match patterns, got "
                f"{graph.n_nodes}"
            )
        mask = (graph.weights + graph.weights.T).toarray() > 0
        dense = np.where(mask, dense, 0.0)
    weights = sp.csr_array(dense)
    weights.eliminate_zeros()
    return weights


def energy(states, weights, thresholds=None):
    """Return E(s) = -1/2 s^T W s + theta^T s.

    Parameters
    ----------
    states : array_like, shape (n_nodes,) or (n_nodes, n_cues)
    weights : array_like or sparse, shape (n_nodes, n_nodes)
        Symmetric couplings with zero diagonal.
    thresholds : array_like, shape (n_nodes,), optional
        theta; zero by default.

    Returns
    -------
    float or ndarray of float64, shape (n_cues,)
    """
    weights = _checked_weights(weights)
    n_nodes = weights.shape[0]
    s = check_finite_array("states", states, ndim=(1, 2))
    if s.shape[0] != n_nodes:
        raise ValueError(
            f"states must have {n_nodes} rows (one per node), got shape {s.shape}"
        )
    theta = _checked_thresholds(thresholds, n_nodes)
    _check_energy_range(weights, theta)
    values = -0.5 * np.sum(s * (weights @ s), axis=0) + theta @ s
    return float(values) if np.ndim(values) == 0 else values


def corrupt(pattern, fraction, *, seed=0):
    """Return a copy of a +1/-1 pattern with a fraction of entries flipped.

    Parameters
    ----------
    pattern : array_like, shape (n_nodes,)
    fraction : float
        In [0, 1]; exactly round(fraction n_nodes) distinct entries flip.
    seed : int, optional
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    ndarray of float64, shape (n_nodes,)
    """
    xi = _checked_spins("pattern", pattern, ndim=1)
    fraction = check_in_range("fraction", fraction, 0.0, 1.0)
    rng = np.random.default_rng(check_integer("seed", seed, minimum=0))
    n_flip = int(round(fraction * xi.size))
    cue = xi.copy()
    cue[rng.choice(xi.size, size=n_flip, replace=False)] *= -1
    return cue


@serial_blas
def settle(
    cues,
    weights,
    *,
    thresholds=None,
    patterns=None,
    max_sweeps=100,
    seed=0,
    n_threads=0,
):
    """Let cues settle by asynchronous Hopfield updates (Cython kernel).

    Each sweep visits every node once in a fresh random order and sets
    s_i = sign(sum_j W_ij s_j - theta_i) (unchanged when the field is 0),
    using the values already updated in that sweep. Stops after a sweep in
    which no node changed (a fixed point: a local minimum of E) or after
    ``max_sweeps``.

    Parameters
    ----------
    cues : array_like, shape (n_nodes,) or (n_nodes, n_cues)
        Starting states, entries +1 or -1; independent cues settle in
        parallel.
    weights : array_like or sparse, shape (n_nodes, n_nodes)
        Symmetric couplings with zero diagonal, e.g. :func:`hebbian_weights`.
    thresholds : array_like, shape (n_nodes,), optional
        theta; zero by default.
    patterns : array_like, shape (n_nodes, n_patterns), optional
        Stored patterns whose overlaps are recorded.
    max_sweeps : int, optional
        At most this many sweeps (>= 1).
    seed : int, optional
        Seed of the update orders.
    n_threads : int, optional
        OpenMP threads (over cues); 0 uses the OpenMP default.

    Returns
    -------
    SettleResult
    """
    weights = _checked_weights(weights)
    n_nodes = weights.shape[0]
    s = _checked_spins("cues", cues, ndim=(1, 2))
    if s.shape[0] != n_nodes:
        raise ValueError(
            f"cues must have {n_nodes} rows (one per node), got shape {s.shape}"
        )
    was_1d = s.ndim == 1
    theta = _checked_thresholds(thresholds, n_nodes)
    _check_energy_range(weights, theta)
    xi = None if patterns is None else _checked_spins("patterns", patterns, ndim=2)
    if xi is not None and xi.shape[0] != n_nodes:
        raise ValueError(
            f"patterns must have {n_nodes} rows (one per node), got shape {xi.shape}"
        )
    max_sweeps = check_integer("max_sweeps", max_sweeps, minimum=1)
    n_threads = check_n_threads(n_threads)
    rng = np.random.default_rng(check_integer("seed", seed, minimum=0))

    # The kernel wants one C-contiguous row per cue.
    rows = np.array(s.reshape(n_nodes, -1).T, order="C", copy=True)
    energies = [energy(rows.T, weights, theta)]
    overlaps = [] if xi is None else [xi.T @ rows.T / n_nodes]
    flips = []
    for _ in range(max_sweeps):
        order = rng.permutation(n_nodes)
        flips.append(
            hopfield.hopfield_sweep(
                weights.indptr,
                weights.indices,
                weights.data,
                theta,
                order,
                rows,
                n_threads=n_threads,
            )
        )
        energies.append(energy(rows.T, weights, theta))
        if xi is not None:
            overlaps.append(xi.T @ rows.T / n_nodes)
        if not flips[-1].any():
            break

    converged = not flips[-1].any()
    if not converged:
        logger.warning("settle: no fixed point after %d sweeps", max_sweeps)
    energies, flips = np.asarray(energies), np.asarray(flips)
    overlaps = None if xi is None else np.asarray(overlaps)
    states = rows.T.copy()
    if was_1d:
        states, energies, flips = states[:, 0], energies[:, 0], flips[:, 0]
        overlaps = None if overlaps is None else overlaps[:, :, 0]
    return SettleResult(
        states=states,
        energies=energies,
        overlaps=overlaps,
        flips=flips,
        converged=converged,
    )


def _checked_spins(name, values, ndim):
    array = check_finite_array(name, values, ndim=ndim)
    bad = (array != 1) & (array != -1)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must contain only +1 and -1; entry {index} is "
            f"{float(array[index])!r}"
        )
    return array


def _checked_weights(weights):
    if sp.issparse(weights):
        matrix = as_csr("weights", weights)
    else:
        matrix = sp.csr_array(check_finite_array("weights", weights, ndim=2))
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"weights must be square, got shape {matrix.shape}")
    if matrix.shape[0] == 0:
        raise ValueError(
            f"weights must have at least one node, got shape {matrix.shape}"
        )
    if np.any(matrix.diagonal() != 0):
        raise ValueError(
            "weights must have a zero diagonal (self-coupling breaks the "
            "energy descent)"
        )
    asymmetry = abs(matrix - matrix.T)
    if asymmetry.nnz and asymmetry.max() > 1e-12 * max(abs(matrix).max(), 1e-300):
        raise ValueError(
            "weights must be symmetric (W = W.T) for the energy to be a "
            "Lyapunov function"
        )
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def _check_energy_range(weights, theta):
    """Refuse couplings whose fields or energies would overflow float64.

    For +1/-1 states |h_i| <= sum_j |W_ij| + |theta_i| and
    |E| <= sum_ij |W_ij| / 2 + sum_i |theta_i|; past the float64 range the
    energies come out inf or NaN, and fields may be NaN (inf - inf).
    """
    with np.errstate(over="ignore"):
        coupling = float(np.sum(np.abs(weights.data)))
        threshold = float(np.sum(np.abs(theta)))
        bound = 0.5 * coupling + threshold
    if not np.isfinite(bound):
        raise ValueError(
            "weights and thresholds must keep the energy within float64: "
            f"sum |W| / 2 + sum |theta| = {bound} (sum |W| = {coupling:.3g}, "
            f"sum |theta| = {threshold:.3g}); expected a finite bound, so scale "
            "the weights and thresholds down (settling depends only on their "
            "ratios)"
        )


def _checked_thresholds(thresholds, n_nodes):
    if thresholds is None:
        return np.zeros(n_nodes)
    return check_finite_array("thresholds", thresholds, shape=(n_nodes,))
