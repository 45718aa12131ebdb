"""Draw a metric of a sweep against one or two swept parameters."""

import json
import logging

import numpy as np

from neurorelax.sweep.table import read_table
from neurorelax.validation import format_value

__all__ = ["plot_metric"]

logger = logging.getLogger(__name__)


def plot_metric(source, metric, x, y=None, *, where=None, ax=None, log=False):
    """Plot ``metric`` against parameter ``x`` (lines) or ``x`` and ``y`` (map).

    Seeds are averaged: with one parameter each line shows the mean over
    seeds with the standard deviation as error bars, one line per
    combination of the other swept parameters; with two parameters the map
    shows the mean over seeds. Failed points (status ``"error"``) are left
    out; a grid cell without any successful point stays blank.

    Parameters
    ----------
    source : pyarrow.Table, SweepResult, str or Path
        The table, a :class:`SweepResult`, a table file or a sweep folder.
    metric : str
        A metric column.
    x : str
        The parameter on the horizontal axis.
    y : str, optional
        A second parameter, on the vertical axis of a colour map.
    where : dict, optional
        Parameter name -> value (in the table's unit) to keep only the rows
        where that parameter has that value, e.g. ``{"contrast": 0.1}``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new Figure (no pyplot, any backend).
    log : bool, optional
        Show the metric on a logarithmic scale (the vertical axis of lines,
        the colours of a map), for metrics that span decades.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``metric``, ``x``, ``y`` or a ``where`` key is not a column of the
        table, ``y`` is ``x``, for a map, other parameters still take several
        values, or, with ``log``, the metric has a value <= 0.
    """
    if y is not None and y == x:
        raise ValueError(
            f"y must be a parameter other than x, got {y!r} for both; leave y out "
            "to plot against one parameter"
        )
    table = _as_table(source)
    units = json.loads((table.schema.metadata or {}).get(b"units", b"{}"))
    metrics = json.loads((table.schema.metadata or {}).get(b"metrics", b"[]"))
    rows = table.to_pylist()
    _check_column("metric", metric, metrics or table.column_names)
    for label, name in (("x", x), ("y", y)):
        if name is not None:
            _check_column(label, name, list(units) or table.column_names)
    for key, value in (where or {}).items():
        _check_column("where", key, list(units))
        rows = [row for row in rows if np.isclose(row[key], value)]
    rows = [row for row in rows if row["status"] == "ok"]
    if not isinstance(log, bool | np.bool_):
        raise ValueError(f"log must be True or False, got {format_value(log)}")
    if log:
        _check_positive(rows, metric)
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(5, 3.5), layout="constrained").add_subplot()

    others = [n for n in units if n not in (x, y) and len({r[n] for r in rows}) > 1]
    if y is None:
        _lines(ax, rows, metric, x, others, units)
        if log:
            ax.set_yscale("log")
    else:
        if others:
            raise ValueError(
                f"plot_metric: parameters {', '.join(others)} take several values; "
                "choose one value of each with where={name: value}"
            )
        _map(ax, rows, metric, x, y, units, log=log)
    ax.set_xlabel(_label(x, units))
    return ax


def _as_table(source):
    if hasattr(source, "table") and hasattr(source, "records"):
        return source.table
    if hasattr(source, "column_names"):
        return source
    return read_table(source)


def _check_positive(rows, metric):
    """Refuse a log scale for a metric with a value <= 0 (or not a number)."""
    values = np.array([row[metric] for row in rows], dtype=float)
    bad = values[~(values > 0)]
    if bad.size:
        raise ValueError(
            f"log: a logarithmic scale needs values > 0, but metric {metric!r} "
            f"has {bad.size} of {values.size} points <= 0 or NaN (such as "
            f"{bad[0]:g}); plot it without log"
        )


def _check_column(argument, name, known):
    if name not in known:
        raise ValueError(
            f"{argument}: unknown column {name!r}; expected one of "
            f"{', '.join(map(str, known))}"
        )


def _label(name, units):
    unit = units.get(name, "")
    return f"{name} ({unit})" if unit else name


def _lines(ax, rows, metric, x, others, units):
    groups = {}
    for row in rows:
        groups.setdefault(tuple(row[n] for n in others), []).append(row)
    for key, members in sorted(groups.items()):
        xs = sorted({row[x] for row in members})
        samples = [[r[metric] for r in members if r[x] == value] for value in xs]
        mean = [np.mean(s) for s in samples]
        spread = [np.std(s) for s in samples]
        pairs = zip(others, key, strict=True)
        label = ", ".join(f"{n}={_text(v)}" for n, v in pairs) or None
        ax.errorbar(xs, mean, yerr=spread, marker="o", capsize=3, label=label)
    if others:
        ax.legend(fontsize="small")
    ax.set_ylabel(metric)


def _text(value):
    return f"{value:g}" if isinstance(value, float | int) else str(value)


def _map(ax, rows, metric, x, y, units, *, log=False):
    xs = sorted({row[x] for row in rows})
    ys = sorted({row[y] for row in rows})
    grid = np.full((len(ys), len(xs)), np.nan)
    for i, y_value in enumerate(ys):
        for j, x_value in enumerate(xs):
            samples = [r[metric] for r in rows if r[x] == x_value and r[y] == y_value]
            if samples:
                grid[i, j] = np.mean(samples)
    norm = None
    if log:
        from matplotlib.colors import LogNorm

        norm = LogNorm()
    mesh = ax.pcolormesh(_edges(xs), _edges(ys), grid, shading="flat", norm=norm)
    ax.figure.colorbar(mesh, ax=ax, label=metric)
    # Ticks at the grid values, so that every cell can be read off.
    ax.set_xticks(xs, [_text(value) for value in xs])
    ax.set_yticks(ys, [_text(value) for value in ys])
    ax.set_ylabel(_label(y, units))


def _edges(centres):
    """Cell edges around sorted centres (midpoints; unit width for one value)."""
    centres = np.asarray(centres, dtype=float)
    if centres.size == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    middle = (centres[:-1] + centres[1:]) / 2
    return np.concatenate(
        [[2 * centres[0] - middle[0]], middle, [2 * centres[-1] - middle[-1]]]
    )
