"""`neurorelax graph info|plot` on built-in names, generator specs and files."""

import json
import os
import subprocess
import sys

import pytest

from neurorelax.cli import EXIT_BROKEN_PIPE, main


def test_info_prints_every_quantity(capsys):
    assert main(["graph", "info", "ring:8"]) == 0

    out = capsys.readouterr().out
    assert "nodes:        8" in out
    assert "edges:        8 (undirected)" in out
    assert "density:      0.2857" in out  # 8 of 28 pairs
    assert "weights:      1 .. 1" in out
    assert "symmetric:    yes" in out
    assert "components:   1" in out
    # Ring C_8: eigenvalues 2 - 2 cos(2 pi k / 8); lambda_2 = 2 - sqrt 2.
    assert "lambda_2:     0.585786" in out
    assert "lambda_max:   4" in out


def test_info_json_on_the_default_connectome(capsys):
    assert main(["graph", "info", "default", "--json"]) == 0

    summary = json.loads(capsys.readouterr().out)
    assert (summary["nodes"], summary["edges"], summary["components"]) == (74, 881, 1)
    assert summary["symmetric"] and summary["weight_max"] == 1.0
    assert 0.0 < summary["lambda_2"] < summary["lambda_max"]


def test_info_with_preparation_options_on_a_file(tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_text("0,4,0\n2,0,0\n0,0,0\n")

    main(["graph", "info", str(path), "--symmetrise", "max", "--largest-component"])

    out = capsys.readouterr().out
    assert "nodes:        2" in out and "weights:      4 .. 4" in out


def test_info_reports_directed_raw_connectome(capsys):
    main(["graph", "info", "tvb76"])

    out = capsys.readouterr().out
    assert "edges:        1494 (directed)" in out
    assert "symmetric:    no" in out
    assert "components:   3 (largest 74 nodes, 2 isolated)" in out
    assert "of the symmetrised graph" in out


def test_plot_writes_an_image(tmp_path, capsys):
    out = tmp_path / "figs" / "default.png"

    assert main(["graph", "plot", "default", "--out", str(out)]) == 0

    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 10_000
    assert f"wrote {out}" in capsys.readouterr().out


def test_plot_default_name_in_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    main(["graph", "plot", "grid:3x3"])

    assert (tmp_path / "grid3x3.png").stat().st_size > 0


def test_bad_graph_is_a_command_line_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["graph", "info", str(tmp_path / "absent.csv")])

    assert exit_info.value.code == 2
    assert "neurorelax graph: error: source" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--json"], []])
def test_info_into_a_closed_pipe_exits_quietly(extra):
    # `neurorelax graph info ... | head -1`, made deterministic: the reader
    # has gone before the command writes anything
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "neurorelax.cli", "graph", "info", "ring:8"] + extra,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)

    assert done.returncode == EXIT_BROKEN_PIPE == 141
    assert "BrokenPipeError" not in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
