"""BLAS runs single-threaded inside the graph level's iterative functions."""

import numpy as np
from threadpoolctl import threadpool_info

from neurorelax.graph import jacobi_solve
from neurorelax.graph._blas import serial_blas
from neurorelax.kernels import sparse_relax


def _blas_threads():
    return [
        pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"
    ]


def test_serial_blas_limits_inside_and_restores_after():
    before = _blas_threads()

    @serial_blas
    def inside():
        return _blas_threads()

    assert before, "numpy's BLAS should be visible to threadpoolctl"
    assert inside() == [1] * len(before)
    assert _blas_threads() == before


def test_jacobi_sweeps_run_with_serial_blas(monkeypatch):
    seen = []
    original = sparse_relax.jacobi_sweep

    def spy(*args, **kwargs):
        seen.append(_blas_threads())
        return original(*args, **kwargs)

    monkeypatch.setattr(sparse_relax, "jacobi_sweep", spy)
    matrix = np.array([[3.0, -1.0, 0.0], [-1.0, 3.0, -1.0], [0.0, -1.0, 3.0]])
    result = jacobi_solve(matrix, np.array([1.0, 2.0, 3.0]))

    assert result.converged
    assert seen and all(threads == [1] * len(threads) for threads in seen)
    np.testing.assert_allclose(matrix @ result.solution, [1.0, 2.0, 3.0], atol=1e-9)
