"""Benchmark: one Jacobi sweep in Cython against numpy + scipy.sparse.

The system is the implicit Euler operator A = I + gamma dt L of a random
sparse graph in which every node links to ``--degree / 2`` random others
(about ``--degree`` neighbours after symmetrisation). One sweep
X_new = X + (B - A X) / diag(A), with the squared residual, is timed

- in the Cython kernel ``neurorelax.kernels.sparse_relax.jacobi_sweep`` with
  1 and 2 OpenMP threads;
- written with numpy and scipy.sparse (``off @ x`` and vector arithmetic);
- against a numpy array copy, the reference memory bandwidth.

The bytes a sweep must move are counted as: indptr (4 (n + 1)), indices and
values (12 nnz for int32 + float64), the diagonal, B and X read once and
X_new written once (32 n). Gathers of neighbours' X that miss the cache are
not counted, so the bandwidth figure is a lower bound on the real traffic.
Bandwidth of the copy counts the bytes read plus the bytes written.

BLAS runs on one thread for the whole benchmark, as inside the library's
solvers (``neurorelax.graph._blas``): OpenBLAS keeps its threads spinning
for a while after a threaded call, so the numpy sweep's residual norm would
otherwise slow whichever variant runs after it (a 2-thread Cython sweep of
10^5 nodes by up to 4x). Only that norm uses BLAS; scipy's sparse product
is single-threaded either way.

Repeats are interleaved (each round times every variant once, in an order
rotated from round to round) and medians are reported, because the machines
here are shared. Each sample is the mean of a short burst of back-to-back
calls after one untimed call: the steady state of an iterative solve.
Targets from issue 3, at 1,000,000 nodes: Cython (best thread count) >= 3x
the numpy sweep, and >= 50 % of the copy bandwidth.

Run:  python bench/bench_jacobi.py [--sizes 10000 100000 1000000]
"""

import argparse
import statistics
import time
import warnings

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from neurorelax.graph import Graph, implicit_system
from neurorelax.kernels import sparse_relax


def random_graph(n_nodes, degree, seed):
    """Random undirected graph with about ``degree`` neighbours per node."""
    rng = np.random.default_rng(seed)
    half = max(degree // 2, 1)
    rows = np.repeat(np.arange(n_nodes, dtype=np.int64), half)
    cols = rng.integers(0, n_nodes, size=rows.size)
    upper = sp.coo_array((np.ones(rows.size), (rows, cols)), shape=(n_nodes,) * 2)
    weights = sp.csr_array(upper + upper.T)
    weights.data[:] = rng.uniform(0.5, 1.5, weights.nnz)
    weights = sp.csr_array(sp.triu(weights, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Graph(weights + weights.T, self_loops="drop")


def numpy_sweep(off, diagonal, rhs, x, omega=1.0):
    """The same sweep with numpy and scipy.sparse."""
    residual = rhs - diagonal * x - off @ x
    return x + omega * residual / diagonal, float(residual @ residual)


def timed(function, burst):
    """Mean time of ``burst`` back-to-back calls after one untimed call.

    A Jacobi solve runs sweep after sweep, so each sample measures that
    steady state (x already in cache as far as it fits) rather than a sweep
    that follows, say, the copy, which evicts everything.
    """
    function()
    start = time.perf_counter()
    for _ in range(burst):
        function()
    return (time.perf_counter() - start) / burst


def measure(n_nodes, degree, repeats, burst, seed=0):
    """Return median times (s) of each variant and the bytes of one sweep."""
    graph = random_graph(n_nodes, degree, seed)
    system = implicit_system(graph, gamma=1.0, dt=0.1)
    off, diagonal = system.offdiag, system.diagonal
    rng = np.random.default_rng(seed + 1)
    rhs, x = rng.random(n_nodes), rng.random(n_nodes)
    out = np.empty_like(x)
    index_bytes = off.indices.dtype.itemsize
    sweep_bytes = (
        index_bytes * (n_nodes + 1) + (index_bytes + 8) * off.nnz + 4 * 8 * n_nodes
    )
    source = np.ones(sweep_bytes // 16)
    target = np.empty_like(source)

    # Same answer from both implementations before timing anything.
    reference, reference_sq = numpy_sweep(off, diagonal, rhs, x)
    result, result_sq = sparse_relax.jacobi_sweep(
        off.indptr, off.indices, off.data, diagonal, rhs, x, out, n_threads=1
    )
    assert np.allclose(result, reference, rtol=1e-12, atol=1e-12)
    assert np.isclose(result_sq, reference_sq, rtol=1e-9)

    def cython(threads):
        return lambda: sparse_relax.jacobi_sweep(
            off.indptr,
            off.indices,
            off.data,
            diagonal,
            rhs,
            x,
            out,
            n_threads=threads,
        )

    variants = {
        "cython_1": cython(1),
        "cython_2": cython(2),
        "numpy": lambda: numpy_sweep(off, diagonal, rhs, x),
        "copy": lambda: np.copyto(target, source),
    }
    samples = {name: [] for name in variants}
    for function in variants.values():
        function()  # warm up: page in buffers, start the OpenMP team
    names = list(variants)
    for round_ in range(repeats):
        # Rotate the order so that no variant always follows the copy (which
        # evicts the caches) or always follows another sweep (which warms them).
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(timed(variants[name], burst))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    return medians, sweep_bytes, 2 * source.nbytes, off.nnz


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000]
    )
    parser.add_argument("--degree", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=12)
    parser.add_argument("--burst", type=int, default=3)
    args = parser.parse_args(argv)

    header = (
        f"{'nodes':>9} {'nnz':>10} {'MB/sweep':>9} {'cy 1t ms':>9} {'cy 2t ms':>9} "
        f"{'numpy ms':>9} {'copy GB/s':>9} {'cy GB/s':>8} {'vs numpy':>8} "
        f"{'vs copy':>8} {'2t/1t':>6}"
    )
    print(header)
    for n_nodes in args.sizes:
        with threadpool_limits(limits=1, user_api="blas"):
            times, sweep_bytes, copy_bytes, nnz = measure(
                n_nodes, args.degree, args.repeats, args.burst
            )
        best = min(times["cython_1"], times["cython_2"])
        copy_rate = copy_bytes / times["copy"]
        sweep_rate = sweep_bytes / best
        print(
            f"{n_nodes:>9} {nnz:>10} {sweep_bytes / 1e6:>9.1f} "
            f"{1e3 * times['cython_1']:>9.3f} {1e3 * times['cython_2']:>9.3f} "
            f"{1e3 * times['numpy']:>9.3f} {copy_rate / 1e9:>9.2f} "
            f"{sweep_rate / 1e9:>8.2f} {times['numpy'] / best:>7.2f}x "
            f"{100 * sweep_rate / copy_rate:>7.1f}% "
            f"{times['cython_1'] / times['cython_2']:>5.2f}x"
        )
    print(
        "\nvs numpy: numpy sweep time / best Cython time (target >= 3x at 1M); "
        "vs copy: counted sweep bytes per second / copy bandwidth "
        "(target >= 50 %); 2t/1t: speed-up from 1 to 2 threads."
    )


if __name__ == "__main__":
    main()
