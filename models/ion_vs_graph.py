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

import inspect
import logging

from brian2 import ms, nS, second

from neurorelax.bridge.assembly import AssemblyParameters
from neurorelax.bridge.comparison import plan_protocol, run_comparison, save_comparison
from neurorelax.scripting import check_parameters, model_main, resolve_overrides

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
    """
    start, epoch = _protocol_timing()
    n_stimuli = p["n_train"] + p["n_test"]
    needed = start + n_stimuli * epoch
    bin_width = p["bin_width"]
    check_parameters(
        p,
        {
            "neurons_per_node": (lambda v: v >= 2, "an integer >= 2"),
            "n_train": (lambda v: v >= 1, "an integer >= 1"),
            "n_test": (lambda v: v >= 1, "an integer >= 1"),
            "duration": (
                lambda v: float(v / second) >= needed,
                f"a time >= warm-up and baseline + (n_train + n_test) epochs = "
                f"{start:g} s + {n_stimuli} x {epoch * 1e3:g} ms = {needed:g} s",
            ),
            "g_inter": (lambda v: float(v / nS) >= 0, "a conductance >= 0"),
            "bin_width": (
                lambda v: 0 < float(v / second) <= epoch / 10,
                f"a time in (0, epoch / 10] = (0, {epoch * 1e2:g} ms] (at least "
                "10 bins per stimulus epoch)",
            ),
            "smoothing_width": (
                lambda v: float(v / second) >= float(bin_width / second),
                f"a time >= bin_width = {bin_width}",
            ),
        },
        NAME,
    )


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
