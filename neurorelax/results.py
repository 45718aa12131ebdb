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

    Quantities become their string form with unit (``"10. * msecond"``);
    arrays become lists; non-finite floats become the strings ``"nan"``,
    ``"inf"`` and ``"-inf"`` so that the JSON stays standard.
    """
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if hasattr(value, "dim") and hasattr(value, "dimensions"):
        return str(value)
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
    """
    path = Path(path)
    with atomic_path(path) as temporary:
        with h5py.File(temporary, "w") as handle:
            _write_group(handle, arrays)
            handle.attrs["metadata"] = json.dumps(to_jsonable(metadata or {}))
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
