"""Arguments of the ion level checked before any Brian2 object is built."""

import numpy as np
import pytest
from brian2 import NeuronGroup, kelvin, mM, ms, mV, nS, volt

from neurorelax.ion import (
    MAMMALIAN,
    Concentrations,
    build_neurons,
    connect_synapses,
    ghk_potential,
    nernst,
    traub_miles,
    use_device,
)


@pytest.fixture
def cells():
    use_device("numpy")
    return build_neurons(4, traub_miles(), name="cells")


@pytest.mark.parametrize("weight", ["-6*nS", "- 6 * nS", "-(3+3)*nS", "1e400*nS"])
def test_connect_synapses_checks_constant_string_weights(cells, weight):
    with pytest.raises(ValueError, match="weight"):
        connect_synapses(cells, cells, "AMPA", weight=weight)


@pytest.mark.parametrize("weight", ["6*mV", "6"])
def test_connect_synapses_checks_units_of_constant_string_weights(cells, weight):
    with pytest.raises(ValueError, match="weight must have units of siemens"):
        connect_synapses(cells, cells, "AMPA", weight=weight)


@pytest.mark.parametrize("weight", ["6*nS", "rand()*6*nS"])
def test_connect_synapses_still_takes_string_weights(cells, weight):
    synapses = connect_synapses(cells, cells, "AMPA", weight=weight, p=1.0)
    assert np.all(np.asarray(synapses.w[:] / nS) <= 6.0)


def _build(n=3, cell=None, **keywords):
    use_device("numpy")
    return build_neurons(n, cell or traub_miles(), name="checked", **keywords)


@pytest.mark.parametrize(
    ("keywords", "error", "message"),
    [
        (
            {"kinetics": "biexp", "synapse_params": {"tau_AMPA": 1 * ms}},
            ValueError,
            r"synapse_params: unknown parameter 'tau_AMPA'.*tau_decay_AMPA",
        ),
        (
            {"synapse_params": {"tau_GABAB": -1 * ms}},
            ValueError,
            r"synapse_params: unknown parameter 'tau_GABAB'",
        ),
        (
            {"synapse_params": ["tau_AMPA"]},
            TypeError,
            "synapse_params must be a mapping",
        ),
        (
            {"per_neuron": ("E_L",), "synapse_params": {"E_L": [-60, -61] * mV}},
            ValueError,
            r"E_L must be one value or one per neuron \(length n=3\)",
        ),
        (
            {"synapse_params": {"E_L": [-60, -61, -62] * mV}},
            ValueError,
            r"E_L is an array of 3 values but is stored once per group",
        ),
    ],
)
def test_build_neurons_refuses_bad_synapse_params(keywords, error, message):
    with pytest.raises(error, match=message):
        _build(**keywords)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"refractory": -1 * ms}, r"refractory is out of range"),
        ({"refractory": 3}, r"refractory must have units of second"),
        ({"v_init": 10 * volt}, r"v_init is out of range: got 10\. V"),
        ({"v_init": -65}, r"v_init must have units of volt"),
        ({"temperature": -5 * kelvin}, r"temperature is out of range"),
        ({"temperature": 37}, r"temperature must have units of kelvin"),
        ({"T_ref": 0 * kelvin}, r"T_ref is out of range"),
        ({"Q10": -3}, r"Q10 must be a finite number > 0, got -3"),
        ({"Q10": "3"}, r"Q10 must be a finite number > 0, got '3'"),
        ({"Q10": np.nan}, r"Q10 must be a finite number > 0"),
        ({"channels": ("Na", "K", "K", "leak")}, r"channels must not repeat"),
    ],
)
def test_cell_type_refuses_bad_attributes(changes, message):
    with pytest.raises(ValueError, match=message):
        traub_miles().with_values(**changes)


def test_build_neurons_checks_v_init_length_before_building(monkeypatch):
    built = []
    monkeypatch.setattr(
        "neurorelax.ion.builder.NeuronGroup",
        lambda *a, **k: built.append(1) or NeuronGroup(*a, **k),
    )
    cell = traub_miles().with_values(v_init=[-60, -61] * mV)
    with pytest.raises(ValueError, match=r"cell.v_init must be one value or one"):
        _build(3, cell)
    assert not built


def test_build_neurons_takes_per_neuron_arrays():
    group = _build(3, per_neuron=("E_L",), synapse_params={"E_L": [-60, -61, -62] * mV})
    assert np.allclose(np.asarray(group.E_L[:] / mV), [-60, -61, -62])


@pytest.mark.parametrize(
    "permeability", ["1", None, 1j, np.array([1.0, 2.0]), 1 * mV, True]
)
def test_ghk_potential_refuses_bad_permeabilities(permeability):
    with pytest.raises(ValueError, match=r"permeabilities\['K'\] must be a finite"):
        ghk_potential(
            {"K": permeability}, MAMMALIAN.c_out, MAMMALIAN.c_in, MAMMALIAN.temperature
        )


def test_ghk_potential_takes_huge_permeabilities():
    args = (MAMMALIAN.c_out, MAMMALIAN.c_in, MAMMALIAN.temperature)
    small = ghk_potential({"K": 1.0, "Na": 0.05, "Cl": 0.45}, *args)
    huge = ghk_potential({"K": 1e308, "Na": 5e306, "Cl": 4.5e307}, *args)
    assert np.isfinite(float(huge / mV))
    assert float(huge / mV) == pytest.approx(float(small / mV))


@pytest.mark.parametrize("c_out", [(1 + 1j) * mM, np.array([1 + 1j]) * mM])
def test_nernst_refuses_complex_concentrations(c_out):
    with pytest.raises(ValueError, match="c_out must be a quantity in units of"):
        nernst(1, c_out, 1 * mM, 300 * kelvin)


def test_reversal_names_a_missing_concentration():
    with pytest.raises(ValueError, match="c_out must give a concentration for 'Na'"):
        Concentrations({}, {}, 300 * kelvin).reversal("Na")
