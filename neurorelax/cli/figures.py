"""`neurorelax figures`: regenerate the paper's figures and check their numbers.

The runner finds the figure scripts ``figures/fig*.py`` (see the figure-script
contract in ``docs/ARCHITECTURE.md``). For each figure it needs the result
files of the figure's ``MODELS``, ``OUT/data/<model>.h5``; a result file is
reused when it is *fresh*: newer than its model script and made with the same
``quick``, ``seed``, ``device`` and default parameters (read from the file's
metadata; a result of a ``--set`` run is stale). Otherwise
the model script is run, once, however many figures plot it. Then the figure's
``make_figure(results, OUT)`` draws ``OUT/<NAME>.png`` and ``.pdf`` and returns
its checks, which go into ``OUT/report.json`` and ``OUT/report.md``.

Every model run and every figure runs in a fresh worker process (Brian2 keeps
global device state, and a crash stays inside its worker); ``--jobs N`` runs
up to N of them at a time. A figure that raises, or whose model raises, is
reported as an error and the others go on. The exit status is 0 when every
figure was drawn and every check passed, 1 otherwise.
"""

import argparse
import concurrent.futures
import json
import logging
import multiprocessing
import os
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from neurorelax.plotting.report import Check, FigureResult, write_report
from neurorelax.quantities import parse_quantity
from neurorelax.results import load_results, to_jsonable
from neurorelax.scripting import DEVICES, load_script, script_directory
from neurorelax.validation import check_seed, check_writable_folder

__all__ = [
    "FigureSpec",
    "discover_figures",
    "figure_main",
    "model_freshness",
    "register",
    "run_figures",
]

logger = logging.getLogger(__name__)

DEFAULT_OUT = "out"
JOBS_PER_CPU = 4


def check_options(out_dir, seed, jobs):
    """Check seed, jobs and the output folder; create the folder.

    Parameters
    ----------
    out_dir : str or Path
        Output folder; created (with ``data/``) and checked writable, and
        ``report.json`` and ``report.md`` in it checked to be files (or
        absent) that can be written.
    seed : int
        Must lie in [0, 2**32 - 1].
    jobs : int
        Must lie in [1, 4 x CPU count].

    Returns
    -------
    Path
        ``out_dir`` as a Path.
    """
    seed = check_seed(seed)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    max_jobs = JOBS_PER_CPU * (os.cpu_count() or 1)
    if jobs > max_jobs:
        raise ValueError(
            f"jobs must be at most {max_jobs} ({JOBS_PER_CPU} x {os.cpu_count()} "
            f"CPUs), got {jobs}"
        )
    check_writable_folder("out", out_dir)  # also refuses an empty name
    out_dir = Path(out_dir)
    data_dir = out_dir / "data"
    for folder in (out_dir, data_dir):
        check_writable_folder("out", folder)
    for report in (out_dir / "report.json", out_dir / "report.md"):
        # the report is written last, by replacing the file: check it now
        if report.exists() and not report.is_file():
            raise ValueError(
                f"out {str(out_dir)!r}: the report path {str(report)!r} exists and "
                "is not a file; remove it or choose another out folder"
            )
    return out_dir


class FigureSpec:
    """A figure script found on disk: its ``NAME``, ``MODELS`` and path.

    ``error`` holds the message when the script could not be loaded or breaks
    the contract; such a figure is reported as an error.
    """

    def __init__(self, path, name, models=(), error=None):
        self.path = Path(path)
        self.name = name
        self.models = tuple(models)
        self.error = error

    def __repr__(self):
        return f"FigureSpec({self.name!r}, models={self.models!r})"


def discover_figures(folder=None):
    """Return a :class:`FigureSpec` for every ``fig*.py`` in the figures folder.

    Parameters
    ----------
    folder : Path, optional
        Figures folder (default: :func:`neurorelax.scripting.script_directory`).

    Returns
    -------
    list of FigureSpec
        Sorted by file name.
    """
    folder = Path(folder) if folder is not None else script_directory("figures")
    specs = []
    for path in sorted(folder.glob("fig*.py")):
        try:
            module = _load_from(path, "figures")
            name = getattr(module, "NAME", None)
            models = getattr(module, "MODELS", None)
            if not isinstance(name, str) or not callable(
                getattr(module, "make_figure", None)
            ):
                raise ValueError("must define NAME (str) and make_figure(results, out)")
            if isinstance(models, str) or not all(isinstance(m, str) for m in models):
                raise ValueError(f"MODELS must be a tuple of names, got {models!r}")
            specs.append(FigureSpec(path, name, models))
        except Exception as error:  # a broken script is reported, not fatal
            logger.warning("figure script %s could not be loaded: %s", path, error)
            specs.append(FigureSpec(path, path.stem, (), f"{path.name}: {error}"))
    return specs


def _load_from(path, kind):
    return load_script(Path(path), kind=kind)


def select_figures(specs, only):
    """Keep the figures named in ``only`` (by NAME, file stem or ``figNN``).

    Raises
    ------
    ValueError
        When a name in ``only`` matches no figure.
    """
    if not only:
        return list(specs)
    chosen = []
    for wanted in only:
        matches = [
            spec
            for spec in specs
            if wanted in (spec.name, spec.path.stem)
            or spec.path.stem.split("_")[0] == wanted
        ]
        if not matches:
            known = ", ".join(spec.name for spec in specs) or "none found"
            raise ValueError(
                f"--only: no figure named {wanted!r}; known figures: {known}"
            )
        chosen += [spec for spec in matches if spec not in chosen]
    return [spec for spec in specs if spec in chosen]


def model_freshness(result_path, script_path, *, quick, seed, device, parameters=None):
    """Say whether a model's result file can be reused, and if not, why.

    A result is fresh when it exists, is newer than the model script and its
    metadata records the same ``quick`` and ``seed`` (and the same ``device``
    when the model records one; graph-level models have none), and, when
    ``parameters`` (the model's defaults for this run) are given and the
    result records its parameters, the same parameters: a result made with
    ``--set`` is not a figure's result.

    Returns
    -------
    fresh : bool
    reason : str
        Why the result is stale ("" when fresh).
    """
    result_path, script_path = Path(result_path), Path(script_path)
    if not result_path.exists():
        return False, "no result file"
    if result_path.stat().st_mtime < script_path.stat().st_mtime:
        return False, "result older than the model script"
    try:
        metadata = load_results(result_path).metadata
    except (OSError, ValueError) as error:
        return False, f"unreadable result file ({error})"
    wanted = {"quick": bool(quick), "seed": int(seed)}
    for key, value in wanted.items():
        if key not in metadata:
            return False, f"result metadata has no {key!r}"
        if metadata[key] != value:
            return False, f"made with {key}={metadata[key]!r}, want {value!r}"
    if "device" in metadata and metadata["device"] != device:
        return False, f"made with device={metadata['device']!r}, want {device!r}"
    saved = metadata.get("parameters", metadata.get("model_parameters"))
    if parameters is not None and isinstance(saved, dict):
        wanted = json.loads(json.dumps(to_jsonable(parameters)))
        for key, value in wanted.items():
            if not _same_value(saved.get(key), value):
                return False, (
                    f"made with parameter {key}={saved.get(key)!r} (a --set run?), "
                    f"want the default {value!r}"
                )
    return True, ""


def _same_value(saved, wanted):
    """Whether two parameter values read from JSON are the same value.

    Quantities are compared in SI units: the text a process writes for one
    depends on the units Brian2 has registered there ("1 uF/(cm^2)" and
    "0.01 F/(m^2)" are the same capacitance).
    """
    if isinstance(saved, list) and isinstance(wanted, list):
        return len(saved) == len(wanted) and all(map(_same_value, saved, wanted))
    if isinstance(saved, str) and isinstance(wanted, str) and saved != wanted:
        try:
            saved_value, wanted_value = parse_quantity(saved), parse_quantity(wanted)
        except ValueError:
            return False
        same_unit = getattr(saved_value, "dim", None) == getattr(
            wanted_value, "dim", None
        )
        return same_unit and bool(
            np.isclose(float(saved_value), float(wanted_value), rtol=1e-12, atol=0)
        )
    return saved == wanted


def _default_parameters(name, quick):
    """The parameters a model script runs with by default, or None if unknown.

    Read from the script's ``PARAMETERS`` (and ``QUICK`` for a quick run);
    a script that fails to import is left to fail in its worker.
    """
    try:
        module = load_script(name, kind="models")
    except Exception:  # reported when the model runs
        return None
    defaults = getattr(module, "PARAMETERS", None)
    if not isinstance(defaults, dict):
        return None
    return dict(defaults, **(getattr(module, "QUICK", {}) if quick else {}))


def _error_text(error):
    lines = traceback.format_exception(error)
    return f"{type(error).__name__}: {error}", "".join(lines)


def _run_model(name, data_dir, quick, seed, device):
    """Worker: run one model script; return (status, seconds, message)."""
    start = time.perf_counter()
    try:
        module = load_script(name, kind="models")
        module.run(Path(data_dir), params=None, seed=seed, quick=quick, device=device)
        path = Path(data_dir) / f"{name}.h5"
        if not path.exists():
            raise RuntimeError(f"model {name!r} did not write {path}")
        missing = [
            key for key in ("quick", "seed") if key not in load_results(path).metadata
        ]
        if missing:
            raise RuntimeError(
                f"model {name!r} saved no {missing} in its result metadata; the "
                "runner needs them to tell fresh results from stale ones (pass "
                "metadata={'quick': quick, 'seed': seed, 'device': device, ...} "
                "to save_results)"
            )
    except Exception as error:
        message, details = _error_text(error)
        return "error", time.perf_counter() - start, message, details
    return "ran", time.perf_counter() - start, "", ""


def _run_figure(path, models, out_dir, data_dir):
    """Worker: load a figure's model results, draw it, return its FigureResult."""
    start = time.perf_counter()
    result = FigureResult(name=Path(path).stem, models=list(models))
    try:
        module = load_script(Path(path), kind="figures")
        result.name = module.NAME
        results = {m: load_results(Path(data_dir) / f"{m}.h5") for m in models}
        checks = module.make_figure(results, Path(out_dir))
        if not isinstance(checks, list | tuple) or not all(
            isinstance(check, Check) for check in checks
        ):
            raise TypeError(
                f"make_figure must return a list of Check, got {type(checks).__name__}"
            )
        if not checks:
            raise ValueError("make_figure returned no checks")
        result.checks = list(checks)
    except Exception as error:
        result.error, result.traceback = _error_text(error)
    result.files = [
        str(Path(out_dir) / f"{result.name}.{ext}")
        for ext in ("png", "pdf")
        if (Path(out_dir) / f"{result.name}.{ext}").exists()
        and (Path(out_dir) / f"{result.name}.{ext}").stat().st_mtime >= _epoch(start)
    ]
    if result.error is None and len(result.files) < 2:
        result.error = f"make_figure did not save {result.name}.png and .pdf"
    result.seconds = time.perf_counter() - start
    return result


def _epoch(perf_start):
    # Convert a perf_counter reading to wall-clock time, with 2 s of slack for
    # file systems that store coarse modification times.
    return time.time() - (time.perf_counter() - perf_start) - 2.0


def run_figures(
    out_dir,
    *,
    only=None,
    quick=False,
    seed=0,
    device="cpp_standalone",
    jobs=1,
    rerun=False,
    progress=None,
):
    """Regenerate figures, running stale models first, and write the report.

    Parameters
    ----------
    out_dir : str or Path
        Output folder; model results go to ``out_dir/data``.
    only : sequence of str, optional
        Figures to make (NAME, file stem or ``figNN``); default all.
    quick : bool
        Run models in their small, fast mode.
    seed : int
        Random seed passed to every model.
    device : str
        Brian2 device passed to the ion-level models.
    jobs : int
        Worker processes run at the same time.
    rerun : bool
        Run every model even when its results are fresh.
    progress : callable, optional
        Called as ``progress(kind, name, status)`` after each model and figure.

    Returns
    -------
    figures : list of FigureResult
    models : dict
        Per model: ``status`` ("reused", "ran" or "error"), ``seconds`` and
        ``reason`` (why it was run).
    """
    if device not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}, got {device!r}")
    specs = select_figures(discover_figures(), only)
    out_dir = check_options(out_dir, seed, jobs)
    for spec in specs:
        for suffix in (".png", ".pdf"):
            figure = out_dir / f"{spec.name}{suffix}"
            if figure.exists() and not figure.is_file():
                raise ValueError(
                    f"out {str(out_dir)!r}: the figure path {str(figure)!r} exists "
                    "and is not a file; remove it or choose another out folder"
                )
    progress = progress or (lambda *args: None)
    data_dir = out_dir / "data"

    # Decide which models to run: each stale model once, however many figures
    # plot it.
    models, to_run = {}, []
    for name in dict.fromkeys(m for spec in specs for m in spec.models):
        script = script_directory("models") / f"{name}.py"
        if not script.is_file():
            models[name] = {
                "status": "error",
                "seconds": 0.0,
                "reason": f"no model script {script.name}",
            }
            continue
        fresh, reason = model_freshness(
            data_dir / f"{name}.h5",
            script,
            quick=quick,
            seed=seed,
            device=device,
            parameters=_default_parameters(name, quick),
        )
        if fresh and not rerun:
            models[name] = {"status": "reused", "seconds": 0.0, "reason": ""}
            progress("model", name, "reused")
        else:
            to_run.append(name)
            models[name] = {
                "status": "pending",
                "seconds": 0.0,
                "reason": reason or "--rerun",
            }
            logger.info("running model %s (%s)", name, models[name]["reason"])

    figures = {spec.name: None for spec in specs}
    for spec in specs:
        if spec.error is not None:
            figures[spec.name] = FigureResult(spec.name, error=spec.error)
            progress("figure", spec.name, "error")
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, max_tasks_per_child=1
    ) as pool:
        pending = {
            pool.submit(_run_model, name, data_dir, quick, seed, device): (
                "model",
                name,
            )
            for name in to_run
        }
        _submit_ready(
            pool, specs, models, figures, pending, out_dir, data_dir, progress
        )
        while pending:
            done, _ = concurrent.futures.wait(
                pending, return_when=concurrent.futures.FIRST_COMPLETED
            )
            for future in done:
                kind, name = pending.pop(future)
                _collect(future, kind, name, models, figures, progress)
            _submit_ready(
                pool, specs, models, figures, pending, out_dir, data_dir, progress
            )
    return [figures[spec.name] for spec in specs], models


def _submit_ready(pool, specs, models, figures, pending, out_dir, data_dir, progress):
    submitted = {name for kind, name in pending.values() if kind == "figure"}
    for spec in specs:
        if figures[spec.name] is not None or spec.name in submitted:
            continue
        states = [models[m]["status"] for m in spec.models]
        if "pending" in states:
            continue
        failed = [m for m in spec.models if models[m]["status"] == "error"]
        if failed:
            reasons = "; ".join(f"{m}: {models[m]['reason']}" for m in failed)
            figures[spec.name] = FigureResult(
                spec.name,
                models=list(spec.models),
                error=f"model(s) failed: {reasons}",
            )
            progress("figure", spec.name, "error")
            continue
        future = pool.submit(_run_figure, spec.path, spec.models, out_dir, data_dir)
        pending[future] = ("figure", spec.name)


def _collect(future, kind, name, models, figures, progress):
    try:
        outcome = future.result()
    except Exception as error:  # the worker process died
        outcome = None
        message, details = _error_text(error)
        logger.error("%s %s: worker failed: %s", kind, name, message)
    if kind == "model":
        if outcome is None:
            models[name].update(status="error", reason=message)
        else:
            status, seconds, message, details = outcome
            models[name].update(status=status, seconds=seconds)
            if status == "error":
                models[name]["reason"] = message
                logger.error("model %s failed:\n%s", name, details)
        progress("model", name, models[name]["status"])
        return
    if outcome is None:
        outcome = FigureResult(name, error=f"worker process failed: {message}")
    figures[name] = outcome
    if outcome.error:
        logger.error(
            "figure %s failed: %s\n%s", name, outcome.error, outcome.traceback or ""
        )
    progress("figure", name, outcome.status)


def register(subparsers):
    """Add the ``figures`` sub-command."""
    parser = subparsers.add_parser(
        "figures",
        help="regenerate the paper's figures and check their numbers",
        description=(
            "Regenerate every figure (running model scripts whose results are "
            "missing or stale), write PNG and PDF per figure and report.json / "
            "report.md with each check. Exits 1 when a check fails or a figure "
            "errors."
        ),
    )
    add_arguments(parser)
    parser.set_defaults(handler=_handle)


def add_arguments(parser):
    """Add the runner's options to ``parser`` (shared with figure scripts)."""
    parser.add_argument(
        "--quick", action="store_true", help="run every model in its small, fast mode"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        default=None,
        help="make only these figures (NAME, file stem or figNN)",
    )
    parser.add_argument(
        "--out", default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="figures and models run in parallel (processes; default 1)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default="cpp_standalone",
        help="Brian2 device for the ion-level models",
    )
    parser.add_argument(
        "--rerun",
        action="store_true",
        help="run every model even when its results are fresh",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _handle(args):
    from tqdm import tqdm

    start = time.perf_counter()
    specs = select_figures(discover_figures(), args.only)
    try:
        check_options(args.out, args.seed, args.jobs)
    except ValueError as error:
        # name the command-line options, not the library arguments
        message = str(error)
        for word in ("seed", "jobs", "out"):
            if message.startswith(f"{word} "):
                message = f"--{message}"
        raise ValueError(message) from None
    n_models = len({m for spec in specs for m in spec.models})
    bar = tqdm(
        total=n_models + len(specs),
        unit="step",
        file=sys.stderr,
        disable=args.no_progress,
        desc="figures",
    )

    def progress(kind, name, status):
        bar.set_postfix_str(f"{kind} {name}: {status}")
        bar.update(1)

    try:
        figures, models = run_figures(
            args.out,
            only=args.only,
            quick=args.quick,
            seed=args.seed,
            device=args.device,
            jobs=args.jobs,
            rerun=args.rerun,
            progress=progress,
        )
    finally:
        bar.close()
    meta = {
        "quick": args.quick,
        "seed": args.seed,
        "device": args.device,
        "jobs": args.jobs,
        "seconds": round(time.perf_counter() - start, 1),
    }
    json_path, md_path = write_report(args.out, figures, meta, models=models)
    _print_summary(figures, json_path, md_path)
    failed = any(item.status != "passed" for item in figures)
    return 1 if failed else 0


def _print_summary(figures, json_path, md_path):
    checks = [check for item in figures for check in item.checks]
    for item in figures:
        print(f"{item.status:>7s}  {item.name}  ({item.seconds:.1f} s)")
        for check in item.checks:
            mark = "ok  " if check.passed else "FAIL"
            print(
                f"         {mark} {check.name}: {check.measured:.4g} "
                f"{check.unit} (target {check.target})"
            )
        if item.error:
            print(f"         ERROR {item.error}")
    n_failed = sum(not check.passed for check in checks)
    n_errors = sum(item.error is not None for item in figures)
    print(
        f"{len(checks) - n_failed}/{len(checks)} checks pass, {n_errors} "
        f"figure error(s); report: {json_path}, {md_path}"
    )


def figure_main(name, argv=None):
    """Command line for running one figure script alone (its ``main()``).

    Takes the runner's options (``--quick``, ``--out``, ``--seed``,
    ``--device``, ``--jobs``, ``--rerun``; ``--only`` is refused) and makes
    only figure ``name``.
    """
    parser = argparse.ArgumentParser(
        prog=f"{name}.py", description=f"Make figure {name} and check it."
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.only is not None:
        parser.error(
            f"--only does not apply to a figure script, which makes {name} only; "
            f"got --only {' '.join(args.only)} (use `neurorelax figures --only "
            "NAME ...` to choose figures)"
        )
    args.only = [name]
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return _handle(args)
    except ValueError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
