"""Connectome input: real and synthetic graphs for the graph level.

>>> from neurorelax.connectome import load, default_connectome, generators

- :func:`default_connectome`: The Virtual Brain's 76-region human
  connectome (from the ``tvb-data`` package), symmetrised, without
  self-connections, largest component, normalised by its maximum weight.
- :func:`load`: a built-in connectome by name (``tvb66``, ``tvb68``,
  ``tvb76``, ``tvb96``, ``tvb192``) or a file (dense CSV/TSV/text, ``.npy``,
  ``.npz``, GraphML, GEXF, edge list, TVB zip), with preparation options;
  returns a :class:`neurorelax.graph.Graph`.
- :func:`read` and :func:`prepare`: the same in two steps, on a
  :class:`RawConnectome` that keeps the arrays as stored.
- :mod:`~neurorelax.connectome.generators`: seeded ring, 2-D grid,
  small-world, stochastic block and random geometric graphs.
- :func:`from_spec`: the strings accepted by ``neurorelax graph``
  (``tvb76``, ``ring:8``, ``grid:4x5``, a path).
- :func:`summarize`: the numbers printed by ``neurorelax graph info``.

The package never imports Brian2.
"""

from . import generators
from .loading import (
    BUILTIN_NAMES,
    DEFAULT_CONNECTOME,
    DEFAULT_PREPARATION,
    default_connectome,
    default_eigenvalues,
    from_spec,
    load,
    read,
)
from .preparation import prepare
from .raw import RawConnectome, from_graph
from .summary import laplacian_spectrum, summarize
from .tvb import TVB_CONNECTOMES

__all__ = [
    "BUILTIN_NAMES",
    "DEFAULT_CONNECTOME",
    "DEFAULT_PREPARATION",
    "RawConnectome",
    "TVB_CONNECTOMES",
    "default_connectome",
    "default_eigenvalues",
    "from_graph",
    "from_spec",
    "generators",
    "laplacian_spectrum",
    "load",
    "prepare",
    "read",
    "summarize",
]
