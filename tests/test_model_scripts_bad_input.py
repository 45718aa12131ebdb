"""Bad input to model scripts: refused with one clear line, before any work."""

import re

import pytest
from brian2 import Hz, cm, second, uA

from neurorelax.ion import SimulationDiverged
from neurorelax.scripting import (
    check_parameters,
    load_script,
    model_main,
    quantity_text,
    resolve_overrides,
)

MODEL_SCRIPTS = (
    "action_potential",
    "attractor",
    "ei_network",
    "graph_diffusion",
    "ion_vs_graph",
    "jacobi_relaxation",
    "lateral_inhibition",
    "membrane_relaxation",
    "replay",
    "spectral_decay",
)


def _fake_run(calls):
    def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
        calls.append({"out": out_dir, "params": params, "seed": seed})
        return {"metric": 1.0}

    return run


def _main(capsys, run, *argv):
    with pytest.raises(SystemExit) as exit_info:
        model_main("fake", run, list(argv))
    return exit_info.value.code, capsys.readouterr().err


def test_integer_parameters_accept_whole_numbers_and_refuse_fractions():
    defaults = {"n": 3, "x": 0.5}
    merged = resolve_overrides(defaults, {"n": "49", "x": "2"}, "fake")
    assert merged["n"] == 49 and type(merged["n"]) is int
    assert resolve_overrides(defaults, {"n": 7.0}, "fake")["n"] == 7
    assert type(resolve_overrides(defaults, {"n": "1e3"}, "fake")["n"]) is int
    with pytest.raises(ValueError, match=r"parameter 'n' of fake: expected an integer"):
        resolve_overrides(defaults, {"n": "1.5"}, "fake")
    with pytest.raises(ValueError, match=r"'n' of fake: 1e\+300 does not fit a 64-bit"):
        resolve_overrides(defaults, {"n": "1e300"}, "fake")


def test_action_potential_takes_an_integer_parameter_written_as_text():
    model = load_script("action_potential")
    merged = resolve_overrides(model.PARAMETERS, {"squid_n_I": "49"}, model.NAME)
    assert merged["squid_n_I"] == 49 and type(merged["squid_n_I"]) is int


def test_graph_diffusion_refuses_a_fractional_start_node(tmp_path):
    model = load_script("graph_diffusion")
    with pytest.raises(ValueError, match=r"'start_node' of graph_diffusion: expected"):
        model.run(tmp_path, params={"start_node": "1.5"}, quick=True)
    assert not (tmp_path / "graph_diffusion.h5").exists()


@pytest.mark.parametrize("seed", ["-1", "4294967296"])
def test_model_main_refuses_a_seed_outside_32_bits(capsys, tmp_path, seed):
    calls = []
    code, err = _main(capsys, _fake_run(calls), "--seed", seed, "--out", str(tmp_path))
    assert code == 2
    assert (
        f"error: --seed must be an integer in [0, 2**32 - 1 = 4294967295], got {seed}"
        in err
    )
    assert calls == []


def test_model_main_accepts_the_largest_seed(capsys, tmp_path):
    calls = []
    assert (
        model_main(
            "fake", _fake_run(calls), ["--seed", "4294967295", "--out", str(tmp_path)]
        )
        == 0
    )
    assert calls[0]["seed"] == 2**32 - 1


def test_model_main_refuses_an_out_that_is_a_file(capsys, tmp_path):
    calls = []
    somefile = tmp_path / "one.csv"
    somefile.write_text("x")
    code, err = _main(capsys, _fake_run(calls), "--out", str(somefile))
    assert code == 2
    assert f"error: --out {str(somefile)!r} exists and is not a folder" in err
    code, err = _main(capsys, _fake_run(calls), "--out", str(somefile / "below"))
    assert code == 2
    assert "is not a writable folder" in err
    assert calls == []
    assert "Traceback" not in err


def test_model_main_refuses_a_folder_in_place_of_the_result_file(capsys, tmp_path):
    calls = []
    (tmp_path / "fake.h5").mkdir()
    code, err = _main(capsys, _fake_run(calls), "--out", str(tmp_path))
    assert code == 2
    assert "the result file" in err and "is a folder" in err
    assert calls == []


def test_model_main_turns_a_value_error_of_run_into_one_line(capsys, tmp_path):
    def run(out_dir, **kwargs):
        raise ValueError("gamma must be > 0, got -1")

    code, err = _main(capsys, run, "--out", str(tmp_path))
    assert code == 2
    assert err == "fake.py: error: gamma must be > 0, got -1\n"


def test_model_main_reports_a_diverged_run_in_one_line(capsys, tmp_path):
    def run(out_dir, **kwargs):
        raise SimulationDiverged("variable 'v' of neuron 3 at t = 12.000 ms")

    code, err = _main(capsys, run, "--out", str(tmp_path))
    assert code == 1
    assert err == (
        "fake.py: error: the run diverged: variable 'v' of neuron 3 at t = 12.000 ms\n"
    )


def test_model_main_refuses_a_parameter_set_twice(capsys, tmp_path):
    calls = []
    argv = ("--set", "n=5", "--set", " n=6", "--out", str(tmp_path))
    code, err = _main(capsys, _fake_run(calls), *argv)
    assert code == 2
    assert "--set n is given twice ('5' and '6'); give each parameter once" in err
    assert calls == []


def test_model_main_refuses_an_empty_out(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    calls = []
    code, err = _main(capsys, _fake_run(calls), "--out", "")
    assert code == 2
    assert "--out '': expected a folder name (use --out . for the current" in err
    assert calls == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1e-300 * second, "1e-300 s"),
        (-2e30 * second, "-2e+30 s"),
        (40e-9 * second, "40 ns"),
        (0 * second, "0 s"),
    ],
)
def test_quantity_text_writes_values_beyond_brian2_prefixes_in_si(value, shown):
    assert quantity_text(value) == shown
    assert resolve_overrides({"t": 1 * second}, {"t": shown}, "m")["t"] == value


def test_spectral_decay_refuses_a_floor_that_leaves_modes_unfitted(tmp_path):
    model = load_script("spectral_decay")
    with pytest.raises(
        ValueError,
        match=r"^spectral_decay: the amplitudes of mode\(s\) 1, 2, .* never reach "
        r"two samples above fit_floor x \|m0\| = 0\.999 x [0-9.]+, so their decay "
        r"rates cannot be fitted; lower fit_floor \(default 1e-10\)$",
    ):
        model.run(tmp_path, params={"fit_floor": 0.999}, quick=True)
    assert not (tmp_path / "spectral_decay.h5").exists()


def test_model_script_with_unknown_parameter_exits_2(capsys, tmp_path):
    model = load_script("graph_diffusion")
    with pytest.raises(SystemExit) as exit_info:
        model.main(
            [
                "--quick",
                "--device",
                "numpy",
                "--out",
                str(tmp_path),
                "--set",
                "nosuch=1",
            ]
        )
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "graph_diffusion.py: error: unknown parameter 'nosuch'" in err
    assert "Traceback" not in err


def test_check_parameters_names_the_first_broken_rule():
    rules = {"a": (lambda v: v > 0, "a number > 0"), "b": (lambda v: v < 1, "< 1")}
    check_parameters({"a": 1, "b": 0}, rules, "fake")
    with pytest.raises(ValueError, match=r"fake: parameter 'b' must be < 1, got 5"):
        check_parameters({"a": 1, "b": 5}, rules, "fake")


@pytest.mark.parametrize(
    ("model", "params", "message"),
    [
        ("graph_diffusion", {"gamma": "0 Hz"}, r"'gamma' must be a rate in \(0, 1 /"),
        ("graph_diffusion", {"gamma": "-10 Hz"}, r"'gamma' must be a rate in .*-10"),
        ("graph_diffusion", {"dt": "0 ms"}, r"'dt' must be a time > 0"),
        ("graph_diffusion", {"fit_from": 2}, r"'fit_from' must be a fraction of the"),
        ("graph_diffusion", {"n_samples": 0}, r"'n_samples' must be an integer in"),
        ("graph_diffusion", {"start_node": -1}, r"'start_node' must be a node index"),
        (
            "graph_diffusion",
            {"gamma": "1 uHz"},
            r"n_time_constants / \(gamma x lambda_2 x dt\) = 8 / \(1 uHz x .* lower "
            "n_time_constants",
        ),
        (
            "graph_diffusion",
            {"fit_from": 0.99999999},
            r"fit_from = 0.99999999 with n_time_constants .* leaves 1 of the .* "
            "expected at least 2",
        ),
        ("spectral_decay", {"gamma": "0 Hz"}, r"'gamma' must be a rate in \(0, 1 /"),
        ("spectral_decay", {"active_fraction": 2}, r"'active_fraction' must be a fr"),
        ("spectral_decay", {"n_fit_modes": 0}, r"'n_fit_modes' must be an integer"),
        (
            "spectral_decay",
            {"gamma": "1 uHz"},
            r"n_time_constants / \(gamma x lambda_2 x dt\) = 1.5 / \(1 uHz",
        ),
        ("jacobi_relaxation", {"gamma": "0 Hz"}, r"'gamma' must be a rate in \(0,"),
        ("jacobi_relaxation", {"n_steps": 10**8}, r"'n_steps' must be an integer in"),
        ("jacobi_relaxation", {"fit_lower": 1e-7}, r"'fit_lower' must be a number in"),
        ("replay", {"decay_rate": "0 Hz"}, r"'decay_rate' must be a rate > 0"),
        ("replay", {"rest_duration": "200 ms"}, r"'rest_duration' must be a time in"),
        (
            "replay",
            {"n_time_constants": "1e9"},
            r"replay: n_time_constants / \(decay_rate x dt\) = 1e\+09",
        ),
        (
            "attractor",
            {"n_units": 10**6},
            r"'n_units' must be an integer in \[1, 10,000\]",
        ),
        ("attractor", {"n_units": 0}, r"'n_units' must be an integer in"),
        ("attractor", {"corruption": 2}, r"'corruption' must be a fraction in"),
        ("attractor", {"n_corruption_levels": 0}, r"'n_corruption_levels' must be"),
    ],
)
def test_graph_models_refuse_bad_parameters_before_running(
    tmp_path, model, params, message
):
    module = load_script(model)
    with pytest.raises(ValueError, match=message):
        module.run(tmp_path, params=params, quick=True, device="numpy")
    assert not (tmp_path / f"{model}.h5").exists()


def test_tuple_parameters_take_comma_separated_text():
    defaults = {"factors": (0, 0.5, 1), "tau": 2.0}
    for text in ("0, 2", "(0, 2)", "[0, 2]", " 0,2 ", "0, 2,"):
        assert resolve_overrides(defaults, {"factors": text}, "fake")["factors"] == (
            0.0,
            2.0,
        )
    assert resolve_overrides(defaults, {"factors": "(1,)"}, "fake")["factors"] == (1,)
    assert resolve_overrides(defaults, {"factors": "()"}, "fake")["factors"] == ()
    assert resolve_overrides(defaults, {"factors": [3, "4"]}, "fake")["factors"] == (
        3,
        4.0,
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0, x", "factors[1]: could not parse 'x'; expected a finite number"),
        ("0, nan", "factors[1]: 'nan' is not a finite number"),
        ("0, 1 nS", "factors[1]: expected a plain number without a unit, got 1."),
        (5, "factors: expected comma-separated values such as '(0, 0.5, 1)', got 5"),
        (",".join(["1"] * 1001), "factors: at most 1000 values, got 1001"),
    ],
)
def test_tuple_parameters_refuse_bad_items_by_position(value, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        resolve_overrides({"factors": (0, 0.5, 1)}, {"factors": value}, "fake")


def test_brian2_short_unit_names_are_accepted():
    defaults = {"duration": 1 * second, "I": 1 * uA / cm**2, "rate": 1 / second}
    merged = resolve_overrides(
        defaults, {"duration": "1.5 s", "I": "0.12 A/(m^2)", "rate": "10 mHz"}, "fake"
    )
    assert merged["duration"] == 1.5 * second
    assert float(merged["I"] / (uA / cm**2)) == pytest.approx(12)
    assert merged["rate"] == 0.01 * Hz


@pytest.mark.parametrize("name", MODEL_SCRIPTS)
def test_help_lists_every_parameter_as_set_takes_it(capsys, name):
    model = load_script(name)
    with pytest.raises(SystemExit) as exit_info:
        model.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    listing = text.split("parameters (default; with --quick in brackets")[1]
    rows = [line.split(None, 1) for line in listing.splitlines()[1:] if line.strip()]
    assert [key for key, _ in rows] == list(model.PARAMETERS)
    for key, shown in rows:
        default, _, quick = shown.partition("  [")
        for table, value in ((model.PARAMETERS, default), (model.QUICK, quick)):
            if key not in table or not value:
                continue
            parsed = resolve_overrides(
                model.PARAMETERS, {key: value.rstrip("]").strip()}, name
            )[key]
            expected = table[key]
            if isinstance(expected, tuple):
                assert parsed == pytest.approx(tuple(map(float, expected)))
            else:
                # In SI units (resolve_overrides has checked the dimensions).
                assert float(parsed) == pytest.approx(float(expected), rel=1e-12)
    set_example = re.search(r"--set '(\w+)=", text).group(1)
    assert set_example in model.PARAMETERS
