"""Replay: stored patterns reactivated during rest keep what matters.

One activation vector M (shape (n_nodes,)) holds a superposition of stored
patterns p_mu (columns of ``patterns``). Between rest phases it diffuses and
decays,

    dM/dt = -gamma L M - kappa M,

and during rest phases each replayed pattern is reactivated in proportion to
its overlap o_mu = <p_mu, M> / <p_mu, p_mu> with the current state:

    dM/dt += rho * o (1 - o) p_mu,   o = clip(o_mu, 0, 1).

Ignoring diffusion, an overlap then follows do/dt = -kappa o + rho o (1 - o)
while resting: a pattern still present is pulled back towards o = 1 -
kappa / rho, a forgotten one (o = 0) cannot be replayed, and one that is
never replayed fades as exp(-kappa t). Optionally replay also strengthens the
existing edges inside each replayed pattern (Hebbian):

    dW_ij/dt = eta * o * p_i p_j  for each edge (i, j) of the graph.
"""

import logging
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from neurorelax.graph._blas import serial_blas
from neurorelax.graph._checks import as_graph, as_state, check_rate
from neurorelax.graph.diffusion import (
    MAX_STEPS,
    LinearSystem,
    check_implicit_step,
    check_record_size,
    jacobi_solve,
)
from neurorelax.graph.graph import Graph
from neurorelax.graph.laplacian import LAPLACIAN_KINDS, laplacian_of_weights
from neurorelax.validation import (
    check_choice,
    check_finite_array,
    check_integer,
    check_positive,
)

__all__ = ["ReplayResult", "RestSchedule", "pattern_overlap", "simulate_replay"]

logger = logging.getLogger(__name__)

# duration / dt may differ from a whole number by this relative amount (rounding).
STEP_RTOL = 1e-9


@dataclass(frozen=True)
class RestSchedule:
    """Periodic rest phases: [offset + m period, offset + m period + duration).

    Attributes
    ----------
    period : float
        Time between the starts of two rest phases (time), > 0.
    duration : float
        Length of each rest phase (time), in (0, period].
    offset : float
        Start of the first rest phase (time), >= 0.
    """

    period: float
    duration: float
    offset: float = 0.0

    def __post_init__(self):
        check_positive("period", self.period)
        check_positive("duration", self.duration)
        check_positive("offset", self.offset, allow_zero=True)
        if self.duration > self.period:
            raise ValueError(
                f"duration must be at most period={self.period!r}, got "
                f"{self.duration!r}"
            )

    def is_rest(self, times):
        """Return whether each time lies in a rest phase (bool array)."""
        times = np.asarray(times, dtype=np.float64)
        phase = np.mod(times - self.offset, self.period)
        return (times >= self.offset) & (phase < self.duration)

    @property
    def rest_fraction(self):
        """float: Share of the time spent resting."""
        return self.duration / self.period


@dataclass
class ReplayResult:
    """Outcome of :func:`simulate_replay`.

    Attributes
    ----------
    times : ndarray of float64, shape (n_times,)
    states : ndarray of float64, shape (n_times, n_nodes)
    overlaps : ndarray of float64, shape (n_times, n_patterns)
        o_mu(t) for every stored pattern.
    rest : ndarray of bool, shape (n_times,)
        Whether the step ending at each time was a rest phase.
    replayed : ndarray of int64
        Indices of the replayed patterns.
    graph : Graph
        The graph at the end (weights changed only with Hebbian replay).
    """

    times: np.ndarray
    states: np.ndarray
    overlaps: np.ndarray
    rest: np.ndarray
    replayed: np.ndarray
    graph: Graph


def pattern_overlap(state, patterns):
    """Return o_mu = <p_mu, M> / <p_mu, p_mu> for every pattern.

    The overlap is 1 when M contains p_mu at full strength (M = p_mu, or M a
    sum of patterns with disjoint supports), 0 when M is orthogonal to it. For
    +1/-1 patterns and states it is the usual Hopfield overlap
    (1/n) sum_i p_i s_i.

    Parameters
    ----------
    state : array_like, shape (n_nodes,) or (n_nodes, n_states)
    patterns : array_like, shape (n_nodes, n_patterns)
        Non-zero columns.

    Returns
    -------
    ndarray of float64, shape (n_patterns,) or (n_patterns, n_states)
    """
    patterns = _checked_patterns(patterns, _leading(state))
    array, was_1d = as_state("state", state, patterns.shape[0], keep_float32=False)
    result = (patterns.T @ array) / np.sum(patterns**2, axis=0)[:, None]
    return result[:, 0] if was_1d else result


@serial_blas
def simulate_replay(
    graph,
    patterns,
    *,
    gamma,
    decay_rate,
    duration,
    dt,
    replay_rate,
    schedule,
    replayed=None,
    initial=None,
    hebbian_rate=0.0,
    kind="combinatorial",
    record_every=1,
    tol=1e-10,
):
    """Simulate diffusion, decay and replay of stored patterns on a graph.

    Each step of length dt applies, in turn: one implicit Euler diffusion
    step (I + gamma dt L) M' = M solved by Jacobi (Cython), the exact decay
    factor exp(-kappa dt), and, when the step starts in a rest phase, the
    replay increment dt rho o (1 - o) p_mu of each replayed pattern (and the
    Hebbian weight change, which rebuilds L).

    Parameters
    ----------
    graph : Graph or array_like or networkx graph
        Undirected.
    patterns : array_like, shape (n_nodes, n_patterns)
        Stored patterns p_mu, non-zero columns (e.g. 0/1 assemblies).
    gamma : float
        Diffusion rate (1/time), > 0.
    decay_rate : float
        kappa (1/time), > 0; 1/kappa is the decay time constant.
    duration : float
        Simulated time (time), > 0; a whole number of steps dt (to a relative
        tolerance of 1e-9), at most 1e8 of them.
    dt : float
        Time step (time), 0 < dt <= duration. The replay increment is explicit, so keep
        rho dt below 1 (a warning is logged otherwise); gamma dt may be
        large (diffusion is implicit).
    replay_rate : float
        rho (1/time), >= 0; replayed overlaps settle near 1 - kappa /
        (rho * rest fraction) when diffusion is slow.
    schedule : RestSchedule
        When rest (and so replay) happens.
    replayed : array_like of int, optional
        Indices of the patterns to replay; all by default.
    initial : array_like, shape (n_nodes,), optional
        M(0); by default the sum of all patterns.
    hebbian_rate : float, optional
        eta (weight units per time), >= 0; 0 turns Hebbian reinforcement off.
        Only edges already in the graph change, and weights never go below 0
        (signed patterns can weaken an edge down to 0, which removes it).
    kind : {"combinatorial", "symmetric", "random_walk"}, optional
    record_every : int, optional
        Keep every this many steps (the first and last are always kept).
    tol : float, optional
        Relative residual tolerance of each Jacobi solve.

    Returns
    -------
    ReplayResult
    """
    graph = as_graph("graph", graph)
    patterns = _checked_patterns(patterns, graph.n_nodes)
    gamma = check_rate("gamma", gamma)
    kappa = check_rate("decay_rate", decay_rate)
    duration = check_rate("duration", duration)
    dt = check_rate("dt", dt)
    rho = check_positive("replay_rate", replay_rate, allow_zero=True)
    eta = check_positive("hebbian_rate", hebbian_rate, allow_zero=True)
    check_choice("kind", kind, LAPLACIAN_KINDS)
    record_every = check_integer("record_every", record_every, minimum=1)
    if not isinstance(schedule, RestSchedule):
        raise ValueError(
            f"schedule must be a RestSchedule, got {type(schedule).__name__}"
        )
    chosen = _checked_replayed(replayed, patterns.shape[1])
    if initial is None:
        state = patterns.sum(axis=1)
    else:
        state = as_state("initial", initial, graph.n_nodes, keep_float32=False)[0]
        if state.shape[1] != 1:
            raise ValueError(
                f"initial must have shape ({graph.n_nodes},), got {state.shape}"
            )
        state = state[:, 0]
    if rho * dt >= 1:
        logger.warning(
            "replay_rate*dt = %.3g >= 1: the explicit replay step "
            "can overshoot overlap 1; reduce dt",
            rho * dt,
        )

    n_steps = _step_count(duration, dt)
    n_kept = len(range(0, n_steps + 1, record_every)) + (n_steps % record_every > 0)
    check_record_size("record_every", f"= {record_every}", n_kept, (graph.n_nodes, 1))
    weights = graph.weights.copy()
    system = _implicit(weights, gamma, dt, kind)
    norms = np.sum(patterns**2, axis=0)
    decay = np.exp(-kappa * dt)
    kept = sorted(set(range(0, n_steps + 1, record_every)) | {n_steps})
    times = dt * np.asarray(kept, dtype=np.float64)
    states = np.empty((len(kept), graph.n_nodes))
    rest = np.zeros(len(kept), dtype=bool)
    states[0] = state
    slot = 1

    for step in range(n_steps):
        state = jacobi_solve(system, state, tol=tol).solution * decay

        resting = bool(schedule.is_rest(step * dt))
        if resting and rho > 0 and chosen.size:
            overlap = np.clip(patterns[:, chosen].T @ state / norms[chosen], 0, 1)
            state = state + dt * rho * patterns[:, chosen] @ (overlap * (1 - overlap))
            if eta > 0:
                weights = _hebbian(weights, patterns[:, chosen], dt * eta * overlap)
                _check_weights_finite(weights, eta, (step + 1) * dt)
                system = _implicit(weights, gamma, dt, kind)

        if slot < len(kept) and kept[slot] == step + 1:
            states[slot], rest[slot] = state, resting
            slot += 1

    overlaps = (states @ patterns) / norms
    final_graph = (
        graph
        if eta == 0
        else Graph(
            weights,
            directed=graph.directed,
            labels=graph.labels,
            positions=graph.positions,
            tract_lengths=graph.tract_lengths,
            name=graph.name,
        )
    )
    return ReplayResult(
        times=times,
        states=states,
        overlaps=overlaps,
        rest=rest,
        replayed=chosen,
        graph=final_graph,
    )


def _step_count(duration, dt):
    """Number of steps of length dt that make up duration, which must be whole."""
    if dt > duration:
        raise ValueError(
            f"dt must be at most duration, got dt = {dt!r} and duration = {duration!r}"
        )
    ratio = duration / dt
    if not ratio <= MAX_STEPS:
        raise ValueError(
            f"duration / dt = {ratio:.3g} steps is too many (at most {MAX_STEPS:g}); "
            f"got duration = {duration!r} and dt = {dt!r}"
        )
    n_steps = round(ratio)
    if abs(ratio - n_steps) > STEP_RTOL * ratio:
        raise ValueError(
            f"duration must be a whole number of steps dt, got duration = "
            f"{duration!r} and dt = {dt!r} (duration / dt = {ratio!r}); the "
            "simulation would end past duration"
        )
    return n_steps


def _implicit(weights, gamma, dt, kind):
    operator = laplacian_of_weights(weights, kind)
    with np.errstate(over="ignore"):
        step = gamma * dt
    if not np.isfinite(step):
        raise ValueError(
            f"gamma * dt must be finite, got gamma = {gamma!r} and dt = {dt!r}"
        )
    check_implicit_step(gamma, dt, operator)
    return LinearSystem.from_matrix(sp.eye_array(weights.shape[0]) + step * operator)


def _check_weights_finite(weights, eta, time):
    """Refuse Hebbian growth that overflowed a weight (or a node's degree)."""
    with np.errstate(over="ignore"):
        degrees = np.asarray(weights.sum(axis=1)).ravel()
    if not (np.isfinite(weights.data).all() and np.isfinite(degrees).all()):
        raise ValueError(
            f"hebbian_rate = {eta!r} made the weights overflow float64 by t = "
            f"{time:.6g}; expected a smaller hebbian_rate (or a shorter duration)"
        )


def _hebbian(weights, patterns, amounts):
    """Add sum_mu amount_mu p_i p_j to every stored edge, keeping W >= 0."""
    coo = weights.tocoo()
    change = (patterns[coo.row] * patterns[coo.col]) @ amounts
    data = np.maximum(coo.data + change, 0.0)
    return sp.csr_array((data, (coo.row, coo.col)), shape=weights.shape)


def _checked_patterns(patterns, n_nodes):
    array = check_finite_array("patterns", patterns, ndim=2)
    if array.shape[0] != n_nodes:
        raise ValueError(
            f"patterns must have {n_nodes} rows (one per node, shape "
            f"({n_nodes}, n_patterns)), got shape {array.shape}"
        )
    with np.errstate(over="ignore"):
        norms = np.sum(array**2, axis=0)
    empty = np.flatnonzero(norms == 0)
    if empty.size:
        raise ValueError(
            f"patterns must have no all-zero column; column {int(empty[0])} is zero"
        )
    huge = np.flatnonzero(~np.isfinite(norms))
    if huge.size:
        column = int(huge[0])
        raise ValueError(
            f"patterns must have a squared norm within float64 (overlaps divide "
            f"by it); column {column} has largest |entry| "
            f"{float(np.abs(array[:, column]).max()):.3g}, so its squared norm "
            "overflows: scale the patterns"
        )
    return array


def _checked_replayed(replayed, n_patterns):
    if replayed is None:
        return np.arange(n_patterns, dtype=np.int64)
    array = np.asarray(replayed)
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise ValueError(
            f"replayed must be a 1-D array of pattern indices, got {replayed!r}"
        )
    if array.size and (array.min() < 0 or array.max() >= n_patterns):
        raise ValueError(
            f"replayed must hold indices in [0, {n_patterns - 1}], got {array.tolist()}"
        )
    return np.unique(array).astype(np.int64)


def _leading(values):
    shape = np.shape(values)
    return shape[0] if shape else 0
