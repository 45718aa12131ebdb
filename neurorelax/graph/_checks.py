"""Argument checks shared by the graph-level entry points."""

import os

import numpy as np
import scipy.sparse as sp

from neurorelax.validation import (
    check_finite_array,
    check_integer,
    check_positive,
    format_value,
)

__all__ = [
    "as_csr",
    "as_graph",
    "as_state",
    "check_modes",
    "check_n_threads",
    "check_rate",
    "check_real",
    "state_dtype",
]

# OpenMP aborts (or crashes the interpreter) when asked for far more threads
# than it can create; more than a few per core never helps these kernels.
THREADS_PER_CPU = 4


def check_modes(modes):
    """Refuse anything but an Eigenmodes object (a bare array has no dual)."""
    from neurorelax.graph.spectral import Eigenmodes

    if not isinstance(modes, Eigenmodes):
        raise TypeError(
            "modes must be an Eigenmodes object from eigenmodes(graph), got "
            f"{type(modes).__name__}"
        )


def check_n_threads(n_threads):
    """Check an OpenMP thread count: 0 (the default) to a few per CPU."""
    n_threads = check_integer("n_threads", n_threads, minimum=0)
    limit = THREADS_PER_CPU * (os.cpu_count() or 1)
    if n_threads > limit:
        raise ValueError(
            f"n_threads must be at most {limit} ({THREADS_PER_CPU} per CPU on "
            f"this machine), got {n_threads}; pass 0 for the OpenMP default"
        )
    return n_threads


def check_real(name, values):
    """Refuse complex input, which a float conversion would silently truncate."""
    data = values.data if hasattr(values, "tocsr") else values
    try:
        complex_values = np.iscomplexobj(data)
    except ValueError as error:  # ragged nested lists, for instance
        raise ValueError(
            f"{name} must be an array of real numbers; could not convert it ({error})"
        ) from error
    if complex_values:
        raise ValueError(
            f"{name} must be real, got complex values "
            f"(dtype {np.asarray(data).dtype}); pass the real part (.real) "
            "or the magnitude (abs) explicitly"
        )


def as_csr(name, matrix):
    """Return a scipy sparse matrix as a checked, canonical csr_array of float64.

    The index structure is checked in full (index bounds, monotonic ``indptr``)
    before anything reads it: scipy trusts a malformed structure and can crash
    the interpreter on it.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    matrix : scipy.sparse matrix or array
        Real (or boolean) entries, 2-D.

    Returns
    -------
    scipy.sparse.csr_array of float64
        A new matrix: sorted indices, duplicates summed, finite entries.

    Raises
    ------
    ValueError
        For a malformed index structure, complex or non-numeric entries, a
        shape other than 2-D, or non-finite stored entries.
    """
    check_real(name, matrix)
    if matrix.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {matrix.shape}")
    if matrix.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold real numbers, got sparse dtype {matrix.dtype}"
        )
    try:
        copy = matrix.copy()
        if matrix.format in ("csr", "csc", "bsr"):
            copy.check_format(full_check=True)
        result = sp.csr_array(copy, dtype=np.float64)
        result.check_format(full_check=True)
    except (TypeError, ValueError, IndexError) as error:
        raise ValueError(
            f"{name} has a malformed sparse structure "
            f"({type(matrix).__name__}, shape {matrix.shape}): {error}"
        ) from error
    result.sum_duplicates()
    result.sort_indices()
    result.data = check_finite_array(f"{name} (stored entries)", result.data)
    return result


def as_graph(name, graph):
    """Return ``graph`` as a Graph, converting arrays and networkx graphs."""
    from neurorelax.graph.graph import Graph

    if isinstance(graph, Graph):
        return graph
    try:
        return Graph(graph)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from error


def state_dtype(values):
    """float32 for float32 input, float64 for anything else."""
    dtype = getattr(values, "dtype", None)
    return np.float32 if dtype == np.float32 else np.float64


def as_state(name, values, n_nodes, *, nonnegative=False, keep_float32=True):
    """Check an activation array against the node count.

    Parameters
    ----------
    name : str
        Argument name for the error message.
    values : array_like, shape (n_nodes,) or (n_nodes, n_patterns)
        Activation per node (and pattern).
    n_nodes : int
        Required length of the first axis.
    nonnegative : bool, optional
        Refuse negative entries.
    keep_float32 : bool, optional
        Return float32 for float32 input (float64 otherwise).

    Returns
    -------
    state : ndarray, shape (n_nodes, n_patterns), C-contiguous, a new array
    was_1d : bool
        Whether the input was 1-D (so results can be given back 1-D).
    """
    dtype = state_dtype(values) if keep_float32 else np.float64
    check_real(name, values)
    array = check_finite_array(name, values, ndim=(1, 2), nonnegative=nonnegative)
    if array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one node, got shape {array.shape}")
    if array.shape[0] != n_nodes:
        raise ValueError(
            f"{name} must have {n_nodes} rows, one per node (shape "
            f"({n_nodes},) or ({n_nodes}, n_patterns)), got shape {array.shape}"
        )
    was_1d = array.ndim == 1
    array = np.array(array.reshape(n_nodes, -1), dtype=dtype, order="C", copy=True)
    return array, was_1d


def check_rate(name, value):
    """Check a rate or a time step: a finite number > 0."""
    return check_positive(name, value)


def check_times(name, times):
    """Check a 1-D array of non-decreasing, non-negative times."""
    array = check_finite_array(name, times, ndim=1)
    if array.size == 0:
        raise ValueError(f"{name} must hold at least one time, got an empty array")
    if (array < 0).any() or (np.diff(array) < 0).any():
        raise ValueError(
            f"{name} must be non-negative and non-decreasing, got {format_value(array)}"
        )
    return array
