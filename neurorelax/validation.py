"""Argument checks shared by every entry point of the library.

Each check raises ``ValueError`` (or ``TypeError`` for a wrong kind of object)
with a message that names the argument, states the rule, and shows the value
it got. Validation happens once, at the public entry point; kernels and
internal helpers trust their inputs.
"""

import math
import reprlib
import tempfile
from numbers import Real
from pathlib import Path

import numpy as np

__all__ = [
    "MAX_CELLS",
    "MAX_CELL_STEPS",
    "MAX_CONDUCTANCE_NS",
    "MAX_RECORDED_VALUES",
    "MAX_SEED",
    "MAX_STEPS",
    "MAX_SYNAPSES",
    "SimulationError",
    "as_int64",
    "check_finite_array",
    "check_in_range",
    "check_integer",
    "check_writable_folder",
    "count_text",
    "check_positive",
    "check_seed",
    "check_choice",
    "format_value",
]


# Size limits of one simulation, shared by the model scripts and the
# bridge's comparison: generous for a 24 GB workstation, and far below what
# exhausts its memory or runs for days.
# Cells of one simulation (all blocks of a network together).
MAX_CELLS = 1_000_000
# Synapses of one simulation.
MAX_SYNAPSES = 100_000_000
# Time steps of one run.
MAX_STEPS = 100_000_000
# Cells times time steps of one run.
MAX_CELL_STEPS = 100_000_000_000
# Values that monitors record at every step (800 MB in float64).
MAX_RECORDED_VALUES = 100_000_000
# Largest synaptic conductance (per synapse or lumped input), in nS: 1 uS,
# far above any single synapse (cortical synapses 0.1-10 nS, the COBAHH
# benchmark's inhibitory ones 67 nS). Larger values only silence or saturate
# a network, without an error.
MAX_CONDUCTANCE_NS = 1000.0


def count_text(count):
    """Show a count in a message: ``1,100,000``, ``2.5``, or ``2.5e+15`` when huge.

    Parameters
    ----------
    count : float or int

    Returns
    -------
    str
        Rounded to a whole number with thousands separators from 1,000 to
        1e15 (and when whole below), else in three significant digits.
    """
    number = float(count)
    if (number.is_integer() or abs(number) >= 1000) and abs(number) < 1e15:
        return f"{number:,.0f}"
    return f"{number:.3g}"


class SimulationError(RuntimeError):
    """A simulation ran but its result cannot be used (its state diverged).

    Raised for parameters that pass every check made before the run and
    still drive the state to NaN or infinity; the message names what
    diverged and when. The model scripts' command line reports it as an
    error line, not a traceback.
    """


class _ShortRepr(reprlib.Repr):
    """A :class:`reprlib.Repr` whose work is bounded by its limits.

    :mod:`reprlib` already shortens builtin containers and strings without
    building their full repr; this subclass also shortens subclasses of them
    (which ``reprlib`` would hand to the full ``repr``) and integers of
    thousands of digits (whose ``repr`` raises beyond 4300 digits).
    """

    _BASES = (
        (str, "repr_str"),
        (int, "repr_int"),
        (list, "repr_list"),
        (tuple, "repr_tuple"),
        (dict, "repr_dict"),
        (set, "repr_set"),
        (frozenset, "repr_frozenset"),
    )

    def repr_int(self, x, level):
        """Return ``repr(x)``, or its size alone for a very large integer."""
        if x.bit_length() > 13_000:  # about 4000 digits; repr raises beyond 4300
            return f"<{type(x).__name__} of {x.bit_length()} bits>"
        return super().repr_int(x, level)

    def repr_instance(self, x, level):
        """Shorten subclasses of builtin containers as the builtins themselves."""
        for base, method in self._BASES:
            if isinstance(x, base):
                return getattr(self, method)(x, level)
        return super().repr_instance(x, level)


def format_value(value, max_chars=60):
    """Return a short printable form of ``value`` for an error message.

    The full ``repr`` of ``value`` is never built: containers are shown to
    a depth of 3 and their first few items, strings by their ends, so that a
    huge or deeply nested value (say, a YAML file of nested aliases that
    expands to millions of items) costs no more than a small one.

    Parameters
    ----------
    value : object
        The value to show.
    max_chars : int, optional
        Longest text returned; longer text ends in ``...``.

    Returns
    -------
    str
        At most ``max_chars`` characters.

    Examples
    --------
    >>> format_value([1, 2, 3])
    '[1, 2, 3]'
    >>> format_value(list(range(100_000)), max_chars=30)
    '[0, 1, 2, 3, 4, 5, ...]'
    >>> format_value("x" * 10_000, max_chars=20)
    "'xxxxxxx...xxxxxxxx'"
    """
    short = _ShortRepr()
    short.maxlevel = 3
    short.maxstring = short.maxother = short.maxlong = max(max_chars, 10)
    text = short.repr(value)  # reprlib survives a __repr__ that raises
    if len(text) > max_chars:
        text = text[: max_chars - 3] + "..."
    return text


def check_positive(name, value, *, allow_zero=False):
    """Check that a real scalar is finite and positive (or non-negative).

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : float
        The value to check.
    allow_zero : bool, optional
        Accept 0 as well.

    Returns
    -------
    float
        ``value`` converted to float.

    Raises
    ------
    ValueError
        If ``value`` is not a finite real number of the required sign.
    """
    rule = "a finite number >= 0" if allow_zero else "a finite number > 0"
    if isinstance(value, bool) or not isinstance(value, Real | np.number):
        raise ValueError(f"{name} must be {rule}, got {format_value(value)}")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return value


def check_in_range(name, value, low, high, *, low_open=False, high_open=False):
    """Check that a finite real scalar lies in an interval and return it."""
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    rule = f"a finite number in {left}{low}, {high}{right}"
    if isinstance(value, bool) or not isinstance(value, Real | np.number):
        raise ValueError(f"{name} must be {rule}, got {format_value(value)}")
    value = float(value)
    below = value <= low if low_open else value < low
    above = value >= high if high_open else value > high
    if not math.isfinite(value) or below or above:
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return value


def check_integer(name, value, *, minimum=None):
    """Check that ``value`` is an integer (not a bool), at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {format_value(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: Seeds are integers in [0, MAX_SEED] everywhere in neurorelax (the range of
#: Brian2's and numpy's 32-bit seeds).
MAX_SEED = 2**32 - 1


def check_seed(seed, name="seed"):
    """Check that ``seed`` is an integer in [0, 2**32 - 1] and return it as int.

    Raises
    ------
    ValueError
        Naming ``name``, the range and the value, for anything else (a bool,
        a float, a negative or too large integer).
    """
    if (
        isinstance(seed, bool)
        or not isinstance(seed, int | np.integer)
        or not 0 <= seed <= MAX_SEED
    ):
        raise ValueError(
            f"{name} must be an integer in [0, 2**32 - 1 = {MAX_SEED}], got "
            f"{format_value(seed)}"
        )
    return int(seed)


def as_int64(label, value):
    """Return a whole number as an int that fits int64.

    For parameters whose default is an integer but whose value may arrive as
    a float or from a text file (``49``, ``49.0``, ``1e3``).

    Parameters
    ----------
    label : str
        What the value is, for the message, e.g. ``"parameter 'n_steps'"``.
    value : int or float
        The value to convert.

    Raises
    ------
    ValueError
        If ``value`` is a bool, not a whole number, or outside
        [-2**63, 2**63 - 1].
    """
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        number = int(value)
    else:
        try:
            whole = not isinstance(value, bool) and float(value).is_integer()
        except (TypeError, ValueError, OverflowError):
            whole = False
        if not whole:
            raise ValueError(
                f"{label}: expected an integer (its default is an integer), got "
                f"{format_value(value)}"
            )
        number = int(float(value))
    if not INT64_MIN <= number <= INT64_MAX:
        raise ValueError(
            f"{label}: {format_value(value)} does not fit a 64-bit integer; "
            "expected an integer from -2**63 to 2**63 - 1"
        )
    return number


def check_writable_folder(name, folder, hint=""):
    """Create an output folder if needed and check that files can be made in it.

    Parameters
    ----------
    name : str
        Where the folder came from, for the message (``"--out"``).
    folder : str or os.PathLike
        The folder.
    hint : str, optional
        Appended to the error messages.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        If the name is empty, the path is an existing file or the folder
        cannot be created or written to.
    """
    if isinstance(folder, str | bytes) and not folder.strip():
        raise ValueError(f"{name} must name a folder, got {folder!r}{hint}")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{name} {str(folder)!r} exists and is not a folder{hint}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ValueError(
            f"{name} {str(folder)!r} is not a writable folder: {reason}{hint}"
        ) from None
    return folder


def check_choice(name, value, choices):
    """Check that ``value`` is one of ``choices`` and return it."""
    if value not in choices:
        options = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value


def check_finite_array(name, values, *, ndim=None, shape=None, nonnegative=False):
    """Convert to a float64 array and check dimensions and finiteness.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    values : array_like
        The data.
    ndim : int or tuple of int, optional
        Allowed number(s) of dimensions.
    shape : tuple, optional
        Required shape; ``None`` entries match any length.
    nonnegative : bool, optional
        Also refuse negative entries.

    Returns
    -------
    ndarray of float64
    """
    if isinstance(values, np.ma.MaskedArray) and np.ma.is_masked(values):
        raise ValueError(
            f"{name} must be an array of real numbers without a mask, got a "
            "masked array with masked entries (the mask would be ignored); fill "
            "or drop them"
        )
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError, OverflowError) as error:
        raise ValueError(
            f"{name} must be an array of real numbers; could not convert "
            f"{format_value(values)} ({error})"
        ) from error
    if raw.dtype.kind in "MmUSV" or (
        raw.dtype.kind == "O" and any(isinstance(x, str | bytes) for x in raw.flat)
    ):
        raise ValueError(
            f"{name} must be an array of real numbers, got dtype {raw.dtype} "
            f"({format_value(values)})"
        )
    try:
        if np.iscomplexobj(raw):
            raise ValueError(
                f"{name} must be real; got complex values such as "
                f"{format_value(np.ravel(raw)[:1])}"
            )
        array = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as error:
        raise ValueError(
            f"{name} must be an array of real numbers; could not convert "
            f"{format_value(values)} ({error})"
        ) from error
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            raise ValueError(
                f"{name} must have {' or '.join(map(str, allowed))} "
                f"dimension(s), got shape {array.shape}"
            )
    if shape is not None:
        matches = len(shape) == array.ndim and all(
            want is None or want == got
            for want, got in zip(shape, array.shape, strict=True)
        )
        if not matches:
            expected = tuple("any" if s is None else s for s in shape)
            raise ValueError(
                f"{name} must have shape {expected}, got shape {array.shape}"
            )
    bad = ~np.isfinite(array)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        value = float(array[index])
        raise ValueError(
            f"{name} must contain only finite values; entry {index} is {value!r}"
        )
    if nonnegative and (array < 0).any():
        index = tuple(int(i) for i in np.argwhere(array < 0)[0])
        raise ValueError(
            f"{name} must be non-negative; entry {index} is {float(array[index])!r}"
        )
    return array
