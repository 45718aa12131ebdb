"""Spectral decay: a pattern on the connectome diffuses mode by mode.

Model
-----
A sharp activation pattern (a random assembly: a quarter of the regions of
the default connectome active, the rest silent) diffuses under
dM/dt = -gamma L M. Written on the Laplacian's eigenmodes
L phi_k = lambda_k phi_k, the state is M(t) = sum_k a_k(t) phi_k and every
amplitude decays on its own, a_k(t) = a_k(0) exp(-gamma lambda_k t).
The state is simulated without using the eigenmodes: implicit Euler steps
(I + gamma dt L) M_{n+1} = M_n, each solved by Jacobi iteration (the graph
level's Cython kernel). The modes are only used afterwards, to project the
simulated state. Implicit Euler lets mode k decay at
log(1 + gamma dt lambda_k) / dt, about gamma dt lambda_k / 2 below
gamma lambda_k: 0.3 % for mode 10 with the default step, well inside the
1 % target.

Claim tested (paper, figure 7)
------------------------------
Sharp distinctions fade first: the high graph frequencies (differences
between neighbouring regions) decay fastest, broad structure survives. The
model fits a decay rate to the amplitude of each of the first 10
non-trivial modes of the simulated state and holds it against
gamma * lambda_k.

Measurements
------------
Mode amplitudes over time, fitted and predicted decay rates, the energy in
the low and high halves of the spectrum over time, and the pattern at every
stored time. The fit covers the whole run for every mode, leaving out only
amplitudes that have fallen to the rounding noise of the state.
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

NAME = "spectral_decay"

PARAMETERS = {
    # Diffusion rate (1/s); gamma * t is dimensionless.
    "gamma": 10.0 / second,
    # Share of regions active in the initial assembly.
    "active_fraction": 0.25,
    # Number of non-trivial modes whose decay rates are fitted.
    "n_fit_modes": 10,
    # Implicit Euler step, solved by Jacobi. Mode k then decays at
    # log(1 + gamma dt lambda_k) / dt, below gamma lambda_k by about
    # gamma dt lambda_k / 2: 0.3 % for mode 10 of the default connectome.
    "dt": 0.1 * ms,
    # Relative residual at which each step's Jacobi iteration stops.
    "jacobi_tol": 1e-13,
    # Length of the run in slowest time constants, 1 / (gamma * lambda_2).
    "n_time_constants": 1.5,
    # Number of stored snapshots (evenly spaced, t = 0 included).
    "n_samples": 400,
    # Amplitudes below this share of the pattern's norm are left out of fits
    # (rounding noise of the state is about 1e-16 of it).
    "fit_floor": 1e-10,
}

QUICK = {"n_samples": 150}

METRICS = (
    "lambda_2",
    "worst_rate_rel_error",
    "high_share_start",
    "high_share_end",
)

# Most state values (steps x nodes) a run may store: about 400 MB.
MAX_STATE_VALUES = 50_000_000
# Smallest Jacobi tolerance: float64 rounding leaves a relative residual of
# about 1e-16 (1 + gamma dt lambda_max) / 4, which gamma dt <= 1 keeps below
# 1e-14 on the default connectome; a smaller tolerance would run every step
# to the iteration cap (max_iter).
MIN_TOL = 1e-14
# Longest run in slowest time constants: long before 100 every fitted
# amplitude is below float64 rounding.
MAX_TIME_CONSTANTS = 100.0
# Most stored snapshots.
MAX_SAMPLES = 100_000

logger = logging.getLogger(NAME)


def check(p):
    """Refuse parameters that cannot run, before any work (see ``PARAMETERS``).

    Besides each parameter's own range: gamma dt <= 1 keeps each implicit
    step well-conditioned for Jacobi, n_fit_modes is at most the default
    connectome's non-trivial modes, and the run on it (whose lambda_2 sets
    its length) stores at most ``MAX_STATE_VALUES`` values.
    """
    from neurorelax.connectome import default_eigenvalues

    dt_ = float(p["dt"] / second)
    per_step = 1 / dt_ if dt_ > 0 else float("inf")
    check_parameters(
        p,
        {
            "dt": (lambda v: float(v / second) > 0, "a time > 0 (such as '0.1 ms')"),
            "gamma": (
                lambda v: 0 < float(v * second) <= per_step,
                f"a rate in (0, 1 / dt] = (0, {per_step:g} Hz] (gamma x dt <= 1 "
                "keeps each implicit step well-conditioned for Jacobi)",
            ),
            "active_fraction": (lambda v: 0 < v < 1, "a fraction in (0, 1)"),
            "n_fit_modes": (lambda v: v >= 1, "an integer >= 1"),
            "jacobi_tol": (
                lambda v: MIN_TOL <= v < 1,
                f"a number in [{MIN_TOL:g}, 1) (float64 rounding cannot reach a "
                "smaller residual)",
            ),
            "n_time_constants": (
                lambda v: 0 < v <= MAX_TIME_CONSTANTS,
                f"a number in (0, {MAX_TIME_CONSTANTS:g}]",
            ),
            "n_samples": (
                lambda v: 1 <= v <= MAX_SAMPLES,
                f"an integer in [1, {MAX_SAMPLES:,}]",
            ),
            "fit_floor": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
        },
        NAME,
    )
    eigenvalues = default_eigenvalues()
    n_nodes = len(eigenvalues)
    if not p["n_fit_modes"] <= n_nodes - 1:
        raise ValueError(
            f"{NAME}: n_fit_modes must be at most n_nodes - 1 = {n_nodes - 1} (the "
            f"non-trivial modes of the default connectome), got {p['n_fit_modes']}"
        )
    fraction = float(p["active_fraction"])
    if not max(1, round(fraction * n_nodes)) < n_nodes:
        raise ValueError(
            f"{NAME}: active_fraction = {fraction:g} activates all {n_nodes} nodes "
            "of the default connectome, a uniform pattern with no mode but the "
            "mean; expected a fraction below (n_nodes - 0.5) / n_nodes = "
            f"{(n_nodes - 0.5) / n_nodes:.4f}"
        )
    diffusion_steps(NAME, p, float(eigenvalues[1]), n_nodes, MAX_STATE_VALUES)


def initial_pattern(n_nodes, active_fraction, rng):
    """Return a random assembly: ``active_fraction`` of the nodes at 1, others 0."""
    n_active = max(1, round(active_fraction * n_nodes))
    pattern = np.zeros(n_nodes)
    pattern[rng.choice(n_nodes, size=n_active, replace=False)] = 1.0
    return pattern


def simulate(graph, p, rng):
    """Diffuse a random assembly on ``graph``; return arrays and metrics.

    Parameters
    ----------
    graph : neurorelax.graph.Graph
        Undirected, connected graph.
    p : dict
        Parameters as in :data:`PARAMETERS`.
    rng : numpy.random.Generator

    Returns
    -------
    arrays : dict of ndarray
        ``gamma`` (scalar) 1/s; ``t`` (n_t,) s; ``activity`` (n_t, n_nodes);
        ``amplitudes`` (n_t, n_nodes) on all modes; ``eigenvalues`` (n_nodes,);
        ``fit_modes`` (n_fit,) mode indices; ``rate_fit`` and
        ``rate_predicted`` (n_fit,) 1/s; ``energy_low``, ``energy_high``
        and ``high_share`` (n_t,).
    metrics : dict of float
    """
    from neurorelax.graph import diffusion, spectral

    gamma_ = float(p["gamma"] * second)
    n_fit = int(p["n_fit_modes"])
    modes = spectral.eigenmodes(graph)
    if n_fit > graph.n_nodes - 1:
        raise ValueError(
            f"n_fit_modes must be at most n_nodes - 1 = {graph.n_nodes - 1}, "
            f"got {n_fit}"
        )

    # Simulate from a sharp pattern by implicit Euler steps, each solved by
    # Jacobi (one thread: the graph is far too small for OpenMP to pay off).
    lambda_2 = float(modes.values[1])
    dt_ = float(p["dt"] / second)
    _, n_steps, _ = diffusion_steps(NAME, p, lambda_2, graph.n_nodes, MAX_STATE_VALUES)
    m0 = initial_pattern(graph.n_nodes, float(p["active_fraction"]), rng)
    trajectory = diffusion.diffuse_implicit(
        graph,
        m0,
        gamma=gamma_,
        dt=dt_,
        n_steps=n_steps,
        tol=float(p["jacobi_tol"]),
        n_threads=1,
    )
    times_all, states = trajectory.times, trajectory.states

    # Amplitudes of the simulated state on every mode at every step, and the
    # fitted rates of modes 1 .. n_fit (mode 0 is the conserved mean).
    amplitudes_all = spectral.project(states.T, modes).T
    fit_modes = np.arange(1, n_fit + 1)
    floor = float(p["fit_floor"]) * np.linalg.norm(m0)
    rate_fit = spectral.fit_decay_rates(
        times_all, amplitudes_all[:, fit_modes], floor=floor
    )
    unfitted = fit_modes[np.isnan(rate_fit)]
    if unfitted.size:
        raise ValueError(
            f"{NAME}: the amplitudes of mode(s) {', '.join(map(str, unfitted[:10]))} "
            f"never reach two samples above fit_floor x |m0| = {p['fit_floor']:g} x "
            f"{np.linalg.norm(m0):.4g}, so their decay rates cannot be fitted; "
            f"lower fit_floor (default {PARAMETERS['fit_floor']:g})"
        )
    rate_predicted = spectral.mode_decay_rates(modes, gamma_)[fit_modes]
    rel_error = np.abs(rate_fit - rate_predicted) / rate_predicted

    # Snapshots for the figure.
    shots = np.unique(np.linspace(0, n_steps, int(p["n_samples"])).round().astype(int))
    times, activity = times_all[shots], states[shots]
    amplitudes = amplitudes_all[shots]

    # Energy in the low and the high half of the non-trivial spectrum.
    cutoff = graph.n_nodes // 2
    power = amplitudes**2
    energy_low = power[:, 1:cutoff].sum(axis=1)
    energy_high = power[:, cutoff:].sum(axis=1)
    high_share = spectral.high_frequency_share(activity.T, modes, cutoff=cutoff)

    arrays = {
        "t": times,
        "activity": activity,
        "amplitudes": amplitudes,
        "eigenvalues": modes.values,
        "positions": _positions(graph),
        "fit_modes": fit_modes,
        "rate_fit": rate_fit,
        "rate_predicted": rate_predicted,
        "rate_rel_error": rel_error,
        "energy_low": energy_low,
        "energy_high": energy_high,
        "high_share": high_share,
        "cutoff": cutoff,
        "gamma": gamma_,
    }
    metrics = {
        "lambda_2": lambda_2,
        "worst_rate_rel_error": float(np.max(rel_error)),
        "high_share_start": float(high_share[0]),
        "high_share_end": float(high_share[-1]),
    }
    return arrays, metrics


def _positions(graph):
    if graph.positions is None:
        return np.full((graph.n_nodes, 3), np.nan)
    return np.asarray(graph.positions, dtype=float)


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Run the model on the default connectome and save ``out_dir/<NAME>.h5``.

    ``seed`` picks the random assembly; ``device`` does not apply to this
    graph-level model and is only recorded.
    """
    from neurorelax.connectome import default_connectome

    p = resolve_overrides(
        PARAMETERS, {**(QUICK if quick else {}), **(params or {})}, NAME
    )
    check(p)
    started = time.perf_counter()
    graph = default_connectome()
    arrays, metrics = simulate(graph, p, np.random.default_rng(seed))

    save_model_results(
        out_dir,
        NAME,
        arrays,
        quick=quick,
        seed=seed,
        device=device,
        graph=graph.name,
        parameters=p,
        metrics=metrics,
        started=started,
    )
    logger.info(
        "%s: worst relative error of the fitted mode rates %.2e",
        NAME,
        metrics["worst_rate_rel_error"],
    )
    return metrics


def main(argv=None):
    """Command line: ``python models/spectral_decay.py [--quick] [--out DIR]``."""
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
