"""Sparse kernels of the graph level: Jacobi sweeps, Laplacian products and
divisive normalization over a matrix in CSR form.

A sparse operator A is passed as its diagonal (``diagonal``, one entry per
node) and its off-diagonal part in CSR form (``indptr``, ``indices``,
``offdiag``). States have shape (n_nodes, n_patterns), C-contiguous, so that
the patterns of one node sit next to each other in memory.

Each public function coerces dtypes (float32 stays float32, anything else
becomes float64; int32 indices stay int32 when both index arrays are int32)
and checks that the shapes agree. It does NOT check index ranges or values:
the graph layer (``neurorelax.graph``) validates its graphs once, and these
kernels trust their input (an out-of-range column index is a memory error).
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


# Jacobi sweep -----------------------------------------------------------------

def jacobi_sweep(indptr, indices, offdiag, diagonal, rhs, x, out=None, *,
                 double omega=1.0, int n_threads=0):
    """One (damped) Jacobi sweep for A X = B; return the new iterate and
    the squared residual of the old one.

    With A = diag(a) + N (N the off-diagonal part), one sweep computes

        R = B - A X,    X_new = X + omega * diag(a)^-1 R,

    that is X_new[i] = (1 - omega) X[i] + omega (B[i] - sum_j N[i, j] X[j]) / a[i]:
    each node reads only its own value and its neighbours' values. omega = 1
    is plain Jacobi, 0 < omega < 1 damped (weighted) Jacobi.

    Parameters
    ----------
    indptr : ndarray of int32 or int64, shape (n_nodes + 1,)
    indices : ndarray of int32 or int64, shape (nnz,)
        CSR structure of N (column indices; no diagonal entries).
    offdiag : ndarray of float, shape (nnz,)
        Values N[i, j].
    diagonal : ndarray of float, shape (n_nodes,)
        a, non-zero.
    rhs : ndarray of float, shape (n_nodes, n_patterns) or (n_nodes,)
        B.
    x : ndarray of float, same shape as ``rhs``
        The current iterate X.
    out : ndarray, same shape and dtype as the coerced ``x``, optional
        Where to write X_new; must not overlap ``x``.
    omega : float, optional
        Relaxation weight (dimensionless).
    n_threads : int, optional
        OpenMP threads; 0 uses one thread for small states (below 32768
        entries) and the OpenMP default otherwise.

    Returns
    -------
    out : ndarray, shape of ``x``
        X_new, float32 if ``x`` is float32, else float64.
    residual_sq : float
        ||B - A X||_F^2 of the old iterate, accumulated in double.

    Notes
    -----
    Jacobi converges for every start when the spectral radius of
    I - omega diag(a)^-1 A is below 1, for instance when A is strictly
    diagonally dominant (as I + gamma dt L is) and omega is in (0, 1].
    """
    dtype = np.float32 if np.asarray(x).dtype == np.float32 else np.float64
    x2, was_1d = _as_state("x", x, dtype)
    rhs2, _ = _as_state("rhs", rhs, dtype)
    indptr, indices = _as_index_pair(indptr, indices)
    offdiag = np.ascontiguousarray(offdiag, dtype=dtype)
    diagonal = np.ascontiguousarray(diagonal, dtype=dtype)
    _check_operator(indptr, indices, offdiag, diagonal, x2.shape[0])
    if rhs2.shape != x2.shape:
        raise ValueError(
            f"rhs must have the shape of x {x2.shape}, got shape {rhs2.shape}"
        )
    out2 = _as_out(out, x2)

    residual_sq = _jacobi_sweep_typed(
        indptr, indices, offdiag, diagonal, rhs2, x2, out2, omega, n_threads
    )
    return (out2[:, 0] if was_1d else out2), residual_sq


def _jacobi_sweep_typed(const index_t[::1] indptr, const index_t[::1] indices,
                        const floating[::1] offdiag,
                        const floating[::1] diagonal,
                        const floating[:, ::1] rhs, const floating[:, ::1] x,
                        floating[:, ::1] out, double omega, int n_threads):
    """Dispatch on dtype and index type; release the GIL for the kernel."""
    cdef double residual_sq
    with nogil:
        residual_sq = _jacobi_sweep_kernel(
            indptr, indices, offdiag, diagonal, rhs, x, out, omega, n_threads
        )
    return residual_sq


cdef inline double _row_dot(
    index_t start, index_t stop, const index_t* columns,
    const floating* values, const floating* x,
) noexcept nogil:
    """Return sum_e values[e] x[columns[e]] over one CSR row.

    A function of its own, so that the compiler keeps the sum in a register
    (inside an OpenMP region Cython makes every loop variable lastprivate).
    """
    cdef double acc = 0.0
    cdef index_t e
    for e in range(start, stop):
        acc += values[e] * x[columns[e]]
    return acc


cdef double _jacobi_sweep_kernel(
    const index_t[::1] indptr, const index_t[::1] indices,
    const floating[::1] offdiag, const floating[::1] diagonal,
    const floating[:, ::1] rhs, const floating[:, ::1] x,
    floating[:, ::1] out, double omega, int n_threads,
) noexcept nogil:
    """Jacobi sweep kernel, parallel over nodes.

    Cost: 2 nnz p + 5 n p flops. Memory traffic: reads indptr, indices and
    offdiag once (n + nnz index words, nnz values), diagonal, rhs and x once
    (n + 2 n p values), gathers neighbour rows of x (cache hits when x fits
    in cache) and writes n p values. No allocation. Rows are independent, so
    threads never write the same row.
    """
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t p = x.shape[1]
    cdef Py_ssize_t i, k
    cdef index_t e, j
    cdef double acc, r, local
    cdef double total = 0.0
    cdef const index_t* row_start
    cdef const index_t* columns
    cdef const floating* values
    cdef const floating* x_flat

    if n == 0:
        return 0.0
    n_threads = _thread_count(n_threads, n * p)

    if p == 1 and indices.shape[0] > 0:
        # One pattern: keep the neighbour sum in a register, and read the
        # gather operands through plain pointers (about 20 % faster than
        # memoryview indexing inside the OpenMP region).
        row_start = &indptr[0]
        columns = &indices[0]
        values = &offdiag[0]
        x_flat = &x[0, 0]
        for i in prange(n, schedule="static", num_threads=n_threads):
            acc = _row_dot(row_start[i], row_start[i + 1], columns, values, x_flat)
            r = rhs[i, 0] - diagonal[i] * x_flat[i] - acc
            out[i, 0] = <floating>(x_flat[i] + omega * r / diagonal[i])
            total += r * r
        return total

    for i in prange(n, schedule="static", num_threads=n_threads):
        # Accumulate N X into the output row, then turn it into X_new.
        for k in range(p):
            out[i, k] = 0
        for e in range(indptr[i], indptr[i + 1]):
            j = indices[e]
            for k in range(p):
                out[i, k] += offdiag[e] * x[j, k]
        local = 0.0
        for k in range(p):
            r = rhs[i, k] - diagonal[i] * x[i, k] - out[i, k]
            out[i, k] = <floating>(x[i, k] + omega * r / diagonal[i])
            local = local + r * r
        total += local
    return total


# Operator product ---------------------------------------------------------------

def operator_apply(indptr, indices, offdiag, diagonal, x, out=None, *,
                   double alpha=0.0, double beta=1.0, int n_threads=0):
    """Return alpha X + beta A X for A = diag(a) + N in CSR form.

    With A = L this gives one explicit Euler step of dM/dt = -gamma L M
    (alpha = 1, beta = -gamma dt), stable when gamma dt lambda_max < 2.

    Parameters
    ----------
    indptr, indices, offdiag, diagonal
        A as in :func:`jacobi_sweep`.
    x : ndarray of float, shape (n_nodes, n_patterns) or (n_nodes,)
    out : ndarray, optional
        Destination, same shape and dtype as the coerced ``x``, not
        overlapping it.
    alpha, beta : float, optional
        Coefficients.
    n_threads : int, optional
        OpenMP threads; 0 uses one thread for small states (below 32768
        entries) and the OpenMP default otherwise.

    Returns
    -------
    ndarray, shape of ``x``
    """
    dtype = np.float32 if np.asarray(x).dtype == np.float32 else np.float64
    x2, was_1d = _as_state("x", x, dtype)
    indptr, indices = _as_index_pair(indptr, indices)
    offdiag = np.ascontiguousarray(offdiag, dtype=dtype)
    diagonal = np.ascontiguousarray(diagonal, dtype=dtype)
    _check_operator(indptr, indices, offdiag, diagonal, x2.shape[0])
    out2 = _as_out(out, x2)

    _operator_apply_typed(
        indptr, indices, offdiag, diagonal, x2, out2, alpha, beta, n_threads
    )
    return out2[:, 0] if was_1d else out2


def _operator_apply_typed(const index_t[::1] indptr, const index_t[::1] indices,
                          const floating[::1] offdiag,
                          const floating[::1] diagonal,
                          const floating[:, ::1] x, floating[:, ::1] out,
                          double alpha, double beta, int n_threads):
    """Dispatch on dtype and index type; release the GIL for the kernel."""
    with nogil:
        _operator_apply_kernel(
            indptr, indices, offdiag, diagonal, x, out, alpha, beta, n_threads
        )


cdef void _operator_apply_kernel(
    const index_t[::1] indptr, const index_t[::1] indices,
    const floating[::1] offdiag, const floating[::1] diagonal,
    const floating[:, ::1] x, floating[:, ::1] out,
    double alpha, double beta, int n_threads,
) noexcept nogil:
    """out = alpha x + beta (diag(a) x + N x), parallel over nodes.

    Cost: 2 nnz p + 4 n p flops; memory traffic as one Jacobi sweep without
    the right-hand side. No allocation.
    """
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t p = x.shape[1]
    cdef Py_ssize_t i, k
    cdef index_t e, j

    n_threads = _thread_count(n_threads, n * p)

    for i in prange(n, schedule="static", num_threads=n_threads):
        for k in range(p):
            out[i, k] = 0
        for e in range(indptr[i], indptr[i + 1]):
            j = indices[e]
            for k in range(p):
                out[i, k] += offdiag[e] * x[j, k]
        for k in range(p):
            out[i, k] = <floating>(
                alpha * x[i, k] + beta * (diagonal[i] * x[i, k] + out[i, k])
            )


# Divisive normalization -----------------------------------------------------------

def divisive_pool(indptr, indices, weights, drive, double sigma_n,
                  double r_max, out=None, *, int n_threads=0):
    """Return r_max * E / (sigma_n + E + W E) node by node.

    E = ``drive`` (the non-negative input raised to the normalization
    exponent); W E is the weighted neighbourhood sum. For E >= 0 every output
    lies in [0, r_max).

    Parameters
    ----------
    indptr, indices : ndarray of int32 or int64
        CSR structure of the pool weights W (no diagonal entries).
    weights : ndarray of float, shape (nnz,)
        W[i, j] >= 0.
    drive : ndarray of float, shape (n_nodes, n_patterns) or (n_nodes,)
        E >= 0.
    sigma_n : float
        Semi-saturation constant raised to the exponent, > 0.
    r_max : float
        Maximum response.
    out : ndarray, optional
        Destination, same shape and dtype as the coerced ``drive``.
    n_threads : int, optional
        OpenMP threads; 0 uses one thread for small states (below 32768
        entries) and the OpenMP default otherwise.

    Returns
    -------
    ndarray, shape of ``drive``
    """
    dtype = np.float32 if np.asarray(drive).dtype == np.float32 else np.float64
    drive2, was_1d = _as_state("drive", drive, dtype)
    indptr, indices = _as_index_pair(indptr, indices)
    weights = np.ascontiguousarray(weights, dtype=dtype)
    _check_operator(indptr, indices, weights, np.empty(drive2.shape[0]),
                    drive2.shape[0])
    out2 = _as_out(out, drive2)

    _divisive_pool_typed(
        indptr, indices, weights, drive2, out2, sigma_n, r_max, n_threads
    )
    return out2[:, 0] if was_1d else out2


def _divisive_pool_typed(const index_t[::1] indptr, const index_t[::1] indices,
                         const floating[::1] weights,
                         const floating[:, ::1] drive, floating[:, ::1] out,
                         double sigma_n, double r_max, int n_threads):
    """Dispatch on dtype and index type; release the GIL for the kernel."""
    with nogil:
        _divisive_pool_kernel(
            indptr, indices, weights, drive, out, sigma_n, r_max, n_threads
        )


cdef void _divisive_pool_kernel(
    const index_t[::1] indptr, const index_t[::1] indices,
    const floating[::1] weights, const floating[:, ::1] drive,
    floating[:, ::1] out, double sigma_n, double r_max, int n_threads,
) noexcept nogil:
    """Divisive normalization, parallel over nodes.

    Cost: 2 nnz p + 4 n p flops; reads the CSR arrays once and the drive
    once (plus neighbour gathers), writes n p values. No allocation.
    """
    cdef Py_ssize_t n = drive.shape[0]
    cdef Py_ssize_t p = drive.shape[1]
    cdef Py_ssize_t i, k
    cdef index_t e, j

    n_threads = _thread_count(n_threads, n * p)

    for i in prange(n, schedule="static", num_threads=n_threads):
        for k in range(p):
            out[i, k] = 0
        for e in range(indptr[i], indptr[i + 1]):
            j = indices[e]
            for k in range(p):
                out[i, k] += weights[e] * drive[j, k]
        for k in range(p):
            out[i, k] = <floating>(
                r_max * drive[i, k] / (sigma_n + drive[i, k] + out[i, k])
            )


# Helpers ---------------------------------------------------------------------------

# Below this many state entries a sweep takes microseconds, and waking a team
# of threads (or waiting for a descheduled one on a busy machine) costs more.
cdef Py_ssize_t SERIAL_BELOW = 32768


cdef int _thread_count(int requested, Py_ssize_t work) noexcept nogil:
    """Threads to use: the request, or 1 for small work, or all."""
    if requested > 0:
        return requested
    if work < SERIAL_BELOW:
        return 1
    return omp_get_max_threads()


def _as_state(name, values, dtype):
    """Return a C-contiguous 2-D array and whether the input was 1-D."""
    array = np.ascontiguousarray(values, dtype=dtype)
    if array.ndim == 1:
        return array.reshape(-1, 1), True
    if array.ndim != 2:
        raise ValueError(
            f"{name} must have shape (n_nodes,) or (n_nodes, n_patterns), "
            f"got shape {array.shape}"
        )
    return array, False


def _as_index_pair(indptr, indices):
    """Return both index arrays with one shared dtype (int32 or int64)."""
    indptr = np.asarray(indptr)
    indices = np.asarray(indices)
    if indptr.dtype == np.int32 and indices.dtype == np.int32:
        dtype = np.int32
    else:
        dtype = np.int64
    return (np.ascontiguousarray(indptr, dtype=dtype),
            np.ascontiguousarray(indices, dtype=dtype))


def _check_operator(indptr, indices, values, diagonal, n_nodes):
    """Check that the CSR arrays and the diagonal agree with the state."""
    if indptr.shape != (n_nodes + 1,):
        raise ValueError(
            f"indptr must have shape ({n_nodes + 1},) for {n_nodes} nodes, "
            f"got shape {indptr.shape}"
        )
    nnz = int(indptr[n_nodes]) if n_nodes >= 0 else 0
    if indices.shape != (nnz,) or values.shape != (nnz,):
        raise ValueError(
            f"indices and values must have shape ({nnz},) (indptr[-1]), got "
            f"{indices.shape} and {values.shape}"
        )
    if diagonal.shape != (n_nodes,):
        raise ValueError(
            f"diagonal must have shape ({n_nodes},), got shape {diagonal.shape}"
        )


def _as_out(out, like):
    """Return a destination array shaped and typed like ``like``."""
    if out is None:
        return np.empty_like(like)
    if not isinstance(out, np.ndarray) or not out.flags.c_contiguous:
        raise ValueError("out must be a C-contiguous ndarray")
    out2 = out.reshape(like.shape) if out.ndim == 1 else out
    if out2.shape != like.shape or out2.dtype != like.dtype:
        raise ValueError(
            f"out must have shape {like.shape} and dtype {like.dtype}, got "
            f"shape {out.shape} and dtype {out.dtype}"
        )
    if np.may_share_memory(out2, like):
        raise ValueError("out must not overlap the input state")
    return out2
