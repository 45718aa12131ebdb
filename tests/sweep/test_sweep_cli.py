"""`neurorelax sweep SPEC` on the shared cluster (through --scheduler), and
on its own LocalCluster in a subprocess for what reaches the terminal."""

import subprocess
import sys

import pytest

from neurorelax.cli import main
from neurorelax.sweep import read_table

pytestmark = pytest.mark.slow


def test_cli_runs_a_sweep_writes_csv_and_a_plot(client, write_spec, capsys):
    spec = write_spec("""
        model: MODELS/failing_model.py
        device: numpy
        parameters: {x: [-1.0, 1.0, 2.0]}
        """)
    address = client.scheduler.address

    status = main(
        [
            "sweep",
            str(spec),
            "--scheduler",
            address,
            "--format",
            "csv",
            "--out",
            str(spec.parent / "out"),
            "--plot",
            "square",
            "x",
        ]
    )

    printed = capsys.readouterr()
    assert status == 1  # one point failed
    assert "3 point(s): 3 run, 0 already finished, 1 failed" in printed.out
    assert "ValueError: x must be >= 0, got -1.0" in printed.out
    assert "3/3" in printed.err  # the progress bar
    table = read_table(spec.parent / "out" / "results.csv")
    assert table.column("square").to_pylist()[1:] == [1.0, 4.0]
    assert (spec.parent / "out" / "square_vs_x.png").stat().st_size > 0

    again = main(
        [
            "sweep",
            str(spec),
            "--scheduler",
            address,
            "--keep-failed",
            "--out",
            str(spec.parent / "out"),
            "--no-progress",
        ]
    )
    assert again == 1
    assert "0 run, 3 already finished, 1 failed" in capsys.readouterr().out


def test_cli_reports_a_bad_spec_before_running(write_spec, capsys):
    spec = write_spec("model: MODELS/failing_model.py\nparameters: {y: [1]}\n")

    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", str(spec)])

    assert exit_info.value.code == 2
    assert "unknown parameter 'y' for model 'failing_model'" in capsys.readouterr().err
    assert not (spec.parent / "spec_sweep").exists()


def test_cli_refuses_a_malformed_plot_request(write_spec, capsys):
    spec = write_spec("model: MODELS/failing_model.py\n")

    with pytest.raises(SystemExit, match="2"):
        main(["sweep", str(spec), "--plot", "square", "x", "y", "z"])

    assert "--plot expects METRIC X [Y], got 'square x y z'" in capsys.readouterr().err


def test_cli_refuses_log_without_plot_before_running(write_spec, capsys):
    spec = write_spec("model: MODELS/failing_model.py\n")

    with pytest.raises(SystemExit, match="2"):
        main(["sweep", str(spec), "--log"])

    assert "error: --log applies only with --plot METRIC X [Y]" in (
        capsys.readouterr().err
    )
    assert not (spec.parent / "spec_sweep").exists()


@pytest.mark.parametrize("verbose", [False, True])
def test_cli_shows_dask_info_logs_only_with_v(write_spec, verbose):
    spec = write_spec("""
        model: MODELS/failing_model.py
        device: numpy
        parameters: {x: [1.0]}
        """)
    command = [sys.executable, "-m", "neurorelax.cli"] + ["-v"] * verbose
    command += ["sweep", str(spec), "--workers", "1", "--no-progress"]
    command += ["--out", str(spec.parent / "out")]

    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False
    )

    assert done.returncode == 0, done.stderr
    assert "1 point(s): 1 run" in done.stdout
    # the LocalCluster's scheduler logs "State start" and "Scheduler at: ..."
    # at INFO; warnings (a busy port 8787 in this session) may show either way
    info = [line for line in done.stderr.splitlines() if line.startswith("INFO ")]
    if verbose:
        assert any(line.startswith("INFO distributed.scheduler") for line in info)
    else:
        assert not info, done.stderr


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--workers", "0"], "--workers must be an integer >= 1, got 0"),
        (["--scheduler", "foo"], "scheduler must be an address"),
        (["--out", "FILE"], "exists and is not a folder"),
    ],
)
def test_cli_argument_errors_come_without_a_progress_bar(
    write_spec, capsys, option, message
):
    spec = write_spec("model: MODELS/failing_model.py\nparameters: {x: [1, 2]}\n")
    (spec.parent / "FILE").write_text("not a folder")
    option = [str(spec.parent / "FILE") if o == "FILE" else o for o in option]

    with pytest.raises(SystemExit, match="2"):
        main(["sweep", str(spec), *option])

    err = capsys.readouterr().err
    assert message in err
    assert "0/2" not in err and "point/s" not in err
