"""Device selection and compiled standalone projects that run many times.

:func:`use_device` chooses the numpy or Cython runtime target or the
``cpp_standalone`` device by one setting. :class:`StandaloneProject` builds
a C++ standalone project in its own directory, compiles it once and runs the
binary many times, changing parameter values through Brian2's ``run_args``
(each run in its own results directory, so parallel runs never collide).

Compilation is counted: the project directory holds a file
``neurorelax_compile_count.txt`` incremented each time ``make`` actually
relinked the binary, and :attr:`StandaloneProject.last_build_compiled` says
whether the latest :meth:`StandaloneProject.build` did. Generating identical
code again, in the same or a fresh process, does not recompile: Brian2's
writer leaves unchanged files alone, so ``make`` finds nothing to do.
"""

import contextlib
import fcntl
import gc
import hashlib
import logging
import os
import pickle
import shutil
import uuid
from pathlib import Path

import brian2
import numpy as np
from brian2 import (
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    device,
    prefs,
    set_device,
)

from neurorelax.ion._units import check_quantity
from neurorelax.ion.guards import check_finite_state
from neurorelax.validation import check_seed

__all__ = [
    "DEVICE_NAMES",
    "StandaloneProject",
    "build_root",
    "compile_count",
    "release_project",
    "reuse_project",
    "simulate",
    "use_device",
]

logger = logging.getLogger(__name__)

DEVICE_NAMES = ("numpy", "cython", "runtime", "cpp_standalone")
COUNT_FILE = "neurorelax_compile_count.txt"
DEFAULT_MAKE_JOBS = 2
#: More parallel compile jobs than this only queue up (and GNU make stalls on
#: very large counts), so more are refused.
MAX_MAKE_JOBS = 4 * (os.cpu_count() or 1)
#: Brian2's own default time step, set before every project definition.
DEFAULT_DT = 0.1 * brian2.ms


def build_root():
    """Return the folder holding the standalone projects.

    ``$NEURORELAX_BUILD_DIR`` when set, else ``~/.cache/neurorelax/standalone``.
    """
    root = os.environ.get("NEURORELAX_BUILD_DIR")
    if root:
        return Path(root).expanduser()
    return Path.home() / ".cache" / "neurorelax" / "standalone"


def use_device(
    name="cpp_standalone",
    *,
    directory=None,
    build_on_run=False,
    make_jobs=DEFAULT_MAKE_JOBS,
    seed=None,
):
    """Select the Brian2 device or code-generation target by one name.

    Parameters
    ----------
    name : {"numpy", "cython", "runtime", "cpp_standalone"}
        ``"numpy"`` and ``"cython"`` select the runtime device with that
        code-generation target, ``"runtime"`` lets Brian2 choose (Cython if
        available), ``"cpp_standalone"`` generates a C++ project.
    directory : str or Path, optional
        Project directory for ``cpp_standalone``.
    build_on_run : bool
        For ``cpp_standalone``: build and run at the first ``run()`` call
        (Brian2's default) instead of waiting for ``device.build``.
    make_jobs : int
        Parallel compile jobs for ``make`` (``-j``), >= 1; bounded because
        the project's machines are shared.
    seed : int, optional
        Seed in [0, 2**32 - 1] for Brian2's random numbers, set right after
        selecting the device, so a standalone binary draws the same network
        on every run.
    """
    if name not in DEVICE_NAMES:
        raise ValueError(
            f"device must be one of {', '.join(map(repr, DEVICE_NAMES))}; got {name!r}"
        )
    make_jobs, seed = _check_build_options(
        directory, make_jobs, seed, seed_may_be_none=True
    )
    if not isinstance(build_on_run, bool | np.bool_):
        raise ValueError(f"build_on_run must be True or False, got {build_on_run!r}")
    _forget_last_project()
    if name == "cpp_standalone":
        device.reinit()
        device.activate()
        prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{int(make_jobs)}"]
        set_device(
            "cpp_standalone",
            directory=None if directory is None else str(directory),
            build_on_run=build_on_run,
        )
    else:
        set_device("runtime")
        prefs.codegen.target = "auto" if name == "runtime" else name
    if seed is not None:
        brian2.seed(seed)
    logger.debug("device %s selected", name)


def _check_build_options(directory, make_jobs, seed, *, seed_may_be_none=False):
    """Check a project directory, make's job count and a seed; return the last two."""
    if directory is not None and Path(directory).exists():
        if not Path(directory).is_dir():
            raise ValueError(
                f"directory {str(directory)!r} is a file; expected a folder for "
                "the C++ project"
            )
    if isinstance(make_jobs, bool) or not isinstance(make_jobs, int | np.integer):
        raise ValueError(f"make_jobs must be an integer >= 1, got {make_jobs!r}")
    if not 1 <= make_jobs <= MAX_MAKE_JOBS:
        raise ValueError(
            f"make_jobs must be an integer in [1, {MAX_MAKE_JOBS}] (4 per core), "
            f"got {make_jobs!r}"
        )
    if seed is None and seed_may_be_none:
        return int(make_jobs), None
    return int(make_jobs), check_seed(seed)


def _check_name(name):
    """Refuse a project name that is not a plain folder name."""
    if (
        not isinstance(name, str)
        or not name
        or not all(c.isalnum() or c in "-_" for c in name)
    ):
        raise ValueError(
            f"name must be a non-empty string of letters, digits, '-' and '_', "
            f"got {name!r}"
        )


def compile_count(directory):
    """Return how many times the project in ``directory`` was compiled."""
    path = Path(directory) / COUNT_FILE
    return int(path.read_text()) if path.is_file() else 0


def _binary_stamp(directory):
    binary = Path(directory) / "main"
    if not binary.is_file():
        return None
    info = binary.stat()
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def _monitor_data(monitor):
    """Return a dict of the monitor's recorded arrays, with Brian2 units."""
    if isinstance(monitor, SpikeMonitor):
        return {"i": np.array(monitor.i[:]), "t": monitor.t[:].copy()}
    if isinstance(monitor, PopulationRateMonitor):
        return {"t": monitor.t[:].copy(), "rate": monitor.rate[:].copy()}
    if isinstance(monitor, StateMonitor):
        data = {"t": monitor.t[:].copy()}
        for name in monitor.record_variables:
            data[name] = getattr(monitor, name)[:].copy()
        return data
    raise ValueError(
        f"monitor must be a SpikeMonitor, StateMonitor or PopulationRateMonitor, "
        f"got {monitor!r}"
    )


class StandaloneProject:
    """A C++ standalone project: compiled once, run many times.

    Parameters
    ----------
    name : str
        Project name; letters, digits, ``-`` and ``_``.
    directory : str or Path, optional
        Project directory (default ``build_root() / name``).
    seed : int
        Seed set right after the device, so every run of the binary draws
        the same random network and initial values.
    make_jobs : int
        Parallel ``make`` jobs (``-j``).

    Examples
    --------
    Build once, then run with changed parameter values::

        project = StandaloneProject("cobahh", seed=1)
        with project.define():
            group = build_neurons(4000, traub_miles(), synapses=("AMPA", "GABAA"))
            syn = connect_synapses(group[:3200], group, "AMPA", weight=6 * nS, p=0.02)
            spikes = SpikeMonitor(group, name="spikes")
            project.add_parameter("w_e", syn.w)
            project.add_monitor(spikes)
            run(1 * second)
        project.build()
        first = project.run()                         # the built-in values
        second = project.run(params={"w_e": 8 * nS})  # no compilation
        assert project.compile_count <= 1
    """

    def __init__(self, name, directory=None, *, seed=0, make_jobs=DEFAULT_MAKE_JOBS):
        _check_name(name)
        self.make_jobs, self.seed = _check_build_options(directory, make_jobs, seed)
        self.name = name
        self.directory = Path(directory) if directory else build_root() / name
        self.parameters = {}
        self.monitors = {}
        self.groups = []
        self.last_build_compiled = None
        self.build_seconds = None
        self.last_run_seconds = None
        self.last_simulation_seconds = None
        #: Holds the Network of the project, if the caller wants it kept alive.
        self.network = None
        self._built = False
        self._stamp = None
        self._device = None

    @contextlib.contextmanager
    def define(self):
        """Make this project's standalone device current while defining it.

        Inside the block create the network (keep references to its
        objects, as Brian2 requires) and call ``run(duration)`` or
        ``Network.run`` once; nothing runs until :meth:`build` and
        :meth:`run`. The project owns a private ``CPPStandaloneDevice``, and
        the device that was current before the block is restored after it,
        so several projects can live in one process and Brian2's global
        ``device.reinit()`` does not touch a built project. Every NeuronGroup
        created in the block is checked for non-finite values after each run.
        """
        from brian2 import NeuronGroup
        from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
        from brian2.devices.device import reset_device

        if self._device is not None:
            raise RuntimeError(
                f"project {self.name!r} was already defined; create a new "
                "StandaloneProject to define another network"
            )
        # The code generated here must not depend on what ran before in this
        # process, or a second definition of the same network compiles again:
        # objects of an earlier network that are still alive (also those of
        # the project kept by reuse_project) make Brian2 suffix new names
        # (cells_1, ...), and Brian2 copies the current device's time step
        # into the new device's main.cpp.
        _forget_last_project()
        gc.collect()
        caller_dt = brian2.defaultclock.dt
        brian2.defaultclock.dt = DEFAULT_DT
        self.directory.mkdir(parents=True, exist_ok=True)
        prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{int(self.make_jobs)}"]
        self._device = CPPStandaloneDevice()
        set_device(self._device, build_on_run=False, directory=str(self.directory))
        brian2.seed(self.seed)
        try:
            yield self
            self.groups = [
                obj
                for obj in _all_objects()
                if isinstance(obj, NeuronGroup) and _owned_by(obj, self._device)
            ]
        finally:
            reset_device()
            brian2.defaultclock.dt = caller_dt
            _forget_magic_objects()

    def add_parameter(self, name, variable):
        """Expose ``variable`` (e.g. ``synapses.w``) as run parameter ``name``.

        Parameters
        ----------
        name : str
        variable : VariableView
            An attribute of a whole group (not a subgroup: Brian2 2.9 cannot
            set subgroup variables from the command line).
        """
        if not hasattr(variable, "group_name") or not hasattr(variable, "dim"):
            raise ValueError(
                f"variable for {name!r} must be a group attribute such as "
                f"synapses.w, got {variable!r}"
            )
        self.parameters[name] = variable

    def add_monitor(self, monitor, name=None):
        """Return ``monitor``'s data from every :meth:`run` under ``name``."""
        self.monitors[name or monitor.name] = monitor
        return monitor

    @property
    def compile_count(self):
        """Number of times this project directory was compiled (all processes)."""
        return compile_count(self.directory)

    def build(self, clean=False):
        """Generate the code and compile it if anything changed.

        Sets :attr:`last_build_compiled` and increments the compile counter
        in the project directory when ``make`` relinked the binary. A file
        lock keeps concurrent processes from building the same directory at
        the same time.
        """
        import time

        if self._device is None:
            raise RuntimeError(f"project {self.name!r}: define() it before build()")
        start = time.perf_counter()
        with _file_lock(self.directory / ".neurorelax_build.lock"):
            before = _binary_stamp(self.directory)
            self._device.build(
                directory=str(self.directory),
                compile=True,
                run=False,
                with_output=False,
                clean=clean,
            )
            after = _binary_stamp(self.directory)
            self.last_build_compiled = after != before
            if self.last_build_compiled:
                path = self.directory / COUNT_FILE
                path.write_text(str(compile_count(self.directory) + 1))
        self.build_seconds = time.perf_counter() - start
        self._built = True
        self._stamp = _binary_stamp(self.directory)
        logger.info(
            "standalone project %s built in %.1f s (compiled: %s)",
            self.name,
            self.build_seconds,
            self.last_build_compiled,
        )

    def run_args(self, params):
        """Translate ``{name: value}`` into Brian2's ``run_args`` mapping."""
        run_args = {}
        for key, value in (params or {}).items():
            if key not in self.parameters:
                raise ValueError(
                    f"unknown parameter {key!r} for project {self.name!r}; known "
                    f"parameters: {', '.join(sorted(self.parameters)) or 'none'}"
                )
            variable = self.parameters[key]
            check_quantity(key, value, brian2.get_unit(variable.dim), allow_array=True)
            run_args[variable] = value
        return run_args

    def run(self, params=None, *, run_args=None, results_dir=None, keep=False):
        """Run the compiled binary once and return the monitors' data.

        Parameters
        ----------
        params : dict of str to Quantity, optional
            Values for parameters declared with :meth:`add_parameter`.
        run_args : dict, optional
            Extra Brian2 run_args (``{group.variable: value}``).
        results_dir : str or Path, optional
            Where the binary writes its results; default a fresh directory
            ``results/<unique>`` inside the project, removed after reading
            unless ``keep``.
        keep : bool
            Keep the results directory.

        Returns
        -------
        dict of str to dict
            Monitor name -> recorded arrays (``SpikeMonitor``: ``i``, ``t``;
            ``StateMonitor``: ``t`` and each variable, shape (n, n_t);
            ``PopulationRateMonitor``: ``t``, ``rate``).

        Raises
        ------
        SimulationDiverged
            When a group's final state or a recorded trace is not finite.
        """
        if not self._built:
            raise RuntimeError(f"project {self.name!r}: call build() before run()")
        if _binary_stamp(self.directory) != self._stamp:
            raise RuntimeError(
                f"project {self.name!r}: the binary in {str(self.directory)!r} was "
                "removed or rebuilt (by another project of the same name, e.g. "
                "with another seed) since this project built it; define and build "
                "the project again"
            )
        if not isinstance(params, dict | None):
            raise ValueError(
                f"params must be a dict of name -> value, got {type(params).__name__}"
            )
        if not isinstance(keep, bool | np.bool_):
            raise ValueError(f"keep must be True or False, got {keep!r}")
        merged = self.run_args(params)
        merged.update(run_args or {})
        explicit = results_dir is not None
        if results_dir is None:
            results_dir = (
                self.directory
                / "results"
                / (f"run_{os.getpid()}_{uuid.uuid4().hex[:12]}")
            )
        elif Path(results_dir).exists() and not Path(results_dir).is_dir():
            raise ValueError(
                f"results_dir {str(results_dir)!r} is a file; expected a folder"
            )
        relative = os.path.relpath(
            Path(results_dir).resolve(), self.directory.resolve()
        )

        try:
            self._device.run(
                directory=str(self.directory),
                results_directory=relative,
                with_output=False,
                run_args=merged,
            )
            self.last_run_seconds = self._device.timers["run_binary"]
            self.last_simulation_seconds = getattr(self._device, "_last_run_time", None)
            monitors = [
                m for m in self.monitors.values() if isinstance(m, StateMonitor)
            ]
            check_finite_state(self.groups, monitors=monitors)
            data = {key: _monitor_data(m) for key, m in self.monitors.items()}
        finally:
            if not (keep or explicit):
                shutil.rmtree(results_dir, ignore_errors=True)
        return data


def _forget_magic_objects():
    """Drop the references Brian2's magic network keeps after a standalone run.

    A ``run()`` on a standalone device that does not build at once never
    reaches ``MagicNetwork.after_run``, which would clear them; left alone,
    they keep the project's objects alive and their names taken.
    """
    from brian2.core.magic import magic_network

    magic_network.objects.clear()
    if hasattr(magic_network, "_clocks"):
        magic_network._clocks = set()


@contextlib.contextmanager
def _file_lock(path):
    """Hold an exclusive POSIX lock on ``path`` (created if missing)."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _owned_by(obj, owner_device):
    """Return True when ``obj``'s variables live on ``owner_device``."""
    devices = [getattr(var, "device", None) for var in obj.variables.values()]
    return any(device is owner_device for device in devices)


def _all_objects():
    """Return the Brian2 objects alive in the current scope."""
    from brian2.core.base import BrianObject

    objects = []
    for ref in BrianObject.__instances__():
        obj = ref()
        if obj is not None:
            objects.append(obj)
    return objects


# The project this process built last, with what identifies it (see
# ``reuse_project``). One slot only: the objects of a project kept alive make
# Brian2 suffix the automatic names of the next project's objects
# (``..._codeobject_1``), so its code would differ from the same project
# generated in a fresh process and compile again.
_LAST = {"key": None, "code": None, "stamp": None, "project": None}


def reuse_project(
    name,
    define,
    *,
    structure=None,
    seed=0,
    directory=None,
    make_jobs=DEFAULT_MAKE_JOBS,
):
    """Return a built :class:`StandaloneProject`, defining it once per process.

    The first call defines the project (``define`` runs inside
    :meth:`StandaloneProject.define`) and builds it, compiling only if the
    generated code changed. A later call in the same process with the same
    ``name``, project directory, ``seed``, ``structure`` and ``define``
    function returns that project at once: no Python network, no code
    generation, no ``make``. Points of a sweep that differ only in values
    passed through ``run_args`` then cost one run of the binary each.

    Parameters
    ----------
    name : str
        Project name (see :class:`StandaloneProject`).
    define : callable
        ``define(project) -> object``: creates the network, declares its
        parameters and monitors (``project.add_parameter``,
        ``project.add_monitor``) and calls ``run(duration)``. The return
        value (e.g. the ``Network``) is kept alive as ``project.network``.
    structure : object, optional
        Everything besides the seed that ``define`` builds into the code or
        the binary (e.g. the structural parameters, as a dict); a different
        ``structure`` defines and builds anew. It must be picklable.
    seed : int
    directory : str or Path, optional
        Project directory (default ``build_root() / name``, read at each call).
    make_jobs : int

    Returns
    -------
    StandaloneProject
        Built, ready for :meth:`StandaloneProject.run`.

    Notes
    -----
    The process keeps one project: defining another one or selecting a
    device with :func:`use_device` releases it. A project whose binary
    changed on disk since it was built (another process rebuilt the
    directory with other code) is defined and built again rather than run.
    """
    if not callable(define):
        raise ValueError(f"define must be callable, got {define!r}")
    identity = getattr(define, "__code__", define)
    return _reuse(name, define, identity, structure, seed, directory, make_jobs)


def _reuse(name, define, identity, structure, seed, directory, make_jobs):
    """:func:`reuse_project`, with what identifies ``define`` given apart."""
    _check_name(name)
    make_jobs, seed = _check_build_options(directory, make_jobs, seed)
    directory = Path(directory) if directory else build_root() / name
    key = (name, str(directory.resolve()), seed, _structure_digest(structure))
    code = identity
    last = _LAST["project"]
    if (
        last is not None
        and _LAST["key"] == key
        and _LAST["code"] is code
        and _binary_stamp(last.directory) == _LAST["stamp"]
    ):
        logger.debug("reusing the defined standalone project %s", name)
        return last

    del last
    project = StandaloneProject(name, directory, seed=seed, make_jobs=make_jobs)
    with project.define():
        project.network = define(project)
    project.build()
    _LAST.update(
        key=key, code=code, stamp=_binary_stamp(project.directory), project=project
    )
    return project


def release_project():
    """Forget the project kept by :func:`reuse_project` and free its objects.

    Defining any other project (:meth:`StandaloneProject.define`) or
    selecting a device (:func:`use_device`) releases it too.
    """
    _forget_last_project()
    gc.collect()


def _forget_last_project():
    _LAST.update(key=None, code=None, stamp=None, project=None)


def _structure_digest(structure):
    """A stable digest of ``structure``, dicts compared regardless of order."""
    if isinstance(structure, dict):
        structure = sorted(structure.items(), key=lambda item: str(item[0]))
    try:
        payload = pickle.dumps(structure, protocol=4)
    except Exception as error:
        raise ValueError(
            f"structure must be picklable, got {type(structure).__name__}: {error}"
        ) from error
    return hashlib.sha256(payload).hexdigest()


def simulate(
    define,
    duration,
    *,
    device="cpp_standalone",
    name=None,
    params=None,
    seed=0,
    directory=None,
    make_jobs=DEFAULT_MAKE_JOBS,
):
    """Run the network made by ``define`` on any device, compiling at most once.

    On ``cpp_standalone`` the first call for a given ``(define, name,
    directory, seed, duration)`` defines and builds a
    :class:`StandaloneProject` (through :func:`reuse_project`); later calls
    in the same process, with no other project defined in between, only run
    its binary with the new ``params`` (through ``run_args``), and calls
    from a fresh process regenerate the same code without compiling it. On
    the runtime targets the network is defined anew on every call and the
    parameters are set before running.

    Parameters
    ----------
    define : callable
        ``define() -> (network, monitors, parameters)``: creates the Brian2
        objects and returns a ``Network`` holding all of them, a dict of
        name -> monitor, and a dict of name -> group attribute (e.g.
        ``{"w_exc": synapses.w}``) that ``params`` may change. Attributes must
        belong to whole groups, not subgroups.
    duration : Quantity, second
        Simulated time, > 0.
    device : str
        One of :data:`DEVICE_NAMES`.
    name : str, optional
        Project name (default ``define.__name__``).
    params : dict of str to Quantity, optional
        Values for the entries of ``parameters``.
    seed : int
        Brian2 seed. The numpy/Cython and C++ random generators differ, so
        random networks differ between runtime and standalone devices.
    directory : str or Path, optional
        Project directory (default ``build_root() / name``).
    make_jobs : int
        Parallel ``make`` jobs.

    Returns
    -------
    dict of str to dict
        Monitor name -> recorded arrays, as :meth:`StandaloneProject.run`.

    Raises
    ------
    SimulationDiverged
        When a group's final state or a recorded trace is NaN or infinite
        (checked after the run, on every device).
    """
    from brian2 import second

    if device not in DEVICE_NAMES:
        raise ValueError(
            f"device must be one of {', '.join(map(repr, DEVICE_NAMES))}; "
            f"got {device!r}"
        )
    check_quantity("duration", duration, second, low=0 * second, low_open=True)
    if not callable(define):
        raise ValueError(f"define must be callable, got {define!r}")
    if not isinstance(params, dict | None):
        raise ValueError(
            f"params must be a dict of name -> value, got {type(params).__name__}"
        )
    name = name or getattr(define, "__name__", "network")
    _check_name(name)
    _check_build_options(directory, make_jobs, seed)

    if device != "cpp_standalone":
        from brian2 import NeuronGroup

        use_device(device, seed=seed)
        network, monitors, parameters = define()
        for key, value in (params or {}).items():
            if key not in parameters:
                raise ValueError(
                    f"unknown parameter {key!r}; known parameters: "
                    f"{', '.join(sorted(parameters)) or 'none'}"
                )
            variable = parameters[key]
            check_quantity(key, value, brian2.get_unit(variable.dim), allow_array=True)
            variable[:] = value
        network.run(duration)
        groups = [obj for obj in network.objects if isinstance(obj, NeuronGroup)]
        state_monitors = [m for m in monitors.values() if isinstance(m, StateMonitor)]
        check_finite_state(groups, t_end=duration, monitors=state_monitors)
        return {key: _monitor_data(monitor) for key, monitor in monitors.items()}

    def define_project(project):
        network, monitors, parameters = define()
        for label, monitor in monitors.items():
            project.add_monitor(monitor, label)
        for label, variable in parameters.items():
            project.add_parameter(label, variable)
        network.run(duration)
        return network

    project = _reuse(
        name,
        define_project,
        define,
        float(duration / second),
        seed,
        directory,
        make_jobs,
    )
    return project.run(params=params)
