"""Unit and value checks for the Brian2 quantities taken by ``neurorelax.ion``.

Every public function of the ion level validates its quantities here, once,
before any Brian2 object is created. Each check raises ``ValueError`` naming
the parameter, the rule and the value it got.
"""

import re

import numpy as np
from brian2 import Quantity, get_dimensions
from brian2.units.fundamentalunits import DIMENSIONLESS, get_unit

__all__ = ["check_quantity", "equation_unit", "same_dimensions", "unit_name"]


_NAMED = (
    "volt",
    "amp",
    "siemens",
    "farad",
    "second",
    "hertz",
    "kelvin",
    "molar",
    "metre",
    "ohm",
)
_SI_BASE = ("metre", "kilogram", "second", "amp", "kelvin", "mole", "candela")


def unit_name(unit):
    """Return a unit string Brian2's equation parser accepts.

    Examples: ``'volt'``, ``'siemens/metre**2'``, ``'1'`` (dimensionless).
    """
    import brian2

    dim = get_dimensions(unit)
    if dim is DIMENSIONLESS:
        return "1"
    for name in _NAMED:
        base = getattr(brian2, name)
        if dim == base.dim:
            return name
        if dim == (base / brian2.metre**2).dim:
            return f"{name}/metre**2"
    pairs = zip(_SI_BASE, list(dim._dims), strict=True)
    return "*".join(f"{base}**{power:g}" for base, power in pairs if power)


def equation_unit(unit):
    """Return a unit string for a variable declaration in Brian2 equations.

    Like :func:`unit_name`, except that concentrations are declared in
    ``mmolar`` (mol/m**3, the SI base unit), because Brian2's equation
    parser refuses ``molar``.

    Examples
    --------
    >>> from brian2 import mmolar, volt
    >>> print(equation_unit(mmolar), equation_unit(volt))
    mmolar volt
    """
    name = unit_name(unit)
    if name == "molar" or name.startswith("molar/"):
        return "m" + name
    return name


def same_dimensions(a, b):
    """Return True when ``a`` and ``b`` have the same physical dimensions."""
    return get_dimensions(a) == get_dimensions(b)


def _text(value):
    """A quantity as Brian2 prints it, unless that hides a tiny value as 0."""
    text = str(value)
    number = float(np.asarray(value, dtype=float))
    if number != 0 and re.match(r"-?0\.?(?:\s|$)", text):
        return f"{number:.6g} {get_unit(get_dimensions(value))}"
    return text


def check_quantity(
    name, value, unit, *, low=None, high=None, low_open=False, allow_array=False
):
    """Check a Brian2 quantity's dimensions, finiteness and range.

    Parameters
    ----------
    name : str
        Parameter name used in error messages (e.g. ``"g_Na"``).
    value : Quantity or array_like of Quantity
        The value to check.
    unit : Quantity or Unit or tuple of them
        Unit(s) whose dimensions ``value`` may have (e.g. ``siemens`` or
        ``(siemens, siemens / metre**2)``).
    low, high : Quantity, optional
        Inclusive bounds (``low`` is exclusive when ``low_open``), in the
        same dimensions as ``value``.
    allow_array : bool
        Accept an array of values (each checked) instead of a scalar.

    Returns
    -------
    Quantity
        ``value`` unchanged.

    Raises
    ------
    ValueError
        On wrong dimensions, complex or non-finite entries, a value out of
        range, or an array where a scalar was required.
    """
    units = unit if isinstance(unit, tuple) else (unit,)
    dims = [get_dimensions(u) for u in units]
    expected = " or ".join(unit_name(u) for u in units)
    rule = _rule_text(low, high, low_open)
    try:
        got_dim = get_dimensions(value)
        if np.iscomplexobj(value):
            raise TypeError("complex values are not allowed")
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name} must be a quantity in units of {expected}, got {value}"
        ) from error
    if got_dim not in dims:
        example = (
            f"{name}=1.0*{unit_name(units[0])}" if dims[0] is not DIMENSIONLESS else ""
        )
        raise ValueError(
            f"{name} must have units of {expected}, got {value} (dimensions "
            f"{got_dim}); mismatched units{', e.g. ' + example if example else ''}"
        )
    if array.ndim > 0 and not allow_array:
        raise ValueError(f"{name} must be a scalar quantity, got an array {value}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite ({rule}), got {value}")
    _check_bounds(name, value, low, high, low_open, rule)
    return value


def _rule_text(low, high, low_open):
    if low is None and high is None:
        return "any finite value"
    left = "(" if low_open else "["
    low_text = "-inf" if low is None else f"{low}"
    high_text = "inf" if high is None else f"{high}"
    right = ")" if high is None else "]"
    return f"allowed range {left}{low_text}, {high_text}{right}"


def _check_bounds(name, value, low, high, low_open, rule):
    array = np.asarray(value, dtype=float)
    if low is not None:
        low_ = float(np.asarray(low, dtype=float))
        bad = array <= low_ if low_open else array < low_
        if np.any(bad):
            shown = (
                value
                if array.ndim == 0
                else Quantity(array[bad][0], dim=get_dimensions(value))
            )
            raise ValueError(f"{name} is out of range: got {_text(shown)}, {rule}")
    if high is not None:
        high_ = float(np.asarray(high, dtype=float))
        if np.any(array > high_):
            shown = (
                value
                if array.ndim == 0
                else Quantity(array[array > high_][0], dim=get_dimensions(value))
            )
            raise ValueError(f"{name} is out of range: got {_text(shown)}, {rule}")
