"""The Virtual Brain (TVB) connectivity archives and the built-in connectomes.

A TVB connectivity archive is a zip file holding plain-text files, either at
its top level or in one sub-folder, each optionally compressed with bz2 or
gzip (``weights.txt.bz2``):

``weights.txt`` (required)
    Square matrix of connection strengths (arbitrary units), white-space
    separated; ``weights[i, j]`` is the connection from region ``i`` to
    region ``j`` as TVB stores it.
``tract_lengths.txt``
    Square matrix of tract lengths, mm.
``centres.txt``
    One line per region: ``label x y z`` (mm; further columns are ignored).

The matrices may have at most ``readers.MAX_DENSE_NODES`` (20,000) columns:
the width is checked on the first line, read before the rest of the member
is unpacked, and the rows are counted before any but the first is
converted, so a small archive that unpacks to a matrix too wide or not
square is refused before a large array is built.

Other members (``areas.txt``, ``cortical.txt``, ``average_orientations.txt``,
``info.txt``) are not read.

Built-in connectomes come from the ``tvb-data`` package (version 3.0.0, a
dependency of neurorelax), by name:

======  =====  ===========================================================
name    nodes  archive in ``tvb_data/connectivity``
======  =====  ===========================================================
tvb66   66     ``connectivity_66.zip``
tvb68   68     ``connectivity_68.zip`` (bz2-compressed members)
tvb76   76     ``connectivity_76.zip`` (the project's default connectome)
tvb96   96     ``connectivity_96.zip``
tvb192  192    ``connectivity_192.zip`` (files in a sub-folder)
======  =====  ===========================================================

References
----------
Sanz Leon P, Knock SA, Woodman MM, Domide L, Mersmann J, McIntosh AR,
Jirsa V (2013). The Virtual Brain: a simulator of primate brain network
dynamics. Front. Neuroinform. 7:10. doi:10.3389/fninf.2013.00010

The data in ``tvb-data`` are (c) 2012-2019 Baycrest Centre for Geriatric Care
and others, distributed under the GNU General Public License version 3 or
later; neurorelax does not ship a copy and reads them from the installed
package.
"""

import bz2
import gzip
import importlib.resources
import io
import logging
import lzma
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np

from . import readers
from .raw import RawConnectome
from .readers import (
    NotSquareError,
    _lines,
    _require_labels,
    _require_square,
    check_matrix_head,
    parse_matrix_text,
)

__all__ = ["TVB_CONNECTOMES", "read_tvb_zip", "tvb_archive"]

logger = logging.getLogger(__name__)

TVB_CONNECTOMES = {
    "tvb66": "connectivity_66.zip",
    "tvb68": "connectivity_68.zip",
    "tvb76": "connectivity_76.zip",
    "tvb96": "connectivity_96.zip",
    "tvb192": "connectivity_192.zip",
}
TVB_DATA_REQUIREMENT = "tvb-data==3.0.0"

# No member of a real connectivity archive comes near this; a larger one is
# refused (a zip bomb or a wrong file). The limit holds for the bytes after
# every decompression (zip, then .bz2/.gz), counted while decompressing.
MAX_MEMBER_BYTES = 1 << 30
_COMPRESSED = {".bz2": bz2.open, ".gz": gzip.open}
# Members are read in chunks of this size after their head.
_CHUNK_BYTES = 1 << 24
_ZIP_METHODS = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
}
# What a damaged member raises while it is read or decompressed.
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
)


def tvb_archive(name):
    """Return the path of a built-in TVB connectivity archive.

    Parameters
    ----------
    name : str
        One of ``TVB_CONNECTOMES`` (``"tvb66"``, ``"tvb68"``, ``"tvb76"``,
        ``"tvb96"``, ``"tvb192"``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        If ``name`` is not a built-in connectome.
    ImportError
        If the ``tvb-data`` package is not installed; the message gives the
        pip command.
    """
    if name not in TVB_CONNECTOMES:
        options = ", ".join(repr(key) for key in TVB_CONNECTOMES)
        raise ValueError(f"name must be one of {options}; got {name!r}")
    try:
        package = importlib.resources.files("tvb_data.connectivity")
    except ModuleNotFoundError:
        raise ImportError(
            f"the built-in connectome {name!r} comes from The Virtual Brain's "
            f"data package 'tvb-data', which is not installed; install it with "
            f"`pip install {TVB_DATA_REQUIREMENT}` (or pass a file path)"
        ) from None
    path = Path(str(package / TVB_CONNECTOMES[name]))
    if not path.is_file():
        raise ImportError(
            f"the installed 'tvb-data' package has no {TVB_CONNECTOMES[name]} "
            f"for {name!r}; reinstall it with `pip install {TVB_DATA_REQUIREMENT}`"
        )
    return path


def read_tvb_zip(path, *, name=None):
    """Read a TVB connectivity archive.

    Parameters
    ----------
    path : str or Path
        The zip file.
    name : str, optional
        Name given to the connectome (default: the file stem).

    Returns
    -------
    RawConnectome
        Weights as stored (TVB matrices are often asymmetric and may have
        self-connections), region labels and centres (mm) from
        ``centres.txt``, tract lengths (mm) from ``tract_lengths.txt``.

    Raises
    ------
    ValueError
        If the archive is not a zip file, has no ``weights.txt``, or a member
        is malformed, too large (``MAX_MEMBER_BYTES``), a matrix of more
        than ``readers.MAX_DENSE_NODES`` columns or not square; the message
        names ``archive:member``, the line and what was expected.
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(
            f"{path}: not a zip archive; expected a TVB "
            "connectivity zip with weights.txt"
        ) from None
    with archive:
        members = _find_members(archive, path)
        where = {key: f"{path}:{info.filename}" for key, info in members.items()}
        # One member at a time, its text dropped once parsed: the peak memory
        # is one member's text and the matrices.
        weights = _read_matrix(archive, members["weights"], path, "weight")
        _require_square(weights, where["weights"])
        n_nodes = weights.shape[0]
        tract = None
        if "tract_lengths" in members:
            try:
                tract = _read_matrix(
                    archive, members["tract_lengths"], path, "tract length"
                )
                shape = tract.shape
            except NotSquareError as error:
                shape = error.shape
            if shape != weights.shape:
                raise ValueError(
                    f"{where['tract_lengths']}: shape {shape}; expected "
                    f"{weights.shape} like weights.txt"
                )
        labels = positions = None
        if "centres" in members:
            text = _read_member(archive, members["centres"], path)
            labels, positions = _parse_centres(text, where["centres"], n_nodes)
    logger.debug("read %s: %d regions, members %s", path, n_nodes, sorted(members))
    return RawConnectome.from_arrays(
        weights,
        labels=labels,
        positions=positions,
        tract_lengths=tract,
        name=name or path.stem,
        source=str(path),
    )


def _find_members(archive, path):
    """Map 'weights', 'tract_lengths', 'centres' to their zip members."""
    found = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        member = PurePosixPath(info.filename)
        stem = member.name
        for suffix in _COMPRESSED:
            stem = stem.removesuffix(suffix)
        key = {
            "weights.txt": "weights",
            "tract_lengths.txt": "tract_lengths",
            "centres.txt": "centres",
        }.get(stem)
        if key is None or "__MACOSX" in member.parts:
            continue
        if key in found:
            raise ValueError(
                f"{path}: holds both {found[key].filename!r} and "
                f"{info.filename!r}; expected one {stem}"
            )
        found[key] = info
    if "weights" not in found:
        names = ", ".join(info.filename for info in archive.infolist()) or "nothing"
        raise ValueError(
            f"{path}: no weights.txt in the archive (it holds {names}); expected "
            "a TVB connectivity zip with weights.txt"
        )
    return found


def _read_matrix(archive, info, path, kind):
    """Read and parse a matrix member, refusing one too wide from its head.

    Returns
    -------
    ndarray of float64, shape (n, n)
        At most ``readers.MAX_DENSE_NODES`` nodes.

    Raises
    ------
    ValueError
        As :func:`~neurorelax.connectome.readers.parse_matrix_text` with
        ``square=True``; fewer rows than columns raise its ``NotSquareError``.
    """
    where = f"{path}:{info.filename}"

    def check_head(head, complete):
        check_matrix_head(
            head.decode("utf-8-sig", errors="replace"),
            where,
            allow_labels=False,
            complete=complete,
        )

    text = _read_member(archive, info, path, check_head=check_head)
    matrix, _ = parse_matrix_text(
        text, where, allow_labels=False, kind=kind, square=True
    )
    return matrix


def _read_member(archive, info, path, *, check_head=None):
    """Return a member's text, decompressed, refusing more than the size limit.

    Encryption and unknown compression methods are refused from the member's
    header; the size is checked first from the header, then while the data
    are decompressed, so a small member that unpacks to gigabytes (a zip
    bomb) is stopped at ``MAX_MEMBER_BYTES``.

    Parameters
    ----------
    archive : zipfile.ZipFile
    info : zipfile.ZipInfo
        The member.
    path : Path
        The archive, for messages.
    check_head : callable, optional
        Called as ``check_head(head, complete)`` with the first
        ``readers.HEAD_BYTES`` of the (fully decompressed) data before the
        rest is unpacked; ``complete`` says whether ``head`` is all of it.
        It raises ValueError to refuse the member.
    """
    where = f"{path}:{info.filename}"
    if info.flag_bits & 0x1:
        raise ValueError(
            f"{where}: the member is encrypted; expected an unencrypted zip "
            "(neurorelax does not ask for passwords)"
        )
    if info.compress_type not in _ZIP_METHODS:
        raise ValueError(
            f"{where}: zip compression method {info.compress_type}; expected one "
            f"of {', '.join(_ZIP_METHODS.values())}"
        )
    if info.file_size > MAX_MEMBER_BYTES:
        raise ValueError(
            f"{where}: {info.file_size} bytes uncompressed; "
            f"expected at most {MAX_MEMBER_BYTES} for a connectivity file"
        )
    opener = _COMPRESSED.get(PurePosixPath(info.filename).suffix)
    damaged = (
        f"{where}: damaged zip member, cannot read it ({{}}); expected an "
        "intact zip archive"
    )
    data = _read_limited(
        lambda: archive.open(info),
        where,
        "uncompressed",
        damaged,
        check_head=None if opener is not None else check_head,
    )
    if opener is not None:
        # read() with a size stops decompressing there: no bomb unpacks.
        data = _read_limited(
            lambda: opener(io.BytesIO(data)),
            where,
            "after decompression",
            f"{where}: cannot decompress ({{}})",
            check_head=check_head,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{where}: byte {error.start} is not UTF-8 text; expected a text file"
        ) from None


def _read_limited(open_stream, where, stage, damaged, *, check_head=None):
    """Read a stream up to ``MAX_MEMBER_BYTES`` bytes; refuse more.

    Parameters
    ----------
    open_stream : callable
        Returns the binary stream to read (a context manager).
    where, stage : str
        For the size message (see :func:`_check_read_size`).
    damaged : str
        Message for a read error, with ``{}`` for the error.
    check_head : callable, optional
        See :func:`_read_member`; called before the rest is read.

    Returns
    -------
    bytes
    """
    limit = MAX_MEMBER_BYTES + 1
    head_size = min(readers.HEAD_BYTES, limit)
    stream = _read_step(damaged, open_stream)
    with stream:
        head = _read_step(damaged, stream.read, head_size)
        complete = len(head) < head_size
        if check_head is not None and len(head) < limit:
            check_head(head, complete)
        chunks, total = [head], len(head)
        while not complete and total < limit:
            chunk = _read_step(damaged, stream.read, min(_CHUNK_BYTES, limit - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    del chunks, head
    _check_read_size(data, where, stage)
    return data


def _read_step(damaged, step, *arguments):
    """Run ``step`` (opening or reading a stream); name a read error."""
    try:
        return step(*arguments)
    except _READ_ERRORS as error:
        raise ValueError(damaged.format(error)) from None


def _check_read_size(data, where, stage):
    """Refuse data read up to ``MAX_MEMBER_BYTES + 1`` bytes that hit the limit."""
    if len(data) > MAX_MEMBER_BYTES:
        raise ValueError(
            f"{where}: more than {MAX_MEMBER_BYTES} bytes {stage}; expected at "
            "most that for a connectivity file (a zip bomb or a wrong file?)"
        )


def _parse_centres(text, where, n_nodes):
    """Parse ``label x y z`` lines; return labels and positions (n, 3).

    Lines are read one at a time and each is split into at most five fields,
    and a line beyond the ``n_nodes``-th region is refused when reached.
    """
    labels, positions = [], []
    for number, line in enumerate(_lines(text), start=1):
        fields = line.split(None, 4)
        if not fields:
            continue
        if len(fields) < 4:
            raise ValueError(
                f"{where}, line {number}: {len(fields)} fields; expected 'label x y z'"
            )
        if len(labels) == n_nodes:
            raise ValueError(
                f"{where}, line {number}: region {n_nodes + 1} of a "
                f"{n_nodes} x {n_nodes} matrix; expected one line per node"
            )
        try:
            positions.append([float(value) for value in fields[1:4]])
        except ValueError:
            raise ValueError(
                f"{where}, line {number}: coordinates {fields[1:4]}; expected "
                "three numbers after the label"
            ) from None
        labels.append(fields[0])
    labels = _require_labels(labels, n_nodes, where)
    positions = np.asarray(positions, dtype=np.float64)
    if not np.isfinite(positions).all():
        row = int(np.argwhere(~np.isfinite(positions))[0][0])
        raise ValueError(
            f"{where}: centre of {labels[row]!r} is not finite; "
            "expected finite coordinates"
        )
    return labels, positions
