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

from .raw import RawConnectome
from .readers import _require_labels, _require_square, parse_matrix_text

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
        is malformed; the message names ``archive:member``, the line and what
        was expected.
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
        texts = {
            key: _read_member(archive, info, path) for key, info in members.items()
        }

    where = {key: f"{path}:{info.filename}" for key, info in members.items()}
    weights, _ = parse_matrix_text(
        texts["weights"], where["weights"], allow_labels=False
    )
    _require_square(weights, where["weights"])
    n_nodes = weights.shape[0]

    tract = None
    if "tract_lengths" in texts:
        tract, _ = parse_matrix_text(
            texts["tract_lengths"],
            where["tract_lengths"],
            allow_labels=False,
            kind="tract length",
        )
        if tract.shape != weights.shape:
            raise ValueError(
                f"{where['tract_lengths']}: shape {tract.shape}; expected "
                f"{weights.shape} like weights.txt"
            )
    labels = positions = None
    if "centres" in texts:
        labels, positions = _parse_centres(texts["centres"], where["centres"], n_nodes)
    logger.debug("read %s: %d regions, members %s", path, n_nodes, sorted(texts))
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


def _read_member(archive, info, path):
    """Return a member's text, decompressed, refusing more than the size limit.

    Encryption and unknown compression methods are refused from the member's
    header; the size is checked first from the header, then while the data
    are decompressed, so a small member that unpacks to gigabytes (a zip
    bomb) is stopped at ``MAX_MEMBER_BYTES``.
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
    try:
        with archive.open(info) as stream:
            data = stream.read(MAX_MEMBER_BYTES + 1)
    except _READ_ERRORS as error:
        raise ValueError(
            f"{where}: damaged zip member, cannot read it ({error}); expected an "
            "intact zip archive"
        ) from None
    _check_read_size(data, where, "uncompressed")
    opener = _COMPRESSED.get(PurePosixPath(info.filename).suffix)
    if opener is not None:
        try:
            # read() with a size stops decompressing there: no bomb unpacks.
            with opener(io.BytesIO(data)) as stream:
                data = stream.read(MAX_MEMBER_BYTES + 1)
        except _READ_ERRORS as error:
            raise ValueError(f"{where}: cannot decompress ({error})") from None
        _check_read_size(data, where, "after decompression")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{where}: byte {error.start} is not UTF-8 text; expected a text file"
        ) from None


def _check_read_size(data, where, stage):
    """Refuse data read up to ``MAX_MEMBER_BYTES + 1`` bytes that hit the limit."""
    if len(data) > MAX_MEMBER_BYTES:
        raise ValueError(
            f"{where}: more than {MAX_MEMBER_BYTES} bytes {stage}; expected at "
            "most that for a connectivity file (a zip bomb or a wrong file?)"
        )


def _parse_centres(text, where, n_nodes):
    """Parse ``label x y z`` lines; return labels and positions (n, 3)."""
    labels, positions = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 4:
            raise ValueError(
                f"{where}, line {number}: {len(fields)} fields; expected 'label x y z'"
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
