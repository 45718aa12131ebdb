"""Run the points of a sweep on a Dask cluster, resumably.

Each point runs the model script's ``run`` in its own folder
``<output>/points/<point_id>/`` and ends with a record ``record.json``
(parameters, seed, metrics, run time, status, error) written atomically. The
records are the sweep's memory: a re-run of the same spec reads them and only
runs the points without a successful record, so an interrupted sweep loses no
finished point. The table is assembled from the records at the end.

A point runs in a staging folder ``<output>/points/.<point_id>.staging-<token>``
beside its folder. Only when the run has ended (successfully or with an
error) is the earlier folder of the point, if any, moved aside to
``<point_id>.previous`` and the staging folder renamed into place, so a
point run again never loses the results of its earlier run (see
:func:`_install_point`). Staging and ``.previous`` folders are no points: the
records, the resume and the table ignore them.

Points are tasks on a ``dask.distributed`` cluster: a ``LocalCluster`` on the
loopback interface by default (one single-threaded worker process per core,
no dashboard), or an existing one given by its scheduler address. A worker
process runs one point at a time even when it has several threads, because
Brian2 keeps global state.

Compile once: for a ``cpp_standalone`` model the points of a seed start
together. Every worker defines the network in Python while the first to take
the project's build lock (:meth:`neurorelax.ion.StandaloneProject.build`)
compiles it; the others then find the compiled binary (Brian2 rewrites no
file and ``make`` has nothing to do). A model that defines its project
through :func:`neurorelax.ion.reuse_project` keeps it in the worker, so each
further point only runs the binary with new values through Brian2's
``run_args``, each in its own results folder. A model that compiles its seed
into the binary compiles once per seed; the seeds then run one after
another.
"""

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from distributed import WorkerPlugin

from neurorelax.results import to_jsonable, write_json
from neurorelax.sweep.spec import check_output, load_spec
from neurorelax.sweep.table import build_table, write_table
from neurorelax.validation import format_value

__all__ = [
    "WORKERS_PER_CPU",
    "SweepResult",
    "check_workers",
    "load_records",
    "local_cluster",
    "run_sweep",
]

logger = logging.getLogger(__name__)

RECORD = "record.json"
#: The most local workers per CPU core (as ``neurorelax figures --jobs``).
WORKERS_PER_CPU = 4
_POINT_LOCK = threading.Lock()


@dataclass
class SweepResult:
    """What :func:`run_sweep` did and produced.

    Attributes
    ----------
    spec : SweepSpec
    output : Path
        The sweep folder.
    table : pyarrow.Table
        One row per grid point, in grid order.
    table_path : Path
        ``<output>/results.parquet`` or ``<output>/results.csv``.
    records : list of dict
        The point records, in grid order.
    n_run, n_skipped, n_failed : int
        Points run now, points found finished from an earlier run, and points
        whose status is ``"error"``.
    wall_time_s : float
        Seconds from the moment the cluster was up to the last record,
        ``worker_setup_s`` included.
    worker_setup_s : float
        Seconds the workers spent importing the model script (and Brian2)
        before the first point; a one-off cost of fresh worker processes.
    """

    spec: object
    output: Path
    table: object
    table_path: Path
    records: list = field(default_factory=list)
    n_run: int = 0
    n_skipped: int = 0
    n_failed: int = 0
    wall_time_s: float = 0.0
    worker_setup_s: float = 0.0


def run_sweep(
    spec,
    *,
    output=None,
    scheduler=None,
    client=None,
    n_workers=None,
    table_format=None,
    resume=True,
    retry_failed=True,
    connect_timeout=10.0,
    on_start=None,
    on_point=None,
):
    """Run every point of a sweep and write its table.

    Parameters
    ----------
    spec : str, Path, dict or SweepSpec
        The specification (see :mod:`neurorelax.sweep.spec`).
    output : str or Path, optional
        Sweep folder; overrides the spec's ``output``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:port``). Its workers
        must see the model script and the sweep folder at the same paths.
    client : distributed.Client, optional
        An existing client to use; it is left open.
    n_workers : int, optional
        Workers of the ``LocalCluster`` started when neither ``scheduler``
        nor ``client`` is given (default: the number of cores).
    table_format : {"parquet", "csv"}, optional
        Overrides the spec's ``table``.
    resume : bool
        Skip points whose record says they finished (default). With False
        every point runs again. A point run again keeps its earlier folder as
        ``points/<point_id>.previous``.
    retry_failed : bool
        On resume, run again the points whose record has status ``"error"``
        (default). With False they are kept as they are.
    connect_timeout : float
        Seconds to wait for the ``scheduler`` to answer.
    on_start : callable, optional
        Called as ``on_start(n_points, n_skipped)`` once the cluster is up.
    on_point : callable, optional
        Called with each new record as its point finishes (the command line
        draws its progress bar with it).

    Returns
    -------
    SweepResult

    Raises
    ------
    ValueError
        For an invalid spec (see :func:`load_spec`), conflicting arguments, or
        a scheduler that cannot be reached; raised before any point starts.
    """
    spec = load_spec(spec)
    if output is not None:
        spec = dataclasses.replace(spec, output=check_output(output, Path.cwd()))
    if scheduler is not None:
        _check_address(scheduler)
    if table_format is not None:
        spec = dataclasses.replace(spec, table_format=_check_format(table_format))
    if sum(x is not None for x in (scheduler, client, n_workers)) > 1:
        raise ValueError(
            "give at most one of scheduler, client and n_workers, got "
            f"scheduler={format_value(scheduler)}, client={format_value(client)}, "
            f"n_workers={format_value(n_workers)}"
        )
    if n_workers is not None:
        check_workers(n_workers)
    _check_writable(spec.output)

    points = spec.points()
    script_sha = _file_sha(spec.model_path)
    done = _finished(spec, points, script_sha, resume, retry_failed)
    pending = [p for p in points if p.point_id not in done]
    with _cluster(scheduler, client, n_workers, connect_timeout) as active:
        _write_manifest(spec, points, script_sha)
        if on_start is not None:
            on_start(len(points), len(points) - len(pending))
        start = time.perf_counter()
        if pending:
            _prepare_workers(active, spec, script_sha)
        setup = time.perf_counter() - start
        new = _execute(active, spec, pending, script_sha, resume, on_point)
        wall = time.perf_counter() - start

    records = [new.get(p.point_id) or done[p.point_id] for p in points]
    table = build_table(spec, points, records)
    table_path = write_table(table, spec.output / f"results.{spec.table_format}")
    n_failed = sum(r["status"] != "ok" for r in records)
    logger.info(
        "sweep %s: %d point(s) run, %d skipped, %d failed in %.1f s",
        spec.name,
        len(new),
        len(points) - len(pending),
        n_failed,
        wall,
    )
    return SweepResult(
        spec=spec,
        output=spec.output,
        table=table,
        table_path=table_path,
        records=records,
        n_run=len(new),
        n_skipped=len(points) - len(pending),
        n_failed=n_failed,
        wall_time_s=wall,
        worker_setup_s=setup,
    )


def load_records(output):
    """Read the point records of a sweep folder, e.g. of an interrupted sweep.

    Parameters
    ----------
    output : str or Path
        The sweep folder.

    Returns
    -------
    dict
        point_id -> record for every point that has finished so far
        (successfully or with an error). The staging folders of running
        points and the ``<point_id>.previous`` folders are left out.
    """
    records = {}
    for path in sorted(Path(output).glob(f"points/*/{RECORD}")):
        record = _read_record(path)
        # Staging and .previous folders hold records of the same point.
        if record is not None and record.get("point") == path.parent.name:
            records[record["point"]] = record
    return records


def check_workers(n_workers, name="n_workers"):
    """Check a number of local workers: an integer from 1 to 4 per CPU core.

    Each worker is a process that imports the model script (and Brian2), so
    far more of them than cores only exhausts memory and process limits.

    Parameters
    ----------
    n_workers : int
        The number asked for.
    name : str, optional
        The argument's name in the message (``--workers`` on the command line).

    Returns
    -------
    int
        ``n_workers``.

    Raises
    ------
    ValueError
        If ``n_workers`` is not an integer, is below 1 or above
        ``WORKERS_PER_CPU * os.cpu_count()``.
    """
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ValueError(
            f"{name} must be an integer >= 1, got {format_value(n_workers)}"
        )
    cpus = os.cpu_count() or 1
    if n_workers > WORKERS_PER_CPU * cpus:
        raise ValueError(
            f"{name} must be at most {WORKERS_PER_CPU * cpus} ({WORKERS_PER_CPU} x "
            f"{cpus} CPUs), got {n_workers:,}"
        )
    return n_workers


def _check_format(table_format):
    from neurorelax.sweep.spec import TABLE_FORMATS

    if table_format not in TABLE_FORMATS:
        raise ValueError(
            f"table_format must be one of {', '.join(map(repr, TABLE_FORMATS))}; "
            f"got {format_value(table_format)}"
        )
    return table_format


def _file_sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _read_record(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _finished(spec, points, script_sha, resume, retry_failed):
    """Records of points that need not run again, by point id."""
    if not resume:
        return {}
    done = {}
    for point in points:
        record = _read_record(spec.output / "points" / point.point_id / RECORD)
        if record is None or record.get("script_sha256") != script_sha:
            continue
        if record.get("status") == "ok" or not retry_failed:
            done[point.point_id] = record
    if done:
        logger.info("sweep %s: %d point(s) already finished", spec.name, len(done))
    return done


def _write_manifest(spec, points, script_sha):
    write_json(
        spec.output / "sweep.json",
        {
            "name": spec.name,
            "model": spec.model_name,
            "model_path": spec.model_path,
            "script_sha256": script_sha,
            "units": spec.units,
            "metrics": list(spec.metrics),
            "spec": spec.source,
            "points": [
                {"point": p.point_id, "seed": p.seed, "values": p.values}
                for p in points
            ],
        },
    )


_ADDRESS = re.compile(
    r"^(?:(?P<protocol>[a-z][a-z0-9+.-]*)://)?"
    r"(?:\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):\d{1,5}/?$"
)


def _check_address(scheduler):
    """Refuse a scheduler address that cannot name a host and port over TCP.

    Dask's other protocols need settings this runner does not take (``tls``
    a security context, ``ucx`` its own package), so they are refused here
    rather than failing after the connection timeout.
    """
    match = _ADDRESS.match(scheduler) if isinstance(scheduler, str) else None
    if match is None:
        raise ValueError(
            f"scheduler must be an address such as 'tcp://10.0.0.5:8786' "
            "(protocol optional, host and port required), got "
            f"{format_value(scheduler, 200)}"
        )
    if match["protocol"] not in (None, "tcp"):
        raise ValueError(
            f"scheduler must be a TCP address such as 'tcp://10.0.0.5:8786'; the "
            f"{match['protocol']}:// protocol needs settings the sweep runner does "
            f"not take; got {scheduler!r}"
        )


def _check_writable(path):
    """Refuse a sweep folder that cannot be created or written, creating nothing.

    A folder is made (and removed at once) in ``path`` or, when ``path`` does
    not exist yet, in its nearest existing parent, so that a read-only or
    misplaced output is refused before the cluster starts.

    Parameters
    ----------
    path : Path
        The absolute sweep folder.

    Raises
    ------
    ValueError
        Naming ``output`` (``--out`` on the command line), the folder and why.
    """
    hint = "; choose another sweep folder with --out or the spec's output"
    existing = path
    try:
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir():
            raise ValueError(
                f"output {str(path)!r} cannot be created: {str(existing)!r} is a "
                f"file, not a folder{hint}"
            )
        os.rmdir(tempfile.mkdtemp(prefix=".write-check-", dir=existing))
    except OSError as error:
        reason = error.strerror or type(error).__name__
        where = "" if existing == path else f" (checked in {str(existing)!r})"
        raise ValueError(
            f"output {str(path)!r} is not a writable folder: {reason}{where}{hint}"
        ) from None


def local_cluster(n_workers, *, silence_logs=logging.WARNING):
    """Start the Dask cluster that a sweep without a scheduler runs on.

    Parameters
    ----------
    n_workers : int
        Worker processes, each with one thread (a worker runs one point at a
        time in any case: Brian2 keeps global state).
    silence_logs : int
        Log level below which the cluster's own messages are dropped.

    Returns
    -------
    distributed.LocalCluster
        On the loopback interface only and without a dashboard; the
        scheduler's HTTP health routes, which Dask serves even without a
        dashboard and by default on port 8787 of every interface, listen on
        a free loopback port, so several sweeps can run at once. The caller
        closes it.
    """
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=silence_logs,
    )


@contextlib.contextmanager
def _cluster(scheduler, client, n_workers, connect_timeout):
    """Yield a connected distributed.Client; close what this function opened."""
    from distributed import Client

    if client is not None:
        yield client
        return
    if scheduler is not None:
        try:
            opened = Client(scheduler, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise ValueError(
                f"scheduler: could not reach a Dask scheduler at {scheduler!r} within "
                f"{connect_timeout:g} s ({type(error).__name__}); start one with "
                "`dask scheduler` or leave --scheduler out to use a local cluster"
            ) from error
        try:
            yield opened
        finally:
            opened.close()
        return

    n_workers = n_workers or os.cpu_count() or 1
    cluster = local_cluster(n_workers)
    opened = Client(cluster, set_as_default=False)
    logger.info("started a LocalCluster with %d worker(s)", n_workers)
    try:
        yield opened
    finally:
        opened.close()
        cluster.close()


def _prepare_workers(client, spec, script_sha):
    """Import the model script on every worker, in the worker's main thread.

    Brian2 installs a signal handler when it is imported, which fails in a
    worker's task threads; importing here also keeps these seconds out of
    the first points.
    """
    client.register_plugin(
        _ModelImport(str(spec.model_path), script_sha),
        name=f"neurorelax-sweep-{script_sha[:16]}",
    )


def _execute(client, spec, pending, script_sha, resume, on_point):
    """Run the pending points; return their records by point id."""
    from distributed import as_completed

    records = {}
    if not pending:
        return records

    # Task keys name the sweep and the point, plus a token of this call, so
    # that two sweeps on one cluster never share a task.
    token = uuid.uuid4().hex[:8]

    def submit(point):
        task = _task(spec, point, script_sha, resume)
        return client.submit(
            _run_point,
            task,
            key=f"sweep-{spec.name}-{point.point_id}-{token}",
            pure=False,
        )

    def collect(future, point):
        record = _result_or_error(future, spec, point, script_sha, resume)
        records[point.point_id] = record
        if record.get("previous"):
            logger.info(
                "point %s: results of an earlier run kept in %s",
                point.point_id,
                spec.output / record["previous"],
            )
        if on_point is not None:
            on_point(record)

    # Compile once: the points of one seed all start together; each worker
    # defines the network, the first to reach the project's build lock
    # compiles, and the others find nothing left to compile. Seeds run one
    # after another, because a standalone model may compile its seed into
    # the binary, and a rebuild must never overlap a running binary of the
    # same project.
    if spec.compile_once:
        batches = {}
        for point in pending:
            batches.setdefault(point.seed, []).append(point)
        batches = list(batches.values())
    else:
        batches = [pending]

    for batch in batches:
        futures = {submit(point): point for point in batch}
        try:
            for future in as_completed(futures, loop=client.loop):
                collect(future, futures[future])
        except BaseException:
            client.cancel(list(futures))
            raise
    return records


def _result_or_error(future, spec, point, script_sha, resume):
    """The worker's record, or an error record when the task itself failed.

    The error record of a failed task (its worker died, say) is installed as
    a worker installs a point (:func:`_install_point`), in an empty folder,
    so the results of an earlier run of the point are kept.
    """
    directory = spec.output / "points" / point.point_id
    if future.status == "finished":
        record = future.result()
        write_json(directory / RECORD, record)
        return record
    error = future.exception()
    task = _task(spec, point, script_sha, resume)
    record = _record(task, point, status="error", run_time=0.0)
    record["error"] = f"{type(error).__name__}: {error}"
    record["traceback"] = "".join(traceback.format_exception(error))
    directory.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(directory.parent / f".{point.point_id}.lock"):
        staging = _staging_folder(directory)
        _install_point(directory, staging, record)
    return record


def _task(spec, point, script_sha, resume):
    """Everything a worker needs for one point, as a plain picklable dict."""
    return {
        "resume": bool(resume),
        "model_path": str(spec.model_path),
        "script_sha256": script_sha,
        "name": spec.name,
        "model_name": spec.model_name,
        "metrics": list(spec.metrics),
        "quick": spec.quick,
        "device": spec.device,
        "point": point,
        "directory": str(spec.output / "points" / point.point_id),
    }


def _record(task, point, *, status, run_time):
    """A point record with empty metrics; ``task`` is what :func:`_task` made."""
    return {
        "point": point.point_id,
        "index": point.index,
        "model": task["model_name"],
        "params": {name: str(value) for name, value in point.params.items()},
        "values": to_jsonable(point.values),
        "seed": point.seed,
        "quick": task["quick"],
        "device": task["device"],
        "metrics": {},
        "status": status,
        "error": None,
        "run_time_s": run_time,
        "finished_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "finished_unix": time.time(),
        "script_sha256": task["script_sha256"],
        "directory": f"points/{point.point_id}",
        "files": [],
    }


def _run_point(task):
    """Run one point on a worker; return its record (also written to disk).

    A file lock on the point's folder makes a second runner of the same point
    wait. On resume (``task["resume"]``), a runner that then finds a
    successful record of the same script (a resumed sweep racing a task left
    over from an interrupted one) reuses it instead of running the point
    twice; without resume the point always runs again.

    The point runs in a fresh staging folder beside its folder, which only
    replaces the point's folder once the run has ended; the earlier folder
    is kept as ``<point_id>.previous`` (see :func:`_install_point`).
    """
    point = task["point"]
    directory = Path(task["directory"])
    directory.parent.mkdir(parents=True, exist_ok=True)
    with _POINT_LOCK, _file_lock(directory.parent / f".{point.point_id}.lock"):
        if task.get("resume", True):
            previous = _read_record(directory / RECORD)
            if (
                previous is not None
                and previous.get("status") == "ok"
                and previous.get("script_sha256") == task["script_sha256"]
            ):
                return previous
        staging = _staging_folder(directory)
        try:
            record = _run_model(task, point, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _install_point(directory, staging, record)
    return record


def _staging_folder(directory):
    """Make a fresh staging folder beside ``directory``; remove stale ones.

    The caller holds the point's file lock, so any other staging folder of
    the point was left by a runner that was killed.
    """
    for stale in directory.parent.glob(f".{directory.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = directory.with_name(f".{directory.name}.staging-{uuid.uuid4().hex[:12]}")
    staging.mkdir()
    return staging


def _install_point(directory, staging, record):
    """Put a finished run's staging folder in place of the point's folder.

    The point's earlier folder, if any, becomes ``<point_id>.previous``
    (replacing an older one), so that nothing computed is lost, however the
    new run ended. The one exception keeps the better results: a folder whose
    record is not ``ok`` (or that has no record) is deleted rather than put
    in place of an existing ``.previous``. The record, naming the
    ``.previous`` folder when there is one, is written last, atomically.

    Parameters
    ----------
    directory : Path
        The point's folder, ``<output>/points/<point_id>``.
    staging : Path
        The folder the new run wrote its files in, beside ``directory``.
    record : dict
        The new run's record.
    """
    previous = directory.with_name(f"{directory.name}.previous")
    if directory.exists():
        old = _read_record(directory / RECORD)
        if previous.exists() and (old is None or old.get("status") != "ok"):
            shutil.rmtree(directory)
        else:
            if previous.exists():
                shutil.rmtree(previous)
            directory.rename(previous)
            logger.info(
                "point %s: the results of its earlier run (status %s) are kept in %s",
                directory.name,
                None if old is None else old.get("status"),
                previous,
            )
    staging.rename(directory)
    if previous.exists():
        record["previous"] = f"points/{previous.name}"
    write_json(directory / RECORD, record)


@contextlib.contextmanager
def _file_lock(path):
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _ModelImport(WorkerPlugin):
    """Worker plugin: import the model script in the worker's main thread.

    An import error is only logged here; the points then report it.
    """

    def __init__(self, model_path, script_sha):
        self.model_path = model_path
        self.script_sha = script_sha

    def setup(self, worker):
        try:
            _load_model(self.model_path)
        except Exception:
            logger.exception("could not import %s on %s", self.model_path, worker)


def _run_model(task, point, directory):
    module = _load_model(task["model_path"])
    _reset_brian2()
    started_unix, start = time.time(), time.perf_counter()
    try:
        metrics = module.run(
            directory,
            params=dict(point.params),
            seed=point.seed,
            quick=task["quick"],
            device=task["device"],
        )
        metrics = _select_metrics(metrics, task["metrics"])
        status, error, trace = "ok", None, None
    except Exception as exc:
        metrics, status = {}, "error"
        error = f"{type(exc).__name__}: {exc}"
        trace = traceback.format_exc()
    run_time = time.perf_counter() - start

    record = _record(task, point, status=status, run_time=run_time)
    record["started_unix"] = started_unix
    record["metrics"] = metrics
    record["error"] = error
    if trace is not None:
        record["traceback"] = trace
    record["worker_pid"] = os.getpid()
    record["files"] = sorted(
        str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file()
    )
    return record


def _select_metrics(metrics, wanted):
    if not isinstance(metrics, dict):
        raise TypeError(
            f"run() must return a dict of metrics, got {type(metrics).__name__}"
        )
    missing = [name for name in wanted if name not in metrics]
    if missing:
        raise KeyError(f"run() did not return the metric(s) {', '.join(missing)}")
    selected = {}
    for name in wanted:
        value = metrics[name]
        try:
            selected[name] = float(value)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"metric {name!r} must be a scalar number, got {format_value(value)}"
            ) from error
    return selected


def _load_model(path):
    """Load the model script; ``load_script`` reloads it when its file changed."""
    from neurorelax.scripting import load_script

    return load_script(Path(path))


def _reset_brian2():
    """Give the next point a fresh Brian2 device and scope (if Brian2 is loaded).

    Both the clock and the garbage collection matter for compile-once: the
    generated ``main.cpp`` records the time step the default clock had when
    the standalone device was selected (a previous point may have changed
    it), and Brian2 gives an object a suffixed name (``..._codeobject_1``)
    while an older object of the same name is still alive. Either would make
    the code of the second point in a worker differ from the first, and the
    project recompile.
    """
    import gc
    import sys

    if "brian2" not in sys.modules:
        return
    import brian2

    brian2.device.reinit()
    brian2.device.activate()
    brian2.set_device("runtime")
    brian2.start_scope()
    brian2.defaultclock.dt = 0.1 * brian2.ms  # Brian2's default, as when fresh
    gc.collect()
