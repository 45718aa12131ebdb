"""The remaining error messages of the readers, each pinned to its wording."""

import bz2
import zipfile

import networkx as nx
import numpy as np
import pytest
from connectome_files import LABELS, WEIGHTS, write_tvb_zip

from neurorelax.connectome import generators, laplacian_spectrum, read, summary, tvb


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.csv", "# only a comment\n\n", r"empty\.csv: no data lines"),
        ("header.csv", "A,B\n", r"header\.csv: a header line but no data lines"),
        (
            "mixed.csv",
            "A,1\n0,1\n1,0\n",
            r"mixed\.csv, line 1, column 1: expected a number, got 'A'",
        ),
        (
            "one.edges",
            "a b 1 extra\n",
            r"one\.edges, line 1: 4 fields; expected 'source target' or",
        ),
        ("none.edges", "# nothing\n", r"none\.edges: no edge lines"),
    ],
)
def test_text_file_errors(tmp_path, name, text, message):
    with pytest.raises(ValueError, match=message):
        read(write(tmp_path, name, text))


def test_non_utf8_text(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"0,1\n1,0\xff\n")
    with pytest.raises(ValueError, match=r"latin\.csv: byte 7 is not UTF-8 text"):
        read(path)


def test_edge_list_without_weights_weighs_one(tmp_path):
    raw = read(write(tmp_path, "plain.edges", "a,b\nb,c\n"))

    np.testing.assert_array_equal(
        raw.weights.toarray(), [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    )


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        (
            {"weights": WEIGHTS, "positions": np.ones((5, 4))},
            r"\['positions'\]: shape \(5, 4\); expected \(5, 3\) or \(5, 2\)",
        ),
        (
            {"weights": WEIGHTS, "positions": np.full((5, 3), np.inf)},
            r"\['positions'\], entry \(0, 0\): inf; expected a finite number",
        ),
        (
            {"weights": WEIGHTS, "tract_lengths": np.ones((4, 4))},
            r"\['tract_lengths'\]: shape \(4, 4\); expected \(5, 5\) like",
        ),
        (
            {"weights": WEIGHTS, "tract_lengths": -np.ones((5, 5))},
            r"\['tract_lengths'\], entry \(0, 0\): tract length -1\.0",
        ),
        (
            {"weights": np.array([["a", "b"], ["c", "d"]])},
            r"\['weights'\]: array of dtype <U1; expected real numbers",
        ),
    ],
)
def test_npz_errors(tmp_path, arrays, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=message):
        read(path)


def test_corrupt_npy(tmp_path):
    path = write(tmp_path, "corrupt.npy", "not numpy")
    with pytest.raises(ValueError, match=r"corrupt\.npy: "):
        read(path)


def test_graphml_problems(tmp_path):
    multi = nx.MultiGraph([("a", "b"), ("a", "b")])
    nx.write_graphml(multi, tmp_path / "multi.graphml")
    with pytest.raises(ValueError, match=r"multi\.graphml: has parallel edges"):
        read(tmp_path / "multi.graphml")

    text_weight = nx.Graph()
    text_weight.add_edge("a", "b", weight="heavy")
    nx.write_graphml(text_weight, tmp_path / "text.graphml")
    with pytest.raises(
        ValueError, match=r"text\.graphml, edge \('a', 'b'\): weight 'heavy'; expected"
    ):
        read(tmp_path / "text.graphml")

    nx.write_graphml(nx.Graph(), tmp_path / "empty.graphml")
    with pytest.raises(ValueError, match=r"empty\.graphml: has no nodes"):
        read(tmp_path / "empty.graphml")

    write(tmp_path, "odd.gexf", "<gexf><graph><nodes><node/></nodes></graph></gexf>")
    with pytest.raises(ValueError, match=r"odd\.gexf: networkx could not read it as"):
        read(tmp_path / "odd.gexf")


def test_graphml_positions_and_tract_lengths(tmp_path):
    graph = nx.Graph()
    for index, label in enumerate(LABELS[:3]):
        graph.add_node(label, x=float(index), y=2.0 * index)
    graph.add_edge("A", "B", weight=2.0, tract_length=30.0)
    graph.add_edge("B", "C", weight=1.0, tract_length=12.5)
    nx.write_graphml(graph, tmp_path / "rich.graphml")

    raw = read(tmp_path / "rich.graphml")

    np.testing.assert_array_equal(raw.positions, [[0, 0, 0], [1, 2, 0], [2, 4, 0]])
    np.testing.assert_array_equal(
        raw.tract_lengths.toarray(), [[0, 30, 0], [30, 0, 12.5], [0, 12.5, 0]]
    )

    graph.edges["A", "B"]["tract_length"] = -3.0
    nx.write_graphml(graph, tmp_path / "negative_length.graphml")
    with pytest.raises(ValueError, match=r"edge 0-1: tract length -3\.0; expected"):
        read(tmp_path / "negative_length.graphml")


def test_tvb_member_errors(tmp_path):
    ragged = write_tvb_zip(tmp_path / "t.zip", members={"tract_lengths.txt": "1 2\n"})
    with pytest.raises(
        ValueError, match=r"t\.zip:tract_lengths\.txt: shape \(1, 2\); expected"
    ):
        read(ragged)

    short = write_tvb_zip(tmp_path / "c.zip", members={"centres.txt": "A 1 2\n"})
    with pytest.raises(
        ValueError, match=r"c\.zip:centres\.txt, line 1: 3 fields; expected 'label x"
    ):
        read(short)

    lines = "".join(f"{label} 0 nan 0\n" for label in LABELS)
    infinite = write_tvb_zip(tmp_path / "n.zip", members={"centres.txt": lines})
    with pytest.raises(ValueError, match=r"n\.zip:centres\.txt: centre of 'A' is not"):
        read(infinite)

    binary = write_tvb_zip(tmp_path / "b.zip", members={"weights.txt": None})
    with zipfile.ZipFile(binary, "a") as archive:
        archive.writestr("weights.txt", b"\xff\xfe")
    with pytest.raises(ValueError, match=r"b\.zip:weights\.txt: byte 0 is not UTF-8"):
        read(binary)

    broken = write_tvb_zip(tmp_path / "z.zip", members={"weights.txt": None})
    with zipfile.ZipFile(broken, "a") as archive:
        archive.writestr("weights.txt.bz2", b"not bz2 data")
    with pytest.raises(
        ValueError, match=r"z\.zip:weights\.txt\.bz2: cannot decompress"
    ):
        read(broken)


def test_tvb_member_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(tvb, "MAX_MEMBER_BYTES", 10)
    path = write_tvb_zip(tmp_path / "big.zip")
    with pytest.raises(
        ValueError, match=r"big\.zip:weights\.txt: \d+ bytes uncompressed; expected"
    ):
        read(path)
    assert bz2  # bz2 members are covered in test_connectome_readers


def test_tvb_archive_missing_from_package(monkeypatch):
    monkeypatch.setitem(tvb.TVB_CONNECTOMES, "tvb76", "connectivity_0.zip")
    with pytest.raises(ImportError, match=r"has no connectivity_0\.zip for 'tvb76'"):
        tvb.tvb_archive("tvb76")


def test_spectrum_size_limit(monkeypatch):
    monkeypatch.setattr(summary, "DENSE_SPECTRUM_MAX_NODES", 5)
    with pytest.raises(ValueError, match=r"graph must have at most 5 nodes for a"):
        laplacian_spectrum(generators.ring(6))


def test_large_graph_summary_uses_sparse_eigensolver(monkeypatch):
    ring = generators.ring(40)
    monkeypatch.setattr(summary, "DENSE_SPECTRUM_MAX_NODES", 10)

    result = summary.summarize(ring)

    # Ring C_n: lambda_2 = 2 - 2 cos(2 pi / n), lambda_max = 4 for even n.
    assert result["lambda_2"] == pytest.approx(2 - 2 * np.cos(2 * np.pi / 40))
    assert result["lambda_max"] == pytest.approx(4.0)
