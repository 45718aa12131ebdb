"""How far the graph-level prediction agrees with the spiking network.

- :func:`r_squared`: coefficient of determination of predicted against
  measured activation, pooled over nodes, stimuli and time,
  R^2 = 1 - sum (p - m)^2 / sum (m - mean(m))^2.
- :func:`node_correlations`: Pearson correlation over time of each node.
- :func:`mode_relaxation_times`: the time constant with which each of the
  first eigenmodes of the Laplacian relaxes after the stimulus ends, from
  the projection of the activation on the mode.
- :func:`pearson_offdiagonal`: correlation of two weight matrices over their
  off-diagonal entries (effective graph against input graph).
"""

import logging

import numpy as np
from scipy import linalg, optimize

from neurorelax.validation import format_value

__all__ = [
    "graph_modes",
    "mode_relaxation_times",
    "node_correlations",
    "pearson_offdiagonal",
    "r_squared",
]

logger = logging.getLogger(__name__)


def _as_pair(first_name, first, second_name, second, *, ndim=None):
    """Convert two arrays to float64 and require the same shape."""
    arrays = []
    for name, values in ((first_name, first), (second_name, second)):
        if np.iscomplexobj(values):
            raise ValueError(
                f"{name} must be real; got complex values {format_value(values)}"
            )
        try:
            arrays.append(np.asarray(values, dtype=np.float64))
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"{name} must be an array of real numbers, got "
                f"{format_value(values)} ({error})"
            ) from error
    if arrays[0].shape != arrays[1].shape:
        raise ValueError(
            f"{first_name} and {second_name} must have the same shape, got "
            f"{arrays[0].shape} and {arrays[1].shape}"
        )
    if ndim is not None and arrays[0].ndim != ndim:
        raise ValueError(
            f"{first_name} and {second_name} must have {ndim} dimensions, got "
            f"shape {arrays[0].shape}"
        )
    return arrays


def r_squared(predicted, measured):
    """Return 1 - SS_res / SS_tot over all entries (nan if measured is flat).

    Parameters
    ----------
    predicted, measured : ndarray, same shape
        Activations (any unit, the same for both).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the two arrays do not have the same shape (no broadcasting).

    Examples
    --------
    >>> round(r_squared(np.array([1.0, 2.0, 3.1]), np.array([1.0, 2.0, 3.0])), 4)
    0.995
    """
    predicted, measured = _as_pair("predicted", predicted, "measured", measured)
    total = np.sum((measured - measured.mean()) ** 2)
    if total == 0:
        return float("nan")
    return float(1 - np.sum((predicted - measured) ** 2) / total)


def node_correlations(predicted, measured):
    """Pearson correlation over time (and stimuli) of each node.

    Parameters
    ----------
    predicted, measured : ndarray of shape (n_stimuli, n_nodes, n_steps)

    Returns
    -------
    ndarray of shape (n_nodes,)
        nan for a node whose predicted or measured trace is constant.

    Raises
    ------
    ValueError
        If the arrays are not 3-D or do not have the same shape.
    """
    p, m = _as_pair("predicted", predicted, "measured", measured, ndim=3)
    p = np.moveaxis(p, 1, 0)
    m = np.moveaxis(m, 1, 0)
    p = p.reshape(p.shape[0], -1)
    m = m.reshape(m.shape[0], -1)
    p = p - p.mean(axis=1, keepdims=True)
    m = m - m.mean(axis=1, keepdims=True)
    norm = np.sqrt((p**2).sum(axis=1) * (m**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > 0, (p * m).sum(axis=1) / norm, np.nan)


def pearson_offdiagonal(first, second):
    """Pearson r of two (n, n) matrices over their off-diagonal entries.

    Parameters
    ----------
    first, second : ndarray of shape (n, n)
        Square matrices of the same shape.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the matrices are not square or do not have the same shape.
    """
    first, second = _as_pair("first", first, "second", second, ndim=2)
    if first.shape[0] != first.shape[1]:
        raise ValueError(
            f"first and second must be square (n, n) matrices, got shape {first.shape}"
        )
    mask = ~np.eye(first.shape[0], dtype=bool)
    return float(np.corrcoef(first[mask], second[mask])[0, 1])


def graph_modes(laplacian):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a Laplacian.

    A non-symmetric Laplacian is symmetrised, (L + L^T) / 2, first.

    Returns
    -------
    eigenvalues : ndarray of shape (n_nodes,)
    modes : ndarray of shape (n_nodes, n_nodes)
        Column k is mode k.
    """
    laplacian = np.asarray(laplacian, dtype=np.float64)
    return linalg.eigh((laplacian + laplacian.T) / 2)


def mode_relaxation_times(
    activation, modes, dt_, start, stop, *, n_modes=6, min_amplitude=0.0
):
    """Time constant of each mode's relaxation after the stimulus ends.

    For each mode k the activation is projected on the mode,
    a_k(t) = v_k . M(t), and a_k(t) = A_s exp(-(t - t_0) / tau_k) is fitted
    over samples ``start:stop`` of every stimulus s, with one tau_k shared by
    all stimuli and one amplitude A_s per stimulus (least squares).

    Parameters
    ----------
    activation : ndarray of shape (n_stimuli, n_nodes, n_steps)
    modes : ndarray of shape (n_nodes, n_modes_total)
        Orthonormal modes in columns (see :func:`graph_modes`).
    dt_ : float
        Sampling step, in seconds.
    start, stop : int
        Sample window (after the stimulus ends) to fit.
    n_modes : int
        Number of modes, from mode 0 (the uniform mode of a connected graph).
    min_amplitude : float
        Modes whose largest |a_k| in the window is below this are reported
        as nan: their decay is buried in noise. A fitted time constant longer
        than twice the window is reported as nan too.

    Returns
    -------
    taus : ndarray of shape (n_modes,)
        Relaxation times, in seconds (nan where not measurable).
    amplitudes : ndarray of shape (n_modes,)
        Largest |a_k| at the start of the window, over stimuli.
    """
    window = np.einsum(
        "nk,snt->kst", modes[:, :n_modes], np.asarray(activation)[:, :, start:stop]
    )
    times = np.arange(window.shape[2]) * dt_
    taus = np.full(window.shape[0], np.nan)
    amplitudes = np.abs(window[:, :, 0]).max(axis=1)
    for k, traces in enumerate(window):
        if amplitudes[k] <= min_amplitude or amplitudes[k] == 0:
            continue
        tau = _shared_time_constant(traces, times)
        # a time constant far longer than the window is not measured by it
        taus[k] = tau if tau <= 2 * times[-1] else np.nan
    return taus, amplitudes


def _shared_time_constant(traces, times):
    """Fit traces[s](t) = A_s exp(-t / tau) with one tau; return tau (s)."""

    # for a given tau the amplitudes are linear: solve them in closed form
    def residuals(log_tau):
        shape = np.exp(-times / np.exp(log_tau[0]))
        amplitude = traces @ shape / (shape @ shape)
        return (traces - amplitude[:, None] * shape[None, :]).ravel()

    span = times[-1] if len(times) > 1 else 1.0
    best = min(
        (np.sum(residuals([np.log(guess)]) ** 2), guess)
        for guess in span * np.array([0.02, 0.1, 0.3, 1.0, 3.0])
    )[1]
    solution = optimize.least_squares(
        residuals, [np.log(best)], bounds=([np.log(span * 1e-3)], [np.log(span * 1e3)])
    )
    return float(np.exp(solution.x[0]))
