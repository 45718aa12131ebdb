"""Lateral inhibition: excitatory assemblies compete through a shared pool (fig 4).

Model
-----
``n_assemblies`` excitatory assemblies of Traub-Miles cells
(``neurorelax.ion.traub_miles``, built by ``neurorelax.ion.build_neurons``)
with recurrent AMPA excitation inside each assembly, and one inhibitory pool
of Traub-Miles cells that every excitatory cell excites (AMPA) and that
inhibits every excitatory cell (GABA-A, chloride reversal of
``neurorelax.ion.MAMMALIAN``). Each excitatory cell receives its own
Poisson input (one source per cell, rate ``nu_in``); the inputs of the first
assembly are stronger by the contrast ``c``: rate ``nu_in * (1 + c)``.

The network runs once for each contrast in ``contrast * CONTRAST_STEPS``,
with and without the pool's inhibition, all side by side in one simulation
as independent copies ("blocks"); without the pool the GABA-A synapses are
absent. The graph-level analogue is divisive normalization
(``neurorelax.graph.normalization.divisive_normalization``) of the same
input vector over an all-to-all pool.

Sweeps
------
``w_inh``, ``nu_in`` and ``contrast`` change values only, never the
structure: on ``cpp_standalone`` the project is generated with the default
values and every run passes the actual values through Brian2's ``run_args``,
so one compiled binary serves a whole sweep (see ``SWEEPABLE``).

Claim tested
------------
"Inhibition makes patterns compete": with the pool the assembly with the
strongest input wins, with a selectivity (winner rate / mean loser rate) of
at least 3 at 10 % contrast; without it selectivity stays below 1.5.

With the pool the network is winner-take-all and the losers fall silent, so
the ratio is computed with the loser rate floored at one spike in the
counting window and then only bounds the true ratio from below. The metrics
also hold the bounded index (w - l) / (w + l), which needs no floor (1 when
the losers are silent, 0 for equal rates).
"""

import functools
import logging

import numpy as np
from brian2 import (
    Hz,
    Network,
    NeuronGroup,
    SpikeMonitor,
    defaultclock,
    ms,
    mV,
    nS,
    second,
)

from neurorelax.ion import (
    MAMMALIAN,
    build_neurons,
    connect_synapses,
    max_dt,
    reuse_project,
    traub_miles,
    use_device,
)
from neurorelax.scripting import (
    CONDUCTANCE_RULE,
    MAX_CELLS,
    MAX_SYNAPSES,
    check_limit,
    check_parameters,
    check_run_steps,
    model_main,
    resolve_overrides,
    run_time_rules,
    save_model_results,
)

NAME = "lateral_inhibition"

# -- parameters (units as written) -------------------------------------------
PARAMETERS = {
    "n_assemblies": 4,
    "N_assembly": 60,  # excitatory cells per assembly
    "N_pool": 40,  # inhibitory cells in the shared pool
    "K_rec": 15,  # recurrent inputs per cell from its own assembly
    "K_pool_in": 60,  # excitatory inputs per pool cell (from all assemblies)
    "K_pool_out": 20,  # pool inputs per excitatory cell
    "w_rec": 4.0 * nS,  # recurrent AMPA weight
    "w_pool_in": 2.0 * nS,  # E -> pool AMPA weight
    "w_inh": 3.0 * nS,  # pool -> E GABA-A weight             (sweepable)
    "w_in": 1.0 * nS,  # input AMPA weight
    "nu_in": 400.0 * Hz,  # input rate per cell                (sweepable)
    "contrast": 0.10,  # reference contrast, 10 %          (sweepable)
    "duration": 1000 * ms,
    "transient": 200 * ms,
    "dt": 0.05 * ms,
    "norm_sigma": 0.2,  # graph level: semi-saturation (input units)
    "norm_exponent": 2.0,  # graph level: exponent n
}
QUICK = {"duration": 500 * ms, "transient": 150 * ms}
# Contrasts of the blocks, in units of ``contrast`` (1 is the reference).
CONTRAST_STEPS = (0.0, 0.5, 1.0, 1.5, 2.0)
QUICK_CONTRAST_STEPS = (0.0, 1.0, 2.0)
SWEEPABLE = ("w_inh", "nu_in", "contrast")
# Most assemblies (the graph-level analogue holds an all-to-all pool of them).
MAX_ASSEMBLIES = 1000
# Blocks of a full run (6 with --quick): each contrast step with and
# without the pool.
N_BLOCKS = 2 * len(CONTRAST_STEPS)
METRICS = (
    "selectivity_with",
    "selectivity_without",
    "selectivity_index_with",
    "selectivity_index_without",
    "winner_rate_Hz",
)

logger = logging.getLogger(__name__)


def check(p):
    """Refuse parameters that cannot run, before any work (see ``PARAMETERS``).

    ``dt`` may be at most the ion level's limit for the gating kinetics of
    the Traub-Miles cell (:func:`neurorelax.ion.max_dt`). An input fires with
    probability ``nu dt`` per step, so the strongest input rate,
    ``nu_in (1 + c)`` at the largest contrast step, must keep it <= 1. The
    graph-level normalization needs ``norm_sigma ** norm_exponent`` and the
    pooled drive to be positive and finite in float64. The
    ``N_BLOCKS`` blocks of a full run together have at most ``MAX_CELLS``
    cells and ``MAX_SYNAPSES`` synapses, and the run at most ``MAX_STEPS``
    time steps and ``MAX_CELL_STEPS`` cell-steps.
    """
    n_assembly, n_pool, duration = p["N_assembly"], p["N_pool"], p["duration"]
    n_exc = p["n_assemblies"] * n_assembly
    top = max(*CONTRAST_STEPS, *QUICK_CONTRAST_STEPS)
    per_step = (1 + top * p["contrast"]) * float(p["dt"] / second)
    rate_max = 1 / per_step if per_step > 0 else np.inf
    cells = (lambda v: 1 <= v <= MAX_CELLS, f"an integer in [1, {MAX_CELLS:,}]")
    check_parameters(
        p,
        {
            "n_assemblies": (
                lambda v: 2 <= v <= MAX_ASSEMBLIES,
                f"an integer in [2, {MAX_ASSEMBLIES:,}] (a winner and at least one "
                "loser)",
            ),
            "N_assembly": cells,
            "N_pool": cells,
            "K_rec": (
                lambda v: 1 <= v <= n_assembly,
                f"an integer in [1, N_assembly] = [1, {n_assembly}]",
            ),
            "K_pool_in": (
                lambda v: 1 <= v <= n_exc,
                f"an integer in [1, n_assemblies x N_assembly] = [1, {n_exc}]",
            ),
            "K_pool_out": (
                lambda v: 1 <= v <= n_pool,
                f"an integer in [1, N_pool] = [1, {n_pool}]",
            ),
            "w_rec": CONDUCTANCE_RULE,
            "w_pool_in": CONDUCTANCE_RULE,
            "w_inh": CONDUCTANCE_RULE,
            "w_in": CONDUCTANCE_RULE,
            **run_time_rules(duration, dt_limit()),
            "contrast": (lambda v: v >= 0, "a number >= 0"),
            "nu_in": (
                lambda v: 0 <= float(v * second) <= rate_max,
                f"a rate in [0, 1 / ((1 + {top:g} contrast) dt)] = [0, "
                f"{rate_max:.6g} Hz] (the strongest input fires at most once a step)",
            ),
            "norm_sigma": (lambda v: v > 0, "a number > 0"),
            "norm_exponent": (lambda v: v > 0, "a number > 0"),
        },
        NAME,
    )
    _check_normalization(p, 1 + top * p["contrast"])
    names = "(n_assemblies x N_assembly + N_pool)"
    values = f"({p['n_assemblies']} x {n_assembly} + {n_pool})"
    n_cells = N_BLOCKS * (n_exc + n_pool)
    advice = "use fewer or smaller assemblies or a smaller pool"
    check_limit(
        NAME,
        f"{N_BLOCKS} blocks x {names} = {N_BLOCKS} x {values}",
        n_cells,
        "cells",
        MAX_CELLS,
        advice,
    )
    # Input, recurrent, pool input and pool output synapses (an upper bound:
    # half of the blocks have no pool output).
    check_limit(
        NAME,
        f"{N_BLOCKS} blocks x (n_assemblies x N_assembly x (1 + K_rec + "
        f"K_pool_out) + N_pool x K_pool_in) = {N_BLOCKS} x ({p['n_assemblies']} x "
        f"{n_assembly} x (1 + {p['K_rec']} + {p['K_pool_out']}) + {n_pool} x "
        f"{p['K_pool_in']})",
        N_BLOCKS
        * (n_exc * (1 + p["K_rec"] + p["K_pool_out"]) + n_pool * p["K_pool_in"]),
        "synapses",
        MAX_SYNAPSES,
        "lower the in-degrees K_rec, K_pool_in and K_pool_out, or " + advice,
    )
    check_run_steps(
        NAME,
        duration,
        p["dt"],
        (
            n_cells,
            f"{N_BLOCKS} blocks x {names}",
            f"{N_BLOCKS} x {values}",
            "shorten duration, or " + advice,
        ),
    )


@functools.cache
def dt_limit():
    """The coarsest dt the Traub-Miles cell's gating kinetics allow (computed once)."""
    return max_dt(traub_miles())


def layout(p, quick):
    """Return the blocks (contrast step, with pool) and cells per block."""
    steps = QUICK_CONTRAST_STEPS if quick else CONTRAST_STEPS
    blocks = [(step, pool) for pool in (True, False) for step in steps]
    n_exc = p["n_assemblies"] * p["N_assembly"]
    return blocks, n_exc, n_exc + p["N_pool"]


def input_rates(p, blocks):
    """Return the Poisson rate of every excitatory cell's input, Quantity Hz."""
    rates = []
    for step, _ in blocks:
        boost = np.ones(p["n_assemblies"])
        boost[0] += step * p["contrast"]
        rates.append(np.repeat(boost, p["N_assembly"]))
    return np.concatenate(rates) * p["nu_in"]


def _pairs(rng, sources, targets, k):
    """Draw ``k`` distinct sources (an index array) for every target."""
    i = np.concatenate([rng.choice(sources, size=k, replace=False) for _ in targets])
    return i, np.repeat(targets, k)


def build(p, blocks, n_exc, n_block, seed):
    """Create cells, inputs, synapses and the spike monitor."""
    defaultclock.dt = p["dt"]
    n = n_block * len(blocks)
    cells = build_neurons(
        n,
        traub_miles(),
        synapses=("AMPA", "GABAA"),
        concentrations=MAMMALIAN,
        name="cells",
    )
    rng = np.random.default_rng(seed)
    cells.v = rng.uniform(-70, -60, n) * mV

    exc_index = np.concatenate(
        [b * n_block + np.arange(n_exc) for b in range(len(blocks))]
    )
    inputs = NeuronGroup(
        len(exc_index),
        "nu : Hz (constant)",
        threshold="rand() < nu * dt",
        name="inputs",
    )
    inputs.nu = input_rates(p, blocks)
    feed = connect_synapses(
        inputs,
        cells,
        "AMPA",
        weight=p["w_in"],
        i=np.arange(len(exc_index)),
        j=exc_index,
        shared_weight=True,
        name="feed",
    )

    rec, pool_in, pool_out = ([], []), ([], []), ([], [])
    for b, (_, with_pool) in enumerate(blocks):
        base = b * n_block
        pool = base + n_exc + np.arange(p["N_pool"])
        for a in range(p["n_assemblies"]):
            members = base + a * p["N_assembly"] + np.arange(p["N_assembly"])
            for store, pair in zip(
                rec, _pairs(rng, members, members, p["K_rec"]), strict=True
            ):
                store.append(pair)
        all_exc = base + np.arange(n_exc)
        for store, pair in zip(
            pool_in, _pairs(rng, all_exc, pool, p["K_pool_in"]), strict=True
        ):
            store.append(pair)
        if with_pool:
            for store, pair in zip(
                pool_out, _pairs(rng, pool, all_exc, p["K_pool_out"]), strict=True
            ):
                store.append(pair)
    synapses = [
        connect_synapses(
            cells,
            cells,
            kind,
            weight=weight,
            i=np.concatenate(i),
            j=np.concatenate(j),
            delay=1 * ms,
            shared_weight=True,
            name=name,
        )
        for name, kind, weight, (i, j) in (
            ("rec", "AMPA", p["w_rec"], rec),
            ("pool_in", "AMPA", p["w_pool_in"], pool_in),
            ("pool_out", "GABAA", p["w_inh"], pool_out),
        )
    ]
    spikes = SpikeMonitor(cells, name="spikes")
    objects = [cells, inputs, feed, *synapses, spikes]
    handles = {"inputs": inputs, "pool_out": synapses[2], "spikes": spikes}
    return objects, handles


def simulate(p, seed, device, quick):
    """Run all blocks; return the spike data.

    On ``cpp_standalone`` the project is generated with the default values
    of ``SWEEPABLE`` and the actual values go in through ``run_args``.
    """
    blocks, n_exc, n_block = layout(p, quick)
    if device == "cpp_standalone":
        defaults = dict(PARAMETERS, **(QUICK if quick else {}))
        structural = dict(p, **{key: defaults[key] for key in SWEEPABLE})

        def define(project):
            objects, handles = build(structural, blocks, n_exc, n_block, seed)
            project.add_parameter("w_inh", handles["pool_out"].w)
            project.add_parameter("input_rates", handles["inputs"].nu)
            project.add_monitor(handles["spikes"], "spikes")
            network = Network(*objects)
            network.run(p["duration"])
            return network

        # A sweep's worker keeps the defined project: its next point only
        # runs the binary.
        project = reuse_project(
            NAME + ("_quick" if quick else ""),
            define,
            structure=(structural, quick),
            seed=seed,
        )
        spikes = project.run(
            params={"w_inh": p["w_inh"], "input_rates": input_rates(p, blocks)}
        )["spikes"]
        logger.info("%s: project compiled %d time(s)", NAME, project.compile_count)
        return spikes, blocks, n_exc, n_block

    use_device(device, seed=seed)
    objects, handles = build(p, blocks, n_exc, n_block, seed)
    net = Network(*objects)
    net.run(p["duration"])
    monitor = handles["spikes"]
    spikes = {"i": np.array(monitor.i[:]), "t": monitor.t[:].copy()}
    del net
    return spikes, blocks, n_exc, n_block


def selectivity(rates, floor):
    """Winner (assembly 0) rate over the mean rate of the other assemblies.

    The mean loser rate is floored at ``floor`` (Hz), the rate of a single
    spike in the counting window, so silent losers give a finite value.
    """
    rates = np.asarray(rates, dtype=float)
    losers = np.maximum(rates[..., 1:].mean(axis=-1), floor)
    return rates[..., 0] / losers


def selectivity_index(rates):
    """Bounded selectivity (w - l) / (w + l), w the winner's, l the mean loser rate.

    1 when the losers are silent, 0 for equal rates, -1 when the winner is;
    NaN when every assembly is silent. Unlike the ratio it needs no floor, so
    it stays comparable across winner-take-all runs.
    """
    rates = np.asarray(rates, dtype=float)
    winner, losers = rates[..., 0], rates[..., 1:].mean(axis=-1)
    total = winner + losers
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (winner - losers) / total, np.nan)


def _check_normalization(p, largest_drive):
    """Refuse ``norm_sigma`` and ``norm_exponent`` that overflow float64.

    The same bounds as :func:`neurorelax.graph.normalization.
    divisive_normalization` applies, checked before the network runs:
    sigma ** n must be positive and finite, and the pooled drive,
    n_assemblies x largest_drive ** n, plus sigma ** n must stay finite.
    """
    sigma, exponent = float(p["norm_sigma"]), float(p["norm_exponent"])
    with np.errstate(over="ignore", under="ignore"):
        semi = np.float64(sigma) ** exponent
        pooled = p["n_assemblies"] * np.float64(largest_drive) ** exponent + semi
    if not (semi > 0 and np.isfinite(pooled)):
        raise ValueError(
            f"{NAME}: norm_sigma ** norm_exponent = {sigma:g} ** {exponent:g} = "
            f"{semi:.3g} and n_assemblies x (1 + {max(CONTRAST_STEPS):g} contrast) "
            f"** norm_exponent = {p['n_assemblies']} x {largest_drive:.6g} ** "
            f"{exponent:g} must be positive and finite in float64; lower "
            "norm_exponent or bring norm_sigma nearer to 1"
        )


def normalization_analogue(p, contrasts):
    """Divisive normalization of the same inputs, with and without the pool.

    Returns arrays of shape (n_contrasts, n_assemblies): the normalised
    responses over an all-to-all pool, and each node normalised alone.
    """
    from neurorelax.graph import Graph
    from neurorelax.graph.normalization import divisive_normalization

    n = p["n_assemblies"]
    pool = Graph(np.ones((n, n)) - np.eye(n))
    drive = np.ones((n, len(contrasts)))
    drive[0] += np.asarray(contrasts)
    options = {"sigma": p["norm_sigma"], "exponent": p["norm_exponent"]}
    with_pool = divisive_normalization(drive, pool, **options)
    alone = divisive_normalization(drive, None, **options)
    return with_pool.T, alone.T


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Run every block and save ``out_dir/lateral_inhibition.h5``.

    Returns
    -------
    dict
        ``selectivity_with`` and ``selectivity_without`` at the reference
        contrast, and ``winner_rate_Hz`` with the pool.
    """
    defaults = dict(PARAMETERS, **(QUICK if quick else {}))
    p = resolve_overrides(defaults, params, NAME)
    check(p)
    spikes, blocks, n_exc, n_block = simulate(p, seed, device, quick)

    t = np.asarray(spikes["t"] / ms)
    i = np.asarray(spikes["i"])
    block_of, local = i // n_block, i % n_block
    start, stop = float(p["transient"] / ms), float(p["duration"] / ms)
    late = (t >= start) & (local < n_exc)
    assembly = local // p["N_assembly"]
    counts = np.zeros((len(blocks), p["n_assemblies"]))
    np.add.at(counts, (block_of[late], assembly[late]), 1)
    rates = counts / (p["N_assembly"] * (stop - start) / 1e3)
    pool_late = (t >= start) & (local >= n_exc)
    pool_rate = np.bincount(block_of[pool_late], minlength=len(blocks)) / (
        p["N_pool"] * (stop - start) / 1e3
    )

    steps = np.array([step for step, _ in blocks])
    with_pool = np.array([pool for _, pool in blocks])
    reference = {
        key: int(np.flatnonzero((steps == 1.0) & (with_pool == flag))[0])
        for key, flag in (("with", True), ("without", False))
    }
    bins = np.arange(0, stop + 10, 10.0)
    traces = {}
    for key, b in reference.items():
        keep = (block_of == b) & (local < n_exc)
        traces[key] = np.stack(
            [
                np.histogram(t[keep & (assembly == a)], bins)[0]
                / (p["N_assembly"] * 10e-3)
                for a in range(p["n_assemblies"])
            ]
        )
    contrasts = np.array(sorted(set(steps))) * p["contrast"]
    graph_with, graph_alone = normalization_analogue(p, contrasts)

    floor = 1.0 / (p["N_assembly"] * (p["n_assemblies"] - 1) * (stop - start) / 1e3)
    sel = selectivity(rates, floor)
    index = selectivity_index(rates)
    metrics = {
        "selectivity_with": float(sel[reference["with"]]),
        "selectivity_without": float(sel[reference["without"]]),
        "selectivity_index_with": float(index[reference["with"]]),
        "selectivity_index_without": float(index[reference["without"]]),
        "winner_rate_Hz": float(rates[reference["with"], 0]),
    }
    arrays = {
        "rates_Hz": rates,
        "pool_rate_Hz": pool_rate,
        "contrast": steps * p["contrast"],
        "with_pool": with_pool,
        "rate_traces_Hz": traces,
        "bin_edges_ms": bins,
        "graph": {
            "contrast": contrasts,
            "with_pool": graph_with,
            "alone": graph_alone,
        },
    }
    save_model_results(
        out_dir,
        NAME,
        arrays,
        quick=quick,
        seed=seed,
        device=device,
        parameters=p,
        metrics=metrics,
        reference=reference,
        reference_contrast=float(p["contrast"]),
        selectivity_floor_Hz=floor,
        window_ms=[start, stop],
    )
    logger.info("%s: %s", NAME, metrics)
    return metrics


def main(argv=None):
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
