"""Single neurons on the numpy target: passive membrane, squid axon, GABA-A."""

import numpy as np
import pytest
from brian2 import (
    Network,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    cm,
    mmolar,
    mS,
    ms,
    mV,
    uA,
    ufarad,
)
from scipy.optimize import curve_fit

from neurorelax.ion import (
    MAMMALIAN,
    CellType,
    build_neurons,
    connect_synapses,
    hh_squid,
    nernst,
)


def passive_cell():
    return CellType(
        name="passive",
        C_m=1 * ufarad / cm**2,
        channels=("leak", "Cl_leak"),
        values={"g_L": 0.1 * mS / cm**2, "E_L": -70 * mV, "g_Cl": 0.05 * mS / cm**2},
        kinetics="hh1952",
        v_init=-40 * mV,
    )


def test_passive_membrane_relaxes_to_the_conductance_weighted_reversal():
    cell = passive_cell()
    group = build_neurons(1, cell, synapses=(), concentrations=MAMMALIAN)
    trace = StateMonitor(group, "v", record=0)
    Network(group, trace).run(100 * ms)

    g_L, g_Cl = 0.1e-3, 0.05e-3  # S/cm^2
    E_L, E_Cl = -70.0, float(MAMMALIAN.reversal("Cl") / mV)
    v_inf = (g_L * E_L + g_Cl * E_Cl) / (g_L + g_Cl)
    tau = 1e-6 / (g_L + g_Cl) * 1e3  # C/sum(g) in ms
    t = np.asarray(trace.t / ms)
    v = np.asarray(trace.v[0] / mV)

    def relaxation(t, v_end, v_start, tau):
        return v_end + (v_start - v_end) * np.exp(-t / tau)

    (_, _, tau_fit), _ = curve_fit(relaxation, t, v, p0=(v[-1], v[0], 5.0))

    assert abs(v[-1] - v_inf) < 0.1
    assert abs(tau_fit - tau) / tau < 0.01
    assert float(group.E_Cl[:] / mV) == pytest.approx(E_Cl)


@pytest.fixture(scope="module")
def squid_fi():
    """HH squid axons driven by steps of 0, 6.0, 6.2, 6.5, 7, 10 uA/cm^2."""
    from brian2 import defaultclock

    defaultclock.dt = 0.025 * ms
    currents = np.array([0.0, 6.0, 6.2, 6.5, 7.0, 10.0])
    group = build_neurons(len(currents), hh_squid(), synapses=(), name="squid")
    group.I_ext = currents * uA / cm**2
    spikes = SpikeMonitor(group)
    trace = StateMonitor(group, "v", record=True, dt=0.1 * ms)
    Network(group, spikes, trace).run(250 * ms)
    return (
        currents,
        np.array(spikes.i[:]),
        np.array(spikes.t[:] / ms),
        np.array(trace.v[:] / mV),
    )


def test_squid_axon_rests_near_minus_65_mV(squid_fi):
    _, _, _, v = squid_fi

    assert abs(v[0, -1] - -65.0) < 0.5
    assert np.ptp(v[0, -500:]) < 0.01


def test_squid_spike_peaks_above_30_mV(squid_fi):
    _, _, _, v = squid_fi

    assert v[-1].max() > 30.0


def test_squid_repetitive_firing_begins_abruptly_between_6_and_7(squid_fi):
    currents, index, times, _ = squid_fi
    late = times > 100  # after the onset transient
    rate = (
        np.array([np.sum(late & (index == k)) for k in range(len(currents))]) / 0.150
    )  # Hz over 150 ms

    at_6 = rate[currents == 6.0][0]
    at_7 = rate[currents == 7.0][0]
    firing = currents[rate > 0]

    assert at_6 == 0
    assert at_7 > 40  # type II: the first repetitive firing is already fast
    assert 6.0 < firing.min() <= 7.0
    assert rate[rate > 0].min() > 40


def gaba_response(cl_in):
    """Voltage of a resting squid axon receiving one GABA-A input at 20 ms."""
    concentrations = MAMMALIAN.with_chloride_inside(cl_in)
    group = build_neurons(
        1, hh_squid(), synapses=("GABAA",), concentrations=concentrations, name="target"
    )
    source = SpikeGeneratorGroup(1, [0], [20] * ms, name="source")
    synapses = connect_synapses(
        source, group, "GABAA", weight=0.03 * mS / cm**2, name="gaba"
    )
    trace = StateMonitor(group, "v", record=0)
    Network(group, source, synapses, trace).run(60 * ms)
    t = np.asarray(trace.t / ms)
    v = np.asarray(trace.v[0] / mV)
    return group, v[t >= 20] - v[np.searchsorted(t, 19.9)]


def test_raising_internal_chloride_moves_the_gaba_reversal_and_flips_its_sign():
    low, high = 7 * mmolar, 40 * mmolar

    group_low, response_low = gaba_response(low)
    group_high, response_high = gaba_response(high)

    for group, cl_in in ((group_low, low), (group_high, high)):
        expected = nernst(-1, MAMMALIAN.c_out["Cl"], cl_in, MAMMALIAN.temperature)
        assert float(group.E_GABAA[:] / mV) == pytest.approx(
            float(expected / mV), abs=1e-9
        )
    shift = float((group_high.E_GABAA[:] - group_low.E_GABAA[:]) / mV)
    assert shift == pytest.approx(26.73 * np.log(40 / 7), abs=0.01)
    # The largest deflection (the HH axon rings a little afterwards).
    peak_low = response_low[np.argmax(np.abs(response_low))]
    peak_high = response_high[np.argmax(np.abs(response_high))]
    assert peak_low < -0.2
    assert peak_high > 0.2
