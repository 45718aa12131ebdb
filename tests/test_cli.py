"""The top-level command line: version, sub-command options."""

import pytest

from neurorelax import __version__
from neurorelax.cli import build_parser, main


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"neurorelax {__version__}"


def test_compare_accepts_no_progress_like_figures_and_sweep():
    parser = build_parser()

    for command in (["compare"], ["figures"], ["sweep", "spec.yaml"]):
        assert parser.parse_args(command + ["--no-progress"]).no_progress
        assert not parser.parse_args(command).no_progress


def test_compare_help_names_the_default_connectome(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])

    help_text = capsys.readouterr().out
    assert "default, tvb76" in " ".join(help_text.split())
    assert "inhibitory" in help_text


def test_graph_structure_warnings_are_reported_once_as_a_log_line(
    tmp_path, caplog, recwarn
):
    from neurorelax.graph import GraphWarning

    path = tmp_path / "two.csv"
    path.write_text("0,1,0,0\n1,0,0,0\n0,0,0,2\n0,0,2,0\n", encoding="utf-8")

    assert main(["graph", "info", str(path)]) == 0

    logged = [r for r in caplog.records if "connected components" in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelname == "WARNING"
    assert not [w for w in recwarn if issubclass(w.category, GraphWarning)]
