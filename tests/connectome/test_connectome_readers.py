"""Readers: every format gives the reference weights; bad files fail clearly."""

import bz2
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from connectome_files import CENTRES, LABELS, TRACT_LENGTHS, WEIGHTS, write_tvb_zip

from neurorelax.connectome import from_spec, load, read
from neurorelax.connectome import tvb as tvb_module
from neurorelax.graph import Graph

FORMATS = ["csv", "csv_rows", "tsv", "zip", "graphml", "gexf", "edges", "npy", "npz"]
LABELLED = {"csv", "csv_rows", "zip", "graphml", "gexf", "edges", "npz"}


def by_label(raw):
    """Dense weights with rows and columns sorted by label."""
    order = np.argsort(raw.labels)
    return raw.weights.toarray()[np.ix_(order, order)]


@pytest.mark.parametrize("kind", FORMATS)
def test_every_format_reads_the_reference_weights(fixture_files, kind):
    raw = read(fixture_files[kind])

    if kind in LABELLED:
        assert sorted(raw.labels) == LABELS
        np.testing.assert_array_equal(by_label(raw), WEIGHTS)
    else:
        assert raw.labels == ["0", "1", "2", "3", "4"]
        np.testing.assert_array_equal(raw.weights.toarray(), WEIGHTS)
    assert raw.n_edges() == 5


@pytest.mark.parametrize("kind", FORMATS)
def test_every_format_loads_as_an_undirected_graph(fixture_files, kind):
    graph = load(fixture_files[kind])

    assert isinstance(graph, Graph)
    assert (graph.n_nodes, graph.n_edges, graph.directed) == (5, 5, False)


def test_tvb_zip_gives_centres_and_tract_lengths(fixture_files):
    raw = read(fixture_files["zip"])

    assert raw.labels == LABELS
    np.testing.assert_array_equal(raw.positions, CENTRES)
    np.testing.assert_array_equal(raw.tract_lengths.toarray(), TRACT_LENGTHS)
    assert raw.source.endswith("tvb_style.zip")


def test_tvb_zip_reads_bz2_members(tmp_path):
    text = "".join(" ".join(f"{v:g}" for v in row) + "\n" for row in WEIGHTS)
    path = write_tvb_zip(
        tmp_path / "compressed.zip",
        members={"weights.txt": None, "weights.txt.bz2": None},
    )
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("weights.txt.bz2", bz2.compress(text.encode()))

    np.testing.assert_array_equal(read(path).weights.toarray(), WEIGHTS)


def test_directed_edge_list_keeps_one_direction(tmp_path):
    path = tmp_path / "directed.edges"
    path.write_text("a b 2\nb c 1.5\n")

    raw = read(path, directed=True)

    np.testing.assert_array_equal(
        raw.weights.toarray(), [[0, 2, 0], [0, 0, 1.5], [0, 0, 0]]
    )
    assert load(path, directed=True).directed


def test_npz_bundle_with_positions_and_tract_lengths(tmp_path):
    path = tmp_path / "full.npz"
    np.savez(
        path,
        weights=WEIGHTS,
        labels=np.array(LABELS),
        positions=CENTRES,
        tract_lengths=TRACT_LENGTHS,
    )

    graph = load(path)

    np.testing.assert_array_equal(graph.positions, CENTRES)
    np.testing.assert_array_equal(graph.tract_lengths.toarray(), TRACT_LENGTHS)


def test_asymmetric_matrix_gives_directed_graph_without_self_loops(tmp_path):
    path = tmp_path / "asym.csv"
    path.write_text("1,2,0\n0,0,1\n3,0,0\n")

    graph = load(path)

    assert graph.directed
    np.testing.assert_array_equal(graph.to_dense(), [[0, 2, 0], [0, 0, 1], [3, 0, 0]])


# Malformed files: each error names the file, the place and what was expected.


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_ragged_rows(tmp_path):
    path = write(tmp_path, "ragged.csv", "A,B,C\n0,1,2\n1,0\n2,1,0\n")
    with pytest.raises(
        ValueError, match=r"ragged\.csv, line 3: 2 fields; expected 3 .*ragged"
    ):
        read(path)


def test_text_in_a_numeric_column(tmp_path):
    path = write(tmp_path, "text.csv", "0,1,2\n1,0,abc\n2,1,0\n")
    with pytest.raises(
        ValueError,
        match=r"text\.csv, line 2, column 3: expected a number, got 'abc'",
    ):
        read(path)


def test_non_square_matrix(tmp_path):
    path = write(tmp_path, "wide.tsv", "0\t1\t2\n1\t0\t3\n")
    with pytest.raises(
        ValueError, match=r"wide\.tsv: expected a square matrix .* shape \(2, 3\)"
    ):
        read(path)


@pytest.mark.parametrize("value", ["nan", "-1.5", "inf"])
def test_nan_or_negative_weight(tmp_path, value):
    path = write(tmp_path, "bad.txt", f"0 1 2\n1 0 {value}\n2 1 0\n")
    with pytest.raises(
        ValueError,
        match=r"bad\.txt, line 2, column 3: weight -?(nan|1\.5|inf); "
        r"expected a finite number >= 0",
    ):
        read(path)


def test_header_label_count_differs_from_matrix(tmp_path):
    path = write(tmp_path, "labels.csv", "A,B\n0,1,2\n1,0,3\n2,3,0\n")
    with pytest.raises(
        ValueError,
        match=r"labels\.csv, line 1: header has 2 labels but the matrix has 3 "
        "columns; expected one label per column",
    ):
        read(path)


def test_row_labels_differ_from_header(tmp_path):
    path = write(tmp_path, "rows.csv", ",A,B\nA,0,1\nC,1,0\n")
    with pytest.raises(
        ValueError, match=r"row label 'C' \(row 2\) differs from column label 'B'"
    ):
        read(path)


def test_duplicate_labels(tmp_path):
    path = write(tmp_path, "dup.csv", "A,A\n0,1\n1,0\n")
    with pytest.raises(ValueError, match=r"dup\.csv: label 'A' appears twice"):
        read(path)


def test_tvb_centres_count_differs_from_matrix(tmp_path):
    path = write_tvb_zip(tmp_path / "short.zip", members={"centres.txt": "A 0 0 0\n"})
    with pytest.raises(
        ValueError,
        match=r"short\.zip:centres\.txt: 1 labels for a 5 x 5 matrix; "
        "expected one label per node",
    ):
        read(path)


def test_tvb_centres_with_text_coordinates(tmp_path):
    path = write_tvb_zip(tmp_path / "c.zip", members={"centres.txt": "A 0 x 0\n"})
    with pytest.raises(
        ValueError, match=r"c\.zip:centres\.txt, line 1: coordinates .* three numbers"
    ):
        read(path)


def test_tvb_weights_error_names_the_member_and_line(tmp_path):
    path = write_tvb_zip(
        tmp_path / "w.zip", folder="sub/", members={"weights.txt": "0 1\n1 -2\n"}
    )
    with pytest.raises(
        ValueError, match=r"w\.zip:sub/weights\.txt, line 2, column 2: weight -2\.0"
    ):
        read(path)


def test_zip_without_weights(tmp_path):
    path = write_tvb_zip(tmp_path / "empty.zip", members={"weights.txt": None})
    with pytest.raises(
        ValueError,
        match=r"empty\.zip: no weights\.txt in the archive \(it holds "
        r"tract_lengths\.txt, centres\.txt, info\.txt\); expected a TVB",
    ):
        read(path)


def test_zip_with_two_weights_files(tmp_path):
    path = write_tvb_zip(tmp_path / "two.zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("other/weights.txt", "0\n")
    with pytest.raises(ValueError, match=r"two\.zip: holds both 'weights\.txt' and"):
        read(path)


def test_file_that_is_not_a_zip(tmp_path):
    path = write(tmp_path, "fake.zip", "hello")
    with pytest.raises(ValueError, match=r"fake\.zip: not a zip archive"):
        read(path)


def test_npz_label_count_differs(tmp_path):
    path = tmp_path / "few.npz"
    np.savez(path, weights=WEIGHTS, labels=np.array(["A", "B"]))
    with pytest.raises(
        ValueError, match=r"few\.npz\['labels'\]: 2 labels for a 5 x 5 matrix"
    ):
        read(path)


def test_npy_negative_entry(tmp_path):
    path = tmp_path / "neg.npy"
    matrix = WEIGHTS.copy()
    matrix[3, 1] = -1.0
    np.save(path, matrix)
    with pytest.raises(
        ValueError,
        match=r"neg\.npy, entry \(3, 1\): weight -1\.0; expected a finite number",
    ):
        read(path)


def test_npy_not_square(tmp_path):
    path = tmp_path / "vector.npy"
    np.save(path, np.ones(4))
    with pytest.raises(ValueError, match=r"vector\.npy: expected a square matrix"):
        read(path)


class _Marker:
    """Unpickling this object would create a file (it must never happen)."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_pickled_npy_is_refused_without_running_code(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npy"
    np.save(path, np.array([_Marker(marker), 1], dtype=object), allow_pickle=True)
    assert pickle.dumps(_Marker(marker))  # the payload would open the marker

    with pytest.raises(ValueError, match=r"evil\.npy: cannot be read without"):
        read(path)
    assert not marker.exists()


def test_pickled_npz_member_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, weights=WEIGHTS, labels=np.array(LABELS, dtype=object))
    with pytest.raises(
        ValueError, match=r"evil\.npz\['labels'\]: cannot be read without unpickling"
    ):
        read(path)


def test_npz_without_weights(tmp_path):
    path = tmp_path / "anon.npz"
    np.savez(path, a=WEIGHTS, b=WEIGHTS)
    with pytest.raises(ValueError, match=r"anon\.npz: holds arrays .* 'weights'"):
        read(path)


def test_malformed_graphml_names_the_line(tmp_path):
    path = write(
        tmp_path, "broken.graphml", "<?xml version='1.0'?>\n<graphml>\n<graph\n"
    )
    with pytest.raises(
        ValueError, match=r"broken\.graphml, line \d+, column \d+: not well-formed"
    ):
        read(path)


def test_graphml_negative_weight(tmp_path, fixture_files):
    text = fixture_files["graphml"].read_text().replace(">4.0<", ">-4.0<")
    path = write(tmp_path, "negative.graphml", text)
    with pytest.raises(
        ValueError,
        match=r"negative\.graphml, edge \('D', 'E'\): weight -4\.0; expected a "
        "finite number >= 0",
    ):
        read(path)


def test_edge_list_errors(tmp_path):
    duplicate = write(tmp_path, "dup.edges", "a b 1\nb c 2\nb a 3\n")
    with pytest.raises(
        ValueError,
        match=r"dup\.edges, line 3: edge \('b', 'a'\) already listed on line 1",
    ):
        read(duplicate)

    text = write(tmp_path, "text.edges", "a b 1\nb c heavy\n")
    with pytest.raises(
        ValueError, match=r"text\.edges, line 2, column 3: expected a number, got"
    ):
        read(text)

    ragged = write(tmp_path, "ragged.edges", "a b 1\nb c\n")
    with pytest.raises(
        ValueError, match=r"ragged\.edges, line 2: 2 fields; expected 3"
    ):
        read(ragged)


def test_unknown_suffix_missing_file_and_unknown_name(tmp_path):
    with pytest.raises(ValueError, match=r"must be a built-in connectome .*'x\.xyz'"):
        read("x.xyz")
    with pytest.raises(FileNotFoundError, match=r"no such file"):
        read(tmp_path / "absent.csv")
    with pytest.raises(ValueError, match=r"name must be one of .*'tvb77'"):
        tvb_module.tvb_archive("tvb77")


def test_missing_tvb_data_names_the_package(monkeypatch):
    def missing(package):
        raise ModuleNotFoundError(f"No module named {package!r}")

    monkeypatch.setattr(tvb_module.importlib.resources, "files", missing)
    with pytest.raises(ImportError, match=r"'tvb-data'.*pip install tvb-data==3\.0\.0"):
        read("tvb76")


def test_importing_the_connectome_package_does_not_import_brian2():
    code = (
        "import sys, neurorelax.connectome, neurorelax.cli.graph; "
        "sys.exit('brian2' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_unknown_names_list_what_each_entry_point_takes():
    with pytest.raises(ValueError, match=r"built-in name \(default, tvb76_prepared, "):
        load("tvb77")
    with pytest.raises(ValueError, match=r"comes from load, not read"):
        read("default")
    with pytest.raises(ValueError, match=r"a generator spec \(ring:N, grid:ROWSxCOLS"):
        from_spec("tvb77")
    assert load("tvb76_prepared").name == "tvb76_prepared"
