"""Spiking assemblies wired by a graph: the ion-level side of the bridge.

One excitatory assembly of ``neurons_per_node`` conductance-based cells
(Traub-Miles by default, built by :func:`neurorelax.ion.build_neurons`) sits
on each node of the graph, with ``inhibitory_fraction * neurons_per_node``
local inhibitory cells. Within a node, E->E, E->I, I->E and I->I synapses
are drawn with probability ``p_local`` (AMPA from E cells, GABA-A from I
cells). An optional shared inhibitory pool receives AMPA from every
excitatory cell and sends GABA-A to every excitatory cell (lateral
inhibition between all nodes).

Mapping from graph weights to synapses (excitatory, AMPA, E cells of node i
onto E cells of node j, for every edge with W[i, j] > 0), with s_max the
largest node strength sum_i W[i, j] and N = ``neurons_per_node``:

``mapping="conductance"`` (default)
    every pair of cells is connected with probability ``p_inter``; each
    synapse has the peak conductance
    g_ij = g_inter * W[i, j] / (s_max * N * p_inter).
``mapping="probability"``
    each pair is connected with probability
    p_ij = p_inter * W[i, j] / max(W) and every synapse has the conductance
    g = g_inter * max(W) / (s_max * N * p_inter).

Both give a cell of node j the same expected lateral conductance per
presynaptic spike round, g_inter * s_j / s_max: ``g_inter`` is the total
lateral conductance onto a cell of the strongest node. The first follows
weak edges more faithfully (every edge has about N^2 p_inter synapses), the
second creates fewer synapses on sparse weights.

Every cell receives ``n_background`` independent Poisson inputs of rate
``nu_background`` through AMPA synapses of conductance ``g_background``
(Brian2 ``PoissonInput``). A stimulated node's excitatory cells receive the
current ``I_stim`` during its stimulation windows (through the ``I_ext``
current of the ion-level builder, set every time step from a
``TimedArray``).
"""

import logging
from dataclasses import dataclass, field, fields, replace

import numpy as np

from neurorelax.validation import (
    MAX_CONDUCTANCE_NS,
    check_choice,
    check_in_range,
    check_integer,
)

__all__ = [
    "AssemblyNetwork",
    "AssemblyParameters",
    "Stimulus",
    "build_assembly_network",
    "inter_assembly_synapses",
]

logger = logging.getLogger(__name__)

MAPPINGS = ("conductance", "probability")


def _defaults():
    from brian2 import Hz, ms, mV, nA, nS

    return {
        "g_EE": 0.5 * nS,
        "g_EI": 1.0 * nS,
        "g_IE": 4.0 * nS,
        "g_II": 4.0 * nS,
        "g_inter": 16.0 * nS,
        "g_pool_in": 0.2 * nS,
        "g_pool_out": 1.0 * nS,
        "g_background": 0.3 * nS,
        "nu_background": 5.0 * Hz,
        "I_stim": 0.3 * nA,
        "delay_local": 1.0 * ms,
        "delay_inter": 2.0 * ms,
        "dt": 0.1 * ms,
        "tau_AMPA": 5 * ms,
        "tau_GABAA": 10 * ms,
        "E_L": -65 * mV,
    }


@dataclass(frozen=True)
class AssemblyParameters:
    """Parameters of an assembly network (Brian2 quantities where dimensional).

    Attributes
    ----------
    neurons_per_node : int
        Excitatory cells per assembly.
    inhibitory_fraction : float
        Local inhibitory cells per excitatory cell (0.25: 4 E for each I).
    p_local : float
        Connection probability within a node (all four E/I pairs).
    p_inter : float
        Connection probability between assemblies (see the module docstring).
    mapping : {"conductance", "probability"}
        How graph weights become synapses.
    pool_size : int
        Cells of the shared inhibitory pool (0: no pool).
    n_background : int
        Independent Poisson inputs per cell.
    g_EE, g_EI, g_IE, g_II : Quantity, siemens
        Peak conductances of the local synapses (E->E, E->I, I->E, I->I).
    g_inter : Quantity, siemens
        Total lateral conductance onto one cell of the strongest node.
    g_pool_in, g_pool_out : Quantity, siemens
        E -> pool and pool -> E conductances.
    g_background : Quantity, siemens
        Conductance of one background input.
    nu_background : Quantity, hertz
        Rate of one background input.
    I_stim : Quantity, amp
        Current injected into the stimulated node's excitatory cells.
    delay_local, delay_inter : Quantity, second
        Synaptic delays within and between nodes.
    dt : Quantity, second
        Integration step.
    tau_AMPA, tau_GABAA : Quantity, second
        Decay time constants of the excitatory and inhibitory conductances
        (exponential kinetics).
    E_L : Quantity, volt
        Leak reversal of every cell: -65 mV, below the Traub-Miles value of
        -60 mV at which the cell fires tonically at about 14 Hz without any
        input; at -65 mV it rests and fires from the background drive.
    cell : str
        Ion-level parameter set of every cell (``"traub_miles"``).
    """

    neurons_per_node: int = 40
    inhibitory_fraction: float = 0.25
    p_local: float = 0.2
    p_inter: float = 0.2
    mapping: str = "conductance"
    pool_size: int = 0
    n_background: int = 100
    g_EE: object = None
    g_EI: object = None
    g_IE: object = None
    g_II: object = None
    g_inter: object = None
    g_pool_in: object = None
    g_pool_out: object = None
    g_background: object = None
    nu_background: object = None
    I_stim: object = None
    delay_local: object = None
    delay_inter: object = None
    dt: object = None
    tau_AMPA: object = None
    tau_GABAA: object = None
    E_L: object = None
    cell: str = "traub_miles"

    def __post_init__(self):
        for key, value in _defaults().items():
            if getattr(self, key) is None:
                object.__setattr__(self, key, value)
        check_integer("neurons_per_node", self.neurons_per_node, minimum=2)
        check_in_range("inhibitory_fraction", self.inhibitory_fraction, 0, 1)
        check_in_range("p_local", self.p_local, 0, 1)
        check_in_range("p_inter", self.p_inter, 0, 1, low_open=True)
        check_choice("mapping", self.mapping, MAPPINGS)
        check_integer("pool_size", self.pool_size, minimum=0)
        check_integer("n_background", self.n_background, minimum=0)
        _check_cell(self.cell)
        _check_dimensions(self)

    @property
    def n_inhibitory(self):
        """Local inhibitory cells per node."""
        return max(1, int(round(self.inhibitory_fraction * self.neurons_per_node)))

    def with_values(self, **changes):
        """Return a copy with some parameters replaced (validated again)."""
        return replace(self, **changes)

    def as_dict(self):
        """Return every parameter (quantities kept) as a dict."""
        return {item.name: getattr(self, item.name) for item in fields(self)}


def _check_cell(cell):
    from neurorelax.ion.parameters import PARAMETER_SETS

    check_choice("cell", cell, tuple(PARAMETER_SETS))


def _check_dimensions(params):
    from brian2 import amp, get_dimensions, hertz, second, siemens, volt

    wanted = {
        "g_": siemens,
        "nu": hertz,
        "I_": amp,
        "de": second,
        "dt": second,
        "ta": second,
    }
    for key, value in params.as_dict().items():
        unit = next((u for prefix, u in wanted.items() if key.startswith(prefix)), None)
        if unit is None:
            continue
        if (
            get_dimensions(value) != get_dimensions(unit)
            or not float(value / unit) >= 0
        ):
            raise ValueError(
                f"{key} must be a non-negative quantity in units of {unit!r}, "
                f"got {value!r}"
            )
        if key.startswith("g_") and not float(value) * 1e9 <= MAX_CONDUCTANCE_NS:
            raise ValueError(
                f"{key} must be a conductance in [0, {MAX_CONDUCTANCE_NS:g} nS], "
                f"got {float(value) * 1e9:g} nS"
            )
    if get_dimensions(params.E_L) != get_dimensions(volt):
        raise ValueError(f"E_L must be a quantity in volt, got {params.E_L!r}")
    # Brian2 draws each step's background spikes as Binomial(n, nu dt).
    per_step = float(params.nu_background * params.dt)
    if params.n_background and not per_step <= 1:
        rate_max = 1 / float(params.dt / second) if float(params.dt) > 0 else np.inf
        raise ValueError(
            f"nu_background must be a rate in [0, 1 / dt] = [0, {rate_max:.6g} Hz] "
            f"(a background input fires at most once a step), got "
            f"{params.nu_background}"
        )


@dataclass(frozen=True)
class Stimulus:
    """Current injected into one node's excitatory cells over one window.

    Attributes
    ----------
    node : int
        Index of the stimulated node.
    start, stop : Quantity, second
        Window of the stimulation.
    """

    node: int
    start: object
    stop: object


@dataclass
class AssemblyNetwork:
    """A built (not yet run) assembly network.

    Attributes
    ----------
    network : brian2.Network
        Every object, ready for ``network.run``.
    excitatory, inhibitory : NeuronGroup
        All excitatory / local inhibitory cells, node by node.
    pool : NeuronGroup or None
        The shared inhibitory pool.
    spikes : SpikeMonitor
        Spikes of the excitatory cells.
    inter : Synapses
        The graph-following E->E synapses between (and, on the diagonal,
        the recurrent synapses within) assemblies.
    assembly_of : ndarray of int, shape (n_nodes * neurons_per_node,)
        Node of each excitatory cell.
    weights : ndarray of shape (n_nodes, n_nodes)
        The input graph's weight matrix.
    params : AssemblyParameters
    stimuli : list of Stimulus
    """

    network: object
    excitatory: object
    inhibitory: object
    pool: object
    spikes: object
    inter: object
    assembly_of: np.ndarray
    weights: np.ndarray
    params: AssemblyParameters
    stimuli: list = field(default_factory=list)


def _dense_weights(graph):
    if hasattr(graph, "weights") and hasattr(graph, "n_nodes"):
        return np.asarray(graph.weights.toarray(), dtype=np.float64)
    return np.asarray(graph, dtype=np.float64)


def inter_assembly_synapses(weights, params, rng):
    """Draw the graph-following E->E synapses between assemblies.

    Parameters
    ----------
    weights : ndarray of shape (n_nodes, n_nodes)
        Graph weights, W[i, j] for the edge from node i to node j.
    params : AssemblyParameters
    rng : numpy.random.Generator

    Returns
    -------
    pre, post : ndarray of int64
        Presynaptic and postsynaptic excitatory cell of each synapse.
    conductance_ : ndarray of float64
        Peak conductance of each synapse, in siemens.
    """
    from brian2 import siemens

    n = params.neurons_per_node
    p = params.p_inter
    strongest = weights.sum(axis=0).max()
    g_total_ = float(params.g_inter / siemens)
    pre, post, conductance = [], [], []

    # one Bernoulli matrix per edge; cells are numbered node by node
    for source, target in zip(*np.nonzero(weights), strict=True):
        w = weights[source, target]
        if params.mapping == "conductance":
            probability = p
            g_ = g_total_ * w / (strongest * n * p)
        else:
            probability = p * w / weights.max()
            g_ = g_total_ * weights.max() / (strongest * n * p)
        a, b = np.nonzero(rng.random((n, n)) < probability)
        pre.append(a + source * n)
        post.append(b + target * n)
        conductance.append(np.full(len(a), g_))
    if not pre:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return (
        np.concatenate(pre).astype(np.int64),
        np.concatenate(post).astype(np.int64),
        np.concatenate(conductance),
    )


def _local_pairs(n_nodes, n_pre, n_post, p, rng, same_group):
    """Random pairs within each node (no autapses when ``same_group``)."""
    pre, post = [], []
    for node in range(n_nodes):
        mask = rng.random((n_pre, n_post)) < p
        if same_group:
            np.fill_diagonal(mask, False)
        a, b = np.nonzero(mask)
        pre.append(a + node * n_pre)
        post.append(b + node * n_post)
    return np.concatenate(pre), np.concatenate(post)


def check_stimuli(stimuli, n_nodes):
    """Refuse stimuli of nodes that do not exist or with empty windows."""
    from brian2 import second

    for stimulus in stimuli:
        node = stimulus.node
        if (
            isinstance(node, bool)
            or not isinstance(node, int | np.integer)
            or not (0 <= node < n_nodes)
        ):
            raise ValueError(
                f"stimulus node must be an integer in [0, {n_nodes - 1}] (the "
                f"graph has {n_nodes} nodes), got {node!r}"
            )
        if not float(stimulus.stop / second) > float(stimulus.start / second) >= 0:
            raise ValueError(
                f"stimulus window must satisfy 0 <= start < stop, got start="
                f"{stimulus.start!r}, stop={stimulus.stop!r}"
            )


def stimulus_table(stimuli, n_nodes, duration_, dt_):
    """Return the (n_steps, n_nodes) 0/1 table of stimulation windows."""
    n_steps = int(np.ceil(duration_ / dt_)) + 1
    table = np.zeros((n_steps, n_nodes))
    from brian2 import second

    for stimulus in stimuli:
        first = int(round(float(stimulus.start / second) / dt_))
        last = int(round(float(stimulus.stop / second) / dt_))
        table[first:last, stimulus.node] = 1.0
    return table


def build_assembly_network(
    graph, stimuli=(), *, params=None, duration, seed=0, stimulus_dt=None
):
    """Build the spiking assembly network of a graph.

    Parameters
    ----------
    graph : neurorelax.graph.Graph or ndarray of shape (n_nodes, n_nodes)
        The graph; W[i, j] is the weight of the edge from node i to node j.
    stimuli : sequence of Stimulus
        Stimulation windows; every node must exist in the graph.
    params : AssemblyParameters, optional
    duration : Quantity, second
        Length of the run the stimulus table must cover.
    seed : int
        Seed of the connectivity and of Brian2's random numbers.
    stimulus_dt : Quantity, second, optional
        Resolution of the stimulus table (default: 1 ms).

    Returns
    -------
    AssemblyNetwork

    Notes
    -----
    Sets Brian2's ``defaultclock.dt`` to ``params.dt``, so that cells and
    synapses share one clock (Brian2 rounds delays to the group's step).
    Select the device (``neurorelax.ion.use_device``) before building.
    """
    from brian2 import (
        Network,
        PoissonInput,
        SpikeMonitor,
        TimedArray,
        defaultclock,
        ms,
        mV,
        second,
        siemens,
    )
    from brian2 import (
        seed as brian_seed,
    )

    from neurorelax.ion import PARAMETER_SETS, build_neurons
    from neurorelax.ion import connect_synapses as connect

    params = params or AssemblyParameters()
    weights = _dense_weights(graph)
    n_nodes = weights.shape[0]
    stimuli = list(stimuli)
    check_stimuli(stimuli, n_nodes)
    if not weights.sum() > 0:
        raise ValueError(
            "graph must have at least one edge with a positive "
            "weight, got an empty graph"
        )
    rng = np.random.default_rng(seed)
    brian_seed(seed)

    # cells: excitatory and inhibitory, numbered node by node
    # one clock for cells and synapses (Brian2 rounds delays to the group dt)
    defaultclock.dt = params.dt
    cell = PARAMETER_SETS[params.cell]()
    cell = cell.with_values(E_L=params.E_L)
    n_e, n_i = params.neurons_per_node, params.n_inhibitory
    kinetics = {"tau_AMPA": params.tau_AMPA, "tau_GABAA": params.tau_GABAA}
    exc = build_neurons(
        n_nodes * n_e, cell, name="assembly_exc", synapse_params=kinetics
    )
    inh = build_neurons(
        n_nodes * n_i, cell, name="assembly_inh", synapse_params=kinetics
    )
    for group in (exc, inh):
        group.v = f"{float(cell.v_init / mV)}*mV + 5*mV*rand()"
    objects = [exc, inh]

    # stimulation: I_ext of node k's E cells follows column k of a TimedArray
    stim_dt = stimulus_dt or 1 * ms
    table = stimulus_table(
        stimuli, n_nodes, float(duration / second), float(stim_dt / second)
    )
    stim = TimedArray(table, dt=stim_dt, name="stimulus_table")
    objects.append(
        exc.run_regularly(
            "I_ext = I_stim * stim(t, i // n_per_node)",
            dt=params.dt,
            name="stimulation",
        )
    )
    exc.namespace.update({"stim": stim, "I_stim": params.I_stim, "n_per_node": n_e})

    # local synapses within each node
    local = {}
    for label, source, target, kind, n_pre, n_post, g in (
        ("EE", exc, exc, "AMPA", n_e, n_e, params.g_EE),
        ("EI", exc, inh, "AMPA", n_e, n_i, params.g_EI),
        ("IE", inh, exc, "GABAA", n_i, n_e, params.g_IE),
        ("II", inh, inh, "GABAA", n_i, n_i, params.g_II),
    ):
        i, j = _local_pairs(
            n_nodes, n_pre, n_post, params.p_local, rng, source is target
        )
        if len(i):
            local[label] = connect(
                source,
                target,
                kind,
                weight=g,
                i=i,
                j=j,
                delay=params.delay_local,
                shared_weight=True,
                name=f"local_{label}",
            )
            objects.append(local[label])

    # graph-following excitation between assemblies
    pre, post, conductance_ = inter_assembly_synapses(weights, params, rng)
    inter = connect(
        exc,
        exc,
        "AMPA",
        weight=conductance_ * siemens,
        i=pre,
        j=post,
        delay=params.delay_inter,
        name="inter_assembly",
    )
    objects.append(inter)

    # optional shared inhibitory pool
    pool = None
    if params.pool_size:
        pool = build_neurons(
            params.pool_size, cell, name="pool", synapse_params=kinetics
        )
        objects += [
            pool,
            connect(
                exc,
                pool,
                "AMPA",
                weight=params.g_pool_in,
                p=params.p_local,
                delay=params.delay_local,
                shared_weight=True,
                name="exc_to_pool",
            ),
            connect(
                pool,
                exc,
                "GABAA",
                weight=params.g_pool_out,
                p=params.p_local,
                delay=params.delay_local,
                shared_weight=True,
                name="pool_to_exc",
            ),
        ]

    # background drive
    if params.n_background:
        for group in [exc, inh] + ([pool] if pool is not None else []):
            objects.append(
                PoissonInput(
                    group,
                    "g_AMPA",
                    params.n_background,
                    params.nu_background,
                    weight=params.g_background,
                )
            )

    spikes = SpikeMonitor(exc, name="exc_spikes")
    objects.append(spikes)
    logger.info(
        "assembly network: %d nodes x (%d E + %d I) cells, %d inter-assembly synapses",
        n_nodes,
        n_e,
        n_i,
        len(pre),
    )
    return AssemblyNetwork(
        network=Network(*objects),
        excitatory=exc,
        inhibitory=inh,
        pool=pool,
        spikes=spikes,
        inter=inter,
        assembly_of=np.repeat(np.arange(n_nodes), n_e),
        weights=weights,
        params=params,
        stimuli=stimuli,
    )
