"""Compiled Cython kernels of the graph level (built from ``cython_ext/``).

``sparse_relax``
    Jacobi sweeps, operator products and divisive normalization over a sparse
    operator in CSR form, parallel over nodes with OpenMP.
``hopfield``
    Asynchronous Hopfield sweeps, parallel over independent cues.

The kernels trust their input; ``neurorelax.graph`` validates it. There is no
pure-Python fallback: if the extension modules are missing, importing this
package says how to build them.
"""

try:
    from neurorelax.kernels import hopfield, sparse_relax
except ImportError as error:  # pragma: no cover - depends on the build
    raise ImportError(
        "neurorelax's Cython kernels are not built (neurorelax.kernels."
        f"{getattr(error, 'name', '?')}): run `pip install -e .` or "
        "`python setup.py build_ext --inplace` in the source tree; this needs "
        "a C compiler with OpenMP support."
    ) from error

__all__ = ["hopfield", "sparse_relax"]
