"""A tiny Brian2 ``cpp_standalone`` model for the sweep's compile-once test.

Ten leaky integrate-and-fire neurons, dv/dt = (I - v) / tau, threshold 1,
reset 0, driven by a constant input I above threshold. Each fires with period
T = tau * ln(I / (I - 1)) (rounded up to whole time steps of 0.05 ms), so
the rate is known in closed form.

The network is a :class:`neurorelax.ion.StandaloneProject` in
``$NEURORELAX_BUILD_DIR/standalone_lif``: ``I`` and ``tau`` are variables of
the group set through Brian2's ``run_args``, so every point of a sweep runs
the same compiled binary, and the project counts its compilations. Each run
keeps Brian2's raw results in ``out_dir/brian_results`` and writes its result
file ``out_dir/standalone_lif.h5``.
"""

from pathlib import Path

import brian2 as b2
from brian2 import ms, second

from neurorelax.ion import StandaloneProject
from neurorelax.results import save_results
from neurorelax.scripting import model_main, resolve_overrides

NAME = "standalone_lif"
PARAMETERS = {
    "I": 1.5,
    "tau": 10.0 * ms,
}
METRICS = ("rate",)
N_NEURONS = 10
DURATION = 200 * ms
DT = 0.05 * ms  # not Brian2's default: a sweep must restore the clock between points


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Run one point with the shared binary; return the mean rate in Hz."""
    p = resolve_overrides(PARAMETERS, params, NAME)
    out_dir = Path(out_dir)

    project = StandaloneProject(NAME, seed=seed)
    with project.define():
        b2.defaultclock.dt = DT
        group = b2.NeuronGroup(
            N_NEURONS,
            "dv/dt = (I - v) / tau : 1\nI : 1 (constant)\ntau : second (constant)",
            threshold="v > 1",
            reset="v = 0",
            method="exact",
            name="lif",
        )
        group.I = PARAMETERS["I"]
        group.tau = PARAMETERS["tau"]
        spikes = b2.SpikeMonitor(group, name="lif_spikes")
        project.add_parameter("I", group.I)
        project.add_parameter("tau", group.tau)
        project.add_monitor(spikes)
        b2.Network(group, spikes, name="lif_network").run(DURATION)
    project.build()

    data = project.run(
        params={"I": p["I"], "tau": p["tau"]}, results_dir=out_dir / "brian_results"
    )
    rate = len(data["lif_spikes"]["i"]) / (N_NEURONS * DURATION)
    save_results(
        out_dir / f"{NAME}.h5",
        {
            "spike_i": data["lif_spikes"]["i"],
            "spike_t": data["lif_spikes"]["t"] / second,
        },
        {"I": p["I"], "tau": p["tau"], "rate_Hz": float(rate)},
    )
    return {"rate": float(rate)}


def main(argv=None):
    return model_main(NAME, run, argv)


if __name__ == "__main__":
    raise SystemExit(main())
