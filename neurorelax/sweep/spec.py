"""Sweep specifications: read, validate and expand into grid points.

A specification names a model script, the values of the parameters to sweep
(each with its unit), the seeds and the metrics to collect. It is a YAML or
TOML file, or the same content as a dict:

.. code-block:: yaml

    model: lateral_inhibition        # a name in models/ or a path to a .py file
    quick: true
    device: cpp_standalone
    parameters:
      w_inh: ["0 nS", "1 nS", "2 nS"]              # a list of values
      contrast: {start: 0.0, stop: 0.3, num: 4}     # linspace, ends included
      rate: {start: 10, stop: 40, step: 10, unit: Hz}
    seeds: [0, 1]                                  # or {start: 0, count: 2}
    metrics: [selectivity]                         # default: all of METRICS
    output: sweeps/lateral                         # default: <spec stem>_sweep
    table: parquet                                 # or csv

The grid is the Cartesian product of every parameter's values and the seeds,
in the order written (seeds vary fastest). Everything is checked by
:func:`load_spec` before any point runs.
"""

import hashlib
import itertools
import json
import logging
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from neurorelax.scripting import (
    DEVICES,
    load_script,
    parse_quantity,
    quantity_text,
    resolve_overrides,
    split_quantity,
)
from neurorelax.validation import MAX_SEED, as_int64, format_value

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_GRID_POINTS",
    "MAX_VALUES_PER_PARAMETER",
    "Point",
    "SweepSpec",
    "TABLE_FORMATS",
    "load_spec",
]

logger = logging.getLogger(__name__)

TABLE_FORMATS = ("parquet", "csv")
_SPEC_KEYS = (
    "model",
    "parameters",
    "seeds",
    "metrics",
    "quick",
    "device",
    "output",
    "table",
    "name",
    "compile_once",
)
_RANGE_KEYS = ("start", "stop", "num", "step", "unit", "scale", "values")
MAX_VALUES_PER_PARAMETER = 100_000
MAX_GRID_POINTS = 100_000
#: Nodes that YAML aliases (``*name``) may add to a spec once expanded: a few
#: shared blocks are fine, nested aliases that multiply ("billion laughs")
#: are not.
MAX_ALIAS_NODES = 10_000
# The kinds of values a parameter takes, besides Brian2 quantities: a YAML
# date, set or !!binary and a TOML date or time are refused by name.
_SCALARS = (bool, int, float, str)


@dataclass(frozen=True)
class Point:
    """One point of a sweep: a value for every swept parameter and a seed.

    Attributes
    ----------
    index : int
        Position in the grid (seeds vary fastest).
    params : dict
        Parameter name -> value passed to the model's ``run`` (a Brian2
        Quantity, float, int, bool or str).
    values : dict
        Parameter name -> the value in the spec's unit for that parameter
        (a plain float for quantities), used in the result table.
    seed : int
        Random seed passed to ``run``.
    point_id : str
        A 12-character hash of the model, the parameter values (in SI units),
        the seed, ``quick`` and ``device``; also the name of the point's
        results folder.
    """

    index: int
    params: dict
    values: dict
    seed: int
    point_id: str


@dataclass
class SweepSpec:
    """A validated sweep specification.

    Attributes
    ----------
    name : str
        Sweep name (default: the spec file's stem, or the model's name).
    model_path : Path
        Absolute path of the model script.
    model_name : str
        The script's ``NAME``.
    parameters : dict
        Parameter name -> list of values (as passed to ``run``), in spec order.
    units : dict
        Parameter name -> the unit (text) of its table column; ``""`` for
        dimensionless, integer, boolean and text parameters.
    seeds : list of int
    metrics : tuple of str
        Metrics collected into the table (a subset of the script's METRICS).
    quick : bool
    device : str
    output : Path
        The sweep folder (table, ``sweep.json`` and ``points/<point_id>/``).
    table_format : {"parquet", "csv"}
    compile_once : bool
        Run one point alone before the others start, so that a
        ``cpp_standalone`` model compiles its binary exactly once and every
        other point reuses it (default: ``device == "cpp_standalone"``).
    source : dict
        The specification as read (JSON-ready), kept in ``sweep.json``.
    """

    name: str
    model_path: Path
    model_name: str
    parameters: dict
    units: dict
    seeds: list
    metrics: tuple
    quick: bool
    device: str
    output: Path
    table_format: str
    compile_once: bool
    source: dict = field(default_factory=dict)

    @property
    def n_points(self):
        """Number of grid points (parameter combinations times seeds)."""
        return math.prod(len(v) for v in self.parameters.values()) * len(self.seeds)

    def points(self):
        """Return the grid as a list of :class:`Point`, seeds varying fastest."""
        names = list(self.parameters)
        table_values = {
            name: {_si_text(v): _table_value(v, self.units[name]) for v in values}
            for name, values in self.parameters.items()
        }
        combos = itertools.product(*(self.parameters[n] for n in names), self.seeds)
        points = []
        for index, combo in enumerate(combos):
            params = dict(zip(names, combo[:-1], strict=True))
            values = {n: table_values[n][_si_text(params[n])] for n in names}
            seed = combo[-1]
            points.append(
                Point(index, params, values, seed, self._point_id(params, seed))
            )
        return points

    def _point_id(self, params, seed):
        key = {
            "model": self.model_name,
            "params": {name: _si_key(value) for name, value in sorted(params.items())},
            "seed": seed,
            "quick": self.quick,
            "device": self.device,
        }
        text = json.dumps(key, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def load_spec(spec, *, base_dir=None):
    """Read and validate a sweep specification.

    Parameters
    ----------
    spec : str, Path, dict or SweepSpec
        A ``.yaml``/``.yml``/``.toml`` file, or its content as a dict. A
        :class:`SweepSpec` is returned unchanged.
    base_dir : str or Path, optional
        Folder against which a relative model path and ``output`` are
        resolved (default: the spec file's folder, or the current folder for
        a dict).

    Returns
    -------
    SweepSpec

    Raises
    ------
    FileNotFoundError
        If the spec file does not exist.
    ValueError
        For an unknown file type, key, model, parameter or metric, a value
        without its unit (or with the wrong one), a malformed range, bad
        seeds, or a grid without points. The message names what is wrong.
    """
    if isinstance(spec, SweepSpec):
        return spec

    default_name = None
    if isinstance(spec, str | Path):
        path = Path(spec)
        content = _read_spec_file(path)
        base_dir = path.parent if base_dir is None else base_dir
        default_name = path.stem
    elif isinstance(spec, dict):
        content = dict(spec)
    else:
        raise ValueError(
            "spec must be a path to a YAML/TOML file, a dict or a SweepSpec, got "
            f"{type(spec).__name__}"
        )
    base_dir = Path.cwd() if base_dir is None else Path(base_dir)
    return _validate(content, base_dir.resolve(), default_name)


def _read_spec_file(path):
    if path.suffix not in (".yaml", ".yml", ".toml"):
        raise ValueError(
            f"spec file {str(path)!r} must end in .yaml, .yml or .toml, got "
            f"{path.suffix or 'no suffix'!r}"
        )
    if path.is_dir():
        raise ValueError(f"spec file {str(path)!r} is a directory, not a file")
    if not path.is_file():
        raise FileNotFoundError(f"spec file {str(path)!r} does not exist")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"spec file {str(path)!r} is not UTF-8 text (byte {error.start} "
            "cannot be decoded); is it a binary file?"
        ) from error
    try:
        content = (
            tomllib.loads(text)
            if path.suffix == ".toml"
            else yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (safe)
        )
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise ValueError(
            f"spec file {str(path)!r} is not valid: {_one_line(error)}"
        ) from error
    except RecursionError as error:
        raise ValueError(
            f"spec file {str(path)!r} is nested too deeply to read; a sweep spec "
            "needs a few levels of lists and mappings"
        ) from error
    if not isinstance(content, dict):
        raise ValueError(
            f"spec file {str(path)!r} must hold a mapping of keys (model, "
            f"parameters, seeds, metrics, ...), got {type(content).__name__}"
        )
    return content


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML SafeLoader that refuses a key given twice in one mapping.

    PyYAML keeps the last value of a repeated key without a word; TOML
    refuses it, and so does a sweep spec in YAML. Keys merged in with ``<<``
    may be overridden, as YAML intends.
    """

    def construct_mapping(self, node, deep=False):
        """Construct a mapping; raise ConstructorError for a repeated key."""
        if isinstance(node, yaml.MappingNode):
            first = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    seen = key in first
                except TypeError:
                    continue  # an unhashable key: SafeLoader refuses it itself
                if seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"duplicate key {format_value(key)} (first given on line "
                        f"{first[key]}); each key may appear once",
                        key_node.start_mark,
                    )
                first[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_document(self, node):
        """Refuse a recursive alias or aliases that expand too far, then construct.

        PyYAML shares the object of an anchor between its aliases, so loading
        is cheap, but everything that walks the result (validation, error
        messages, ``sweep.json``) sees the expanded tree.
        """
        distinct, expanded = _count_nodes(node)
        if expanded - distinct > MAX_ALIAS_NODES:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"its aliases (*name) expand to {expanded:,} nodes from "
                f"{distinct:,} written; aliases may add at most "
                f"{MAX_ALIAS_NODES:,} nodes, so write the values out instead",
                node.start_mark,
            )
        return super().construct_document(node)


def _count_nodes(root):
    """Return (distinct nodes, nodes once every alias is expanded) of a YAML tree.

    An alias is the very node object of its anchor, so the expanded size is
    computed once per distinct node, without recursion.

    Raises
    ------
    yaml.constructor.ConstructorError
        If an alias refers to a node that contains it (a cycle).
    """
    sizes, open_nodes, stack = {}, set(), [(root, False)]
    while stack:
        node, leaving = stack.pop()
        children = _children(node)
        if leaving:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
        elif id(node) in open_nodes:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "an alias refers to a node that contains it (a recursive "
                "structure); a sweep spec cannot hold one",
                node.start_mark,
            )
        elif id(node) not in sizes:
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children)
    return len(sizes), sizes[id(root)]


def _children(node):
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


def _one_line(error):
    """Return a parser error as one line, with line and column where known."""
    mark = getattr(error, "problem_mark", None)
    if mark is not None:
        problem = getattr(error, "problem", None) or type(error).__name__
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return " ".join(str(error).split())


def _validate(content, base_dir, default_name):
    unknown = sorted(set(content) - set(_SPEC_KEYS), key=str)
    if unknown:
        shown = ", ".join(format_value(key) for key in unknown[:5])
        more = f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
        raise ValueError(
            f"spec: unknown key(s) {shown}{more}; known keys: {', '.join(_SPEC_KEYS)}"
        )
    if "model" not in content:
        raise ValueError(
            "spec: the key 'model' (a model script name or path) is missing"
        )

    module, model_path = _load_model(content["model"], base_dir)
    defaults = getattr(module, "PARAMETERS", None)
    metrics_known = tuple(getattr(module, "METRICS", ()))
    if (
        not isinstance(defaults, dict)
        or not callable(getattr(module, "run", None))
        or not isinstance(getattr(module, "NAME", None), str)
    ):
        raise ValueError(
            f"model: {str(model_path)!r} does not follow the model-script protocol "
            "(it needs a NAME string, a PARAMETERS dict, a METRICS tuple and a "
            "run() function)"
        )

    parameters, units = _parameters(content.get("parameters", {}), defaults, module)
    seeds = _seeds(content.get("seeds", [0]))
    metrics = _metrics(content.get("metrics"), metrics_known, module)
    device = content.get("device", "cpp_standalone")
    if device not in DEVICES:
        raise ValueError(
            f"device must be one of {', '.join(map(repr, DEVICES))}; got "
            f"{format_value(device)}"
        )
    table_format = content.get("table", "parquet")
    if table_format not in TABLE_FORMATS:
        raise ValueError(
            f"table must be one of {', '.join(map(repr, TABLE_FORMATS))}; got "
            f"{format_value(table_format)}"
        )
    quick = _boolean("quick", content.get("quick", False))
    compile_once = _boolean(
        "compile_once", content.get("compile_once", device == "cpp_standalone")
    )

    name = _name(content.get("name"), default_name or str(module.NAME))
    output = check_output(content.get("output", f"{name}_sweep"), base_dir)
    n_points = math.prod(len(v) for v in parameters.values()) * len(seeds)
    if n_points > MAX_GRID_POINTS:
        sizes = " x ".join(
            [f"{len(v)} {key}" for key, v in parameters.items()]
            + [f"{len(seeds)} seeds"]
        )
        raise ValueError(
            f"spec: the grid has {n_points:,} points ({sizes}); at most "
            f"{MAX_GRID_POINTS:,} are allowed; split the sweep or use fewer values"
        )
    _check_points(module, parameters, quick)
    spec = SweepSpec(
        name=name,
        model_path=model_path,
        model_name=str(module.NAME),
        parameters=parameters,
        units=units,
        seeds=seeds,
        metrics=metrics,
        quick=quick,
        device=device,
        output=output,
        table_format=table_format,
        compile_once=compile_once,
        source=_jsonable_source(content),
    )
    if spec.n_points == 0:
        raise ValueError("spec: the grid is empty (no parameter value or no seed)")
    logger.debug("sweep %s: %d point(s) of %s", name, spec.n_points, module.NAME)
    return spec


def _check_points(module, parameters, quick):
    """Apply the model's own ``check`` to every parameter combination of the grid.

    A model script may define ``check(p)``, which refuses parameters that
    cannot run (see ``models/replay.py``); its ``run`` calls it on
    ``PARAMETERS`` (updated by ``QUICK`` when quick) updated by the point's
    values. The same is done here, once per combination (the seeds do not
    change the parameters), so that a bad point is refused before any
    cluster starts. Each value is resolved once and the points only merge
    dicts, so even a grid of ``MAX_GRID_POINTS`` costs no more than that many
    calls of ``check``.

    Raises
    ------
    ValueError
        Naming the point's values and the script's message.
    """
    check = getattr(module, "check", None)
    if not callable(check):
        return
    name = str(module.NAME)
    base = dict(module.PARAMETERS)
    if quick:
        base.update(getattr(module, "QUICK", None) or {})
    base = resolve_overrides(base, {}, name)
    names = list(parameters)
    resolved = {}
    for key in names:
        resolved[key] = []
        for value in parameters[key]:
            try:
                resolved[key].append(resolve_overrides(base, {key: value}, name)[key])
            except ValueError as error:
                raise ValueError(
                    f"spec: the value {key} = {_shown_value(value)} is refused by "
                    f"model {name!r}: {error}"
                ) from error
    for combination in itertools.product(*(resolved[key] for key in names)):
        point = dict(base)
        point.update(zip(names, combination, strict=True))
        try:
            check(point)
        except ValueError as error:
            shown = ", ".join(
                f"{key} = {_shown_value(value)}"
                for key, value in zip(names, combination, strict=True)
            )
            shown = shown or "with the model's defaults"
            raise ValueError(
                f"spec: the point {shown} fails the checks of model {name!r}: {error}"
            ) from error


def _shown_value(value, max_chars=60):
    """A point's value for a message, as ``--set`` takes it (``-1 Hz``)."""
    text = quantity_text(value)
    return text if len(text) <= max_chars else text[: max_chars - 3] + "..."


def _name(name, default):
    if name is None:
        return default
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be non-empty text, got {format_value(name)}")
    if "/" in name or "\\" in name or "\0" in name or name in (".", ".."):
        raise ValueError(
            "name must be a plain name without '/', '\\' or a NUL character (it "
            f"names files), got {format_value(name)}"
        )
    return name


def check_output(output, base_dir):
    """Return a sweep folder as an absolute path; refuse an existing file.

    Parameters
    ----------
    output : str or os.PathLike
        The folder; a relative path is taken from ``base_dir``.
    base_dir : pathlib.Path
        The spec file's folder, or the working folder for Python callers.
    """
    if not isinstance(output, str | os.PathLike) or not str(output).strip():
        raise ValueError(f"output must be a folder path, got {format_value(output)}")
    output = os.fspath(output)
    if "\0" in str(output):
        raise ValueError(
            "output must be a folder path without a NUL character, got "
            f"{format_value(str(output))}"
        )
    path = Path(output)
    path = (path if path.is_absolute() else base_dir / path).resolve()
    try:
        is_file = path.exists() and not path.is_dir()
    except OSError as error:  # a name too long, a folder that cannot be read
        raise ValueError(
            f"output {format_value(str(path), 200)} cannot be used as a folder: "
            f"{error.strerror or error}"
        ) from error
    if is_file:
        raise ValueError(f"output {str(path)!r} exists and is not a folder")
    return path


def _load_model(model, base_dir):
    if not isinstance(model, str) or not model:
        raise ValueError(
            f"model must be a script name or a path, got {format_value(model)}"
        )
    candidate = Path(model)
    if candidate.suffix == ".py" and not candidate.is_absolute():
        candidate = base_dir / candidate
    try:
        module = load_script(candidate if candidate.suffix == ".py" else model)
    except ValueError:
        raise
    except (Exception, SystemExit) as error:
        # A script that fails on import (a syntax error, a missing package,
        # a sys.exit at the top) is the spec's problem to report, not a
        # traceback or a silent exit of the sweep's.
        raise ValueError(
            f"model: {str(candidate)!r} could not be imported: "
            f"{type(error).__name__}: {error}"
        ) from error
    return module, Path(module.__file__).resolve()


def _boolean(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {format_value(value)}")
    return value


def _metrics(requested, known, module):
    if requested is None:
        if not known:
            raise ValueError(f"model {module.NAME!r} declares no METRICS to collect")
        return known
    if isinstance(requested, str) or not isinstance(requested, list | tuple):
        raise ValueError(
            f"metrics must be a list of metric names, got {format_value(requested)}"
        )
    for metric in requested:
        if metric not in known:
            raise ValueError(
                f"unknown metric {format_value(metric)} for model {module.NAME!r}; "
                "known "
                f"metrics: {', '.join(known)}"
            )
    if not requested:
        raise ValueError("metrics must name at least one metric, got []")
    repeated = sorted({m for m in requested if list(requested).count(m) > 1})
    if repeated:
        raise ValueError(
            f"metrics must not repeat, got {', '.join(map(repr, repeated))} "
            f"more than once in {format_value(list(requested))}"
        )
    return tuple(requested)


def _seeds(seeds):
    if isinstance(seeds, dict):
        extra = set(seeds) - {"start", "count"}
        if extra or "count" not in seeds:
            raise ValueError(
                "seeds must be a list of integers or {start: S, count: N}, got "
                f"{format_value(seeds)}"
            )
        start, count = seeds.get("start", 0), seeds["count"]
        if not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0
            for v in (start, count)
        ):
            raise ValueError(
                "seeds: start and count must be integers >= 0, got "
                f"{format_value(seeds)}"
            )
        if count > MAX_GRID_POINTS:
            raise ValueError(
                f"seeds: count must be at most {MAX_GRID_POINTS:,} (the largest "
                f"grid allowed), got {count:,}"
            )
        if count and start + count - 1 > MAX_SEED:
            raise ValueError(
                f"seeds: start + count - 1 must be at most 2**32 - 1 = {MAX_SEED}, "
                f"got {format_value(seeds)}"
            )
        return list(range(start, start + count))
    if not isinstance(seeds, list | tuple):
        raise ValueError(
            "seeds must be a list of integers or {start: S, count: N}, got "
            f"{format_value(seeds)}"
        )
    for seed in seeds:
        if (
            isinstance(seed, bool)
            or not isinstance(seed, int)
            or not 0 <= seed <= MAX_SEED
        ):
            raise ValueError(
                "seeds must be integers >= 0 and <= 2**32 - 1, got "
                f"{format_value(seed)} in "
                f"{format_value(list(seeds))}"
            )
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must not repeat, got {format_value(list(seeds))}")
    return list(seeds)


def _parameters(given, defaults, module):
    if not isinstance(given, dict):
        raise ValueError(
            f"parameters must map parameter names to values, got {format_value(given)}"
        )
    parameters, units = {}, {}
    for name, values in given.items():
        if name not in defaults:
            raise ValueError(
                f"unknown parameter {format_value(name)} for model "
                f"{module.NAME!r}; known "
                f"parameters: {', '.join(sorted(defaults))}"
            )
        parameters[name], units[name] = _values(name, values, defaults[name])
    return parameters, units


def _values(name, given, default):
    """Return (list of values for run, unit text of the table column)."""
    if isinstance(default, tuple | list):
        raise ValueError(
            f"parameter {name!r} takes a list of values itself (its default is "
            f"{format_value(default)}), and a sweep varies one number or quantity "
            "per parameter; write one spec per list instead"
        )
    if isinstance(default, bool | str) or default is None:
        values = given if isinstance(given, list) else [given]
        _check_count(name, len(values))
        for value in values:
            if type(value) is not type(default) and default is not None:
                raise ValueError(
                    f"parameter {name!r}: expected {type(default).__name__} values "
                    f"like the default {format_value(default)}, got "
                    f"{format_value(value)}"
                )
            if not isinstance(value, _SCALARS) and value is not None:
                raise ValueError(
                    f"parameter {name!r}: expected a number, text, true/false or "
                    f"null, got {_kind(value)} {format_value(value)}"
                )
        _check_repeats(name, values, values)
        return list(values), ""

    if isinstance(given, dict):
        values, unit_text = _range(name, given, default)
        written = given["values"] if "values" in given else values
    else:
        items = given if isinstance(given, list | tuple) else [given]
        _check_count(name, len(items))
        values = [_quantity(item, default, name) for item in items]
        unit_text = _unit_of(items, default, name)
        written = items

    if isinstance(default, int | np.integer):
        values = [_as_int(name, value) for value in values]
    _check_repeats(name, values, written)
    return values, unit_text


def _check_repeats(name, values, written):
    """Refuse two values that are equal once in SI units (the same points).

    Floats are compared to 12 significant digits, so that ``"0.3 ms"`` and
    ``"300 us"`` count as the same value.
    """
    seen = {}
    for value, item in zip(values, written, strict=True):
        key = _same_value_key(value)
        if key in seen:
            raise ValueError(
                f"parameter {name!r}: values must not repeat, got "
                f"{format_value(seen[key])} and {format_value(item)}, which are "
                f"the same value ({format_value(value)}) and would run the same "
                "points twice"
            )
        seen[key] = item


def _same_value_key(value):
    dims = getattr(value, "dim", None)
    if dims is not None:
        unit = "" if value.is_dimensionless else str(dims)
        return ("quantity", float(f"{float(np.asarray(value)):.12g}"), unit)
    if isinstance(value, bool | str) or value is None:
        return (type(value).__name__, value)
    if isinstance(value, float | np.floating | int | np.integer):
        return ("quantity", float(f"{float(value):.12g}"), "")
    return ("other", repr(value))


def _check_count(name, count):
    if count > MAX_VALUES_PER_PARAMETER:
        raise ValueError(
            f"parameter {name!r}: at most {MAX_VALUES_PER_PARAMETER:,} values are "
            f"allowed per parameter, got {count:,}"
        )


def _quantity(item, default, name):
    """Parse one numeric parameter value.

    Refuse booleans, nulls, lists and every other kind of value that is
    not a number, a text or a Brian2 quantity: YAML dates, sets and binary
    data, TOML dates and times.
    """
    if item is None or isinstance(item, bool | list | tuple | dict):
        raise ValueError(
            f"{name}: expected a number or a quantity such as '10 nS', got "
            f"{format_value(item)}"
        )
    if not isinstance(item, _SCALARS + (np.number,)) and not hasattr(item, "dim"):
        raise ValueError(
            f"{name}: expected a number or a quantity such as '10 nS', got "
            f"{_kind(item)} {format_value(item)}"
        )
    if getattr(default, "dim", None) is None:
        value = parse_quantity(item, name=name)
        if getattr(value, "dim", None) is not None and not value.is_dimensionless:
            raise ValueError(
                f"{name}: expected a dimensionless (unitless) number like the "
                f"default {format_value(default)}, got {format_value(item)}"
            )
        return value
    return parse_quantity(item, like=default, name=name)


def _kind(value):
    """Name the kind of a spec value for an error message (``date``, ``set``)."""
    return type(value).__name__


def _range(name, given, default):
    extra = sorted(set(given) - set(_RANGE_KEYS))
    if extra:
        raise ValueError(
            f"parameter {name!r}: unknown range key(s) {', '.join(map(repr, extra))}; "
            f"a range is {{start, stop, num}} or {{start, stop, step}}, optionally "
            "with unit and scale (linear or log), or {values, unit}"
        )
    unit_text = given.get("unit")
    if unit_text is not None and not isinstance(unit_text, str):
        raise ValueError(
            f"parameter {name!r}: unit must be text, got {format_value(unit_text)}"
        )
    unit = parse_quantity(f"1 {unit_text}", name=name) if unit_text else None
    dimensionless = getattr(default, "dim", None) is None
    if dimensionless and not getattr(unit, "is_dimensionless", True):
        raise ValueError(
            f"parameter {name!r}: is dimensionless (its default is "
            f"{format_value(default)}), "
            f"so it takes no unit; got unit {format_value(unit_text)}"
        )

    def quantity(key, item):
        if unit is not None and isinstance(item, int | float):
            if not isinstance(item, bool):
                item = item * unit
        elif unit is not None and isinstance(item, str):
            # YAML 1.1 reads 5e-1 (no dot) as text: a bare number written so
            # takes the range's unit as a YAML float does.
            number, written_unit = split_quantity(item, f"{name}.{key}")
            if not written_unit:
                item = number * unit
        return _quantity(item, default, f"{name}.{key}")

    if "values" in given:
        if set(given) - {"values", "unit"}:
            raise ValueError(
                f"parameter {name!r}: 'values' cannot be combined with start, stop, "
                "num, step or scale"
            )
        items = given["values"]
        if not isinstance(items, list):
            raise ValueError(
                f"parameter {name!r}: values must be a list, got {format_value(items)}"
            )
        _check_count(name, len(items))
        values = [quantity("values", item) for item in items]
        return values, unit_text or _unit_of(items, default, name)

    if (
        "start" not in given
        or "stop" not in given
        or ("num" in given) == ("step" in given)
    ):
        raise ValueError(
            f"parameter {name!r}: a range needs start, stop and exactly one of num "
            f"or step, got {format_value(given)}"
        )
    start, stop = quantity("start", given["start"]), quantity("stop", given["stop"])
    scale = given.get("scale", "linear")
    if scale not in ("linear", "log"):
        raise ValueError(
            f"parameter {name!r}: scale must be 'linear' or 'log', got "
            f"{format_value(scale)}"
        )
    lo, hi = float(np.asarray(start)), float(np.asarray(stop))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(
            f"parameter {name!r}: start and stop must be finite, got "
            f"{format_value(given['start'])} and {format_value(given['stop'])}"
        )
    if "num" in given:
        num = given["num"]
        if isinstance(num, bool) or not isinstance(num, int) or num < 0:
            raise ValueError(
                f"parameter {name!r}: num must be an integer >= 0, got "
                f"{format_value(num)}"
            )
        _check_count(name, num)
        if scale == "log":
            if lo <= 0 or hi <= 0:
                raise ValueError(
                    f"parameter {name!r}: a log range needs start and stop > 0, "
                    f"got {format_value(given['start'])} and "
                    f"{format_value(given['stop'])}"
                )
            grid = np.geomspace(lo, hi, num)
        else:
            grid = np.linspace(lo, hi, num)
    else:
        if scale != "linear":
            raise ValueError(f"parameter {name!r}: scale 'log' needs num, not step")
        step = float(np.asarray(quantity("step", given["step"])))
        if step <= 0 or not math.isfinite(step):
            raise ValueError(
                f"parameter {name!r}: step must be > 0, got "
                f"{format_value(given['step'])}"
            )
        # Include stop when it lies on the grid up to rounding.
        ratio = (hi - lo) / step
        if ratio + 1 > MAX_VALUES_PER_PARAMETER:
            raise ValueError(
                f"parameter {name!r}: a step of {format_value(given['step'])} from "
                f"{format_value(given['start'])} to "
                f"{format_value(given['stop'])} gives about "
                f"{ratio + 1:.3g} values; at most {MAX_VALUES_PER_PARAMETER:,} "
                "values are allowed per parameter"
            )
        count = math.floor(ratio * (1 + 1e-9) + 1e-9) + 1
        grid = lo + step * np.arange(max(count, 0))

    dims = getattr(start, "dim", None)
    # Round away the last bits of floating-point noise (0.15000000000000002),
    # so that a range and the same values written as a list are the same points.
    values = [_with_dims(float(f"{x:.12g}"), dims) for x in grid]
    return values, unit_text or _unit_of([given["start"]], default, name)


def _with_dims(number, dims):
    if dims is None:
        return number
    from brian2 import Quantity

    return Quantity(number, dim=dims)


def _as_int(name, value):
    """Return ``value`` as an int; refuse fractions and values beyond int64."""
    return as_int64(f"parameter {name!r}", value)


def _unit_of(items, default, name):
    """The unit text of the table column: as written in the spec if possible."""
    for item in items:
        if isinstance(item, str):
            unit_text = split_quantity(item, name)[1]
            if unit_text:
                return unit_text
    if getattr(default, "dim", None) is not None:
        from brian2.units.fundamentalunits import get_unit

        unit = get_unit(default.dim)
        try:
            # Brian2's short form ("s", "m^-2 A") parses as written; should
            # a symbol not, its long form ("metre ** -2 * amp") always does.
            parse_quantity(f"1 {unit}")
        except ValueError:
            return unit.name
        return str(unit)
    return ""


def _table_value(value, unit_text):
    """Express a parameter value as a plain number in its column's unit."""
    if getattr(value, "dim", None) is None:
        return value
    unit = parse_quantity(f"1 {unit_text}")
    return float(np.asarray(value / unit))


def _si_text(value):
    return json.dumps(_si_key(value))


def _si_key(value):
    if getattr(value, "dim", None) is not None:
        return [float(np.asarray(value)), str(value.dim)]
    if isinstance(value, float | np.floating):
        return float(value)
    return value


def _jsonable_source(content):
    return json.loads(json.dumps(content, default=str))
