"""Replay keeps replayed patterns against decay; unreplayed ones fade."""

import networkx as nx
import numpy as np
import pytest

from neurorelax.graph import (
    Graph,
    RestSchedule,
    eigenmodes,
    high_frequency_share,
    pattern_overlap,
    simulate_replay,
)

SIZES = [15, 15, 15, 15]


@pytest.fixture(scope="module")
def blocks():
    """Four weakly linked blocks, one stored 0/1 pattern per block."""
    probabilities = [[0.5 if i == j else 0.01 for j in range(4)] for i in range(4)]
    graph = Graph(nx.stochastic_block_model(SIZES, probabilities, seed=3))
    patterns = np.zeros((60, 4))
    for block in range(4):
        patterns[15 * block : 15 * (block + 1), block] = 1.0
    return graph, patterns


def run(blocks, **keywords):
    graph, patterns = blocks
    settings = dict(
        gamma=0.1,
        decay_rate=1.0,
        duration=10.0,
        dt=0.02,
        replay_rate=40.0,
        schedule=RestSchedule(0.2, 0.1),
        replayed=[0, 1],
        record_every=5,
    )
    settings.update(keywords)
    return simulate_replay(graph, patterns, **settings)


def test_replayed_patterns_survive_ten_time_constants(blocks):
    result = run(blocks)
    final = result.overlaps[-1]
    assert result.times[-1] == pytest.approx(10.0)  # 10 / decay_rate
    assert np.all(final[[0, 1]] >= 0.8)
    assert np.all(final[[2, 3]] <= 0.1)
    np.testing.assert_allclose(result.overlaps[0], 1.0)


def test_without_replay_everything_fades(blocks):
    result = run(blocks, replay_rate=0.0)
    assert np.all(result.overlaps[-1] <= 0.1)
    assert result.states[-1].sum() <= 0.01 * result.states[0].sum()


def test_replay_keeps_patterns_but_loses_detail(blocks):
    graph, patterns = blocks
    modes = eigenmodes(graph)
    noisy = patterns.sum(axis=1) + 0.3 * np.random.default_rng(4).random(60)
    result = run(blocks, initial=noisy)
    assert np.all(result.overlaps[-1][[0, 1]] >= 0.8)
    share = [high_frequency_share(s, modes) for s in result.states[[0, -1]]]
    assert share[1] < 0.5 * share[0]


def test_hebbian_replay_strengthens_edges_inside_replayed_patterns(blocks):
    graph, _ = blocks
    result = run(blocks, hebbian_rate=0.5, duration=2.0)
    before, after = graph.to_dense(), result.graph.to_dense()
    inside = np.ix_(range(15), range(15))
    outside = np.ix_(range(30, 45), range(30, 45))
    assert after[inside].sum() > 1.3 * before[inside].sum()
    np.testing.assert_array_equal(after[outside], before[outside])
    np.testing.assert_array_equal(after > 0, before > 0)
    assert np.all(result.overlaps[-1][[0, 1]] >= 0.8)


def test_rest_schedule():
    schedule = RestSchedule(period=1.0, duration=0.25, offset=0.5)
    np.testing.assert_array_equal(
        schedule.is_rest([0.0, 0.5, 0.7, 0.8, 1.6]), [False, True, True, False, True]
    )
    assert schedule.rest_fraction == 0.25


def test_pattern_overlap_definition():
    patterns = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(pattern_overlap([0.5, 0.5, 2.0], patterns), [0.5, 1.0])
    spins = np.array([[1.0], [-1.0], [1.0], [1.0]])
    assert pattern_overlap(np.array([1.0, -1.0, -1.0, 1.0]), spins)[0] == 0.5


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        (
            {"patterns": np.ones((5, 2))},
            r"patterns must have 60 rows \(one per node, shape \(60, n_patterns\)\)",
        ),
        (
            {"patterns": np.zeros((60, 2))},
            r"patterns must have no all-zero column; column 0 is zero",
        ),
        ({"gamma": 0.0}, r"gamma must be a finite number > 0, got 0.0"),
        ({"dt": -1.0}, r"dt must be a finite number > 0, got -1.0"),
        ({"decay_rate": np.nan}, r"decay_rate must be a finite number > 0, got nan"),
        ({"replayed": [4]}, r"replayed must hold indices in \[0, 3\], got \[4\]"),
        ({"schedule": 0.5}, r"schedule must be a RestSchedule, got float"),
        ({"initial": np.ones(3)}, r"initial must have 60 rows"),
    ],
)
def test_bad_replay_input(blocks, keywords, message):
    graph, patterns = blocks
    settings = dict(
        gamma=0.1,
        decay_rate=1.0,
        duration=1.0,
        dt=0.1,
        replay_rate=1.0,
        schedule=RestSchedule(1.0, 0.5),
    )
    settings.update(keywords)
    patterns = settings.pop("patterns", patterns)
    with pytest.raises(ValueError, match=message):
        simulate_replay(graph, patterns, **settings)


def test_bad_schedule():
    with pytest.raises(
        ValueError,
        match=r"duration must be at most period=1.0, "
        r"got 2.0",
    ):
        RestSchedule(1.0, 2.0)
