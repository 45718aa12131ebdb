"""Slow, obviously correct numpy/scipy versions of every Cython kernel.

The tests compare each kernel in ``neurorelax.kernels`` with the function of
the same name here; the benchmark ``bench/bench_jacobi.py`` times
:func:`jacobi_sweep` against the kernel. Nothing here is validated or fast.
"""

import numpy as np
import scipy.sparse as sp

__all__ = [
    "divisive_pool",
    "hopfield_sweep",
    "jacobi_sweep",
    "laplacian_dense",
    "operator_apply",
]


def jacobi_sweep(matrix, rhs, x, omega=1.0):
    """One damped Jacobi sweep for A X = B, written with scipy.sparse.

    Returns ``(x_new, residual_sq)`` with R = B - A X,
    X_new = X + omega R / diag(A) and residual_sq = ||R||_F^2.
    """
    matrix = sp.csr_array(matrix)
    residual = rhs - matrix @ x
    diagonal = matrix.diagonal()
    scale = diagonal if x.ndim == 1 else diagonal[:, None]
    return x + omega * residual / scale, float(np.sum(residual**2))


def operator_apply(matrix, x, alpha=0.0, beta=1.0):
    """Return alpha X + beta A X."""
    return alpha * x + beta * (sp.csr_array(matrix) @ x)


def divisive_pool(weights, drive, sigma_n, r_max):
    """Return r_max E / (sigma_n + E + W E), node by node, with dense algebra."""
    dense = sp.csr_array(weights).toarray() if sp.issparse(weights) else weights
    return r_max * drive / (sigma_n + drive + dense @ drive)


def hopfield_sweep(weights, thresholds, order, state):
    """One asynchronous sweep over ``order`` for one state, in pure Python.

    Returns ``(new_state, n_flips)``; the input is not modified.
    """
    dense = sp.csr_array(weights).toarray() if sp.issparse(weights) else weights
    s = np.array(state, dtype=np.float64)
    flips = 0
    for i in order:
        field = float(dense[i] @ s) - thresholds[i]
        new = 1.0 if field > 0 else (-1.0 if field < 0 else s[i])
        flips += int(new != s[i])
        s[i] = new
    return s, flips


def laplacian_dense(weights, kind="combinatorial"):
    """Laplacians from their textbook formulas with dense numpy loops."""
    w = np.asarray(weights, dtype=np.float64)
    n = w.shape[0]
    d = w.sum(axis=1)
    result = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if kind == "combinatorial":
                result[i, j] = (d[i] if i == j else 0.0) - w[i, j]
            elif kind == "symmetric":
                if d[i] > 0 and d[j] > 0:
                    result[i, j] = (i == j) - w[i, j] / np.sqrt(d[i] * d[j])
            else:
                if d[i] > 0:
                    result[i, j] = (i == j) - w[i, j] / d[i]
    return result
