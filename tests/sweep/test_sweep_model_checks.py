"""A sweep applies its model's own checks to every grid point before it starts.

A model script's ``check(p)`` refuses parameters that cannot run; its ``run``
calls it on ``PARAMETERS`` (updated by ``QUICK`` with ``quick``) updated by
the overrides. ``load_spec`` does the same for every parameter combination
of the grid, so that a bad point is refused, naming its values and the
script's message, before any cluster starts or any point runs. Scripts
without a ``check`` (the stand-in models of these tests) are not affected.
"""

import re
import textwrap
import time

import pytest

from neurorelax.cli import main
from neurorelax.scripting import load_script
from neurorelax.sweep import load_spec, run_sweep, runner

REPLAY = "model: replay\ndevice: numpy\nquick: true\n"
BAD_DECAY = (
    "spec: the point decay_rate = -1 Hz fails the checks of model 'replay': "
    "replay: parameter 'decay_rate' must be a rate > 0 (such as '1 Hz'), got "
    "-1. Hz"
)


@pytest.fixture
def no_cluster(monkeypatch):
    """Fail the test if a cluster is started."""

    def refuse(*args, **kwargs):
        raise AssertionError("a cluster was started")

    monkeypatch.setattr(runner, "_cluster", refuse)


def test_a_point_that_fails_the_model_check_is_refused(write_spec):
    spec = write_spec(REPLAY + 'parameters:\n  decay_rate: ["-1 Hz", "1 Hz"]\n')
    with pytest.raises(ValueError, match=rf"^{re.escape(BAD_DECAY)}$"):
        load_spec(spec)


def test_a_point_refused_for_several_parameters_names_them_all(write_spec):
    spec = write_spec(
        REPLAY
        + textwrap.dedent(
            """\
            parameters:
              decay_rate: ["1 Hz", "2 kHz"]
              n_time_constants: [10, 20]
            """
        )
    )
    message = (
        "spec: the point decay_rate = 2 kHz, n_time_constants = 10 fails the "
        "checks of model 'replay': replay: n_time_constants / (decay_rate x dt) = "
        "10 / (2 kHz x 2 ms) gives 2.5 steps, not a whole number (the run would "
        "end past n_time_constants / decay_rate); choose n_time_constants, "
        "decay_rate and dt so that the run is a whole number of steps dt"
    )
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        load_spec(spec)


def test_a_spec_of_good_points_still_loads(write_spec):
    text = REPLAY + 'parameters:\n  decay_rate: ["0.5 Hz", "1 Hz"]\nseeds: [0, 1]\n'
    spec = load_spec(write_spec(text))
    assert spec.model_name == "replay"
    assert spec.n_points == 4
    assert [float(v) for v in spec.parameters["decay_rate"]] == [0.5, 1.0]


def test_the_quick_values_are_checked_with_each_point(write_spec):
    text = "model: ei_network\ndevice: numpy\nparameters:\n  K_E: [40, 300]\n"
    # N_E is 400 by default: an in-degree of 300 is fine ...
    assert load_spec(write_spec(text)).n_points == 2
    # ... but --quick makes it 240.
    message = (
        "spec: the point K_E = 300 fails the checks of model 'ei_network': "
        "ei_network: parameter 'K_E' must be an integer in [1, N_E] = [1, 240], "
        "got 300"
    )
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        load_spec(write_spec(text + "quick: true\n"))


def test_a_list_valued_parameter_is_refused_as_a_sweep_axis(write_spec):
    text = (
        "model: ei_network\ndevice: numpy\n"
        'parameters:\n  w_inh_factors: ["0, 1", "0, 1, 2"]\n'
    )
    message = (
        "parameter 'w_inh_factors' takes a list of values itself (its default is "
        "(0, 0.25, 0.5, 1, 2)), and a sweep varies one number or quantity per "
        "parameter; write one spec per list instead"
    )
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        load_spec(write_spec(text))


def test_check_runs_once_per_combination_on_the_merged_parameters(write_spec, tmp_path):
    model = tmp_path / "checked.py"
    model.write_text(
        textwrap.dedent(
            """\
            NAME = "checked"
            PARAMETERS = {"a": 1.0, "b": 2, "c": 3.0}
            QUICK = {"c": 30.0}
            METRICS = ("m",)
            SEEN = []


            def check(p):
                SEEN.append(dict(p))


            def run(out_dir, *, params=None, seed=0, quick=False, device="numpy"):
                return {"m": 0.0}
            """
        ),
        encoding="utf-8",
    )
    text = (
        "model: checked.py\ndevice: numpy\nquick: true\nseeds: [0, 1, 2]\n"
        "parameters:\n  a: [1, 2]\n  b: [5, 6, 7]\n"
    )
    spec = load_spec(write_spec(text))
    assert spec.n_points == 18
    seen = load_script(model).SEEN
    # Once per combination (not per seed), with QUICK merged in, in grid order.
    assert seen == [{"a": a, "b": b, "c": 30.0} for a in (1.0, 2.0) for b in (5, 6, 7)]
    assert all(type(p["b"]) is int for p in seen)


def test_a_large_grid_is_checked_quickly(write_spec):
    text = (
        "model: replay\ndevice: numpy\nparameters:\n"
        "  gamma: {start: 0.01, stop: 10, num: 5000, unit: Hz}\n"
    )
    started = time.perf_counter()
    assert load_spec(write_spec(text)).n_points == 5000
    # About 0.1 ms a point; generous for a busy machine.
    assert time.perf_counter() - started < 30


def test_run_sweep_refuses_a_bad_point_before_starting_a_cluster(
    write_spec, no_cluster
):
    spec = write_spec(REPLAY + 'parameters:\n  decay_rate: ["-1 Hz", "1 Hz"]\n')
    with pytest.raises(ValueError, match=rf"^{re.escape(BAD_DECAY)}$"):
        run_sweep(spec)


def test_cli_exits_2_on_a_bad_point_before_starting_a_cluster(
    write_spec, capsys, no_cluster
):
    spec = write_spec(REPLAY + 'parameters:\n  decay_rate: ["-1 Hz", "1 Hz"]\n')
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", str(spec), "--no-progress"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert f"neurorelax sweep: error: {BAD_DECAY}" in err
    assert "Traceback" not in err
    assert not (spec.parent / "spec_sweep").exists()
