"""Bad input to the connectome readers, generators, preparation and `graph`.

Each case was found by feeding the public API what a hurried user would;
every message is pinned to its wording.
"""

import re
from pathlib import Path

import numpy as np
import pytest

from neurorelax.cli import main
from neurorelax.cli.graph import _check_out
from neurorelax.connectome import (
    RawConnectome,
    generators,
    laplacian_spectrum,
    load,
    prepare,
    read,
    summarize,
)
from neurorelax.graph import GraphWarning


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("semicolons.csv", "0;1\n1;0\n"),  # Excel in a comma-decimal locale
        ("spaces.csv", "0 1\n1 0\n"),
    ],
)
def test_wrong_delimiter_names_the_file_and_the_delimiter(tmp_path, name, text):
    # Used to fail inside zip(..., strict=True) with no file name.
    with pytest.raises(ValueError, match=r"single field and no numbers.*delimiter"):
        read(write(tmp_path, name, text))


def test_row_labels_on_a_non_square_matrix_report_the_shape(tmp_path):
    path = write(tmp_path, "half.csv", "x,y\nx,0,1\n")
    with pytest.raises(
        ValueError, match=r"half\.csv: expected a square matrix.*\(1, 2\)"
    ):
        read(path)


def test_byte_order_mark_of_spreadsheets_is_ignored(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\n0,1\n1,0\n")
    assert read(path).labels == ["a", "b"]


def test_empty_matrix_is_refused(tmp_path):
    path = tmp_path / "empty.npy"
    np.save(path, np.zeros((0, 0)))
    with pytest.raises(
        ValueError, match=r"empty\.npy: empty matrix .*at least one node"
    ):
        read(path)


def test_directory_is_not_reported_as_missing(tmp_path):
    (tmp_path / "matrix.csv").mkdir()
    with pytest.raises(
        ValueError, match=r"'.*matrix\.csv' is a directory; expected a file"
    ):
        load(tmp_path / "matrix.csv")


def test_source_of_the_wrong_type():
    with pytest.raises(
        TypeError, match=r"source must be .*\(str or Path\), got NoneType"
    ):
        read(None)


@pytest.mark.parametrize("option", ["log_transform", "largest_component", "directed"])
def test_switches_must_be_bools(tmp_path, option):
    # A string such as "no" is truthy and used to switch the step on.
    path = write(tmp_path, "m.csv", "0,1\n1,0\n")
    with pytest.raises(ValueError, match=rf"{option} must be True or False, got 'no'"):
        load(path, **{option: "no"})


def test_prepare_switch_must_be_a_bool():
    raw = RawConnectome.from_arrays(np.array([[0.0, 1.0], [1.0, 0.0]]))
    with pytest.raises(
        ValueError, match=r"largest_component must be True or False, got 1"
    ):
        prepare(raw, largest_component=1)


def test_prepare_refuses_a_bare_array():
    with pytest.raises(
        TypeError, match=r"graph must be a RawConnectome or .*got ndarray"
    ):
        prepare(np.eye(3))


@pytest.mark.parametrize("function", [summarize, laplacian_spectrum])
def test_summary_functions_refuse_a_bare_array(function):
    with pytest.raises(
        TypeError, match=r"graph must be a neurorelax\.graph\.Graph, got ndarray"
    ):
        function(np.eye(3))


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("ring.xyz", r"--out '.*ring\.xyz': unknown image format '\.xyz'"),
        ("ring", r"unknown image format '\(none\)'"),
        ("", r"--out must name an image file"),
    ],
)
def test_plot_refuses_a_bad_out_before_any_work(tmp_path, capsys, out, message):
    path = str(tmp_path / out) if out else out
    with pytest.raises(SystemExit) as exit_info:
        main(["graph", "plot", "ring:5", "--out", path])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.count("error:") == 1
    with pytest.raises(ValueError, match=message):
        _check_out(Path(path))
    assert not list(tmp_path.iterdir())  # nothing written, not even ".png"


def test_plot_refuses_a_directory_and_a_file_as_folder(tmp_path, capsys):
    (tmp_path / "figure.png").mkdir()
    (tmp_path / "notes.txt").write_text("")
    for out, message in [
        (tmp_path / "figure.png", "is a directory; expected a file name"),
        (tmp_path / "notes.txt" / "g.png", "notes.txt' is a file, not a folder"),
    ]:
        with pytest.raises(SystemExit):
            main(["graph", "plot", "ring:5", "--out", str(out)])
        assert message in capsys.readouterr().err


def test_plot_leaves_no_partial_file(tmp_path):
    out = tmp_path / "sub" / "ring.svg"
    assert main(["graph", "plot", "ring:5", "--out", str(out)]) == 0
    assert [p.name for p in out.parent.iterdir()] == ["ring.svg"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: generators.ring(100_000_000),
            "ring: n must be at most 1,000,000 nodes, got 100,000,000",
        ),
        (
            lambda: generators.ring(1_000_000, neighbours=11),
            "ring: n * neighbours must be at most 10,000,000 edges, got 11,000,000",
        ),
        (
            lambda: generators.grid_2d(2000, 2000),
            "grid_2d: rows * cols must be at most 1,000,000 nodes, got 4,000,000",
        ),
        (
            lambda: generators.small_world(1_000_000, 40, 0.1),
            "small_world: n * k / 2 must be at most 10,000,000 edges, got 20,000,000",
        ),
        (
            lambda: generators.stochastic_block([1] * 1001, 0.5, 0.5),
            "stochastic_block: sizes must have at most 1,000 blocks, got 1,001",
        ),
        (
            lambda: generators.stochastic_block([10_000] * 100, 0.5, 0.0),
            "stochastic_block: the expected edge count must be at most 10,000,000 "
            "edges, got 2,499,750,000",
        ),
        (
            lambda: generators.random_geometric(2_000_000, 0.001),
            "random_geometric: n must be at most 1,000,000 nodes, got 2,000,000",
        ),
        (
            lambda: generators.random_geometric(1_000_000, 0.5),
            "random_geometric: the expected edge count must be at most 10,000,000",
        ),
    ],
)
def test_generators_refuse_graphs_too_large_to_build(call, message):
    # each used to run until the process was killed for memory
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_generators_at_their_limits_are_accepted(monkeypatch):
    assert generators.MAX_NODES == 1_000_000 and generators.MAX_EDGES == 10_000_000
    monkeypatch.setattr(generators, "MAX_NODES", 12)
    monkeypatch.setattr(generators, "MAX_EDGES", 24)
    monkeypatch.setattr(generators, "MAX_BLOCKS", 3)
    assert generators.ring(12, neighbours=2).n_edges == 24
    assert generators.grid_2d(3, 4).n_nodes == 12
    with pytest.warns(GraphWarning, match="3 connected components"):
        assert generators.stochastic_block([4, 4, 4], 1.0, 0.0).n_edges == 18
    with pytest.raises(ValueError, match=r"n must be at most 12 nodes, got 13"):
        generators.ring(13)
    with pytest.raises(ValueError, match=r"must be at most 24 edges, got 36"):
        generators.small_world(12, 6, 0.0)
    with pytest.raises(ValueError, match=r"at most 3 blocks, got 4"):
        generators.stochastic_block([3, 3, 3, 3], 1.0, 0.0)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("ring:100000000", "ring: n must be at most 1,000,000 nodes"),
        ("sbm:1000000000000x2,0.5,0.1", "BLOCKS must be at most 1,000, got 1,000,"),
        ("geometric:1000000,0.5", "the expected edge count must be at most"),
    ],
)
def test_cli_graph_info_refuses_a_huge_generator_spec_in_one_line(
    capsys, spec, message
):
    with pytest.raises(SystemExit) as exit_info:
        main(["graph", "info", spec])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("neurorelax graph: error: ")
    assert message in err and "Traceback" not in err
