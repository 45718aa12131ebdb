"""Cython kernels against their numpy references, over dtypes and index types."""

import numpy as np
import pytest
import scipy.sparse as sp

from neurorelax.graph import reference
from neurorelax.kernels import hopfield, sparse_relax

TOL = {np.float32: 2e-5, np.float64: 1e-13}


def operator(n=40, seed=0, index_dtype=np.int32):
    """A = diag(a) + N with N = -c W for a random symmetric W."""
    rng = np.random.default_rng(seed)
    w = sp.random_array((n, n), density=0.15, rng=rng, format="csr")
    w = sp.csr_array(w + w.T)
    w.setdiag(0)
    w.eliminate_zeros()
    off = sp.csr_array(-0.7 * w)
    off.indptr = off.indptr.astype(index_dtype)
    off.indices = off.indices.astype(index_dtype)
    diagonal = 1.0 + 0.7 * np.asarray(w.sum(axis=1)).ravel()
    return off, diagonal


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("n_patterns", [None, 1, 3])
@pytest.mark.parametrize("omega", [1.0, 0.6])
def test_jacobi_sweep_matches_reference(dtype, index_dtype, n_patterns, omega):
    off, diagonal = operator(index_dtype=index_dtype)
    rng = np.random.default_rng(1)
    shape = (40,) if n_patterns is None else (40, n_patterns)
    b, x = rng.random(shape).astype(dtype), rng.random(shape).astype(dtype)
    b0, x0 = b.copy(), x.copy()

    out, residual_sq = sparse_relax.jacobi_sweep(
        off.indptr,
        off.indices,
        off.data.astype(dtype),
        diagonal.astype(dtype),
        b,
        x,
        omega=omega,
    )
    matrix = off + sp.diags_array(diagonal)
    expected, expected_sq = reference.jacobi_sweep(
        matrix, b0.astype(np.float64), x0.astype(np.float64), omega
    )
    assert out.dtype == dtype and out.shape == shape
    np.testing.assert_allclose(out, expected, rtol=TOL[dtype], atol=TOL[dtype])
    np.testing.assert_allclose(residual_sq, expected_sq, rtol=10 * TOL[dtype])
    np.testing.assert_array_equal(b, b0)
    np.testing.assert_array_equal(x, x0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_operator_apply_matches_reference(dtype, index_dtype):
    off, diagonal = operator(index_dtype=index_dtype)
    x = np.random.default_rng(2).random((40, 2)).astype(dtype)
    out = sparse_relax.operator_apply(
        off.indptr, off.indices, off.data, diagonal, x, alpha=1.0, beta=-0.3
    )
    expected = reference.operator_apply(
        off + sp.diags_array(diagonal), x.astype(np.float64), 1.0, -0.3
    )
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_divisive_pool_matches_reference(dtype, n_threads):
    off, _ = operator()
    weights = sp.csr_array(-off)
    drive = np.random.default_rng(3).random((40, 3)).astype(dtype)
    out = sparse_relax.divisive_pool(
        weights.indptr,
        weights.indices,
        weights.data,
        drive,
        0.25,
        2.0,
        n_threads=n_threads,
    )
    expected = reference.divisive_pool(weights, drive.astype(np.float64), 0.25, 2.0)
    np.testing.assert_allclose(out, expected, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_hopfield_sweep_matches_pure_python(dtype, index_dtype):
    rng = np.random.default_rng(4)
    xi = np.sign(rng.standard_normal((50, 3)))
    weights = sp.csr_array(xi @ xi.T / 50 - np.diag(np.full(50, 3 / 50)))
    weights.eliminate_zeros()
    thresholds = rng.normal(0, 0.05, 50)
    order = rng.permutation(50)
    cues = np.sign(rng.standard_normal((4, 50))).astype(dtype)
    expected = [reference.hopfield_sweep(weights, thresholds, order, c) for c in cues]

    states = cues.copy()
    flips = hopfield.hopfield_sweep(
        weights.indptr.astype(index_dtype),
        weights.indices.astype(index_dtype),
        weights.data,
        thresholds,
        order,
        states,
    )
    np.testing.assert_array_equal(states, np.array([s for s, _ in expected]))
    np.testing.assert_array_equal(flips, [f for _, f in expected])


def test_threads_give_identical_sweeps():
    off, diagonal = operator(n=500, seed=5)
    b = np.random.default_rng(6).random((500, 2))
    one, r1 = sparse_relax.jacobi_sweep(
        off.indptr, off.indices, off.data, diagonal, b, b, n_threads=1
    )
    two, r2 = sparse_relax.jacobi_sweep(
        off.indptr, off.indices, off.data, diagonal, b, b, n_threads=2
    )
    np.testing.assert_array_equal(one, two)
    np.testing.assert_allclose(r1, r2, rtol=1e-12)


def test_kernel_shape_errors():
    off, diagonal = operator()
    x = np.zeros((40, 2))
    with pytest.raises(ValueError, match=r"indptr must have shape \(42,\) for 41"):
        sparse_relax.jacobi_sweep(
            off.indptr,
            off.indices,
            off.data,
            diagonal,
            np.zeros((41, 2)),
            np.zeros((41, 2)),
        )
    with pytest.raises(ValueError, match=r"rhs must have the shape of x \(40, 2\)"):
        sparse_relax.jacobi_sweep(
            off.indptr, off.indices, off.data, diagonal, np.zeros((40, 3)), x
        )
    with pytest.raises(ValueError, match=r"diagonal must have shape \(40,\)"):
        sparse_relax.operator_apply(off.indptr, off.indices, off.data, diagonal[:5], x)
    with pytest.raises(ValueError, match="out must not overlap the input state"):
        sparse_relax.operator_apply(
            off.indptr, off.indices, off.data, diagonal, x, out=x
        )
    with pytest.raises(ValueError, match=r"out must have shape \(40, 2\) and dtype"):
        sparse_relax.operator_apply(
            off.indptr,
            off.indices,
            off.data,
            diagonal,
            x,
            out=np.zeros((40, 2), dtype=np.float32),
        )
    with pytest.raises(ValueError, match="states must be a C-contiguous float32"):
        hopfield.hopfield_sweep(
            off.indptr, off.indices, off.data, diagonal, np.arange(40), np.zeros(40)
        )
