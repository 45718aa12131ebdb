"""The ``weight`` option: which edge attribute of a GraphML/GEXF file holds weights.

It applies to GraphML and GEXF files only; other sources store one weight
per connection, so a different ``weight`` is refused there rather than
ignored, and a name no edge carries is refused rather than read as unit
weights.
"""

import networkx as nx
import numpy as np
import pytest

from neurorelax.connectome import from_spec, load, read


@pytest.fixture
def two_weights(tmp_path):
    """A GraphML and a GEXF file whose edges carry 'strength' and 'count'."""
    graph = nx.Graph()
    graph.add_edge("a", "b", strength=0.5, count=12.0)
    graph.add_edge("b", "c", strength=2.0, count=3.0)
    graphml = tmp_path / "two.graphml"
    gexf = tmp_path / "two.gexf"
    nx.write_graphml(graph, graphml)
    nx.write_gexf(graph, gexf)
    return graphml, gexf


def test_the_chosen_attribute_gives_the_weights(two_weights):
    for path in two_weights:
        strength = read(path, weight="strength").weights.toarray()
        count = load(path, weight="count").weights.toarray()
        np.testing.assert_array_equal(strength[[0, 1], [1, 2]], [0.5, 2.0])
        np.testing.assert_array_equal(count[[0, 1], [1, 2]], [12.0, 3.0])
        np.testing.assert_array_equal(strength, strength.T)


def test_an_attribute_no_edge_carries_is_refused(two_weights):
    for path in two_weights:
        with pytest.raises(
            ValueError,
            match=rf"{path.name}: no edge has the attribute weight='strenght'; "
            r"the edges' attributes are: .*count.*strength",
        ):
            read(path, weight="strenght")


def test_the_default_attribute_may_be_absent(two_weights):
    # networkx's convention: edges without a weight weigh 1.
    weights = read(two_weights[0]).weights.toarray()
    np.testing.assert_array_equal(weights[[0, 1], [1, 2]], [1.0, 1.0])


@pytest.mark.parametrize("suffix", ["csv", "tsv", "zip", "edges", "npy", "npz"])
def test_other_files_refuse_a_weight_attribute(fixture_files, suffix):
    path = fixture_files[suffix]
    message = (
        r"weight \(the edge attribute holding the weights\) applies only to "
        rf"GraphML and GEXF files; '.*{path.name}' is a \.{suffix} file, which "
        r"stores one weight per connection; got weight='strength'"
    )
    with pytest.raises(ValueError, match=message):
        read(path, weight="strength")
    with pytest.raises(ValueError, match=message):
        load(path, weight="strength", normalise="max")


def test_built_in_names_and_generators_refuse_a_weight_attribute():
    with pytest.raises(ValueError, match=r"'tvb76' is a built-in connectome, which"):
        read("tvb76", weight="strength")
    with pytest.raises(ValueError, match=r"'default' is the prepared default conn"):
        load("default", weight="strength")
    with pytest.raises(ValueError, match=r"'ring:6' is a generator spec, which"):
        from_spec("ring:6", weight="strength")


@pytest.mark.parametrize("bad", ["", "  ", None, 3, b"weight"])
def test_weight_must_name_an_attribute(two_weights, bad):
    with pytest.raises(
        ValueError, match=r"^weight must name the edge attribute holding the weights"
    ):
        read(two_weights[0], weight=bad)
