"""Graph level: activation on a weighted graph (numpy, scipy, Cython kernels).

Activation M has shape (n_nodes, n_patterns) and evolves on a validated
:class:`Graph` by Laplacian diffusion dM/dt = -gamma L M, kept bounded by
normalization, fading by decay and restored by replay; an attractor network
completes noisy cues. Modules, by what they hold:

``graph``          the :class:`Graph` type (validated CSR weights)
``laplacian``      combinatorial, symmetric normalised and random-walk Laplacians
``diffusion``      exact, implicit Euler (Jacobi, Cython) and explicit Euler
``spectral``       eigenmodes, projection, per-mode decay rates and their fits
``decay``          per-node and per-mode decay, fast and slow components
``normalization``  divisive normalization and k-winners-take-all
``replay``         pattern overlap, rest schedules, replay with Hebbian option
``attractor``      Hopfield weights, energy and asynchronous settling
``reference``      slow numpy references of every Cython kernel (for tests)

The package never imports Brian2.
"""

from neurorelax.graph.attractor import (
    SettleResult,
    corrupt,
    energy,
    hebbian_weights,
    settle,
)
from neurorelax.graph.decay import (
    diffuse_with_decay,
    fast_slow_rates,
    mode_decay,
    node_decay,
    split_fast_slow,
)
from neurorelax.graph.diffusion import (
    JacobiConvergenceWarning,
    JacobiResult,
    LinearSystem,
    Trajectory,
    diffuse_exact,
    diffuse_explicit,
    diffuse_implicit,
    distance_from_uniform,
    implicit_system,
    jacobi_iteration_radius,
    jacobi_solve,
    largest_eigenvalue,
    neighbour_mean,
)
from neurorelax.graph.graph import Graph, GraphWarning
from neurorelax.graph.laplacian import LAPLACIAN_KINDS, laplacian
from neurorelax.graph.normalization import divisive_normalization, k_winners_take_all
from neurorelax.graph.replay import (
    ReplayResult,
    RestSchedule,
    pattern_overlap,
    simulate_replay,
)
from neurorelax.graph.spectral import (
    Eigenmodes,
    eigenmodes,
    fit_decay_rates,
    high_frequency_share,
    mode_decay_rates,
    project,
    reconstruct,
)

__all__ = [
    "LAPLACIAN_KINDS",
    "Eigenmodes",
    "Graph",
    "GraphWarning",
    "JacobiConvergenceWarning",
    "JacobiResult",
    "LinearSystem",
    "ReplayResult",
    "RestSchedule",
    "SettleResult",
    "Trajectory",
    "corrupt",
    "diffuse_exact",
    "diffuse_explicit",
    "diffuse_implicit",
    "diffuse_with_decay",
    "distance_from_uniform",
    "divisive_normalization",
    "eigenmodes",
    "energy",
    "fast_slow_rates",
    "fit_decay_rates",
    "hebbian_weights",
    "high_frequency_share",
    "implicit_system",
    "jacobi_iteration_radius",
    "jacobi_solve",
    "k_winners_take_all",
    "laplacian",
    "largest_eigenvalue",
    "mode_decay",
    "mode_decay_rates",
    "neighbour_mean",
    "node_decay",
    "pattern_overlap",
    "project",
    "reconstruct",
    "settle",
    "simulate_replay",
    "split_fast_slow",
]
