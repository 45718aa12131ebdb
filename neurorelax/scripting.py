"""The protocol shared by model scripts, figure scripts, sweeps and the CLI.

A model script is a file ``models/<name>.py`` that defines

``NAME``
    The model's name (the file stem).
``PARAMETERS``
    A dict of default parameter values, each with its Brian2 unit where it
    has one (plain floats and ints for dimensionless values).
``METRICS``
    A tuple with the names of the scalar metrics that ``run`` returns.
``run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone")``
    Runs the model with ``PARAMETERS`` updated by ``params``, saves its result
    file ``out_dir/<NAME>.h5`` (through :func:`neurorelax.results.save_results`)
    and returns a dict of the metrics.
``main(argv=None)``
    The command line (``--quick``, ``--seed``, ``--device``, ``--out``,
    ``--set NAME=VALUE``), usually ``return model_main(NAME, run, argv)``.

The library never imports the scripts by module name; the command line and
the sweep runner load them from their file with :func:`load_script`.
"""

import argparse
import hashlib
import importlib.util
import logging
import math
import os
import sys
import time
from pathlib import Path

from neurorelax.quantities import parse_quantity, split_quantity
from neurorelax.results import save_results
from neurorelax.validation import (
    MAX_CELL_STEPS,
    MAX_CELLS,
    MAX_CONDUCTANCE_NS,
    MAX_RECORDED_VALUES,
    MAX_STEPS,
    MAX_SYNAPSES,
    SimulationError,
    as_int64,
    check_seed,
    check_writable_folder,
    count_text,
    format_value,
)

__all__ = [
    "DEVICES",
    "CONDUCTANCE_RULE",
    "MAX_CELLS",
    "MAX_CELL_STEPS",
    "MAX_CONDUCTANCE_NS",
    "MAX_RECORDED_VALUES",
    "MAX_STEPS",
    "MAX_SYNAPSES",
    "check_limit",
    "check_run_steps",
    "check_parameters",
    "count_text",
    "diffusion_steps",
    "load_script",
    "model_main",
    "parse_quantity",
    "quantity_text",
    "resolve_overrides",
    "save_model_results",
    "script_directory",
    "split_quantity",
]

logger = logging.getLogger(__name__)

DEVICES = ("cpp_standalone", "runtime", "numpy", "cython")
# The most items a tuple parameter (a list of sweep values) takes from --set.
MAX_SEQUENCE_ITEMS = 1000
# The rule of a synaptic weight for check_parameters: a conductance in
# [0, MAX_CONDUCTANCE_NS] (float() of a Brian2 conductance is in siemens).
CONDUCTANCE_RULE = (
    lambda v: 0 <= float(v) * 1e9 <= MAX_CONDUCTANCE_NS,
    f"a conductance in [0, {MAX_CONDUCTANCE_NS:g} nS]",
)
_REPOSITORY = Path(__file__).resolve().parents[1]


def script_directory(kind):
    """Return the folder of the ``models`` or ``figures`` scripts.

    The folder is taken from ``$NEURORELAX_MODELS_DIR`` or
    ``$NEURORELAX_FIGURES_DIR`` when set, else from the source checkout that
    an editable install (``pip install -e .``) points to.
    """
    if kind not in ("models", "figures"):
        raise ValueError(f"kind must be 'models' or 'figures', got {kind!r}")
    folder = Path(os.environ.get(f"NEURORELAX_{kind.upper()}_DIR", _REPOSITORY / kind))
    if not folder.is_dir():
        raise FileNotFoundError(
            f"the {kind} scripts folder {str(folder)!r} does not exist; install "
            f"neurorelax from its source checkout with `pip install -e .` or set "
            f"NEURORELAX_{kind.upper()}_DIR"
        )
    return folder


def load_script(name_or_path, kind="models"):
    """Load a model or figure script from its file and return the module.

    Parameters
    ----------
    name_or_path : str or Path
        A script name such as ``"lateral_inhibition"`` (looked up in the
        scripts folder) or a path to a ``.py`` file.
    kind : {"models", "figures"}
        Which scripts folder to search for a bare name.
    """
    candidate = Path(name_or_path)
    if candidate.suffix != ".py":
        candidate = script_directory(kind) / f"{name_or_path}.py"
    if not candidate.is_file():
        known = sorted(
            p.stem for p in script_directory(kind).glob("*.py") if p.stem[0] != "_"
        )
        raise ValueError(
            f"unknown {kind[:-1]} script {str(name_or_path)!r}; expected one of "
            f"{', '.join(known)} or a path to a .py file"
        )
    # The module name carries a digest of the resolved path, so scripts with
    # the same file name in different folders never shadow each other; a
    # cached module is loaded again when its file changed since.
    resolved = candidate.resolve()
    digest = hashlib.sha1(str(resolved).encode()).hexdigest()[:10]
    module_name = f"neurorelax_{kind}_{candidate.stem}_{digest}"
    modified_ns = resolved.stat().st_mtime_ns
    cached = sys.modules.get(module_name)
    if cached is not None and cached.__dict__.get("_loaded_mtime_ns") == modified_ns:
        return cached
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    module = importlib.util.module_from_spec(spec)
    module._loaded_mtime_ns = modified_ns
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        # Never leave a half-executed script behind in the module cache.
        del sys.modules[module_name]
        raise
    return module


def resolve_overrides(defaults, params, model_name="model"):
    """Merge ``params`` into ``defaults``, refusing unknown names and units.

    String values are parsed with :func:`parse_quantity`. Where the default
    is an int, a whole number (``49`` or ``"49"``, ``49.0``) is converted to
    an int; a fraction is refused. Where the default is a tuple, the value
    is a sequence or text of comma-separated items (``"0, 0.5, 1"``, with
    or without brackets), each parsed like the default's first item.

    Raises
    ------
    ValueError
        For an unknown name, a value that does not parse, has the wrong unit,
        or is not a whole number where the default is an int; the message
        names the parameter and the value.
    """
    merged = dict(defaults)
    for key, value in (params or {}).items():
        if key not in defaults:
            raise ValueError(
                f"unknown parameter {key!r} for {model_name}; known parameters: "
                f"{', '.join(sorted(defaults))}"
            )
        if isinstance(defaults[key], tuple):
            merged[key] = _parse_sequence(key, value, defaults[key])
            continue
        merged[key] = parse_quantity(value, like=defaults[key], name=key)
        if isinstance(defaults[key], int) and not isinstance(defaults[key], bool):
            merged[key] = as_int64(f"parameter {key!r} of {model_name}", merged[key])
    return merged


def _parse_sequence(key, value, default):
    """Parse a tuple parameter's value item by item (see resolve_overrides)."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] + text[-1:] in ("()", "[]"):
            text = text[1:-1]
        items = [item.strip() for item in text.split(",")] if text.strip() else []
        if items and not items[-1]:
            items.pop()  # a trailing comma, as in "(1,)"
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValueError(
            f"{key}: expected comma-separated values such as "
            f"{quantity_text(default)!r}, got {format_value(value)}"
        )
    if len(items) > MAX_SEQUENCE_ITEMS:
        raise ValueError(
            f"{key}: at most {MAX_SEQUENCE_ITEMS} values, got {len(items)}"
        )
    like = default[0] if default else None
    return tuple(
        parse_quantity(item, like=like, name=f"{key}[{i}]")
        for i, item in enumerate(items)
    )


def check_parameters(params, rules, model_name="model"):
    """Refuse parameters that break their rule, naming the first that does.

    Parameters
    ----------
    params : dict
        Resolved parameters (see :func:`resolve_overrides`).
    rules : dict
        ``name -> (test, expected)``: ``test(value)`` is true for a good
        value, ``expected`` says in words what a good value is: a str, or a
        callable that returns it (called only for a bad value, so that a
        check stays cheap when its text formats Brian2 quantities, which
        takes some 0.1 ms each; a sweep checks every grid point).
    model_name : str
        Model name for the message.

    Raises
    ------
    ValueError
        ``"<model>: parameter <name> must be <expected>, got <value>"``.
    """
    for name, (test, expected) in rules.items():
        value = params[name]
        if not test(value):
            if callable(expected):
                expected = expected()
            raise ValueError(
                f"{model_name}: parameter {name!r} must be {expected}, got "
                f"{_value_text(value)}"
            )


def _value_text(value):
    """A refused value as Brian2 prints it, or in SI units where that shows 0."""
    return _si_text(value) or str(value)


def _si_text(value):
    """A scalar quantity beyond Brian2's prefixes in SI units (``1e-300 s``), else None.

    Brian2 picks no prefix beyond yotta and yocto, and shows 1e-300 s as
    ``0. Ys``.
    """
    if not hasattr(value, "dim") or getattr(value, "ndim", 1) != 0:
        return None
    number = float(value)
    if number == 0 or 1e-24 <= abs(number) < 1e24:
        return None
    from brian2.units.fundamentalunits import get_unit

    return f"{number:.6g} {get_unit(value.dim)}"


def check_limit(model_name, source, count, what, limit, advice):
    """Refuse a count that several parameters make together when it is too large.

    For limits on products such as cells x time steps, which no single
    parameter's rule can state.

    Parameters
    ----------
    model_name : str
        Model name for the message.
    source : str or callable
        The parameters and their values, e.g. ``"duration / dt = 1 s / 50 us"``,
        or a callable that returns that text (called only when refusing).
    count : float
        What they give (NaN counts as too large); it may exceed ``limit`` by
        a relative 1e-9, the rounding of a ratio of two quantities.
    what : str
        What is counted, e.g. ``"time steps"``.
    limit : int
        The largest count allowed.
    advice : str
        What to change, e.g. ``"shorten duration or widen dt"``.

    Raises
    ------
    ValueError
        ``"<model>: <source> gives <count> <what>, more than the <limit>
        allowed; <advice>"``.
    """
    # The tolerance forgives rounding of a ratio such as 1000 s / 10 us.
    if not count <= limit * (1 + 1e-9):
        if callable(source):
            source = source()
        raise ValueError(
            f"{model_name}: {source} gives {count_text(count)} {what}, more than "
            f"the {limit:,} allowed; {advice}"
        )


def check_run_steps(model_name, duration, dt, cells, *, duration_name="duration"):
    """Refuse a run of more than ``MAX_STEPS`` time steps or ``MAX_CELL_STEPS``.

    Parameters
    ----------
    model_name : str
        Model name for the message.
    duration, dt : Quantity
        The run's length and time step, in seconds.
    cells : tuple of (int, str, str, str)
        ``(count, names, values, advice)``: how many cells the run simulates,
        how the parameters give it (``"(N_E + N_I)"``), with their values
        (``"(400 + 100)"``), and what to change when the cell-steps are too
        many.
    duration_name : str
        The parameter that holds ``duration``, for the messages.

    Returns
    -------
    float
        The number of time steps, ``duration / dt``.

    Raises
    ------
    ValueError
        From :func:`check_limit`, naming the parameters and their values.
    """
    count, names, values, advice = cells
    steps = float(duration / dt)
    run = f"{duration_name} / dt"
    check_limit(
        model_name,
        lambda: f"{run} = {quantity_text(duration)} / {quantity_text(dt)}",
        steps,
        "time steps",
        MAX_STEPS,
        f"shorten {duration_name} or widen dt",
    )
    check_limit(
        model_name,
        lambda: (
            f"{names} x {run} = {values} x {quantity_text(duration)} / "
            f"{quantity_text(dt)}"
        ),
        count * steps,
        "cell-steps",
        MAX_CELL_STEPS,
        advice,
    )
    return steps


def diffusion_steps(model_name, p, lambda_2, n_nodes, max_values):
    """Return the length of a diffusion run that covers ``n_time_constants``.

    The graph-level diffusion scripts run until the slowest mode,
    exp(-gamma lambda_2 t), has decayed through ``p["n_time_constants"]``
    time constants, storing every node at every step.

    Parameters
    ----------
    model_name : str
        Model name for the message.
    p : dict
        The script's parameters: ``n_time_constants`` (a number), ``gamma``
        (a rate) and ``dt`` (a time), all checked > 0.
    lambda_2 : float
        Algebraic connectivity of the graph.
    n_nodes : int
        Nodes stored at each step.
    max_values : int
        The most values the run may store, ``(n_steps + 1) x n_nodes``.

    Returns
    -------
    t_end : float
        n_time_constants / (gamma lambda_2), in seconds.
    n_steps : int
        Steps of dt that cover it, at least 1.
    source : str
        The parameters and their values that give the steps, for a script's
        own messages.

    Raises
    ------
    ValueError
        When the run would store more than ``max_values`` values; the message
        names n_time_constants, gamma and dt with their values.
    """
    # float() of a Brian2 quantity is its value in SI units (Hz, s).
    t_end = float(p["n_time_constants"]) / (float(p["gamma"]) * lambda_2)
    ratio = t_end / float(p["dt"])
    steps = math.ceil(ratio) if math.isfinite(ratio) else math.inf
    source = (
        f"n_time_constants / (gamma x lambda_2 x dt) = {p['n_time_constants']:g} / "
        f"({quantity_text(p['gamma'])} x {lambda_2:.6g} x {quantity_text(p['dt'])})"
    )

    stored = (steps + 1) * n_nodes
    if not stored <= max_values:
        raise ValueError(
            f"{model_name}: {source} gives {count_text(steps)} steps, "
            f"{count_text(stored)} stored values on {n_nodes} nodes, more than the "
            f"{max_values:,} allowed; lower n_time_constants or widen dt"
        )
    return t_end, max(int(steps), 1), source


def run_time_rules(duration, max_dt):
    """Rules for a spiking model's ``duration``, ``transient`` and ``dt``.

    For :func:`check_parameters`, merged into a model's own rules; they
    expect ``duration`` to come before ``transient`` (which needs it valid).

    Parameters
    ----------
    duration : brian2.Quantity
        The simulated time, which the transient must stay below.
    max_dt : brian2.Quantity
        The coarsest time step the model's cells allow
        (:func:`neurorelax.ion.max_dt`).

    Returns
    -------
    dict
        ``duration`` > 0, ``transient`` in [0, duration) and ``dt`` in
        (0, max_dt].
    """
    return {
        "duration": (lambda v: float(v / max_dt) > 0, "a time > 0"),
        "transient": (
            lambda v: 0 <= float(v / duration) < 1,
            lambda: f"a time in [0, duration) = [0, {duration})",
        ),
        "dt": (
            lambda v: 0 < float(v / max_dt) <= 1,
            lambda: (
                f"a time in (0, max_dt] = (0, {max_dt.in_best_unit(precision=2)}] "
                "(the ion level's limit for the gating kinetics)"
            ),
        ),
    }


def save_model_results(
    out_dir,
    name,
    arrays,
    *,
    parameters,
    metrics,
    quick,
    seed,
    device,
    started=None,
    **extra,
):
    """Save a model's arrays with the provenance every model result carries.

    The metadata holds ``model``, ``quick``, ``seed``, ``device``,
    ``parameters``, ``metrics``, the neurorelax version and, when
    ``started`` (a :func:`time.perf_counter` reading) is given, the run time
    in ``seconds``; ``extra`` adds model-specific entries. The figures runner
    reads ``quick``, ``seed`` and ``device`` to tell fresh results from
    stale ones.

    Returns
    -------
    Path
        ``out_dir/<name>.h5``, written atomically.
    """
    from neurorelax import __version__

    metadata = {
        "model": name,
        "quick": bool(quick),
        "seed": int(seed),
        "device": device,
        "parameters": parameters,
        "metrics": metrics,
        "neurorelax_version": __version__,
    }
    if started is not None:
        metadata["seconds"] = time.perf_counter() - started
    metadata.update(extra)
    return save_results(Path(out_dir) / f"{name}.h5", arrays, metadata)


def model_main(name, run, argv=None, description=None, *, parameters=None, quick=None):
    """Command line shared by all model scripts; returns the exit status.

    Bad options (``--seed`` outside [0, 2**32 - 1], an ``--out`` that is not
    a writable folder) and a ``ValueError`` from ``run`` (a bad ``--set``)
    end with ``<prog>: error: ...`` and exit status 2, without a traceback.

    Parameters
    ----------
    name : str
        The model's name (the script is ``<name>.py``, the result
        ``<name>.h5``).
    run : callable
        The script's ``run(out_dir, *, params, seed, quick, device)``.
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).
    description : str, optional
        The first line of ``--help``.
    parameters, quick : dict, optional
        The script's ``PARAMETERS`` and ``QUICK`` values, listed with their
        units at the end of ``--help``; the ``--set`` example names one of
        them.
    """
    example = "w_inh=2 nS"
    epilog = None
    if parameters:
        example = _set_example(parameters)
        epilog = _parameter_listing(parameters, quick or {})
    parser = argparse.ArgumentParser(
        prog=f"{name}.py",
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="small, fast run")
    parser.add_argument(
        "--seed", type=int, default=0, help="random seed, 0 to 2**32 - 1"
    )
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default="cpp_standalone",
        help="Brian2 device or code-generation target",
    )
    parser.add_argument("--out", default="results", help="output folder")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"override a parameter, e.g. --set '{example}' (repeat for more)",
    )
    args = parser.parse_args(argv)
    try:
        check_seed(args.seed, "--seed")
    except ValueError as error:
        parser.error(str(error))
    overrides = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--set expects NAME=VALUE, got {item!r}")
        key = key.strip()
        if key in overrides:
            parser.error(
                f"--set {key} is given twice ({overrides[key]!r} and {value!r}); "
                "give each parameter once"
            )
        overrides[key] = value
    try:
        out = _check_out(args.out, name)
    except ValueError as error:
        parser.error(str(error))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        metrics = run(
            out,
            params=overrides,
            seed=args.seed,
            quick=args.quick,
            device=args.device,
        )
    except ValueError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    except SimulationError as error:
        parser.exit(1, f"{parser.prog}: error: the run diverged: {error}\n")
    for key, value in metrics.items():
        print(f"{key:>30s}  {value}")
    return 0


def _set_example(parameters):
    """An example ``--set`` value: the first parameter with a unit, at its default."""
    with_unit = [key for key, value in parameters.items() if hasattr(value, "dim")]
    key = with_unit[0] if with_unit else next(iter(parameters))
    return f"{key}={quantity_text(parameters[key])}"


def quantity_text(value):
    """A parameter value as ``--set`` takes it: ``40 nS``, ``400``, ``(0, 0.5, 1)``."""
    if not hasattr(value, "dim"):
        return str(value)
    # A bare unit (1 / second) prints as its name ("s^-1"); a quantity made
    # from it prints with its value ("1. Hz").
    return _si_text(value) or str(value * 1.0).replace(". ", " ")


def _parameter_listing(parameters, quick):
    """The parameter table at the end of a model script's ``--help``."""
    width = max(len(key) for key in parameters)
    lines = ["parameters (default; with --quick in brackets where it differs):"]
    for key, value in parameters.items():
        line = f"  {key:<{width}}  {quantity_text(value)}"
        if key in quick:
            line += f"  [{quantity_text(quick[key])}]"
        lines.append(line)
    return "\n".join(lines)


def _check_out(out, name):
    """Create the ``--out`` folder, check it is writable; return it as a Path."""
    if not str(out).strip():
        raise ValueError(
            f"--out {str(out)!r}: expected a folder name (use --out . for the "
            "current folder)"
        )
    out = Path(out)
    target = out / f"{name}.h5"
    if target.is_dir():
        raise ValueError(
            f"--out {str(out)!r}: the result file {str(target)!r} is a folder; "
            "remove it or choose another --out"
        )
    return check_writable_folder("--out", out)
