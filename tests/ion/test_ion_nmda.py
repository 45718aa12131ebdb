"""NMDA synapses: magnesium block, slow kinetics, bad magnesium values."""

import numpy as np
import pytest
from brian2 import (
    Network,
    SpikeGeneratorGroup,
    StateMonitor,
    mmolar,
    ms,
    mV,
    nfarad,
    nS,
    pfarad,
)
from scipy.optimize import curve_fit

from neurorelax.ion import (
    MG_BLOCK,
    SYNAPSE_TYPES,
    CellType,
    biexp_peak_factor,
    build_neurons,
    connect_synapses,
    traub_miles,
)

CLAMPED_MV = np.array([-80.0, -60.0, -40.0, -20.0, 0.0, 20.0])


def jahr_stevens(v_mV, mg_mM=1.0):
    """The Jahr-Stevens (1990) magnesium block at ``v_mV`` (mV)."""
    return 1.0 / (1.0 + mg_mM / 3.57 * np.exp(-0.062 * v_mV))


def clamp_cell(v_mV, C_m=200 * pfarad):
    """A cell without channels: with no conductance, v stays at v_init."""
    return CellType(
        name="clamp",
        C_m=C_m,
        channels=(),
        values={},
        kinetics="hh1952",
        v_init=np.asarray(v_mV) * mV,
    )


def test_nmda_is_a_cation_conductance_with_slow_defaults():
    spec = SYNAPSE_TYPES["NMDA"]

    assert spec.ion == "cation"
    assert float(spec.E_default / mV) == 0.0
    assert float(spec.tau / ms) == pytest.approx(100.0)
    assert float(spec.tau_rise / ms) == pytest.approx(2.0)
    assert float(spec.tau_decay / ms) == pytest.approx(100.0)
    assert spec.block is MG_BLOCK
    assert float(MG_BLOCK.parameters["Mg_o"] / mmolar) == pytest.approx(1.0)
    assert all(SYNAPSE_TYPES[k].block is None for k in ("AMPA", "GABAA", "GABAB"))


@pytest.mark.parametrize(
    ("synapse_params", "mg_mM"),
    [({}, 1.0), ({"Mg_o": 2 * mmolar}, 2.0), ({"Mg_o": 0 * mmolar}, 0.0)],
)
def test_block_of_a_clamped_cell_is_the_jahr_stevens_formula(synapse_params, mg_mM):
    group = build_neurons(
        len(CLAMPED_MV),
        clamp_cell(CLAMPED_MV),
        synapses=("NMDA",),
        synapse_params=synapse_params,
        external_current=False,
    )
    at_build = np.asarray(group.B_NMDA[:])
    Network(group).run(1 * ms)

    v = np.asarray(group.v[:] / mV)
    block = np.asarray(group.B_NMDA[:])
    expected = jahr_stevens(CLAMPED_MV, mg_mM)

    np.testing.assert_array_equal(v, CLAMPED_MV)
    np.testing.assert_allclose(block, expected, rtol=1e-9, atol=0)
    np.testing.assert_allclose(at_build, expected, rtol=1e-9, atol=0)
    assert float(group.Mg_o[:] / mmolar) == mg_mM
    if mg_mM == 0:
        np.testing.assert_array_equal(block, 1.0)
    else:
        assert np.all(np.diff(block) > 0)  # relieved by depolarisation


def test_magnesium_per_neuron_and_from_the_cell_values():
    mg = np.array([0.0, 1.0, 2.0])
    per_neuron = build_neurons(
        3,
        clamp_cell(-40.0),
        synapses=("NMDA",),
        synapse_params={"Mg_o": mg * mmolar},
        per_neuron=("Mg_o",),
    )
    from_cell = build_neurons(
        1, clamp_cell(-40.0).with_values(Mg_o=1.5 * mmolar), synapses=("NMDA",)
    )

    np.testing.assert_allclose(
        np.asarray(per_neuron.B_NMDA[:]), jahr_stevens(-40.0, mg), rtol=1e-9
    )
    assert float(from_cell.B_NMDA[0]) == pytest.approx(
        jahr_stevens(-40.0, 1.5), rel=1e-9
    )


@pytest.fixture(scope="module")
def nmda_traces():
    """One spike at 5 ms into NMDA synapses, biexp and exp, 400 ms."""
    targets = {
        kinetics: build_neurons(
            1,
            traub_miles(),
            synapses=("NMDA",),
            kinetics=kinetics,
            name=f"target_{kinetics}",
        )
        for kinetics in ("biexp", "exp")
    }
    source = SpikeGeneratorGroup(1, [0], [5] * ms, name="source")
    synapses = [
        connect_synapses(source, group, "NMDA", weight=2 * nS, name=f"nmda_{kinetics}")
        for kinetics, group in targets.items()
    ]
    traces = {k: StateMonitor(g, "g_NMDA", record=0) for k, g in targets.items()}
    Network(*targets.values(), source, *synapses, *traces.values()).run(400 * ms)
    return {
        k: (np.asarray(m.t / ms), np.asarray(m.g_NMDA[0] / nS))
        for k, m in traces.items()
    }


def fitted_decay_ms(t, g, start_ms):
    tail = t >= start_ms

    def decay(t, amplitude, tau):
        return amplitude * np.exp(-(t - start_ms) / tau)

    (_, tau), _ = curve_fit(decay, t[tail], g[tail], p0=(g[tail][0], 50.0))
    return tau


def test_biexp_nmda_peaks_at_the_weight_and_decays_with_tau_decay(nmda_traces):
    t, g = nmda_traces["biexp"]
    t_peak_expected = 5.0 + 2.0 * 100.0 / 98.0 * np.log(50.0)

    tau = fitted_decay_ms(t, g, start_ms=40.0)

    assert g.max() == pytest.approx(2.0, rel=0.01)
    assert t[np.argmax(g)] == pytest.approx(t_peak_expected, abs=0.15)
    assert tau == pytest.approx(100.0, rel=0.02)
    assert biexp_peak_factor(2 * ms, 100 * ms) > 1


def test_exp_nmda_jumps_to_the_weight_and_decays_with_tau(nmda_traces):
    t, g = nmda_traces["exp"]

    tau = fitted_decay_ms(t, g, start_ms=10.0)

    assert g.max() == pytest.approx(2.0, rel=0.01)
    assert tau == pytest.approx(100.0, rel=0.02)


def test_depolarisation_relieves_the_block_of_the_nmda_current():
    """Conductance seen per unit driving force, at -70 and -20 mV.

    With ``g_NMDA`` fixed at the start of a step and no other current,
    exponential Euler gives ``v' - E = (v - E) exp(-g B dt / C_m)``, so one
    step measures ``g B`` exactly; the voltage moves by 10 microvolts at most.
    """
    group = build_neurons(
        2,
        clamp_cell([-70.0, -20.0], C_m=1 * nfarad),
        synapses=("NMDA",),
        external_current=False,
    )
    group.g_NMDA = 10 * nS
    v_before = np.asarray(group.v[:] / mV)
    Network(group).run(0.1 * ms)
    v_after = np.asarray(group.v[:] / mV)

    g_seen = -1.0 / 0.1e-3 * np.log(v_after / v_before)  # nS, E_NMDA = 0
    ratio = g_seen[1] / g_seen[0]
    expected = jahr_stevens(-20.0) / jahr_stevens(-70.0)

    assert np.all(np.abs(v_after - v_before) < 0.02)  # mV
    assert ratio > 10
    assert ratio == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(
        g_seen / 10.0, jahr_stevens(np.array([-70.0, -20.0])), rtol=1e-6
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1 * mmolar, r"Mg_o is out of range: got -1\. mM"),
        (np.nan * mmolar, r"Mg_o must be finite .* got nan mM"),
        (np.inf * mmolar, r"Mg_o must be finite"),
        (1 * mV, r"Mg_o must have units of molar, got 1\. mV"),
        (1.0, r"Mg_o must have units of molar, got 1\.0"),
    ],
)
def test_bad_magnesium_is_refused_with_its_name(value, message):
    with pytest.raises(ValueError, match=message):
        build_neurons(
            1, traub_miles(), synapses=("NMDA",), synapse_params={"Mg_o": value}
        )


def test_bad_magnesium_in_the_cell_values_is_refused():
    with pytest.raises(ValueError, match=r"Mg_o is out of range"):
        build_neurons(
            1, traub_miles().with_values(Mg_o=-0.5 * mmolar), synapses=("NMDA",)
        )


def test_magnesium_without_nmda_is_an_unknown_parameter():
    with pytest.raises(ValueError, match=r"synapse_params: unknown parameter 'Mg_o'"):
        build_neurons(
            1, traub_miles(), synapses=("AMPA",), synapse_params={"Mg_o": 1 * mmolar}
        )


def define_nmda_network():
    """A deterministic Traub-Miles network with AMPA and NMDA (biexp) synapses."""
    from brian2 import SpikeMonitor, defaultclock, nA

    defaultclock.dt = 0.1 * ms
    rng = np.random.default_rng(3)
    n = 20
    cells = build_neurons(
        n,
        traub_miles(),
        synapses=("AMPA", "NMDA"),
        kinetics={"NMDA": "biexp"},
        name="cells",
    )
    cells.v = (-65 + 10 * rng.random(n)) * mV
    cells.I_ext = (0.2 + 0.6 * rng.random(n)) * nA
    pre, post = np.nonzero(rng.random((n, n)) < 0.2)
    ampa = connect_synapses(
        cells, cells, "AMPA", weight=3 * nS, i=pre, j=post, name="ampa"
    )
    nmda = connect_synapses(
        cells, cells, "NMDA", weight=2 * nS, i=pre, j=post, delay=1 * ms, name="nmda"
    )
    spikes = SpikeMonitor(cells, name="spikes")
    trace = StateMonitor(cells, ("v", "B_NMDA"), record=[0], name="trace")
    network = Network(cells, ampa, nmda, spikes, trace, name="nmda_net")
    return network, {"spikes": spikes, "trace": trace}, {"Mg_o": cells.Mg_o}


@pytest.mark.standalone
@pytest.mark.slow
def test_nmda_network_compiles_and_matches_numpy_on_cpp_standalone(tmp_path):
    from neurorelax.ion import release_project, simulate

    def sorted_spikes(data):
        i, t = np.asarray(data["spikes"]["i"]), np.asarray(data["spikes"]["t"] / ms)
        order = np.lexsort((i, t))
        return i[order], t[order]

    numpy_data = simulate(define_nmda_network, 200 * ms, device="numpy")
    try:
        standalone = simulate(
            define_nmda_network,
            200 * ms,
            device="cpp_standalone",
            name="nmda_net",
            directory=tmp_path / "nmda_net",
        )
        unblocked = simulate(
            define_nmda_network,
            200 * ms,
            device="cpp_standalone",
            name="nmda_net",
            directory=tmp_path / "nmda_net",
            params={"Mg_o": 0 * mmolar},
        )
    finally:
        release_project()

    v = np.asarray(standalone["trace"]["v"][0] / mV)
    block = np.asarray(standalone["trace"]["B_NMDA"][0])
    numpy_i, numpy_t = sorted_spikes(numpy_data)
    standalone_i, standalone_t = sorted_spikes(standalone)

    assert len(numpy_t) > 50
    np.testing.assert_array_equal(standalone_i, numpy_i)
    np.testing.assert_allclose(standalone_t, numpy_t, atol=1e-9)
    np.testing.assert_allclose(block, jahr_stevens(v), rtol=1e-9)
    np.testing.assert_array_equal(unblocked["trace"]["B_NMDA"][0], 1.0)
    assert len(unblocked["spikes"]["t"]) > len(standalone_t)
