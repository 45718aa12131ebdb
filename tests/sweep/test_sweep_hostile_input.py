"""Hostile or odd spec values are refused early, with short messages.

Nested YAML aliases, values of kinds a sweep cannot use (dates, sets, bytes),
NUL characters, absurd worker counts and repeated plot axes: each is refused
by ``load_spec``, ``run_sweep`` or the command line before any point runs.
"""

import datetime
import os
import textwrap
import time
from pathlib import Path

import pytest

from neurorelax.cli import main
from neurorelax.sweep import load_spec, plot_metric, run_sweep, runner
from neurorelax.sweep.spec import MAX_ALIAS_NODES

M = "model: MODELS/fake_model.py\ndevice: numpy\n"
FAKE_MODEL = Path(__file__).parent / "models" / "fake_model.py"


def _bomb(levels, width=10):
    """A YAML flow list of ``levels`` nested aliases, each repeated ``width`` times."""
    inner = "[" + ", ".join(["x"] * width) + "]"
    for level in range(levels):
        inner = f"[&a{level} {inner}" + f", *a{level}" * (width - 1) + "]"
    return inner


@pytest.fixture
def no_cluster(monkeypatch):
    """Fail the test if a cluster is started."""

    def refuse(*args, **kwargs):
        raise AssertionError("a cluster was started")

    monkeypatch.setattr(runner, "_cluster", refuse)


def _cli(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", *argv])
    return exit_info.value.code, capsys.readouterr().err


def test_nested_aliases_are_refused_quickly(write_spec):
    bomb = _bomb(8)
    assert len(bomb.encode()) < 500
    spec = write_spec(M.replace("numpy", bomb))
    start = time.perf_counter()
    with pytest.raises(
        ValueError,
        match=r"spec.yaml' is not valid: .*aliases \(\*name\) expand to "
        r"1,111,111,1\d\d nodes .*at most 10,000",
    ):
        load_spec(spec)
    assert time.perf_counter() - start < 20  # a hang guard


def test_nested_aliases_give_a_short_cli_error(write_spec, capsys):
    code, err = _cli(capsys, str(write_spec(M.replace("numpy", _bomb(8)))))
    assert code == 2
    assert err.startswith("neurorelax sweep: error: spec file ")
    assert "Traceback" not in err and len(err) < 500


def test_a_few_aliases_are_fine(write_spec):
    text = M + "parameters:\n  gain: &g [1.0, 2.0]\n  delay: *g\n"
    spec = load_spec(write_spec(text))
    assert spec.parameters["gain"] == spec.parameters["delay"] == [1.0, 2.0]
    assert MAX_ALIAS_NODES >= 1_000


def test_a_recursive_alias_is_refused(write_spec):
    with pytest.raises(ValueError, match=r"is not valid: .*alias refers to a node"):
        load_spec(write_spec(M + "parameters:\n  gain: &g [1.0, *g]\n"))


def test_deep_nesting_is_refused(write_spec):
    deep = "[" * 50_000 + "]" * 50_000
    with pytest.raises(ValueError, match=r"spec.yaml' is nested too deeply"):
        load_spec(write_spec(M + f"parameters:\n  gain: {deep}\n"))


def test_a_huge_device_value_gives_a_short_message():
    value = [["x"] * 1000] * 1000  # a million items, shared
    with pytest.raises(ValueError, match=r"device must be one of") as info:
        load_spec({"model": str(FAKE_MODEL), "device": value})
    assert len(str(info.value)) < 300


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ("[2020-01-01]", "date"),
        ("[2001-12-14t21:59:43.10-05:00]", "datetime"),
        ("!!set {a, b}", "set"),
        ("[!!set {a, b}]", "set"),
        ("!!binary aGVsbG8=", "bytes"),
        ("{values: [2020-01-01]}", "date"),
        ("{start: 2020-01-01, stop: 2020-02-01, num: 2}", "date"),
    ],
)
def test_dates_sets_and_bytes_are_refused_by_name(write_spec, values, kind):
    with pytest.raises(
        ValueError, match=rf"gain[.a-z]*: expected a number or a quantity .*got {kind} "
    ):
        load_spec(write_spec(M + f"parameters:\n  gain: {values}\n"))


def test_toml_datetimes_are_refused_by_name(write_spec):
    text = textwrap.dedent("""\
        model = "MODELS/fake_model.py"
        device = "numpy"
        [parameters]
        gain = [1979-05-27T07:32:00Z]
        """)
    with pytest.raises(ValueError, match=r"gain: expected a number .*got datetime "):
        load_spec(write_spec(text, "spec.toml"))


def test_values_of_a_none_default_must_be_plain(tmp_path):
    script = tmp_path / "loose_model.py"
    script.write_text(
        textwrap.dedent("""\
            NAME = "loose_model"
            PARAMETERS = {"mode": None}
            METRICS = ("one",)


            def run(out_dir, *, params=None, seed=0, quick=False, device="numpy"):
                return {"one": 1.0}
            """)
    )
    spec = {"model": str(script), "device": "numpy"}
    assert load_spec({**spec, "parameters": {"mode": ["a", 1, None]}}).n_points == 3
    with pytest.raises(
        ValueError, match=r"parameter 'mode': expected a number, text.*got date "
    ):
        load_spec({**spec, "parameters": {"mode": [datetime.date(2020, 1, 1)]}})


@pytest.mark.parametrize("name", ['"a\\0b"', '"a\\\\b"'])
def test_names_with_nul_or_separators_are_refused(write_spec, name):
    with pytest.raises(ValueError, match=r"name must be a plain name .*NUL.*'a\\"):
        load_spec(write_spec(M + f"name: {name}\n"))


def test_an_output_with_nul_or_too_long_is_refused(write_spec):
    with pytest.raises(ValueError, match=r"output must be .*without a NUL.*'a\\x00b'"):
        load_spec(write_spec(M + 'output: "a\\0b"\n'))
    with pytest.raises(ValueError, match=r"output '.*aaa.*' cannot be used as a fol"):
        load_spec(write_spec(M + f"output: {'a' * 5000}\n"))


def test_run_sweep_refuses_an_output_with_nul(write_spec, no_cluster):
    with pytest.raises(ValueError, match=r"output must be .*without a NUL"):
        run_sweep(write_spec(M), output="a\0b")


def test_run_sweep_caps_the_workers(write_spec, no_cluster):
    cap = runner.WORKERS_PER_CPU * (os.cpu_count() or 1)
    with pytest.raises(
        ValueError,
        match=rf"n_workers must be at most {cap} \(4 x \d+ CPUs\), got 100,000",
    ):
        run_sweep(write_spec(M), n_workers=100_000)
    with pytest.raises(ValueError, match=r"n_workers must be an integer >= 1.*'2'"):
        run_sweep(write_spec(M), n_workers="2")


def test_cli_caps_the_workers_before_loading_the_spec(tmp_path, capsys, no_cluster):
    missing = str(tmp_path / "missing.yaml")  # not read: --workers comes first
    code, err = _cli(capsys, missing, "--workers", "100000")
    assert code == 2
    assert "neurorelax sweep: error: --workers must be at most " in err
    assert "got 100,000" in err and "Traceback" not in err


def test_cli_refuses_the_same_plot_axis_twice(write_spec, capsys, no_cluster):
    text = M + "parameters:\n  gain: [1.0, 2.0]\n"
    argv = [str(write_spec(text)), "--plot", "response", "gain", "gain"]
    code, err = _cli(capsys, *argv)
    assert code == 2
    assert "--plot: the axes X and Y must be two different parameters" in err
    assert "got 'gain' twice" in err


def test_plot_metric_refuses_the_same_axis_twice():
    with pytest.raises(ValueError, match=r"y must be a parameter other than x.*'g'"):
        plot_metric("unused.parquet", "response", "g", "g")
