"""Ion-level model scripts refuse bad parameters by name, before any work.

Every script's ``check`` runs right after the overrides are resolved: a bad
value is refused with ``"<model>: parameter '<name>' must be <rule>, got
<value>"`` before a Brian2 object, the output folder or a C++ project is made.
"""

import math
import re

import pytest

from neurorelax.scripting import load_script, resolve_overrides

SCRIPTS = (
    "action_potential",
    "ei_network",
    "ion_vs_graph",
    "lateral_inhibition",
    "membrane_relaxation",
)

# What every script's run() calls to build and run its Brian2 network.
BUILDERS = {
    "action_potential": ("simulate",),
    "ei_network": ("simulate",),
    "ion_vs_graph": ("graph_for", "run_comparison"),
    "lateral_inhibition": ("simulate",),
    "membrane_relaxation": ("simulate",),
}

DT_LIMIT = "a time in (0, max_dt] = (0, {} us] (the ion level's limit for the gating "
DT_LIMIT += "kinetics)"

# (model, quick, overrides, parameter, rule in words, value as printed)
BAD = [
    # action_potential
    ("action_potential", False, {"dt": "0 ms"}, "dt", DT_LIMIT.format(156.25), "0. s"),
    (
        "action_potential",
        False,
        {"dt": "0.2 ms"},
        "dt",
        DT_LIMIT.format(156.25),
        "200. us",
    ),
    (
        "action_potential",
        False,
        {"fi_duration": "-5 ms"},
        "fi_duration",
        "a time > 0",
        "-5. ms",
    ),
    (
        "action_potential",
        False,
        {"spike_duration": "0 ms"},
        "spike_duration",
        "a time in (0, fi_duration] = (0, 1.2 s]",
        "0. s",
    ),
    (
        "action_potential",
        True,
        {"spike_duration": "600 ms"},
        "spike_duration",
        "a time in (0, fi_duration] = (0, 0.55 s]",
        "0.6 s",
    ),
    (
        "action_potential",
        False,
        {"fi_transient": "1200 ms"},
        "fi_transient",
        "a time in [0, fi_duration) = [0, 1.2 s)",
        "1.2 s",
    ),
    (
        "action_potential",
        True,
        {"fi_transient": "-1 ms"},
        "fi_transient",
        "a time in [0, fi_duration) = [0, 0.55 s)",
        "-1. ms",
    ),
    (
        "action_potential",
        False,
        {"v_kick": "-600 mV"},
        "v_kick",
        "a voltage in [-500 mV, 500 mV]",
        "-0.6 V",
    ),
    (
        "action_potential",
        False,
        {"squid_I_max": "-1 uA/cm**2"},
        "squid_I_max",
        "a current density > 0 (such as '12 uA/cm**2')",
        "-1. uA/(cm^2)",
    ),
    ("action_potential", False, {"squid_n_I": 0}, "squid_n_I", "an integer >= 1", "0"),
    ("action_potential", True, {"traub_n_I": 0}, "traub_n_I", "an integer >= 1", "0"),
    (
        "action_potential",
        False,
        {"traub_I_max": "-0.2 nA"},
        "traub_I_max",
        "a current > traub_I_min = -150. pA",
        "-200. pA",
    ),
    # ei_network
    ("ei_network", True, {"w_inh": "-1 nS"}, "w_inh", "a conductance >= 0", "-1. nS"),
    ("ei_network", False, {"w_exc": "-2 nS"}, "w_exc", "a conductance >= 0", "-2. nS"),
    ("ei_network", False, {"w_ext": "-1 nS"}, "w_ext", "a conductance >= 0", "-1. nS"),
    ("ei_network", False, {"rate_ext": "-1 Hz"}, "rate_ext", "a rate >= 0", "-1. Hz"),
    ("ei_network", False, {"N_ext": -1}, "N_ext", "an integer >= 0", "-1"),
    (
        "ei_network",
        False,
        {"Cl_in": "0 mmolar"},
        "Cl_in",
        "a concentration > 0",
        "0. mM",
    ),
    ("ei_network", True, {"duration": "-5 ms"}, "duration", "a time > 0", "-5. ms"),
    ("ei_network", False, {"duration": "0 ms"}, "duration", "a time > 0", "0. s"),
    (
        "ei_network",
        False,
        {"transient": "1000 ms"},
        "transient",
        "a time in [0, duration) = [0, 1. s)",
        "1. s",
    ),
    ("ei_network", False, {"N_E": 0}, "N_E", "an integer >= 1", "0"),
    ("ei_network", False, {"N_I": 0}, "N_I", "an integer >= 1", "0"),
    (
        "ei_network",
        False,
        {"K_E": 401},
        "K_E",
        "an integer in [1, N_E] = [1, 400]",
        "401",
    ),
    (
        "ei_network",
        True,
        {"K_I": 61},
        "K_I",
        "an integer in [1, N_I] = [1, 60]",
        "61",
    ),
    ("ei_network", False, {"K_E": 0}, "K_E", "an integer in [1, N_E] = [1, 400]", "0"),
    ("ei_network", False, {"dt": "0.2 ms"}, "dt", DT_LIMIT.format(156.25), "200. us"),
    *[
        (
            "ei_network",
            False,
            {"w_inh_factors": bad},
            "w_inh_factors",
            "a non-empty sequence of numbers >= 0 that holds 0 and 1 (the networks "
            "without and with GABA)",
            printed,
        )
        for bad, printed in (
            ((), "()"),
            ((0, 0.5), "(0, 0.5)"),
            ((-1, 0, 1), "(-1, 0, 1)"),
            ("0.5, 2", "(0.5, 2.0)"),
        )
    ],
    *[
        (
            "ei_network",
            False,
            {"Cl_in_values": bad},
            "Cl_in_values",
            "a non-empty sequence of concentrations in mM, each > 0",
            printed,
        )
        for bad, printed in (((), "()"), ([7, 0], "(7, 0)"), ("7, -1", "(7.0, -1.0)"))
    ],
    # ion_vs_graph
    (
        "ion_vs_graph",
        True,
        {"g_inter": "-1 nS"},
        "g_inter",
        "a conductance >= 0",
        "-1. nS",
    ),
    (
        "ion_vs_graph",
        False,
        {"duration": "2 second"},
        "duration",
        "a time >= warm-up and baseline + (n_train + n_test) epochs = 0.5 s + 5 x "
        "350 ms = 2.25 s",
        "2. s",
    ),
    (
        "ion_vs_graph",
        True,
        {"duration": "0 ms"},
        "duration",
        "a time >= warm-up and baseline + (n_train + n_test) epochs = 0.5 s + 3 x "
        "350 ms = 1.55 s",
        "0. s",
    ),
    ("ion_vs_graph", False, {"n_train": 0}, "n_train", "an integer >= 1", "0"),
    ("ion_vs_graph", True, {"n_test": 0}, "n_test", "an integer >= 1", "0"),
    (
        "ion_vs_graph",
        False,
        {"neurons_per_node": 1},
        "neurons_per_node",
        "an integer >= 2",
        "1",
    ),
    (
        "ion_vs_graph",
        False,
        {"bin_width": "0 ms"},
        "bin_width",
        "a time in (0, epoch / 10] = (0, 35 ms] (at least 10 bins per stimulus epoch)",
        "0. s",
    ),
    (
        "ion_vs_graph",
        False,
        {"bin_width": "40 ms", "smoothing_width": "50 ms"},
        "bin_width",
        "a time in (0, epoch / 10] = (0, 35 ms] (at least 10 bins per stimulus epoch)",
        "40. ms",
    ),
    (
        "ion_vs_graph",
        False,
        {"smoothing_width": "0.5 ms"},
        "smoothing_width",
        "a time >= bin_width = 1. ms",
        "0.5 ms",
    ),
    # lateral_inhibition
    (
        "lateral_inhibition",
        True,
        {"w_inh": "-1 nS"},
        "w_inh",
        "a conductance >= 0",
        "-1. nS",
    ),
    (
        "lateral_inhibition",
        False,
        {"w_rec": "-1 nS"},
        "w_rec",
        "a conductance >= 0",
        "-1. nS",
    ),
    (
        "lateral_inhibition",
        False,
        {"n_assemblies": 1},
        "n_assemblies",
        "an integer >= 2 (a winner and at least one loser)",
        "1",
    ),
    ("lateral_inhibition", False, {"N_pool": 0}, "N_pool", "an integer >= 1", "0"),
    (
        "lateral_inhibition",
        False,
        {"K_rec": 61},
        "K_rec",
        "an integer in [1, N_assembly] = [1, 60]",
        "61",
    ),
    (
        "lateral_inhibition",
        False,
        {"K_pool_in": 241},
        "K_pool_in",
        "an integer in [1, n_assemblies x N_assembly] = [1, 240]",
        "241",
    ),
    (
        "lateral_inhibition",
        False,
        {"N_pool": 10},
        "K_pool_out",
        "an integer in [1, N_pool] = [1, 10]",
        "20",
    ),
    (
        "lateral_inhibition",
        True,
        {"duration": "0 ms"},
        "duration",
        "a time > 0",
        "0. s",
    ),
    (
        "lateral_inhibition",
        True,
        {"transient": "500 ms"},
        "transient",
        "a time in [0, duration) = [0, 0.5 s)",
        "0.5 s",
    ),
    (
        "lateral_inhibition",
        False,
        {"dt": "1 ms"},
        "dt",
        DT_LIMIT.format(156.25),
        "1. ms",
    ),
    (
        "lateral_inhibition",
        False,
        {"contrast": -0.1},
        "contrast",
        "a number >= 0",
        "-0.1",
    ),
    (
        "lateral_inhibition",
        False,
        {"nu_in": "20 kHz"},
        "nu_in",
        "a rate in [0, 1 / ((1 + 2 contrast) dt)] = [0, 16666.7 Hz] (the strongest "
        "input fires at most once a step)",
        "20. kHz",
    ),
    (
        "lateral_inhibition",
        False,
        {"nu_in": "-1 Hz"},
        "nu_in",
        "a rate in [0, 1 / ((1 + 2 contrast) dt)] = [0, 16666.7 Hz] (the strongest "
        "input fires at most once a step)",
        "-1. Hz",
    ),
    (
        "lateral_inhibition",
        False,
        {"norm_sigma": 0},
        "norm_sigma",
        "a number > 0",
        "0",
    ),
    # membrane_relaxation
    (
        "membrane_relaxation",
        False,
        {"g_Na": "-1 mS/cm**2"},
        "g_Na",
        "a conductance density >= 0",
        "-10. S/(m^2)",
    ),
    (
        "membrane_relaxation",
        False,
        {"g_Na": "0 mS/cm**2", "g_K": "0 mS/cm**2"},
        "g_K",
        "a conductance density >= 0 with g_Na + g_K > 0 (g_Na = 0. S/(m^2))",
        "0. S/(m^2)",
    ),
    (
        "membrane_relaxation",
        False,
        {"C_m": "0 uF/cm**2"},
        "C_m",
        "a capacitance density > 0 (such as '1 uF/cm**2')",
        "0. F/(m^2)",
    ),
    (
        "membrane_relaxation",
        False,
        {"K_in": "-140 mmolar"},
        "K_in",
        "a concentration > 0",
        "-140. mM",
    ),
    (
        "membrane_relaxation",
        False,
        {"temperature_celsius": -300},
        "temperature_celsius",
        "a temperature in degC > -273.15 (above absolute zero)",
        "-300",
    ),
    (
        "membrane_relaxation",
        False,
        {"v_start_high": "-100 mV"},
        "v_start_high",
        "a voltage in (v_start_low, 500 mV] = (-100. mV, 500 mV]",
        "-100. mV",
    ),
    (
        "membrane_relaxation",
        True,
        {"v_clamp_low": "-600 mV"},
        "v_clamp_low",
        "a voltage in [-500 mV, 500 mV]",
        "-0.6 V",
    ),
    (
        "membrane_relaxation",
        True,
        {"duration": "0 ms"},
        "duration",
        "a time > 0",
        "0. s",
    ),
    (
        "membrane_relaxation",
        False,
        {"dt": "61 ms"},
        "dt",
        "a time in (0, duration] = (0, 60. ms]",
        "61. ms",
    ),
    (
        "membrane_relaxation",
        True,
        {"dt": "0 ms"},
        "dt",
        "a time in (0, duration] = (0, 60. ms]",
        "0. s",
    ),
    ("membrane_relaxation", False, {"n_traces": 0}, "n_traces", "an integer >= 1", "0"),
    ("membrane_relaxation", True, {"n_clamp": 0}, "n_clamp", "an integer >= 1", "0"),
    (
        "membrane_relaxation",
        False,
        {"n_cl_share": 0},
        "n_cl_share",
        "an integer >= 1",
        "0",
    ),
]


@pytest.fixture
def forbid_build(monkeypatch):
    """Return a loader of a script whose network-building functions fail the test."""

    def load(model):
        module = load_script(model)
        for name in BUILDERS[model]:

            def refuse(*args, _name=name, **kwargs):
                pytest.fail(f"{model}.{_name} was called despite a bad parameter")

            monkeypatch.setattr(module, name, refuse)
        return module

    return load


def _resolved(module, quick):
    defaults = dict(module.PARAMETERS, **(module.QUICK if quick else {}))
    return resolve_overrides(defaults, {}, module.NAME)


@pytest.mark.parametrize(
    ("model", "quick", "params", "name", "expected", "value"),
    BAD,
    ids=[f"{row[0]}-{row[3]}-{i}" for i, row in enumerate(BAD)],
)
def test_bad_parameter_is_refused_by_name_before_any_work(
    tmp_path, forbid_build, model, quick, params, name, expected, value
):
    module = forbid_build(model)
    out = tmp_path / "out"
    message = f"{model}: parameter {name!r} must be {expected}, got {value}"
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        module.run(out, params=params, quick=quick, device="numpy")
    assert not out.exists()


@pytest.mark.parametrize(
    ("model", "setting", "message"),
    [
        (
            "ei_network",
            "w_inh=-1 nS",
            "parameter 'w_inh' must be a conductance >= 0, got -1. nS",
        ),
        ("ei_network", "duration=-5 ms", "parameter 'duration' must be a time > 0"),
        ("action_potential", "dt=1 ms", "parameter 'dt' must be a time in (0, max_dt]"),
        ("ion_vs_graph", "g_inter=-1 nS", "parameter 'g_inter' must be a conductance"),
        ("lateral_inhibition", "K_rec=0", "parameter 'K_rec' must be an integer in"),
        (
            "membrane_relaxation",
            "n_traces=0",
            "parameter 'n_traces' must be an integer",
        ),
    ],
)
def test_command_line_reports_a_bad_set_in_one_line(
    capsys, tmp_path, forbid_build, model, setting, message
):
    module = forbid_build(model)
    out = tmp_path / "out"
    argv = [
        "--quick",
        "--device",
        "cpp_standalone",
        "--out",
        str(out),
        "--set",
        setting,
    ]
    with pytest.raises(SystemExit) as exit_info:
        module.main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith(f"{model}.py: error: {model}: {message}")
    assert err.count("\n") == 1 and "Traceback" not in err
    # The command line makes the --out folder; nothing is written into it.
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("quick", [False, True], ids=["defaults", "quick"])
@pytest.mark.parametrize("model", SCRIPTS)
def test_defaults_and_quick_pass_check(model, quick):
    module = load_script(model)
    module.check(_resolved(module, quick))


def _nan_like(value):
    """A NaN of the kind of ``value`` (same unit, or inside a sequence)."""
    if isinstance(value, tuple | list):
        return (*value, math.nan)
    return value * math.nan


@pytest.mark.parametrize("model", SCRIPTS)
def test_nan_fails_the_rule_of_every_parameter(model):
    module = load_script(model)
    for name in module.PARAMETERS:
        p = _resolved(module, quick=False)
        p[name] = _nan_like(p[name])
        with pytest.raises(ValueError, match=rf"^{model}: parameter {name!r} must be"):
            module.check(p)


@pytest.mark.parametrize(
    ("model", "params"),
    [
        # A weight of 0 is a lesion, not an error.
        ("ei_network", {"w_inh": "0 nS", "w_exc": "0 nS", "w_ext": "0 nS"}),
        ("ei_network", {"N_ext": 0, "rate_ext": "0 Hz", "transient": "0 ms"}),
        ("ei_network", {"K_E": 400, "K_I": 100, "w_inh_factors": [1, 0]}),
        ("lateral_inhibition", {"w_inh": "0 nS", "nu_in": "0 Hz", "contrast": 0}),
        ("lateral_inhibition", {"K_rec": 60, "K_pool_in": 240, "K_pool_out": 40}),
        ("membrane_relaxation", {"g_Cl": "0 mS/cm**2", "g_Na": "0 mS/cm**2"}),
        ("membrane_relaxation", {"dt": "60 ms", "n_traces": 1}),
        ("action_potential", {"spike_duration": "1200 ms", "fi_transient": "0 ms"}),
        ("ion_vs_graph", {"duration": "2.25 second", "g_inter": "0 nS"}),
        ("ion_vs_graph", {"bin_width": "35 ms", "smoothing_width": "35 ms"}),
    ],
)
def test_limits_of_the_rules_are_accepted(model, params):
    module = load_script(model)
    module.check(resolve_overrides(module.PARAMETERS, params, module.NAME))
