"""A comparison run larger than the model scripts' limits is refused before any
work: `neurorelax compare` and `run_comparison` share `check_run_size`."""

import logging

import pytest

from neurorelax.bridge import comparison
from neurorelax.bridge.assembly import AssemblyParameters
from neurorelax.bridge.comparison import (
    RunSize,
    check_run_size,
    plan_protocol,
    run_comparison,
)
from neurorelax.cli import main
from neurorelax.connectome import generators


@pytest.fixture
def nothing_runs(monkeypatch):
    """Fail the test if a protocol is planned or a network built or run."""

    def fail(what):
        def refuse(*args, **kwargs):
            raise AssertionError(f"{what} must not be reached")

        return refuse

    for name, what in (
        ("plan_protocol", "planning the protocol"),
        ("build_assembly_network", "building the network"),
        ("_simulate", "the simulation"),
        ("run_comparison", "the comparison"),
    ):
        monkeypatch.setattr(comparison, name, fail(what))


def _compare(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", *argv])
    return exit_info.value.code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        # the tester's run: 3e9 time steps
        (
            ["ring:10", "--duration", "3e5 s"]
            + ["--bin", "35 ms", "--smoothing", "35 ms"],
            "--duration / dt = 300000 s / 0.1 ms gives 3,000,000,000 time steps, "
            "more than the 100,000,000 allowed; shorten --duration",
        ),
        # dt comes from the network's parameters
        (
            ["ring:10", "--duration", "2000", "--set", "dt=0.01 ms"],
            "--duration / dt = 2000 s / 0.01 ms gives 200,000,000 time steps, "
            "more than the 100,000,000 allowed; shorten --duration",
        ),
        (
            ["ring:10", "--duration", "1e308"],
            "--duration / dt = 1e+308 s / 0.1 ms gives 1e+312 time steps, more "
            "than the 100,000,000 allowed; shorten --duration",
        ),
        (
            ["ring:10000", "--neurons-per-node", "100"],
            "nodes x (--neurons-per-node + inhibitory per node) = 10000 x (100 + "
            "25) gives 1,250,000 cells, more than the 1,000,000 allowed; use "
            "fewer --neurons-per-node or a smaller graph",
        ),
        (
            ["ring:10", "--neurons-per-node", "5000"],
            "--neurons-per-node = 5000 gives about 1.78e+08 synapses on 10 nodes "
            "(roughly 11 GB); at most 100,000,000 synapses are allowed; use fewer "
            "neurons per node or a smaller graph",
        ),
        (
            ["ring:100", "--neurons-per-node", "400", "--duration", "300"],
            "cells x --duration / dt = 50,000 x 300 s / 0.1 ms gives "
            "150,000,000,000 cell-steps, more than the 100,000,000,000 allowed; "
            "shorten --duration or use fewer --neurons-per-node or a smaller graph",
        ),
        (
            ["ring:1000", "--neurons-per-node", "2", "--duration", "500"],
            "nodes x --duration / --bin = 1000 x 500 s / 1 ms gives 500,000,000 "
            "recorded rate bins, more than the 100,000,000 allowed; widen --bin or "
            "shorten --duration",
        ),
        (
            ["ring:1000", "--neurons-per-node", "2", "--duration", "500"]
            + ["--bin", "35 ms", "--smoothing", "35 ms"],
            "nodes x --duration / 1 ms (the stimulus table's step) = 1000 x 500 s / "
            "1 ms gives 500,000,000 stimulus-table values, more than the "
            "100,000,000 allowed; shorten --duration or use a smaller graph",
        ),
    ],
)
def test_cli_refuses_a_run_beyond_the_limits_before_any_work(
    capsys, caplog, tmp_path, nothing_runs, argv, message
):
    out = tmp_path / "out"
    code, err = _compare(capsys, "--device", "numpy", "--out", str(out), *argv)

    assert code == 2
    assert err == f"neurorelax compare: error: {message}\n"
    assert "may take hours" not in caplog.text
    assert not out.exists()


def test_cli_warns_once_of_an_allowed_long_run(capsys, caplog, tmp_path):
    somefile = tmp_path / "somefile"
    somefile.write_text("x")
    argv = ["ring:10", "--device", "numpy", "--duration", "1000"]
    code, err = _compare(capsys, *argv, "--out", str(somefile))

    assert code == 2
    assert "exists and is not a folder" in err
    warnings = [r for r in caplog.records if "may take hours" in r.getMessage()]
    assert len(warnings) == 1
    assert (
        warnings[0]
        .getMessage()
        .startswith("--duration 1000 s: simulating 1000 s of 500 neurons")
    )


def test_cli_plans_the_protocol_once_so_its_warning_shows_once(
    capsys, caplog, tmp_path, monkeypatch
):
    """The one-round warning of plan_protocol used to show twice: the run
    planned the protocol again after the command line's check."""
    runs = []

    def stop(weights, protocol, *args):
        runs.append(protocol)
        raise ValueError("stopped before building")

    monkeypatch.setattr(comparison, "_simulate", stop)
    argv = ["ring:10", "--device", "numpy", "--duration", "3", "--no-progress"]
    with caplog.at_level(logging.WARNING):
        code, err = _compare(capsys, *argv, "--out", str(tmp_path / "out"))

    assert code == 2
    assert "stopped before building" in err
    assert [protocol.repetitions for protocol in runs] == [1]
    rounds = [r for r in caplog.records if "gives one round" in r.getMessage()]
    assert len(rounds) == 1


def test_library_refuses_the_same_runs_before_planning(nothing_runs):
    # nothing_runs replaced the module's run_comparison; the imported one is real
    with pytest.raises(
        ValueError,
        match=r"^duration / dt = 300000 s / 0\.1 ms gives 3,000,000,000 time "
        r"steps, more than the 100,000,000 allowed; shorten duration$",
    ):
        run_comparison(
            generators.ring(10),
            duration_=3e5,
            bin_width_=35e-3,
            smoothing_width_=35e-3,
        )
    with pytest.raises(
        ValueError,
        match=r"^n_nodes x \(neurons_per_node \+ inhibitory per node\) = 10000 x "
        r"\(100 \+ 25\) gives 1,250,000 cells, more than the 1,000,000 allowed; "
        r"use fewer neurons_per_node or a smaller graph$",
    ):
        run_comparison(generators.ring(10_000), neurons_per_node=100, duration_=5.0)


def test_library_checks_a_given_protocol_before_building(monkeypatch):
    protocol = plan_protocol(10, 20_000.0)

    def fail(*args, **kwargs):
        raise AssertionError("the simulation must not start")

    monkeypatch.setattr(comparison, "_simulate", fail)
    with pytest.raises(
        ValueError,
        match=r"^duration / dt = 19999\.5 s / 0\.1 ms gives 199,995,000 time "
        r"steps, more than the 100,000,000 allowed; shorten duration$",
    ):
        run_comparison(
            generators.ring(10),
            protocol=protocol,
            bin_width_=35e-3,
            smoothing_width_=35e-3,
        )


def test_check_run_size_returns_the_counts_of_an_allowed_run():
    weights = generators.ring(10).weights
    size = check_run_size(weights, AssemblyParameters(), 20.0, 1e-3)

    assert size == RunSize(
        cells=500,
        synapses=comparison.estimated_synapses(weights, AssemblyParameters()),
        time_steps=pytest.approx(200_000),
    )


def test_check_run_size_counts_past_the_largest_float():
    from brian2 import second

    weights = generators.ring(10).weights
    # 500 cells x 1e308 s overflows a float, 500 x 1e308 s / 1e300 s does not:
    # 5e10 cell-steps are allowed; the rate bins are refused, in powers of ten
    params = AssemblyParameters(dt=1e300 * second, n_background=0)
    with pytest.raises(
        ValueError,
        match=r"^n_nodes x duration / bin_width = 10 x 1e\+308 s / 30 ms gives "
        r"3\.33e\+310 recorded rate bins",
    ):
        check_run_size(weights, params, 1e308, 30e-3)


def test_check_run_size_refuses_a_time_step_of_zero():
    # AssemblyParameters refuses a negative dt, but takes 0
    from brian2 import ms

    params = AssemblyParameters(dt=0 * ms)
    with pytest.raises(ValueError, match=r"^dt must be a finite number > 0"):
        check_run_size(generators.ring(10).weights, params, 20.0, 1e-3)


def test_the_pool_counts_in_cells_and_synapses():
    weights = generators.ring(10).weights
    with pytest.raises(
        ValueError,
        match=r"neurons_per_node = 40 and pool_size = 2000000 gives about 3\.2e\+08 "
        r"synapses .* use fewer neurons per node, a smaller pool or a smaller graph$",
    ):
        check_run_size(weights, AssemblyParameters(pool_size=2_000_000), 20.0, 1e-3)
    size = check_run_size(weights, AssemblyParameters(pool_size=100), 20.0, 1e-3)
    assert size.cells == 600
