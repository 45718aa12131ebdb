"""The bridge between the ion level and the graph level.

The only place where Brian2 spiking networks (:mod:`neurorelax.ion`) and
graph-level relaxation (:mod:`neurorelax.graph`) meet:

- :mod:`~neurorelax.bridge.assembly`: one spiking assembly per graph node,
  wired by the graph's weights (:func:`build_assembly_network`);
- :mod:`~neurorelax.bridge.coarse`: spikes -> node activation M(t)
  (:func:`coarse_grain`), synapses -> effective graph
  (:func:`effective_graph`);
- :mod:`~neurorelax.bridge.fit`: the graph-level model
  dM/dt = -gamma L M - decay M + gain u (and its extensions) fitted by least
  squares (:func:`fit_graph_model`, :func:`simulate_graph_model`);
- :mod:`~neurorelax.bridge.metrics`: R^2, per-node correlation, per-mode
  relaxation times;
- :mod:`~neurorelax.bridge.comparison`: the whole chain
  (:func:`run_comparison`) and its result files (:func:`save_comparison`,
  :func:`load_comparison`).

Importing this package does not import Brian2; building or running a
network does.
"""

from neurorelax.bridge.assembly import (
    AssemblyNetwork,
    AssemblyParameters,
    Stimulus,
    build_assembly_network,
)
from neurorelax.bridge.coarse import (
    KERNELS,
    CoarseGrained,
    coarse_grain,
    effective_graph,
    smooth_rates,
)
from neurorelax.bridge.comparison import (
    MODELS,
    ComparisonResult,
    Protocol,
    load_comparison,
    plan_protocol,
    run_comparison,
    save_comparison,
)
from neurorelax.bridge.fit import FitResult, fit_graph_model, simulate_graph_model
from neurorelax.bridge.metrics import (
    mode_relaxation_times,
    node_correlations,
    pearson_offdiagonal,
    r_squared,
)

__all__ = [
    "KERNELS",
    "MODELS",
    "AssemblyNetwork",
    "AssemblyParameters",
    "CoarseGrained",
    "ComparisonResult",
    "FitResult",
    "Protocol",
    "Stimulus",
    "build_assembly_network",
    "coarse_grain",
    "effective_graph",
    "fit_graph_model",
    "load_comparison",
    "mode_relaxation_times",
    "node_correlations",
    "pearson_offdiagonal",
    "plan_protocol",
    "r_squared",
    "run_comparison",
    "save_comparison",
    "simulate_graph_model",
    "smooth_rates",
]
