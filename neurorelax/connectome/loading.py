"""Load a connectome by name, file path or generator spec; the default connectome.

:func:`read` returns the arrays exactly as the source holds them (a
:class:`~neurorelax.connectome.raw.RawConnectome`); :func:`load` prepares
them and returns a :class:`neurorelax.graph.Graph`; :func:`default_connectome`
is the prepared TVB 76-region human connectome used by ``neurorelax
compare`` and the figures; :func:`from_spec` understands the strings the
command line accepts (``tvb76``, ``ring:8``, ``path/to/file.csv``).
"""

import dataclasses
import functools
import logging
from pathlib import Path

import numpy as np

from neurorelax.validation import check_seed, format_value

from . import generators
from .preparation import _checked_options, prepare
from .readers import (
    DENSE_SUFFIXES,
    EDGE_LIST_SUFFIXES,
    node_limit,
    read_dense_text,
    read_edge_list,
    read_networkx_file,
    read_npy,
    read_npz,
)
from .tvb import TVB_CONNECTOMES, read_tvb_zip, tvb_archive

__all__ = [
    "BUILTIN_NAMES",
    "DEFAULT_CONNECTOME",
    "DEFAULT_PREPARATION",
    "GENERATOR_SPECS",
    "SUFFIXES",
    "default_connectome",
    "from_spec",
    "load",
    "read",
    "spec_node_count",
]

logger = logging.getLogger(__name__)

DEFAULT_CONNECTOME = "tvb76"
#: Name of the prepared default graph, apart from the raw ``tvb76`` it comes from.
DEFAULT_CONNECTOME_NAME = "tvb76_prepared"
DEFAULT_PREPARATION = {
    "symmetrise": "mean",
    "remove_self_connections": True,
    "normalise": "max",
    "largest_component": True,
}
BUILTIN_NAMES = ("default", DEFAULT_CONNECTOME_NAME, *TVB_CONNECTOMES)
SUFFIXES = (
    *DENSE_SUFFIXES,
    ".npy",
    ".npz",
    ".graphml",
    ".gexf",
    *EDGE_LIST_SUFFIXES,
    ".zip",
)
# from_spec() warns before building a generated graph of more nodes than
# this (networkx builds about 30,000 grid nodes a second), once the
# generator's checks have passed.
LARGE_GENERATOR_NODES = 100_000
# The generators.* function behind each spec kind, for check_arguments.
_GENERATOR_FUNCTIONS = {
    "ring": "ring",
    "grid": "grid_2d",
    "small_world": "small_world",
    "sbm": "stochastic_block",
    "geometric": "random_geometric",
}
GENERATOR_SPECS = {
    "ring": "ring:N",
    "grid": "grid:ROWSxCOLS",
    "small_world": "small_world:N,K,P",
    "sbm": "sbm:BLOCKSxSIZE,P_IN,P_OUT",
    "geometric": "geometric:N,RADIUS",
}


def read(source, *, directed=False, weight="weight"):
    """Read a connectome as stored, without any preparation.

    Parameters
    ----------
    source : str or Path
        A built-in name (``"tvb66"``, ``"tvb68"``, ``"tvb76"``, ``"tvb96"``,
        ``"tvb192"``) or a file whose suffix says its format: ``.csv``,
        ``.tsv``, ``.txt``, ``.dat`` (dense matrix), ``.npy``, ``.npz``,
        ``.graphml``, ``.gexf``, ``.edges``/``.edgelist``/``.el`` (edge list),
        ``.zip`` (TVB connectivity archive).
    directed : bool, optional
        Read an edge list as directed connections. Other sources say
        themselves whether they are directed, so ``True`` is refused for
        them.
    weight : str, optional
        Edge attribute holding the weight in GraphML and GEXF files; edges
        without it weigh 1, but a name that no edge carries is refused.
        Other sources store one weight per connection and refuse any value
        but the default.

    Returns
    -------
    RawConnectome

    Raises
    ------
    ValueError
        For an unknown name or suffix and for malformed files (the message
        names the file, the line or entry, and what was expected).
    FileNotFoundError
        If the path does not exist.
    ImportError
        For a built-in name when ``tvb-data`` is not installed.
    """
    if not isinstance(source, str | Path):
        raise TypeError(
            "source must be a built-in name or a file path (str or Path), got "
            f"{type(source).__name__} {format_value(source)}"
        )
    text = str(source)
    _check_weight_name(weight)
    if text in TVB_CONNECTOMES:
        _refuse_directed(directed, text, "a built-in connectome")
        _refuse_weight(weight, text, "a built-in connectome")
        return read_tvb_zip(tvb_archive(text), name=text)

    path = Path(source)
    suffix = path.suffix.lower()
    _check_source_name(
        "source",
        text,
        TVB_CONNECTOMES,
        [f"a built-in connectome ({', '.join(TVB_CONNECTOMES)})"],
        hint=" (the prepared default connectome comes from load, not read)"
        if text in BUILTIN_NAMES
        else "",
    )
    if path.is_dir():
        raise ValueError(
            f"source {text!r} is a directory; expected a file ending in {suffix}"
        )
    if suffix not in EDGE_LIST_SUFFIXES:
        _refuse_directed(directed, text, f"a {suffix} file")
    if suffix not in (".graphml", ".gexf"):
        _refuse_weight(weight, text, f"a {suffix} file")
    if not path.is_file():
        raise FileNotFoundError(f"source {text!r}: no such file")
    if suffix == ".zip":
        return read_tvb_zip(path)
    if suffix == ".npy":
        return read_npy(path)
    if suffix == ".npz":
        return read_npz(path)
    if suffix in (".graphml", ".gexf"):
        return read_networkx_file(path, weight=weight)
    if suffix in EDGE_LIST_SUFFIXES:
        return read_edge_list(path, directed=directed)
    return read_dense_text(path)


def _check_source_name(label, text, names, kinds, *, hint=""):
    """Refuse ``text`` unless it is one of ``names`` or has a known file suffix.

    ``kinds`` says in words what else the entry point takes besides files.
    """
    if text in names or Path(text).suffix.lower() in SUFFIXES:
        return
    raise ValueError(
        f"{label} must be {', '.join(kinds)} or a file ending in "
        f"{', '.join(SUFFIXES)}; got {format_value(text)}{hint}"
    )


def _refuse_directed(directed, text, what, *, why=None):
    """Refuse ``directed=True`` for a source whose direction is not an option.

    ``why`` explains the refusal; by default, that the data say whether the
    source is directed.
    """
    if isinstance(directed, bool | np.bool_) and not directed:
        return
    if why is None:
        why = (
            f"{text!r} is {what}, whose direction follows from the data (an "
            "asymmetric matrix, or a directed GraphML/GEXF graph, is directed)"
        )
    raise ValueError(
        f"directed (--directed) applies only to edge lists "
        f"({', '.join(EDGE_LIST_SUFFIXES)}); {why}; got directed={directed!r}"
    )


def _check_weight_name(weight):
    """Refuse a ``weight`` that cannot name an edge attribute."""
    if not isinstance(weight, str) or not weight.strip():
        raise ValueError(
            "weight must name the edge attribute holding the weights (a "
            f"non-empty str), got {format_value(weight)}"
        )


def _refuse_weight(weight, text, what):
    """Refuse a weight attribute other than the default for ``text``.

    Only GraphML and GEXF edges carry named attributes; other sources store
    one weight per connection.
    """
    if weight == "weight":
        return
    raise ValueError(
        "weight (the edge attribute holding the weights) applies only to "
        f"GraphML and GEXF files; {text!r} is {what}, which stores one weight "
        f"per connection; got weight={format_value(weight)}"
    )


def load(
    source,
    *,
    symmetrise=None,
    remove_self_connections=True,
    threshold=None,
    keep_fraction=None,
    log_transform=False,
    normalise=None,
    largest_component=False,
    directed=False,
    weight="weight",
):
    """Load a connectome, prepare it, and return it as a ``Graph``.

    ``load("default")`` (or ``load("tvb76_prepared")``, the name it reports)
    is :func:`default_connectome`. Without preparation
    options the graph holds the weights as stored, minus self-connections
    (a ``Graph`` has none); an asymmetric matrix gives a directed graph.

    Parameters
    ----------
    source : str or Path
        See :func:`read`.
    symmetrise, threshold, keep_fraction, log_transform, normalise, largest_component
        Preparation options; see
        :func:`neurorelax.connectome.preparation.prepare` (they run in its
        fixed order).
    remove_self_connections : bool, optional
        Must be ``True``: the graph type holds no self-connections.
    directed, weight
        See :func:`read`.

    Returns
    -------
    neurorelax.graph.Graph

    Examples
    --------
    >>> from neurorelax.connectome import load
    >>> g = load("tvb76", symmetrise="mean", largest_component=True)
    >>> g.n_nodes, g.n_edges, g.directed
    (74, 881, False)
    """
    if remove_self_connections is not True:
        raise ValueError(
            "remove_self_connections must be True for load(): the Graph type "
            "holds no self-connections; use read() and prepare() to keep "
            f"them in a RawConnectome; got {format_value(remove_self_connections)}"
        )
    options = {
        "symmetrise": symmetrise,
        "threshold": threshold,
        "keep_fraction": keep_fraction,
        "log_transform": log_transform,
        "normalise": normalise,
        "largest_component": largest_component,
    }
    if str(source) in ("default", DEFAULT_CONNECTOME_NAME):
        _refuse_directed(directed, "default", "the prepared default connectome")
        _check_weight_name(weight)
        _refuse_weight(weight, "default", "the prepared default connectome")
        if any(value is not None and value is not False for value in options.values()):
            raise ValueError(
                "source 'default' is already prepared "
                f"({DEFAULT_PREPARATION}); load {DEFAULT_CONNECTOME!r} to choose "
                "the preparation yourself"
            )
        return default_connectome()

    if isinstance(source, str | Path):
        _check_source_name(
            "source",
            str(source),
            TVB_CONNECTOMES,
            [f"a built-in name ({', '.join(BUILTIN_NAMES)})"],
        )

    # prepare() checks its options before any step runs, but reading a large
    # file first would waste time on a typo, so check them here too.
    _checked_options(
        symmetrise,
        threshold,
        keep_fraction,
        normalise,
        log_transform=log_transform,
        largest_component=largest_component,
        directed=directed,
    )
    raw = read(source, directed=directed, weight=weight)
    return prepare(raw, **options).to_graph()


def default_connectome():
    """Return the project's default graph: TVB's 76-region human connectome.

    Read from ``connectivity_76.zip`` of the ``tvb-data`` package (3.0.0)
    and prepared with :data:`DEFAULT_PREPARATION`: self-connections removed,
    symmetrised by the mean (W + W^T) / 2, largest connected component kept
    (the two corpus callosum regions ``rCC`` and ``lCC`` have no connections
    and are dropped), weights divided by their maximum. Each step logs what it
    changed at INFO.

    Returns
    -------
    neurorelax.graph.Graph
        Undirected, connected, 74 nodes, 881 edges, weights in (0, 1],
        region labels, centres (mm) and tract lengths (mm), named
        ``"tvb76_prepared"``.

    Raises
    ------
    ImportError
        If ``tvb-data`` is not installed (the message gives the pip command).

    Notes
    -----
    Source: The Virtual Brain, ``tvb-data`` 3.0.0; Sanz Leon P et al. (2013)
    The Virtual Brain: a simulator of primate brain network dynamics. Front.
    Neuroinform. 7:10, doi:10.3389/fninf.2013.00010. The data are licensed
    GPL-3 (or later); neurorelax reads them from the installed package and
    ships no copy.
    """
    raw = read(DEFAULT_CONNECTOME)
    prepared = prepare(raw, **DEFAULT_PREPARATION)
    return dataclasses.replace(prepared, name=DEFAULT_CONNECTOME_NAME).to_graph()


@functools.cache
def default_eigenvalues():
    """Eigenvalues of the default connectome's Laplacian, computed once.

    The graph-level model scripts run on the default connectome; their
    parameter checks bound step counts with its lambda_2 and lambda_max
    without loading it again for every point of a sweep.

    Returns
    -------
    ndarray of float64, shape (n_nodes,), read-only
        The eigenvalues of the combinatorial Laplacian, ascending (0 first),
        as :func:`neurorelax.graph.spectral.eigenmodes` gives them.
    """
    from neurorelax.graph import spectral

    values = spectral.eigenmodes(default_connectome()).values.copy()
    values.flags.writeable = False
    return values


def from_spec(spec, *, seed=None, max_nodes=None, **options):
    """Return a graph from a command-line style spec.

    Parameters
    ----------
    spec : str
        ``"default"``, a built-in connectome name, a generator spec or a
        file path. Generator specs: ``ring:N``, ``grid:ROWSxCOLS``,
        ``small_world:N,K,P``, ``sbm:BLOCKSxSIZE,P_IN,P_OUT``,
        ``geometric:N,RADIUS``.
    seed : int, optional
        Seed for generators, in [0, 2**32 - 1] (default 0). Refused for
        connectomes and files, which hold no randomness.
    max_nodes : int, optional
        Refuse a graph of more nodes: a generator spec before it is built,
        a file or connectome once read.
    **options
        Preparation options for :func:`load`; for generators the
        preparation options only (generated graphs are undirected, so
        ``directed=True`` is refused).

    Returns
    -------
    neurorelax.graph.Graph

    Raises
    ------
    ValueError
        For a malformed spec, an option that does not apply to it, an
        invalid option value or generator arguments beyond the generator's
        limits (``generators.MAX_NODES``, ...), before any graph is built or
        read and before the warning about a large build is logged.

    Examples
    --------
    >>> from_spec("grid:3x4").n_nodes
    12
    """
    text = str(spec)
    parsed = _parse_generator(text)
    if parsed is None:
        if seed is not None:
            raise ValueError(
                f"seed (--seed) applies only to generator specs "
                f"({', '.join(GENERATOR_SPECS.values())}); {text!r} is not one; "
                f"got seed={format_value(seed)}"
            )
        _check_source_name(
            "graph",
            text,
            BUILTIN_NAMES,
            [
                f"a built-in name ({', '.join(BUILTIN_NAMES)})",
                f"a generator spec ({', '.join(GENERATOR_SPECS.values())})",
            ],
        )
        with node_limit(max_nodes):
            graph = load(text, **options)
        _check_node_count(text, graph.n_nodes, max_nodes)
        return graph

    _refuse_directed(
        options.pop("directed", False),
        text,
        "a generator spec",
        why=f"the generator spec {text!r} makes an undirected graph",
    )
    _refuse_weight(options.pop("weight", "weight"), text, "a generator spec")
    # Check the options and the seed before building: a typo should not cost
    # a large graph. 0 and -0.0 are values, not "unset" (keep_fraction=0 is
    # refused here as it is for files).
    steps = {
        key: value
        for key, value in options.items()
        if value is not None and value is not False
    }
    _checked_options(
        steps.get("symmetrise"),
        steps.get("threshold"),
        steps.get("keep_fraction"),
        steps.get("normalise"),
        log_transform=options.get("log_transform", False),
        largest_component=options.get("largest_component", False),
    )
    seed = check_seed(0 if seed is None else seed)
    function, arguments, n_nodes = parsed
    _check_node_count(text, n_nodes, max_nodes)
    # The generator's own checks (MAX_NODES, MAX_EDGES, ...) come before the
    # warning: nothing refused is announced as a long build.
    generators.check_arguments(
        _GENERATOR_FUNCTIONS[text.partition(":")[0]], *arguments, seed=seed
    )
    if n_nodes > LARGE_GENERATOR_NODES:
        logger.warning(
            "%s: building %s nodes through networkx; this can take a minute",
            text,
            f"{n_nodes:,}",
        )
    graph = function(*arguments, seed=seed)
    return prepare(graph, **steps) if steps else graph


def spec_node_count(spec):
    """Return the node count of a generator spec without building the graph.

    Parameters
    ----------
    spec : str
        Any spec accepted by :func:`from_spec`.

    Returns
    -------
    int or None
        The number of nodes the generator would make, or None when ``spec``
        is not a generator spec (a name or a file).

    Raises
    ------
    ValueError
        For a malformed generator spec.

    Examples
    --------
    >>> spec_node_count("grid:3x4"), spec_node_count("tvb76")
    (12, None)
    """
    parsed = _parse_generator(str(spec))
    return None if parsed is None else parsed[2]


def _check_node_count(text, n_nodes, max_nodes):
    """Refuse a graph of more than ``max_nodes`` nodes (if a limit is given)."""
    if max_nodes is not None and n_nodes > max_nodes:
        raise ValueError(
            f"graph {text!r} has {n_nodes:,} nodes; at most {max_nodes:,} are "
            "allowed here"
        )


def _parse_generator(text):
    """Parse a generator spec; None when ``text`` is not one.

    Returns
    -------
    (function, arguments, n_nodes) or None
        The generator, its positional arguments and the node count.
    """
    kind, _, arguments = text.partition(":")
    if kind not in GENERATOR_SPECS or not arguments:
        return None
    usage = GENERATOR_SPECS[kind]
    try:
        if kind == "ring":
            n = int(arguments)
            return generators.ring, (n,), n
        if kind == "grid":
            rows, cols = (int(value) for value in arguments.lower().split("x"))
            return generators.grid_2d, (rows, cols), rows * cols
        if kind == "small_world":
            n, k, p = arguments.split(",")
            return generators.small_world, (int(n), int(k), float(p)), int(n)
        if kind == "sbm":
            blocks, p_in, p_out = arguments.split(",")
            n_blocks, size = (int(value) for value in blocks.lower().split("x"))
            if n_blocks > generators.MAX_BLOCKS:
                # before the list of block sizes is made
                raise ValueError(
                    f"graph spec {kind}:{arguments!r}: BLOCKS must be at most "
                    f"{generators.MAX_BLOCKS:,}, got {n_blocks:,}"
                )
            sizes = [size] * n_blocks
            return (
                generators.stochastic_block,
                (sizes, float(p_in), float(p_out)),
                n_blocks * size,
            )
        n, radius = arguments.split(",")
        return generators.random_geometric, (int(n), float(radius)), int(n)
    except ValueError as error:
        if "must" in str(error):
            raise
        raise ValueError(
            f"graph spec {text!r} is malformed; expected {usage}"
        ) from None
