"""Passive membrane relaxation: the membrane is a relaxation mechanism (figure 1).

Model
-----
A patch of passive membrane with three leak conductances, for Na+, K+ and
Cl-, whose reversal potentials come from the Nernst equation with the
mammalian concentrations at 37 degC (``neurorelax.ion.MAMMALIAN``):

    C dV/dt = -g_Na (V - E_Na) - g_K (V - E_K) - g_Cl (V - E_Cl)

This is linear in V, so from any initial voltage V relaxes exponentially to
the conductance-weighted mean of the reversals,

    V_inf = (g_Na E_Na + g_K E_K + g_Cl E_Cl) / (g_Na + g_K + g_Cl),

with the time constant tau = C / (g_Na + g_K + g_Cl).

Claim tested
------------
"Ion channels pull the membrane voltage toward equilibrium": traces from
several initial voltages converge on V_inf with tau = C / sum(g); each
channel's current crosses zero at its Nernst reversal (measured in a voltage
clamp); the resting voltage moves toward E_Cl as chloride's share of the
conductance grows.

Three sub-experiments run in one Brian2 network: ``traces`` (free
relaxation from several initial voltages), ``clamp`` (each channel's current
at clamped voltages: the I-V lines) and ``cl_share`` (rest for varying Cl
share of a fixed total conductance).
"""

import logging

import numpy as np
from brian2 import (
    NeuronGroup,
    StateMonitor,
    cm,
    mmolar,
    mS,
    ms,
    mV,
    second,
    uA,
    ufarad,
)

from neurorelax.ion import celsius, nernst, nernst_mV, reuse_project, use_device
from neurorelax.scripting import (
    MAX_CELL_STEPS,
    MAX_CELLS,
    MAX_RECORDED_VALUES,
    check_limit,
    check_parameters,
    model_main,
    quantity_text,
    resolve_overrides,
    save_model_results,
)

NAME = "membrane_relaxation"

# -- parameters (units as written) -------------------------------------------
PARAMETERS = {
    "C_m": 1.0 * ufarad / cm**2,  # membrane capacitance
    "g_Na": 0.015 * mS / cm**2,  # Na+ leak conductance
    "g_K": 0.10 * mS / cm**2,  # K+ leak conductance
    "g_Cl": 0.035 * mS / cm**2,  # Cl- leak conductance
    "Na_out": 145 * mmolar,  # concentrations (Hille, mammalian neuron)
    "Na_in": 12 * mmolar,
    "K_out": 5 * mmolar,
    "K_in": 140 * mmolar,
    "Cl_out": 110 * mmolar,
    "Cl_in": 7 * mmolar,
    "temperature_celsius": 37.0,  # degC
    "v_start_low": -100 * mV,  # initial voltages of the traces: from ...
    "v_start_high": 20 * mV,  # ... to, in n_traces steps
    "n_traces": 7,
    "duration": 60 * ms,  # nine time constants with the defaults
    "dt": 0.01 * ms,  # integration step; 'exact' integration is exact
    "v_clamp_low": -120 * mV,  # voltage-clamp range for the I-V lines
    "v_clamp_high": 80 * mV,
    "n_clamp": 201,
    "n_cl_share": 19,  # Cl shares 0 ... 0.9 of a fixed total conductance
}
QUICK = {"dt": 0.05 * ms, "n_cl_share": 10, "n_clamp": 41}
IONS = ("Na", "K", "Cl")
METRICS = ("v_inf_mV", "tau_ms", "max_final_error_mV")

logger = logging.getLogger(__name__)

EQUATIONS = """
dv/dt = -(I_Na + I_K + I_Cl) / C_m : volt
I_Na = g_Na * (v - E_Na) : amp/meter**2
I_K = g_K * (v - E_K) : amp/meter**2
I_Cl = g_Cl * (v - E_Cl) : amp/meter**2
g_Na : siemens/meter**2 (constant)
g_K : siemens/meter**2 (constant)
g_Cl : siemens/meter**2 (constant)
"""

CLAMP_EQUATIONS = """
v : volt (constant)
I_Na = g_Na * (v - E_Na) : amp/meter**2
I_K = g_K * (v - E_K) : amp/meter**2
I_Cl = g_Cl * (v - E_Cl) : amp/meter**2
"""


# Voltages the ion level accepts (as for its voltage parameters).
V_LIMIT_MV = 500.0
# Warmest temperature accepted (water boils above it).
MAX_TEMPERATURE_CELSIUS = 100.0


def check(p):
    """Refuse parameters that cannot run, before any work (see ``PARAMETERS``).

    The traces are integrated exactly, so any ``dt`` up to ``duration`` is
    accurate. ``g_Na + g_K`` must be > 0: the ``cl_share`` experiment keeps
    their ratio. The concentrations and the temperature must give reversal
    potentials within ``V_LIMIT_MV``. The monitors, which record the ``traces`` and
    ``cl_share`` cells at every step, hold at most ``MAX_RECORDED_VALUES``
    values (which also bounds the time steps), and the run has at most
    ``MAX_CELL_STEPS`` cell-steps.
    """
    per_area = mS / cm**2
    g_na, duration = p["g_Na"], p["duration"]
    conductance = (lambda v: float(v / per_area) >= 0, "a conductance density >= 0")
    concentration = (lambda v: float(v / mmolar) > 0, "a concentration > 0")
    voltage = (
        lambda v: abs(float(v / mV)) <= V_LIMIT_MV,
        f"a voltage in [-{V_LIMIT_MV:g} mV, {V_LIMIT_MV:g} mV]",
    )

    def above(name):
        low = p[name]
        return (
            lambda v: float(low / mV) < float(v / mV) <= V_LIMIT_MV,
            lambda: (
                f"a voltage in ({name}, {V_LIMIT_MV:g} mV] = ({low}, {V_LIMIT_MV:g} mV]"
            ),
        )

    cells = (lambda v: 1 <= v <= MAX_CELLS, f"an integer in [1, {MAX_CELLS:,}]")
    check_parameters(
        p,
        {
            "C_m": (
                lambda v: float(v / (ufarad / cm**2)) > 0,
                "a capacitance density > 0 (such as '1 uF/cm**2')",
            ),
            "g_Na": conductance,
            "g_K": (
                lambda v: float(v / per_area) >= 0 and float((g_na + v) / per_area) > 0,
                lambda: (
                    f"a conductance density >= 0 with g_Na + g_K > 0 (g_Na = {g_na})"
                ),
            ),
            "g_Cl": conductance,
            "Na_out": concentration,
            "Na_in": concentration,
            "K_out": concentration,
            "K_in": concentration,
            "Cl_out": concentration,
            "Cl_in": concentration,
            "temperature_celsius": (
                lambda v: -273.15 < v <= MAX_TEMPERATURE_CELSIUS,
                f"a temperature in degC in (-273.15, {MAX_TEMPERATURE_CELSIUS:g}] "
                "(above absolute zero, below boiling)",
            ),
            "v_start_low": voltage,
            "v_start_high": above("v_start_low"),
            "n_traces": cells,
            "duration": (lambda v: float(v / second) > 0, "a time > 0"),
            "dt": (
                lambda v: 0 < float(v / second) <= float(duration / second),
                lambda: f"a time in (0, duration] = (0, {duration}]",
            ),
            "v_clamp_low": voltage,
            "v_clamp_high": above("v_clamp_low"),
            "n_clamp": cells,
            "n_cl_share": cells,
        },
        NAME,
    )
    temperature_K = p["temperature_celsius"] + 273.15
    for ion, z in (("Na", 1), ("K", 1), ("Cl", -1)):
        c_out, c_in = (float(p[f"{ion}_{side}"] / mmolar) for side in ("out", "in"))
        reversal_mV = nernst_mV(z, c_out, c_in, temperature_K)
        if not abs(reversal_mV) <= V_LIMIT_MV:
            raise ValueError(
                f"{NAME}: {ion}_out / {ion}_in = {quantity_text(p[ion + '_out'])} / "
                f"{quantity_text(p[ion + '_in'])} at {p['temperature_celsius']:g} degC "
                f"gives a {ion} reversal potential of {reversal_mV:.4g} mV; expected "
                f"one in [-{V_LIMIT_MV:g} mV, {V_LIMIT_MV:g} mV] (bring the two "
                "concentrations closer)"
            )
    # The recorded values bound the time steps to MAX_RECORDED_VALUES / 2.
    dt = p["dt"]
    steps = float(duration / dt)
    n_traces, n_share, n_clamp = p["n_traces"], p["n_cl_share"], p["n_clamp"]
    check_limit(
        NAME,
        lambda: (
            f"(n_traces + n_cl_share) x duration / dt = ({n_traces} + {n_share}) x "
            f"{quantity_text(duration)} / {quantity_text(dt)}"
        ),
        (n_traces + n_share) * steps,
        "recorded values",
        MAX_RECORDED_VALUES,
        "use fewer traces or Cl shares, shorten duration or widen dt",
    )
    check_limit(
        NAME,
        lambda: (
            f"(n_traces + n_cl_share + n_clamp) x duration / dt = ({n_traces} + "
            f"{n_share} + {n_clamp}) x {quantity_text(duration)} / {quantity_text(dt)}"
        ),
        (n_traces + n_share + n_clamp) * steps,
        "cell-steps",
        MAX_CELL_STEPS,
        "use fewer cells, shorten duration or widen dt",
    )


def reversal_potentials(p):
    """Return the Nernst reversals (Quantity, volt) of Na, K and Cl for ``p``."""
    temperature = celsius(p["temperature_celsius"])
    return {
        "Na": nernst(1, p["Na_out"], p["Na_in"], temperature),
        "K": nernst(1, p["K_out"], p["K_in"], temperature),
        "Cl": nernst(-1, p["Cl_out"], p["Cl_in"], temperature),
    }


def build(p):
    """Create the three groups and their monitors; return them in a dict."""
    E = reversal_potentials(p)
    namespace = {"C_m": p["C_m"], "E_Na": E["Na"], "E_K": E["K"], "E_Cl": E["Cl"]}
    traces = NeuronGroup(
        p["n_traces"], EQUATIONS, method="exact", namespace=namespace, name="traces"
    )
    traces.v = (
        np.linspace(p["v_start_low"] / mV, p["v_start_high"] / mV, p["n_traces"]) * mV
    )
    traces.g_Na, traces.g_K, traces.g_Cl = p["g_Na"], p["g_K"], p["g_Cl"]

    # Same total conductance, Cl share from 0 to 0.9; Na:K keep their ratio.
    g_total = p["g_Na"] + p["g_K"] + p["g_Cl"]
    share = np.linspace(0.0, 0.9, p["n_cl_share"])
    cation = p["g_Na"] + p["g_K"]
    cl_share = NeuronGroup(
        p["n_cl_share"], EQUATIONS, method="exact", namespace=namespace, name="cl_share"
    )
    cl_share.v = -65 * mV
    cl_share.g_Cl = share * g_total
    cl_share.g_Na = (1 - share) * g_total * float(p["g_Na"] / cation)
    cl_share.g_K = (1 - share) * g_total * float(p["g_K"] / cation)

    clamp_namespace = dict(namespace, g_Na=p["g_Na"], g_K=p["g_K"], g_Cl=p["g_Cl"])
    clamp = NeuronGroup(
        p["n_clamp"], CLAMP_EQUATIONS, namespace=clamp_namespace, name="clamp"
    )
    clamp.v = (
        np.linspace(p["v_clamp_low"] / mV, p["v_clamp_high"] / mV, p["n_clamp"]) * mV
    )
    return {
        "groups": (traces, cl_share, clamp),
        "reversals": E,
        "share": share,
        "monitors": {
            "traces": StateMonitor(traces, "v", record=True, name="traces_mon"),
            "cl_share": StateMonitor(cl_share, "v", record=True, name="share_mon"),
            "clamp": StateMonitor(
                clamp,
                ("v", "I_Na", "I_K", "I_Cl"),
                record=True,
                dt=p["duration"],
                name="clamp_mon",
            ),
        },
    }


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Run the three sub-experiments and save ``out_dir/membrane_relaxation.h5``.

    Returns
    -------
    dict
        ``v_inf_mV`` (predicted rest), ``tau_ms`` (predicted C/sum(g)) and
        ``max_final_error_mV`` (largest |V(end) - V_inf| over the traces).
    """
    defaults = dict(PARAMETERS, **(QUICK if quick else {}))
    p = resolve_overrides(defaults, params, NAME)
    check(p)
    data, E, share = simulate(p, seed, device, quick)

    g = np.array([float(p[f"g_{ion}"] / (mS / cm**2)) for ion in IONS])
    e = np.array([float(E[ion] / mV) for ion in IONS])
    v_inf = float(np.sum(g * e) / np.sum(g))
    tau = float(p["C_m"] / ((p["g_Na"] + p["g_K"] + p["g_Cl"]) * ms))
    traces_v = np.asarray(data["traces"]["v"] / mV)
    metrics = {
        "v_inf_mV": v_inf,
        "tau_ms": tau,
        "max_final_error_mV": float(np.max(np.abs(traces_v[:, -1] - v_inf))),
    }

    arrays = {
        "t_ms": np.asarray(data["traces"]["t"] / ms),
        "traces_v_mV": traces_v,
        "cl_share": share,
        "cl_share_v_mV": np.asarray(data["cl_share"]["v"] / mV)[:, -1],
        "clamp_v_mV": np.asarray(data["clamp"]["v"] / mV)[:, -1],
        "clamp_I_uA_cm2": {
            ion: np.asarray(data["clamp"][f"I_{ion}"] / (uA / cm**2))[:, -1]
            for ion in ("Na", "K", "Cl")
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
        g_mS_cm2=dict(zip(("Na", "K", "Cl"), g.tolist(), strict=True)),
        E_mV=dict(zip(("Na", "K", "Cl"), e.tolist(), strict=True)),
        C_uF_cm2=float(p["C_m"] / (ufarad / cm**2)),
        concentrations_mM={
            key: float(p[key] / mmolar)
            for key in ("Na_out", "Na_in", "K_out", "K_in", "Cl_out", "Cl_in")
        },
        temperature_celsius=float(p["temperature_celsius"]),
    )
    logger.info("%s: V_inf = %.3f mV, tau = %.3f ms", NAME, v_inf, tau)
    return metrics


def simulate(p, seed, device, quick):
    """Build and run the network on ``device``; return monitor data.

    On ``cpp_standalone`` the network is a :class:`neurorelax.ion.StandaloneProject`
    in ``$NEURORELAX_BUILD_DIR/membrane_relaxation[_quick]``; an unchanged
    project is not compiled again.

    Returns
    -------
    data : dict
        Monitor name -> recorded arrays (with units), as returned by
        :meth:`neurorelax.ion.StandaloneProject.run`.
    reversals : dict of str to Quantity
    share : ndarray
        Cl share of each neuron of the ``cl_share`` group.
    """
    import brian2

    if device == "cpp_standalone":

        def define(project):
            brian2.defaultclock.dt = p["dt"]
            model = build(p)
            for key, monitor in model["monitors"].items():
                project.add_monitor(monitor, key)
            network = brian2.Network(*model["groups"], *model["monitors"].values())
            network.run(p["duration"])
            return network, model

        project = reuse_project(
            NAME + ("_quick" if quick else ""), define, structure=p, seed=seed
        )
        model = project.network[1]
        return project.run(), model["reversals"], model["share"]

    use_device(device, seed=seed)
    brian2.defaultclock.dt = p["dt"]
    model = build(p)
    net = brian2.Network(*model["groups"], *model["monitors"].values())
    net.run(p["duration"])
    data = {
        key: {
            "t": m.t[:].copy(),
            **{v: getattr(m, v)[:].copy() for v in m.record_variables},
        }
        for key, m in model["monitors"].items()
    }
    del net
    return data, model["reversals"], model["share"]


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
