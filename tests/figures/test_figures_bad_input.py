"""Bad `neurorelax figures` options are refused at startup, before any model."""

import os

import pytest

from neurorelax.cli import main as cli_main
from neurorelax.cli.figures import check_options, run_figures


@pytest.fixture
def empty_scripts(tmp_path, monkeypatch):
    """Empty model and figure folders, so that nothing could run anyway."""
    for name in ("models", "figures"):
        (tmp_path / name).mkdir()
    monkeypatch.setenv("NEURORELAX_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("NEURORELAX_FIGURES_DIR", str(tmp_path / "figures"))
    return tmp_path


def _figures(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["figures", "--device", "numpy", "--no-progress", *argv])
    return exit_info.value.code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--seed", "-1"],
            "--seed must be an integer in [0, 2**32 - 1 = 4294967295], got -1",
        ),
        (
            ["--seed", "99999999999"],
            "--seed must be an integer in [0, 2**32 - 1 = 4294967295], got 99999999999",
        ),
        (["--jobs", "0"], "--jobs must be a positive integer, got 0"),
        (["--jobs", "100000"], "--jobs must be at most"),
    ],
)
def test_cli_refuses_bad_seed_and_jobs(empty_scripts, capsys, argv, message):
    out = empty_scripts / "out"
    code, err = _figures(capsys, "--out", str(out), *argv)
    assert code == 2
    assert f"neurorelax figures: error: {message}" in err
    assert not out.exists()


def test_cli_refuses_a_file_as_out(empty_scripts, capsys):
    somefile = empty_scripts / "somefile"
    somefile.write_text("x")
    code, err = _figures(capsys, "--out", str(somefile))
    assert code == 2
    assert "--out" in err and "exists and is not a folder" in err
    code, err = _figures(capsys, "--out", str(somefile / "below"))
    assert code == 2
    assert "--out" in err and "is not a writable folder" in err
    assert "Traceback" not in err


def test_check_options_names_the_argument(tmp_path):
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\*\*32"):
        check_options(tmp_path, 2**40, 1)
    limit = 4 * (os.cpu_count() or 1)
    with pytest.raises(ValueError, match=rf"jobs must be at most {limit} .*got"):
        check_options(tmp_path, 0, limit + 1)
    with pytest.raises(ValueError, match=r"jobs must be a positive integer"):
        check_options(tmp_path, 0, 1.5)


def test_run_figures_checks_before_any_work(empty_scripts):
    with pytest.raises(
        ValueError,
        match=r"seed must be an integer in \[0, 2\*\*32 - 1 = 4294967295\], got -1",
    ):
        run_figures(empty_scripts / "out", seed=-1)
    assert not (empty_scripts / "out").exists()


@pytest.mark.parametrize("report", ["report.json", "report.md"])
def test_a_folder_in_place_of_a_report_is_refused_before_any_work(
    empty_scripts, capsys, report
):
    out = empty_scripts / "fo"
    (out / report).mkdir(parents=True)
    with pytest.raises(ValueError, match=rf"the report path .*{report}' exists and"):
        check_options(out, 0, 1)
    code, err = _figures(capsys, "--out", str(out))
    assert code == 2
    assert f"error: --out {str(out)!r}: the report path" in err
    assert "is not a file" in err
    assert "Traceback" not in err


def test_a_figure_script_refuses_only(capsys):
    from neurorelax.cli.figures import figure_main

    with pytest.raises(SystemExit) as stop:
        figure_main("fig04_lateral_inhibition", ["--only", "fig01", "--quick"])
    assert stop.value.code == 2
    assert (
        "--only does not apply to a figure script, which makes "
        "fig04_lateral_inhibition only; got --only fig01" in capsys.readouterr().err
    )
