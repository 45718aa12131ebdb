"""Checks measured by the figures, and the report that collects them.

A :class:`Check` holds a measured value, the target it is held against and
whether it passed; ``passed`` is always computed from the measured value by
the constructor helpers, never set by hand.

Examples
--------
>>> check = Check.at_least("selectivity at 10 % contrast", 4.2, 3.0)
>>> check.passed, check.target
(True, '>= 3')
>>> Check.within("tau", 10.05, 10.0, rel_tol=0.01).passed
True
"""

import math
from dataclasses import asdict, dataclass

__all__ = ["Check"]


@dataclass(frozen=True)
class Check:
    """One measured quantity of a figure held against its target.

    Attributes
    ----------
    name : str
        What was measured, in words.
    measured : float
        The measured value (in ``unit``).
    target : str
        The target as text, e.g. ``">= 3"`` or ``"10 +/- 1 %"``.
    passed : bool
        Whether ``measured`` meets the target.
    unit : str
        Unit of ``measured`` ("" for dimensionless).
    figure : str
        Name of the figure that made the check (filled in by the runner).
    note : str
        Anything a reader needs to interpret the value.
    """

    name: str
    measured: float
    target: str
    passed: bool
    unit: str = ""
    figure: str = ""
    note: str = ""

    @classmethod
    def at_least(cls, name, measured, minimum, **extra):
        """Pass when ``measured >= minimum``."""
        measured = float(measured)
        return cls(name, measured, f">= {minimum:g}", measured >= minimum, **extra)

    @classmethod
    def at_most(cls, name, measured, maximum, **extra):
        """Pass when ``measured <= maximum``."""
        measured = float(measured)
        return cls(name, measured, f"<= {maximum:g}", measured <= maximum, **extra)

    @classmethod
    def within(cls, name, measured, expected, *, rel_tol=None, abs_tol=None,
               **extra):
        """Pass when ``measured`` is within a relative or absolute tolerance."""
        if (rel_tol is None) == (abs_tol is None):
            raise ValueError("give exactly one of rel_tol and abs_tol")
        measured, expected = float(measured), float(expected)
        if rel_tol is not None:
            target = f"{expected:.6g} +/- {rel_tol * 100:g} %"
            passed = abs(measured - expected) <= rel_tol * abs(expected)
        else:
            target = f"{expected:.6g} +/- {abs_tol:g}"
            passed = abs(measured - expected) <= abs_tol
        return cls(name, measured, target, bool(passed and math.isfinite(measured)),
                   **extra)

    @classmethod
    def between(cls, name, measured, low, high, **extra):
        """Pass when ``low <= measured <= high``."""
        measured = float(measured)
        return cls(name, measured, f"in [{low:g}, {high:g}]",
                   low <= measured <= high, **extra)

    @classmethod
    def holds(cls, name, condition, measured=float("nan"), description="true",
              **extra):
        """Pass when a boolean ``condition`` measured by the caller holds."""
        return cls(name, float(measured), description, bool(condition), **extra)

    def as_dict(self):
        """Return the check as a JSON-ready dict."""
        return asdict(self)
