"""Asynchronous Hopfield updates over a sparse coupling matrix in CSR form.

Compiler directives are set for every kernel in ``setup.py``.
"""

from cython cimport floating
from cython.parallel cimport prange
from libc.stdint cimport int32_t, int64_t
from openmp cimport omp_get_max_threads

import numpy as np

ctypedef fused index_t:
    int32_t
    int64_t


def hopfield_sweep(indptr, indices, weights, thresholds, order, states, *,
                   int n_threads=0):
    """Update every node once, one at a time, in the given order; in place.

    For node i (in ``order``) the local field is
    h_i = sum_j W[i, j] s_j - theta_i, and the state becomes s_i = +1 if
    h_i > 0, -1 if h_i < 0, and stays as it is if h_i = 0. Each update sees
    the updates made before it in the same sweep (asynchronous dynamics), so
    for symmetric W with zero diagonal the energy
    E = -1/2 s^T W s + theta^T s never increases: a flip changes it by
    -2 |h_i| <= 0.

    Parameters
    ----------
    indptr, indices : ndarray of int32 or int64
        CSR structure of W (no diagonal entries).
    weights : ndarray of float, shape (nnz,)
        W[i, j].
    thresholds : ndarray of float, shape (n_nodes,)
        theta.
    order : ndarray of int, shape (n_nodes,)
        A permutation of the nodes: the update order for every cue.
    states : ndarray of float, shape (n_cues, n_nodes), C-contiguous
        Spins +1 / -1, updated in place. float32 or float64.
    n_threads : int, optional
        OpenMP threads (cues are independent and run in parallel); 0 uses
        the OpenMP default for several cues of over 1000 nodes, else one.

    Returns
    -------
    ndarray of int64, shape (n_cues,)
        Number of nodes that flipped in each cue during the sweep.
    """
    if (not isinstance(states, np.ndarray) or states.ndim != 2
            or not states.flags.c_contiguous
            or states.dtype not in (np.float32, np.float64)):
        raise ValueError(
            "states must be a C-contiguous float32 or float64 array of shape "
            f"(n_cues, n_nodes), got {type(states).__name__} "
            f"{getattr(states, 'shape', '')}"
        )
    n_nodes = states.shape[1]
    indptr = np.asarray(indptr)
    indices = np.asarray(indices)
    dtype = np.int32 if (indptr.dtype == np.int32
                         and indices.dtype == np.int32) else np.int64
    indptr = np.ascontiguousarray(indptr, dtype=dtype)
    indices = np.ascontiguousarray(indices, dtype=dtype)
    order = np.ascontiguousarray(order, dtype=dtype)
    weights = np.ascontiguousarray(weights, dtype=states.dtype)
    thresholds = np.ascontiguousarray(thresholds, dtype=states.dtype)
    if (indptr.shape != (n_nodes + 1,) or order.shape != (n_nodes,)
            or thresholds.shape != (n_nodes,)
            or indices.shape != (int(indptr[n_nodes]),)
            or weights.shape != indices.shape):
        raise ValueError(
            f"indptr, indices, weights, thresholds and order must describe "
            f"{n_nodes} nodes; got shapes {indptr.shape}, {indices.shape}, "
            f"{weights.shape}, {thresholds.shape}, {order.shape}"
        )
    flips = np.zeros(states.shape[0], dtype=np.int64)

    _hopfield_sweep_typed(
        indptr, indices, weights, thresholds, order, states, flips, n_threads
    )
    return flips


def _hopfield_sweep_typed(const index_t[::1] indptr,
                          const index_t[::1] indices,
                          const floating[::1] weights,
                          const floating[::1] thresholds,
                          const index_t[::1] order, floating[:, ::1] states,
                          int64_t[::1] flips, int n_threads):
    """Dispatch on dtype and index type; release the GIL for the kernel."""
    with nogil:
        _hopfield_sweep_kernel(
            indptr, indices, weights, thresholds, order, states, flips,
            n_threads,
        )


cdef void _hopfield_sweep_kernel(
    const index_t[::1] indptr, const index_t[::1] indices,
    const floating[::1] weights, const floating[::1] thresholds,
    const index_t[::1] order, floating[:, ::1] states, int64_t[::1] flips,
    int n_threads,
) noexcept nogil:
    """One asynchronous sweep per cue, cues in parallel.

    Cost: 2 nnz flops per cue. Memory: reads the CSR arrays once per cue
    (shared, so cached across threads) and the cue's state row; writes only
    that row. Within a cue the updates are sequential by definition.
    """
    cdef Py_ssize_t n_cues = states.shape[0]
    cdef Py_ssize_t n = states.shape[1]
    cdef Py_ssize_t c, step
    cdef index_t i, e
    cdef double field
    cdef floating new

    if n_threads <= 0:
        # Parallel over cues only pays when each cue has real work.
        n_threads = omp_get_max_threads() if n_cues > 1 and n > 1000 else 1

    for c in prange(n_cues, schedule="static", num_threads=n_threads):
        for step in range(n):
            i = order[step]
            field = -thresholds[i]
            for e in range(indptr[i], indptr[i + 1]):
                field = field + weights[e] * states[c, indices[e]]
            if field > 0:
                new = 1
            elif field < 0:
                new = -1
            else:
                new = states[c, i]
            if new != states[c, i]:
                states[c, i] = new
                flips[c] += 1
