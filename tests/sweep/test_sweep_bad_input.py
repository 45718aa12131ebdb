"""Bad sweep specs and command lines are refused before any point runs."""

import os
import time

import pytest

from neurorelax.cli import main
from neurorelax.sweep import load_spec, run_sweep, runner

M = "model: MODELS/fake_model.py\ndevice: numpy\n"


@pytest.mark.parametrize(
    "parameters",
    [
        "gain: {start: 1, stop: 2, num: 1000000000}",
        "gain: {start: 1, stop: 2, step: 1.0e-9}",
    ],
)
def test_too_many_values_per_parameter_are_refused(write_spec, parameters):
    with pytest.raises(ValueError, match=r"'gain': .*at most 100,000 values"):
        load_spec(write_spec(M + f"parameters:\n  {parameters}\n"))


def test_too_many_seeds_are_refused(write_spec):
    with pytest.raises(ValueError, match=r"seeds: count must be at most 100,000"):
        load_spec(write_spec(M + "seeds: {start: 0, count: 1000000000}\n"))


def test_too_large_a_grid_is_refused(write_spec):
    text = M + (
        "parameters:\n  gain: {start: 1, stop: 2, num: 1000}\n"
        "  delay: {start: 0, stop: 1, num: 1000}\n"
    )
    with pytest.raises(ValueError, match=r"1,000,000 points .*at most 100,000"):
        load_spec(write_spec(text))


@pytest.mark.parametrize(
    "values", ["n_steps: [true]", "gain: [true]", "gain: [null]", "gain: [[1, 2]]"]
)
def test_booleans_nulls_and_nested_lists_are_refused(write_spec, values):
    with pytest.raises(ValueError, match=r"expected a number or a quantity"):
        load_spec(write_spec(M + f"parameters:\n  {values}\n"))


@pytest.mark.parametrize("seeds", ["[1099511627776]", "{start: 4294967295, count: 2}"])
def test_seeds_beyond_32_bits_are_refused(write_spec, seeds):
    with pytest.raises(ValueError, match=r"seeds.*2\*\*32 - 1"):
        load_spec(write_spec(M + f"seeds: {seeds}\n"))


def test_a_unit_on_a_dimensionless_parameter_says_dimensionless(write_spec):
    text = M + "parameters:\n  gain: {start: 1, stop: 2, num: 2, unit: ms}\n"
    with pytest.raises(ValueError, match=r"'gain': is dimensionless.*'ms'"):
        load_spec(write_spec(text))
    with pytest.raises(ValueError, match=r"gain: expected a dimensionless"):
        load_spec(write_spec(M + 'parameters:\n  gain: ["5 ms"]\n'))


def test_output_must_be_a_folder_path(write_spec, tmp_path):
    with pytest.raises(ValueError, match=r"output must be a folder path.*5"):
        load_spec(write_spec(M + "output: 5\n"))
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(ValueError, match=r"output .*a_file' exists and is not a"):
        load_spec(write_spec(M + "output: a_file\n"))


@pytest.mark.parametrize(
    ("name", "match"),
    [('"a/b"', r"a plain name.*'a/b'"), ('""', "non-empty"), ("5", "5")],
)
def test_bad_names_are_refused(write_spec, name, match):
    with pytest.raises(ValueError, match=rf"name must .*{match}"):
        load_spec(write_spec(M + f"name: {name}\n"))


def test_repeated_metrics_are_refused(write_spec):
    with pytest.raises(ValueError, match=r"metrics must not repeat.*'noise'"):
        load_spec(write_spec(M + "metrics: [noise, response, noise]\n"))


def test_run_sweep_refuses_a_file_as_output(write_spec, tmp_path):
    (tmp_path / "somefile").write_text("x")
    with pytest.raises(ValueError, match=r"output .*somefile' exists and is not"):
        run_sweep(write_spec(M), output=tmp_path / "somefile")


def test_run_sweep_refuses_a_malformed_scheduler_address(write_spec):
    with pytest.raises(ValueError, match=r"scheduler must be an address.*'foo'"):
        run_sweep(write_spec(M), scheduler="foo")


@pytest.mark.parametrize("protocol", ["tls", "ucx", "ws"])
def test_run_sweep_refuses_protocols_other_than_tcp_at_once(write_spec, protocol):
    start = time.perf_counter()
    with pytest.raises(
        ValueError,
        match=rf"^scheduler must be a TCP address such as 'tcp://10.0.0.5:8786'; "
        rf"the {protocol}:// protocol needs settings the sweep runner does not "
        rf"take; got '{protocol}://127.0.0.1:1'$",
    ):
        run_sweep(write_spec(M), scheduler=f"{protocol}://127.0.0.1:1")
    # A hang guard, not a speed target: these used to wait for the timeout.
    assert time.perf_counter() - start < 20


def test_spec_file_errors_name_the_file(tmp_path):
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    with pytest.raises(ValueError, match=r"dir.yaml' is a directory"):
        load_spec(folder)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x81model")
    with pytest.raises(ValueError, match=r"binary.yaml' is not UTF-8 text"):
        load_spec(binary)
    broken = tmp_path / "broken.yaml"
    broken.write_text("model: [a, b\nseeds: 1\n")
    with pytest.raises(ValueError, match=r"broken.yaml' is not valid: line \d+, col"):
        load_spec(broken)
    with pytest.raises(ValueError) as info:
        load_spec(broken)
    assert "\n" not in str(info.value)


def _cli(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", *argv])
    return exit_info.value.code, capsys.readouterr().err


def test_cli_checks_the_plot_metric_before_running(write_spec, capsys):
    code, err = _cli(capsys, str(write_spec(M)), "--plot", "respnse", "gain")
    assert code == 2
    assert "neurorelax sweep: error: --plot: unknown metric 'respnse'" in err


def test_cli_checks_the_plot_axis_before_running(write_spec, capsys):
    text = M + "parameters:\n  gain: [1.0, 2.0]\n"
    code, err = _cli(capsys, str(write_spec(text)), "--plot", "response", "gian")
    assert code == 2
    assert "--plot: unknown parameter 'gian'" in err


def test_cli_refuses_a_file_as_out_and_a_bad_scheduler(write_spec, tmp_path, capsys):
    (tmp_path / "somefile").write_text("x")
    spec = str(write_spec(M))
    code, err = _cli(capsys, spec, "--out", str(tmp_path / "somefile"))
    assert code == 2
    assert "exists and is not a folder" in err
    code, err = _cli(capsys, spec, "--scheduler", "foo")
    assert code == 2
    assert "scheduler must be an address" in err


@pytest.fixture
def no_cluster(monkeypatch):
    """Fail the test if a cluster is started."""

    def refuse(*args, **kwargs):
        raise AssertionError("a cluster was started")

    monkeypatch.setattr(runner, "_cluster", refuse)


def test_run_sweep_refuses_an_output_below_a_file_before_the_cluster(
    write_spec, tmp_path, no_cluster
):
    (tmp_path / "somefile").write_text("x")
    with pytest.raises(
        ValueError,
        match=r"output .*somefile/sub' cannot be created: .*somefile' is a file, not "
        r"a folder; choose another sweep folder with --out or the spec's output",
    ):
        run_sweep(write_spec(M), output=tmp_path / "somefile" / "sub")


def test_run_sweep_refuses_an_unwritable_output_before_the_cluster(
    write_spec, tmp_path, monkeypatch, no_cluster
):
    # a read-only folder, as seen by a user who is not root
    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(runner.tempfile, "mkdtemp", read_only)
    with pytest.raises(
        ValueError,
        match=r"output .*new' is not a writable folder: Permission denied \(checked "
        r"in .*\); choose another sweep folder with --out",
    ):
        run_sweep(write_spec(M), output=tmp_path / "new")
    assert not (tmp_path / "new").exists()


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root may write into read-only folders",
)
def test_run_sweep_refuses_a_read_only_folder(write_spec, tmp_path, no_cluster):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(ValueError, match=r"output .*locked.* is not a writable"):
            run_sweep(write_spec(M), output=locked / "out")
    finally:
        locked.chmod(0o755)


def test_cli_refuses_an_unwritable_out_without_a_traceback(
    write_spec, tmp_path, capsys, no_cluster
):
    (tmp_path / "somefile").write_text("x")
    out = str(tmp_path / "somefile" / "sweep")
    code, err = _cli(capsys, str(write_spec(M)), "--no-progress", "--out", out)
    assert code == 2
    assert err.startswith("neurorelax sweep: error: output ")
    assert "--out" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    # the spec's own output is checked too
    spec = write_spec(M + f"output: {out}\n", "own.yaml")
    code, err = _cli(capsys, str(spec), "--no-progress")
    assert code == 2 and "cannot be created" in err


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (
            "PARAMETERS = {'a': 1.0}\nMETRICS = ('m',)\ndef run(out, **kw):\n"
            "    return {}\n",
            r"does not follow the model-script protocol \(it needs a NAME string",
        ),
        (
            "NAME = 'broken'\nPARAMETERS = {'a': 1.0\n",
            r"could not be imported: SyntaxError: ",
        ),
        ("raise SystemExit(3)\n", r"could not be imported: SystemExit: 3"),
        (
            "import a_package_that_is_not_installed\n",
            r"could not be imported: ModuleNotFoundError: No module named "
            r"'a_package_that_is_not_installed'",
        ),
    ],
)
def test_a_model_script_without_name_or_failing_on_import_is_refused(
    write_spec, tmp_path, script, message
):
    (tmp_path / "odd_model.py").write_text(script, encoding="utf-8")
    spec = write_spec("model: odd_model.py\ndevice: numpy\n")
    with pytest.raises(ValueError, match=rf"^model: '[^']*odd_model.py' {message}"):
        load_spec(spec)
