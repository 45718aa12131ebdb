"""The comparison chain: spiking assemblies against the graph-level model.

:func:`run_comparison` runs the whole chain on one graph:

1. checks every argument (graph size, stimulated nodes, smoothing width,
   enough run time for the protocol, and the run's cells, synapses, time
   steps and recorded values against the model scripts' limits,
   :func:`check_run_size`) before anything is built;
2. builds the assembly network (:mod:`neurorelax.bridge.assembly`) and runs
   a protocol: warm-up, an unstimulated baseline, then ``repetitions``
   rounds in which every stimulated node in turn gets one window of
   current (``pre`` before, ``stimulus`` on, ``post`` after);
3. coarse-grains the spikes (:mod:`neurorelax.bridge.coarse`) and averages
   each stimulus over its repetitions, giving M(t) per stimulus;
4. fits the graph-level model (:mod:`neurorelax.bridge.fit`) on the
   training stimuli, predicts the held-out ones and measures the agreement
   (:mod:`neurorelax.bridge.metrics`), for the paper's model (diffusion
   with decay) and for its extension (plus a strength-proportional leak,
   eta);
5. reads the effective graph back from the synapses that were created.

:func:`save_comparison` writes everything (spikes, rates, activations,
graphs, fitted parameters, metrics) to one HDF5 file and the metrics to a
JSON file, both atomically; :func:`load_comparison` reads them back for
re-plotting without re-running.
"""

import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np

from neurorelax.bridge import metrics as mx
from neurorelax.bridge.assembly import (
    AssemblyParameters,
    Stimulus,
    build_assembly_network,
    check_stimuli,
)
from neurorelax.bridge.coarse import (
    check_smoothing,
    coarse_grain,
    effective_graph,
    smooth_rates,
)
from neurorelax.bridge.fit import fit_graph_model, simulate_graph_model
from neurorelax.results import load_results, save_results, write_json
from neurorelax.validation import (
    MAX_CELL_STEPS,
    MAX_CELLS,
    MAX_RECORDED_VALUES,
    MAX_STEPS,
    MAX_SYNAPSES,
    check_choice,
    check_integer,
    check_positive,
    check_seed,
    count_text,
)

DEVICES = ("numpy", "cython", "runtime", "cpp_standalone")

__all__ = [
    "DEVICES",
    "MODELS",
    "ComparisonResult",
    "Protocol",
    "RunSize",
    "check_run_size",
    "load_comparison",
    "plan_protocol",
    "run_comparison",
    "save_comparison",
]

logger = logging.getLogger(__name__)

#: The graph-level models fitted: name -> (free parameters, non-linearity).
MODELS = {
    "diffusion": (("gamma", "decay", "gain"), None),
    "extended": (("gamma", "decay", "gain", "eta"), None),
}


@dataclass(frozen=True)
class Protocol:
    """Timing of the stimulation protocol, in seconds.

    Attributes
    ----------
    train_nodes, test_nodes : tuple of int
        Nodes stimulated to fit the model and to test its prediction.
    repetitions : int
        Rounds; each stimulus is averaged over them.
    warmup_, baseline_, pre_, stimulus_, post_ : float
        Discarded start, unstimulated baseline, and the three parts of each
        stimulus epoch.
    order : ndarray of int, shape (repetitions, n_stimuli)
        Order of the stimuli in each round (indices into
        ``train_nodes + test_nodes``).
    """

    train_nodes: tuple
    test_nodes: tuple
    repetitions: int
    warmup_: float
    baseline_: float
    pre_: float
    stimulus_: float
    post_: float
    order: np.ndarray

    @property
    def nodes(self):
        """All stimulated nodes, training ones first."""
        return tuple(self.train_nodes) + tuple(self.test_nodes)

    @property
    def epoch_(self):
        """Length of one stimulus epoch, in seconds."""
        return self.pre_ + self.stimulus_ + self.post_

    @property
    def duration_(self):
        """Total simulated time, in seconds."""
        return (
            self.warmup_
            + self.baseline_
            + self.repetitions * len(self.nodes) * self.epoch_
        )

    def epoch_starts(self):
        """Return the start (s) of every epoch, shape (repetitions, n_stimuli)."""
        n = len(self.nodes)
        starts = np.empty((self.repetitions, n))
        for rep in range(self.repetitions):
            for slot, stim in enumerate(self.order[rep]):
                starts[rep, stim] = (
                    self.warmup_ + self.baseline_ + (rep * n + slot) * self.epoch_
                )
        return starts

    def stimuli(self):
        """Return the list of :class:`Stimulus` windows of the whole run."""
        from brian2 import second

        out = []
        for rep_starts in self.epoch_starts():
            for node, start in zip(self.nodes, rep_starts, strict=True):
                on = start + self.pre_
                out.append(
                    Stimulus(int(node), on * second, (on + self.stimulus_) * second)
                )
        return out


def plan_protocol(
    n_nodes,
    duration_,
    *,
    train_nodes=None,
    test_nodes=None,
    n_train=3,
    n_test=2,
    warmup_=0.2,
    baseline_=0.3,
    pre_=0.05,
    stimulus_=0.1,
    post_=0.2,
    seed=0,
):
    """Choose stimulated nodes and the number of repetitions that fit a run.

    Parameters
    ----------
    n_nodes : int
        Nodes of the graph.
    duration_ : float
        Simulated time available, in seconds.
    train_nodes, test_nodes : sequence of int, optional
        Stimulated nodes; default: ``n_train + n_test`` distinct nodes drawn
        with ``seed``.
    n_train, n_test : int
        Numbers of nodes to draw when they are not given.
    warmup_, baseline_, pre_, stimulus_, post_ : float
        Timing, in seconds (see :class:`Protocol`).
    seed : int
        Seed of the node choice and of the order of stimuli.

    Returns
    -------
    Protocol

    Raises
    ------
    ValueError
        If a node does not exist, train and test nodes overlap, or
        ``duration_`` is too short for one round of every stimulus.
    """
    n_nodes = check_integer("n_nodes", n_nodes, minimum=1)
    duration_ = check_positive("duration", duration_)
    rng = np.random.default_rng(check_seed(seed))
    if train_nodes is None or test_nodes is None:
        n_train = check_integer("n_train", n_train, minimum=1)
        n_test = check_integer("n_test", n_test, minimum=1)
        if n_train + n_test > n_nodes:
            raise ValueError(
                f"n_train + n_test must be at most the number of nodes "
                f"({n_nodes}), got {n_train + n_test}"
            )
        drawn = rng.choice(n_nodes, n_train + n_test, replace=False)
        train_nodes = train_nodes or tuple(int(k) for k in drawn[:n_train])
        test_nodes = test_nodes or tuple(int(k) for k in drawn[n_train:])
    train_nodes, test_nodes = tuple(train_nodes), tuple(test_nodes)
    for label, nodes in (("train_nodes", train_nodes), ("test_nodes", test_nodes)):
        if not nodes:
            raise ValueError(f"{label} must hold at least one node, got ()")
        check_stimuli([Stimulus(node, 0, 1) for node in nodes], n_nodes)
    for label, nodes in (("train_nodes", train_nodes), ("test_nodes", test_nodes)):
        if len(set(nodes)) != len(nodes):
            repeated = sorted({k for k in nodes if nodes.count(k) > 1})
            raise ValueError(
                f"{label} must not repeat a node, got {list(nodes)} (repeated: "
                f"{repeated})"
            )
    if set(train_nodes) & set(test_nodes):
        raise ValueError(
            f"test_nodes must differ from train_nodes, got both holding "
            f"{sorted(set(train_nodes) & set(test_nodes))}"
        )

    n_stimuli = len(train_nodes) + len(test_nodes)
    epoch_ = pre_ + stimulus_ + post_
    needed_ = warmup_ + baseline_ + n_stimuli * epoch_
    repetitions = int(
        np.floor((duration_ - warmup_ - baseline_) / (n_stimuli * epoch_) + 1e-9)
    )
    if repetitions < 1:
        raise ValueError(
            f"duration must be at least {needed_:g} s to fit the graph model "
            f"(warm-up, baseline and one {epoch_ * 1e3:g} ms epoch for each of "
            f"{n_stimuli} stimuli), got {duration_:g} s"
        )
    if repetitions > MAX_REPETITIONS:
        raise ValueError(
            f"duration must give at most {MAX_REPETITIONS:,} rounds of the "
            f"{n_stimuli} stimuli ({MAX_REPETITIONS * n_stimuli * epoch_:g} s), "
            f"got {duration_:g} s ({float(repetitions):.3g} rounds)"
        )
    if repetitions == 1:
        logger.warning(
            "duration %g s gives one round of the %d stimuli: the noise ceiling "
            "needs at least two and will be nan; a duration of at least %g s "
            "gives two",
            duration_,
            n_stimuli,
            needed_ + n_stimuli * epoch_,
        )
    order = np.array([rng.permutation(n_stimuli) for _ in range(repetitions)])
    return Protocol(
        train_nodes,
        test_nodes,
        repetitions,
        warmup_,
        baseline_,
        pre_,
        stimulus_,
        post_,
        order,
    )


@dataclass
class ComparisonResult:
    """Everything a comparison produced (arrays, parameters, metrics).

    Attributes
    ----------
    arrays : dict
        ``spike_i``, ``spike_t`` (s), ``assembly_of``, ``times`` (bin
        centres, s), ``rates`` (Hz), ``activation`` (Hz),
        ``measured`` and ``inputs`` (n_stimuli, n_nodes, n_epoch_bins),
        ``weights``, ``effective_weights``, ``laplacian``, ``eigenvalues``,
        per model ``predicted/<model>``, ``node_correlation/<model>``,
        ``tau_graph/<model>``, and ``tau_spiking``.
    metrics : dict
        Scalar metrics (see :func:`run_comparison`).
    metadata : dict
        Parameters, protocol, fitted parameters, provenance.
    """

    arrays: dict
    metrics: dict
    metadata: dict = field(default_factory=dict)


def _epochs(activation, starts_, bin_width_, n_bins):
    """Average each stimulus over its repetitions.

    Returns the mean, shape (n_stimuli, n_nodes, n_bins), and the variance of
    that mean estimated from the spread between repetitions (nan with a
    single repetition).
    """
    first = np.round(starts_ / bin_width_).astype(int)
    cut = np.stack(
        [np.stack([activation[:, f : f + n_bins] for f in rep]) for rep in first]
    )
    if len(cut) < 2:
        return cut.mean(axis=0), np.full(cut.shape[1:], np.nan)
    return cut.mean(axis=0), cut.var(axis=0, ddof=1) / len(cut)


def noise_ceiling(measured, noise_variance, keep=None):
    """Estimate the best R^2 any model can reach on a noisy trial average.

    R^2_max = 1 - mean(noise variance) / variance(measured), over the samples
    selected by ``keep`` (default all): a model equal to the noise-free
    response still leaves the noise of the trial average as residual. The
    noise variance is estimated from the spread between rounds, so with few
    rounds the ceiling is noisy too, and a model may score above it.
    """
    if keep is not None:
        measured, noise_variance = measured[keep], noise_variance[keep]
    total = np.var(measured)
    return float(1 - np.mean(noise_variance) / total) if total > 0 else np.nan


MAX_REPETITIONS = 1_000_000
# Step of the stimulus table that build_assembly_network holds (its default
# stimulus_dt), in seconds.
STIMULUS_DT_ = 1e-3
# The comparison holds the weights as a dense matrix (800 MB at this size)
# and fits one activation per node and time bin.
MAX_NODES = 10_000
BYTES_PER_SYNAPSE = 60
# How check_run_size names the arguments of run_comparison in its messages.
ARGUMENT_NAMES = {
    "duration": "duration",
    "neurons_per_node": "neurons_per_node",
    "bin_width": "bin_width",
    "dt": "dt",
    "nodes": "n_nodes",
}


def estimated_synapses(weights, params):
    """Return an upper estimate of the synapse count of the spiking network.

    Parameters
    ----------
    weights : ndarray or scipy.sparse array of shape (n_nodes, n_nodes)
        Graph weights; every non-zero entry is an edge.
    params : AssemblyParameters

    Returns
    -------
    int
        ``n_nodes (N_E + N_I)^2 p_local + n_edges N_E^2 p_inter``, plus
        ``2 n_nodes N_E pool_size p_local`` with a shared pool: the expected
        number of local, inter-assembly and pool synapses (an upper bound for
        the ``"probability"`` mapping).
    """
    # Python numbers: no int64 overflow for a huge neurons_per_node
    n_e, n_i = int(params.neurons_per_node), int(params.n_inhibitory)
    n_edges = (
        weights.count_nonzero()
        if hasattr(weights, "count_nonzero")
        else np.count_nonzero(weights)
    )
    local = int(weights.shape[0]) * (n_e + n_i) ** 2 * float(params.p_local)
    inter = int(n_edges) * n_e**2 * float(params.p_inter)
    pool = 2 * int(weights.shape[0]) * n_e * int(params.pool_size)
    return int(local + inter + pool * float(params.p_local))


def check_network_size(weights, params, name="neurons_per_node"):
    """Refuse a network whose synapses would not fit in memory.

    Raises
    ------
    ValueError
        If :func:`estimated_synapses` exceeds ``MAX_SYNAPSES`` (1e8, about
        6 GB at some 60 bytes per synapse).
    """
    n_synapses = estimated_synapses(weights, params)
    if n_synapses > MAX_SYNAPSES:
        gigabytes = n_synapses * BYTES_PER_SYNAPSE / 1e9
        pool = f" and pool_size = {params.pool_size}" if params.pool_size else ""
        raise ValueError(
            f"{name} = {params.neurons_per_node}{pool} gives about {n_synapses:.3g} "
            f"synapses on {weights.shape[0]} nodes (roughly {gigabytes:,.0f} GB); "
            f"at most {MAX_SYNAPSES:,} synapses are allowed; use fewer neurons "
            f"per node{', a smaller pool' if pool else ''} or a smaller graph"
        )
    return n_synapses


@dataclass(frozen=True)
class RunSize:
    """What a comparison run simulates and keeps (see :func:`check_run_size`).

    Attributes
    ----------
    cells : int
        Cells of the network (excitatory, inhibitory and pool).
    synapses : int
        Estimated synapses (:func:`estimated_synapses`).
    time_steps : float
        Simulated time over the network's ``dt``.
    """

    cells: int
    synapses: int
    time_steps: float


def check_run_size(weights, params, duration_, bin_width_, *, names=None):
    """Refuse a run larger than the model scripts' limits, before anything is built.

    The run of :func:`run_comparison` simulates ``n_nodes (N_E + N_I)`` cells
    (plus ``pool_size``) for ``duration / dt`` time steps and keeps
    ``n_nodes x duration / bin_width`` rate bins and a stimulus table of
    ``n_nodes x duration / 1 ms`` values. Each count is held to the limit of
    the model scripts (:mod:`neurorelax.scripting`): ``MAX_SYNAPSES`` (1e8),
    ``MAX_CELLS`` (1e6), ``MAX_STEPS`` (1e8), ``MAX_CELL_STEPS`` (1e11) and
    ``MAX_RECORDED_VALUES`` (1e8). The recorded spikes are not counted: their
    number depends on the rates (some 36 Hz per excitatory cell by default).

    Parameters
    ----------
    weights : ndarray or scipy.sparse array of shape (n_nodes, n_nodes)
        Graph weights; every non-zero entry is an edge.
    params : AssemblyParameters
        Network parameters, with the run's ``neurons_per_node`` and ``dt``.
    duration_ : float
        Simulated time, in seconds (an upper bound: the protocol may use
        less).
    bin_width_ : float
        Coarse-graining bin, in seconds.
    names : dict, optional
        Names of ``duration``, ``neurons_per_node``, ``bin_width``, ``dt``
        and ``nodes`` in the messages (default :data:`ARGUMENT_NAMES`, those
        of :func:`run_comparison`); the command line passes its options.

    Returns
    -------
    RunSize
        The counts, for a warning of the cost of an allowed run.

    Raises
    ------
    ValueError
        If ``dt`` is not a time > 0, or a count exceeds its limit; the message
        names the arguments and their values, the count, the limit and what
        to change, as in ``"duration / dt = 300000 s / 0.1 ms gives
        3,000,000,000 time steps, more than the 100,000,000 allowed; shorten
        duration"``.
    """
    from brian2 import second

    name = dict(ARGUMENT_NAMES, **(names or {}))
    n_nodes = int(weights.shape[0])
    duration_ = check_positive(name["duration"], duration_)
    bin_width_ = check_positive(name["bin_width"], bin_width_)
    dt_ = check_positive(name["dt"], float(params.dt / second))
    duration, dt = _time_text(duration_), _time_text(dt_)
    smaller = f"use fewer {name['neurons_per_node']} or a smaller graph"

    n_synapses = check_network_size(weights, params, name=name["neurons_per_node"])
    n_e, n_i, pool = params.neurons_per_node, params.n_inhibitory, params.pool_size
    n_cells = n_nodes * (n_e + n_i) + pool
    _check_count(
        (n_cells,),
        1,
        f"{name['nodes']} x ({name['neurons_per_node']} + inhibitory per node)"
        + (" + pool_size" if pool else "")
        + f" = {n_nodes} x ({n_e} + {n_i})"
        + (f" + {pool}" if pool else ""),
        "cells",
        MAX_CELLS,
        smaller,
    )
    steps = _check_count(
        (duration_,),
        dt_,
        f"{name['duration']} / {name['dt']} = {duration} / {dt}",
        "time steps",
        MAX_STEPS,
        f"shorten {name['duration']}",
    )
    _check_count(
        (n_cells, duration_),
        dt_,
        f"cells x {name['duration']} / {name['dt']} = {n_cells:,} x {duration} / {dt}",
        "cell-steps",
        MAX_CELL_STEPS,
        f"shorten {name['duration']} or {smaller}",
    )
    _check_count(
        (n_nodes, duration_),
        bin_width_,
        f"{name['nodes']} x {name['duration']} / {name['bin_width']} = {n_nodes} x "
        f"{duration} / {_time_text(bin_width_)}",
        "recorded rate bins",
        MAX_RECORDED_VALUES,
        f"widen {name['bin_width']} or shorten {name['duration']}",
    )
    _check_count(
        (n_nodes, duration_),
        STIMULUS_DT_,
        f"{name['nodes']} x {name['duration']} / {_time_text(STIMULUS_DT_)} (the "
        f"stimulus table's step) = {n_nodes} x {duration} / "
        f"{_time_text(STIMULUS_DT_)}",
        "stimulus-table values",
        MAX_RECORDED_VALUES,
        f"shorten {name['duration']} or use a smaller graph",
    )
    return RunSize(cells=n_cells, synapses=n_synapses, time_steps=steps)


def _check_count(factors, divisor, source, what, limit, advice):
    """Refuse ``prod(factors) / divisor`` above ``limit``; return it as a float.

    The count may exceed the largest float (the message still shows it) and
    may exceed ``limit`` by a relative 1e-9, the rounding of a quotient.
    """
    value = _count(factors, divisor)
    if not value <= limit * (1 + 1e-9):
        raise ValueError(
            f"{source} gives {_count_text(factors, divisor)} {what}, more than "
            f"the {limit:,} allowed; {advice}"
        )
    return value


def _count_text(factors, divisor=1):
    """Show ``prod(factors) / divisor``: ``1,100,000``, ``2.5``, ``2.5e+15``.

    As :func:`neurorelax.validation.count_text`, and in powers of ten past
    the largest float (``1e+312``).
    """
    number = _count(factors, divisor)
    if math.isinf(number):
        exponent = _log10_count(factors, divisor)
        whole = math.floor(exponent)
        return f"{10 ** (exponent - whole):.3g}e+{whole}"
    return count_text(number)


def _count(factors, divisor):
    """``prod(factors) / divisor`` for positive numbers, inf only when it is."""
    number = math.prod(float(factor) for factor in factors) / float(divisor)
    if math.isinf(number):
        # a product past the largest float may still give a finite quotient
        try:
            return 10 ** _log10_count(factors, divisor)
        except OverflowError:
            return math.inf
    return number


def _log10_count(factors, divisor):
    return sum(math.log10(float(factor)) for factor in factors) - math.log10(
        float(divisor)
    )


def _time_text(seconds):
    """A time for a message: ``20 s``, ``0.1 ms``."""
    return f"{seconds:g} s" if seconds >= 1 else f"{seconds * 1e3:g} ms"


def _check_graph_size(weights, n_nodes):
    if weights.ndim != 2 or weights.shape[0] != weights.shape[1]:
        raise ValueError(
            f"graph weights must be a square matrix, got shape {weights.shape}"
        )
    if n_nodes is not None and weights.shape[0] != n_nodes:
        raise ValueError(
            f"graph must have n_nodes = {n_nodes} nodes to match the network, "
            f"got a graph with {weights.shape[0]} nodes"
        )


def run_comparison(
    graph,
    *,
    neurons_per_node=40,
    duration_=None,
    protocol=None,
    params=None,
    seed=0,
    device="numpy",
    bin_width_=1e-3,
    smoothing_width_=5e-3,
    kernel="gaussian",
    n_modes=6,
    n_nodes=None,
    progress=None,
    directory=None,
    **protocol_kw,
):
    """Run the spiking network on ``graph`` and compare it with the graph model.

    Parameters
    ----------
    graph : neurorelax.graph.Graph or ndarray of shape (n_nodes, n_nodes)
        The graph under both levels (symmetric weights).
    neurons_per_node : int
        Excitatory cells per node (overrides ``params``).
    duration_ : float
        Simulated time in seconds; the protocol repeats its stimuli as often
        as fits (ignored when ``protocol`` is given).
    protocol : Protocol, optional
        A ready protocol (default: :func:`plan_protocol` with
        ``protocol_kw``).
    params : AssemblyParameters, optional
        Network parameters.
    seed : int
        Seed of the network, the drive and the protocol.
    device : {"numpy", "cython", "runtime", "cpp_standalone"}
        Brian2 device or code-generation target.
    bin_width_, smoothing_width_ : float
        Coarse-graining bin and Gaussian kernel width, in seconds.
    kernel : str
        Smoothing kernel (see :func:`~neurorelax.bridge.coarse.smooth_rates`).
    n_modes : int
        Spectral modes whose relaxation times are compared.
    n_nodes : int, optional
        Expected number of nodes; a graph of another size is refused.
    progress : callable, optional
        Called as ``progress(stage, fraction)`` after each stage (the command
        line draws a progress bar with it; the library never prints).
    directory : str or Path, optional
        Standalone project directory (``cpp_standalone`` only).

    Returns
    -------
    ComparisonResult
        Metrics: ``r2_test/<model>``, ``r2_train/<model>``,
        ``r2_test_unstimulated/<model>`` (held-out R^2 over the nodes that
        were not stimulated: the part that only spreading explains),
        ``coupling/<model>`` (gamma / decay) and ``static_gain/<model>``
        (gain / decay), the combinations that stay identifiable when the
        network responds faster than the smoothing kernel,
        ``node_corr_median/<model>``, fitted ``<param>/<model>``,
        ``effective_graph_r``, ``strength_mean`` and ``strength_spread``
        (node strengths' mean and (max - min) / mean), ``r2_ceiling_test`` and
        ``r2_ceiling_test_unstimulated`` (estimates of the best R^2 any
        model could reach given the trial-to-trial noise left in the
        averages, see :func:`noise_ceiling`), ``baseline_rate_mean`` (Hz),
        ``peak_activation`` (Hz), ``tau_spiking_<k>`` and
        ``tau_graph_<k>/<model>`` (s), ``n_spikes``, ``wall_time`` (s).
    """
    from neurorelax.graph import laplacian as graph_laplacian

    # every check before the simulation
    report = progress or (lambda stage, fraction: None)
    size = graph.n_nodes if hasattr(graph, "weights") else np.shape(graph)[0]
    if size > MAX_NODES:
        raise ValueError(
            f"graph has {size:,} nodes; the comparison takes at most "
            f"{MAX_NODES:,} (it holds dense node-by-node matrices)"
        )
    weights = (
        np.asarray(graph.weights.toarray())
        if hasattr(graph, "weights")
        else np.asarray(graph, dtype=np.float64)
    )
    _check_graph_size(weights, n_nodes)
    n_nodes = weights.shape[0]
    n_modes = min(check_integer("n_modes", n_modes, minimum=1), n_nodes)
    check_smoothing(bin_width_, smoothing_width_, kernel)
    check_choice("device", device, DEVICES)
    params = (params or AssemblyParameters()).with_values(
        neurons_per_node=neurons_per_node
    )
    seed = check_seed(seed)
    if protocol is None:
        if duration_ is None:
            raise ValueError("duration must be given when protocol is not, got None")
        # before planning, which takes seconds for a million rounds
        check_run_size(weights, params, duration_, bin_width_)
        protocol = plan_protocol(n_nodes, duration_, seed=seed, **protocol_kw)
    else:
        check_run_size(weights, params, protocol.duration_, bin_width_)
    check_stimuli(protocol.stimuli(), n_nodes)
    n_bins = int(round(protocol.epoch_ / bin_width_))
    if n_bins < 10:
        raise ValueError(
            f"bin_width must leave at least 10 bins per epoch, got {n_bins}"
        )
    started = time.perf_counter()

    # the spiking network
    spikes_i, spikes_t, effective = _simulate(
        weights, protocol, params, seed, device, directory, report
    )
    report("simulate", 1.0)

    # coarse-graining and stimulus-averaged epochs
    duration_ = protocol.duration_
    grained = coarse_grain(
        spikes_i,
        spikes_t,
        np.repeat(np.arange(n_nodes), neurons_per_node),
        n_nodes,
        t_stop_=duration_,
        bin_width_=bin_width_,
        smoothing_width_=smoothing_width_,
        kernel=kernel,
        baseline_window_=(protocol.warmup_, protocol.warmup_ + protocol.baseline_),
    )
    starts_ = protocol.epoch_starts()
    measured, noise_var = _epochs(grained.activation, starts_, bin_width_, n_bins)
    inputs = np.zeros_like(measured)
    on = int(round(protocol.pre_ / bin_width_))
    off = int(round((protocol.pre_ + protocol.stimulus_) / bin_width_))
    for s, node in enumerate(protocol.nodes):
        inputs[s, node, on:off] = 1.0
    inputs = smooth_rates(inputs, bin_width_, smoothing_width_, kernel)
    report("coarse-grain", 1.0)

    # fits, predictions and metrics for each graph-level model
    lap = graph_laplacian(_graph_of(weights)).toarray()
    eigenvalues, modes = mx.graph_modes(lap)
    n_train = len(protocol.train_nodes)
    window = (off, n_bins)
    noise = float(np.std(measured[:, :, :on])) if on > 1 else 0.0
    tau_spiking, amplitudes = mx.mode_relaxation_times(
        measured, modes, bin_width_, *window, n_modes=n_modes, min_amplitude=3 * noise
    )
    arrays = {
        "measured": measured,
        "noise_variance": noise_var,
        "inputs": inputs,
        "tau_spiking": tau_spiking,
        "mode_amplitude": amplitudes,
    }
    metrics = {}
    fits = {}
    for name, (free, nonlinearity) in MODELS.items():
        fits[name] = _fit_and_score(
            name,
            free,
            nonlinearity,
            lap,
            inputs,
            measured,
            bin_width_,
            protocol,
            (modes, eigenvalues, window, n_modes),
            arrays,
            metrics,
        )
    report("fit", 1.0)

    # effective graph and summary numbers
    metrics["effective_graph_r"] = mx.pearson_offdiagonal(effective, weights)
    strength = np.asarray(weights).sum(axis=1)
    metrics["strength_mean"] = float(strength.mean())
    metrics["strength_spread"] = (
        float(np.ptp(strength) / strength.mean()) if strength.mean() > 0 else np.nan
    )
    for k in range(n_modes):
        metrics[f"tau_spiking_{k}"] = float(tau_spiking[k])
    test = slice(n_train, None)
    metrics["r2_ceiling_test"] = noise_ceiling(measured[test], noise_var[test])
    metrics["r2_ceiling_test_unstimulated"] = noise_ceiling(
        measured[test],
        noise_var[test],
        _unstimulated(measured[test].shape, protocol.test_nodes),
    )
    metrics["baseline_rate_mean"] = float(grained.baseline.mean())
    metrics["peak_activation"] = float(measured.max())
    metrics["n_spikes"] = int(len(spikes_i))
    metrics["wall_time"] = time.perf_counter() - started
    arrays.update(
        {
            "spike_i": spikes_i.astype(np.int32),
            "spike_t": spikes_t,
            "times": grained.times_,
            "rates": grained.rates.astype(np.float32),
            "baseline": grained.baseline,
            "weights": weights,
            "effective_weights": effective,
            "laplacian": lap,
            "eigenvalues": eigenvalues,
        }
    )
    metadata = {
        "graph": getattr(graph, "name", None) or f"{n_nodes}-node graph",
        "n_nodes": n_nodes,
        "seed": seed,
        "device": device,
        "params": params.as_dict(),
        "protocol": {
            "train_nodes": protocol.train_nodes,
            "test_nodes": protocol.test_nodes,
            "repetitions": protocol.repetitions,
            "warmup": protocol.warmup_,
            "baseline": protocol.baseline_,
            "pre": protocol.pre_,
            "stimulus": protocol.stimulus_,
            "post": protocol.post_,
            "duration": protocol.duration_,
            "order": protocol.order,
        },
        "coarse_graining": {
            "bin_width": bin_width_,
            "smoothing_width": smoothing_width_,
            "kernel": kernel,
            "baseline_window": [
                protocol.warmup_,
                protocol.warmup_ + protocol.baseline_,
            ],
        },
        "fits": {
            name: {
                "params": fit.params,
                "free": fit.free,
                "nonlinearity": fit.nonlinearity,
                "stderr": fit.stderr,
                "success": fit.success,
            }
            for name, fit in fits.items()
        },
        "models": {
            name: {"free": free, "nonlinearity": nl}
            for name, (free, nl) in MODELS.items()
        },
        "diagnosis": diagnose(metrics, n_modes),
    }
    report("metrics", 1.0)
    return ComparisonResult(arrays=arrays, metrics=metrics, metadata=metadata)


def _fit_and_score(
    name,
    free,
    nonlinearity,
    lap,
    inputs,
    measured,
    bin_width_,
    protocol,
    spectral,
    arrays,
    metrics,
):
    """Fit one graph-level model on the training stimuli and score it.

    Fills ``arrays`` (prediction, per-node correlation, per-mode times) and
    ``metrics`` (R^2 on held-out, training and unstimulated samples, fitted
    parameters) under keys ending in ``/<name>``; returns the FitResult.
    """
    modes, eigenvalues, window, n_modes = spectral
    n_train = len(protocol.train_nodes)
    fit = fit_graph_model(
        lap,
        inputs[:n_train],
        measured[:n_train],
        bin_width_,
        free=free,
        nonlinearity=nonlinearity,
    )
    predicted = simulate_graph_model(
        fit.params,
        lap,
        inputs,
        measured[:, :, 0],
        bin_width_,
        nonlinearity=nonlinearity,
    )

    # the same relaxation estimator as for the spiking network
    tau_graph, _ = mx.mode_relaxation_times(
        predicted, modes, bin_width_, *window, n_modes=n_modes
    )
    corr = mx.node_correlations(predicted[n_train:], measured[n_train:])
    arrays[f"predicted/{name}"] = predicted
    arrays[f"node_correlation/{name}"] = corr
    arrays[f"tau_graph/{name}"] = tau_graph
    arrays[f"tau_theory/{name}"] = 1 / (
        fit.params["gamma"] * eigenvalues[:n_modes] + fit.params["decay"]
    )

    test, train = slice(n_train, None), slice(None, n_train)
    metrics[f"r2_test/{name}"] = mx.r_squared(predicted[test], measured[test])
    metrics[f"r2_train/{name}"] = mx.r_squared(predicted[train], measured[train])
    metrics[f"r2_test_unstimulated/{name}"] = _r2_unstimulated(
        predicted[test], measured[test], protocol.test_nodes
    )
    metrics[f"node_corr_median/{name}"] = float(np.nanmedian(corr))
    metrics[f"coupling/{name}"] = fit.params["gamma"] / fit.params["decay"]
    metrics[f"static_gain/{name}"] = fit.params["gain"] / fit.params["decay"]
    for key in free:
        metrics[f"{key}/{name}"] = fit.params[key]
    for k in range(n_modes):
        metrics[f"tau_graph_{k}/{name}"] = float(tau_graph[k])
    return fit


def _unstimulated(shape, nodes):
    """Mask (n_stimuli, n_nodes) of the nodes not stimulated in each run."""
    keep = np.ones(shape[:2], dtype=bool)
    keep[np.arange(len(nodes)), list(nodes)] = False
    return keep


def _r2_unstimulated(predicted, measured, nodes):
    """R^2 over the nodes that were not stimulated in each run."""
    keep = _unstimulated(predicted.shape, nodes)
    return mx.r_squared(predicted[keep], measured[keep])


def _graph_of(weights):
    from neurorelax.graph import Graph

    symmetric = np.allclose(weights, weights.T)
    return Graph(weights, directed=not symmetric)


def _simulate(weights, protocol, params, seed, device, directory, report):
    """Build and run the network; return spikes (i, t in s) and effective W."""
    from brian2 import second, siemens

    from neurorelax.ion.devices import build_root, use_device

    if device == "cpp_standalone" and directory is None:
        name = f"bridge_{weights.shape[0]}n_{params.neurons_per_node}c_s{seed}"
        directory = build_root() / name
    use_device(device, directory=directory, build_on_run=True, seed=seed)
    network = build_assembly_network(
        weights,
        protocol.stimuli(),
        params=params,
        duration=protocol.duration_ * second,
        seed=seed,
    )
    report("build", 1.0)
    network.network.run(protocol.duration_ * second, namespace={})
    spikes_i = np.asarray(network.spikes.i[:], dtype=np.int64)
    spikes_t = np.asarray(network.spikes.t[:] / second, dtype=np.float64)
    assembly = network.assembly_of
    effective = effective_graph(
        np.asarray(network.inter.i[:]),
        np.asarray(network.inter.j[:]),
        np.asarray(network.inter.w[:] / siemens),
        assembly,
        assembly,
        weights.shape[0],
    )
    return spikes_i, spikes_t, effective


# Node strengths closer than this (relative spread) make a graph regular for
# diagnose(): the strength leak cannot be told from the decay there.
REGULAR_SPREAD = 1e-9


def diagnose(metrics, n_modes):
    """Say in words where the diffusion model falls short (or that it does not).

    Returns
    -------
    str
    """
    lines = []
    for name in MODELS:
        lines.append(
            f"{name}: held-out R^2 = {metrics[f'r2_test/{name}']:.3f} (unstimulated "
            f"nodes only: {metrics[f'r2_test_unstimulated/{name}']:.3f})."
        )
    if np.isfinite(metrics["r2_ceiling_test"]):
        lines.append(
            f"Noise ceiling of held-out R^2: {metrics['r2_ceiling_test']:.3f} "
            f"(all), {metrics['r2_ceiling_test_unstimulated']:.3f} (unstimulated "
            "nodes)."
        )
    else:
        lines.append(
            "Noise ceiling of held-out R^2: not estimated (it needs at least two "
            "rounds of stimuli, that is a longer --duration)."
        )
    if metrics["r2_test/diffusion"] >= 0.8:
        lines.append(
            "The linear diffusion model with decay reaches the target R^2 >= 0.8."
        )
    else:
        lines.append("The linear diffusion model misses the target R^2 >= 0.8.")
    ceiling = float(metrics["r2_ceiling_test_unstimulated"])
    if np.isfinite(ceiling) and ceiling > 0:
        shares = {
            name: metrics[f"r2_test_unstimulated/{name}"] / ceiling for name in MODELS
        }
        lines.append(
            "Share of the explainable variance on unstimulated nodes: "
            + ", ".join(f"{name} {share:.0%}" for name, share in shares.items())
            + "."
        )
        if shares["diffusion"] < 0.8:
            lines.append(
                "Diffusion conserves activity: a stimulated node loses what it "
                "passes on, so the fit keeps gamma small and under-predicts the "
                "neighbours, while excitation copies activity. The strength leak "
                f"(eta = {metrics['eta/extended']:.3g}/s against gamma = "
                f"{metrics['gamma/extended']:.3g}/s; eta = -gamma is plain "
                "excitation) "
                + ("closes" if shares["extended"] >= 0.8 else "narrows")
                + " that gap."
            )
    if float(metrics.get("strength_spread", np.nan)) < REGULAR_SPREAD:
        strength = metrics["strength_mean"]
        total = metrics["decay/extended"] + metrics["eta/extended"] * strength
        lines.append(
            f"Every node has the same strength ({strength:.3g}), so the strength "
            "leak acts as one more uniform decay: the extended model's eta and "
            "decay are not separately identified here, only decay + eta * "
            f"strength = {total:.3g}/s."
        )
    pairs = []
    for k in range(n_modes):
        # graphs with fewer nodes than n_modes have fewer modes
        spiking = float(metrics.get(f"tau_spiking_{k}", np.nan))
        graph = float(metrics.get(f"tau_graph_{k}/diffusion", np.nan))
        if np.isfinite(spiking) and np.isfinite(graph):
            pairs.append(f"mode {k}: {spiking * 1e3:.1f} vs {graph * 1e3:.1f} ms")
    if pairs:
        lines.append("Relaxation times, spiking vs graph: " + "; ".join(pairs) + ".")
    return " ".join(lines)


def save_comparison(result, folder, stem="comparison"):
    """Write ``<stem>.h5`` (arrays and metadata) and ``<stem>.json`` (metrics).

    Both files are written atomically. Returns the two paths.
    """
    from pathlib import Path

    folder = Path(folder)
    arrays = {}
    for key, value in result.arrays.items():
        group, _, name = key.partition("/")
        if name:
            arrays.setdefault(group, {})[name] = value
        else:
            arrays[key] = value
    metadata = dict(result.metadata, metrics=result.metrics)
    h5 = save_results(folder / f"{stem}.h5", arrays, metadata)
    js = write_json(
        folder / f"{stem}.json", {"metrics": result.metrics, **result.metadata}
    )
    return h5, js


def load_comparison(path):
    """Read a file written by :func:`save_comparison` into a ComparisonResult."""
    loaded = load_results(path)
    arrays = {}
    for key, value in loaded.arrays.items():
        if isinstance(value, dict):
            arrays.update({f"{key}/{name}": item for name, item in value.items()})
        else:
            arrays[key] = value
    metadata = dict(loaded.metadata)
    metrics = metadata.pop("metrics", {})
    return ComparisonResult(arrays=arrays, metrics=metrics, metadata=metadata)
