"""Every bad input is refused before anything runs, with a named error."""

import numpy as np
import pytest
from brian2 import (
    Network,
    SpikeGeneratorGroup,
    cm,
    farad,
    mmolar,
    mS,
    ms,
    mV,
    nS,
    siemens,
    ufarad,
)

from neurorelax.ion import (
    MAMMALIAN,
    SimulationDiverged,
    build_neurons,
    connect_synapses,
    hh_squid,
    traub_miles,
    use_device,
)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"g_Na": -1 * mS / cm**2},
            r"g_Na is out of range: got -10\. S/\(m\^2\), allowed range "
            r"\[0\. S/\(m\^2\), inf\)",
        ),
        ({"g_K": np.inf * mS / cm**2}, r"g_K must be finite .* got inf S/\(m\^2\)"),
        ({"g_L": np.nan * mS / cm**2}, r"g_L must be finite .* got nan S/\(m\^2\)"),
        (
            {"C_m": -1 * ufarad / cm**2},
            # Brian2 prints -0.01 F/m**2 with the matching unit made last in
            # the process, F/(m^2) or uF/(cm^2); either is the same value.
            r"C_m is out of range: got (-0\.01 F/\(m\^2\)|-1\. uF/\(cm\^2\)), "
            r"allowed range \(0\. F, inf\)",
        ),
        ({"C_m": np.nan * ufarad / cm**2}, r"C_m must be finite"),
        (
            {"C_m": 1 * siemens},
            r"C_m must have units of farad or farad/metre\*\*2, got 1\. S",
        ),
        (
            {"g_Na": 120 * mV},
            r"g_Na must have units of siemens/metre\*\*2, got 120\. mV .*mismatched",
        ),
        (
            {"g_Na": 120 * nS},
            r"g_Na must have units of siemens/metre\*\*2, got 120\. nS",
        ),
        ({"E_K": -77 * ms}, r"E_K must have units of volt, got -77\. ms"),
        (
            {"channels": ("Na", "Kdr", "leak")},
            r"unknown channel name 'Kdr'; expected one of Cl_leak, K, Na, leak",
        ),
    ],
)
def test_bad_cell_parameters_are_refused(changes, message):
    cell = hh_squid().with_values(**changes)

    with pytest.raises(ValueError, match=message):
        build_neurons(1, cell, synapses=())


def test_bad_concentrations_are_refused():
    negative = MAMMALIAN.with_chloride_inside(-7 * mmolar)
    missing = MAMMALIAN.with_chloride_inside(np.nan * mmolar)

    with pytest.raises(
        ValueError,
        match=r"c_in is out of range: got -7\. mM, "
        r"allowed range \(0\. mM, inf\)",
    ):
        build_neurons(1, hh_squid(), synapses=("GABAA",), concentrations=negative)
    with pytest.raises(ValueError, match=r"c_in must be finite .* got nan mM"):
        build_neurons(1, hh_squid(), synapses=("GABAA",), concentrations=missing)


def test_too_coarse_dt_is_refused():
    warm = hh_squid(temperature_celsius=37)

    with pytest.raises(
        ValueError,
        match=r"dt is too coarse for the gating "
        r"kinetics of 'hh_squid' at 37\.0 degC "
        r"with method 'exponential_euler': got "
        r"dt=100\. us, allowed range \(0 s, 6\.1\d* us\]; "
        r"use a smaller dt",
    ):
        build_neurons(1, warm, synapses=(), dt=0.1 * ms)
    with pytest.raises(
        ValueError,
        match=r"dt is too coarse .* method 'euler': "
        r"got dt=100\. us",
    ):
        build_neurons(1, traub_miles(), synapses=(), method="euler")


def test_fine_dt_is_accepted_at_37_degrees():
    group = build_neurons(
        1, hh_squid(temperature_celsius=37), synapses=(), dt=0.005 * ms
    )

    assert float(group.phi[:]) == pytest.approx(3**3.07)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, r"n must be an integer >= 1, got 0"),
        ({"cell": "hh"}, r"cell must be a CellType \(e\.g\. hh_squid\(\)\), got 'hh'"),
        (
            {"synapses": ("mGluR",)},
            r"unknown synapse type 'mGluR'; expected one of AMPA, GABAA, GABAB, NMDA",
        ),
        (
            {"kinetics": "alpha"},
            r"kinetics for AMPA must be one of 'exp', 'biexp'; got 'alpha'",
        ),
        (
            {"synapse_params": {"tau_AMPA": -1 * ms}},
            r"tau_AMPA is out of range: got -1\. ms, allowed range \(0\. s, inf\)",
        ),
        (
            {"synapse_params": {"E_AMPA": 0 * siemens}},
            r"E_AMPA must have units of volt, got 0\. S",
        ),
        ({"per_neuron": ("g_Xx",)}, r"per_neuron: unknown parameter 'g_Xx'"),
        (
            {"concentrations": {"Cl": 1}},
            r"concentrations must be a Concentrations, got \{'Cl': 1\}",
        ),
    ],
)
def test_bad_builder_arguments_are_refused(kwargs, message):
    arguments = {"n": 2, "cell": traub_miles(), "synapses": ("AMPA",)}
    arguments.update(kwargs)

    with pytest.raises(ValueError, match=message):
        build_neurons(**arguments)


def test_bad_synapse_arguments_are_refused():
    group = build_neurons(2, traub_miles(), synapses=("AMPA",), name="cells")
    source = SpikeGeneratorGroup(1, [0], [1] * ms, name="source")

    with pytest.raises(
        ValueError,
        match=r"weight must have units of siemens, "
        r"got 6\. mV",
    ):
        connect_synapses(source, group, "AMPA", weight=6 * mV)
    with pytest.raises(ValueError, match=r"weight is out of range: got -6\. nS"):
        connect_synapses(source, group, "AMPA", weight=-6 * nS)
    with pytest.raises(
        ValueError,
        match=r"kind 'GABAA' is not a synapse type of "
        r"target 'cells'; it has AMPA",
    ):
        connect_synapses(source, group, "GABAA", weight=6 * nS)
    with pytest.raises(ValueError, match=r"delay is out of range: got -1\. ms"):
        connect_synapses(source, group, "AMPA", weight=6 * nS, delay=-1 * ms)
    with pytest.raises(
        ValueError,
        match=r"target must be a NeuronGroup built by "
        r"build_neurons",
    ):
        connect_synapses(group, source, "AMPA", weight=6 * nS)


def test_unknown_device_is_refused():
    with pytest.raises(
        ValueError,
        match=r"device must be one of 'numpy', "
        r"'cython', 'runtime', 'cpp_standalone'; "
        r"got 'gpu'",
    ):
        use_device("gpu")


def test_state_turning_nan_stops_the_run_naming_group_and_time():
    group = build_neurons(3, traub_miles(), synapses=(), name="cells")
    network = Network(group)
    network.run(2 * ms)
    group.v[1] = np.nan * mV

    with pytest.raises(
        SimulationDiverged,
        match=r"the state of group 'cells' "
        r"became NaN or infinite: "
        r"variable 'v' of neuron 1 at "
        r"t = 2\.000 ms",
    ):
        network.run(5 * ms)
    assert float(network.t / ms) < 3


def test_nan_guard_can_be_turned_off():
    group = build_neurons(1, traub_miles(), synapses=(), nan_check_interval=None)
    group.v = np.nan * mV

    Network(group).run(1 * ms)

    assert np.isnan(group.v[0])
    assert float(group.C_m[:] / farad) > 0
