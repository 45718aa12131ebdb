"""Bad input to the ion level found by hostile testing; each message pinned.

Every case is refused before a Brian2 object is created (or, for a string
weight that only Brian2 can evaluate, with the argument named).
"""

import re

import numpy as np
import pytest
from brian2 import cm, kelvin, mM, mS, ms, nS, nsecond, second

from neurorelax.ion import (
    StandaloneProject,
    add_nan_guard,
    build_neurons,
    celsius,
    connect_synapses,
    hh_squid,
    max_dt,
    nernst,
    register_channel,
    traub_miles,
    use_device,
)


@pytest.fixture
def cells():
    use_device("numpy")
    return build_neurons(4, traub_miles(), name="cells")


@pytest.mark.parametrize("degrees", [310 * kelvin, "37"])
def test_celsius_refuses_quantities_and_strings(degrees):
    # celsius(310 * kelvin) used to return 583.15 K without complaint.
    with pytest.raises(ValueError, match=r"temperature must be a plain number of degC"):
        celsius(degrees)


def test_hh_squid_temperature_in_kelvin_is_refused():
    with pytest.raises(
        ValueError, match=r"plain number of degC .* got 279\.? \* kelvin"
    ):
        hh_squid(279 * kelvin)


def test_nernst_shapes_must_match():
    with pytest.raises(ValueError, match=r"c_out and c_in must have the same shape"):
        nernst(1, [145, 140] * mM, [10, 1, 2] * mM, 310 * kelvin)


def test_register_channel_refuses_a_name():
    with pytest.raises(ValueError, match=r"channel must be a Channel, got str 'Na'"):
        register_channel("Na")


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        (
            {"synapses": "AMPA"},
            r"synapses must be a sequence of names such as \('AMPA',\)",
        ),
        ({"per_neuron": "E_L"}, r"per_neuron must be a sequence of names"),
        ({"kinetics": {"NMDA": "exp"}}, r"kinetics names 'NMDA', which is not among"),
        (
            {"synapse_params": {"tau_AMAP": 5 * ms}},
            r"synapse_params: unknown parameter 'tau_AMAP'",
        ),
        (
            {"external_current": "no"},
            r"external_current must be True or False, got 'no'",
        ),
        ({"name": "my cells"}, r"name must be a valid Brian2 name .* got 'my cells'"),
        (
            {"nan_check_interval": 0 * ms},
            r"nan_check_interval is out of range: got 0\. s",
        ),
        ({"method": "rk99"}, r"method must be one of .*'rk4'.*; got 'rk99'"),
    ],
)
def test_build_neurons_bad_arguments(keywords, message):
    use_device("numpy")
    with pytest.raises(ValueError, match=message):
        build_neurons(2, hh_squid(), **keywords)


def test_misspelt_cell_value_is_refused():
    cell = hh_squid().with_values(g_Naa=100 * mS / cm**2)
    with pytest.raises(ValueError, match=r"cell\.values: unknown parameter 'g_Naa'"):
        build_neurons(2, cell)


def test_max_dt_refuses_an_unknown_method():
    with pytest.raises(ValueError, match=r"method must be one of .*; got 'foo'"):
        max_dt(hh_squid(), method="foo")


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"p": 1.5}, r"p must be a probability in \[0, 1\], got 1\.5"),
        ({"p": np.nan}, r"p must be a probability in \[0, 1\], got nan"),
        (
            {"i": [0, 10], "j": [0, 1]},
            r"i must lie in \[0, 3\] \(4 neurons\), got values from 0 to 10",
        ),
        (
            {"i": [0, 1], "j": [0, 1, 2]},
            r"i and j must have the same length, got 2 and 3",
        ),
        ({"i": [0.5], "j": [0]}, r"i must hold integer neuron indices"),
        ({"i": [0]}, r"i and j must be given together"),
        ({"condition": "i !!= j"}, r"condition 'i !!= j' is not a valid expression"),
        ({"shared_weight": "no"}, r"shared_weight must be True or False, got 'no'"),
        ({"name": "a b"}, r"name must be a valid Brian2 name"),
        (
            {"weight": "foo*nS"},
            r"weight 'foo\*nS' cannot be assigned to the 16 synapses",
        ),
        (
            {"weight": [1, 2] * nS},
            r"cannot be assigned to the 16 synapses .*one per synapse",
        ),
    ],
)
def test_connect_synapses_bad_arguments(cells, keywords, message):
    keywords = {"weight": 1 * nS, **keywords}
    with pytest.raises(ValueError, match=message):
        connect_synapses(cells, cells, "AMPA", **keywords)


def test_connect_synapses_refuses_a_missing_source(cells):
    with pytest.raises(ValueError, match=r"source must be a Brian2 group that spikes"):
        connect_synapses(None, cells, "AMPA", weight=1 * nS)


def test_add_nan_guard_refuses_a_non_group():
    with pytest.raises(
        ValueError, match=r"group must be a Brian2 NeuronGroup, got None"
    ):
        add_nan_guard(None)


SEED_RANGE = re.escape("seed must be an integer in [0, 2**32 - 1 = 4294967295]")


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        (
            {"make_jobs": 0},
            r"make_jobs must be an integer in \[1, \d+\] \(4 per core\), got 0",
        ),
        ({"seed": -1}, f"^{SEED_RANGE}, got -1$"),
        ({"seed": "a"}, f"^{SEED_RANGE}, got 'a'$"),
        ({"seed": 2**32}, f"^{SEED_RANGE}, got 4294967296$"),
        ({"seed": True}, f"^{SEED_RANGE}, got True$"),
    ],
)
def test_device_options(keywords, message):
    with pytest.raises(ValueError, match=message):
        use_device("numpy", **keywords)
    with pytest.raises(ValueError, match=message):
        StandaloneProject("project", **keywords)


def test_project_directory_that_is_a_file(tmp_path):
    path = tmp_path / "results.txt"
    path.write_text("")
    with pytest.raises(ValueError, match=r"directory '.*results\.txt' is a file"):
        StandaloneProject("project", directory=path)
    with pytest.raises(ValueError, match=r"is a file; expected a folder"):
        use_device("cpp_standalone", directory=path)


def test_a_temperature_whose_q10_factor_overflows_is_refused():
    with pytest.raises(
        ValueError,
        match=r"^temperature 1\.00027e\+06 K with Q10 = 3 and T_ref = 279\.45 K "
        r"scales the gating rates by Q10\*\*1e\+05, beyond floating-point range; "
        r"expected a temperature closer to T_ref$",
    ):
        hh_squid(temperature_celsius=1e6)
    assert hh_squid(temperature_celsius=-273).phi > 0  # cold, but representable


@pytest.mark.parametrize(
    ("dt", "shown"), [(5e-324 * second, "4.94066e-324 s"), (0.5 * nsecond, "0.5 ns")]
)
def test_a_time_step_below_a_nanosecond_is_refused(dt, shown):
    with pytest.raises(
        ValueError,
        match=rf"^dt is out of range: got {re.escape(shown)}, allowed range "
        r"\[1\. ns, inf\)$",
    ):
        build_neurons(1, hh_squid(), synapses=(), dt=dt)


def test_synapse_names_must_not_repeat():
    with pytest.raises(
        ValueError,
        match=r"^synapses must not repeat a name, got \('AMPA', 'GABAA', 'AMPA'\) "
        r"\('AMPA' more than once\)$",
    ):
        build_neurons(1, hh_squid(), synapses=("AMPA", "GABAA", "AMPA"))
