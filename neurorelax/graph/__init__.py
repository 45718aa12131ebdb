"""Graph level: activation on a weighted graph (numpy, scipy, Cython kernels).

The graph type and its Laplacians are the contract other levels build on:

>>> from neurorelax.graph import Graph, laplacian

The package never imports Brian2.
"""

from neurorelax.graph.graph import Graph, GraphWarning
from neurorelax.graph.laplacian import LAPLACIAN_KINDS, laplacian

__all__ = ["LAPLACIAN_KINDS", "Graph", "GraphWarning", "laplacian"]
