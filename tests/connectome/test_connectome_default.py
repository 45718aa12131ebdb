"""The default connectome against its source file, read independently here."""

import importlib.resources
import logging
import zipfile

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components

from neurorelax.connectome import TVB_CONNECTOMES, default_connectome, load, read


def source_arrays():
    """weights.txt and the centres labels of connectivity_76.zip, via numpy."""
    package = importlib.resources.files("tvb_data.connectivity")
    with zipfile.ZipFile(str(package / "connectivity_76.zip")) as archive:
        weights = np.loadtxt(archive.open("weights.txt"))
        labels = [
            line.split()[0]
            for line in archive.read("centres.txt").decode().splitlines()
            if line.strip()
        ]
    return weights, labels


@pytest.fixture(scope="module")
def expected():
    """The preparation recomputed with dense numpy on the source file."""
    weights, labels = source_arrays()
    prepared = (weights + weights.T) / 2.0
    np.fill_diagonal(prepared, 0.0)
    _, membership = connected_components(prepared > 0, directed=False)
    keep = np.flatnonzero(membership == np.argmax(np.bincount(membership)))
    prepared = prepared[np.ix_(keep, keep)]
    return {
        "source": weights,
        "weights": prepared / prepared.max(),
        "labels": [labels[i] for i in keep],
        "edges": int(np.count_nonzero(np.triu(prepared, 1))),
    }


def test_default_connectome_matches_its_source(expected):
    graph = default_connectome()

    assert graph.name == "tvb76_prepared"
    assert graph.n_nodes == len(expected["labels"]) == 74
    assert graph.n_edges == expected["edges"] == 881
    assert graph.labels == expected["labels"]
    np.testing.assert_allclose(graph.to_dense(), expected["weights"], rtol=1e-12)


def test_default_connectome_is_symmetric_connected_and_normalised():
    graph = default_connectome()

    assert not graph.directed and graph.is_symmetric
    assert graph.n_components == 1 and graph.isolated_nodes.size == 0
    assert graph.weights.max() == 1.0
    assert graph.weights.diagonal().max() == 0.0
    assert graph.positions.shape == (74, 3)
    assert graph.tract_lengths.nnz == graph.weights.nnz


def test_default_connectome_logs_each_preparation_step(caplog):
    with caplog.at_level(logging.INFO, logger="neurorelax.connectome"):
        default_connectome()

    assert "tvb76: removed 66 self-connection(s)" in caplog.text
    assert "symmetrised (mean): 1494 directed connections" in caplog.text
    assert "kept 74 of 76 nodes (removed 'rCC', 'lCC')" in caplog.text
    assert "normalised (max): divided by the maximum weight 3" in caplog.text


def test_raw_tvb76_keeps_the_stored_matrix(expected):
    raw = read("tvb76")

    np.testing.assert_array_equal(raw.weights.toarray(), expected["source"])
    assert raw.n_self_connections == np.count_nonzero(np.diag(expected["source"]))


@pytest.mark.parametrize(
    ("name", "n_nodes"),
    [("tvb66", 66), ("tvb68", 68), ("tvb96", 96), ("tvb192", 192)],
)
def test_other_builtin_connectomes_load(name, n_nodes):
    raw = read(name)

    assert raw.n_nodes == n_nodes and len(raw.labels) == n_nodes
    assert raw.positions.shape == (n_nodes, 3)
    assert raw.tract_lengths is not None
    graph = load(name, symmetrise="mean", largest_component=True)
    assert graph.n_components == 1 and not graph.directed


def test_builtin_names_cover_the_package():
    assert set(TVB_CONNECTOMES) == {"tvb66", "tvb68", "tvb76", "tvb96", "tvb192"}


def test_load_default_refuses_extra_preparation_and_kept_self_loops():
    with pytest.raises(ValueError, match=r"source 'default' is already prepared"):
        load("default", normalise="row")
    with pytest.raises(
        ValueError, match=r"remove_self_connections must be True for load\(\)"
    ):
        load("tvb76", remove_self_connections=False)
