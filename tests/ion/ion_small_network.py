"""A small deterministic Traub-Miles network shared by the standalone tests.

Connections, initial voltages and injected currents come from a seeded numpy
generator, so the network is identical on every device and in every process
(no Brian2 random numbers are drawn).
"""

import numpy as np
from brian2 import (
    Network,
    SpikeMonitor,
    StateMonitor,
    defaultclock,
    ms,
    mV,
    nA,
    nS,
)

from neurorelax.ion import build_neurons, connect_synapses, traub_miles

N_NEURONS = 40
N_EXC = 32
DURATION = 200 * ms


def define(seed=7):
    """Create the network; return (network, monitors, run parameters).

    The run parameters are the excitatory weight, the capacitance and the
    inhibitory reversal, as expected by :func:`neurorelax.ion.simulate`.
    """
    # Set dt in the same way in every process, so the generated code is the same.
    defaultclock.dt = 0.1 * ms
    rng = np.random.default_rng(seed)
    group = build_neurons(
        N_NEURONS,
        traub_miles(),
        synapses=("AMPA", "GABAA"),
        kinetics={"GABAA": "biexp"},
        name="cells",
    )
    group.v = (-65 + 10 * rng.random(N_NEURONS)) * mV
    group.I_ext = (0.2 + 0.6 * rng.random(N_NEURONS)) * nA

    pre, post = np.nonzero(rng.random((N_NEURONS, N_NEURONS)) < 0.15)
    exc = pre < N_EXC
    syn_e = connect_synapses(
        group,
        group,
        "AMPA",
        weight=6 * nS,
        i=pre[exc],
        j=post[exc],
        delay=1 * ms,
        name="syn_exc",
    )
    syn_i = connect_synapses(
        group, group, "GABAA", weight=30 * nS, i=pre[~exc], j=post[~exc], name="syn_inh"
    )
    spikes = SpikeMonitor(group, name="spikes")
    trace = StateMonitor(group, "v", record=[0, 1], name="trace")
    network = Network(group, syn_e, syn_i, spikes, trace, name="small_network")
    monitors = {"spikes": spikes, "trace": trace}
    parameters = {"w_exc": syn_e.w, "C_m": group.C_m, "E_GABAA": group.E_GABAA}
    return network, monitors, parameters
