"""Coarse-graining spikes into node activations; effective graphs."""

import numpy as np
import pytest

from neurorelax.bridge.coarse import (
    bin_spikes,
    coarse_grain,
    effective_graph,
    smooth_rates,
)


def test_bin_spikes_matches_a_per_node_histogram():
    rng = np.random.default_rng(1)
    neuron_ids = rng.integers(0, 30, 5000)
    times = rng.uniform(-0.1, 1.1, 5000)
    assembly_of = np.repeat(np.arange(3), 10)
    assembly_of[5] = -1  # left out

    counts = bin_spikes(neuron_ids, times, assembly_of, 3, 0.0, 1.0, 0.01)

    edges = np.linspace(0.0, 1.0, 101)
    nodes = assembly_of[neuron_ids]
    reference = np.stack([np.histogram(times[nodes == k], edges)[0] for k in range(3)])
    assert np.array_equal(counts, reference)


def test_binning_does_not_modify_its_input():
    times = np.array([0.0015, 0.0025])
    bin_spikes(np.array([0, 1]), times, np.array([0, 0]), 1, 0.0, 0.01, 1e-3)
    assert times.tolist() == [0.0015, 0.0025]


@pytest.mark.parametrize("kernel", ["gaussian", "box", "exponential"])
def test_smoothing_keeps_a_constant_rate(kernel):
    rates = np.full((2, 200), 7.0)
    smoothed = smooth_rates(rates, 1e-3, 5e-3, kernel)
    assert np.allclose(smoothed, 7.0)


def test_gaussian_smoothing_has_the_stated_width():
    impulse = np.zeros(401)
    impulse[200] = 1.0
    smoothed = smooth_rates(impulse, 1e-3, 10e-3, "gaussian")
    t = np.arange(401) - 200.0
    width = np.sqrt(np.sum(smoothed * t**2) / np.sum(smoothed))
    assert width == pytest.approx(10.0, rel=0.01)
    assert smoothed.sum() == pytest.approx(1.0)


def test_exponential_smoothing_is_causal_with_the_stated_time_constant():
    step = np.r_[np.zeros(50), np.ones(500)]
    smoothed = smooth_rates(step, 1e-3, 20e-3, "exponential")
    assert np.all(smoothed[:50] == 0)
    assert smoothed[50 + 20] == pytest.approx(1 - np.exp(-21 / 20), rel=0.03)


def test_rates_are_per_neuron_in_hz_and_baseline_is_subtracted():
    # 10 neurons in node 0, each firing every 10 ms from 0.5 s on: 100 Hz
    times = np.repeat(np.arange(0.5, 1.0, 0.01) + 5e-4, 10)
    neuron_ids = np.tile(np.arange(10), 50)
    assembly_of = np.r_[np.zeros(10, int), np.ones(5, int)]
    result = coarse_grain(
        neuron_ids,
        times,
        assembly_of,
        2,
        t_stop_=1.0,
        bin_width_=0.01,
        smoothing_width_=0.01,
        kernel="box",
        baseline_window_=(0.0, 0.4),
    )
    assert result.rates.shape == (2, 100)
    assert result.rates[0, 60:95] == pytest.approx(100.0)
    assert result.baseline.tolist() == [0.0, 0.0]
    assert np.all(result.rates[1] == 0)
    assert result.times_[0] == pytest.approx(0.005)


def test_smoothing_narrower_than_a_bin_is_refused():
    with pytest.raises(ValueError, match="smoothing_width must be at least bin_width"):
        coarse_grain(
            np.array([0]),
            np.array([0.1]),
            np.array([0]),
            1,
            t_stop_=1.0,
            bin_width_=2e-3,
            smoothing_width_=1e-3,
        )


def test_unknown_kernel_is_refused():
    with pytest.raises(ValueError, match="kernel must be one of"):
        coarse_grain(
            np.array([0]),
            np.array([0.1]),
            np.array([0]),
            1,
            t_stop_=1.0,
            kernel="triangle",
        )


def test_assembly_index_beyond_the_node_count_is_refused():
    with pytest.raises(
        ValueError, match="assembly_of must hold indices < n_assemblies"
    ):
        coarse_grain(np.array([0]), np.array([0.1]), np.array([0, 3]), 2, t_stop_=1.0)


def test_baseline_window_outside_the_run_is_refused():
    with pytest.raises(ValueError, match="baseline_window must overlap"):
        coarse_grain(
            np.array([0]),
            np.array([0.1]),
            np.array([0]),
            1,
            t_stop_=1.0,
            baseline_window_=(2.0, 3.0),
        )


def test_window_shorter_than_a_bin_is_refused():
    with pytest.raises(ValueError, match="t_stop - t_start must be at least one bin"):
        coarse_grain(np.array([0]), np.array([0.1]), np.array([0]), 1, t_stop_=1e-4)


def test_effective_graph_sums_conductances_between_assemblies():
    pre = np.array([0, 1, 2, 3, 0])
    post = np.array([2, 3, 0, 1, 1])
    weights = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    assembly = np.array([0, 0, 1, 1])
    matrix = effective_graph(pre, post, weights, assembly, assembly, 2)
    assert matrix.tolist() == [[16.0, 3.0], [12.0, 0.0]]
