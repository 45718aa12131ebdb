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

import datetime
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from neurorelax.results import write_json, write_text

__all__ = ["Check", "FigureResult", "render_markdown", "write_report"]


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
    def within(cls, name, measured, expected, *, rel_tol=None, abs_tol=None, **extra):
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
        return cls(
            name, measured, target, bool(passed and math.isfinite(measured)), **extra
        )

    @classmethod
    def between(cls, name, measured, low, high, **extra):
        """Pass when ``low <= measured <= high``."""
        measured = float(measured)
        return cls(
            name, measured, f"in [{low:g}, {high:g}]", low <= measured <= high, **extra
        )

    @classmethod
    def holds(cls, name, condition, measured=float("nan"), description="true", **extra):
        """Pass when a boolean ``condition`` measured by the caller holds."""
        return cls(name, float(measured), description, bool(condition), **extra)

    def as_dict(self):
        """Return the check as a JSON-ready dict."""
        return asdict(self)


@dataclass
class FigureResult:
    """What one figure produced: its checks, files, and error if it failed.

    Attributes
    ----------
    name : str
        The figure script's ``NAME``.
    checks : list of Check
        The checks returned by ``make_figure`` (empty when it errored).
    files : list of str
        The PNG and PDF files written.
    error : str or None
        The error message when the figure (or one of its models) raised.
    seconds : float
        Wall-clock time spent on the figure, models included.
    models : list of str
        The model scripts whose results the figure plotted.
    traceback : str or None
        The full traceback behind ``error``, for the JSON report.
    """

    name: str
    checks: list = field(default_factory=list)
    files: list = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    models: list = field(default_factory=list)
    traceback: str | None = None

    @property
    def status(self):
        """``"error"``, ``"failed"`` (a check failed) or ``"passed"``."""
        if self.error is not None:
            return "error"
        return "passed" if all(check.passed for check in self.checks) else "failed"

    def as_dict(self):
        """Return the figure's record as a JSON-ready dict."""
        return {
            "name": self.name,
            "status": self.status,
            "models": list(self.models),
            "files": [str(item) for item in self.files],
            "error": self.error,
            "traceback": self.traceback,
            "seconds": round(float(self.seconds), 3),
            "checks": [check.as_dict() for check in self.checks],
        }


def _format_value(value):
    if isinstance(value, str) or not math.isfinite(value):
        return str(value)
    return f"{value:.4g}"


def render_markdown(figures, meta=None, models=None):
    """Render figure results as a Markdown report (one table of checks).

    Parameters
    ----------
    figures : sequence of FigureResult
    meta : dict, optional
        Run settings shown at the top (quick, seed, device, ...).
    models : dict, optional
        Per model name a dict with ``status``, ``seconds`` and ``reason``.

    Returns
    -------
    str
    """
    checks = [check for item in figures for check in item.checks]
    n_failed = sum(not check.passed for check in checks)
    n_errors = sum(item.error is not None for item in figures)
    lines = ["# neurorelax figure report", ""]
    if meta:
        settings = ", ".join(f"{key}: {value}" for key, value in meta.items())
        lines += [f"Run settings: {settings}.", ""]
    verdict = "ALL CHECKS PASS" if n_failed == 0 and n_errors == 0 else "FAILURES"
    lines += [
        f"**{verdict}**: {len(checks) - n_failed} of {len(checks)} checks pass; "
        f"{len(figures) - n_errors} of {len(figures)} figures drawn.",
        "",
        "| figure | check | measured | unit | target | result |",
        "|---|---|---|---|---|---|",
    ]
    for item in figures:
        for check in item.checks:
            result = "pass" if check.passed else "**FAIL**"
            name = check.name + (f" ({check.note})" if check.note else "")
            lines.append(
                f"| {item.name} | {name} | {_format_value(check.measured)} | "
                f"{check.unit} | {check.target} | {result} |"
            )
    errors = [item for item in figures if item.error is not None]
    if errors:
        lines += ["", "## Figures that raised an error", ""]
        lines += [f"- **{item.name}**: {item.error}" for item in errors]
    if models:
        lines += [
            "",
            "## Models",
            "",
            "| model | status | seconds | why run |",
            "|---|---|---|---|",
        ]
        for name, info in models.items():
            lines.append(
                f"| {name} | {info.get('status', '')} | "
                f"{float(info.get('seconds', 0.0)):.1f} | {info.get('reason', '')} |"
            )
    lines += ["", "## Figures", ""]
    for item in figures:
        models = ", ".join(item.models) or "none"
        lines.append(
            f"- {item.name} ({item.status}, {item.seconds:.1f} s; models: {models})"
        )
        lines += [
            f"  ![{item.name}]({Path(path).name})"
            for path in item.files
            if str(path).endswith(".png")
        ]
    return "\n".join(lines) + "\n"


def write_report(out_dir, figures, meta=None, models=None):
    """Write ``report.json`` and ``report.md`` for a set of figure results.

    ``report.json`` holds the run settings, an overall ``passed`` flag and,
    per figure, its status, files, error and checks (each with figure, name,
    measured value, unit, target and pass/fail); it also lists every check
    flat under ``checks``.

    Parameters
    ----------
    out_dir : str or Path
        Folder for the two files.
    figures : sequence of FigureResult
    meta : dict, optional
        Run settings (quick, seed, device, jobs, ...).
    models : dict, optional
        Per model name a dict with ``status`` ("reused", "ran", "error"),
        ``seconds`` and ``reason`` (why it was run or why it failed).

    Returns
    -------
    tuple of Path
        ``(report.json, report.md)``.
    """
    figures = list(figures)
    for item in figures:
        item.checks = [
            check if check.figure else _with_figure(check, item.name)
            for check in item.checks
        ]
    checks = [check.as_dict() for item in figures for check in item.checks]
    data = {
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "settings": dict(meta or {}),
        "passed": all(item.status == "passed" for item in figures),
        "n_figures": len(figures),
        "n_checks": len(checks),
        "n_failed": sum(not check["passed"] for check in checks),
        "n_errors": sum(item.error is not None for item in figures),
        "models": dict(models or {}),
        "figures": [item.as_dict() for item in figures],
        "checks": checks,
    }
    out_dir = Path(out_dir)
    json_path = write_json(out_dir / "report.json", data)
    md_path = write_text(out_dir / "report.md", render_markdown(figures, meta, models))
    return json_path, md_path


def _with_figure(check, figure):
    values = asdict(check)
    values["figure"] = figure
    return Check(**values)
