"""Damaged, forged and inconsistent input to the connectome readers and `graph`.

Every bad file is written into ``tmp_path``; each case once ended in a
traceback, a hang or a silent change, and now raises a ``ValueError`` (exit
status 2 at the command line) that names the file and what was expected.
"""

import bz2
import gzip
import io
import re
import zipfile

import numpy as np
import pytest

from neurorelax.cli import main
from neurorelax.connectome import from_spec, generators, load, read, summarize, tvb
from neurorelax.connectome.loading import spec_node_count

BIG = "9" * 400  # an integer no float can hold


def _cli(capsys, *argv):
    """Run `neurorelax graph ...`; return (status, stdout, stderr)."""
    try:
        status = main(["graph", *argv])
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


# --- TVB zip archives --------------------------------------------------------


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("member", "compress"),
    [("weights.txt.bz2", bz2.compress), ("weights.txt.gz", gzip.compress)],
)
def test_zip_bomb_is_stopped_while_decompressing(
    tmp_path, monkeypatch, member, compress
):
    # 2 MB of text packs into about a hundred bytes; the zip entry itself is tiny.
    path = _zip(tmp_path / "bomb.zip", {member: compress(b"0 " * 1_000_000)})
    monkeypatch.setattr(tvb, "MAX_MEMBER_BYTES", 100_000)

    with pytest.raises(
        ValueError,
        match=rf"bomb\.zip:{re.escape(member)}: more than 100000 bytes after "
        "decompression; expected at most that",
    ):
        read(path)


def test_zip_member_over_the_limit_is_refused_while_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("weights.txt", "0 " * 100_000)
    monkeypatch.setattr(tvb, "MAX_MEMBER_BYTES", 1000)

    with pytest.raises(ValueError, match=r"big\.zip:weights\.txt: 200000 bytes unc"):
        read(path)


def _patched_zip(tmp_path, name, patch):
    """A valid one-member TVB zip, with its bytes changed by ``patch``."""
    path = _zip(tmp_path / name, {"weights.txt": "0 1\n1 0\n"})
    data = bytearray(path.read_bytes())
    patch(data, data.find(b"0 1\n1 0\n"), data.find(b"PK\x01\x02"))
    path.write_bytes(bytes(data))
    return path


def _bad_crc(data, body, central):
    data[body] = ord("5")


def _encrypted(data, body, central):
    data[6] |= 1  # general purpose flag, bit 0: encrypted
    data[central + 8] |= 1


def _unknown_method(data, body, central):
    data[8] = 99
    data[central + 10] = 99


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (_bad_crc, r"damaged zip member, cannot read it \(Bad CRC-32"),
        (_encrypted, r"the member is encrypted; expected an unencrypted zip"),
        (_unknown_method, r"zip compression method 99; expected one of stored"),
    ],
)
def test_damaged_zip_member_names_the_member(tmp_path, capsys, patch, message):
    path = _patched_zip(tmp_path, "c.zip", patch)

    with pytest.raises(ValueError, match=r"c\.zip:weights\.txt: " + message):
        read(path)
    status, _, err = _cli(capsys, "info", str(path))
    assert status == 2 and "error: " in err and "Traceback" not in err


def test_member_that_is_not_gzip_cannot_be_decompressed(tmp_path):
    path = _zip(tmp_path / "c.zip", {"weights.txt.gz": b"plain text"})
    with pytest.raises(ValueError, match=r"c\.zip:weights\.txt\.gz: cannot decompress"):
        read(path)


# --- .npy and .npz -----------------------------------------------------------


def _npy_header(shape, descr="<f8"):
    buffer = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def test_npy_header_declaring_a_huge_array_is_refused_before_loading(tmp_path):
    path = tmp_path / "huge.npy"
    path.write_bytes(_npy_header((20_000, 20_000)) + bytes(64))

    with pytest.raises(
        ValueError,
        match=r"huge\.npy: not a valid \.npy file: its header declares shape "
        r"\(20000, 20000\) of float64 \(3,200,000,000 bytes\) but the file "
        r"holds 64 bytes",
    ):
        read(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("junk.npy", b"not numpy at all", r"not a valid \.npy file \(it starts with"),
        ("junk.npz", b"garbage", r"not a valid \.npz file \(it starts with"),
        ("empty.npy", b"", r"not a valid \.npy file"),
    ],
)
def test_garbage_numpy_file_is_not_called_a_pickle(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as error:
        read(path)
    assert "unpickling" not in str(error.value)


def test_truncated_npy_and_npz_are_not_valid_files(tmp_path):
    npy = tmp_path / "cut.npy"
    np.save(npy, np.ones((5, 5)))
    npy.write_bytes(npy.read_bytes()[:-20])
    npz = tmp_path / "cut.npz"
    np.savez(npz, weights=np.ones((5, 5)))
    npz.write_bytes(npz.read_bytes()[:100])

    with pytest.raises(ValueError, match=r"cut\.npy: not a valid \.npy file: its h"):
        read(npy)
    with pytest.raises(ValueError, match=r"cut\.npz: not a valid \.npz file"):
        read(npz)


def test_object_arrays_keep_the_unpickling_message(tmp_path):
    path = tmp_path / "objects.npy"
    np.save(path, np.array([[0, 1], [1, 0]], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match=r"objects\.npy: cannot be read without unp"):
        read(path)


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"weights": b"hello"}, r"\['weights'\]: not a \.npy array"),
        ({"weights.npy": b"hello"}, r"\['weights\.npy'\]: not a valid \.npy file"),
        (
            {"weights.npy": _npy_header((10**4, 10**4))},
            r"\['weights\.npy'\]: not a valid \.npy file: its header declares",
        ),
    ],
)
def test_npz_member_that_is_not_an_array(tmp_path, members, message):
    path = _zip(tmp_path / "m.npz", members)
    with pytest.raises(ValueError, match=r"m\.npz" + message):
        read(path)


def test_npz_complex_positions_are_refused(tmp_path):
    path = tmp_path / "c.npz"
    np.savez(path, weights=np.ones((3, 3)), positions=np.ones((3, 3)) * (1 + 1j))
    with pytest.raises(
        ValueError, match=r"c\.npz\['positions'\]: dtype complex128; expected real"
    ):
        read(path)


# --- GraphML and GEXF --------------------------------------------------------


def _graphml(tmp_path, keys, node_data="", edge_data=""):
    """Two nodes a, b and the edge a-b, with the given keys and data."""
    text = (
        '<?xml version="1.0"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        f"{keys}\n"
        '<graph edgedefault="undirected">\n'
        f'<node id="a">{node_data}</node><node id="b">{node_data}</node>\n'
        f'<edge source="a" target="b">{edge_data}</edge>\n'
        "</graph></graphml>\n"
    )
    path = tmp_path / "g.graphml"
    path.write_text(text)
    return path


def _key(name, type_, kind="edge"):
    return f'<key id="{name}" for="{kind}" attr.name="{name}" attr.type="{type_}"/>'


@pytest.mark.parametrize(
    ("keys", "node_data", "edge_data", "message"),
    [
        (
            _key("weight", "long"),
            "",
            f'<data key="weight">{BIG}</data>',
            r"edge \('a', 'b'\): weight is a 400-digit integer, too large",
        ),
        (
            _key("length", "long"),
            "",
            f'<data key="length">{BIG}</data>',
            r"edge \('a', 'b'\): tract length \(length\) is a 400-digit integer",
        ),
        (
            _key("tract_length", "long"),
            "",
            f'<data key="tract_length">{BIG}</data>',
            r"edge .*: tract length \(tract_length\) is a 400-digit integer",
        ),
        (
            _key("tract_length", "boolean"),
            "",
            '<data key="tract_length">true</data>',
            r"edge .*: tract length \(tract_length\) True; expected a number",
        ),
        (
            _key("x", "long", "node") + _key("y", "double", "node"),
            f'<data key="x">{BIG}</data><data key="y">1</data>',
            "",
            r"node 'a': position 'x' is a 400-digit integer",
        ),
        (
            _key("viz", "string", "node"),
            '<data key="viz">hello</data>',
            "",
            r"node 'a': attribute 'viz' is 'hello'; expected GEXF viz data",
        ),
        (
            _key("x", "double", "node")
            + _key("y", "double", "node")
            + _key("z", "string", "node"),
            '<data key="x">1</data><data key="y">2</data><data key="z">abc</data>',
            "",
            r"node 'a': position 'z' 'abc'; expected a number",
        ),
    ],
)
def test_graphml_attribute_errors_name_file_item_and_attribute(
    tmp_path, capsys, keys, node_data, edge_data, message
):
    path = _graphml(tmp_path, keys, node_data, edge_data)

    with pytest.raises(ValueError, match=r"g\.graphml, " + message):
        read(path)
    status, _, err = _cli(capsys, "info", str(path))
    assert status == 2 and "Traceback" not in err


def test_graphml_numeric_string_positions_still_load(tmp_path):
    keys = "".join(_key(axis, "string", "node") for axis in "xyz")
    data = '<data key="x">1.5</data><data key="y">2</data><data key="z">-3</data>'
    raw = read(_graphml(tmp_path, keys, data))
    assert raw.positions.tolist() == [[1.5, 2.0, -3.0], [1.5, 2.0, -3.0]]


def _gexf(tmp_path, nodes, edges, attributes=""):
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n'
        '<graph defaultedgetype="undirected">\n'
        f"{attributes}<nodes>{nodes}</nodes><edges>{edges}</edges>\n"
        "</graph></gexf>\n"
    )
    path = tmp_path / "g.gexf"
    path.write_text(text)
    return path


def test_gexf_long_weight_attribute_is_refused(tmp_path):
    attributes = (
        '<attributes class="edge"><attribute id="0" title="weight" type="long"/>'
        "</attributes>"
    )
    edge = (
        '<edge id="0" source="a" target="b"><attvalues>'
        f'<attvalue for="0" value="{BIG}"/></attvalues></edge>'
    )
    path = _gexf(tmp_path, '<node id="a"/><node id="b"/>', edge, attributes)
    with pytest.raises(ValueError, match=r"g\.gexf, edge .*weight is a 400-digit"):
        read(path)


@pytest.mark.parametrize("suffix", ["gexf", "graphml"])
def test_duplicate_node_id_is_refused_not_merged(tmp_path, suffix):
    nodes = '<node id="a"/><node id="a"/><node id="b"/>'
    if suffix == "gexf":
        path = _gexf(tmp_path, nodes, '<edge id="0" source="a" target="b"/>')
    else:
        path = tmp_path / "g.graphml"
        path.write_text(
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            f'<graph edgedefault="undirected">{nodes}'
            '<edge source="a" target="b"/></graph></graphml>'
        )
    with pytest.raises(
        ValueError, match=rf"g\.{suffix}: node id 'a' is declared twice; expected uni"
    ):
        read(path)


# --- graph info: the spectrum is bounded -------------------------------------


def test_summary_skips_the_spectrum_above_the_node_limit():
    ring = generators.ring(50)

    result = summarize(ring, spectrum_max_nodes=20)

    assert result["lambda_2"] is None and result["lambda_max"] is None
    assert result["spectrum_skipped"].startswith("50 nodes > spectrum_max_nodes = 20")
    assert summarize(ring)["spectrum_skipped"] is None
    with pytest.raises(ValueError, match=r"spectrum_max_nodes must be an integer >= 0"):
        summarize(ring, spectrum_max_nodes=-1)


def test_info_on_a_large_ring_says_the_spectrum_was_skipped(capsys):
    status, out, _ = _cli(capsys, "info", "ring:5000")

    assert status == 0
    assert "lambda_2:     n/a" in out
    assert "spectrum:     skipped: 5000 nodes > spectrum_max_nodes = 4000" in out
    assert "raise --spectrum-max-nodes" in out


def test_info_spectrum_limit_option(capsys):
    status, out, _ = _cli(capsys, "info", "ring:8", "--spectrum-max-nodes", "4")
    assert status == 0 and "skipped: 8 nodes > spectrum_max_nodes = 4" in out

    status, _, err = _cli(capsys, "info", "ring:8", "--spectrum-max-nodes", "-1")
    assert status == 2
    assert "error: --spectrum-max-nodes must be an integer >= 0, got -1" in err


# --- options that do not apply, or were dropped ------------------------------


@pytest.mark.parametrize("value", ["0", "-0.0"])
def test_keep_fraction_zero_is_refused_for_generators_too(capsys, value):
    for spec in ("ring:8", "tvb76"):
        status, _, err = _cli(capsys, "info", spec, "--keep-fraction", value)
        assert status == 2, spec
        assert "error: keep_fraction must be a finite number in (0.0, 1.0]" in err


def test_threshold_zero_is_applied_to_generators():
    assert from_spec("ring:8", threshold=0.0).n_edges == 8


@pytest.mark.parametrize(
    ("spec", "what"),
    [
        ("ring:8", "the generator spec 'ring:8' makes an undirected graph"),
        ("tvb76", "'tvb76' is a built-in connectome"),
        ("default", "'default' is the prepared default connectome"),
    ],
)
def test_directed_is_refused_where_it_does_not_apply(capsys, spec, what):
    status, _, err = _cli(capsys, "info", spec, "--directed")
    assert status == 2
    assert "error: directed (--directed) applies only to edge lists" in err
    assert what in err


def test_directed_is_refused_for_a_dense_file(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("0,1\n1,0\n")
    with pytest.raises(ValueError, match=r"'.*m\.csv' is a \.csv file, whose direc"):
        load(path, directed=True)
    edges = tmp_path / "m.edges"
    edges.write_text("a b 1\n")
    assert load(edges, directed=True).directed


def test_seed_is_refused_for_files(tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_text("0,1\n1,0\n")
    status, _, err = _cli(capsys, "info", str(path), "--seed", "3")
    assert status == 2
    assert "error: seed (--seed) applies only to generator specs" in err


@pytest.mark.parametrize("seed", [-1, 2**32, 10**23])
def test_seed_must_lie_in_the_package_range(capsys, seed):
    status, _, err = _cli(capsys, "info", "small_world:20,4,0.1", "--seed", str(seed))
    assert status == 2
    assert (
        f"error: seed must be an integer in [0, 2**32 - 1 = 4294967295], got {seed}"
        in err
    )
    for generator in (
        lambda: generators.ring(8, seed=seed),
        lambda: generators.grid_2d(2, 2, seed=seed),
        lambda: generators.random_geometric(5, 0.5, seed=seed),
    ):
        with pytest.raises(
            ValueError, match=r"seed must be an integer in \[0, 2\*\*32"
        ):
            generator()


def test_largest_seed_is_accepted():
    assert generators.small_world(20, 4, 0.1, seed=2**32 - 1).n_nodes == 20


# --- graph plot: the size is checked from the spec ---------------------------


def test_spec_node_count_without_building():
    assert spec_node_count("geometric:5000,0.01") == 5000
    assert spec_node_count("sbm:3x10,0.5,0.1") == 30
    assert spec_node_count("grid:1000x1000") == 1_000_000
    assert spec_node_count("tvb76") is None
    with pytest.raises(ValueError, match=r"graph spec 'ring:x' is malformed"):
        spec_node_count("ring:x")


def test_plot_refuses_a_large_generator_before_building(capsys, monkeypatch, tmp_path):
    def build(*args, **kwargs):
        raise AssertionError("the graph was built")

    monkeypatch.setattr(generators, "random_geometric", build)
    status, _, err = _cli(
        capsys, "plot", "geometric:5000,0.01", "--out", str(tmp_path / "g.png")
    )

    assert status == 2
    assert "error: graph plot draws graphs of at most 4000 nodes" in err
    assert "'geometric:5000,0.01' has 5000 nodes" in err
    assert not (tmp_path / "g.png").exists()
