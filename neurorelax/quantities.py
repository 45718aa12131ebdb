"""Values with units written as text, as in sweep specs and ``--set``.

``parse_quantity("10 nS")`` gives ``10 * nS``. A text value is a finite
number, optionally followed by a unit made of Brian2 unit names (or the
short names Brian2 prints, such as ``s``, ``A`` and ``S``) joined by ``*``,
``/`` or spaces, with integer powers written ``**2``, ``^-1`` or ``**(-2)``
and parentheses: ``"2.5*ms"``, ``"400 Hz"``, ``"0.1 uA/cm**2"``,
``"10 /second"``, ``"1.5 s"``.

The unit is read by Python's own parser (:func:`ast.parse`) and its tree is
evaluated here with nothing but multiplication, division and integer powers
of Brian2 units: no name outside Brian2's units is looked up, nothing is
called, and a number inside the unit (``"10 Hz/2"``) is refused rather than
silently scaling the value.

Examples
--------
>>> from neurorelax.quantities import parse_quantity
>>> parse_quantity("12 uA/cm^2")
12. * uamp / (cmetre ** 2)
>>> parse_quantity("0.5")
0.5
"""

import ast
import functools
import math
import re

import numpy as np

from neurorelax.validation import format_value

__all__ = ["MAX_UNIT_CHARS", "MAX_UNIT_EXPONENT", "parse_quantity", "split_quantity"]

MAX_UNIT_EXPONENT = 4
MAX_UNIT_CHARS = 100

_NUMBER = re.compile(r"\s*(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")
_NON_FINITE = re.compile(r"\s*[-+]?(?:nan|inf)", re.IGNORECASE)
_UNIT_CHARACTERS = re.compile(r"[\w\s*/^()+\-.]*")
# A space between two factors multiplies them: "metre^-2 amp".
_JUXTAPOSED = re.compile(r"(?<=[\w)])\s+(?=[A-Za-z_(])")
_EXPECTED = (
    "expected a finite number followed by a unit made of Brian2 unit names, "
    f"'*', '/' and integer powers up to {MAX_UNIT_EXPONENT} (such as '10 nS', "
    "'2.5*ms', '400 Hz' or '0.1 uA/cm**2')"
)


def parse_quantity(text, like=None, name="value"):
    """Parse ``"10 nS"``, ``"10*nS"`` or ``"0.5"`` into a number or Quantity.

    Parameters
    ----------
    text : str or number
        The value, with its unit written after the number. A value that is
        not text (a number or a Quantity) is only checked.
    like : Quantity or float, optional
        A default whose dimensions the parsed value must have. A value
        without a unit is refused when ``like`` has one.
    name : str
        Parameter name for error messages.

    Returns
    -------
    float or Quantity

    Raises
    ------
    ValueError
        For text that is not a number with a unit, a non-finite value
        (``nan``, ``inf``, ``"1e999 Hz"``) or wrong dimensions; the message
        names ``name`` and the value.
    """
    if not isinstance(text, str):
        value = text
        _check_finite(name, value)
    else:
        number, unit_text = split_quantity(text, name)
        value = number
        if unit_text:
            value = _scaled(number, _brian_unit(unit_text, name, text), name, text)
    _check_dimensions(name, value, like)
    return value


def split_quantity(text, name="value"):
    """Split ``"10 nS"`` into the number and the unit text, checking both.

    Parameters
    ----------
    text : str
        A value as accepted by :func:`parse_quantity`.
    name : str
        Parameter name for error messages.

    Returns
    -------
    number : float
        The finite number written first.
    unit_text : str
        The unit as written (without a leading ``*``), ``""`` if none.

    Raises
    ------
    ValueError
        If the number is missing or not finite, or the unit is malformed.
    """
    match = _NUMBER.match(text)
    if match is None:
        if _NON_FINITE.match(text):
            raise ValueError(f"{name}: {text!r} is not a finite number; {_EXPECTED}")
        raise ValueError(f"{name}: could not parse {text!r}; {_EXPECTED}")

    written = match.group("number")
    number = float(written)
    if not math.isfinite(number):
        raise ValueError(
            f"{name}: {text!r} is not a finite number (too large for a "
            f"floating-point number); {_EXPECTED}"
        )
    if number == 0 and re.search(r"[1-9]", re.split(r"[eE]", written)[0]):
        raise ValueError(
            f"{name}: {text!r} is too small for a floating-point number (it "
            f"would be 0); {_EXPECTED}"
        )

    unit_text = text[match.end() :].strip()
    if unit_text.startswith("*") and not unit_text.startswith("**"):
        unit_text = unit_text[1:].strip()
        if not unit_text:
            raise ValueError(f"{name}: {text!r}: the unit after '*' is missing")
    if unit_text:
        _brian_unit(unit_text, name, text)
    return number, unit_text


@functools.cache
def _unit_names():
    """Brian2's unit names and the short names it prints units with.

    The names are those of ``brian2.units.allunits`` and ``brian2``'s own
    (``second``, ``nS``, ``mmolar``); the short names are the units'
    display names where Python can read them as a name (``s``, ``A``,
    ``F``, ``S``, ``M``, ``mHz``), so a value copied from Brian2's output
    (``str(1 * second)`` is ``"1. s"``) parses back.
    """
    import brian2
    from brian2.units import allunits

    names = {
        key: item
        for module in (allunits, brian2)
        for key, item in vars(module).items()
        if isinstance(item, brian2.Unit)
    }
    short = {}
    for unit in names.values():
        display = getattr(unit, "dispname", "")
        if display.isidentifier() and display not in names:
            short.setdefault(display, unit)
    return names | short


def _brian_unit(unit_text, name, text=None):
    """Return the Brian2 unit that ``unit_text`` names; call and import nothing.

    Parameters
    ----------
    unit_text : str
        The unit, such as ``"uA/cm**2"``; a leading ``/`` means a
        reciprocal (``"/second"``).
    name : str
        Parameter name for error messages.
    text : str, optional
        The whole value as written, for error messages.

    Returns
    -------
    brian2.Unit or Quantity

    Raises
    ------
    ValueError
        For a character, name or construct that is not part of a unit, a
        power that is not a non-zero integer within ``MAX_UNIT_EXPONENT``,
        or a unit beyond the range of floating-point numbers.
    """
    text = unit_text if text is None else text

    def fail(problem):
        raise ValueError(f"{name}: {text!r}: {problem}; {_EXPECTED}")

    if len(unit_text) > MAX_UNIT_CHARS:
        fail(f"the unit is longer than {MAX_UNIT_CHARS} characters")
    stray = _UNIT_CHARACTERS.match(unit_text).end()
    if stray < len(unit_text):
        fail(f"unexpected character {unit_text[stray]!r}")

    source = _JUXTAPOSED.sub("*", unit_text.strip().replace("^", "**"))
    reciprocal = source.startswith("/")
    try:
        tree = ast.parse(("1" if reciprocal else "") + source, mode="eval").body
    except SyntaxError as error:
        fail(f"it is not a unit ({error.msg})")
    leading_one = _leftmost(tree) if reciprocal else None
    names = _unit_names()

    def power_of(node):
        match node:
            case ast.Constant(value=int() as power) if not isinstance(power, bool):
                pass
            case ast.UnaryOp(
                op=ast.USub() | ast.UAdd() as sign, operand=ast.Constant(value=int())
            ):
                power = node.operand.value * (-1 if isinstance(sign, ast.USub) else 1)
            case ast.BinOp(op=ast.Pow()):
                fail("chained powers are not allowed")
            case _:
                fail(
                    "a power must be a whole number such as '**2' or '^-1', got "
                    f"{ast.unparse(node)!r}"
                )
        if power == 0 or abs(power) > MAX_UNIT_EXPONENT:
            fail(
                f"the power {power} is not allowed (a unit's power must be a "
                f"non-zero integer from -{MAX_UNIT_EXPONENT} to {MAX_UNIT_EXPONENT})"
            )
        return power

    def evaluate(node):
        match node:
            case ast.Name(id=identifier):
                if identifier not in names:
                    fail(f"unknown unit {identifier!r}")
                return names[identifier]
            case ast.Constant() if node is leading_one:
                return 1
            case ast.Constant():
                number = ast.unparse(node)
                fail(f"numeric factor {number!r} in the unit (write it first)")
            case ast.BinOp(left=base, op=ast.Pow(), right=power):
                return evaluate(base) ** power_of(power)
            case ast.BinOp(left=left, op=ast.Mult(), right=right):
                return evaluate(left) * evaluate(right)
            case ast.BinOp(left=left, op=ast.Div(), right=right):
                return evaluate(left) / evaluate(right)
            case _:
                fail(f"{ast.unparse(node)!r} is not a unit")

    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        unit = evaluate(tree)
        scale = float(np.asarray(unit))
    if not math.isfinite(scale) or scale == 0:
        fail("the unit is out of the range of floating-point numbers")
    return unit


def _leftmost(node):
    """The first operand of a chain of binary operations."""
    while isinstance(node, ast.BinOp):
        node = node.left
    return node


def _check_finite(name, value):
    """Refuse a non-finite number or Quantity (numeric values only)."""
    try:
        numbers = np.asarray(value, dtype=float)
    except OverflowError:
        raise ValueError(
            f"{name}: {format_value(value)} is too large for a floating-point "
            "number; expected a finite number"
        ) from None
    except (TypeError, ValueError):
        return
    if not np.all(np.isfinite(numbers)):
        raise ValueError(f"{name}: expected a finite number, got {format_value(value)}")


def _scaled(number, unit, name, text):
    """Return ``number * unit``, refusing a result beyond float range."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        value = number * unit
        si = float(np.asarray(value))
    if not math.isfinite(si) or (si == 0 and number != 0):
        raise ValueError(
            f"{name}: {text!r} is out of the range of floating-point numbers once "
            f"converted to SI units; {_EXPECTED}"
        )
    return value


def _check_dimensions(name, value, like):
    """Refuse ``value`` unless it has the dimensions of ``like`` (if given)."""
    if like is None:
        return
    wanted = getattr(like, "dim", None)
    got = getattr(value, "dim", None)
    if wanted is None and got is None:
        return
    from brian2.units.fundamentalunits import DIMENSIONLESS, get_unit

    wanted = wanted or DIMENSIONLESS
    got = got or DIMENSIONLESS
    if wanted != got and wanted is DIMENSIONLESS:
        raise ValueError(
            f"{name}: expected a plain number without a unit, got {value!r}"
        )
    if wanted != got:
        # The default as Brian2 prints it ("2. nS"), without the bare point.
        example = str(np.ravel(like)[0] * 1.0).replace(". ", " ")
        raise ValueError(
            f"{name}: expected a value in units of {get_unit(wanted)!r}, got "
            f"{value!r}; write the unit after the number, e.g. '{example}'"
        )
