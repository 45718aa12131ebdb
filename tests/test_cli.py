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
