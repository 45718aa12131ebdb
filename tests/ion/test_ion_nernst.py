"""Nernst and Goldman-Hodgkin-Katz potentials against their formulas."""

import math

import numpy as np
import pytest
from brian2 import kelvin, mmolar, mV, volt
from hypothesis import given
from hypothesis import strategies as st

from neurorelax.ion import MAMMALIAN, celsius, ghk_potential, nernst, nernst_mV

R = 8.314462618
F = 96485.33212
T_37 = 310.15


@pytest.mark.parametrize(
    ("ion", "z"),
    [("Na", 1), ("K", 1), ("Cl", -1)],
)
def test_nernst_at_37_degrees_equals_the_formula(ion, z):
    c_out = float(MAMMALIAN.c_out[ion] / mmolar)
    c_in = float(MAMMALIAN.c_in[ion] / mmolar)
    expected_mV = 1000 * R * T_37 / (z * F) * math.log(c_out / c_in)

    got = nernst(z, c_out * mmolar, c_in * mmolar, celsius(37))

    assert abs(float(got / mV) - expected_mV) < 0.01
    assert abs(float(MAMMALIAN.reversal(ion) / mV) - expected_mV) < 0.01


def test_nernst_matches_the_61_5_mV_per_decade_rule():
    # 2.303 RT/F at 37 degC is 61.54 mV per tenfold concentration ratio.
    got = nernst(1, 5 * mmolar, 140 * mmolar, celsius(37))

    assert float(got / mV) == pytest.approx(61.54 * math.log10(5 / 140), abs=0.01)


def test_nernst_accepts_arrays():
    c_in = np.array([5.0, 10.0, 20.0]) * mmolar

    got = nernst(-1, 110 * mmolar, c_in, celsius(37))

    assert got.shape == (3,)
    assert np.all(np.diff(np.asarray(got)) > 0)


def test_ghk_with_one_permeant_ion_is_its_nernst_potential():
    one = ghk_potential({"K": 1.0}, MAMMALIAN.c_out, MAMMALIAN.c_in, celsius(37))

    assert float(one / mV) == pytest.approx(
        float(MAMMALIAN.reversal("K") / mV), abs=1e-9
    )


def test_ghk_resting_potential_equals_the_formula():
    p = {"K": 1.0, "Na": 0.04, "Cl": 0.45}
    co, ci = MAMMALIAN.c_out, MAMMALIAN.c_in
    num = p["K"] * 5 + p["Na"] * 145 + p["Cl"] * 7
    den = p["K"] * 140 + p["Na"] * 12 + p["Cl"] * 110
    expected = 1000 * R * T_37 / F * math.log(num / den)

    got = ghk_potential(p, co, ci, celsius(37))

    assert abs(float(got / mV) - expected) < 0.01


def test_celsius_converts_to_kelvin():
    assert float(celsius(37) / kelvin) == pytest.approx(310.15)
    assert celsius(0).dim == kelvin.dim


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"c_out": -5 * mmolar},
            r"c_out is out of range: got -5\. mM, allowed "
            r"range \(0\. mM, inf\)",
        ),
        ({"c_in": 0 * mmolar}, r"c_in is out of range: got 0\. mM"),
        ({"c_in": float("nan") * mmolar}, r"c_in must be finite .* got nan"),
        ({"c_out": 5 * mV}, r"c_out must have units of molar, got 5\. mV"),
        ({"temperature": -3 * kelvin}, r"temperature is out of range: got -3\. K"),
        ({"temperature": 37}, r"temperature must have units of kelvin, got 37"),
        ({"z": 0}, r"z \(valence\) must be a non-zero integer, got 0"),
    ],
)
def test_nernst_refuses_bad_input(kwargs, message):
    arguments = {
        "z": 1,
        "c_out": 5 * mmolar,
        "c_in": 140 * mmolar,
        "temperature": celsius(37),
    }
    arguments.update(kwargs)

    with pytest.raises(ValueError, match=message):
        nernst(**arguments)


def test_ghk_refuses_bad_input():
    co, ci = dict(MAMMALIAN.c_out), dict(MAMMALIAN.c_in)
    with pytest.raises(ValueError, match=r"permeabilities: unknown ion 'Ca'"):
        ghk_potential({"Ca": 1.0}, co, ci, celsius(37))
    with pytest.raises(
        ValueError,
        match=r"permeabilities\['K'\] must be a finite "
        r"number >= 0, got -1",
    ):
        ghk_potential({"K": -1.0}, co, ci, celsius(37))
    with pytest.raises(ValueError, match=r"must have at least one value > 0"):
        ghk_potential({"K": 0.0}, co, ci, celsius(37))
    co["K"] = -1 * mmolar
    with pytest.raises(ValueError, match=r"c_out\['K'\] is out of range: got -1\."):
        ghk_potential({"K": 1.0}, co, ci, celsius(37))
    with pytest.raises(ValueError, match=r"temperature must have units of kelvin"):
        ghk_potential({"K": 1.0}, MAMMALIAN.c_out, ci, 1 * volt)


@given(
    z=st.sampled_from([-2, -1, 1, 2]),
    c_out=st.floats(1e-6, 1e4),
    c_in=st.floats(1e-6, 1e4),
    temperature=st.floats(1.0, 400.0),
)
def test_nernst_mV_is_nernst_in_plain_numbers(z, c_out, c_in, temperature):
    quantity = nernst(z, c_out * mmolar, c_in * mmolar, temperature * kelvin)
    expected_mV = 1000 * R * temperature / (z * F) * math.log(c_out / c_in)

    assert nernst_mV(z, c_out, c_in, temperature) == pytest.approx(
        float(quantity / mV), rel=1e-12, abs=1e-12
    )
    assert nernst_mV(z, c_out, c_in, temperature) == pytest.approx(
        expected_mV, rel=1e-9, abs=1e-9
    )


def test_nernst_mV_is_infinite_for_a_vanishing_concentration():
    values = nernst_mV(-1, 110.0, np.array([7.0, 1e-320, 0.0]), T_37)
    assert math.isfinite(values[0]) and np.all(np.isneginf(values[1:]))
