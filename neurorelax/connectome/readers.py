"""Readers for connectivity files: dense text, NumPy, GraphML, GEXF, edge lists.

Each reader returns a :class:`~neurorelax.connectome.raw.RawConnectome` or
raises ``ValueError`` naming the file, the line or entry where reading
failed, and what was expected. A reader checks the whole file before it
returns anything, so a bad file is never half-loaded. No reader executes code
from a file: NumPy files are read with ``allow_pickle=False`` and XML through
networkx's parsers.

Formats
-------
``.csv``, ``.tsv``, ``.txt``, ``.dat``
    A dense square matrix, one row per line, separated by commas, tabs or
    white space. An optional first line of column labels (a line counts as
    a header when none of its fields is a number) and, below such a header,
    an optional first column of the same labels (the header may then start
    with an empty corner cell). Lines starting with ``#`` are comments.
``.npy``
    One square numeric array.
``.npz``
    ``weights`` (square), and optionally ``labels`` (strings), ``positions``
    (n, 3) and ``tract_lengths`` (n, n). A file holding a single array of any
    name uses it as the weights.
``.graphml``, ``.gexf``
    Read with networkx; the edge attribute ``weight`` (default 1), a node
    attribute ``label`` when every node has one (else the node ids), node
    positions from ``x``, ``y`` (, ``z``) attributes or GEXF ``viz``
    positions, tract lengths from an edge attribute ``tract_length`` or
    ``length``.
``.edges``, ``.edgelist``, ``.el``
    One connection per line: ``source target [weight]`` separated by white
    space or commas (weight 1 when absent), ``#`` comments. Nodes are
    numbered in order of first appearance.
"""

import logging
import math
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp

from neurorelax.graph.graph import check_weight_attribute

from .raw import RawConnectome

__all__ = [
    "DENSE_SUFFIXES",
    "EDGE_LIST_SUFFIXES",
    "read_dense_text",
    "read_edge_list",
    "read_networkx_file",
    "read_npy",
    "read_npz",
    "parse_matrix_text",
]

logger = logging.getLogger(__name__)

DENSE_SUFFIXES = (".csv", ".tsv", ".txt", ".dat")
EDGE_LIST_SUFFIXES = (".edges", ".edgelist", ".el")
_DELIMITERS = {".csv": ",", ".tsv": "\t"}


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _split(line, delimiter):
    if delimiter is None:
        return line.split()
    return [field.strip() for field in line.split(delimiter)]


def _data_lines(text):
    """Yield (line number, stripped line) for non-blank, non-comment lines."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, line.rstrip("\r\n")


def _check_weight(value, where):
    """Raise unless ``value`` is a finite number >= 0."""
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{where}: weight {value!r}; expected a finite number >= 0")


def parse_matrix_text(text, where, *, delimiter=None, allow_labels=True, kind="weight"):
    """Parse a dense numeric matrix from text, checking every entry.

    Parameters
    ----------
    text : str
        The file contents.
    where : str
        File name used in error messages.
    delimiter : str or None
        Field separator; ``None`` splits on white space.
    allow_labels : bool
        Accept a header line of column labels and, below it, a first column
        of row labels.
    kind : {"weight", "tract length", "number"}
        What the entries are; weights and tract lengths must be finite and
        non-negative.

    Returns
    -------
    matrix : ndarray of float64, shape (n_rows, n_columns)
    labels : list of str or None
        The labels of the header (or of the first column), None without a
        header.

    Raises
    ------
    ValueError
        Naming ``where``, the line and column of the first bad entry.
    """
    lines = list(_data_lines(text))
    if not lines:
        raise ValueError(f"{where}: no data lines; expected a numeric matrix")

    # A first line with no number in it is a header of column labels.
    header = None
    first_number, first_line = lines[0]
    first_fields = _split(first_line, delimiter)
    if allow_labels and not any(_is_number(f) for f in first_fields if f):
        header, lines = first_fields, lines[1:]
        if not lines:
            raise ValueError(f"{where}: a header line but no data lines")

    # Below a header, a first field that is not a number means row labels.
    first_field = _split(lines[0][1], delimiter)[0]
    row_labels = header is not None and not _is_number(first_field)
    n_fields = len(_split(lines[0][1], delimiter))
    rows, names = [], []
    for number, line in lines:
        fields = _split(line, delimiter)
        if len(fields) != n_fields:
            raise ValueError(
                f"{where}, line {number}: {len(fields)} fields; expected "
                f"{n_fields} like line {lines[0][0]} (ragged rows)"
            )
        if row_labels:
            names.append(fields[0])
            fields = fields[1:]
        rows.append(_parse_row(fields, where, number, offset=int(row_labels)))
    matrix = np.array(rows, dtype=np.float64).reshape(len(rows), n_fields - row_labels)

    # Weights and tract lengths must be finite and >= 0; report the first bad one.
    if kind != "number":
        bad = ~np.isfinite(matrix) | (matrix < 0)
        if bad.any():
            row, column = (int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"{where}, line {lines[row][0]}, column {column + 1 + row_labels}: "
                f"{kind} {float(matrix[row, column])!r}; expected a finite "
                "number >= 0"
            )

    labels = _merge_labels(
        header, names if row_labels else None, matrix, where, first_number
    )
    return matrix, labels


def _parse_row(fields, where, number, offset):
    """Convert one line's fields to floats; name the first that is not a number."""
    try:
        return [float(field) for field in fields]
    except ValueError:
        for column, field in enumerate(fields, start=1 + offset):
            if not _is_number(field):
                raise ValueError(
                    f"{where}, line {number}, column {column}: expected a "
                    f"number, got {field!r}"
                ) from None
        raise


def _merge_labels(header, row_names, matrix, where, header_line):
    """Reconcile header and row labels with the matrix size."""
    n_columns = matrix.shape[1]
    if header is not None and row_names is not None and len(header) == n_columns + 1:
        header = header[1:]  # the corner cell above the row labels
    if header is not None and len(header) != n_columns:
        raise ValueError(
            f"{where}, line {header_line}: header has {len(header)} labels but "
            f"the matrix has {n_columns} columns; expected one label per column"
        )
    if row_names is not None and n_columns == 0:
        raise ValueError(
            f"{where}: each line holds a single field and no numbers; expected "
            "a numeric matrix (is the delimiter right? .csv files are read "
            "with commas, .tsv with tabs, others with white space)"
        )
    if row_names is not None and len(row_names) != n_columns:
        # Not square: let the square-matrix check report the shape.
        return header
    if header is not None and row_names is not None and header != row_names:
        index = next(
            i for i, (a, b) in enumerate(zip(header, row_names, strict=True)) if a != b
        )
        raise ValueError(
            f"{where}: row label {row_names[index]!r} (row {index + 1}) differs "
            f"from column label {header[index]!r}; expected the same labels in "
            "the same order"
        )
    return header if header is not None else row_names


def _require_square(matrix, where):
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(
            f"{where}: expected a square matrix (as many rows as columns), got "
            f"shape {matrix.shape}"
        )
    if matrix.shape[0] == 0:
        raise ValueError(
            f"{where}: empty matrix of shape {matrix.shape}; expected at least one node"
        )


def _require_labels(labels, n_nodes, where):
    """Check the label count and uniqueness; return labels as strings."""
    if labels is None:
        return None
    labels = [str(label) for label in labels]
    if len(labels) != n_nodes:
        raise ValueError(
            f"{where}: {len(labels)} labels for a {n_nodes} x {n_nodes} matrix; "
            "expected one label per node"
        )
    seen = set()
    for index, label in enumerate(labels):
        if label in seen:
            raise ValueError(
                f"{where}: label {label!r} appears twice (entry {index}); "
                "expected unique labels"
            )
        seen.add(label)
    return labels


def read_text(path):
    """Return the text of ``path`` (UTF-8) with the file named in errors."""
    try:
        # utf-8-sig drops the byte-order mark that spreadsheets write.
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path}: byte {error.start} is not UTF-8 text; expected a text file"
        ) from None


def read_dense_text(path, *, delimiter="auto"):
    """Read a dense square matrix from a CSV, TSV or white-space text file.

    Parameters
    ----------
    path : str or Path
        The file.
    delimiter : str, None or "auto"
        ``"auto"`` chooses ``","`` for ``.csv``, a tab for ``.tsv`` and white
        space otherwise.

    Returns
    -------
    RawConnectome
    """
    path = Path(path)
    if delimiter == "auto":
        delimiter = _DELIMITERS.get(path.suffix.lower())
    matrix, labels = parse_matrix_text(read_text(path), str(path), delimiter=delimiter)
    _require_square(matrix, str(path))
    labels = _require_labels(labels, matrix.shape[0], str(path))
    return RawConnectome.from_arrays(
        matrix, labels=labels, name=path.stem, source=str(path)
    )


def _check_array(array, where, kind="weight"):
    """Check a numeric array is finite and non-negative; name the entry."""
    if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise ValueError(
            f"{where}: array of dtype {array.dtype}; expected real numbers"
        )
    array = array.astype(np.float64)
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{where}, entry {index}: {kind} {float(array[index])!r}; "
            "expected a finite number >= 0"
        )
    return array


_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


def _is_pickle_error(error):
    """Whether NumPy refused ``error``'s file because it holds pickled objects."""
    return "pickle" in str(error).lower()


def _np_load(path, kind):
    """``np.load`` without pickles; name the file and what is wrong with it."""
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as error:
        if _is_pickle_error(error):
            raise ValueError(
                f"{path}: cannot be read without unpickling ({error}); expected "
                "numeric arrays (and labels as a fixed-width string array)"
            ) from None
        raise ValueError(f"{path}: not a valid {kind} file ({error})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path}: not a valid {kind} file ({error})") from None
    except MemoryError:
        raise ValueError(
            f"{path}: its array does not fit in memory; expected a smaller matrix"
        ) from None


def _check_npy_header(stream, available, where):
    """Read a ``.npy`` header from ``stream`` and check the data fit in the file.

    Parameters
    ----------
    stream : binary file object
        Positioned at the start of the ``.npy`` data.
    available : int
        Bytes in the whole ``.npy`` file or zip member.
    where : str
        Name used in error messages.

    Raises
    ------
    ValueError
        If the header is not a valid ``.npy`` header, or it declares more
        data than the file holds (a truncated or forged file, which NumPy
        would otherwise try to allocate, however large).
    """
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            # Version 3 only differs in UTF-8 field names (structured dtypes,
            # which are refused anyway); NumPy checks it when loading.
            return
    except (ValueError, EOFError, OSError) as error:
        raise ValueError(
            f"{where}: not a valid .npy file ({error}); expected an array "
            "written by numpy.save"
        ) from None
    if dtype.hasobject:
        return  # np.load refuses it with the unpickling message
    declared = math.prod(shape) * dtype.itemsize
    present = available - stream.tell()
    if declared > present:
        raise ValueError(
            f"{where}: not a valid .npy file: its header declares shape {shape} of "
            f"{dtype} ({declared:,} bytes) but the file holds {max(present, 0):,} "
            "bytes of data; expected a complete file written by numpy.save"
        )


def _check_npy_file(path):
    where = str(path)
    size = path.stat().st_size
    with path.open("rb") as stream:
        start = stream.read(len(_NPY_MAGIC))
        if start != _NPY_MAGIC:
            raise ValueError(
                f"{where}: not a valid .npy file (it starts with {start!r}, not "
                f"the NumPy magic string {_NPY_MAGIC!r}); expected an array "
                "written by numpy.save"
            )
        stream.seek(0)
        _check_npy_header(stream, size, where)


def _check_npz_file(path):
    """Check every member of a ``.npz`` is a ``.npy`` array that fits its size."""
    where = str(path)
    with path.open("rb") as stream:
        start = stream.read(4)
    if start not in _ZIP_MAGICS:
        raise ValueError(
            f"{where}: not a valid .npz file (it starts with {start!r}, not a zip "
            "archive's 'PK'); expected arrays written by numpy.savez"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                member = f"{where}[{info.filename!r}]"
                if not info.filename.endswith(".npy"):
                    raise ValueError(
                        f"{member}: not a .npy array (the member name lacks "
                        "'.npy'); expected a .npz holding only arrays written by "
                        "numpy.savez"
                    )
                if info.flag_bits & 0x1:
                    raise ValueError(f"{member}: the member is encrypted")
                with archive.open(info) as stream:
                    _check_npy_header(stream, info.file_size, member)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise ValueError(
            f"{where}: not a valid .npz file ({error}); expected arrays written "
            "by numpy.savez"
        ) from None


def read_npy(path):
    """Read a square weight matrix from a ``.npy`` file (no pickles).

    Returns
    -------
    RawConnectome
    """
    path = Path(path)
    _check_npy_file(path)
    matrix = _np_load(path, ".npy")
    _require_square(matrix, str(path))
    matrix = _check_array(matrix, str(path))
    return RawConnectome.from_arrays(matrix, name=path.stem, source=str(path))


def read_npz(path):
    """Read weights, labels, positions and tract lengths from a ``.npz`` file.

    Returns
    -------
    RawConnectome
    """
    path = Path(path)
    where = str(path)
    _check_npz_file(path)
    with _np_load(path, ".npz") as archive:
        names = list(archive.files)
        if "weights" in names:
            key = "weights"
        elif len(names) == 1:
            key = names[0]
        else:
            raise ValueError(
                f"{where}: holds arrays {names} but none named 'weights'; "
                "expected a 'weights' array (or a single array)"
            )
        arrays = {name: _load_member(archive, name, where) for name in names}

    matrix = arrays[key]
    _require_square(matrix, f"{where}[{key!r}]")
    matrix = _check_array(matrix, f"{where}[{key!r}]")
    n_nodes = matrix.shape[0]
    labels = arrays.get("labels")
    if labels is not None:
        labels = _require_labels(
            labels.reshape(-1).tolist(), n_nodes, f"{where}['labels']"
        )
    positions = arrays.get("positions")
    if positions is not None:
        positions = _check_positions(positions, n_nodes, f"{where}['positions']")
    tract = arrays.get("tract_lengths")
    if tract is not None:
        if tract.shape != matrix.shape:
            raise ValueError(
                f"{where}['tract_lengths']: shape {tract.shape}; expected "
                f"{matrix.shape} like the weights"
            )
        tract = _check_array(tract, f"{where}['tract_lengths']", "tract length")
    return RawConnectome.from_arrays(
        matrix,
        labels=labels,
        positions=positions,
        tract_lengths=tract,
        name=path.stem,
        source=where,
    )


def _load_member(archive, name, where):
    try:
        return archive[name]
    except ValueError as error:
        if _is_pickle_error(error):
            raise ValueError(
                f"{where}[{name!r}]: cannot be read without unpickling ({error}); "
                "expected a numeric or fixed-width string array"
            ) from None
        raise ValueError(
            f"{where}[{name!r}]: not a valid .npy array ({error}); expected "
            "arrays written by numpy.savez"
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(
            f"{where}[{name!r}]: damaged member, cannot read it ({error}); "
            "expected arrays written by numpy.savez"
        ) from None
    except MemoryError:
        raise ValueError(
            f"{where}[{name!r}]: the array does not fit in memory; expected a "
            "smaller matrix"
        ) from None


def _check_positions(positions, n_nodes, where):
    if (
        positions.ndim != 2
        or positions.shape != (n_nodes, positions.shape[1])
        or (positions.shape[1] not in (2, 3))
    ):
        raise ValueError(
            f"{where}: shape {positions.shape}; expected ({n_nodes}, 3) or "
            f"({n_nodes}, 2)"
        )
    if not np.issubdtype(positions.dtype, np.number) or np.iscomplexobj(positions):
        raise ValueError(f"{where}: dtype {positions.dtype}; expected real numbers")
    bad = ~np.isfinite(positions)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{where}, entry {index}: {float(positions[index])!r}; "
            "expected a finite number"
        )
    return positions.astype(np.float64)


def read_networkx_file(path, *, weight="weight"):
    """Read a GraphML or GEXF file through networkx.

    Parameters
    ----------
    path : str or Path
        A ``.graphml`` or ``.gexf`` file.
    weight : str
        Edge attribute holding the weight; edges without it weigh 1.

    Returns
    -------
    RawConnectome
    """
    path = Path(path)
    where = str(path)
    reader = nx.read_gexf if path.suffix.lower() == ".gexf" else nx.read_graphml
    try:
        _check_unique_node_ids(path, where)
    except ElementTree.ParseError as error:
        raise _xml_error(error, path) from None
    try:
        graph = reader(path)
    except ElementTree.ParseError as error:
        raise _xml_error(error, path) from None
    except (nx.NetworkXError, KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"{where}: networkx could not read it as {path.suffix.lstrip('.')} "
            f"({error})"
        ) from None
    if graph.is_multigraph():
        raise ValueError(
            f"{where}: has parallel edges (a multigraph); expected at most one "
            "edge per node pair"
        )
    return _from_networkx(graph, where, path.stem, weight)


def _xml_error(error, path):
    """The ValueError for an XML parse error, with its line and column."""
    line, column = error.position
    return ValueError(
        f"{path}, line {line}, column {column}: not well-formed XML "
        f"({error}); expected a {path.suffix.lstrip('.')} document"
    )


def _check_unique_node_ids(path, where):
    """Refuse a GraphML or GEXF file that declares a node id twice.

    networkx merges such nodes silently (two nodes become one).
    """
    seen = set()
    for _, element in ElementTree.iterparse(path):
        if element.tag.rpartition("}")[2] == "node" and "id" in element.attrib:
            node = element.attrib["id"]
            if node in seen:
                raise ValueError(
                    f"{where}: node id {node!r} is declared twice; expected "
                    "unique node ids"
                )
            seen.add(node)
        element.clear()


def _as_number(value, what, where):
    """Return ``value`` (an attribute read by networkx) as a float.

    Refuses booleans, strings and integers too large for a float, naming
    ``what`` (the attribute) and ``where`` (file, node or edge).
    """
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        raise ValueError(f"{where}: {what} {value!r}; expected a number")
    try:
        return float(value)
    except OverflowError:
        digits = len(str(abs(int(value))))
        raise ValueError(
            f"{where}: {what} is a {digits}-digit integer, too large for a "
            "floating-point number; expected a finite number"
        ) from None


def _from_networkx(graph, where, name, weight):
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    n_nodes = len(nodes)
    if n_nodes == 0:
        raise ValueError(f"{where}: has no nodes; expected a graph")

    if weight != "weight" and graph.number_of_edges():
        check_weight_attribute(graph, weight, where)

    rows, cols, values, lengths = [], [], [], []
    for u, v, data in graph.edges(data=True):
        edge = f"{where}, edge ({u!r}, {v!r})"
        value = _as_number(data.get(weight, 1.0), "weight", edge)
        _check_weight(value, edge)
        key = "tract_length" if "tract_length" in data else "length"
        length = data.get(key)
        if length is not None:
            length = _as_number(length, f"tract length ({key})", edge)
        rows.append(index[u])
        cols.append(index[v])
        values.append(value)
        lengths.append(length)

    matrix = sp.coo_array((values, (rows, cols)), shape=(n_nodes, n_nodes))
    directed = graph.is_directed()
    if not directed:
        off = np.asarray(rows) != np.asarray(cols)
        matrix = matrix + sp.coo_array(
            (np.asarray(values)[off], (np.asarray(cols)[off], np.asarray(rows)[off])),
            shape=(n_nodes, n_nodes),
        )
    tract = _edge_tract_lengths(lengths, rows, cols, n_nodes, directed, where)
    return RawConnectome.from_arrays(
        matrix,
        labels=_node_labels(graph, nodes, where),
        positions=_node_positions(graph, nodes, where),
        tract_lengths=tract,
        name=name,
        source=where,
        directed=directed,
    )


def _node_labels(graph, nodes, where):
    labels = [graph.nodes[node].get("label") for node in nodes]
    if any(label is None for label in labels):
        labels = nodes
    labels = [str(label) for label in labels]
    if len(set(labels)) < len(labels):
        labels = [str(node) for node in nodes]
    return _require_labels(labels, len(nodes), where)


def _node_positions(graph, nodes, where):
    """Positions from x/y(/z) attributes or GEXF viz; None if any is missing.

    A node without ``x`` or ``y`` means the file has no positions; a
    coordinate that is present but not a finite number is an error.
    """
    positions = []
    for node in nodes:
        data = graph.nodes[node]
        here = f"{where}, node {node!r}"
        viz = data.get("viz", {})
        if not isinstance(viz, dict):
            raise ValueError(
                f"{here}: attribute 'viz' is {viz!r}; expected GEXF viz data "
                "(a position with x, y, z)"
            )
        place = viz.get("position", data)
        if not isinstance(place, dict) or "x" not in place or "y" not in place:
            return None
        point = []
        for axis in ("x", "y", "z"):
            value = place.get(axis, 0.0)
            if isinstance(value, str):
                try:
                    value = float(value)
                except ValueError:
                    pass
            value = _as_number(value, f"position {axis!r}", here)
            if not math.isfinite(value):
                raise ValueError(
                    f"{here}: position {axis!r} is {value!r}; expected a finite number"
                )
            point.append(value)
        positions.append(point)
    return np.asarray(positions, dtype=np.float64)


def _edge_tract_lengths(lengths, rows, cols, n_nodes, directed, where):
    if not lengths or any(length is None for length in lengths):
        return None
    for length, r, c in zip(lengths, rows, cols, strict=True):
        if not math.isfinite(length) or length < 0:
            raise ValueError(
                f"{where}, edge {r}-{c}: tract length {length!r}; expected a "
                "finite number >= 0"
            )
    matrix = sp.coo_array((lengths, (rows, cols)), shape=(n_nodes, n_nodes))
    if not directed:
        matrix = sp.csr_array(matrix).maximum(sp.csr_array(matrix).T)
    return matrix


def read_edge_list(path, *, directed=False):
    """Read a weighted edge list (``source target [weight]`` per line).

    Parameters
    ----------
    path : str or Path
        The file.
    directed : bool
        Read ``a b w`` as the single connection ``a -> b``; otherwise as an
        undirected edge (and a pair listed twice is an error).

    Returns
    -------
    RawConnectome
    """
    path = Path(path)
    where = str(path)
    graph = nx.DiGraph() if directed else nx.Graph()
    n_fields = None
    first_line = {}
    for number, line in _data_lines(read_text(path)):
        fields = _split(line, "," if "," in line else None)
        if n_fields is None:
            n_fields = len(fields)
            if n_fields not in (2, 3):
                raise ValueError(
                    f"{where}, line {number}: {n_fields} fields; expected "
                    "'source target' or 'source target weight'"
                )
        if len(fields) != n_fields:
            raise ValueError(
                f"{where}, line {number}: {len(fields)} fields; expected "
                f"{n_fields} like the first edge line (ragged rows)"
            )
        u, v = fields[0], fields[1]
        value = _parse_weight(fields[2], where, number) if n_fields == 3 else 1.0
        if graph.has_edge(u, v):
            raise ValueError(
                f"{where}, line {number}: edge ({u!r}, {v!r}) already listed on "
                f"line {first_line[(u, v)]}; expected each "
                f"{'connection' if directed else 'node pair'} once"
            )
        graph.add_edge(u, v, weight=value)
        first_line[(u, v)] = number
        if not directed:
            first_line[(v, u)] = number
    if n_fields is None:
        raise ValueError(f"{where}: no edge lines; expected 'source target weight'")
    return _from_networkx(graph, where, path.stem, "weight")


def _parse_weight(field, where, number):
    try:
        value = float(field)
    except ValueError:
        raise ValueError(
            f"{where}, line {number}, column 3: expected a number, got {field!r}"
        ) from None
    _check_weight(value, f"{where}, line {number}, column 3")
    return value
