"""Decay: activation fading at rates set per node or per eigenmode.

Two views of forgetting, both linear and exact:

- per node, dM_i/dt = -kappa_i M_i, so M_i(t) = M_i(0) exp(-kappa_i t);
- per mode, each Laplacian eigenmode amplitude a_k decays at its own rate
  r_k: a_k(t) = a_k(0) exp(-r_k t). Diffusion is the special case
  r_k = gamma lambda_k; :func:`fast_slow_rates` builds the two-component case
  in which the smooth (slow) modes are kept long and the detailed (fast)
  modes are lost quickly.

:func:`diffuse_with_decay` combines diffusion and per-node decay,
dM/dt = -gamma L M - diag(kappa) M.
"""

import numpy as np
import scipy.sparse as sp

from neurorelax.graph._checks import (
    as_graph,
    as_state,
    check_modes,
    check_rate,
    check_times,
)
from neurorelax.graph.diffusion import (
    Trajectory,
    check_exponent,
    check_record_size,
    diffuse_exact,
    propagate,
)
from neurorelax.graph.laplacian import LAPLACIAN_KINDS, laplacian
from neurorelax.graph.spectral import project, reconstruct
from neurorelax.validation import (
    check_choice,
    check_finite_array,
    check_integer,
    check_positive,
)

__all__ = [
    "diffuse_with_decay",
    "fast_slow_rates",
    "mode_decay",
    "node_decay",
    "split_fast_slow",
]


def node_decay(state, rates, time):
    """Return M(t) = exp(-kappa t) M(0), node by node.

    Parameters
    ----------
    state : array_like, shape (n_nodes,) or (n_nodes, n_patterns)
        M(0).
    rates : float or array_like of shape (n_nodes,)
        kappa_i >= 0 (1/time); 1/kappa_i is node i's decay time constant.
    time : float
        t >= 0 (time).

    Returns
    -------
    ndarray of float64, shape of ``state``
    """
    array, was_1d = as_state("state", state, _leading(state), keep_float32=False)
    kappa = _node_rates("rates", rates, array.shape[0])
    time = check_times("time", [time])[0]
    result = array * np.exp(-kappa * time)[:, None]
    return result[:, 0] if was_1d else result


def mode_decay(state, modes, rates, time, *, remainder_rate=None):
    """Return the state after each eigenmode decayed at its own rate.

    M(t) = sum_k a_k exp(-r_k t) phi_k + exp(-r_rest t) (M - sum_k a_k phi_k).

    Parameters
    ----------
    state : array_like, shape (n_nodes,) or (n_nodes, n_patterns)
        M(0).
    modes : Eigenmodes
    rates : array_like of float, shape (n_modes,)
        r_k >= 0 (1/time).
    time : float
        t >= 0 (time).
    remainder_rate : float, optional
        Rate for the part of M outside the given modes (only present when
        the modes are incomplete); default the largest of ``rates``.

    Returns
    -------
    ndarray of float64, shape of ``state``
    """
    check_modes(modes)
    rates = check_finite_array("rates", rates, shape=(modes.n_modes,), nonnegative=True)
    time = check_times("time", [time])[0]
    array, was_1d = as_state("state", state, modes.vectors.shape[0], keep_float32=False)
    if remainder_rate is None:
        rest_rate = float(rates.max())
    else:
        rest_rate = check_positive("remainder_rate", remainder_rate, allow_zero=True)

    amplitudes = project(array, modes)
    kept = reconstruct(amplitudes, modes)
    decayed = reconstruct(amplitudes * np.exp(-rates * time)[:, None], modes)
    result = decayed + np.exp(-rest_rate * time) * (array - kept)
    return result[:, 0] if was_1d else result


def fast_slow_rates(modes, n_slow, *, slow_rate, fast_rate):
    """Return per-mode rates: the n_slow smoothest modes slow, the rest fast.

    Parameters
    ----------
    modes : Eigenmodes
    n_slow : int
        Number of lowest-frequency modes in the slow component (>= 0).
    slow_rate, fast_rate : float
        Rates (1/time), >= 0 and > 0.

    Returns
    -------
    ndarray of float64, shape (n_modes,)
    """
    check_modes(modes)
    n_slow = check_integer("n_slow", n_slow, minimum=0)
    if n_slow > modes.n_modes:
        raise ValueError(
            f"n_slow must be at most the number of modes {modes.n_modes}, got {n_slow}"
        )
    slow = check_finite_array("slow_rate", slow_rate, ndim=0, nonnegative=True)
    fast = check_rate("fast_rate", fast_rate)
    rates = np.full(modes.n_modes, fast)
    rates[:n_slow] = float(slow)
    return rates


def split_fast_slow(state, modes, n_slow):
    """Split a state into its smooth part (n_slow lowest modes) and the rest.

    Returns
    -------
    slow, fast : ndarray of float64, each of the shape of ``state``
        slow + fast == state.
    """
    check_modes(modes)
    n_slow = check_integer("n_slow", n_slow, minimum=0)
    array, was_1d = as_state("state", state, modes.vectors.shape[0], keep_float32=False)
    amplitudes = project(array, modes)
    amplitudes[n_slow:] = 0.0
    slow = reconstruct(amplitudes, modes)
    fast = array - slow
    return (slow[:, 0], fast[:, 0]) if was_1d else (slow, fast)


def diffuse_with_decay(
    graph, initial, *, gamma, times, node_rates=0.0, kind="combinatorial"
):
    """Return the exact solution of dM/dt = -gamma L M - diag(kappa) M.

    With a uniform kappa the two commute and M(t) = exp(-kappa t)
    exp(-gamma t L) M(0): mode k decays at gamma lambda_k + kappa. With
    node-dependent kappa the sum is exponentiated by
    :func:`neurorelax.graph.diffusion.propagate` (``expm_multiply``, or the
    dense ``expm`` for large steps).

    Parameters
    ----------
    graph : Graph or array_like or networkx graph
    initial : array_like, shape (n_nodes,) or (n_nodes, n_patterns)
    gamma : float
        Diffusion rate (1/time), > 0.
    times : array_like of float, shape (n_times,)
        Non-negative, non-decreasing.
    node_rates : float or array_like of shape (n_nodes,), optional
        kappa >= 0 (1/time).
    kind : {"combinatorial", "symmetric", "random_walk"}, optional

    Returns
    -------
    Trajectory
        Finite at every finite time: decaying components reach 0, a connected
        component without decay keeps its stationary state (as in
        :func:`~neurorelax.graph.diffuse_exact`).

    Raises
    ------
    ValueError
        With node-dependent kappa: when the largest rate times the last time
        overflows float64, or when the rates (gamma max|L| and the non-zero
        kappa) span more than n eps resolves while the smallest of them still
        acts over the times (its effect would be lost in rounding).
    """
    graph = as_graph("graph", graph)
    state, was_1d = as_state("initial", initial, graph.n_nodes, keep_float32=False)
    gamma = check_rate("gamma", gamma)
    times = check_times("times", times)
    check_choice("kind", kind, LAPLACIAN_KINDS)
    kappa = _node_rates("node_rates", node_rates, graph.n_nodes)

    if np.all(kappa == kappa[0]):
        result = diffuse_exact(graph, state, gamma=gamma, times=times, kind=kind)
        with np.errstate(over="ignore"):
            factors = np.exp(-kappa[0] * times)
        states = result.states * factors[:, None, None]
    else:
        # Exponentiated as ((gamma / r) L + diag(kappa / r)) (r t) with r the
        # largest rate, so that a large rate cannot overflow the generator.
        largest = max(gamma, float(kappa.max()))
        with np.errstate(over="ignore"):
            scaled_times = largest * times
        if not np.isfinite(scaled_times[-1]):
            raise ValueError(
                "(gamma * L + diag(node_rates)) * t overflows float64: the "
                f"largest rate max(gamma, node_rates) = {largest!r} times the last "
                f"time {float(times[-1])!r} is not finite; expected a finite "
                "product"
            )
        check_record_size(
            "times", f"with {times.size} entries", times.size, state.shape
        )
        operator = laplacian(graph, kind)
        _check_rate_spread(gamma, operator, kappa, float(times[-1]))
        generator = (gamma / largest) * operator + sp.diags_array(kappa / largest)
        check_exponent("(gamma * L + diag(node_rates)) * t", generator, scaled_times)
        states = propagate(-generator, state, scaled_times)

    if was_1d:
        states = states[:, :, 0]
    return Trajectory(times=times, states=states, info={"node_rates": kappa})


def _check_rate_spread(gamma, operator, kappa, last_time):
    """Refuse diffusion and decay rates further apart than float64 resolves.

    The exponential of gamma L + diag(kappa) is computed in one matrix; a rate
    below n eps times the largest is lost in rounding (a null space appears
    where there is none, or a decay vanishes), which matters when that rate
    times the last time is above rounding too.
    """
    entries = np.abs(operator.data[operator.data != 0])
    with np.errstate(over="ignore"):
        diffusion = gamma * float(entries.max()) if entries.size else 0.0
    decays = kappa[kappa > 0]  # not empty: kappa is not uniform
    bounds = (diffusion, float(decays.min()), float(decays.max()))
    rates = [rate for rate in bounds if rate > 0]
    resolution = kappa.size * np.finfo(np.float64).eps
    small, big = min(rates), max(rates)
    with np.errstate(over="ignore"):
        unresolved = small < resolution * big and small * last_time > resolution
    if unresolved:
        raise ValueError(
            "gamma and node_rates span more than float64 resolves: the smallest "
            f"rate {small:.3g} (gamma * max|L| = {diffusion:.3g}, node_rates from "
            f"{float(decays.min()):.3g} to {float(decays.max()):.3g}) is below "
            f"{resolution:.2g} times the largest {big:.3g}, yet acts over the last "
            f"time {last_time!r}; expected rates within a factor "
            f"{1 / resolution:.3g} of each other, or a shorter time"
        )


def _node_rates(name, rates, n_nodes):
    array = check_finite_array(name, rates, ndim=(0, 1), nonnegative=True)
    if array.ndim == 0:
        return np.full(n_nodes, float(array))
    if array.shape != (n_nodes,):
        raise ValueError(
            f"{name} must be a number or have shape ({n_nodes},), one per node, "
            f"got shape {array.shape}"
        )
    return array


def _leading(values):
    """Length of the first axis; 0 for scalars and ragged lists (then refused)."""
    try:
        shape = np.shape(values)
    except ValueError:
        return 0
    return shape[0] if shape else 0
