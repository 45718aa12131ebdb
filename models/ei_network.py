"""Recurrent E-I network with and without GABA-A inhibition (figure 3).

Model
-----
A recurrent network of Traub-Miles conductance-based cells
(``neurorelax.ion.traub_miles``: Na, K and leak channels), 80 % excitatory
and 20 % inhibitory, built by ``neurorelax.ion.build_neurons``. Excitatory
cells excite every cell through AMPA synapses (reversal 0 mV); inhibitory
cells inhibit every cell through GABA-A synapses, a chloride conductance
whose reversal is the chloride Nernst potential of the concentrations
``neurorelax.ion.MAMMALIAN`` with internal chloride ``Cl_in``. Every cell
receives independent Poisson excitation from outside the network. Each cell
gets a fixed number of randomly chosen excitatory and inhibitory inputs.

The conditions run side by side in one simulation as independent copies
("blocks") of the same network, each with its own inhibitory weight and
internal chloride:

- the inhibitory-weight sweep ``w_inh_factors`` x ``w_inh`` at normal
  chloride (factor 0 is the network without GABA, factor 1 the default);
- the chloride sweep: ``Cl_in_values`` at the default weight; raising
  internal chloride moves E_Cl above the resting voltage, and GABA-A
  becomes depolarising.

Claim tested
------------
"Without inhibition, activity runs away": the mean rate without GABA is at
least five times the rate with it; with depolarising GABA (high internal
chloride) the network loses its stable low-rate state.
"""

import functools
import logging
import numbers

import numpy as np
from brian2 import (
    Hz,
    Network,
    PoissonInput,
    SpikeMonitor,
    defaultclock,
    kelvin,
    mmolar,
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
    nernst_mV,
    reuse_project,
    traub_miles,
    use_device,
)
from neurorelax.scripting import (
    CONDUCTANCE_RULE,
    MAX_CELLS,
    MAX_CONDUCTANCE_NS,
    MAX_SYNAPSES,
    check_limit,
    check_parameters,
    check_run_steps,
    model_main,
    resolve_overrides,
    run_time_rules,
    save_model_results,
)

NAME = "ei_network"

# -- parameters (units as written) -------------------------------------------
PARAMETERS = {
    "N_E": 400,  # excitatory cells per block
    "N_I": 100,  # inhibitory cells per block
    "K_E": 40,  # excitatory inputs per cell
    "K_I": 10,  # inhibitory inputs per cell
    "w_exc": 2.0 * nS,  # AMPA peak conductance per spike
    "w_inh": 40.0 * nS,  # GABA-A peak conductance per spike (default)
    "N_ext": 100,  # external Poisson inputs per cell ...
    "rate_ext": 5.0 * Hz,  # ... each firing at this rate ...
    "w_ext": 1.0 * nS,  # ... with this AMPA weight
    "Cl_in": 7.0 * mmolar,  # normal internal chloride
    "duration": 1000 * ms,  # simulated time; rates use the part after ...
    "transient": 200 * ms,
    "dt": 0.05 * ms,
    "w_inh_factors": (0, 0.25, 0.5, 1, 2),  # weight sweep (x w_inh)
    "Cl_in_values": (7, 10, 14, 20, 40, 90),  # chloride sweep (mM)
}
QUICK = {
    "N_E": 240,
    "N_I": 60,
    "duration": 500 * ms,
    "transient": 150 * ms,
    "w_inh_factors": (0, 0.5, 1),
    "Cl_in_values": (7, 40, 90),
}
RASTER_E, RASTER_I = 80, 20  # cells shown in the rasters
# Most values of each sweep list (each value is one more network).
MAX_CONDITIONS = 100
# Reversal potentials the ion level accepts (as for its voltage parameters).
V_LIMIT_MV = 500.0
METRICS = ("rate_with_Hz", "rate_without_Hz", "rate_depolarising_Hz")

logger = logging.getLogger(__name__)


def check(p):
    """Refuse parameters that cannot run, before any work (see ``PARAMETERS``).

    ``dt`` may be at most the ion level's limit for the gating kinetics of
    the Traub-Miles cell (:func:`neurorelax.ion.max_dt`); ``w_inh_factors``
    must hold 0 and 1, the two conditions the metrics compare; ``rate_ext`` is
    at most 1 / dt (an external input fires at most once a step); every internal
    chloride gives a reversal potential within ``V_LIMIT_MV``. All blocks
    together have at most ``MAX_CELLS`` cells and ``MAX_SYNAPSES`` synapses,
    and the run at most ``MAX_STEPS`` time steps and ``MAX_CELL_STEPS``
    cell-steps.
    """
    n_e, n_i, duration = p["N_E"], p["N_I"], p["duration"]
    w_inh_nS = float(p["w_inh"]) * 1e9
    factor_max = MAX_CONDUCTANCE_NS / w_inh_nS if w_inh_nS > 0 else np.inf
    dt_ = float(p["dt"] / second)
    rate_max = 1 / dt_ if dt_ > 0 else np.inf
    cells = (lambda v: 1 <= v <= MAX_CELLS, f"an integer in [1, {MAX_CELLS:,}]")
    check_parameters(
        p,
        {
            "N_E": cells,
            "N_I": cells,
            "K_E": (lambda v: 1 <= v <= n_e, f"an integer in [1, N_E] = [1, {n_e}]"),
            "K_I": (lambda v: 1 <= v <= n_i, f"an integer in [1, N_I] = [1, {n_i}]"),
            "w_exc": CONDUCTANCE_RULE,
            "w_inh": CONDUCTANCE_RULE,
            "N_ext": (
                lambda v: 0 <= v <= MAX_CELLS,
                f"an integer in [0, {MAX_CELLS:,}]",
            ),
            "rate_ext": (
                lambda v: 0 <= float(v * second) <= rate_max,
                f"a rate in [0, 1 / dt] = [0, {rate_max:.6g} Hz] (an external "
                "input fires at most once a step)",
            ),
            "w_ext": CONDUCTANCE_RULE,
            "Cl_in": (lambda v: float(v / mmolar) > 0, "a concentration > 0"),
            **run_time_rules(duration, dt_limit()),
            "w_inh_factors": (
                lambda v: (
                    _numbers(v, lambda x: 0 <= x <= factor_max) and {0, 1} <= set(v)
                ),
                f"a sequence of at most {MAX_CONDITIONS} numbers in [0, "
                f"{MAX_CONDUCTANCE_NS:g} nS / w_inh] = [0, {factor_max:.6g}] that "
                "holds 0 and 1 (the networks without and with GABA)",
            ),
            "Cl_in_values": (
                lambda v: _numbers(v, lambda x: x > 0),
                f"a sequence of 1 to {MAX_CONDITIONS} concentrations in mM, each > 0",
            ),
        },
        NAME,
    )
    names = "(N_E + N_I) x (len(w_inh_factors) + len(Cl_in_values))"
    values = f"({n_e} + {n_i}) x ({len(p['w_inh_factors'])} + {len(p['Cl_in_values'])})"
    n_cells = (n_e + n_i) * (len(p["w_inh_factors"]) + len(p["Cl_in_values"]))
    names_in = ["Cl_in"] + ["Cl_in_values"] * len(p["Cl_in_values"])
    c_in = np.array([float(p["Cl_in"] / mmolar), *map(float, p["Cl_in_values"])])
    cl_out = float(MAMMALIAN.c_out["Cl"] / mmolar)
    temperature_K = float(MAMMALIAN.temperature / kelvin)
    reversal_mV = nernst_mV(-1, cl_out, c_in, temperature_K)
    for name, c, e in zip(names_in, c_in, reversal_mV, strict=True):
        if not abs(e) <= V_LIMIT_MV:
            raise ValueError(
                f"{NAME}: {name} holds {c:g} mM, which gives a chloride reversal "
                f"potential of {e:.4g} mV against {cl_out:g} mM outside; expected "
                f"one in [-{V_LIMIT_MV:g} mV, {V_LIMIT_MV:g} mV]"
            )
    advice = "use fewer cells per block or fewer conditions"
    check_limit(NAME, f"{names} = {values}", n_cells, "cells", MAX_CELLS, advice)
    check_limit(
        NAME,
        f"(K_E + K_I) x {names} = ({p['K_E']} + {p['K_I']}) x {values}",
        (p["K_E"] + p["K_I"]) * n_cells,
        "synapses",
        MAX_SYNAPSES,
        "lower K_E and K_I, or " + advice,
    )
    cells = (n_cells, names, values, "shorten duration, or " + advice)
    check_run_steps(NAME, duration, p["dt"], cells)


@functools.cache
def dt_limit():
    """The coarsest dt the Traub-Miles cell's gating kinetics allow (computed once)."""
    return max_dt(traub_miles())


def _numbers(values, test):
    """Return whether ``values`` holds 1 to ``MAX_CONDITIONS`` numbers passing ``test``.

    Quantities, text and booleans are not numbers here.
    """
    if not isinstance(values, tuple | list | np.ndarray) or np.ndim(values) != 1:
        return False
    return 0 < len(values) <= MAX_CONDITIONS and all(
        isinstance(x, numbers.Real) and not isinstance(x, bool) and test(float(x))
        for x in values
    )


def conditions(p):
    """Return the blocks as a list of dicts (label, w_inh factor, Cl_in)."""
    factors = [float(x) for x in p["w_inh_factors"]]
    chloride = [float(x) for x in p["Cl_in_values"]]
    normal = float(p["Cl_in"] / mmolar)
    blocks = [{"sweep": "w_inh", "factor": f, "Cl_in_mM": normal} for f in factors]
    blocks += [{"sweep": "Cl_in", "factor": 1.0, "Cl_in_mM": c} for c in chloride]
    return blocks


def fixed_indegree(rng, n_pre, n_post, k, pre_offsets, post_offsets):
    """Draw ``k`` distinct presynaptic partners for every postsynaptic cell.

    Partners are drawn inside each block (``pre_offsets[b] + [0, n_pre)`` for
    the cells ``post_offsets[b] + [0, n_post)``); returns index arrays i, j.
    """
    i, j = [], []
    for pre0, post0 in zip(pre_offsets, post_offsets, strict=True):
        for post in range(n_post):
            i.append(pre0 + rng.choice(n_pre, size=k, replace=False))
            j.append(np.full(k, post0 + post))
    return np.concatenate(i), np.concatenate(j)


def build(p, seed):
    """Create the blocks (one population), synapses and monitors."""
    defaultclock.dt = p["dt"]
    blocks = conditions(p)
    n_block = p["N_E"] + p["N_I"]
    n = n_block * len(blocks)
    E_Cl = np.array(
        [
            float(
                MAMMALIAN.with_chloride_inside(b["Cl_in_mM"] * mmolar).reversal("Cl")
                / mV
            )
            for b in blocks
        ]
    )
    cells = build_neurons(
        n,
        traub_miles(),
        synapses=("AMPA", "GABAA"),
        per_neuron=("E_GABAA",),
        name="cells",
    )
    cells.E_GABAA = np.repeat(E_Cl, n_block) * mV
    rng = np.random.default_rng(seed)
    cells.v = rng.uniform(-70, -60, n) * mV

    # Cells 0..N_E-1 of each block are excitatory, the rest inhibitory.
    starts = np.arange(len(blocks)) * n_block
    i_e, j_e = fixed_indegree(rng, p["N_E"], n_block, p["K_E"], starts, starts)
    i_i, j_i = fixed_indegree(
        rng, p["N_I"], n_block, p["K_I"], starts + p["N_E"], starts
    )
    exc = connect_synapses(
        cells, cells, "AMPA", weight=p["w_exc"], i=i_e, j=j_e, delay=1 * ms, name="exc"
    )
    factor = np.array([b["factor"] for b in blocks])
    inh = connect_synapses(
        cells,
        cells,
        "GABAA",
        weight=factor[j_i // n_block] * p["w_inh"],
        i=i_i,
        j=j_i,
        delay=1 * ms,
        name="inh",
    )
    drive = PoissonInput(cells, "g_AMPA", p["N_ext"], p["rate_ext"], weight=p["w_ext"])
    spikes = SpikeMonitor(cells, name="spikes")
    return [cells, exc, inh, drive, spikes], {"spikes": spikes}, blocks, E_Cl


def simulate(p, seed, device, quick):
    """Run all blocks in one network; return (spike data, blocks, E_Cl)."""
    if device == "cpp_standalone":

        def define(project):
            objects, monitors, blocks, E_Cl = build(p, seed)
            project.add_monitor(monitors["spikes"], "spikes")
            network = Network(*objects)
            network.run(p["duration"])
            return network, blocks, E_Cl

        project = reuse_project(
            NAME + ("_quick" if quick else ""), define, structure=p, seed=seed
        )
        _, blocks, E_Cl = project.network
        return project.run()["spikes"], blocks, E_Cl

    use_device(device, seed=seed)
    objects, monitors, blocks, E_Cl = build(p, seed)
    net = Network(*objects)
    net.run(p["duration"])
    spikes = monitors["spikes"]
    data = {"i": np.array(spikes.i[:]), "t": spikes.t[:].copy()}
    del net
    return data, blocks, E_Cl


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Run every block and save ``out_dir/ei_network.h5``.

    Saved arrays: per-block mean rates of E and I cells after the transient,
    the population rate of every block in 5 ms bins, and the spikes of the
    first 100 cells of the blocks "with GABA", "without GABA" and "highest
    chloride" for rasters.
    """
    defaults = dict(PARAMETERS, **(QUICK if quick else {}))
    p = resolve_overrides(defaults, params, NAME)
    check(p)
    spikes, blocks, E_Cl = simulate(p, seed, device, quick)

    n_block = p["N_E"] + p["N_I"]
    t = np.asarray(spikes["t"] / ms)
    i = np.asarray(spikes["i"])
    block_of = i // n_block
    local = i % n_block
    start, stop = float(p["transient"] / ms), float(p["duration"] / ms)
    late = t >= start
    seconds = (stop - start) / 1e3
    exc = local < p["N_E"]
    rate_E = np.bincount(block_of[late & exc], minlength=len(blocks)) / (
        p["N_E"] * seconds
    )
    rate_I = np.bincount(block_of[late & ~exc], minlength=len(blocks)) / (
        p["N_I"] * seconds
    )
    bins = np.arange(0, stop + 5, 5.0)
    population = np.stack(
        [
            np.histogram(t[block_of == b], bins)[0] / (n_block * 5e-3)
            for b in range(len(blocks))
        ]
    )

    index = {
        "with": _find(blocks, "w_inh", 1.0),
        "without": _find(blocks, "w_inh", 0.0),
        "depolarising": len(blocks) - 1,
    }
    # Rasters: the first 80 excitatory and first 20 inhibitory cells (rows
    # 80-99) of three blocks.
    raster = {}
    shown = (local < RASTER_E) | ((local >= p["N_E"]) & (local < p["N_E"] + RASTER_I))
    row = np.where(local < p["N_E"], local, local - p["N_E"] + RASTER_E)
    for key, b in index.items():
        keep = (block_of == b) & shown
        raster[key] = {"t_ms": t[keep], "i": row[keep]}
    metrics = {
        "rate_with_Hz": float(rate_E[index["with"]]),
        "rate_without_Hz": float(rate_E[index["without"]]),
        "rate_depolarising_Hz": float(rate_E[index["depolarising"]]),
    }
    arrays = {
        "rate_E_Hz": rate_E,
        "rate_I_Hz": rate_I,
        "population_rate_Hz": population,
        "bin_edges_ms": bins,
        "w_inh_factor": np.array([b["factor"] for b in blocks]),
        "Cl_in_mM": np.array([b["Cl_in_mM"] for b in blocks]),
        "E_Cl_mV": E_Cl,
        "sweep": np.array([b["sweep"] for b in blocks], dtype="S8"),
        "raster": raster,
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
        blocks=blocks,
        index=index,
        w_inh_nS=float(p["w_inh"] / nS),
        E_rest_mV=float(traub_miles().values["E_L"] / mV),
        window_ms=[start, stop],
        raster_n_exc=RASTER_E,
    )
    logger.info("%s: %s", NAME, metrics)
    return metrics


def _find(blocks, sweep, factor):
    for k, block in enumerate(blocks):
        if block["sweep"] == sweep and block["factor"] == factor:
            return k
    raise ValueError(
        f"w_inh_factors must contain {factor:g} (the condition the figure "
        f"compares), got factors {[b['factor'] for b in blocks if b['sweep'] == sweep]}"
    )


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
