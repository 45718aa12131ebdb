"""Jacobi relaxation: implicit diffusion steps solved by local updates.

Model
-----
One implicit Euler step of the diffusion dM/dt = -gamma L M on the default
connectome is the linear system

    A M_{n+1} = M_n,    A = I + gamma dt L,

with diagonal a_i = 1 + gamma dt d_i. Jacobi iteration (the graph level's
Cython kernel) solves it by local updates: every region replaces its value
by (M_n,i + gamma dt sum_j W_ij X_j) / a_i, using only its neighbours'
previous values and dividing by its own total input. The error shrinks per
sweep by the spectral radius rho of the iteration matrix
G = I - diag(a)^-1 A.

The same step size is also taken with the unconstrained explicit update
M_{n+1} = M_n - gamma dt L M_n, in which every region adds its net input
without dividing by anything; it is stable only when
gamma dt lambda_max < 2, and the default step is beyond that.

Claim tested (paper, figure 6)
------------------------------
Diffusion can be computed without a central solver: local Jacobi updates
converge at the rate rho predicted from the graph, reproduce a direct solve,
and stay bounded because each update is normalised, while the unconstrained
update with the same step diverges.

The two hemispheres of the connectome are joined by few connections, so the
iteration matrix has two eigenvalues of nearly the same size (0.731 and
0.712 with the default step) and the residual ratio approaches rho slowly:
over seeds 0-9 the fitted factor lies within 2.5 % of rho, depending on how
much of the initial error lies along the second eigenvector.

Measurements
------------
Residual of every sweep of one step; the observed asymptotic convergence
factor (fitted) against rho; the largest difference between Jacobi and a
direct sparse solve over several steps; the distance from uniform over the
steps of the explicit and the Jacobi-solved implicit update.
"""

import logging
import time

import numpy as np
import scipy.sparse.linalg as spla
from brian2 import ms, second

from neurorelax.scripting import (
    check_parameters,
    model_main,
    quantity_text,
    resolve_overrides,
    save_model_results,
)

NAME = "jacobi_relaxation"

PARAMETERS = {
    # Diffusion rate (1/s).
    "gamma": 10.0 / second,
    # Implicit Euler step; gamma * dt = 0.2 gives gamma dt lambda_max > 2 on
    # the default connectome, so the explicit update with this step diverges.
    "dt": 20.0 * ms,
    # Relative residual at which the first step's iteration stops (close to
    # the rounding floor, to show the whole asymptotic regime).
    "history_tol": 1e-15,
    # Residual window (relative) in which the convergence factor is fitted:
    # below the early transient, above the rounding floor.
    "fit_upper": 1e-8,
    "fit_lower": 1e-13,
    # Relative residual at which Jacobi stops in the steps compared with the
    # direct solve.
    "jacobi_tol": 1e-12,
    # Most sweeps per step.
    "max_sweeps": 5000,
    # Implicit steps compared with the direct solve, and steps of the
    # explicit-against-implicit comparison.
    "n_steps": 40,
}

# The model is small; --quick runs it unchanged.
QUICK = {}

METRICS = (
    "rho_jacobi",
    "observed_factor",
    "factor_rel_error",
    "max_rel_diff_direct",
    "explicit_growth",
    "implicit_remaining",
    "implicit_max_step_ratio",
    "stability_number",
    "gamma_dt",
)

# Most implicit and explicit steps (the states of each are stored).
MAX_STEPS = 100_000
# Most Jacobi sweeps of one solve.
MAX_SWEEPS = 1_000_000
# Smallest tolerance of the steps compared with the direct solve: float64
# rounding leaves a relative residual of about 1e-16 (1 + gamma dt
# lambda_max) / 4, which gamma dt <= 1 keeps below 1e-14 on the default
# connectome; a smaller tolerance would run every step to max_sweeps.
MIN_TOL = 1e-14
# Smallest tolerance of the first step's solve, which shows the whole
# asymptotic regime down to the rounding floor (reaching max_sweeps there
# only ends that one solve).
MIN_HISTORY_TOL = 1e-16
# Largest growth of the explicit update over the run: its distance from
# uniform (a 2-norm, which squares the entries) overflows float64 near 1e154.
MAX_EXPLICIT_GROWTH = 1e150

logger = logging.getLogger(NAME)


def check(p):
    """Refuse parameters that cannot run, before any work (see ``PARAMETERS``).

    Besides each parameter's own range: gamma dt <= 1 keeps each implicit
    step well-conditioned for Jacobi, and the unconstrained explicit update,
    which grows by |1 - gamma dt lambda_max| per step on the default
    connectome when that exceeds 1, must stay within float64 over n_steps.
    """
    from neurorelax.connectome import default_eigenvalues

    upper = p["fit_upper"]
    dt_ = float(p["dt"] / second)
    per_step = 1 / dt_ if dt_ > 0 else float("inf")
    check_parameters(
        p,
        {
            "dt": (lambda v: float(v / second) > 0, "a time > 0 (such as '20 ms')"),
            "gamma": (
                lambda v: 0 < float(v * second) <= per_step,
                f"a rate in (0, 1 / dt] = (0, {per_step:g} Hz] (gamma x dt <= 1 "
                "keeps each implicit step well-conditioned for Jacobi)",
            ),
            "history_tol": (
                lambda v: MIN_HISTORY_TOL <= v < 1,
                f"a number in [{MIN_HISTORY_TOL:g}, 1) (float64 rounding cannot "
                "reach a smaller residual)",
            ),
            "fit_upper": (lambda v: 0 < v <= 1, "a number in (0, 1]"),
            "fit_lower": (
                lambda v: 0 < v < upper,
                f"a number in (0, fit_upper) = (0, {upper:g})",
            ),
            "jacobi_tol": (
                lambda v: MIN_TOL <= v < 1,
                f"a number in [{MIN_TOL:g}, 1) (float64 rounding cannot reach a "
                "smaller residual)",
            ),
            "max_sweeps": (
                lambda v: 1 <= v <= MAX_SWEEPS,
                f"an integer in [1, {MAX_SWEEPS:,}]",
            ),
            "n_steps": (
                lambda v: 1 <= v <= MAX_STEPS,
                f"an integer in [1, {MAX_STEPS:,}]",
            ),
        },
        NAME,
    )
    lambda_max = float(default_eigenvalues()[-1])
    gamma_dt = float(p["gamma"] * second) * dt_
    factor = abs(1 - gamma_dt * lambda_max)
    exponent = p["n_steps"] * np.log10(max(factor, 1.0))
    if not exponent <= np.log10(MAX_EXPLICIT_GROWTH):
        raise ValueError(
            f"{NAME}: n_steps = {p['n_steps']:,} with gamma = "
            f"{quantity_text(p['gamma'])} and dt = {quantity_text(p['dt'])}: the "
            f"explicit update grows by |1 - gamma dt lambda_max| = {factor:.3g} per "
            f"step (lambda_max = {lambda_max:.4g}), by 10^{exponent:.2f} over the "
            f"run, more than the 10^{np.log10(MAX_EXPLICIT_GROWTH):.0f} allowed (its "
            "norm overflows float64 near 10^154); lower n_steps or gamma x dt"
        )


def fit_factor(residuals, upper, lower):
    """Geometric per-sweep factor of ``residuals`` between ``upper`` and ``lower``.

    Fits log r_k = c + k log q by least squares over the sweeps whose
    residual lies in the window and returns q.
    """
    sweeps = np.flatnonzero((residuals <= upper) & (residuals >= lower))
    if sweeps.size < 3:
        return float("nan"), sweeps
    slope = np.polyfit(sweeps, np.log(residuals[sweeps]), 1)[0]
    return float(np.exp(slope)), sweeps


def simulate(graph, p, rng):
    """Run the three comparisons on ``graph``; return arrays and metrics.

    Parameters
    ----------
    graph : neurorelax.graph.Graph
        Undirected, connected graph.
    p : dict
        Parameters as in :data:`PARAMETERS`.
    rng : numpy.random.Generator
        Draws the initial activation pattern.

    Returns
    -------
    arrays : dict of ndarray
        ``residuals`` (n_sweeps + 1,) relative; ``fit_sweeps`` indices used in
        the fit; ``jacobi`` and ``direct`` (n_steps + 1, n_nodes) states;
        ``step_rel_diff`` (n_steps + 1,); ``deviation_explicit`` and
        ``deviation_implicit`` (n_steps + 1,) distance from uniform.
    metrics : dict of float
    """
    from neurorelax.graph import diffusion

    gamma_ = float(p["gamma"] * second)
    dt_ = float(p["dt"] / second)
    n_steps = int(p["n_steps"])
    max_sweeps = int(p["max_sweeps"])
    m0 = rng.random(graph.n_nodes)

    # 1. One step solved almost to rounding: residual per sweep against rho.
    system = diffusion.implicit_system(graph, gamma_, dt_)
    rho = diffusion.jacobi_iteration_radius(system)
    first = diffusion.jacobi_solve(
        system, m0, tol=float(p["history_tol"]), max_iter=max_sweeps, n_threads=1
    )
    factor, fit_sweeps = fit_factor(
        first.residuals, float(p["fit_upper"]), float(p["fit_lower"])
    )

    # 2. Several steps by Jacobi against a direct sparse solve of each step.
    implicit = diffusion.diffuse_implicit(
        graph,
        m0,
        gamma=gamma_,
        dt=dt_,
        n_steps=n_steps,
        tol=float(p["jacobi_tol"]),
        max_iter=max_sweeps,
        n_threads=1,
    )
    matrix = system.matrix.tocsc()
    direct = np.empty_like(implicit.states)
    direct[0] = m0
    for step in range(n_steps):
        direct[step + 1] = spla.spsolve(matrix, direct[step])
    step_rel_diff = np.max(np.abs(implicit.states - direct), axis=1) / np.max(
        np.abs(direct), axis=1
    )

    # 3. The unconstrained explicit update with the same step.
    explicit = diffusion.diffuse_explicit(
        graph,
        m0,
        gamma=gamma_,
        dt=dt_,
        n_steps=n_steps,
        unstable="allow",
        n_threads=1,
    )
    uniform = m0.mean()
    deviation_explicit = np.linalg.norm(explicit.states - uniform, axis=1)
    deviation_implicit = np.linalg.norm(implicit.states - uniform, axis=1)

    arrays = {
        "residuals": first.residuals,
        "fit_sweeps": fit_sweeps,
        "rho": rho,
        "t": implicit.times,
        "jacobi": implicit.states,
        "direct": direct,
        "step_rel_diff": step_rel_diff,
        "sweeps_per_step": implicit.info["iterations"],
        "deviation_explicit": deviation_explicit,
        "deviation_implicit": deviation_implicit,
    }
    metrics = {
        "rho_jacobi": rho,
        "observed_factor": factor,
        "factor_rel_error": abs(factor - rho) / rho,
        "max_rel_diff_direct": float(step_rel_diff.max()),
        "explicit_growth": float(deviation_explicit[-1] / deviation_explicit[0]),
        "implicit_remaining": float(deviation_implicit[-1] / deviation_implicit[0]),
        "implicit_max_step_ratio": float(
            np.max(deviation_implicit[1:] / deviation_implicit[:-1])
        ),
        "stability_number": float(explicit.info["stability_number"]),
        "gamma_dt": gamma_ * dt_,
    }
    return arrays, metrics


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Run the model on the default connectome and save ``out_dir/<NAME>.h5``.

    ``seed`` draws the initial pattern; ``device`` does not apply to this
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
        "%s: convergence factor %.5g against rho %.5g",
        NAME,
        metrics["observed_factor"],
        metrics["rho_jacobi"],
    )
    return metrics


def main(argv=None):
    """Command line: ``python models/jacobi_relaxation.py [--quick] [--out DIR]``."""
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
