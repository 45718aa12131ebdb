"""Spiking assemblies on the connectome against the graph-level model (fig. 10).

Model
-----
One assembly of Traub-Miles conductance-based cells per node of the default
connectome (TVB 76 regions, 74 in its largest component), with local
inhibition (AMPA and GABA-A synapses, ``neurorelax.ion``) and excitation
between assemblies whose conductance follows the connectome's weights
(``neurorelax.bridge.assembly``, mapping "conductance"). Every cell gets
Poisson background drive. Nodes are stimulated one at a time by a current
step; three stimulated nodes train the graph-level model
dM/dt = -gamma L M - decay M + gain u, two are held out and predicted
(``neurorelax.bridge.comparison``).

Claim tested
------------
The graph-level relaxation model, fitted on some stimuli, predicts the
coarse-grained spiking activity of held-out stimuli with R^2 >= 0.8; the
relaxation time of each spectral mode measured in the spiking network is
compared with the graph level.

``--quick`` runs a ring of 8 nodes with 20 cells per node for 2.6 s instead
(the chain and the figure, not the connectome claim).
"""

import functools
import inspect
import logging

from brian2 import ms, nS, second

from neurorelax.bridge.assembly import AssemblyParameters
from neurorelax.bridge.comparison import plan_protocol, run_comparison, save_comparison
from neurorelax.scripting import (
    CONDUCTANCE_RULE,
    MAX_STEPS,
    check_limit,
    check_parameters,
    model_main,
    quantity_text,
    resolve_overrides,
)

NAME = "ion_vs_graph"

# -- parameters (units as written) -------------------------------------------
PARAMETERS = {
    "neurons_per_node": 40,  # excitatory cells per assembly
    "duration": 20.0 * second,  # simulated time (warm-up, baseline, epochs)
    "g_inter": 16.0 * nS,  # total lateral conductance, strongest node
    "bin_width": 1.0 * ms,  # coarse-graining bin ...
    "smoothing_width": 10.0 * ms,  # ... and Gaussian kernel width
    "n_train": 3,  # stimulated nodes used to fit
    "n_test": 2,  # held-out stimulated nodes
}
QUICK = {
    "neurons_per_node": 20,
    "duration": 2.6 * second,
    "smoothing_width": 5.0 * ms,
    "n_train": 2,
    "n_test": 1,
}
METRICS = (
    "r2_test_diffusion",
    "r2_test_extended",
    "r2_test_unstimulated_diffusion",
    "effective_graph_r",
    "gamma_diffusion",
    "decay_diffusion",
)

logger = logging.getLogger(__name__)

# Most excitatory cells per node: about 1e8 synapses on the default
# connectome, the bridge's limit (neurorelax.validation.MAX_SYNAPSES).
MAX_NEURONS_PER_NODE = 500
# Most stimulated nodes of each kind (the connectome has 74 nodes; the
# comparison checks the graph's own count before it runs).
MAX_STIMULATED = 1000
# Most neurons_per_node x time steps: about 1e11 cell-steps on the 74 nodes
# of the default connectome (each with its inhibitory cells).
MAX_CELL_STEPS_PER_NODE = 1_000_000_000
# Most coarse-graining bins of the run.
MAX_BINS = 1_000_000
# Widest smoothing kernel, in bins (its cost grows with its width).
MAX_KERNEL_BINS = 100


def _protocol_timing():
    """Return (warm-up + baseline, one stimulus epoch) in seconds.

    The timing is that of :func:`neurorelax.bridge.comparison.plan_protocol`,
    whose defaults this script uses.
    """
    defaults = {
        key: value.default
        for key, value in inspect.signature(plan_protocol).parameters.items()
    }
    start = defaults["warmup_"] + defaults["baseline_"]
    return start, defaults["pre_"] + defaults["stimulus_"] + defaults["post_"]


def check(p):
    """Refuse parameters that cannot run, before any work (see ``PARAMETERS``).

    ``duration`` must hold the warm-up, the baseline and one stimulus epoch
    per stimulated node; ``bin_width`` must leave at least 10 bins per epoch
    (the rules of :mod:`neurorelax.bridge.comparison`). Whether the graph has
    ``n_train + n_test`` nodes is checked by the comparison, before it runs.
    The run has at most ``MAX_STEPS`` time steps of the network's dt,
    ``MAX_CELL_STEPS_PER_NODE`` neurons_per_node x time steps and
    ``MAX_BINS`` bins, and the smoothing kernel is at most
    ``MAX_KERNEL_BINS`` bins wide.
    """
    start, epoch = _protocol_timing()
    n_stimuli = p["n_train"] + p["n_test"]
    needed = start + n_stimuli * epoch
    bin_width = p["bin_width"]
    stimulated = (
        lambda v: 1 <= v <= MAX_STIMULATED,
        f"an integer in [1, {MAX_STIMULATED:,}]",
    )
    check_parameters(
        p,
        {
            "neurons_per_node": (
                lambda v: 2 <= v <= MAX_NEURONS_PER_NODE,
                f"an integer in [2, {MAX_NEURONS_PER_NODE:,}]",
            ),
            "n_train": stimulated,
            "n_test": stimulated,
            "duration": (
                lambda v: float(v / second) >= needed,
                f"a time >= warm-up and baseline + (n_train + n_test) epochs = "
                f"{start:g} s + {n_stimuli} x {epoch * 1e3:g} ms = {needed:g} s",
            ),
            "g_inter": CONDUCTANCE_RULE,
            "bin_width": (
                lambda v: 0 < float(v / second) <= epoch / 10,
                f"a time in (0, epoch / 10] = (0, {epoch * 1e2:g} ms] (at least "
                "10 bins per stimulus epoch)",
            ),
            "smoothing_width": (
                lambda v: (
                    1 - 1e-9 <= float(v / bin_width) <= MAX_KERNEL_BINS * (1 + 1e-9)
                ),
                lambda: (
                    f"a time in [bin_width, {MAX_KERNEL_BINS} x bin_width] = "
                    f"[{quantity_text(bin_width)}, "
                    f"{quantity_text(MAX_KERNEL_BINS * bin_width)}]"
                ),
            ),
        },
        NAME,
    )
    duration, dt = p["duration"], network_dt()
    steps = float(duration / dt)
    check_limit(
        NAME,
        lambda: (
            f"duration / dt = {quantity_text(duration)} / {quantity_text(dt)} (the "
            "network's step)"
        ),
        steps,
        "time steps",
        MAX_STEPS,
        "shorten duration",
    )
    check_limit(
        NAME,
        lambda: (
            f"neurons_per_node x duration / dt = {p['neurons_per_node']} x "
            f"{quantity_text(duration)} / {quantity_text(dt)}"
        ),
        p["neurons_per_node"] * steps,
        "cell-steps per node",
        MAX_CELL_STEPS_PER_NODE,
        "use fewer neurons per node or shorten duration",
    )
    check_limit(
        NAME,
        lambda: (
            f"duration / bin_width = {quantity_text(duration)} / "
            f"{quantity_text(bin_width)}"
        ),
        float(duration / bin_width),
        "bins",
        MAX_BINS,
        "widen bin_width or shorten duration",
    )


@functools.cache
def network_dt():
    """The time step of the spiking network (``AssemblyParameters().dt``)."""
    return AssemblyParameters().dt


def graph_for(quick):
    """The default connectome, or a ring of 8 nodes in quick mode."""
    from neurorelax.connectome import default_connectome, generators

    return generators.ring(8) if quick else default_connectome()


def run(out_dir, *, params=None, seed=0, quick=False, device="cpp_standalone"):
    """Run the comparison and save ``out_dir/ion_vs_graph.h5`` (and ``.json``).

    Saved arrays: spikes, smoothed rates, stimulus-averaged activations
    (measured, predicted by each graph-level model), input and effective
    graphs, Laplacian spectrum, per-mode relaxation times; the metadata hold
    every parameter, the protocol, the fits and the metrics.
    """
    defaults = dict(PARAMETERS, **(QUICK if quick else {}))
    p = resolve_overrides(defaults, params, NAME)
    check(p)
    network = AssemblyParameters(g_inter=p["g_inter"])

    result = run_comparison(
        graph_for(quick),
        params=network,
        neurons_per_node=p["neurons_per_node"],
        duration_=float(p["duration"] / second),
        seed=seed,
        device=device,
        bin_width_=float(p["bin_width"] / second),
        smoothing_width_=float(p["smoothing_width"] / second),
        n_train=p["n_train"],
        n_test=p["n_test"],
    )
    result.metadata.update(quick=bool(quick), model=NAME, model_parameters=p)
    save_comparison(result, out_dir, stem=NAME)

    m = result.metrics
    return {
        "r2_test_diffusion": m["r2_test/diffusion"],
        "r2_test_extended": m["r2_test/extended"],
        "r2_test_unstimulated_diffusion": m["r2_test_unstimulated/diffusion"],
        "effective_graph_r": m["effective_graph_r"],
        "gamma_diffusion": m["gamma/diffusion"],
        "decay_diffusion": m["decay/diffusion"],
    }


def main(argv=None):
    """Command line: ``python models/ion_vs_graph.py [--quick] [--set ...]``."""
    return model_main(
        NAME,
        run,
        argv,
        description=__doc__.splitlines()[0],
        parameters=PARAMETERS,
        quick=QUICK,
    )


if __name__ == "__main__":
    raise SystemExit(main())
