"""Divisive normalization and k-winners-take-all keep activity bounded."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from neurorelax.graph import Graph, divisive_normalization, k_winners_take_all
from neurorelax.graph.reference import divisive_pool

RING = Graph(np.roll(np.eye(8), 1, axis=1) + np.roll(np.eye(8), -1, axis=1))


@settings(max_examples=60, deadline=None)
@given(
    activation=arrays(
        np.float64, (8, 2), elements=st.floats(0, 1e6, allow_subnormal=False)
    ),
    sigma=st.floats(1e-3, 10),
    exponent=st.floats(0.5, 4),
    r_max=st.floats(0.1, 100),
    dtype=st.sampled_from([np.float32, np.float64]),
    pooled=st.booleans(),
)
def test_divisive_normalization_stays_within_its_bound(
    activation, sigma, exponent, r_max, dtype, pooled
):
    x = activation.astype(dtype)
    y = divisive_normalization(
        x, RING if pooled else None, sigma=sigma, exponent=exponent, r_max=r_max
    )
    assert y.dtype == dtype and y.shape == x.shape
    assert np.all(y >= 0)
    assert np.all(y <= r_max * (1 + 1e-6))
    # y <= r_max x^n / sigma^n as well (tight for weak input).
    bound = r_max * x.astype(np.float64) ** exponent / sigma**exponent
    assert np.all(y <= bound * (1 + 1e-5) + 1e-30)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_divisive_normalization_matches_reference(rng, dtype):
    x = rng.random((8, 3)).astype(dtype)
    x0 = x.copy()
    y = divisive_normalization(x, RING, sigma=0.5, exponent=2.0, r_max=3.0)
    expected = divisive_pool(RING.weights, x.astype(np.float64) ** 2, 0.25, 3.0)
    np.testing.assert_allclose(y, expected, rtol=1e-5 if dtype == np.float32 else 1e-13)
    np.testing.assert_array_equal(x, x0)


def test_divisive_normalization_selects_the_strongest_input():
    pool = Graph(np.ones((4, 4)) - np.eye(4))
    x = np.array([1.0, 1.1, 1.0, 1.0])
    y = divisive_normalization(x, pool, sigma=0.05, exponent=8)
    assert np.argmax(y) == 1
    assert y[1] / np.delete(y, 1).mean() > 2


def test_k_winners_take_all_keeps_exactly_k(rng):
    x = rng.random((20, 4))
    y = k_winners_take_all(x, 3)
    assert np.all(np.count_nonzero(y, axis=0) == 3)
    for column in range(4):
        winners = np.argsort(x[:, column])[-3:]
        np.testing.assert_array_equal(y[winners, column], x[winners, column])
    binary = k_winners_take_all(x, 3, binary=True)
    np.testing.assert_array_equal(binary, (y > 0).astype(float))


def test_k_winners_ties_go_to_the_lower_index():
    np.testing.assert_array_equal(
        k_winners_take_all([1.0, 2.0, 2.0, 2.0], 2), [0.0, 2.0, 2.0, 0.0]
    )


@settings(max_examples=40, deadline=None)
@given(
    activation=arrays(np.float64, (10,), elements=st.floats(0, 1e9)),
    k=st.integers(1, 10),
)
def test_k_winners_take_all_is_bounded(activation, k):
    y = k_winners_take_all(activation, k)
    assert np.count_nonzero(y) <= k
    assert np.all((y >= 0) & (y <= activation.max()))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: divisive_normalization([1.0, -0.5]),
            r"activation must be non-negative; entry \(1,\) is",
        ),
        (
            lambda: divisive_normalization([1.0, np.nan]),
            r"activation must contain only finite values; entry \(1,\) is",
        ),
        (
            lambda: divisive_normalization(np.ones(3), RING),
            r"activation must have 8 rows, one per node",
        ),
        (
            lambda: divisive_normalization(np.ones(8), RING, sigma=0.0),
            r"sigma must be a finite number > 0, got 0.0",
        ),
        (
            lambda: divisive_normalization(np.ones(8), RING, exponent=-1),
            r"exponent must be a finite number > 0, got -1",
        ),
        (
            lambda: divisive_normalization(np.ones(2), sp.csr_array(-np.ones((2, 2)))),
            r"graph: weights must be non-negative",
        ),
        (
            lambda: k_winners_take_all(np.ones(3), 4),
            r"k must be at most the node count 3, got 4",
        ),
        (
            lambda: k_winners_take_all(np.ones(3), 0),
            r"k must be an integer >= 1, got 0",
        ),
        (
            lambda: k_winners_take_all(5.0, 1),
            r"activation must have 1 or 2 dimension\(s\), got shape \(\)",
        ),
    ],
)
def test_bad_normalization_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
