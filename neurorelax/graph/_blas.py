"""Keep BLAS threads off the cores while the OpenMP kernels run.

OpenBLAS, the BLAS of numpy's and scipy's wheels, keeps its worker threads
spinning for a while after every threaded call (a vector norm, a pattern
overlap). An OpenMP kernel that starts in that window shares the cores with
them: on the 2-core development machine, a Jacobi sweep of a 10^5-node
graph took 2.7 ms instead of 0.6 ms with 2 threads when a norm ran between
sweeps, slower than the same sweep on 1 thread. The graph level's iterative
functions therefore run the BLAS calls they make single-threaded
(through threadpoolctl); those calls are small next to the sweeps.

BLAS threads left spinning by the caller's own code before such a function
starts are not stopped; they go idle within about 0.1 s.
"""

import functools

from threadpoolctl import ThreadpoolController


@functools.cache
def _controller():
    # Created on first use, when numpy's and scipy's BLAS libraries are loaded.
    return ThreadpoolController()


def serial_blas(function):
    """Decorate ``function`` so that BLAS runs on one thread during its calls."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with _controller().limit(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return wrapper
