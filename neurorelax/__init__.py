"""neurorelax: from ion channels to graph-Laplacian relaxation.

The package has two levels that never import each other:

``neurorelax.ion``
    Conductance-based neurons (Na, K, Cl channels), AMPA and GABA synapses,
    written as Brian2 equations and code-generated to C++.
``neurorelax.graph``
    Activation on a weighted graph: Laplacian diffusion solved by Jacobi
    relaxation, normalization, mode-wise decay, replay and attractor
    settling, with the hot loops in Cython (``neurorelax.kernels``).

``neurorelax.connectome`` loads real and synthetic graphs for the graph level,
and ``neurorelax.bridge`` is the one place where both levels meet: it wires a
graph into spiking assemblies and coarse-grains their rates back into a graph.

Subpackages are imported on demand, so ``import neurorelax`` stays cheap and
does not pull in Brian2.
"""

import logging

__version__ = "0.1.0"

# A library attaches no handlers of its own; this only silences the
# "no handler found" message when the application has not configured logging.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["__version__"]
