"""Attractor settling: a noisy cue relaxes to the stored pattern it resembles.

Model
-----
A Hopfield network at the graph level: n_units nodes with +1/-1 states,
fully connected by Hebbian couplings W = (1/n) sum_mu xi_mu xi_mu^T (zero
diagonal) that store n_patterns random patterns xi_mu. A cue is a stored
pattern with a fraction of its entries flipped. The network settles by
asynchronous updates (the graph level's Cython kernel): each node in turn
takes the sign of its local field sum_j W_ij s_j, using only its neighbours'
current states. For symmetric W with zero diagonal every flip lowers the
energy E(s) = -1/2 s^T W s by 2 |h_i|, so E is a Lyapunov function.

Claim tested (paper, figure 9)
------------------------------
Recognition is settling: a cue with 30 % of its entries corrupted relaxes
to the right stored pattern (overlap >= 0.95) while the energy never
increases. A sweep over the corruption level shows where recall breaks down
(the cue no longer lies in the pattern's basin of attraction).

Not included: the paper's spiking version (assemblies with recurrent
excitation and shared inhibition at the ion level). This script is the
graph-level half only; the spiking half belongs with the ion-level models.
The couplings are all-to-all rather than restricted to the 74-region
connectome, because on that sparse graph (about 24 neighbours per region)
recall from 30 % corrupted cues already fails for a large share of cues
with 3 stored patterns.

Measurements
------------
Overlap (1/n) xi_mu . s with every stored pattern and the energy after every
sweep, for several cues per pattern at 30 % corruption; the final overlap
with the cued pattern against the corruption level.
"""

import logging
import time

import numpy as np

from neurorelax.scripting import (
    check_limit,
    check_parameters,
    model_main,
    resolve_overrides,
    save_model_results,
)

NAME = "attractor"

PARAMETERS = {
    # Network size (nodes of the fully connected coupling graph).
    "n_units": 400,
    # Stored random +1/-1 patterns; the load n_patterns / n_units stays far
    # below the Hopfield capacity of about 0.14.
    "n_patterns": 5,
    # Share of a cue's entries flipped in the main test.
    "corruption": 0.3,
    # Cues per stored pattern at that corruption.
    "cues_per_pattern": 10,
    # Corruption levels of the recall curve, from 0 to corruption_max.
    "corruption_max": 0.5,
    "n_corruption_levels": 11,
    # Cues per pattern at every level of the recall curve.
    "curve_cues_per_pattern": 10,
    # Most sweeps (each updates every node once) before giving up.
    "max_sweeps": 50,
}

QUICK = {"curve_cues_per_pattern": 4, "n_corruption_levels": 6}

METRICS = (
    "min_final_overlap",
    "mean_final_overlap",
    "max_energy_increase",
    "max_sweeps_used",
    "load",
    "converged",
)

# Most units: the couplings are built as a dense n_units x n_units matrix
# and kept as a sparse one, about 47 bytes per pair at the peak (4.7 GB at
# 10,000 units).
MAX_UNITS = 10_000
# Most cues of the main test, and of the recall curve over all its levels.
MAX_CUES = 100_000
# Most levels of the recall curve.
MAX_LEVELS = 1000
# Most sweeps of one settling.
MAX_SWEEPS = 10_000
# Most coupling terms one sweep evaluates (n_units^2 per cue): some tens of
# seconds of a single thread; a settling runs up to max_sweeps sweeps.
MAX_SWEEP_WORK = 10_000_000_000
# Most overlap values one settling records (800 MB in float64).
MAX_OVERLAP_VALUES = 100_000_000

logger = logging.getLogger(NAME)


def check(p):
    """Refuse parameters that cannot run, before any work (see ``PARAMETERS``).

    Besides each parameter's own range: the main test and the recall curve
    have at most ``MAX_CUES`` cues each, one sweep over a level's cues
    evaluates at most ``MAX_SWEEP_WORK`` coupling terms, and a settling
    records at most ``MAX_OVERLAP_VALUES`` overlaps.
    """
    n_units = p["n_units"]
    check_parameters(
        p,
        {
            "n_units": (
                lambda v: 1 <= v <= MAX_UNITS,
                f"an integer in [1, {MAX_UNITS:,}]",
            ),
            "n_patterns": (
                lambda v: 1 <= v <= n_units,
                f"an integer in [1, n_units] = [1, {n_units}]",
            ),
            "corruption": (lambda v: 0 <= v <= 1, "a fraction in [0, 1]"),
            "cues_per_pattern": (
                lambda v: 1 <= v <= MAX_CUES,
                f"an integer in [1, {MAX_CUES:,}]",
            ),
            "corruption_max": (lambda v: 0 <= v <= 1, "a fraction in [0, 1]"),
            "n_corruption_levels": (
                lambda v: 1 <= v <= MAX_LEVELS,
                f"an integer in [1, {MAX_LEVELS:,}]",
            ),
            "curve_cues_per_pattern": (
                lambda v: 1 <= v <= MAX_CUES,
                f"an integer in [1, {MAX_CUES:,}]",
            ),
            "max_sweeps": (
                lambda v: 1 <= v <= MAX_SWEEPS,
                f"an integer in [1, {MAX_SWEEPS:,}]",
            ),
        },
        NAME,
    )
    n_patterns = p["n_patterns"]
    main = n_patterns * p["cues_per_pattern"]
    per_level = n_patterns * p["curve_cues_per_pattern"]
    check_limit(
        NAME,
        f"n_patterns x cues_per_pattern = {n_patterns} x {p['cues_per_pattern']}",
        main,
        "cues",
        MAX_CUES,
        "lower cues_per_pattern",
    )
    check_limit(
        NAME,
        f"n_patterns x curve_cues_per_pattern x n_corruption_levels = {n_patterns} "
        f"x {p['curve_cues_per_pattern']} x {p['n_corruption_levels']}",
        per_level * p["n_corruption_levels"],
        "cues on the recall curve",
        MAX_CUES,
        "lower curve_cues_per_pattern or n_corruption_levels",
    )
    most = max(main, per_level)
    check_limit(
        NAME,
        f"n_units^2 x n_patterns x max(cues_per_pattern, curve_cues_per_pattern) "
        f"= {n_units}^2 x {n_patterns} x "
        f"{max(p['cues_per_pattern'], p['curve_cues_per_pattern'])}",
        n_units**2 * most,
        "coupling terms per sweep",
        MAX_SWEEP_WORK,
        "use fewer units or cues",
    )
    check_limit(
        NAME,
        f"(max_sweeps + 1) x n_patterns^2 x max(cues_per_pattern, "
        f"curve_cues_per_pattern) = {p['max_sweeps'] + 1} x {n_patterns}^2 x "
        f"{max(p['cues_per_pattern'], p['curve_cues_per_pattern'])}",
        (p["max_sweeps"] + 1) * n_patterns * most,
        "recorded overlaps",
        MAX_OVERLAP_VALUES,
        "lower max_sweeps, n_patterns or the cues per pattern",
    )


def make_cues(patterns, fraction, cues_per_pattern, rng):
    """Return corrupted copies of every pattern and the index of their source.

    Returns
    -------
    cues : ndarray of float64, shape (n_units, n_patterns * cues_per_pattern)
    target : ndarray of int64, shape (n_patterns * cues_per_pattern,)
    """
    from neurorelax.graph import attractor

    n_patterns = patterns.shape[1]
    target = np.repeat(np.arange(n_patterns), cues_per_pattern)
    seeds = rng.integers(0, 2**31, size=target.size)
    cues = np.stack(
        [
            attractor.corrupt(patterns[:, mu], fraction, seed=int(seed))
            for mu, seed in zip(target, seeds, strict=True)
        ],
        axis=1,
    )
    return cues, target


def simulate(p, rng):
    """Store patterns, settle corrupted cues; return arrays and metrics.

    Returns
    -------
    arrays : dict of ndarray
        ``patterns`` (n_units, n_patterns); ``example_cue`` and
        ``example_final`` (n_units,) for the first cue; ``overlaps``
        (n_sweeps + 1, n_patterns, n_cues) and ``energies``
        (n_sweeps + 1, n_cues) at the main corruption; ``target`` (n_cues,);
        ``levels`` (n_levels,) and ``curve_final`` (n_levels, n_curve_cues)
        final overlaps with the cued pattern.
    metrics : dict of float
    """
    from neurorelax.graph import attractor

    n_units, n_patterns = int(p["n_units"]), int(p["n_patterns"])
    patterns = rng.choice([-1.0, 1.0], size=(n_units, n_patterns))
    weights = attractor.hebbian_weights(patterns)
    max_sweeps = int(p["max_sweeps"])

    # Settle cues at the main corruption level, recording every sweep.
    cues, target = make_cues(
        patterns, float(p["corruption"]), int(p["cues_per_pattern"]), rng
    )
    settled = attractor.settle(
        cues,
        weights,
        patterns=patterns,
        max_sweeps=max_sweeps,
        seed=int(rng.integers(2**31)),
        n_threads=1,
    )
    columns = np.arange(target.size)
    final = settled.overlaps[-1][target, columns]
    energies = settled.energies
    increase = np.max(np.diff(energies, axis=0)) if energies.shape[0] > 1 else 0.0
    scale = np.max(np.abs(energies))

    # Recall against corruption level.
    levels = np.linspace(0.0, float(p["corruption_max"]), int(p["n_corruption_levels"]))
    curve = []
    for level in levels:
        level_cues, level_target = make_cues(
            patterns, float(level), int(p["curve_cues_per_pattern"]), rng
        )
        result = attractor.settle(
            level_cues,
            weights,
            patterns=patterns,
            max_sweeps=max_sweeps,
            seed=int(rng.integers(2**31)),
            n_threads=1,
        )
        curve.append(result.overlaps[-1][level_target, np.arange(level_target.size)])

    arrays = {
        "patterns": patterns,
        "example_cue": cues[:, 0],
        "example_final": settled.states[:, 0],
        "overlaps": settled.overlaps,
        "energies": energies,
        "target": target,
        "flips": settled.flips,
        "levels": levels,
        "curve_final": np.asarray(curve),
    }
    metrics = {
        "min_final_overlap": float(final.min()),
        "mean_final_overlap": float(final.mean()),
        "max_energy_increase": float(increase / scale),
        "max_sweeps_used": int(settled.n_sweeps),
        "converged": bool(settled.converged),
        "load": n_patterns / n_units,
    }
    return arrays, metrics


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Run the model and save ``out_dir/<NAME>.h5``.

    ``seed`` draws the patterns, the cues and the update orders; ``device``
    does not apply to this graph-level model and is only recorded.
    """
    p = resolve_overrides(
        PARAMETERS, {**(QUICK if quick else {}), **(params or {})}, NAME
    )
    check(p)
    started = time.perf_counter()
    arrays, metrics = simulate(p, np.random.default_rng(seed))

    save_model_results(
        out_dir,
        NAME,
        arrays,
        quick=quick,
        seed=seed,
        device=device,
        parameters=p,
        metrics=metrics,
        started=started,
    )
    logger.info(
        "%s: final overlap with the cued pattern >= %.3f",
        NAME,
        metrics["min_final_overlap"],
    )
    return metrics


def main(argv=None):
    """Command line: ``python models/attractor.py [--quick] [--out DIR]``."""
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
