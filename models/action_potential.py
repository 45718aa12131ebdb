"""Sodium in, potassium out: the action potential of two cells (figure 2).

Model
-----
Two conductance-based cells from the ion level's parameter sets:

- the Hodgkin-Huxley squid giant axon (1952 parameters, 6.3 degC,
  ``neurorelax.ion.hh_squid``; per unit area), and
- the Traub-Miles cortical cell of the COBAHH benchmark
  (``neurorelax.ion.traub_miles``; one cell of 20000 um^2).

Each is built by ``neurorelax.ion.build_neurons`` with its Na (m^3 h), K (n^4)
and leak channels. Three experiments run in one network:

``spike``
    One cell of each type starts depolarised (``v_kick``; an instantaneous
    charge injection with the gates still at rest) and fires one spike; Na and
    K currents and the gates m, h, n are recorded.
``rest``
    One unstimulated squid cell gives the resting voltage.
``fi``
    Many copies of each cell, each with its own constant injected current,
    give the firing rate against current (F-I curve), counted after an
    initial transient.

Claim tested
------------
The spike is Na+ flowing in and then K+ flowing out; the squid axon starts
firing repetitively abruptly at a non-zero rate between 6 and 7 uA/cm^2
(type II excitability) while the Traub-Miles cell's rate rises continuously
from zero (type I).
"""

import functools
import logging

import numpy as np
from brian2 import (
    Network,
    SpikeMonitor,
    StateMonitor,
    cm,
    defaultclock,
    ms,
    mV,
    nA,
    nF,
    second,
    uA,
    uF,
    us,
)

from neurorelax.ion import (
    build_neurons,
    hh_squid,
    max_dt,
    reuse_project,
    traub_miles,
    use_device,
)
from neurorelax.scripting import (
    MAX_CELLS,
    MAX_RECORDED_VALUES,
    check_limit,
    check_parameters,
    check_run_steps,
    model_main,
    quantity_text,
    resolve_overrides,
    save_model_results,
)

NAME = "action_potential"

# -- parameters (units as written) -------------------------------------------
PARAMETERS = {
    "dt": 0.01 * ms,  # integration step (exponential Euler)
    "v_kick": -50 * mV,  # initial voltage of the single-spike cells
    "spike_duration": 40 * ms,  # recorded single-spike window
    "squid_I_max": 12.0 * uA / cm**2,  # F-I: currents 0 ... I_max
    "squid_n_I": 121,  # 0.1 uA/cm^2 steps
    "traub_I_min": -0.15 * nA,  # the cell fires spontaneously at 0 nA
    "traub_I_max": 0.45 * nA,
    "traub_n_I": 121,  # 5 pA steps
    "fi_duration": 1200 * ms,  # F-I run, of which the first ...
    "fi_transient": 400 * ms,  # ... is discarded
}
QUICK = {
    "dt": 0.02 * ms,
    "squid_n_I": 49,
    "traub_I_min": -0.1 * nA,
    "traub_I_max": 0.3 * nA,
    "traub_n_I": 81,
    "fi_duration": 550 * ms,
    "fi_transient": 150 * ms,
}
METRICS = ("rest_mV", "squid_peak_mV", "squid_onset_uA_cm2", "squid_onset_rate_Hz")

logger = logging.getLogger(__name__)

MIN_SPIKES = 2  # a cell fires repetitively with >= 2 spikes after the transient
SPIKE_VARIABLES = ("v", "I_Na", "I_K", "I_L", "m", "h", "n")
# Initial voltages the ion level accepts (as for its voltage parameters).
V_LIMIT_MV = 500.0


def check(p):
    """Refuse parameters that cannot run, before any work (see ``PARAMETERS``).

    ``dt`` may be at most the ion level's limit for the faster gating
    kinetics of the two cells (:func:`neurorelax.ion.max_dt`). Each F-I
    curve has at most ``MAX_CELLS`` currents; the run has at most
    ``MAX_STEPS`` time steps and ``MAX_CELL_STEPS`` cell-steps, and the
    single-spike traces at most ``MAX_RECORDED_VALUES`` values.
    """
    limit = dt_limit()
    fi_duration = p["fi_duration"]
    i_min = p["traub_I_min"]
    check_parameters(
        p,
        {
            "dt": (
                lambda v: 0 < float(v / second) <= float(limit / second),
                f"a time in (0, max_dt] = (0, {float(limit / us):.5g} us] (the ion "
                "level's limit for the gating kinetics)",
            ),
            "v_kick": (
                lambda v: abs(float(v / mV)) <= V_LIMIT_MV,
                f"a voltage in [-{V_LIMIT_MV:g} mV, {V_LIMIT_MV:g} mV]",
            ),
            "fi_duration": (lambda v: float(v / second) > 0, "a time > 0"),
            "spike_duration": (
                lambda v: 0 < float(v / second) <= float(fi_duration / second),
                lambda: f"a time in (0, fi_duration] = (0, {fi_duration}]",
            ),
            "fi_transient": (
                lambda v: 0 <= float(v / second) < float(fi_duration / second),
                lambda: f"a time in [0, fi_duration) = [0, {fi_duration})",
            ),
            "squid_I_max": (
                lambda v: float(v / (uA / cm**2)) > 0,
                "a current density > 0 (such as '12 uA/cm**2')",
            ),
            "squid_n_I": (
                lambda v: 1 <= v <= MAX_CELLS,
                f"an integer in [1, {MAX_CELLS:,}]",
            ),
            "traub_I_min": (
                lambda v: np.isfinite(float(v / nA)),
                "a finite current (such as '-0.15 nA')",
            ),
            "traub_I_max": (
                lambda v: float(v / nA) > float(i_min / nA),
                lambda: f"a current > traub_I_min = {i_min}",
            ),
            "traub_n_I": (
                lambda v: 1 <= v <= MAX_CELLS,
                f"an integer in [1, {MAX_CELLS:,}]",
            ),
        },
        NAME,
    )
    dt = p["dt"]
    n_cells = p["squid_n_I"] + p["traub_n_I"] + 3
    cells = (
        n_cells,
        "(squid_n_I + traub_n_I + 3)",
        f"({p['squid_n_I']} + {p['traub_n_I']} + 3)",
        "use fewer currents, shorten fi_duration or widen dt",
    )
    check_run_steps(NAME, fi_duration, dt, cells, duration_name="fi_duration")
    traces = 2 * len(SPIKE_VARIABLES)
    check_limit(
        NAME,
        lambda: (
            f"{traces} traces x spike_duration / dt = {traces} x "
            f"{quantity_text(p['spike_duration'])} / {quantity_text(dt)}"
        ),
        traces * float(p["spike_duration"] / dt),
        "recorded values",
        MAX_RECORDED_VALUES,
        "shorten spike_duration or widen dt",
    )


@functools.cache
def dt_limit():
    """The coarsest dt the two cells' gating kinetics allow (computed once)."""
    return min(max_dt(hh_squid()), max_dt(traub_miles()))


def build(p):
    """Create the groups and monitors of the three experiments."""
    defaultclock.dt = p["dt"]
    cells = {"squid": hh_squid(), "traub": traub_miles()}
    currents = {
        "squid": np.linspace(0, float(p["squid_I_max"] / (uA / cm**2)), p["squid_n_I"])
        * uA
        / cm**2,
        "traub": np.linspace(
            float(p["traub_I_min"] / nA), float(p["traub_I_max"] / nA), p["traub_n_I"]
        )
        * nA,
    }
    groups, monitors = [], {}
    for key, cell in cells.items():
        spike = build_neurons(1, cell, synapses=(), name=f"{key}_spike")
        spike.v = p["v_kick"]
        fi = build_neurons(len(currents[key]), cell, synapses=(), name=f"{key}_fi")
        fi.I_ext = currents[key]
        groups += [spike, fi]
        monitors[f"{key}_spike"] = StateMonitor(
            spike, SPIKE_VARIABLES, record=True, name=f"{key}_spike_trace"
        )
        monitors[f"{key}_fi"] = SpikeMonitor(fi, name=f"{key}_fi_spikes")
    rest = build_neurons(1, cells["squid"], synapses=(), name="squid_rest")
    groups.append(rest)
    monitors["squid_rest"] = StateMonitor(
        rest, "v", record=True, dt=1 * ms, name="squid_rest_trace"
    )
    return groups, monitors, currents


def simulate(p, seed, device, quick):
    """Run the network; return (monitor data, injected currents).

    The single-spike monitors record only the first ``spike_duration``;
    the network then runs on to ``fi_duration`` for the F-I curves.
    """
    if device == "cpp_standalone":

        def define(project):
            groups, monitors, currents = build(p)
            for key, monitor in monitors.items():
                project.add_monitor(monitor, key)
            return _run(groups, monitors, p), currents

        project = reuse_project(
            NAME + ("_quick" if quick else ""), define, structure=p, seed=seed
        )
        return project.run(), project.network[1]

    use_device(device, seed=seed)
    groups, monitors, currents = build(p)
    net = _run(groups, monitors, p)
    data = {}
    for key, monitor in monitors.items():
        if isinstance(monitor, SpikeMonitor):
            data[key] = {"i": np.array(monitor.i[:]), "t": monitor.t[:].copy()}
        else:
            data[key] = {"t": monitor.t[:].copy()}
            data[key].update(
                {v: getattr(monitor, v)[:].copy() for v in monitor.record_variables}
            )
    del net
    return data, currents


def _run(groups, monitors, p):
    net = Network(*groups, *monitors.values())
    net.run(p["spike_duration"])
    for key in ("squid_spike", "traub_spike"):
        monitors[key].active = False
    net.run(p["fi_duration"] - p["spike_duration"])
    return net


def firing_rates(spikes, n, start, stop):
    """Return the rate (Hz) of each of ``n`` neurons in [start, stop) (s)."""
    t = np.asarray(spikes["t"] / ms) / 1e3
    keep = (t >= start) & (t < stop)
    counts = np.bincount(spikes["i"][keep], minlength=n)
    return counts / (stop - start)


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Run the three experiments and save ``out_dir/action_potential.h5``.

    Returns
    -------
    dict
        ``rest_mV``, ``squid_peak_mV``, ``squid_onset_uA_cm2`` (smallest
        current with repetitive firing) and ``squid_onset_rate_Hz``.
    """
    defaults = dict(PARAMETERS, **(QUICK if quick else {}))
    p = resolve_overrides(defaults, params, NAME)
    check(p)
    data, currents = simulate(p, seed, device, quick)

    start = float(p["fi_transient"] / ms) / 1e3
    stop = float(p["fi_duration"] / ms) / 1e3
    arrays = {"fi": {}, "spike": {}}
    unit = {"squid": uA / cm**2, "traub": nA}
    for key in ("squid", "traub"):
        arrays["fi"][f"{key}_I"] = np.asarray(currents[key] / unit[key])
        arrays["fi"][f"{key}_rate_Hz"] = firing_rates(
            data[f"{key}_fi"], len(currents[key]), start, stop
        )
        trace = data[f"{key}_spike"]
        arrays["spike"][key] = {"t_ms": np.asarray(trace["t"] / ms)}
        for name in SPIKE_VARIABLES:
            values = trace[name][0]
            if name == "v":
                values = values / mV
            elif name.startswith("I_"):
                values = values / unit[key]
            arrays["spike"][key][name] = np.asarray(values)
    rest_mV = float(data["squid_rest"]["v"][0][-1] / mV)

    rate = arrays["fi"]["squid_rate_Hz"]
    firing = np.flatnonzero(rate * (stop - start) >= MIN_SPIKES)
    metrics = {
        "rest_mV": rest_mV,
        "squid_peak_mV": float(np.max(arrays["spike"]["squid"]["v"])),
        "squid_onset_uA_cm2": float(arrays["fi"]["squid_I"][firing[0]])
        if firing.size
        else float("nan"),
        "squid_onset_rate_Hz": float(rate[firing[0]]) if firing.size else 0.0,
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
        current_units={"squid": "uA/cm^2", "traub": "nA"},
        fi_window_s=[start, stop],
        min_spikes=MIN_SPIKES,
        C_m_uF_cm2_or_nF={
            "squid": float(hh_squid().C_m / (uF / cm**2)),
            "traub": float(traub_miles().C_m / nF),
        },
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
