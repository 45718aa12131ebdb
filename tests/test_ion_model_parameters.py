"""Model scripts refuse bad parameters by name, before any work.

Every script's ``check`` runs right after the overrides are resolved: a bad
value is refused with ``"<model>: parameter '<name>' must be <rule>, got
<value>"`` before a Brian2 object, the output folder or a C++ project is made.
Sizes are bounded too: every count has an upper limit, and products that no
single rule states (cells, synapses, time steps, cells x time steps, stored
values) are refused with a message that names every parameter involved. The
rules of the ion-level scripts are tested in full here; the graph-level
scripts share the size limits and the tests of defaults, NaN and limits.
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

GRAPH_SCRIPTS = (
    "attractor",
    "graph_diffusion",
    "jacobi_relaxation",
    "replay",
    "spectral_decay",
)
ALL_SCRIPTS = SCRIPTS + GRAPH_SCRIPTS

# What every script's run() calls to build and run its Brian2 network (or,
# at the graph level, to simulate).
BUILDERS = {
    "action_potential": ("simulate",),
    "ei_network": ("simulate",),
    "ion_vs_graph": ("graph_for", "run_comparison"),
    "lateral_inhibition": ("simulate",),
    "membrane_relaxation": ("simulate",),
    **{name: ("simulate",) for name in GRAPH_SCRIPTS},
}

DT_LIMIT = "a time in (0, max_dt] = (0, {} us] (the ion level's limit for the gating "
DT_LIMIT += "kinetics)"
# The rule of a cell count (of one population or of the F-I currents).
CELLS = "an integer in [1, 1,000,000]"

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
    ("action_potential", False, {"squid_n_I": 0}, "squid_n_I", CELLS, "0"),
    ("action_potential", True, {"traub_n_I": 0}, "traub_n_I", CELLS, "0"),
    (
        "action_potential",
        False,
        {"traub_I_max": "-0.2 nA"},
        "traub_I_max",
        "a current > traub_I_min = -150. pA",
        "-200. pA",
    ),
    # ei_network
    (
        "ei_network",
        True,
        {"w_inh": "-1 nS"},
        "w_inh",
        "a conductance in [0, 1000 nS]",
        "-1. nS",
    ),
    (
        "ei_network",
        False,
        {"w_exc": "-2 nS"},
        "w_exc",
        "a conductance in [0, 1000 nS]",
        "-2. nS",
    ),
    (
        "ei_network",
        False,
        {"w_ext": "-1 nS"},
        "w_ext",
        "a conductance in [0, 1000 nS]",
        "-1. nS",
    ),
    (
        "ei_network",
        False,
        {"rate_ext": "-1 Hz"},
        "rate_ext",
        "a rate in [0, 1 / dt] = [0, 20000 Hz] (an external input fires at most "
        "once a step)",
        "-1. Hz",
    ),
    ("ei_network", False, {"N_ext": -1}, "N_ext", "an integer in [0, 1,000,000]", "-1"),
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
    ("ei_network", False, {"N_E": 0}, "N_E", CELLS, "0"),
    ("ei_network", False, {"N_I": 0}, "N_I", CELLS, "0"),
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
            "a sequence of at most 100 numbers in [0, 1000 nS / w_inh] = [0, 25] "
            "that holds 0 and 1 (the networks without and with GABA)",
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
            "a sequence of 1 to 100 concentrations in mM, each > 0",
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
        "a conductance in [0, 1000 nS]",
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
    ("ion_vs_graph", False, {"n_train": 0}, "n_train", "an integer in [1, 1,000]", "0"),
    ("ion_vs_graph", True, {"n_test": 0}, "n_test", "an integer in [1, 1,000]", "0"),
    (
        "replay",
        False,
        {"n_patterns": 1001},
        "n_patterns",
        "an integer in [2, 1,000] (every second pattern is replayed, so at least "
        "one is not)",
        "1001",
    ),
    (
        "ion_vs_graph",
        False,
        {"neurons_per_node": 1},
        "neurons_per_node",
        "an integer in [2, 500]",
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
        "a time in [bin_width, 100 x bin_width] = [1 ms, 100 ms]",
        "0.5 ms",
    ),
    # lateral_inhibition
    (
        "lateral_inhibition",
        True,
        {"w_inh": "-1 nS"},
        "w_inh",
        "a conductance in [0, 1000 nS]",
        "-1. nS",
    ),
    (
        "lateral_inhibition",
        False,
        {"w_rec": "-1 nS"},
        "w_rec",
        "a conductance in [0, 1000 nS]",
        "-1. nS",
    ),
    (
        "lateral_inhibition",
        False,
        {"n_assemblies": 1},
        "n_assemblies",
        "an integer in [2, 1,000] (a winner and at least one loser)",
        "1",
    ),
    ("lateral_inhibition", False, {"N_pool": 0}, "N_pool", CELLS, "0"),
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
        "a temperature in degC in (-273.15, 100] (above absolute zero, below boiling)",
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
    ("membrane_relaxation", False, {"n_traces": 0}, "n_traces", CELLS, "0"),
    ("membrane_relaxation", True, {"n_clamp": 0}, "n_clamp", CELLS, "0"),
    (
        "membrane_relaxation",
        False,
        {"n_cl_share": 0},
        "n_cl_share",
        CELLS,
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
            "parameter 'w_inh' must be a conductance in [0, 1000 nS], got -1. nS",
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
@pytest.mark.parametrize("model", ALL_SCRIPTS)
def test_defaults_and_quick_pass_check(model, quick):
    module = load_script(model)
    module.check(_resolved(module, quick))


def _nan_like(value):
    """A NaN of the kind of ``value`` (same unit, or inside a sequence)."""
    if isinstance(value, tuple | list):
        return (*value, math.nan)
    return value * math.nan


@pytest.mark.parametrize("model", ALL_SCRIPTS)
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


# -- size limits ----------------------------------------------------------------

# The rule of a count with an upper limit.
UP_TO = "an integer in [{}, {:,}]"
W5 = "0, 0.25, 0.5, 1, 2"
CL5 = "7, 10, 14, 20, 40"
# Ten blocks of the E-I network.
TEN_BLOCKS = {"w_inh_factors": W5, "Cl_in_values": CL5}
ONE_CELL_EACH = {"N_E": 1, "N_I": 1, "K_E": 1, "K_I": 1}
ONE_CELL_BLOCKS = {"w_inh_factors": "0, 1", "Cl_in_values": "7"}
SMALL_POOL = {
    "n_assemblies": 2,
    "N_assembly": 1,
    "N_pool": 1,
    "K_rec": 1,
    "K_pool_in": 1,
    "K_pool_out": 1,
}
EI_CELLS = "(N_E + N_I) x (len(w_inh_factors) + len(Cl_in_values))"
EI_ADVICE = "use fewer cells per block or fewer conditions"
LI_CELLS = "10 blocks x (n_assemblies x N_assembly + N_pool)"
LI_ADVICE = "use fewer or smaller assemblies or a smaller pool"
GD_RUN = "n_time_constants / (gamma x lambda_2 x dt)"
RP_RUN = "n_time_constants / (decay_rate x dt)"
RP_GAMMA = (
    "a rate in (0, 1 / dt] = (0, 500 Hz] (gamma x dt <= 1 keeps each implicit "
    "diffusion step well-conditioned)"
)
RANGE_500 = "expected one in [-500 mV, 500 mV]"
NORM = (
    "n_assemblies x (1 + 2 contrast) ** norm_exponent = 4 x 1.2 ** {} must be "
    "positive and finite in float64; lower norm_exponent or bring norm_sigma "
    "nearer to 1"
)
TOL = "a number in [{:g}, 1) (float64 rounding cannot reach a smaller residual)"
GAMMA_DT = (
    "a rate in (0, 1 / dt] = (0, {} Hz] (gamma x dt <= 1 keeps each implicit "
    "step well-conditioned for Jacobi)"
)


def _rule(model, name, expected, value):
    return f"{model}: parameter {name!r} must be {expected}, got {value}"


# (model, quick, a value at the limit, one beyond it, the message refusing it)
LIMITS = [
    # action_potential
    (
        "action_potential",
        True,
        {"squid_n_I": 1_000_000},
        {"squid_n_I": 1_000_001},
        _rule("action_potential", "squid_n_I", CELLS, 1_000_001),
    ),
    (
        "action_potential",
        True,
        {"traub_n_I": 1_000_000},
        {"traub_n_I": 1_000_001},
        _rule("action_potential", "traub_n_I", CELLS, 1_000_001),
    ),
    (
        "action_potential",
        False,
        {"fi_duration": "1000 s"},
        {"fi_duration": "1000.001 s"},
        "action_potential: fi_duration / dt = 1.000001 ks / 10 us gives "
        "100,000,100 time steps, more than the 100,000,000 allowed; shorten "
        "fi_duration or widen dt",
    ),
    (
        "action_potential",
        False,
        {"fi_duration": "10 s", "squid_n_I": 49_997, "traub_n_I": 50_000},
        {"fi_duration": "10 s", "squid_n_I": 49_998, "traub_n_I": 50_000},
        "action_potential: (squid_n_I + traub_n_I + 3) x fi_duration / dt = "
        "(49998 + 50000 + 3) x 10 s / 10 us gives 100,001,000,000 cell-steps, more "
        "than the 100,000,000,000 allowed; use fewer currents, shorten fi_duration "
        "or widen dt",
    ),
    (
        "action_potential",
        False,
        {"fi_duration": "100 s", "spike_duration": "71 s"},
        {"fi_duration": "100 s", "spike_duration": "72 s"},
        "action_potential: 14 traces x spike_duration / dt = 14 x 72 s / 10 us "
        "gives 100,800,000 recorded values, more than the 100,000,000 allowed; "
        "shorten spike_duration or widen dt",
    ),
    # ei_network
    (
        "ei_network",
        False,
        {"N_ext": 1_000_000},
        {"N_ext": 1_000_001},
        _rule("ei_network", "N_ext", UP_TO.format(0, 1_000_000), 1_000_001),
    ),
    (
        "ei_network",
        False,
        {"w_inh_factors": [0, 1, *range(2, 100)], "w_inh": "10 nS"},
        {"w_inh_factors": [0, 1, *range(2, 101)], "w_inh": "10 nS"},
        _rule(
            "ei_network",
            "w_inh_factors",
            "a sequence of at most 100 numbers in [0, 1000 nS / w_inh] = [0, 100] "
            "that holds 0 and 1 (the networks without and with GABA)",
            (0, 1, *range(2, 101)),
        ),
    ),
    (
        "ei_network",
        False,
        {"w_inh_factors": [0, 1, 25]},
        {"w_inh_factors": [0, 1, 25.001]},
        _rule(
            "ei_network",
            "w_inh_factors",
            "a sequence of at most 100 numbers in [0, 1000 nS / w_inh] = [0, 25] "
            "that holds 0 and 1 (the networks without and with GABA)",
            (0, 1, 25.001),
        ),
    ),
    *[
        (
            model,
            False,
            {name: "1 uS"},
            {name: "1.001 uS"},
            _rule(model, name, "a conductance in [0, 1000 nS]", "1.001 uS"),
        )
        for model, name in (
            ("ei_network", "w_exc"),
            ("ei_network", "w_ext"),
            ("lateral_inhibition", "w_inh"),
            ("ion_vs_graph", "g_inter"),
        )
    ],
    (
        "ei_network",
        False,
        {"Cl_in_values": list(range(1, 101))},
        {"Cl_in_values": list(range(1, 102))},
        _rule(
            "ei_network",
            "Cl_in_values",
            "a sequence of 1 to 100 concentrations in mM, each > 0",
            tuple(range(1, 102)),
        ),
    ),
    (
        "ei_network",
        False,
        {"N_E": 80_000, "N_I": 20_000, **TEN_BLOCKS},
        {"N_E": 80_000, "N_I": 20_001, **TEN_BLOCKS},
        f"ei_network: {EI_CELLS} = (80000 + 20001) x (5 + 5) gives 1,000,010 "
        f"cells, more than the 1,000,000 allowed; {EI_ADVICE}",
    ),
    (
        "ei_network",
        False,
        {"N_E": 80_000, "N_I": 20_000, "K_E": 90, **TEN_BLOCKS},
        {"N_E": 80_000, "N_I": 20_000, "K_E": 91, **TEN_BLOCKS},
        f"ei_network: (K_E + K_I) x {EI_CELLS} = (91 + 10) x (80000 + 20000) x "
        "(5 + 5) gives 101,000,000 synapses, more than the 100,000,000 allowed; "
        f"lower K_E and K_I, or {EI_ADVICE}",
    ),
    (
        "ei_network",
        False,
        {**ONE_CELL_EACH, **ONE_CELL_BLOCKS, "duration": "5000 s"},
        {**ONE_CELL_EACH, **ONE_CELL_BLOCKS, "duration": "5000.001 s"},
        "ei_network: duration / dt = 5.000001 ks / 50 us gives 100,000,020 time "
        "steps, more than the 100,000,000 allowed; shorten duration or widen dt",
    ),
    (
        "ei_network",
        False,
        {"N_E": 8000, "N_I": 2000, **TEN_BLOCKS, "duration": "50 s"},
        {"N_E": 8000, "N_I": 2000, **TEN_BLOCKS, "duration": "50.001 s"},
        f"ei_network: {EI_CELLS} x duration / dt = (8000 + 2000) x (5 + 5) x "
        "50.001 s / 50 us gives 100,002,000,000 cell-steps, more than the "
        f"100,000,000,000 allowed; shorten duration, or {EI_ADVICE}",
    ),
    # lateral_inhibition
    (
        "lateral_inhibition",
        False,
        {"n_assemblies": 1000},
        {"n_assemblies": 1001},
        _rule(
            "lateral_inhibition",
            "n_assemblies",
            "an integer in [2, 1,000] (a winner and at least one loser)",
            1001,
        ),
    ),
    (
        "lateral_inhibition",
        False,
        {"N_assembly": 24_990},
        {"N_assembly": 24_991},
        f"lateral_inhibition: {LI_CELLS} = 10 x (4 x 24991 + 40) gives 1,000,040 "
        f"cells, more than the 1,000,000 allowed; {LI_ADVICE}",
    ),
    (
        "lateral_inhibition",
        False,
        {"N_assembly": 2500, "K_rec": 975, "K_pool_in": 1000},
        {"N_assembly": 2500, "K_rec": 975, "K_pool_in": 1001},
        "lateral_inhibition: 10 blocks x (n_assemblies x N_assembly x (1 + K_rec "
        "+ K_pool_out) + N_pool x K_pool_in) = 10 x (4 x 2500 x (1 + 975 + 20) + "
        "40 x 1001) gives 100,000,400 synapses, more than the 100,000,000 "
        "allowed; lower the in-degrees K_rec, K_pool_in and K_pool_out, or "
        f"{LI_ADVICE}",
    ),
    (
        "lateral_inhibition",
        False,
        {**SMALL_POOL, "duration": "5000 s"},
        {**SMALL_POOL, "duration": "5000.001 s"},
        "lateral_inhibition: duration / dt = 5.000001 ks / 50 us gives "
        "100,000,020 time steps, more than the 100,000,000 allowed; shorten "
        "duration or widen dt",
    ),
    (
        "lateral_inhibition",
        False,
        {"N_assembly": 2490, "duration": "50 s"},
        {"N_assembly": 2490, "duration": "50.001 s"},
        f"lateral_inhibition: {LI_CELLS} x duration / dt = 10 x (4 x 2490 + 40) x "
        "50.001 s / 50 us gives 100,002,000,000 cell-steps, more than the "
        f"100,000,000,000 allowed; shorten duration, or {LI_ADVICE}",
    ),
    # membrane_relaxation
    (
        "membrane_relaxation",
        False,
        {"n_traces": 1_000_000, "dt": "60 ms"},
        {"n_traces": 1_000_001},
        _rule("membrane_relaxation", "n_traces", CELLS, 1_000_001),
    ),
    (
        "membrane_relaxation",
        False,
        {"n_clamp": 1_000_000},
        {"n_clamp": 1_000_001},
        _rule("membrane_relaxation", "n_clamp", CELLS, 1_000_001),
    ),
    (
        "membrane_relaxation",
        False,
        {"n_cl_share": 1_000_000, "dt": "60 ms"},
        {"n_cl_share": 1_000_001},
        _rule("membrane_relaxation", "n_cl_share", CELLS, 1_000_001),
    ),
    (
        "membrane_relaxation",
        False,
        {"n_traces": 81, "duration": "10 s"},
        {"n_traces": 82, "duration": "10 s"},
        "membrane_relaxation: (n_traces + n_cl_share) x duration / dt = (82 + 19) "
        "x 10 s / 10 us gives 101,000,000 recorded values, more than the "
        "100,000,000 allowed; use fewer traces or Cl shares, shorten duration or "
        "widen dt",
    ),
    (
        "membrane_relaxation",
        False,
        {"n_traces": 1, "n_cl_share": 1, "n_clamp": 99_998, "duration": "10 s"},
        {"n_traces": 1, "n_cl_share": 1, "n_clamp": 99_999, "duration": "10 s"},
        "membrane_relaxation: (n_traces + n_cl_share + n_clamp) x duration / dt = "
        "(1 + 1 + 99999) x 10 s / 10 us gives 100,001,000,000 cell-steps, more "
        "than the 100,000,000,000 allowed; use fewer cells, shorten duration or "
        "widen dt",
    ),
    # ion_vs_graph
    (
        "ion_vs_graph",
        False,
        {"neurons_per_node": 500},
        {"neurons_per_node": 501},
        _rule("ion_vs_graph", "neurons_per_node", UP_TO.format(2, 500), 501),
    ),
    (
        "ion_vs_graph",
        False,
        {"n_train": 1000, "duration": "400 s"},
        {"n_train": 1001, "duration": "400 s"},
        _rule("ion_vs_graph", "n_train", UP_TO.format(1, 1000), 1001),
    ),
    (
        "ion_vs_graph",
        True,
        {"n_test": 1000, "duration": "400 s"},
        {"n_test": 1001, "duration": "400 s"},
        _rule("ion_vs_graph", "n_test", UP_TO.format(1, 1000), 1001),
    ),
    (
        "ion_vs_graph",
        False,
        {"smoothing_width": "100 ms"},
        {"smoothing_width": "101 ms"},
        _rule(
            "ion_vs_graph",
            "smoothing_width",
            "a time in [bin_width, 100 x bin_width] = [1 ms, 100 ms]",
            "101. ms",
        ),
    ),
    (
        "ion_vs_graph",
        False,
        {"duration": "10000 s", "neurons_per_node": 2, "bin_width": "10 ms"},
        {"duration": "10000.001 s", "neurons_per_node": 2, "bin_width": "10 ms"},
        "ion_vs_graph: duration / dt = 10.000001 ks / 100 us (the network's step) "
        "gives 100,000,010 time steps, more than the 100,000,000 allowed; "
        "shorten duration",
    ),
    (
        "ion_vs_graph",
        False,
        {"duration": "1000 s", "neurons_per_node": 100},
        {"duration": "1000 s", "neurons_per_node": 101},
        "ion_vs_graph: neurons_per_node x duration / dt = 101 x 1 ks / 100 us "
        "gives 1,010,000,000 cell-steps per node, more than the 1,000,000,000 "
        "allowed; use fewer neurons per node or shorten duration",
    ),
    (
        "ion_vs_graph",
        False,
        {"duration": "1000 s"},
        {"duration": "1000.001 s"},
        "ion_vs_graph: duration / bin_width = 1.000001 ks / 1 ms gives 1,000,001 "
        "bins, more than the 1,000,000 allowed; widen bin_width or shorten "
        "duration",
    ),
    # attractor
    (
        "attractor",
        False,
        {"n_units": 10_000, "n_patterns": 1, "cues_per_pattern": 1},
        {"n_units": 10_001},
        _rule("attractor", "n_units", UP_TO.format(1, 10_000), 10_001),
    ),
    (
        "attractor",
        False,
        {"cues_per_pattern": 100_000, "n_patterns": 1, "n_units": 10},
        {"cues_per_pattern": 100_001},
        _rule("attractor", "cues_per_pattern", UP_TO.format(1, 100_000), 100_001),
    ),
    (
        "attractor",
        False,
        {"n_corruption_levels": 1000, "curve_cues_per_pattern": 1},
        {"n_corruption_levels": 1001},
        _rule("attractor", "n_corruption_levels", UP_TO.format(1, 1000), 1001),
    ),
    (
        "attractor",
        False,
        {
            "curve_cues_per_pattern": 100_000,
            "n_patterns": 1,
            "n_corruption_levels": 1,
            "n_units": 10,
        },
        {"curve_cues_per_pattern": 100_001},
        _rule("attractor", "curve_cues_per_pattern", UP_TO.format(1, 100_000), 100_001),
    ),
    (
        "attractor",
        False,
        {"max_sweeps": 10_000},
        {"max_sweeps": 10_001},
        _rule("attractor", "max_sweeps", UP_TO.format(1, 10_000), 10_001),
    ),
    (
        "attractor",
        False,
        {"cues_per_pattern": 20_000, "n_units": 10},
        {"cues_per_pattern": 20_001, "n_units": 10},
        "attractor: n_patterns x cues_per_pattern = 5 x 20001 gives 100,005 cues, "
        "more than the 100,000 allowed; lower cues_per_pattern",
    ),
    (
        "attractor",
        False,
        {"curve_cues_per_pattern": 20, "n_corruption_levels": 1000},
        {"curve_cues_per_pattern": 21, "n_corruption_levels": 1000},
        "attractor: n_patterns x curve_cues_per_pattern x n_corruption_levels = 5 "
        "x 21 x 1000 gives 105,000 cues on the recall curve, more than the 100,000 "
        "allowed; lower curve_cues_per_pattern or n_corruption_levels",
    ),
    (
        "attractor",
        False,
        {"n_units": 10_000, "cues_per_pattern": 20, "curve_cues_per_pattern": 1},
        {"n_units": 10_000, "cues_per_pattern": 21, "curve_cues_per_pattern": 1},
        "attractor: n_units^2 x n_patterns x max(cues_per_pattern, "
        "curve_cues_per_pattern) = 10000^2 x 5 x 21 gives 10,500,000,000 "
        "coupling terms per sweep, more than the 10,000,000,000 allowed; use "
        "fewer units or cues",
    ),
    (
        "attractor",
        False,
        {"max_sweeps": 999, "n_patterns": 100, "cues_per_pattern": 1},
        {"max_sweeps": 1000, "n_patterns": 100, "cues_per_pattern": 1},
        "attractor: (max_sweeps + 1) x n_patterns^2 x max(cues_per_pattern, "
        "curve_cues_per_pattern) = 1001 x 100^2 x 10 gives 100,100,000 recorded "
        "overlaps, more than the 100,000,000 allowed; lower max_sweeps, "
        "n_patterns or the cues per pattern",
    ),
    # graph_diffusion
    (
        "graph_diffusion",
        False,
        {"gamma": "1000 Hz", "n_time_constants": 100},
        {"gamma": "1001 Hz"},
        _rule("graph_diffusion", "gamma", GAMMA_DT.format(1000), "1.001 kHz"),
    ),
    (
        "graph_diffusion",
        False,
        {"jacobi_tol": 1e-14},
        {"jacobi_tol": 9.9e-15},
        _rule("graph_diffusion", "jacobi_tol", TOL.format(1e-14), 9.9e-15),
    ),
    (
        "graph_diffusion",
        False,
        {"n_time_constants": 100},
        {"n_time_constants": 100.001},
        _rule(
            "graph_diffusion",
            "n_time_constants",
            "a number in (0, 100] (past about 37 the distance from uniform is "
            "below float64 rounding)",
            100.001,
        ),
    ),
    (
        "graph_diffusion",
        False,
        {"n_samples": 100_000},
        {"n_samples": 100_001},
        _rule("graph_diffusion", "n_samples", UP_TO.format(1, 100_000), 100_001),
    ),
    (
        "graph_diffusion",
        False,
        {"start_node": 73},
        {"start_node": 74},
        "graph_diffusion: start_node must be a node index in [0, 73] (the default "
        "connectome has 74 nodes), got 74",
    ),
    (
        "graph_diffusion",
        False,
        {"gamma": "0.01 Hz", "n_time_constants": 2.318},
        {"gamma": "0.01 Hz", "n_time_constants": 2.319},
        f"graph_diffusion: {GD_RUN} = 2.319 / (10 mHz x 0.343089 x 1 ms) gives "
        "675,918 steps, 50,018,006 stored values on 74 nodes, more than the "
        "50,000,000 allowed; lower n_time_constants or widen dt",
    ),
    (
        "graph_diffusion",
        False,
        {"gamma": "1000 Hz", "n_time_constants": 0.3431},
        {"gamma": "1000 Hz", "n_time_constants": 0.343},
        f"graph_diffusion: fit_from = 0.5 with {GD_RUN} = 0.343 / (1 kHz x "
        "0.343089 x 1 ms) leaves 1 of the 1 steps in the fit window; expected at "
        "least 2 (lower fit_from, raise n_time_constants or lower gamma x dt)",
    ),
    # spectral_decay
    (
        "spectral_decay",
        False,
        {"gamma": "10 kHz"},
        {"gamma": "10.001 kHz"},
        _rule("spectral_decay", "gamma", GAMMA_DT.format(10000), "10.001 kHz"),
    ),
    (
        "spectral_decay",
        False,
        {"jacobi_tol": 1e-14},
        {"jacobi_tol": 9.9e-15},
        _rule("spectral_decay", "jacobi_tol", TOL.format(1e-14), 9.9e-15),
    ),
    (
        "spectral_decay",
        False,
        {"n_time_constants": 100, "dt": "10 ms"},
        {"n_time_constants": 100.001},
        _rule("spectral_decay", "n_time_constants", "a number in (0, 100]", 100.001),
    ),
    (
        "spectral_decay",
        False,
        {"n_samples": 100_000},
        {"n_samples": 100_001},
        _rule("spectral_decay", "n_samples", UP_TO.format(1, 100_000), 100_001),
    ),
    (
        "spectral_decay",
        False,
        {"n_fit_modes": 73},
        {"n_fit_modes": 74},
        "spectral_decay: n_fit_modes must be at most n_nodes - 1 = 73 (the "
        "non-trivial modes of the default connectome), got 74",
    ),
    (
        "spectral_decay",
        False,
        {"gamma": "0.0648 Hz"},
        {"gamma": "0.0647 Hz"},
        f"spectral_decay: {GD_RUN} = 1.5 / (64.7 mHz x 0.343089 x 100 us) gives "
        "675,741 steps, 50,004,908 stored values on 74 nodes, more than the "
        "50,000,000 allowed; lower n_time_constants or widen dt",
    ),
    # jacobi_relaxation
    (
        "jacobi_relaxation",
        False,
        {"gamma": "50 Hz", "n_steps": 100},
        {"gamma": "50.001 Hz"},
        _rule("jacobi_relaxation", "gamma", GAMMA_DT.format(50), "50.001 Hz"),
    ),
    (
        "jacobi_relaxation",
        False,
        {"history_tol": 1e-16},
        {"history_tol": 9.9e-17},
        _rule("jacobi_relaxation", "history_tol", TOL.format(1e-16), 9.9e-17),
    ),
    (
        "jacobi_relaxation",
        False,
        {"jacobi_tol": 1e-14},
        {"jacobi_tol": 9.9e-15},
        _rule("jacobi_relaxation", "jacobi_tol", TOL.format(1e-14), 9.9e-15),
    ),
    (
        "jacobi_relaxation",
        False,
        {"max_sweeps": 1_000_000},
        {"max_sweeps": 1_000_001},
        _rule("jacobi_relaxation", "max_sweeps", CELLS, 1_000_001),
    ),
    (
        "jacobi_relaxation",
        False,
        {"n_steps": 284},
        {"n_steps": 285},
        "jacobi_relaxation: n_steps = 285 with gamma = 10 Hz and dt = 20 ms: the "
        "explicit update grows by |1 - gamma dt lambda_max| = 3.36 per step "
        "(lambda_max = 21.8), by 10^150.01 over the run, more than the 10^150 "
        "allowed (its norm overflows float64 near 10^154); lower n_steps or gamma "
        "x dt",
    ),
    (
        # gamma dt lambda_max < 2: the explicit update is stable.
        "jacobi_relaxation",
        False,
        {"n_steps": 100_000, "gamma": "4 Hz"},
        {"n_steps": 100_001, "gamma": "4 Hz"},
        _rule("jacobi_relaxation", "n_steps", UP_TO.format(1, 100_000), 100_001),
    ),
    # replay
    (
        "replay",
        False,
        {"gamma": "500 Hz"},
        {"gamma": "500.001 Hz"},
        _rule(
            "replay",
            "gamma",
            RP_GAMMA,
            "0.500001 kHz",
        ),
    ),
    (
        "replay",
        False,
        {"replay_rate": "500 Hz"},
        {"replay_rate": "500.001 Hz"},
        _rule(
            "replay",
            "replay_rate",
            "a rate in [0, 1 / dt] = [0, 500 Hz] (replay_rate x dt <= 1 keeps the "
            "explicit replay step from overshooting)",
            "0.500001 kHz",
        ),
    ),
    (
        "replay",
        False,
        {"rest_duration": "1 us"},
        {"rest_duration": "0 ms"},
        _rule(
            "replay",
            "rest_duration",
            "a time in (0, rest_period] = (0, 100. ms]",
            "0. s",
        ),
    ),
    *[
        (
            "replay",
            False,
            {"n_patterns": good},
            {"n_patterns": bad},
            _rule(
                "replay",
                "n_patterns",
                "an integer in [2, 1,000] (every second pattern is replayed, so at "
                "least one is not)",
                bad,
            ),
        )
        for good, bad in ((2, 1),)
    ],
    (
        "replay",
        False,
        {"gamma": "1 mHz"},
        {"gamma": "0 Hz"},
        _rule("replay", "gamma", RP_GAMMA, "0. Hz"),
    ),
    (
        "replay",
        False,
        {"community_resolution": 0.5, "n_patterns": 2},
        {"community_resolution": 0.5, "n_patterns": 3},
        "replay: n_patterns = 3, but Louvain finds 2 communities of the default "
        "connectome at community_resolution = 0.5; lower n_patterns or raise "
        "community_resolution",
    ),
    (
        "replay",
        False,
        {"record_every": 10_000_000},
        {"record_every": 10_000_001},
        _rule("replay", "record_every", UP_TO.format(1, 10_000_000), 10_000_001),
    ),
    (
        "replay",
        False,
        {"decay_rate": "500 Hz", "n_time_constants": 1},
        {"decay_rate": "501 Hz", "n_time_constants": 1},
        f"replay: {RP_RUN} = 1 / (0.501 kHz x 2 ms) gives 0.998 steps: the run "
        "of 1.996 ms is shorter than one step dt; raise n_time_constants, or "
        "lower decay_rate or dt",
    ),
    (
        "replay",
        False,
        {"decay_rate": "1 kHz"},
        {"decay_rate": "2 kHz"},
        f"replay: {RP_RUN} = 10 / (2 kHz x 2 ms) gives 2.5 steps, not a whole "
        "number (the run would end past n_time_constants / decay_rate); choose "
        "n_time_constants, decay_rate and dt so that the run is a whole number of "
        "steps dt",
    ),
    (
        "replay",
        False,
        {"n_time_constants": 20_000, "record_every": 20},
        {"n_time_constants": 20_000.002, "record_every": 20},
        f"replay: {RP_RUN} = 20000 / (1 Hz x 2 ms) gives 10,000,001 steps, more "
        "than the 10,000,000 allowed; lower n_time_constants or widen dt",
    ),
    (
        "replay",
        False,
        {"n_time_constants": 1000, "record_every": 1},
        {"n_time_constants": 1000, "record_every": 1, "decay_rate": "0.5 Hz"},
        "replay: n_time_constants / (decay_rate x dt x record_every) = 1000 / "
        "(0.5 Hz x 2 ms x 1) gives 1,000,000 states kept per run, more than the "
        "500,000 allowed; raise record_every",
    ),
    (
        "spectral_decay",
        False,
        {"active_fraction": 0.99},
        {"active_fraction": 0.995},
        "spectral_decay: active_fraction = 0.995 activates all 74 nodes of the "
        "default connectome, a uniform pattern with no mode but the mean; expected "
        "a fraction below (n_nodes - 0.5) / n_nodes = 0.9932",
    ),
    # Rates, concentrations and scales whose consequences are bounded.
    (
        "ei_network",
        False,
        {"rate_ext": "20 kHz"},
        {"rate_ext": "20.001 kHz"},
        _rule(
            "ei_network",
            "rate_ext",
            "a rate in [0, 1 / dt] = [0, 20000 Hz] (an external input fires at "
            "most once a step)",
            "20.001 kHz",
        ),
    ),
    *[
        (
            "ei_network",
            False,
            {name: good},
            {name: bad},
            f"ei_network: {name} holds 1e-09 mM, which gives a chloride reversal "
            f"potential of -679.5 mV against 110 mM outside; {RANGE_500}",
        )
        for name, good, bad in (
            ("Cl_in", "1e-6 mM", "1e-9 mM"),
            ("Cl_in_values", "7, 1e-6", "7, 1e-9"),
        )
    ],
    (
        "membrane_relaxation",
        False,
        {"Na_in": "0.5 mM"},
        {"Na_in": "1e-9 mM"},
        "membrane_relaxation: Na_out / Na_in = 145 mM / 1 pM at 37 degC gives a Na "
        f"reversal potential of 686.9 mV; {RANGE_500} (bring the two "
        "concentrations closer)",
    ),
    (
        "membrane_relaxation",
        False,
        {"temperature_celsius": 100},
        {"temperature_celsius": 100.001},
        _rule(
            "membrane_relaxation",
            "temperature_celsius",
            "a temperature in degC in (-273.15, 100] (above absolute zero, below "
            "boiling)",
            100.001,
        ),
    ),
    (
        "lateral_inhibition",
        False,
        {"norm_exponent": 100},
        {"norm_sigma": 1e-300},
        "lateral_inhibition: norm_sigma ** norm_exponent = 1e-300 ** 2 = 0 and "
        + NORM.format(2),
    ),
    (
        "lateral_inhibition",
        False,
        {"norm_exponent": 100},
        {"norm_exponent": 1e4},
        "lateral_inhibition: norm_sigma ** norm_exponent = 0.2 ** 10000 = 0 and "
        + NORM.format(10000),
    ),
]


@pytest.mark.parametrize(
    ("model", "quick", "good"),
    [row[:3] for row in LIMITS],
    ids=[f"{row[0]}-{i}" for i, row in enumerate(LIMITS)],
)
def test_a_size_at_its_limit_passes_check(model, quick, good):
    module = load_script(model)
    module.check(resolve_overrides(_resolved(module, quick), good, model))


@pytest.mark.parametrize(
    ("model", "quick", "bad", "message"),
    [(row[0], row[1], row[3], row[4]) for row in LIMITS],
    ids=[f"{row[0]}-{i}" for i, row in enumerate(LIMITS)],
)
def test_a_size_beyond_its_limit_is_refused_before_any_work(
    tmp_path, forbid_build, model, quick, bad, message
):
    module = forbid_build(model)
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        module.run(out, params=bad, quick=quick, device="numpy")
    assert not out.exists()


@pytest.mark.parametrize(
    ("model", "params", "message"),
    [
        # A population at its own limit passes its rule; the blocks of the
        # network then exceed the limit on all cells together.
        (
            "ei_network",
            {"N_E": 1_000_000},
            f"ei_network: {EI_CELLS} = (1000000 + 100) x (5 + 6) gives 11,001,100 "
            f"cells, more than the 1,000,000 allowed; {EI_ADVICE}",
        ),
        (
            "ei_network",
            {"N_I": 1_000_000},
            f"ei_network: {EI_CELLS} = (400 + 1000000) x (5 + 6) gives 11,004,400 "
            f"cells, more than the 1,000,000 allowed; {EI_ADVICE}",
        ),
        (
            "lateral_inhibition",
            {"N_assembly": 1_000_000},
            f"lateral_inhibition: {LI_CELLS} = 10 x (4 x 1000000 + 40) gives "
            f"40,000,400 cells, more than the 1,000,000 allowed; {LI_ADVICE}",
        ),
        (
            "lateral_inhibition",
            {"N_pool": 1_000_000},
            f"lateral_inhibition: {LI_CELLS} = 10 x (4 x 60 + 1000000) gives "
            f"10,002,400 cells, more than the 1,000,000 allowed; {LI_ADVICE}",
        ),
    ],
)
def test_a_population_at_its_limit_is_refused_for_the_cells_of_all_blocks(
    model, params, message
):
    module = load_script(model)
    p = resolve_overrides(module.PARAMETERS, params, model)
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        module.check(p)


@pytest.mark.parametrize(
    ("model", "setting", "message"),
    [
        (
            "replay",
            "decay_rate=2 kHz",
            f"replay: {RP_RUN} = 10 / (2 kHz x 2 ms) gives 2.5 steps, not a whole",
        ),
        ("replay", "gamma=1e308 Hz", "replay: parameter 'gamma' must be a rate in"),
        (
            "attractor",
            "cues_per_pattern=100000000",
            "attractor: parameter 'cues_per_pattern' must be an integer in [1, 1",
        ),
        (
            "ei_network",
            "N_E=1000000000",
            "ei_network: parameter 'N_E' must be an integer in [1, 1,000,000], got",
        ),
    ],
)
# Brian2 shows 1e308 Hz through a division that overflows (and warns).
@pytest.mark.filterwarnings("ignore:overflow encountered in divide:RuntimeWarning")
def test_command_line_reports_a_size_beyond_its_limit_in_one_line(
    capsys, tmp_path, forbid_build, model, setting, message
):
    module = forbid_build(model)
    out = tmp_path / "out"
    argv = ["--quick", "--device", "numpy", "--out", str(out), "--set", setting]
    with pytest.raises(SystemExit) as exit_info:
        module.main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith(f"{model}.py: error: {message}")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert list(out.iterdir()) == []
