"""Replay: stored patterns under diffusion and decay, some replayed at rest.

Model
-----
Several patterns are stored on the default connectome as assemblies: the
largest communities of the graph (Louvain modularity, fixed seed), each a
0/1 pattern p_mu over the regions; the regions of the smaller communities
belong to no pattern. One activation vector M starts as the sum of the
patterns and, between rest phases, diffuses and decays,

    dM/dt = -gamma L M - kappa M,

so that every pattern fades as exp(-kappa t) and its sharp edges are smoothed
by diffusion. In short rest phases that recur periodically, every second
pattern is replayed: reactivated in proportion to its overlap
o_mu = <p_mu, M> / <p_mu, p_mu> with the current state,

    dM/dt += rho o (1 - o) p_mu,   o = clip(o_mu, 0, 1),

which pulls a pattern still present back towards o = 1 - kappa / (rho f)
(f the share of time at rest) and cannot revive a pattern already
forgotten. The graph level's ``simulate_replay`` integrates this (implicit
Euler diffusion by Jacobi, exact decay, explicit replay increments). The
same run without replay (rho = 0) is the control. A third run stores only
the replayed patterns, so that their own detail can be followed over time
without the fading ones mixed in.

Claim tested (paper, figure 8)
------------------------------
Replay keeps what matters: after 10 decay time constants the replayed
patterns are still present (overlap >= 0.8 through a whole rest-wake
cycle), the others are gone (overlap <= 0.1; what remains on their regions
is activity spread there from replayed neighbours), without replay the
total activity has fallen below 1 % of the start, and the replayed memories
have lost detail: their share of energy in high graph frequencies is lower
at the end than as stored.

Measurements
------------
Overlap of every pattern over time, total activity with and without replay,
and the high-frequency energy share (upper half of the graph spectrum) of
the replayed patterns stored alone, and of the full state, over time.
"""

import functools
import logging
import time

import networkx as nx
import numpy as np
from brian2 import ms, second

from neurorelax.scripting import (
    check_limit,
    check_parameters,
    model_main,
    quantity_text,
    resolve_overrides,
    save_model_results,
)

NAME = "replay"

PARAMETERS = {
    # Diffusion rate (1/s); slow against decay, so that assemblies smooth
    # out over the run without spreading wholesale into each other.
    "gamma": 0.01 / second,
    # Decay rate kappa (1/s); 1 / kappa is the decay time constant.
    "decay_rate": 1.0 / second,
    # Length of the run in decay time constants.
    "n_time_constants": 10.0,
    # Replay rate rho (1/s); 0 switches replay off.
    "replay_rate": 100.0 / second,
    # Rest phases: one of rest_duration at the start of every rest_period.
    "rest_period": 100.0 * ms,
    "rest_duration": 25.0 * ms,
    # Time step (rho dt = 0.2 keeps the explicit replay increment accurate).
    "dt": 2.0 * ms,
    # Louvain resolution for the assemblies (higher: more, smaller ones);
    # the n_patterns largest communities are stored, every second replayed.
    "community_resolution": 2.0,
    "n_patterns": 4,
    # Keep every this many steps in the result file.
    "record_every": 5,
}

QUICK = {"record_every": 10}

METRICS = (
    "n_patterns",
    "overlap_replayed_min",
    "overlap_unreplayed_max",
    "total_without_replay",
    "total_with_replay",
    "detail_stored",
    "detail_end",
    "detail_ratio",
)

# Most time steps of one run (three runs are made).
MAX_STEPS = 10_000_000
# Most states kept of one run (each n_nodes values; three runs are made).
MAX_RECORDS = 500_000
# Most stored patterns (Louvain finds far fewer communities on the connectome).
MAX_PATTERNS = 1000
# duration / dt may differ from a whole number by this relative amount, as in
# neurorelax.graph.replay.
STEP_RTOL = 1e-9

logger = logging.getLogger(NAME)


def check(p):
    """Refuse parameters that cannot run, before any work (see ``PARAMETERS``).

    Besides each parameter's own range: gamma dt <= 1 keeps the Jacobi solve
    of each implicit diffusion step well-conditioned, replay_rate dt <= 1
    keeps the explicit replay increment from overshooting (the graph level
    warns beyond that), and the run of n_time_constants / decay_rate must be
    a whole number of steps dt, at least one and at most ``MAX_STEPS``.
    Louvain at ``community_resolution`` must find at least ``n_patterns``
    communities on the default connectome.
    """
    period, dt = p["rest_period"], p["dt"]
    dt_ = float(dt / second)
    per_step = 1 / dt_ if dt_ > 0 else float("inf")
    check_parameters(
        p,
        {
            "dt": (lambda v: float(v / second) > 0, "a time > 0 (such as '2 ms')"),
            "gamma": (
                lambda v: 0 < float(v * second) <= per_step,
                f"a rate in (0, 1 / dt] = (0, {per_step:g} Hz] (gamma x dt <= 1 "
                "keeps each implicit diffusion step well-conditioned)",
            ),
            "decay_rate": (
                lambda v: float(v * second) > 0,
                "a rate > 0 (such as '1 Hz')",
            ),
            "n_time_constants": (lambda v: v > 0, "a number > 0"),
            "replay_rate": (
                lambda v: 0 <= float(v * second) <= per_step,
                f"a rate in [0, 1 / dt] = [0, {per_step:g} Hz] (replay_rate x dt "
                "<= 1 keeps the explicit replay step from overshooting)",
            ),
            "rest_period": (lambda v: float(v / second) > 0, "a time > 0"),
            "rest_duration": (
                lambda v: 0 < float(v / second) <= float(period / second),
                lambda: f"a time in (0, rest_period] = (0, {period}]",
            ),
            "community_resolution": (lambda v: v > 0, "a number > 0"),
            "n_patterns": (
                lambda v: 2 <= v <= MAX_PATTERNS,
                f"an integer in [2, {MAX_PATTERNS:,}] (every second pattern is "
                "replayed, so at least one is not)",
            ),
            "record_every": (
                lambda v: 1 <= v <= MAX_STEPS,
                f"an integer in [1, {MAX_STEPS:,}]",
            ),
        },
        NAME,
    )
    resolution = float(p["community_resolution"])
    n_found = community_count(resolution)
    if not p["n_patterns"] <= n_found:
        raise ValueError(
            f"{NAME}: n_patterns = {p['n_patterns']}, but Louvain finds {n_found} "
            f"communit{'y' if n_found == 1 else 'ies'} of the default connectome at "
            "community_resolution = "
            f"{resolution:g}; lower n_patterns or raise community_resolution"
        )
    # The run length, computed as simulate() and the graph level compute it.
    duration = float(p["n_time_constants"]) / float(p["decay_rate"] * second)
    steps = duration / dt_

    def source():
        return (
            f"n_time_constants / (decay_rate x dt) = {p['n_time_constants']:g} / "
            f"({quantity_text(p['decay_rate'])} x {quantity_text(dt)})"
        )

    if not steps >= 1:
        raise ValueError(
            f"{NAME}: {source()} gives {steps:.3g} steps: the run of "
            f"{duration * 1e3:.4g} ms is shorter than one step dt; raise "
            "n_time_constants, or lower decay_rate or dt"
        )
    check_limit(
        NAME, source, steps, "steps", MAX_STEPS, "lower n_time_constants or widen dt"
    )
    if abs(steps - round(steps)) > STEP_RTOL * steps:
        raise ValueError(
            f"{NAME}: {source()} gives {steps:.10g} steps, not a whole number (the "
            "run would end past n_time_constants / decay_rate); choose "
            "n_time_constants, decay_rate and dt so that the run is a whole "
            "number of steps dt"
        )
    check_limit(
        NAME,
        lambda: (
            f"n_time_constants / (decay_rate x dt x record_every) = "
            f"{p['n_time_constants']:g} / ({quantity_text(p['decay_rate'])} x "
            f"{quantity_text(dt)} x {p['record_every']})"
        ),
        round(steps) / p["record_every"],
        "states kept per run",
        MAX_RECORDS,
        "raise record_every",
    )


@functools.cache
def community_count(resolution):
    """How many communities Louvain finds on the default connectome (cached)."""
    from neurorelax.connectome import default_connectome

    return len(_communities(default_connectome(), resolution))


def _communities(graph, resolution):
    """Louvain communities of ``graph``, largest first (ties: lowest first node)."""
    communities = nx.community.louvain_communities(
        graph.to_networkx(), weight="weight", resolution=resolution, seed=0
    )
    return sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c[0]))


def assemblies(graph, resolution, n_patterns):
    """Return the graph's largest communities as 0/1 patterns.

    Parameters
    ----------
    graph : neurorelax.graph.Graph
    resolution : float
        Louvain resolution (> 0).
    n_patterns : int
        How many communities to keep, largest first.

    Returns
    -------
    ndarray of float64, shape (n_nodes, n_patterns)
        One column per community, largest first (ties: lowest first node).
    """
    communities = _communities(graph, resolution)
    if not 1 <= n_patterns <= len(communities):
        raise ValueError(
            f"n_patterns must be between 1 and the {len(communities)} communities "
            f"found at resolution {resolution:g}, got {n_patterns}"
        )
    communities = communities[:n_patterns]
    patterns = np.zeros((graph.n_nodes, n_patterns))
    for index, members in enumerate(communities):
        patterns[members, index] = 1.0
    return patterns


def simulate(graph, p):
    """Run with and without replay on ``graph``; return arrays and metrics.

    Returns
    -------
    arrays : dict of ndarray
        ``t`` (n_t,) s; ``overlaps`` and ``overlaps_without`` (n_t,
        n_patterns); ``total`` and ``total_without`` (n_t,); ``rest`` (n_t,)
        bool; ``detail`` (n_t,) high-frequency energy share of the replayed
        patterns stored alone, ``detail_state`` that of the full state,
        ``overlaps_alone`` (n_t, n_patterns) of that run; ``patterns``
        (n_nodes, n_patterns); ``replayed`` indices; ``rest_period`` and
        ``rest_duration`` (s); ``positions`` (n_nodes, 3) mm.
    metrics : dict of float
    """
    from neurorelax.graph import replay, spectral

    gamma_ = float(p["gamma"] * second)
    kappa_ = float(p["decay_rate"] * second)
    rho_ = float(p["replay_rate"] * second)
    period_ = float(p["rest_period"] / second)
    duration = float(p["n_time_constants"]) / kappa_
    patterns = assemblies(graph, float(p["community_resolution"]), int(p["n_patterns"]))
    chosen = np.arange(0, patterns.shape[1], 2)

    # The same run with replay and, as control, without.
    common = {
        "gamma": gamma_,
        "decay_rate": kappa_,
        "duration": duration,
        "dt": float(p["dt"] / second),
        "schedule": replay.RestSchedule(period_, float(p["rest_duration"] / second)),
        "replayed": chosen,
        "record_every": int(p["record_every"]),
    }
    with_replay = replay.simulate_replay(graph, patterns, replay_rate=rho_, **common)
    without = replay.simulate_replay(graph, patterns, replay_rate=0.0, **common)
    alone = replay.simulate_replay(
        graph,
        patterns,
        replay_rate=rho_,
        initial=patterns[:, chosen].sum(axis=1),
        **common,
    )

    # Overlaps through the last rest-wake cycle, and the total activity.
    times = with_replay.times
    last_cycle = times >= duration - period_ - 1e-12
    others = np.setdiff1d(np.arange(patterns.shape[1]), chosen)
    total = with_replay.states.sum(axis=1)
    total_without = without.states.sum(axis=1)

    # Detail: share of energy in the upper half of the graph spectrum, of
    # the replayed patterns stored alone and of the full state.
    modes = spectral.eigenmodes(graph)
    detail = spectral.high_frequency_share(alone.states.T, modes)
    detail_state = spectral.high_frequency_share(with_replay.states.T, modes)

    arrays = {
        "t": times,
        "overlaps": with_replay.overlaps,
        "overlaps_without": without.overlaps,
        "rest": with_replay.rest,
        "total": total,
        "total_without": total_without,
        "detail": detail,
        "detail_state": detail_state,
        "overlaps_alone": alone.overlaps,
        "patterns": patterns,
        "replayed": chosen,
        "last_cycle": last_cycle,
        "rest_period": period_,
        "rest_duration": common["schedule"].duration,
        "positions": _positions(graph),
    }
    overlaps = with_replay.overlaps
    metrics = {
        "n_patterns": int(patterns.shape[1]),
        "overlap_replayed_min": float(overlaps[np.ix_(last_cycle, chosen)].min()),
        "overlap_unreplayed_max": float(overlaps[np.ix_(last_cycle, others)].max()),
        "total_without_replay": float(total_without[-1] / total_without[0]),
        "total_with_replay": float(total[-1] / total[0]),
        "detail_stored": float(detail[0]),
        "detail_end": float(detail[-1]),
        "detail_ratio": float(detail[-1] / detail[0]),
        "decay_time_constants": float(duration * kappa_),
    }
    return arrays, metrics


def _positions(graph):
    if graph.positions is None:
        return np.full((graph.n_nodes, 3), np.nan)
    return np.asarray(graph.positions, dtype=float)


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Run the model on the default connectome and save ``out_dir/<NAME>.h5``.

    The model is deterministic (the assemblies come from Louvain with a
    fixed seed); ``seed`` and ``device`` are only recorded.
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
        parameters=p,
        metrics=metrics,
        started=started,
    )
    logger.info(
        "%s: replayed overlap >= %.3f, unreplayed <= %.3f",
        NAME,
        metrics["overlap_replayed_min"],
        metrics["overlap_unreplayed_max"],
    )
    return metrics


def main(argv=None):
    """Command line: ``python models/replay.py [--quick] [--out DIR]``."""
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
