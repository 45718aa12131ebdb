"""Result files that are written atomically and reload without re-running.

Every result of the project (a model run, a comparison, a sweep point) is one
HDF5 file: named arrays as datasets (nested mappings become HDF5 groups) and
the parameters and metrics as JSON in the root attribute ``metadata``. Each
file is first written under a temporary name in the same folder and then
renamed over the target, so an interrupted run leaves either the previous
complete file or none, never a half-written one.

Examples
--------
>>> import tempfile, numpy as np
>>> folder = tempfile.mkdtemp()
>>> path = save_results(folder + "/run.h5", {"rate": np.arange(3.0)},
...                     {"gamma": 0.5})
>>> loaded = load_results(path)
>>> float(loaded.arrays["rate"][2]), loaded.metadata["gamma"]
(2.0, 0.5)
"""

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

__all__ = [
    "Results",
    "atomic_path",
    "load_results",
    "save_results",
    "to_jsonable",
    "write_json",
    "write_text",
]

logger = logging.getLogger(__name__)


@dataclass
class Results:
    """Arrays and metadata read back from a result file."""

    arrays: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    path: Path | None = None


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    The temporary file keeps the target's suffix, so writers that choose a
    format from the file name (matplotlib, pyarrow) behave as usual. If the
    block raises, the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent
    )
    os.close(handle)
    try:
        yield Path(temporary)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        # mkstemp creates the file readable by its owner only; give the
        # result the permissions of any other new file (0666 less umask).
        os.chmod(temporary, 0o666 & ~_current_umask())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _current_umask():
    """Return the process's umask (reading it requires setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def to_jsonable(value):
    """Convert numpy values and Brian2 quantities into JSON-ready objects.

    A quantity becomes text with its unit, every digit kept (``"10.0 ms"``,
    ``"123.4567890123456 us"``; it parses back with
    :func:`neurorelax.quantities.parse_quantity`); an array of quantities
    becomes its values in SI units, ``{"values": [...], "unit": "s"}``.
    Arrays become lists; non-finite floats become the strings ``"nan"``,
    ``"inf"`` and ``"-inf"`` so that the JSON stays standard.

    Raises
    ------
    ValueError
        If two keys of a mapping are the same once written as text (``1`` and
        ``"1"``).
    """
    if isinstance(value, dict):
        converted = {str(key): to_jsonable(item) for key, item in value.items()}
        if len(converted) < len(value):
            texts = [str(key) for key in value]
            twice = sorted({key for key in texts if texts.count(key) > 1})
            raise ValueError(
                f"metadata keys must differ as text; {twice} stand for more than "
                "one key"
            )
        return converted
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if hasattr(value, "dim") and hasattr(value, "dimensions"):
        return _quantity_json(value)
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if np.isfinite(value) else str(value)
    if isinstance(value, Path):
        return str(value)
    return value


def _quantity_json(value):
    """A Brian2 quantity as JSON: text for a scalar, values and unit for an array."""
    from brian2 import Quantity, Unit
    from brian2.units.fundamentalunits import get_unit

    numbers = np.asarray(value, dtype=float)
    usable = np.flatnonzero(np.isfinite(numbers) & (numbers != 0))
    si_unit = unit = get_unit(value.dim)
    if usable.size:
        # The unit Brian2 would show the (first usable) value in.
        best = Quantity(numbers.flat[usable[0]], dim=value.dim).get_best_unit()
        unit = best if isinstance(best, Unit) else unit
    if numbers.ndim == 0:
        text = _shortest(float(numbers), unit)
        if text is None:
            unit = si_unit
            text = _shortest(float(numbers), unit) or repr(float(numbers))
        return f"{text} {unit}"
    # Arrays keep their SI values, which need no division to read back.
    return {"values": to_jsonable(numbers), "unit": str(si_unit)}


def _shortest(si_value, unit):
    """The shortest number that, times ``unit``, gives back ``si_value``.

    Back means to within two units in the last place (a value such as 0.05 ms
    is 50.00000000000001 us in floating point, and is written as 50 us).
    Returns None if no such number is found in ``unit``.
    """
    number = si_value / float(unit)
    if not np.isfinite(si_value):
        return str(si_value)
    if si_value == 0:
        return "0"
    tolerance = 2 * np.spacing(abs(si_value))
    positional = 1e-4 <= abs(number) < 1e7
    for digits in range(1, 18):
        if positional:
            text = np.format_float_positional(
                number, precision=digits, unique=False, fractional=False, trim="-"
            )
        else:
            text = f"{number:.{digits}g}"
        if abs(float(np.asarray(float(text) * unit)) - si_value) <= tolerance:
            return text
    return None


def write_text(path, text):
    """Write ``text`` to ``path`` atomically and return the path."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(path, data):
    """Write ``data`` as indented JSON to ``path`` atomically."""
    return write_text(path, json.dumps(to_jsonable(data), indent=2) + "\n")


def _write_group(group, arrays):
    for name, value in arrays.items():
        if isinstance(value, dict):
            _write_group(group.create_group(str(name)), value)
        else:
            data = np.asarray(value)
            options = {"compression": "gzip"} if data.size > 4096 else {}
            group.create_dataset(str(name), data=data, **options)


def save_results(path, arrays, metadata=None):
    """Save named arrays and JSON metadata to an HDF5 file, atomically.

    Parameters
    ----------
    path : str or Path
        Target file; its folder is created if needed.
    arrays : dict
        Mapping of names to array-likes; nested dicts become HDF5 groups.
    metadata : dict, optional
        Parameters, metrics and provenance; stored as JSON.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ValueError
        Before anything is written, if ``path`` is a folder or the metadata
        cannot be stored as JSON (see :func:`to_jsonable`).
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(
            f"path {str(path)!r} is a folder; expected the name of a result file "
            "to write"
        )
    # Encode the metadata before anything is written, so that a value JSON
    # cannot hold (a complex number, a set) is refused up front.
    try:
        encoded = json.dumps(to_jsonable(metadata or {}))
    except TypeError as error:
        raise ValueError(f"metadata cannot be stored as JSON: {error}") from None
    with atomic_path(path) as temporary:
        with h5py.File(temporary, "w") as handle:
            _write_group(handle, arrays)
            handle.attrs["metadata"] = encoded
    logger.debug("saved %d array(s) to %s", len(arrays), path)
    return path


def _read_group(group):
    out = {}
    for name, item in group.items():
        out[name] = _read_group(item) if isinstance(item, h5py.Group) else item[()]
    return out


def load_results(path):
    """Load a file written by :func:`save_results`.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a neurorelax result file.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"result file {str(path)!r} does not exist")
    try:
        with h5py.File(path, "r") as handle:
            arrays = _read_group(handle)
            metadata = json.loads(handle.attrs.get("metadata", "{}"))
    except OSError as error:
        raise ValueError(
            f"{str(path)!r} is not a readable HDF5 result file ({error})"
        ) from error
    return Results(arrays=arrays, metadata=metadata, path=path)
