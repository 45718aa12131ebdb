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
    At most ``MAX_DENSE_NODES`` (20,000) columns: the width is checked on
    the first line, read before the rest of the file, and a row beyond the
    width is refused when it is reached.
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

import contextlib
import contextvars
import itertools
import logging
import math
import re
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
    "HEAD_BYTES",
    "MAX_DENSE_NODES",
    "dense_node_limit",
    "node_limit",
    "NotSquareError",
    "check_matrix_head",
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

#: The most nodes (columns) of a dense text matrix: 20,000. Its float64
#: array takes 3.2 GB, the sparse weights made from it up to 4.8 GB more
#: (when every entry is non-zero) and its text at least 0.8 GB, which a
#: 24 GB workstation holds. A wider first line is refused before the rest of
#: the file is read or split.
MAX_DENSE_NODES = 20_000
# A lower limit set by a caller that cannot use more nodes (node_limit).
_NODE_LIMIT = contextvars.ContextVar("neurorelax_dense_node_limit", default=None)
#: Bytes read from the start of a dense text file (or zip member) to check
#: its width before the whole file is read: 1 MiB holds a first line of
#: MAX_DENSE_NODES fields of up to 50 characters.
HEAD_BYTES = 1 << 20
#: A first line this long (in characters) is no matrix row: MAX_DENSE_NODES
#: numbers of up to 50 characters are shorter.
LONGEST_FIRST_LINE = 1 << 20
#: Most blank or comment lines a text graph file may hold (about 0.7 s to
#: skip).
MAX_SKIPPED_LINES = 1_000_000
# Lines longer than this are not split just to name their field count.
_COUNT_CHARS = 1 << 24


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _split(line, delimiter, limit=-1):
    """Split ``line`` into fields; with ``limit``, into at most ``limit + 1``.

    A bounded split costs memory for ``limit + 1`` fields only, however long
    the line: more than ``limit`` fields come back as ``limit + 1`` items
    (the last one holds the rest of the line).
    """
    if delimiter is None:
        return line.split(None, limit)
    return [field.strip() for field in line.split(delimiter, limit)]


def _count_fields(line, delimiter):
    """The number of fields in ``line``, or None if counting would cost much.

    Only called for a line with too many fields, to name the count.
    """
    if delimiter is not None:
        return line.count(delimiter) + 1
    if len(line) <= _COUNT_CHARS:
        return len(line.split())
    return None


def _fields_text(count, limit, noun="fields"):
    """'12 fields', or 'more than 10 fields' when the count is unknown."""
    return f"{count:,} {noun}" if count is not None else f"more than {limit:,} {noun}"


# The line breaks of str.splitlines (which _lines must match).
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_OTHER_BREAKS = ("\r", "\v", "\f", "\x1c", "\x1d", "\x1e")
_BREAK_CHARS = ("\n", *_OTHER_BREAKS, "\x85", "\u2028", "\u2029")


def _lines(text):
    """Yield the lines of ``text`` as ``text.splitlines()`` does, one at a time.

    A list of all lines would hold a second copy of a large file.
    """
    if text.isascii() and not any(brk in text for brk in _OTHER_BREAKS):
        start, end = 0, len(text)
        while start < end:
            stop = text.find("\n", start)
            if stop < 0:
                yield text[start:]
                return
            yield text[start:stop]
            start = stop + 1
        return
    start = 0
    for match in _LINE_BREAKS.finditer(text):
        yield text[start : match.start()]
        start = match.end()
    if start < len(text):
        yield text[start:]


def _data_lines(text, where="text"):
    """Yield (line number, line) for non-blank, non-comment lines, lazily.

    More than ``MAX_SKIPPED_LINES`` blank or comment lines are refused: a
    small compressed file can unpack into a billion empty lines, which
    would take minutes to skip.
    """
    skipped = 0
    for number, line in enumerate(_lines(text), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, line
            continue
        skipped += 1
        if skipped > MAX_SKIPPED_LINES:
            raise ValueError(
                f"{where}: more than {MAX_SKIPPED_LINES:,} blank or comment lines "
                f"by line {number:,}; expected a graph file with its data on "
                "most lines"
            )


def _check_weight(value, where):
    """Raise unless ``value`` is a finite number >= 0."""
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{where}: weight {value!r}; expected a finite number >= 0")


class _TooFewLines(ValueError):
    """A text with no data lines (or a header and no data line)."""


def _too_wide(where, number, what, max_columns):
    """The ValueError for a line wider than ``max_columns`` matrix columns."""
    return ValueError(
        f"{where}, line {number}: {what}; expected at most {max_columns:,} "
        f"columns, {_limit_text(max_columns)}"
    )


def _limit_text(limit):
    """Why a dense matrix may have at most ``limit`` nodes, for a message."""
    if limit < MAX_DENSE_NODES:
        return "the most nodes this command takes"
    return (
        "the node limit for a dense text matrix (a larger graph belongs in an "
        "edge list)"
    )


def dense_node_limit():
    """The most nodes a dense matrix may have here (see :func:`node_limit`)."""
    lowered = _NODE_LIMIT.get()
    return MAX_DENSE_NODES if lowered is None else min(lowered, MAX_DENSE_NODES)


@contextlib.contextmanager
def node_limit(max_nodes):
    """Lower the dense readers' node limit within a ``with`` block.

    For a caller that refuses graphs of more than ``max_nodes`` nodes (such
    as ``neurorelax compare``): a larger matrix is then refused on its first
    line or its array header, before the rest is read.

    Parameters
    ----------
    max_nodes : int or None
        The limit (None leaves ``MAX_DENSE_NODES``).
    """
    token = _NODE_LIMIT.set(max_nodes)
    try:
        yield
    finally:
        _NODE_LIMIT.reset(token)


def _matrix_start(lines, where, delimiter, allow_labels, max_columns):
    """Read the header (if any) and the first data row; check the width.

    Only the first one or two lines are split, each into at most
    ``max_columns + 2`` fields, so a line too wide for the node limit is
    refused before the rest of the file costs anything.

    Parameters
    ----------
    lines : iterator of (int, str)
        The data lines, from :func:`_data_lines`; one or two are consumed.
    where, delimiter, allow_labels
        See :func:`parse_matrix_text`.
    max_columns : int
        The most matrix columns allowed.

    Returns
    -------
    header : list of str or None
    header_number : int
        Line number of the header, or of the first row without a header.
    first : (int, list of str)
        Line number and fields of the first data row.
    row_labels : bool
        Whether the rows start with a label.

    Raises
    ------
    ValueError
        For a line too wide; ``_TooFewLines`` (a ValueError) for a text
        without data lines.
    """
    # A label column (and the corner cell above it) adds one field.
    max_fields = max_columns + int(allow_labels)
    noun = "fields" if allow_labels else "columns"

    def next_fields(missing):
        """Split the next line into at most max_fields + 1 fields, or refuse it."""
        following = next(lines, None)
        if following is None:
            raise _TooFewLines(f"{where}: {missing}")
        number, line = following
        fields = _split(line, delimiter, max_fields)
        if len(fields) > max_fields:
            count = _fields_text(_count_fields(line, delimiter), max_fields, noun)
            raise _too_wide(where, number, count, max_columns)
        return number, fields

    number, fields = next_fields("no data lines; expected a numeric matrix")

    # A first line with no number in it is a header of column labels.
    header, header_number = None, number
    if allow_labels and not any(_is_number(f) for f in fields if f):
        header = fields
        number, fields = next_fields("a header line but no data lines")

    # Below a header, a first field that is not a number means row labels.
    row_labels = header is not None and not _is_number(fields[0])
    n_columns = len(fields) - row_labels
    if n_columns > max_columns:
        raise _too_wide(where, number, f"{n_columns:,} columns", max_columns)
    return header, header_number, (number, fields), row_labels


def check_matrix_head(
    head, where, *, delimiter=None, allow_labels=True, max_columns=None, complete=False
):
    """Check the width of a dense matrix from the start of its text.

    Called on the first kilobytes or megabytes of a file before the whole
    file is read, so that a matrix wider than the node limit is refused at
    once. Only complete lines are examined (the last line of ``head`` counts
    as complete only when ``complete`` is true); a head with too few lines
    passes, and :func:`parse_matrix_text` checks the whole text later.

    Parameters
    ----------
    head : str
        The start of the file's text.
    where, delimiter, allow_labels, max_columns
        See :func:`parse_matrix_text`.
    complete : bool
        Whether ``head`` is the whole text.

    Raises
    ------
    ValueError
        The same error :func:`parse_matrix_text` raises for a line too wide,
        or for a head of ``LONGEST_FIRST_LINE`` characters or more that is
        not the whole text and holds no line break (no matrix row is that
        long).
    """
    if max_columns is None:
        max_columns = dense_node_limit()
    if (
        not complete
        and len(head) >= LONGEST_FIRST_LINE
        and not _LINE_BREAKS.search(head)
    ):
        raise ValueError(
            f"{where}, line 1: longer than {len(head):,} characters; expected at "
            f"most {max_columns:,} numbers of up to 50 characters"
        )
    lines = list(_lines(head))
    if lines and not complete and not head.endswith(_BREAK_CHARS):
        lines.pop()  # cut by the end of ``head``
    data = (
        (number, line)
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.strip().startswith("#")
    )
    try:
        _matrix_start(data, where, delimiter, allow_labels, max_columns)
    except _TooFewLines:
        if complete:
            raise


def parse_matrix_text(
    text,
    where,
    *,
    delimiter=None,
    allow_labels=True,
    kind="weight",
    square=False,
    max_columns=None,
):
    """Parse a dense numeric matrix from text, checking every entry.

    The text is read line by line into a NumPy array (8 bytes per entry; no
    Python list of all the fields is made), and the width is checked on the
    first line: a matrix wider than ``max_columns`` is refused before the
    rest of the text is split.

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
    square : bool
        Refuse a matrix with more or fewer rows than columns; the rows are
        counted (up to one more than the columns) once the first row is
        converted, before any other. Not applied when the rows hold labels
        only (no columns).
    max_columns : int, optional
        The most columns allowed (default ``MAX_DENSE_NODES``).

    Returns
    -------
    matrix : ndarray of float64, shape (n_rows, n_columns)
    labels : list of str or None
        The labels of the header (or of the first column), None without a
        header.

    Raises
    ------
    ValueError
        Naming ``where``, the line and column of the first bad entry, or the
        line that makes the matrix too wide or (with ``square``) too long;
        a ``square`` matrix with fewer rows than columns raises the subclass
        ``NotSquareError`` (with the ``shape``) before the second row is
        converted.
    """
    if max_columns is None:
        max_columns = dense_node_limit()
    lines = _data_lines(text, where)
    header, header_number, (first_number, fields), row_labels = _matrix_start(
        lines, where, delimiter, allow_labels, max_columns
    )
    n_fields = len(fields)
    n_columns = n_fields - row_labels
    rows, names, numbers, bad = [], [], [], None
    matrix = None
    for number, line in itertools.chain([(first_number, None)], lines):
        if line is not None:
            fields = _split(line, delimiter, n_fields)
        if len(fields) != n_fields:
            count = _count_fields(line, delimiter)
            raise ValueError(
                f"{where}, line {number}: {_fields_text(count, n_fields)}; "
                f"expected {n_fields} like line {first_number} (ragged rows)"
            )
        if row_labels:
            names.append(fields[0])
            fields = fields[1:]
        row = np.empty(n_columns) if matrix is None else matrix[len(numbers)]
        _parse_row(row, fields, where, number, offset=int(row_labels))
        numbers.append(number)
        if matrix is None and square and n_columns:
            # After the first row, count the rows before converting more: a
            # wrong count is refused at once, and the rows go straight into
            # the (n, n) array.
            _check_row_count(text, where, first_number, n_columns)
            matrix = np.empty((n_columns, n_columns))
            matrix[0] = row
        elif matrix is None:
            rows.append(row)
        # Weights and tract lengths must be finite and >= 0; the first bad
        # one is reported once every line has been split and converted.
        if kind != "number" and bad is None:
            wrong = ~np.isfinite(row) | (row < 0)
            if wrong.any():
                column = int(np.argmax(wrong))
                bad = (number, column, float(row[column]))
    if matrix is None:
        matrix = np.array(rows, dtype=np.float64).reshape(len(numbers), n_columns)

    if bad is not None:
        number, column, value = bad
        raise ValueError(
            f"{where}, line {number}, column {column + 1 + row_labels}: "
            f"{kind} {value!r}; expected a finite number >= 0"
        )

    labels = _merge_labels(
        header, names if row_labels else None, matrix, where, header_number
    )
    return matrix, labels


class NotSquareError(ValueError):
    """A matrix with fewer rows than columns; ``shape`` is its shape."""

    def __init__(self, where, shape):
        super().__init__(
            f"{where}: expected a square matrix (as many rows as columns), got "
            f"shape {shape}"
        )
        self.shape = shape


def _check_row_count(text, where, first_number, n_columns):
    """Refuse a matrix whose row count (from line ``first_number``) is not n.

    Lines are only stripped, not split, and counting stops one row past
    ``n_columns``, so this costs little next to converting the entries.
    """
    n_rows = 0
    for number, _ in _data_lines(text, where):
        if number < first_number:
            continue  # the header
        n_rows += 1
        if n_rows > n_columns:
            raise ValueError(
                f"{where}, line {number}: row {n_rows} of a matrix with "
                f"{n_columns} columns; expected a square matrix (as many rows "
                "as columns)"
            )
    if n_rows < n_columns:
        raise NotSquareError(where, (n_rows, n_columns))


def _parse_row(row, fields, where, number, offset):
    """Convert one line's fields into ``row``; name the first that is no number.

    NumPy converts the strings as ``float`` does; when it fails, the fields
    are converted one by one to find the bad one.
    """
    try:
        row[:] = fields
        return
    except ValueError:
        pass
    for column, field in enumerate(fields, start=1 + offset):
        if not _is_number(field):
            raise ValueError(
                f"{where}, line {number}, column {column}: expected a "
                f"number, got {field!r}"
            ) from None
    row[:] = [float(field) for field in fields]


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

    Raises
    ------
    ValueError
        For a malformed file, a matrix of more than ``MAX_DENSE_NODES``
        columns (refused from the first line, before the file is read) or
        of more rows than columns (refused at the first extra row).
    """
    path = Path(path)
    if delimiter == "auto":
        delimiter = _DELIMITERS.get(path.suffix.lower())
    # Check the width on the first line before reading a large file.
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    check_matrix_head(
        head.decode("utf-8-sig", errors="replace"),
        str(path),
        delimiter=delimiter,
        complete=len(head) < HEAD_BYTES,
    )
    del head
    matrix, labels = parse_matrix_text(
        read_text(path), str(path), delimiter=delimiter, square=True
    )
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
        If the header is not a valid ``.npy`` header, it declares more than
        ``MAX_DENSE_NODES`` along an axis (or as many values as a larger
        square matrix), or more data than the file holds (a truncated or
        forged file, which NumPy would otherwise try to allocate, however
        large).
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
        # NumPy's message may show parts of the header as Python syntax
        # nodes ("<ast.Call object at 0x...>"), which mean nothing here.
        reason = re.sub(
            r"<ast\.\w+ object at 0x[0-9a-f]+>", "an expression", str(error)
        )
        raise ValueError(
            f"{where}: not a valid .npy file ({reason}); expected an array "
            "written by numpy.save"
        ) from None
    if dtype.hasobject:
        return  # np.load refuses it with the unpickling message
    limit = dense_node_limit()
    if max(shape, default=0) > limit or math.prod(shape) > limit**2:
        raise ValueError(
            f"{where}: its header declares shape {shape}; expected at most "
            f"{limit:,} nodes, {_limit_text(limit)}"
        )
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
    for number, line in _data_lines(read_text(path), where):
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
