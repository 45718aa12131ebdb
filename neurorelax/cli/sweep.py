"""`neurorelax sweep SPEC`: run a parameter sweep on a Dask cluster.

The spec file (YAML or TOML) names a model script, the parameter values, the
seeds and the metrics; see ``docs/sweep.md``. The sweep resumes: finished
points recorded in the output folder are not run again. Dask's own log
records (scheduler and nanny start and stop) show from INFO on with
``neurorelax -v sweep``; without ``-v`` only its warnings and errors do.
"""

import logging
import sys

__all__ = ["register"]

logger = logging.getLogger(__name__)


def register(subparsers):
    """Add the ``sweep`` sub-command to the top-level parser."""
    parser = subparsers.add_parser(
        "sweep",
        help="run a model script over a grid of parameters and seeds",
        description=(
            "Run a model script over a grid of parameter values and seeds on a "
            "Dask cluster (a local one by default), resuming finished points."
        ),
    )
    parser.add_argument("spec", help="sweep specification (.yaml, .yml or .toml)")
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
        "(default: start a local cluster)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes of the local cluster (default: number of cores; "
        "at most 4 per core)",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="sweep folder (overrides the spec)"
    )
    parser.add_argument(
        "--format",
        choices=("parquet", "csv"),
        dest="table_format",
        help="table format (overrides the spec)",
    )
    parser.add_argument(
        "--restart",
        action="store_true",
        help="run every point again instead of resuming",
    )
    parser.add_argument(
        "--keep-failed",
        action="store_true",
        help="on resume, do not run again the points that failed",
    )
    parser.add_argument(
        "--plot",
        nargs="+",
        metavar=("METRIC X", "Y"),
        help="after the sweep, save <out>/<METRIC>_vs_<X>[_<Y>].png",
    )
    parser.add_argument(
        "--log",
        action="store_true",
        help="with --plot: the metric on a logarithmic scale",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="do not draw a progress bar"
    )
    parser.set_defaults(handler=_run)


def _run(args):
    from tqdm import tqdm

    from neurorelax.sweep import load_spec, plot_metric, run_sweep
    from neurorelax.sweep.runner import check_workers

    _configure_dask_logging(args.verbose)
    if args.plot is not None and len(args.plot) not in (2, 3):
        raise ValueError(f"--plot expects METRIC X [Y], got {' '.join(args.plot)!r}")
    if args.plot is not None and len(args.plot) == 3 and args.plot[1] == args.plot[2]:
        raise ValueError(
            f"--plot: the axes X and Y must be two different parameters, got "
            f"{args.plot[1]!r} twice"
        )
    if args.log and args.plot is None:
        raise ValueError("--log applies only with --plot METRIC X [Y]")
    if args.workers is not None:
        check_workers(args.workers, "--workers")
    spec = load_spec(args.spec)
    if args.plot is not None:
        _check_plot(args.plot, spec)
    # The bar is drawn once run_sweep has checked its arguments (--workers,
    # --out, --scheduler, ...) and the cluster is up, so that an argument
    # error is not preceded by an empty bar.
    bar = None

    def on_start(n_points, n_skipped):
        nonlocal bar
        bar = tqdm(total=n_points, unit="point", disable=args.no_progress)
        bar.update(n_skipped)
        bar.set_postfix(skipped=n_skipped, failed=0)

    failed = 0

    def on_point(record):
        nonlocal failed
        failed += record["status"] != "ok"
        bar.set_postfix(failed=failed)
        bar.update(1)

    try:
        result = run_sweep(
            spec,
            output=args.out,
            scheduler=args.scheduler,
            n_workers=args.workers,
            table_format=args.table_format,
            resume=not args.restart,
            retry_failed=not args.keep_failed,
            on_start=on_start,
            on_point=on_point,
        )
    finally:
        if bar is not None:
            bar.close()

    print(
        f"{spec.n_points} point(s): {result.n_run} run, {result.n_skipped} already "
        f"finished, {result.n_failed} failed; table: {result.table_path}"
    )
    for record in result.records:
        if record["status"] != "ok":
            print(f"  {record['directory']}: {record['error']}")
    if args.plot:
        metric, x, *rest = args.plot
        try:
            ax = plot_metric(result, metric, x, rest[0] if rest else None, log=args.log)
        except ValueError as error:
            # The sweep itself is done and saved; only the plot is refused.
            print(
                f"neurorelax sweep: no plot: {error}; the table is saved: "
                f"{result.table_path}",
                file=sys.stderr,
            )
            return 2
        stem = "_".join([metric, "vs", x, *rest])
        path = result.output / f"{stem}.png"
        ax.figure.savefig(path, dpi=150)
        print(f"plot: {path}")
    return 1 if result.n_failed else 0


def _configure_dask_logging(verbosity):
    """Let ``distributed`` log INFO only with ``-v`` (WARNING and up otherwise).

    Importing ``distributed`` sets its logger to INFO, and the records then
    reach the command line's handler on the root logger, whatever ``-v``
    says; the LocalCluster's ``silence_logs`` only quiets handlers attached
    to the ``distributed`` logger itself, of which there are none when the
    root logger already has one. So the level is set here, after the import.
    ``-vv`` shows INFO too: Dask's DEBUG records are one per message.

    Parameters
    ----------
    verbosity : int
        Number of ``-v`` flags given to ``neurorelax``.
    """
    import distributed  # noqa: F401  (its import sets the logger level)

    level = logging.INFO if verbosity > 0 else logging.WARNING
    logging.getLogger("distributed").setLevel(level)


def _check_plot(plot, spec):
    """Refuse a --plot metric or axis the sweep will not have, before running."""
    metric, *axes = plot
    if metric not in spec.metrics:
        raise ValueError(
            f"--plot: unknown metric {metric!r}; expected one of "
            f"{', '.join(spec.metrics)}"
        )
    for axis in axes:
        if axis not in spec.parameters:
            known = ", ".join(spec.parameters) or "(no swept parameter)"
            raise ValueError(
                f"--plot: unknown parameter {axis!r} for an axis; expected one of "
                f"{known}"
            )
