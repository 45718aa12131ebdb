"""Preparation steps: values computed by hand, logs, order, input untouched."""

import logging

import numpy as np
import pytest

from neurorelax.connectome import RawConnectome, generators, prepare
from neurorelax.connectome.preparation import (
    keep_strongest,
    largest_component,
    log_transform,
    normalise,
    remove_self_connections,
    symmetrise,
    threshold,
)
from neurorelax.graph import Graph

TRIANGLE = np.array([[0.0, 1.0, 3.0], [1.0, 0.0, 2.0], [3.0, 2.0, 0.0]])


def raw_of(matrix, **keywords):
    return RawConnectome.from_arrays(np.asarray(matrix, dtype=float), **keywords)


def dense(raw):
    return raw.weights.toarray()


def test_remove_self_connections_logs_the_count(caplog):
    raw = raw_of([[5.0, 1.0], [1.0, 2.0]], name="loops")

    with caplog.at_level(logging.INFO, logger="neurorelax.connectome"):
        result = remove_self_connections(raw)

    np.testing.assert_array_equal(dense(result), [[0, 1], [1, 0]])
    assert "loops: removed 2 self-connection(s)" in caplog.text
    np.testing.assert_array_equal(dense(raw), [[5, 1], [1, 2]])  # input kept


@pytest.mark.parametrize(("how", "expected"), [("mean", 3.0), ("max", 4.0)])
def test_symmetrise(how, expected, caplog):
    raw = raw_of([[0.0, 4.0, 1.0], [2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], name="w")

    with caplog.at_level(logging.INFO, logger="neurorelax.connectome"):
        result = symmetrise(raw, how)

    assert result.is_symmetric and result.directed is False
    assert dense(result)[0, 1] == dense(result)[1, 0] == expected
    assert dense(result)[0, 2] == (0.5 if how == "mean" else 1.0)
    assert "3 directed connections (1 without a reverse connection) -> 2" in (
        caplog.text
    )


def test_symmetrise_gives_one_way_tract_lengths_both_ways():
    raw = raw_of([[0.0, 1.0], [0.0, 0.0]], tract_lengths=[[0.0, 7.0], [0.0, 0.0]])

    result = symmetrise(raw, "mean")

    np.testing.assert_array_equal(result.tract_lengths.toarray(), [[0, 7], [7, 0]])


def test_threshold_removes_weaker_connections(caplog):
    with caplog.at_level(logging.INFO, logger="neurorelax.connectome"):
        result = threshold(raw_of(TRIANGLE), 2.0)

    np.testing.assert_array_equal(dense(result), [[0, 0, 3], [0, 0, 2], [3, 2, 0]])
    assert "threshold 2: 3 undirected edges -> 2 undirected edges" in caplog.text


@pytest.mark.parametrize(
    ("fraction", "kept"), [(1.0, 3), (0.5, 2), (0.34, 2), (0.33, 1), (0.01, 1)]
)
def test_keep_strongest_fraction(fraction, kept):
    result = keep_strongest(raw_of(TRIANGLE), fraction)

    assert result.n_edges() == kept
    assert dense(result)[0, 2] == 3.0  # the strongest edge always stays


def test_keep_strongest_keeps_ties_at_the_cut():
    tied = np.array([[0.0, 2.0, 2.0], [2.0, 0.0, 1.0], [2.0, 1.0, 0.0]])

    result = keep_strongest(raw_of(tied), 0.3)

    np.testing.assert_array_equal(dense(result), [[0, 2, 2], [2, 0, 0], [2, 0, 0]])


def test_log_transform_is_log1p():
    result = log_transform(raw_of(TRIANGLE))

    np.testing.assert_allclose(dense(result), np.log1p(TRIANGLE))


def test_normalise_by_max_and_total():
    by_max = normalise(raw_of(TRIANGLE), "max")
    by_total = normalise(raw_of(TRIANGLE), "total")

    np.testing.assert_allclose(dense(by_max), TRIANGLE / 3.0)
    np.testing.assert_allclose(dense(by_total), TRIANGLE / 12.0)


def test_normalise_by_row_makes_a_directed_graph(caplog):
    with caplog.at_level(logging.INFO, logger="neurorelax.connectome"):
        result = normalise(raw_of(TRIANGLE), "row")

    expected = TRIANGLE / np.array([[4.0], [3.0], [5.0]])
    np.testing.assert_allclose(dense(result), expected)
    assert not result.is_symmetric
    assert result.to_graph().directed
    assert "the result is asymmetric: a directed graph" in caplog.text


def test_largest_component_keeps_metadata_and_logs_removed_labels(caplog):
    matrix = np.zeros((5, 5))
    matrix[0, 1] = matrix[1, 0] = 1.0
    matrix[1, 2] = matrix[2, 1] = 2.0
    matrix[3, 4] = matrix[4, 3] = 5.0
    raw = raw_of(
        matrix,
        labels=list("abcde"),
        positions=np.arange(15.0).reshape(5, 3),
        tract_lengths=10 * matrix,
        name="two",
    )

    with caplog.at_level(logging.INFO, logger="neurorelax.connectome"):
        result = largest_component(raw)

    assert result.labels == ["a", "b", "c"]
    np.testing.assert_array_equal(result.positions, np.arange(9.0).reshape(3, 3))
    np.testing.assert_array_equal(dense(result), matrix[:3, :3])
    np.testing.assert_array_equal(result.tract_lengths.toarray(), 10 * matrix[:3, :3])
    assert "kept 3 of 5 nodes (removed 'd', 'e')" in caplog.text


def test_prepare_runs_steps_in_order_and_normalises_last():
    # Node 2 carries the strongest weight but sits outside the largest
    # component; normalising after selecting the component gives max 1.
    matrix = np.zeros((5, 5))
    matrix[0, 1], matrix[1, 0] = 1.0, 3.0
    matrix[1, 3] = matrix[3, 1] = 1.0
    matrix[2, 4] = matrix[4, 2] = 10.0
    matrix[0, 0] = 7.0

    result = prepare(
        raw_of(matrix), symmetrise="mean", largest_component=True, normalise="max"
    )

    np.testing.assert_allclose(dense(result), [[0, 1, 0], [1, 0, 0.5], [0, 0.5, 0]])
    assert result.labels == ["0", "1", "3"]


def test_prepare_accepts_and_returns_a_graph():
    graph = generators.ring(6, weight=(1.0, 2.0), seed=3)
    before = graph.to_dense()

    result = prepare(graph, normalise="total")

    assert isinstance(result, Graph)
    assert result.labels == graph.labels
    np.testing.assert_allclose(
        result.to_dense(), graph.to_dense() / graph.weights.sum()
    )
    np.testing.assert_array_equal(graph.to_dense(), before)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"symmetrise": "median"}, r"symmetrise must be one of 'mean', 'max'; got"),
        ({"normalise": "sum"}, r"normalise must be one of 'max', 'total', 'row'"),
        ({"threshold": -1.0}, r"threshold must be a finite number >= 0, got -1\.0"),
        ({"keep_fraction": 0.0}, r"keep_fraction must be a finite number in \(0"),
        ({"keep_fraction": 1.5}, r"keep_fraction must be .* got 1\.5"),
    ],
)
def test_prepare_refuses_bad_options_before_any_step(options, message):
    with pytest.raises(ValueError, match=message):
        prepare(raw_of(TRIANGLE), **options)


def test_normalise_without_connections():
    with pytest.raises(ValueError, match=r"normalise='max' needs at least one conn"):
        normalise(raw_of(np.zeros((3, 3)), name="empty"), "max")
