"""Graph diffusion on the connectome: the heat equation started at one region.

Model
-----
Activation M (one value per brain region) on the default connectome (TVB's
76-region human connectivity, prepared: symmetrised, largest connected
component of 74 regions, weights divided by their maximum) follows the heat
equation on the graph,

    dM/dt = -gamma L M,    L = D - W,

started with all activation at one region. Written per node,
dM_i/dt = -gamma d_i (M_i - sum_j W_ij M_j / d_i): every region relaxes
towards the weighted mean of its neighbours, at a speed set by its degree.
The equation is integrated by implicit Euler, (I + gamma dt L) M_{n+1} = M_n,
each step solved by Jacobi iteration (the graph level's Cython kernel), so
every update uses only a node's neighbours. Implicit Euler multiplies mode k
by 1 / (1 + gamma dt lambda_k) per step: with the default step the slowest
rate is off by gamma dt lambda_2 / 2, about 0.2 %.

Claim tested (paper, figure 5)
------------------------------
Diffusion moves activation without creating or destroying it (the total is
conserved, because the columns of L sum to zero), and the state relaxes to
the uniform state; late in the run the distance from uniform decays at the
rate gamma * lambda_2 set by the graph's algebraic connectivity (the slowest
non-trivial mode).

Measurements
------------
The relative drift of the total activation, the late-time decay rate of the
distance from uniform (fitted on a log scale) and gamma * lambda_2 computed
from the Laplacian's spectrum, plus the activation and the weighted
neighbour mean of every node over time for the figure.
"""

import logging
import time

import numpy as np
from brian2 import ms, second

from neurorelax.scripting import (
    check_parameters,
    diffusion_steps,
    model_main,
    resolve_overrides,
    save_model_results,
)

NAME = "graph_diffusion"

PARAMETERS = {
    # Diffusion rate (1/s); gamma * dt is dimensionless.
    "gamma": 10.0 / second,
    # Implicit Euler time step; each step is solved by Jacobi iteration.
    "dt": 1.0 * ms,
    # Relative residual at which each step's Jacobi iteration stops. The total
    # drifts by at most about this much per step, so it must be far below
    # the conservation target divided by the number of steps.
    "jacobi_tol": 1e-14,
    # Region (node index in the connectome) that holds all activation at t = 0.
    "start_node": 0,
    # Length of the run in slowest time constants, 1 / (gamma * lambda_2).
    "n_time_constants": 8.0,
    # Number of stored snapshots of the whole state (geometrically spaced).
    "n_samples": 300,
    # Start of the fit window of the late decay, as a fraction of the run.
    "fit_from": 0.5,
}

# --quick stores fewer snapshots; the dynamics are the same.
QUICK = {"n_samples": 100}

METRICS = (
    "lambda_2",
    "gamma_lambda_2",
    "decay_rate_fit",
    "decay_rate_rel_error",
    "total_rel_drift",
    "mean_jacobi_sweeps",
)

# Most state values (steps x nodes) a run may store: about 400 MB.
MAX_STATE_VALUES = 50_000_000
# Smallest Jacobi tolerance: float64 rounding leaves a relative residual of
# about 1e-16 (1 + gamma dt lambda_max) / 4, which gamma dt <= 1 keeps below
# 1e-14 on the default connectome; a smaller tolerance would run every step
# to the iteration cap (max_iter).
MIN_TOL = 1e-14
# Longest run in slowest time constants: after about 37 of them the distance
# from uniform is below float64 rounding and the late fit sees only noise.
MAX_TIME_CONSTANTS = 100.0
# Most stored snapshots.
MAX_SAMPLES = 100_000

logger = logging.getLogger(NAME)


def check(p):
    """Refuse parameters that cannot run, before any work (see ``PARAMETERS``).

    Besides each parameter's own range: gamma dt <= 1 keeps each implicit
    step well-conditioned for Jacobi, and the run on the default connectome
    (whose lambda_2 sets its length) must store at most ``MAX_STATE_VALUES``
    values and leave at least 2 steps in the fit window.
    """
    from neurorelax.connectome import default_eigenvalues

    dt_ = float(p["dt"] / second)
    per_step = 1 / dt_ if dt_ > 0 else float("inf")
    check_parameters(
        p,
        {
            "dt": (lambda v: float(v / second) > 0, "a time > 0 (such as '1 ms')"),
            "gamma": (
                lambda v: 0 < float(v * second) <= per_step,
                f"a rate in (0, 1 / dt] = (0, {per_step:g} Hz] (gamma x dt <= 1 "
                "keeps each implicit step well-conditioned for Jacobi)",
            ),
            "jacobi_tol": (
                lambda v: MIN_TOL <= v < 1,
                f"a number in [{MIN_TOL:g}, 1) (float64 rounding cannot reach a "
                "smaller residual)",
            ),
            "start_node": (lambda v: v >= 0, "a node index >= 0"),
            "n_time_constants": (
                lambda v: 0 < v <= MAX_TIME_CONSTANTS,
                f"a number in (0, {MAX_TIME_CONSTANTS:g}] (past about 37 the "
                "distance from uniform is below float64 rounding)",
            ),
            "n_samples": (
                lambda v: 1 <= v <= MAX_SAMPLES,
                f"an integer in [1, {MAX_SAMPLES:,}]",
            ),
            "fit_from": (lambda v: 0 <= v < 1, "a fraction of the run in [0, 1)"),
        },
        NAME,
    )
    eigenvalues = default_eigenvalues()
    n_nodes = len(eigenvalues)
    if not p["start_node"] < n_nodes:
        raise ValueError(
            f"{NAME}: start_node must be a node index in [0, {n_nodes - 1}] (the "
            f"default connectome has {n_nodes} nodes), got {p['start_node']}"
        )
    run_length(p, float(eigenvalues[1]), n_nodes)


def run_length(p, lambda_2, n_nodes):
    """Return ``(t_end, n_steps)`` of the run; refuse a too short fit window.

    The run's length is :func:`neurorelax.scripting.diffusion_steps` on a
    graph with algebraic connectivity ``lambda_2`` and ``n_nodes`` nodes, at
    most ``MAX_STATE_VALUES`` stored values; the fit window from
    ``fit_from x t_end`` must hold at least 2 steps, else a ValueError names
    fit_from, n_time_constants, gamma and dt.
    """
    t_end, n_steps, source = diffusion_steps(
        NAME, p, lambda_2, n_nodes, MAX_STATE_VALUES
    )
    dt_ = float(p["dt"] / second)
    threshold = float(p["fit_from"]) * t_end
    # The first step k with k dt >= threshold, as the times array rounds k dt.
    first = max(int(np.ceil(threshold / dt_)), 0)
    while first > 0 and (first - 1) * dt_ >= threshold:
        first -= 1
    while first * dt_ < threshold:
        first += 1
    fit_steps = max(n_steps + 1 - first, 0)
    if fit_steps < 2:
        raise ValueError(
            f"{NAME}: fit_from = {p['fit_from']:.10g} with {source} leaves "
            f"{fit_steps} of the {n_steps:,} steps in the fit window; expected "
            "at least 2 (lower fit_from, raise n_time_constants or lower "
            "gamma x dt)"
        )
    return t_end, n_steps


def snapshot_indices(n_steps, n_samples):
    """Return step 0 and about ``n_samples - 1`` geometrically spaced steps.

    Early steps are dense because the fast modes relax within milliseconds;
    the slow late decay needs only a few snapshots.
    """
    steps = np.geomspace(1, n_steps, max(n_samples - 1, 1)).round().astype(int)
    return np.unique(np.concatenate([[0], steps]))


def simulate(graph, p):
    """Diffuse a unit impulse on ``graph``; return arrays and metrics.

    Parameters
    ----------
    graph : neurorelax.graph.Graph
        Undirected, connected graph.
    p : dict
        Parameters as in :data:`PARAMETERS` (gamma a Brian2 rate).

    Returns
    -------
    arrays : dict of ndarray
        At every step: ``t`` (n_steps + 1,) s, ``total``, ``deviation``
        (distance from uniform) and ``fit_window`` (bool). At snapshot times
        ``t_snapshot`` (n_shots,) s: ``activity`` and ``neighbour_mean``
        (n_shots, n_nodes). ``positions`` (n_nodes, 3) mm.
    metrics : dict of float
    """
    from neurorelax.graph import diffusion, spectral

    gamma_ = float(p["gamma"] * second)
    dt_ = float(p["dt"] / second)
    n_nodes = graph.n_nodes
    start = int(p["start_node"])
    if not 0 <= start < n_nodes:
        raise ValueError(
            f"start_node must be a node index in [0, {n_nodes - 1}], got {start}"
        )

    # The slowest non-trivial mode sets the length of the run.
    lambda_2 = float(spectral.eigenmodes(graph).values[1])
    t_end, n_steps = run_length(p, lambda_2, n_nodes)

    # Implicit Euler, (I + gamma dt L) M_{n+1} = M_n, each step by Jacobi.
    # One thread: the graph is far too small for OpenMP to pay off.
    m0 = np.zeros(n_nodes)
    m0[start] = 1.0
    trajectory = diffusion.diffuse_implicit(
        graph,
        m0,
        gamma=gamma_,
        dt=dt_,
        n_steps=n_steps,
        tol=float(p["jacobi_tol"]),
        n_threads=1,
    )
    times, states = trajectory.times, trajectory.states

    # Conservation and the distance from the uniform state, at every step.
    total = states.sum(axis=1)
    total_rel_drift = float(np.max(np.abs(total - total[0])) / abs(total[0]))
    deviation = diffusion.distance_from_uniform(states)

    # Late-time decay rate of the deviation against gamma * lambda_2.
    window = times >= float(p["fit_from"]) * t_end
    rate = float(spectral.fit_decay_rates(times[window], deviation[window, None])[0])
    gamma_lambda_2 = gamma_ * lambda_2

    # Snapshots of the state, and what each node relaxes towards: the
    # weighted mean of its neighbours.
    shots = snapshot_indices(n_steps, int(p["n_samples"]))
    activity = states[shots]
    neighbour_mean = diffusion.neighbour_mean(graph, activity.T).T

    arrays = {
        "t": times,
        "total": total,
        "deviation": deviation,
        "fit_window": window,
        "t_snapshot": times[shots],
        "activity": activity,
        "neighbour_mean": neighbour_mean,
        "positions": _positions(graph),
    }
    metrics = {
        "lambda_2": lambda_2,
        "gamma_lambda_2": gamma_lambda_2,
        "decay_rate_fit": rate,
        "decay_rate_rel_error": abs(rate - gamma_lambda_2) / gamma_lambda_2,
        "total_rel_drift": total_rel_drift,
        "mean_jacobi_sweeps": float(np.mean(trajectory.info["iterations"])),
    }
    return arrays, metrics


def _positions(graph):
    if graph.positions is None:
        return np.full((graph.n_nodes, 3), np.nan)
    return np.asarray(graph.positions, dtype=float)


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Run the model on the default connectome and save ``out_dir/<NAME>.h5``.

    ``seed`` and ``device`` do not change this deterministic graph-level
    model; they are recorded in the metadata.
    """
    from neurorelax.connectome import default_connectome

    p = resolve_overrides(
        PARAMETERS, {**(QUICK if quick else {}), **(params or {})}, NAME
    )
    check(p)
    started = time.perf_counter()
    graph = default_connectome()
    arrays, metrics = simulate(graph, p)

    save_model_results(
        out_dir,
        NAME,
        arrays,
        quick=quick,
        seed=seed,
        device=device,
        graph=graph.name,
        labels=list(graph.labels),
        start_label=graph.labels[int(p["start_node"])],
        parameters=p,
        metrics=metrics,
        started=started,
    )
    logger.info(
        "%s: decay rate %.5g /s against gamma lambda_2 %.5g /s",
        NAME,
        metrics["decay_rate_fit"],
        metrics["gamma_lambda_2"],
    )
    return metrics


def main(argv=None):
    """Command line: ``python models/graph_diffusion.py [--quick] [--out DIR]``."""
    return model_main(
        NAME,
        run,
        argv,
        description=__doc__.splitlines()[0],
        parameters=PARAMETERS,
        quick=QUICK,
    )


if __name__ == "__main__":
    raise SystemExit(main())
