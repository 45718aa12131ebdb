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
import os
import sys
import time
from pathlib import Path

from neurorelax.quantities import parse_quantity, split_quantity
from neurorelax.results import save_results
from neurorelax.validation import as_int64, check_seed, check_writable_folder

__all__ = [
    "DEVICES",
    "check_parameters",
    "load_script",
    "model_main",
    "parse_quantity",
    "resolve_overrides",
    "save_model_results",
    "script_directory",
    "split_quantity",
]

logger = logging.getLogger(__name__)

DEVICES = ("cpp_standalone", "runtime", "numpy", "cython")
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
    an int; a fraction is refused.

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
        merged[key] = parse_quantity(value, like=defaults[key], name=key)
        if isinstance(defaults[key], int) and not isinstance(defaults[key], bool):
            merged[key] = as_int64(f"parameter {key!r} of {model_name}", merged[key])
    return merged


def check_parameters(params, rules, model_name="model"):
    """Refuse parameters that break their rule, naming the first that does.

    Parameters
    ----------
    params : dict
        Resolved parameters (see :func:`resolve_overrides`).
    rules : dict
        ``name -> (test, expected)``: ``test(value)`` is true for a good
        value, ``expected`` says in words what a good value is.
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
            raise ValueError(
                f"{model_name}: parameter {name!r} must be {expected}, got {value}"
            )


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
            f"a time in [0, duration) = [0, {duration})",
        ),
        "dt": (
            lambda v: 0 < float(v / max_dt) <= 1,
            f"a time in (0, max_dt] = (0, {max_dt.in_best_unit(precision=2)}] (the "
            "ion level's limit for the gating kinetics)",
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


def model_main(name, run, argv=None, description=None):
    """Command line shared by all model scripts; returns the exit status.

    Bad options (``--seed`` outside [0, 2**32 - 1], an ``--out`` that is not
    a writable folder) and a ``ValueError`` from ``run`` (a bad ``--set``)
    end with ``<prog>: error: ...`` and exit status 2, without a traceback.
    """
    parser = argparse.ArgumentParser(prog=f"{name}.py", description=description)
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
        help="override a parameter, e.g. --set 'w_inh=2 nS'",
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
        overrides[key.strip()] = value
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
    for key, value in metrics.items():
        print(f"{key:>30s}  {value}")
    return 0


def _check_out(out, name):
    """Create the ``--out`` folder, check it is writable; return it as a Path."""
    out = Path(out)
    target = out / f"{name}.h5"
    if target.is_dir():
        raise ValueError(
            f"--out {str(out)!r}: the result file {str(target)!r} is a folder; "
            "remove it or choose another --out"
        )
    return check_writable_folder("--out", out)
