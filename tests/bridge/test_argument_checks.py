"""Bad arguments of the bridge functions are refused up front, by name."""

import numpy as np
import pytest

from neurorelax.bridge import (
    coarse_grain,
    effective_graph,
    fit_graph_model,
    node_correlations,
    pearson_offdiagonal,
    r_squared,
    simulate_graph_model,
)

M = np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("predicted", "measured"),
    [(M[:, None], M), ([2.0], [1.0, 2.0, 3.0])],
)
def test_r_squared_refuses_mismatched_shapes(predicted, measured):
    with pytest.raises(ValueError, match="must have the same shape"):
        r_squared(predicted, measured)


def test_node_correlations_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="must have the same shape"):
        node_correlations(np.ones((1, 2, 5)), np.ones((1, 3, 5)))
    with pytest.raises(ValueError, match="must have 3 dimensions"):
        node_correlations(np.ones((2, 5)), np.ones((2, 5)))


def test_pearson_offdiagonal_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="must have the same shape"):
        pearson_offdiagonal(np.eye(3), np.eye(2))
    with pytest.raises(ValueError, match="must be square"):
        pearson_offdiagonal(np.ones((2, 3)), np.ones((2, 3)))


ASSEMBLY_OF = np.array([0, 0, 1, 1])


def _coarse(ids, times, **changes):
    kwargs = {"assembly_of": ASSEMBLY_OF, "n_assemblies": 2, "t_stop_": 0.1}
    kwargs.update(changes)
    assembly_of = kwargs.pop("assembly_of")
    n_assemblies = kwargs.pop("n_assemblies")
    return coarse_grain(ids, times, assembly_of, n_assemblies, **kwargs)


@pytest.mark.parametrize(
    ("ids", "times", "changes", "message"),
    [
        ([-1], [0.01], {}, r"neuron_ids must be integers in \[0, 4\).*got -1"),
        ([4], [0.01], {}, r"neuron_ids must be integers in \[0, 4\).*got 4"),
        ([2], [0.01], {"assembly_of": [0, 1]}, r"in \[0, 2\).*got 2"),
        ([0.0], [0.01], {}, "neuron_ids must be an array of integers"),
        ([0], [np.nan], {}, "spike_times must contain only finite values"),
        ([0, 1], [0.01], {}, "spike_times and neuron_ids must have the same len"),
        ([0], [0.01], {"assembly_of": [0.0, 1.0]}, "assembly_of must be an array"),
        ([0], [0.01], {"baseline": [1.0, 2.0, 3.0]}, r"baseline must have shape"),
        ([0], [0.01], {"t_stop_": "1"}, "t_stop must be a finite number"),
        ([0], [0.01], {"t_stop_": 1e12}, "more than the limit of"),
        (
            [0],
            [0.01],
            {"smoothing_width_": 1e6},
            r"^smoothing_width must be at most the window t_stop - t_start \(0.1 s\), "
            r"got 1e\+06 s$",
        ),
        (
            np.array([2**64 - 1], dtype=np.uint64),
            [0.01],
            {},
            r"^neuron_ids must hold integers below 2\*\*63, got 18446744073709551615$",
        ),
    ],
)
def test_coarse_grain_refuses_bad_spikes(ids, times, changes, message):
    with pytest.raises(ValueError, match=message):
        _coarse(ids, times, **changes)


def test_coarse_grain_still_counts_valid_spikes():
    grained = _coarse(np.array([0, 3], dtype=np.int32), [0.0105, 0.05])
    assert grained.counts.sum() == 2
    assert _coarse([], []).counts.sum() == 0


def _data(n_steps=40):
    laplacian = np.array([[1.0, -1.0], [-1.0, 1.0]])
    inputs = np.zeros((1, 2, n_steps))
    inputs[0, 0, 5:15] = 1.0
    params = {"gamma": 5.0, "decay": 20.0, "gain": 10.0}
    measured = simulate_graph_model(params, laplacian, inputs, np.zeros((1, 2)), 1e-3)
    return laplacian, inputs, measured


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"skip_steps": -1}, ValueError, "skip_steps must be an integer >= 0"),
        ({"skip_steps": 1.5}, ValueError, "skip_steps must be an integer"),
        ({"fixed": {"gamma": 1.0}}, ValueError, r"\['gamma'\] also in free"),
        ({"fixed": {"gama": 1.0}}, ValueError, "fixed key must be one of"),
        ({"fixed": {"eta": np.nan}}, ValueError, r"params\['eta'\] must be"),
        ({"fixed": [1.0]}, TypeError, "fixed must be a mapping"),
        ({"initial_guess": {"eta": 1.0}}, ValueError, "initial_guess may only"),
    ],
)
def test_fit_graph_model_refuses_bad_options(changes, error, message):
    with pytest.raises(error, match=message):
        fit_graph_model(*_data(), 1e-3, **changes)


@pytest.mark.parametrize(
    ("params", "changes", "error", "message"),
    [
        ({"gama": 1.0}, {}, ValueError, r"unknown name\(s\) \['gama'\]"),
        ({"decay": None}, {}, ValueError, "missing"),
        ({"gamma": np.nan}, {}, ValueError, r"params\['gamma'\] must be a finite"),
        ({"gain": "1"}, {}, ValueError, r"params\['gain'\] must be a finite"),
        ({}, {"dt_": -1e-3}, ValueError, "dt_ must be a finite number > 0"),
        ({}, {"laplacian": np.eye(3)}, ValueError, "inputs must have shape"),
        ({}, {"initial": np.zeros(2)}, ValueError, "initial must have shape"),
        ({}, {"strength": [1.0]}, ValueError, "strength must have shape"),
        ({"m_sat": -1.0}, {}, ValueError, r"params\['m_sat'\] must be a number > 0"),
        ("abc", {}, TypeError, "params must be a mapping"),
    ],
)
def test_simulate_graph_model_refuses_bad_arguments(params, changes, error, message):
    laplacian, inputs, _ = _data()
    base = {"gamma": 1.0, "decay": 1.0, "gain": 1.0}
    if isinstance(params, dict):
        base.update(params)
        base = {key: value for key, value in base.items() if value is not None}
    else:
        base = params
    kwargs = {
        "laplacian": laplacian,
        "inputs": inputs,
        "initial": np.zeros((1, 2)),
        "dt_": 1e-3,
    }
    kwargs.update(changes)
    strength = kwargs.pop("strength", None)
    with pytest.raises(error, match=message):
        simulate_graph_model(base, **kwargs, strength=strength)


def test_fit_graph_model_refuses_data_that_identify_nothing():
    laplacian, inputs, measured = _data()
    with pytest.raises(
        ValueError,
        match=r"^measured must not be all zero: there is nothing to fit \(no "
        r"parameter is identified\), got shape \(1, 2, 40\)$",
    ):
        fit_graph_model(laplacian, inputs, np.zeros_like(measured), 1e-3)
    with pytest.raises(
        ValueError,
        match=r"^inputs must not be all zero when 'gain' is fitted: without input",
    ):
        fit_graph_model(laplacian, np.zeros_like(inputs), measured, 1e-3)


def test_fit_graph_model_still_fits():
    result = fit_graph_model(*_data(), 1e-3, skip_steps=2)
    assert result.r_squared > 0.99


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ([0], [5], [1.0], [0], [0], 1),
            r"^post_ids must be integers in \[0, 1\) \(the length of "
            r"post_assembly\), got 5$",
        ),
        (
            ([0, 1], [0], [1.0], [0, 0], [0], 1),
            r"^pre_ids and post_ids must have the same length",
        ),
        (
            ([0], [0], [1.0], [3], [0], 2),
            r"^pre_assembly must hold indices < n_assemblies \(2\)",
        ),
        (([0], [0], [np.nan], [0], [0], 1), r"^conductances must contain only"),
        (
            ([0], [0], [1.0, 2.0], [0], [0], 1),
            r"^conductances must be one value or one per synapse \(1\)",
        ),
        (([0.5], [0], [1.0], [0], [0], 1), r"^pre_ids must be an array of integers"),
    ],
)
def test_effective_graph_refuses_bad_synapses(args, message):
    with pytest.raises(ValueError, match=message):
        effective_graph(*args)


def test_simulate_graph_model_refuses_an_overflowing_run():
    laplacian, inputs, _ = _data()
    params = {"gamma": 1.0, "decay": -1e3, "gain": 1e300}
    with pytest.raises(ValueError, match=r"^the activation overflowed with params"):
        simulate_graph_model(params, laplacian, inputs, np.zeros((1, 2)), 1e-3)
    saturating = {"gamma": 1e300, "decay": 1.0, "gain": 1.0, "m_sat": 1.0}
    with pytest.raises(
        ValueError, match=r"sub-steps per step for the saturating model, more than"
    ):
        simulate_graph_model(
            saturating,
            laplacian,
            inputs,
            np.zeros((1, 2)),
            1e-3,
            nonlinearity="saturating",
        )


def test_fit_graph_model_refuses_a_step_off_the_scale_of_the_data():
    laplacian, inputs, measured = _data()
    with pytest.raises(
        ValueError,
        match=r"^the model overflows at the starting values .* dt_ = 1e\+300 s",
    ):
        fit_graph_model(laplacian, inputs, measured, 1e300)
