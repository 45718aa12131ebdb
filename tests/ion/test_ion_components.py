"""Channel registry, synapse kinetics, the fast exprel and device settings."""

import numpy as np
import pytest
from brian2 import (
    Network,
    SpikeGeneratorGroup,
    StateMonitor,
    ms,
    mV,
    nS,
    prefs,
    uS,
)
from brian2.core.functions import DEFAULT_FUNCTIONS
from brian2.units import unitsafefunctions

from neurorelax.ion import (
    CHANNELS,
    Channel,
    biexp_peak_factor,
    build_neurons,
    build_root,
    connect_synapses,
    get_channel,
    register_channel,
    traub_miles,
    use_device,
)
from neurorelax.ion._exprel import _exprel

SLOW_K = Channel(
    name="K_slow_test",
    current="I_Ks",
    equations="""
I_Ks = g_Ks * q * (v - E_K) : {current_unit}
dq/dt = phi * (alpha_q * (1 - q) - beta_q * q) : 1
""",
    conductances=("g_Ks",),
    reversals=("E_K",),
    gates=("q",),
    rates={
        "traub_miles": """
alpha_q = 0.01 * exp((v + 30*mV) / (10*mV)) / ms : Hz
beta_q = 0.01 * exp(-(v + 30*mV) / (10*mV)) / ms : Hz
"""
    },
)


@pytest.fixture
def slow_k():
    register_channel(SLOW_K)
    yield SLOW_K
    CHANNELS.pop(SLOW_K.name)


def test_a_new_channel_is_added_in_one_place(slow_k):
    cell = traub_miles().with_values(
        channels=("Na", "K", slow_k.name, "leak"), g_Ks=1 * uS
    )

    group = build_neurons(2, cell, synapses=())

    q_inf = 1 / (1 + np.exp(-2 * (-60 + 30) / 10))
    assert float(group.g_Ks[:] / uS) == pytest.approx(1.0)
    np.testing.assert_allclose(group.q[:], q_inf)
    assert get_channel(slow_k.name) is slow_k


def test_registry_refuses_duplicates_and_missing_rates(slow_k):
    with pytest.raises(
        ValueError,
        match=r"channel name 'K_slow_test' is already "
        r"registered; pass replace=True",
    ):
        register_channel(slow_k)
    broken = Channel(
        name="broken",
        current="I_b",
        equations="",
        gates=("z",),
        rates={"hh1952": "alpha_z = 1/ms : Hz"},
    )
    with pytest.raises(
        ValueError,
        match=r"channel 'broken': kinetics 'hh1952' "
        r"must define beta_z",
    ):
        register_channel(broken)
    cell = traub_miles().with_values(
        kinetics="hh1952", channels=("Na", slow_k.name, "leak")
    )
    with pytest.raises(
        ValueError,
        match=r"kinetics 'hh1952' is not defined for "
        r"channel 'K_slow_test'; expected one "
        r"of traub_miles",
    ):
        build_neurons(1, cell, synapses=())


@pytest.fixture(scope="module")
def synaptic_traces():
    """One spike at 5 ms into AMPA (exp, 2 ms delay) and GABA-A (biexp)."""
    group = build_neurons(
        1,
        traub_miles(),
        synapses=("AMPA", "GABAA"),
        kinetics={"GABAA": "biexp"},
        name="target",
    )
    source = SpikeGeneratorGroup(1, [0], [5] * ms, name="source")
    ampa = connect_synapses(
        source, group, "AMPA", weight=6 * nS, delay=2 * ms, name="ampa"
    )
    gaba = connect_synapses(source, group, "GABAA", weight=20 * nS, name="gaba")
    trace = StateMonitor(group, ("g_AMPA", "g_GABAA"), record=0)
    Network(group, source, ampa, gaba, trace).run(40 * ms)
    return (
        np.asarray(trace.t / ms),
        np.asarray(trace.g_AMPA[0] / nS),
        np.asarray(trace.g_GABAA[0] / nS),
    )


def test_exponential_synapse_jumps_after_the_delay_and_decays_with_tau(synaptic_traces):
    t, g_ampa, _ = synaptic_traces

    onset = t[np.argmax(g_ampa > 0)]
    at_onset = g_ampa[np.searchsorted(t, onset)]
    one_tau_later = g_ampa[np.searchsorted(t, onset + 5.0)]

    assert onset == pytest.approx(7.0, abs=0.11)
    assert at_onset == pytest.approx(6.0, rel=0.01)
    assert one_tau_later / at_onset == pytest.approx(np.exp(-1), rel=0.01)


def test_biexponential_synapse_peaks_at_the_weight(synaptic_traces):
    t, _, g_gaba = synaptic_traces
    t_peak_expected = 5.0 + 1.0 * 10.0 / 9.0 * np.log(10.0)

    assert g_gaba.max() == pytest.approx(20.0, rel=0.01)
    assert t[np.argmax(g_gaba)] == pytest.approx(t_peak_expected, abs=0.15)
    assert biexp_peak_factor(1 * ms, 10 * ms) > 1


def test_biexp_factor_refuses_rise_slower_than_decay():
    with pytest.raises(
        ValueError,
        match=r"tau_rise must be smaller than "
        r"tau_decay, got tau_rise=10\. ms",
    ):
        biexp_peak_factor(10 * ms, 1 * ms)


def test_numpy_exprel_is_scipy_and_matches_brian2():
    x = np.array([-800.0, -5.0, -1e-5, -1e-17, 0.0, 1e-20, 1e-5, 3.0, 700.0])

    implementation = DEFAULT_FUNCTIONS["exprel"].implementations["numpy"]

    assert implementation.get_code(None) is _exprel
    np.testing.assert_allclose(_exprel(x), unitsafefunctions.exprel(x), rtol=1e-14)
    assert _exprel(np.array([800.0]))[0] == np.inf


def test_use_device_selects_the_code_generation_target():
    use_device("cython")
    assert prefs.codegen.target == "cython"
    use_device("numpy")
    assert prefs.codegen.target == "numpy"


def test_build_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NEURORELAX_BUILD_DIR", str(tmp_path))
    assert build_root() == tmp_path
    monkeypatch.delenv("NEURORELAX_BUILD_DIR")
    assert build_root().parts[-3:] == (".cache", "neurorelax", "standalone")


def test_standalone_project_refuses_bad_names():
    from neurorelax.ion import StandaloneProject

    with pytest.raises(
        ValueError,
        match=r"name must be a non-empty string of "
        r"letters, digits, '-' and '_', got "
        r"'a/b'",
    ):
        StandaloneProject("a/b")
    project = StandaloneProject("unbuilt")
    with pytest.raises(
        RuntimeError,
        match=r"project 'unbuilt': call build\(\) "
        r"before run\(\)",
    ):
        project.run()
    assert mV is not None


def test_simulate_on_numpy_sets_run_parameters():
    import ion_small_network as small_network

    from neurorelax.ion import simulate

    base = simulate(small_network.define, 100 * ms, device="numpy")
    silent = simulate(
        small_network.define,
        100 * ms,
        device="numpy",
        params={"w_exc": 0 * nS, "E_GABAA": -90 * mV},
    )

    assert 0 < len(silent["spikes"]["t"]) < len(base["spikes"]["t"])
    assert base["trace"]["v"].shape == (2, 1000)
    with pytest.raises(
        ValueError,
        match=r"unknown parameter 'w_foo'; known "
        r"parameters: C_m, E_GABAA, w_exc",
    ):
        simulate(small_network.define, 1 * ms, device="numpy", params={"w_foo": 1 * nS})
    with pytest.raises(ValueError, match=r"duration is out of range: got 0\. s"):
        simulate(small_network.define, 0 * ms, device="numpy")
    with pytest.raises(ValueError, match="params must be a dict"):
        simulate(small_network.define, 1 * ms, device="numpy", params=[1])
    with pytest.raises(ValueError, match="define must be callable, got 42"):
        simulate(42, 1 * ms, device="numpy")


# The state is driven to infinity on purpose; numpy warns on the way there.
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_simulate_on_numpy_reports_a_diverged_state():
    import ion_small_network as small_network
    from brian2 import farad

    from neurorelax.ion import SimulationDiverged, simulate

    with pytest.raises(SimulationDiverged, match="group 'cells' became NaN"):
        simulate(
            small_network.define, 5 * ms, device="numpy", params={"C_m": 0 * farad}
        )


def test_gaba_b_is_a_potassium_conductance_with_slow_kinetics():
    group = build_neurons(1, traub_miles(), synapses=("GABAB",), kinetics="biexp")

    assert float(group.E_GABAB[:] / mV) == pytest.approx(-90.0)
    assert float(group.tau_decay_GABAB[:] / ms) == pytest.approx(150.0)
    assert float(group.K_GABAB[:]) == pytest.approx(
        biexp_peak_factor(50 * ms, 150 * ms)
    )
