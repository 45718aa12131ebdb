"""The graph-level model fitted to coarse-grained spiking activity.

The model of node activations M (one value per node) driven by a stimulus
u(t) is

    dM/dt = -decay * M - (gamma * L + eta * S) f(M) + gain * u(t)

with L the graph Laplacian (n_nodes x n_nodes), S = diag(s) the node
strengths (weighted degrees), f the identity (``nonlinearity=None``) or the
saturating f(M) = m_sat * tanh(M / m_sat) (``nonlinearity="saturating"``).

- ``gamma`` (1/s) is the diffusion rate of the paper's dM/dt = -gamma L M;
  mode k of L relaxes at gamma * lambda_k + decay.
- ``decay`` (1/s) is a uniform leak that takes activity out of the graph.
- ``gain`` (activation units per second per unit of u) scales the stimulus.
- ``eta`` (1/s) is the *normalization* extension: a leak proportional to node
  strength. With eta = 0 the model is pure diffusion with decay; with
  eta = -gamma the coupling term becomes -gamma * (-W) M = +gamma W M, the
  linear rate model of an excitatory network, in which a node that drives
  its neighbours does not lose the activity it passes on.
- ``m_sat`` (activation units) is the *rate non-linearity* extension: the
  activity passed between nodes saturates at m_sat.

Which parameters are fitted is chosen by ``free``; the others stay at their
fixed values (eta = 0 and no non-linearity: the paper's model).

Integration: for the linear model each step of length dt is exact for an
input held constant over the step, M[n+1] = E M[n] + F u[n] with
E = expm(A dt), F = gain * integral_0^dt expm(A s) ds, computed together from
one block matrix exponential (Van Loan). The saturating model takes
exponential-Euler sub-steps (the decay exact, the coupling explicit), with
the sub-step chosen so that dt * ||gamma L + eta S|| stays below 0.2.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Real

import numpy as np
from scipy import linalg, optimize

from neurorelax.validation import (
    check_choice,
    check_finite_array,
    check_in_range,
    check_integer,
    check_positive,
    format_value,
)

__all__ = [
    "PARAMETERS",
    "FitResult",
    "fit_graph_model",
    "simulate_graph_model",
]

logger = logging.getLogger(__name__)

PARAMETERS = ("gamma", "decay", "gain", "eta", "m_sat")
NONLINEARITIES = (None, "saturating")

# lower and upper bounds used by the fit, and the default starting values
_BOUNDS = {
    "gamma": (0.0, np.inf),
    "decay": (0.0, np.inf),
    "gain": (0.0, np.inf),
    "eta": (-np.inf, np.inf),
    "m_sat": (1e-6, np.inf),
}


@dataclass
class FitResult:
    """Parameters of the graph-level model fitted by least squares.

    Attributes
    ----------
    params : dict of str to float
        Every model parameter (fitted or fixed): gamma, decay, eta in 1/s,
        gain in activation units per second, m_sat in activation units.
    free : tuple of str
        The fitted parameters.
    nonlinearity : str or None
    cost : float
        Half the sum of squared residuals at the optimum.
    r_squared : float
        R^2 of the fit on the data it was fitted to.
    n_evaluations : int
        Model evaluations used by the optimiser.
    success : bool
        Whether the optimiser reported convergence.
    message : str
        The optimiser's message.
    """

    params: dict
    free: tuple
    nonlinearity: str | None
    cost: float
    r_squared: float
    n_evaluations: int
    success: bool
    message: str = ""
    stderr: dict = field(default_factory=dict)


def _step_matrices(system, gain, dt_):
    """Return E = expm(A dt) and F = gain * int_0^dt expm(A s) ds."""
    n = system.shape[0]
    block = np.zeros((2 * n, 2 * n))
    block[:n, :n] = system * dt_
    block[:n, n:] = np.eye(n) * dt_
    exponential = linalg.expm(block)
    return exponential[:n, :n], exponential[:n, n:] * gain


def simulate_graph_model(
    params, laplacian, inputs, initial, dt_, *, strength=None, nonlinearity=None
):
    """Integrate the graph-level model for several stimuli at once.

    Parameters
    ----------
    params : dict
        ``gamma``, ``decay``, ``gain`` (required), ``eta`` (default 0) and
        ``m_sat`` (needed for ``nonlinearity="saturating"``).
    laplacian : ndarray of shape (n_nodes, n_nodes)
        Graph Laplacian L acting on column vectors, (L M)_i = sum_j L_ij M_j.
    inputs : ndarray of shape (n_stimuli, n_nodes, n_steps)
        Stimulus u, held constant over each step.
    initial : ndarray of shape (n_stimuli, n_nodes)
        M at the first step.
    dt_ : float
        Step, in seconds.
    strength : ndarray of shape (n_nodes,), optional
        Node strengths for the ``eta`` term; default: the diagonal of L.
    nonlinearity : {None, "saturating"}
        See the module docstring.

    Returns
    -------
    ndarray of shape (n_stimuli, n_nodes, n_steps)
        M at the start of each step; entry [..., 0] is ``initial``.

    Raises
    ------
    ValueError
        If ``params`` holds an unknown name, lacks a required one or holds a
        value that is not a finite real number (``m_sat`` may be ``inf`` and
        must be > 0), ``dt_`` is not > 0, or an array has the wrong shape or
        non-finite entries; before the run, if the saturating model would
        need more than :data:`MAX_SUB_STEPS` sub-steps per step; after it, if
        the activation overflowed.
    """
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    params = _check_params(params, nonlinearity)
    laplacian = check_finite_array("laplacian", laplacian, ndim=2)
    n_nodes = laplacian.shape[0]
    if laplacian.shape != (n_nodes, n_nodes):
        raise ValueError(f"laplacian must be square, got shape {laplacian.shape}")
    inputs = check_finite_array("inputs", inputs, shape=(None, n_nodes, None))
    initial = check_finite_array("initial", initial, shape=(inputs.shape[0], n_nodes))
    dt_ = check_positive("dt_", dt_)
    if strength is not None:
        strength = check_finite_array("strength", strength, shape=(n_nodes,))
    # An overflow is reported below, as an error rather than as a warning.
    with np.errstate(over="ignore", invalid="ignore"):
        out = _simulate(params, laplacian, inputs, initial, dt_, strength, nonlinearity)
    if not np.all(np.isfinite(out)):
        raise ValueError(
            f"the activation overflowed with params {params} and dt_ = {dt_:g} s; "
            "expected parameters and a step whose products stay within "
            "floating-point range"
        )
    return out


def _check_params(params, nonlinearity):
    """Refuse unknown, missing or non-finite model parameters."""
    if not isinstance(params, Mapping):
        raise TypeError(
            f"params must be a mapping of parameter names to numbers, got "
            f"{format_value(params)}"
        )
    unknown = sorted(set(params) - set(PARAMETERS), key=str)
    if unknown:
        raise ValueError(
            f"params has unknown name(s) {unknown}; expected names among "
            f"{list(PARAMETERS)}"
        )
    required = ["gamma", "decay", "gain"]
    if nonlinearity is not None:
        required.append("m_sat")
    missing = [name for name in required if name not in params]
    if missing:
        raise ValueError(
            f"params is missing {missing} (required: {required}), got "
            f"{format_value(dict(params))}"
        )
    checked = {}
    for name, value in params.items():
        if name == "m_sat":
            checked[name] = _check_m_sat(value, nonlinearity)
        else:
            checked[name] = check_in_range(f"params[{name!r}]", value, -np.inf, np.inf)
    return checked


def _check_m_sat(value, nonlinearity):
    """m_sat: a number > 0, infinite allowed (the linear model's value)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, Real | np.number)
        or not float(value) > 0
    ):
        raise ValueError(
            f"params['m_sat'] must be a number > 0 (inf: no saturation), got "
            f"{format_value(value)}"
        )
    if nonlinearity is not None and not np.isfinite(value):
        raise ValueError(
            "params['m_sat'] must be finite with nonlinearity='saturating', "
            f"got {value!r}"
        )
    return float(value)


# The most exponential-Euler sub-steps per sample of the saturating model.
MAX_SUB_STEPS = 100_000


def _simulate(params, laplacian, inputs, initial, dt_, strength, nonlinearity):
    """:func:`simulate_graph_model` on checked arguments."""
    strength = np.diag(laplacian) if strength is None else np.asarray(strength)
    coupling = params["gamma"] * laplacian + params.get("eta", 0.0) * np.diag(strength)
    n_stimuli, n_nodes, n_steps = inputs.shape
    out = np.empty((n_steps, n_nodes, n_stimuli))
    drive = np.ascontiguousarray(np.transpose(inputs, (2, 1, 0)))
    state = np.array(initial, dtype=np.float64).T.copy()

    if nonlinearity is None:
        system = -coupling - params["decay"] * np.eye(n_nodes)
        step, feed = _step_matrices(system, params["gain"], dt_)
        for n in range(n_steps):
            out[n] = state
            state = step @ state + feed @ drive[n]
        return np.transpose(out, (2, 1, 0))

    # saturating coupling: exponential-Euler sub-steps
    norm = np.abs(coupling).sum(axis=1).max()
    sub_steps = np.ceil(dt_ * norm / 0.2)
    if not sub_steps <= MAX_SUB_STEPS:
        raise ValueError(
            f"dt_ = {dt_:g} s with a coupling of norm {norm:.3g}/s needs "
            f"{sub_steps:.3g} sub-steps per step for the saturating model, more "
            f"than {MAX_SUB_STEPS:,}; use a smaller dt_ or a weaker coupling"
        )
    n_sub = max(1, int(sub_steps))
    h = dt_ / n_sub
    decay = params["decay"]
    keep = np.exp(-decay * h)
    factor = h if decay == 0 else (1 - keep) / decay
    m_sat = params["m_sat"]
    for n in range(n_steps):
        out[n] = state
        for _ in range(n_sub):
            flow = coupling @ (m_sat * np.tanh(state / m_sat))
            state = keep * state + factor * (params["gain"] * drive[n] - flow)
    return np.transpose(out, (2, 1, 0))


def _r_squared(predicted, measured):
    residual = np.sum((predicted - measured) ** 2)
    total = np.sum((measured - measured.mean()) ** 2)
    return float(1 - residual / total) if total > 0 else float("nan")


def fit_graph_model(
    laplacian,
    inputs,
    measured,
    dt_,
    *,
    free=("gamma", "decay", "gain"),
    fixed=None,
    initial_guess=None,
    strength=None,
    nonlinearity=None,
    skip_steps=0,
):
    """Fit the graph-level model to measured activations by least squares.

    Parameters
    ----------
    laplacian : ndarray of shape (n_nodes, n_nodes)
        Graph Laplacian.
    inputs : ndarray of shape (n_stimuli, n_nodes, n_steps)
        Stimulus of each training run.
    measured : ndarray of shape (n_stimuli, n_nodes, n_steps)
        Measured activation; its first step is the model's initial state.
    dt_ : float
        Step between samples, in seconds.
    free : sequence of str
        Parameters to fit, a subset of :data:`PARAMETERS`.
    fixed : dict, optional
        Values of parameters that are not fitted (defaults: eta = 0; m_sat is
        infinite for the linear model).
    initial_guess : dict, optional
        Starting values of the fitted parameters; defaults are derived from
        the data (decay from the stimulated node's fall, gamma from the mean
        strength).
    strength : ndarray of shape (n_nodes,), optional
        Node strengths for ``eta``; default: the diagonal of L.
    nonlinearity : {None, "saturating"}
        The model's non-linearity.
    skip_steps : int
        Steps at the start of each run left out of the residual.

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError
        Before fitting, for arrays of the wrong shape or with non-finite
        entries, ``measured`` all zero or ``inputs`` all zero with ``gain``
        fitted (nothing to fit), ``dt_`` not > 0, unknown, repeated or
        conflicting names in ``free``, ``fixed`` and ``initial_guess``, and
        if the model
        overflows at the starting values (a ``dt_`` or data far off the
        scale of the dynamics).
    """
    laplacian = check_finite_array("laplacian", laplacian, ndim=2)
    n_nodes = laplacian.shape[0]
    inputs = check_finite_array("inputs", inputs, ndim=3)
    measured = check_finite_array("measured", measured, shape=(None, n_nodes, None))
    if inputs.shape != measured.shape:
        raise ValueError(
            f"inputs must have the shape of measured {measured.shape}, got "
            f"{inputs.shape}"
        )
    check_positive("dt_", dt_)
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    if isinstance(free, str):
        free = (free,)
    for name in free:
        check_choice("free", name, PARAMETERS)
    if len(set(free)) != len(tuple(free)):
        raise ValueError(f"free must not repeat a name, got {list(free)}")
    skip_steps = check_integer("skip_steps", skip_steps, minimum=0)
    if strength is not None:
        strength = check_finite_array("strength", strength, shape=(n_nodes,))
    for label, given in (("fixed", fixed), ("initial_guess", initial_guess)):
        if given is None:
            continue
        if not isinstance(given, Mapping):
            raise TypeError(
                f"{label} must be a mapping of parameter names to numbers, "
                f"got {format_value(given)}"
            )
        for name in given:
            check_choice(f"{label} key", name, PARAMETERS)
    both = sorted(set(fixed or {}) & set(free))
    if both:
        raise ValueError(
            f"fixed must not hold a fitted parameter: {both} also in free="
            f"{list(free)}; remove it from one of them (use initial_guess for "
            "the starting value of a fitted parameter)"
        )
    not_free = sorted(set(initial_guess or {}) - set(free))
    if not_free:
        raise ValueError(
            f"initial_guess may only hold fitted parameters (free={list(free)}), "
            f"got {not_free}; use fixed for the others"
        )
    if nonlinearity is None and "m_sat" in free:
        raise ValueError(
            "free may hold 'm_sat' only with "
            "nonlinearity='saturating', got nonlinearity=None"
        )
    if measured.shape[2] - skip_steps < 3 * len(free):
        raise ValueError(
            f"measured must have at least {3 * len(free) + skip_steps} steps to "
            f"fit {len(free)} parameter(s), got {measured.shape[2]}"
        )
    if not np.any(measured):
        raise ValueError(
            "measured must not be all zero: there is nothing to fit (no "
            f"parameter is identified), got shape {measured.shape}"
        )
    if "gain" in free and not np.any(inputs):
        raise ValueError(
            "inputs must not be all zero when 'gain' is fitted: without input "
            "the gain has no effect; fix it (fixed={'gain': ...}) to fit a free "
            f"relaxation, got inputs of shape {inputs.shape}"
        )

    params = {"gamma": 0.0, "decay": 0.0, "gain": 1.0, "eta": 0.0, "m_sat": np.inf}
    params.update(_default_guess(laplacian, inputs, measured, dt_))
    if nonlinearity is None:
        params["m_sat"] = np.inf
    params.update(fixed or {})
    params.update(initial_guess or {})
    params = _check_params(params, nonlinearity)
    free = tuple(free)
    scale = np.array([max(abs(params[name]), 1e-3) for name in free])
    low = np.array([_BOUNDS[name][0] for name in free]) / scale
    high = np.array([_BOUNDS[name][1] for name in free]) / scale
    start = np.clip(
        np.array([params[name] for name in free]) / scale, low + 1e-9, high - 1e-9
    )

    def unpack(x):
        current = dict(params)
        current.update(zip(free, x * scale, strict=True))
        return current

    def residuals(x):
        predicted = _simulate(
            unpack(x), laplacian, inputs, measured[:, :, 0], dt_, strength, nonlinearity
        )
        return (predicted - measured)[:, :, skip_steps:].ravel()

    with np.errstate(over="ignore", invalid="ignore"):
        finite_start = np.all(np.isfinite(residuals(start)))
    if not finite_start:
        raise ValueError(
            f"the model overflows at the starting values {unpack(start)} with "
            f"dt_ = {dt_:g} s and measurements up to {np.abs(measured).max():.3g}; "
            "expected a step and data on the scale of the dynamics (check the "
            "units of dt_ and measured, or give initial_guess)"
        )
    solution = optimize.least_squares(
        residuals, start, bounds=(low, high), x_scale="jac", xtol=1e-8, ftol=1e-8
    )

    best = unpack(solution.x)
    predicted = _simulate(
        best, laplacian, inputs, measured[:, :, 0], dt_, strength, nonlinearity
    )
    stderr = _standard_errors(solution, scale, free)
    logger.info(
        "fitted %s: %s (cost %.4g)",
        free,
        {k: round(best[k], 6) for k in free},
        solution.cost,
    )
    return FitResult(
        params={key: float(value) for key, value in best.items()},
        free=free,
        nonlinearity=nonlinearity,
        cost=float(solution.cost),
        r_squared=_r_squared(predicted[:, :, skip_steps:], measured[:, :, skip_steps:]),
        n_evaluations=int(solution.nfev),
        success=bool(solution.success),
        message=str(solution.message),
        stderr=stderr,
    )


def _default_guess(laplacian, inputs, measured, dt_):
    """Starting values derived from the data's scale."""
    # typical coupling per node: half the mean absolute row sum of L
    mean_strength = max(float(np.abs(laplacian).sum(axis=1).mean()) / 2, 1e-12)
    decay = 1 / (20 * dt_) if dt_ < 5e-3 else 1 / (4 * dt_)
    drive = np.abs(inputs).max()
    peak = np.abs(measured).max()
    gain = decay * peak / drive if drive > 0 and peak > 0 else 1.0
    return {
        "decay": decay,
        "gamma": 0.5 * decay / mean_strength,
        "gain": gain,
        "m_sat": max(peak, 1e-3),
    }


def _standard_errors(solution, scale, free):
    """Standard errors from the Jacobian at the optimum (Gauss-Newton)."""
    jacobian = solution.jac
    dof = max(1, len(solution.fun) - len(free))
    variance = 2 * solution.cost / dof
    try:
        covariance = np.linalg.inv(jacobian.T @ jacobian) * variance
    except np.linalg.LinAlgError:
        return {name: float("nan") for name in free}
    errors = np.sqrt(np.clip(np.diag(covariance), 0, None)) * scale
    return {name: float(error) for name, error in zip(free, errors, strict=True)}
