"""Size limits of the dense readers and of generator specs, checked up front.

A small file (or a tiny zip) can describe a matrix that costs gigabytes to
parse: each case here is refused from its first line or from a count of its
lines, quickly and before the matrix is built, with a message that names
the file, the line, the value and what was expected. Generator specs beyond
the generators' limits are refused before anything is logged about them.
"""

import logging
import time
import tracemalloc
import zipfile

import numpy as np
import pytest
from connectome_files import WEIGHTS, matrix_text, write_tvb_zip

from neurorelax.cli import main
from neurorelax.connectome import from_spec, generators, read, readers, tvb
from neurorelax.connectome.readers import (
    MAX_DENSE_NODES,
    parse_matrix_text,
)

# Each refusal below takes well under a second; the bound allows for a
# shared, busy machine.
QUICK_S = 10.0


def _zip_lines(path, line, n_lines, name="weights.txt"):
    """A deflated zip whose member repeats ``line`` (tiny on disk)."""
    block = 10_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w") as stream:
            for start in range(0, n_lines, block):
                stream.write(line.encode() * min(block, n_lines - start))
    return path


def _zeros(n_columns, delimiter=" "):
    return delimiter.join(["0"] * n_columns) + "\n"


def _refuse_parsing(monkeypatch):
    """Make converting any row fail the test: a refusal must come first."""

    def parse_row(*args, **kwargs):
        raise AssertionError("a row was converted")

    monkeypatch.setattr(readers, "_parse_row", parse_row)


def _count_conversions(monkeypatch):
    """Count the rows converted from here on; return the growing list."""
    converted = []
    parse_row = readers._parse_row

    def counting(*args, **kwargs):
        converted.append(1)
        return parse_row(*args, **kwargs)

    monkeypatch.setattr(readers, "_parse_row", counting)
    return converted


def test_node_limit_value():
    assert MAX_DENSE_NODES == 20_000
    assert readers.HEAD_BYTES >= 20 * MAX_DENSE_NODES  # a first line fits


# --- the width, from the first line -----------------------------------------


def test_zip_with_a_line_too_wide_is_refused_from_its_head(tmp_path, monkeypatch):
    # 30,000 columns x 1,000 rows: 60 MB of text in a zip of about 60 kB.
    path = _zip_lines(tmp_path / "wide.zip", _zeros(30_000), 1_000)
    _refuse_parsing(monkeypatch)

    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError) as error:
            read(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert time.perf_counter() - start < QUICK_S
    assert str(error.value) == (
        f"{path}:weights.txt, line 1: 30,000 columns; expected at most 20,000 "
        "columns, the node limit for a dense text matrix (a larger graph "
        "belongs in an edge list)"
    )
    # Only the head of the member was unpacked, not its 60 MB.
    assert peak < 20e6


def test_zip_head_check_finds_the_first_data_line(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_DENSE_NODES", 3)
    text = "# comment\n\n" + _zeros(4) * 4
    path = write_tvb_zip(
        tmp_path / "c.zip",
        members={"weights.txt": text, "tract_lengths.txt": None, "centres.txt": None},
    )
    with pytest.raises(
        ValueError,
        match=r"c\.zip:weights\.txt, line 3: 4 columns; expected at most 3 columns",
    ):
        read(path)


def test_bz2_member_too_wide_is_refused_from_its_head(tmp_path, monkeypatch):
    import bz2

    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weights.txt.bz2", bz2.compress(_zeros(30_000).encode() * 5))
    _refuse_parsing(monkeypatch)
    with pytest.raises(
        ValueError,
        match=r"b\.zip:weights\.txt\.bz2, line 1: 30,000 columns; expected at "
        r"most 20,000 columns",
    ):
        read(path)


def test_tract_lengths_too_wide(tmp_path):
    path = write_tvb_zip(
        tmp_path / "t.zip", members={"tract_lengths.txt": _zeros(20_001)}
    )
    with pytest.raises(
        ValueError,
        match=r"t\.zip:tract_lengths\.txt, line 1: 20,001 columns; expected at most "
        r"20,000",
    ):
        read(path)


def test_csv_too_wide_is_refused_before_the_file_is_read(tmp_path, monkeypatch):
    path = tmp_path / "wide.csv"
    path.write_text(_zeros(30_000, ",") * 200)

    def read_text(*args, **kwargs):
        raise AssertionError("the whole file was read")

    monkeypatch.setattr(readers, "read_text", read_text)
    start = time.perf_counter()
    with pytest.raises(ValueError) as error:
        read(path)

    assert time.perf_counter() - start < QUICK_S
    assert str(error.value).startswith(
        f"{path}, line 1: 30,000 fields; expected at most 20,000 columns, the "
        "node limit for a dense text matrix"
    )


def test_width_limit_counts_matrix_columns_not_labels(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_DENSE_NODES", 3)
    # Header with a corner cell and row labels: 4 fields per line, 3 columns.
    labelled = tmp_path / "ok.csv"
    labelled.write_text(",a,b,c\na,0,1,2\nb,1,0,3\nc,2,3,0\n")
    assert read(labelled).n_nodes == 3
    plain = tmp_path / "three.txt"
    plain.write_text(_zeros(3) * 3)
    assert read(plain).n_nodes == 3

    four = tmp_path / "four.txt"
    four.write_text(_zeros(4) * 4)
    with pytest.raises(
        ValueError, match=r"four\.txt, line 1: 4 columns; expected at most 3 columns"
    ):
        read(four)
    header = tmp_path / "header.csv"
    header.write_text("a,b,c,d,e\n" + _zeros(5, ",") * 5)
    with pytest.raises(
        ValueError, match=r"header\.csv, line 1: 5 fields; expected at most 3 columns"
    ):
        read(header)
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b,c,d\n" + "".join(f"{x},0,0,0,0\n" for x in "abcd"))
    with pytest.raises(
        ValueError, match=r"rows\.csv, line 2: 5 fields; expected at most 3 columns"
    ):
        read(rows)


def test_a_long_first_line_beyond_the_head_still_reads(tmp_path, monkeypatch):
    # The head ends inside a line: only complete lines are checked there.
    monkeypatch.setattr(readers, "HEAD_BYTES", 7)
    path = tmp_path / "m.csv"
    path.write_text("# a comment\r\nA,B,C\r\n0,1,2\r\n1,0,3\r\n2,3,0\r\n")
    raw = read(path)
    assert raw.labels == ["A", "B", "C"]
    np.testing.assert_array_equal(raw.weights.toarray()[0], [0, 1, 2])

    monkeypatch.setattr(tvb.readers, "HEAD_BYTES", 5)
    assert read(write_tvb_zip(tmp_path / "z.zip")).n_nodes == 5


def test_parse_matrix_text_max_columns():
    with pytest.raises(
        ValueError, match=r"^m, line 1: 3 columns; expected at most 2 columns"
    ):
        parse_matrix_text("0 1 2\n", "m", allow_labels=False, max_columns=2)


# --- the row count, before the rows are converted ---------------------------


def test_zip_with_more_rows_than_columns_is_refused_at_the_extra_row(
    tmp_path, monkeypatch
):
    # Two columns and ten million rows: 40 MB of text in a zip of 40 kB.
    path = _zip_lines(tmp_path / "tall.zip", "0 0\n", 10_000_000)
    converted = _count_conversions(monkeypatch)

    start = time.perf_counter()
    with pytest.raises(ValueError) as error:
        read(path)

    assert time.perf_counter() - start < QUICK_S
    assert str(error.value) == (
        f"{path}:weights.txt, line 3: row 3 of a matrix with 2 columns; expected "
        "a square matrix (as many rows as columns)"
    )
    assert len(converted) == 1  # the first row only


def test_zip_with_fewer_rows_than_columns_is_refused_before_converting(
    tmp_path, monkeypatch
):
    # 50 rows of the widest allowed matrix (the tester's 5000 x 20000, smaller).
    path = _zip_lines(tmp_path / "rect.zip", _zeros(MAX_DENSE_NODES), 50)
    converted = _count_conversions(monkeypatch)

    start = time.perf_counter()
    with pytest.raises(ValueError) as error:
        read(path)

    assert time.perf_counter() - start < QUICK_S
    assert str(error.value) == (
        f"{path}:weights.txt: expected a square matrix (as many rows as columns), "
        "got shape (50, 20000)"
    )
    assert len(converted) == 1


def test_non_square_text_is_refused_before_later_bad_entries(tmp_path):
    tall = tmp_path / "tall.txt"
    tall.write_text("0 1\n1 0\n2 x\n")
    with pytest.raises(
        ValueError,
        match=r"tall\.txt, line 3: row 3 of a matrix with 2 columns; expected a "
        r"square matrix \(as many rows as columns\)$",
    ):
        read(tall)

    short = tmp_path / "short.csv"
    short.write_text("A,B,C\n0,1,2\n1,x,3\n")
    with pytest.raises(
        ValueError,
        match=r"short\.csv: expected a square matrix \(as many rows as columns\), "
        r"got shape \(2, 3\)$",
    ):
        read(short)


def test_a_bad_entry_on_the_first_row_comes_before_the_row_count(tmp_path):
    path = tmp_path / "first.txt"
    path.write_text("0 x\n1 0\n2 0\n")
    with pytest.raises(
        ValueError, match=r"first\.txt, line 1, column 2: expected a number, got 'x'"
    ):
        read(path)


def test_tract_lengths_with_more_rows_than_weights(tmp_path):
    path = write_tvb_zip(
        tmp_path / "t.zip", members={"tract_lengths.txt": matrix_text(WEIGHTS) * 2}
    )
    with pytest.raises(
        ValueError,
        match=r"t\.zip:tract_lengths\.txt, line 6: row 6 of a matrix with 5 "
        r"columns; expected a square matrix",
    ):
        read(path)


def test_centres_with_more_lines_than_regions(tmp_path):
    lines = "".join(f"R{i} 0 0 0\n" for i in range(1_000_000))
    path = write_tvb_zip(tmp_path / "c.zip", members={"centres.txt": lines})
    with pytest.raises(
        ValueError,
        match=r"c\.zip:centres\.txt, line 6: region 6 of a 5 x 5 matrix; expected "
        r"one line per node$",
    ):
        read(path)


def test_ragged_row_names_its_field_count(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("0,1,2\n1,0,3\n" + _zeros(101, ","))
    with pytest.raises(
        ValueError,
        match=r"ragged\.csv, line 3: 101 fields; expected 3 like line 1 "
        r"\(ragged rows\)",
    ):
        read(path)


# --- memory ------------------------------------------------------------------


def test_parse_holds_little_more_than_the_matrix():
    text = _zeros(1000) * 1000  # 2 MB of text, an 8 MB float64 matrix
    tracemalloc.start()
    try:
        matrix, _ = parse_matrix_text(text, "m", allow_labels=False, square=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert matrix.shape == (1000, 1000)
    # Python lists of all the fields took about 45 MB here.
    assert peak < 16e6


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "a\nb",
        "a\nb\n",
        "a\r\nb\rc\n\nd",
        "a\x0bb\x0cc\x1cd\x1de\x1ef",
        "a\x85b\u2028c\u2029d",
        "\u00e9\n\u00e9\r\n",
        "\r\n\r\n",
    ],
)
def test_lines_match_splitlines(text):
    assert list(readers._lines(text)) == text.splitlines()


# --- generator specs: the limits come before the warning ---------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("ring:100000000", "ring: n must be at most 1,000,000 nodes, got 100,000,000"),
        (
            "small_world:500000,100,0.1",
            "small_world: n * k / 2 must be at most 10,000,000 edges, got 25,000,000",
        ),
        (
            "geometric:900000,0.5",
            "random_geometric: the expected edge count must be at most 10,000,000",
        ),
    ],
)
def test_refused_spec_logs_no_warning(caplog, spec, message):
    start = time.perf_counter()
    with caplog.at_level(logging.WARNING), pytest.raises(ValueError) as error:
        from_spec(spec)
    assert time.perf_counter() - start < QUICK_S
    assert str(error.value).startswith(message)
    assert caplog.records == []


def test_large_spec_within_limits_still_warns(caplog, monkeypatch):
    built = []
    monkeypatch.setattr(
        generators, "ring", lambda *a, **k: built.append(a) or generators.grid_2d(2, 2)
    )
    with caplog.at_level(logging.WARNING):
        from_spec("ring:200000")
    assert built == [(200_000,)]
    assert "ring:200000: building 200,000 nodes through networkx" in caplog.text


def test_cli_refuses_a_huge_ring_without_the_warning(capsys, caplog):
    with caplog.at_level(logging.WARNING):
        try:
            status = main(["graph", "info", "ring:100000000"])
        except SystemExit as exit_:
            status = exit_.code
    err = capsys.readouterr().err
    assert status == 2
    assert "error: ring: n must be at most 1,000,000 nodes, got 100,000,000" in err
    assert "building" not in err and "building" not in caplog.text


def test_check_arguments():
    generators.check_arguments("ring", 10)
    generators.check_arguments("stochastic_block", [5, 5], 0.5, 0.1, seed=3)
    with pytest.raises(ValueError, match=r"weight must have low < high, got \(2, 1\)"):
        generators.check_arguments("grid_2d", 3, 3, weight=(2, 1))
    with pytest.raises(ValueError, match=r"^generator must be one of 'ring', "):
        generators.check_arguments("lattice", 10)


@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_numpy_arrays_beyond_the_node_limit_are_refused_from_the_header(
    tmp_path, suffix, monkeypatch
):
    # Only the header is needed: the node limit is checked before the data
    # (a deflated .npz of zeros is tiny on disk; np.load would allocate it).
    n = MAX_DENSE_NODES + 1
    small = tmp_path / "small.npy"
    np.save(small, np.zeros((2, 2)))
    forged = small.read_bytes().replace(b"(2, 2)", f"({n}, {n})".encode())
    path = tmp_path / f"wide{suffix}"
    if suffix == ".npy":
        path.write_bytes(forged)
    else:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("weights.npy", forged)
    monkeypatch.setattr(np, "load", lambda *a, **k: pytest.fail("np.load ran"))

    with pytest.raises(ValueError, match=rf"shape \({n}, {n}\); expected at most "):
        read(path)


def test_a_callers_node_limit_refuses_a_dense_file_on_its_first_line(
    tmp_path, monkeypatch
):
    path = tmp_path / "twelve.csv"
    path.write_text("\n".join([",".join(["0"] * 12)] * 12) + "\n", encoding="utf-8")
    small = tmp_path / "small.npy"
    np.save(small, np.zeros((12, 12)))
    converted = _count_conversions(monkeypatch)

    with pytest.raises(
        ValueError,
        match=r"twelve\.csv, line 1: 12 fields; expected at most 10 columns, the "
        r"most nodes this command takes$",
    ):
        from_spec(str(path), max_nodes=10)
    with pytest.raises(ValueError, match=r"expected at most 10 nodes, the most nodes"):
        from_spec(str(small), max_nodes=10)

    assert converted == []
    assert readers.dense_node_limit() == MAX_DENSE_NODES  # reset after the call


def test_a_million_blank_lines_are_refused(tmp_path):
    # Data first, as a compressed bomb would have it: the head passes.
    path = tmp_path / "blank.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("weights.txt", "w") as stream:
            stream.write(b"0 1\n1 0\n" + b"\n" * (readers.MAX_SKIPPED_LINES + 10))
    with pytest.raises(
        ValueError,
        match=rf"weights\.txt: more than {readers.MAX_SKIPPED_LINES:,} blank or "
        r"comment lines by line 1,000,003; expected a graph file with its data",
    ):
        read(path)


def test_a_first_line_longer_than_any_matrix_row_is_refused_from_the_head(
    tmp_path, monkeypatch
):
    path = _zip_lines(tmp_path / "long.zip", "1" * (2 << 20), 1)
    _refuse_parsing(monkeypatch)
    with pytest.raises(
        ValueError,
        match=r"weights\.txt, line 1: longer than 1,048,576 characters; expected "
        r"at most 20,000 numbers of up to 50 characters$",
    ):
        read(path)


def test_a_byte_order_mark_is_dropped_in_zip_members_as_in_text_files(tmp_path):
    from connectome_files import WEIGHTS, matrix_text

    path = write_tvb_zip(
        tmp_path / "bom.zip", members={"weights.txt": "\ufeff" + matrix_text(WEIGHTS)}
    )
    np.testing.assert_array_equal(read(path).weights.toarray(), WEIGHTS)


def test_a_forged_npy_header_is_reported_without_python_internals(tmp_path):
    path = tmp_path / "forged.npy"
    small = tmp_path / "small.npy"
    np.save(small, np.zeros((2, 2)))
    path.write_bytes(small.read_bytes().replace(b"(2, 2)", b"(f(), 2)"))
    with pytest.raises(ValueError, match=r"not a valid \.npy file") as error:
        read(path)
    assert "ast." not in str(error.value) and "0x" not in str(error.value)
