"""Bad `neurorelax compare` input is refused before anything is simulated;
`--replot` writes beside its file."""

import json

import h5py
import numpy as np
import pytest

from neurorelax.bridge.assembly import AssemblyParameters
from neurorelax.bridge.comparison import check_seed, plan_protocol, run_comparison
from neurorelax.cli import main
from neurorelax.cli.compare import network_parameters, resolve_graph
from neurorelax.results import save_results

SEED_RANGE = "--seed must be an integer in [0, 2**32 - 1 = 4294967295]"


def _compare(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", *argv])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--duration", "nan"], "--duration must be a finite number > 0, got nan"),
        (["--duration", "inf"], "--duration must be a finite number > 0, got inf"),
        (["--seed", "-1"], f"{SEED_RANGE}, got -1"),
        (["--seed", "99999999999"], f"{SEED_RANGE}, got 99999999999"),
        (["--train-nodes", "1,1"], "--train-nodes: node indices must not repeat"),
        (["--train-nodes", ","], "--train-nodes: expected comma-separated node"),
        (["--test-nodes", "a"], "--test-nodes: expected comma-separated integer"),
        (["--neurons-per-node", "100000"], "--neurons-per-node = 100000 gives abo"),
        (["--set", "cell=foo"], "cell must be one of 'hh_squid', 'traub_miles'"),
        (["--set", "n_background=1.5"], "--set n_background: expected an integer"),
    ],
)
def test_cli_refuses_bad_options(capsys, tmp_path, argv, message):
    out = tmp_path / "out"
    code, err = _compare(
        capsys, "ring:10", "--device", "numpy", "--out", str(out), *argv
    )
    assert code == 2
    assert "neurorelax compare: error: " in err
    assert message in err
    assert "Traceback" not in err
    assert "stage" not in err  # no progress bar before the error
    assert not out.exists()


@pytest.mark.parametrize(
    ("graph", "message"),
    [("ring:abc", "'ring:abc' is malformed"), ("grid:3", "'grid:3' is malformed")],
)
def test_cli_refuses_malformed_graph_specs(capsys, tmp_path, graph, message):
    code, err = _compare(capsys, graph, "--device", "numpy", "--out", str(tmp_path))
    assert code == 2
    assert message in err


@pytest.mark.parametrize(
    "spec", ["small_world:12,4,0.1", "sbm:2x5,0.5,0.05", "grid:2x3"]
)
def test_resolve_graph_accepts_every_graph_spec(spec):
    assert resolve_graph(spec).n_nodes > 1


def test_cli_refuses_a_file_or_unwritable_out_before_simulating(capsys, tmp_path):
    somefile = tmp_path / "somefile"
    somefile.write_text("x")
    code, err = _compare(capsys, "ring:10", "--device", "numpy", "--out", str(somefile))
    assert code == 2
    assert "--out" in err and "exists and is not a folder" in err
    below = somefile / "sub"
    code, err = _compare(capsys, "ring:10", "--device", "numpy", "--out", str(below))
    assert code == 2
    assert "is not a writable folder" in err


def test_cli_replot_of_a_folder_or_non_hdf5_file_is_one_line(capsys, tmp_path):
    code, err = _compare(capsys, "--replot", str(tmp_path))
    assert code == 2
    assert "--replot" in err and "is a folder" in err
    bogus = tmp_path / "comparison.h5"
    bogus.write_text("not hdf5")
    code, err = _compare(capsys, "--replot", str(bogus), "--out", str(tmp_path))
    assert code == 2
    assert "comparison.h5" in err
    assert len(err.strip().splitlines()) == 1


def test_network_parameters_name_the_parameter():
    with pytest.raises(ValueError, match=r"--set n_background: expected an integer"):
        network_parameters(["n_background=1.5"])
    with pytest.raises(ValueError, match=r"cell must be one of .*got 'foo'"):
        network_parameters(["cell=foo"])


def test_network_parameters_refuse_a_parameter_set_twice():
    with pytest.raises(
        ValueError,
        match=r"^--set dt is given twice; give each parameter once \(got "
        r"'dt=0\.05 ms' after an earlier --set dt=\.\.\.\)$",
    ):
        network_parameters(["dt=0.1 ms", "dt=0.05 ms"])


def test_background_inputs_fire_at_most_once_a_step():
    from brian2 import Hz, kHz, ms

    assert AssemblyParameters(nu_background=10 * kHz, dt=0.1 * ms)
    assert AssemblyParameters(nu_background=1e12 * Hz, n_background=0)
    with pytest.raises(
        ValueError,
        match=r"^nu_background must be a rate in \[0, 1 / dt\] = \[0, 10000 Hz\] "
        r"\(a background input fires at most once a step\), got 10\.001 kHz$",
    ):
        AssemblyParameters(nu_background=10.001 * kHz, dt=0.1 * ms)


def test_conductances_are_bounded_by_a_microsiemens():
    from brian2 import nS, uS

    assert AssemblyParameters(g_inter=1 * uS)
    with pytest.raises(
        ValueError,
        match=r"^g_inter must be a conductance in \[0, 1000 nS\], got 1e\+300 nS$",
    ):
        AssemblyParameters(g_inter=1e300 * nS)


def test_library_checks_seed_duration_nodes_and_size():
    with pytest.raises(
        ValueError,
        match=r"seed must be an integer in \[0, 2\*\*32 - 1 = 4294967295\], "
        r"got 1099511627776$",
    ):
        check_seed(2**40)
    with pytest.raises(ValueError, match=r"duration must be a finite number > 0"):
        plan_protocol(10, float("nan"))
    with pytest.raises(ValueError, match=r"train_nodes must not repeat a node"):
        plan_protocol(10, 20.0, train_nodes=(1, 1), test_nodes=(2,))
    with pytest.raises(ValueError, match=r"neurons_per_node = 100000 gives about"):
        run_comparison(
            resolve_graph("ring:10"),
            params=AssemblyParameters(),
            neurons_per_node=100000,
            duration_=20.0,
            device="numpy",
        )


def test_an_absurd_duration_is_refused_before_planning_epochs():
    with pytest.raises(ValueError, match=r"duration must give at most 1,000,000 r"):
        plan_protocol(10, 1e15)


def test_a_long_duration_warns_of_its_cost(capsys, caplog, tmp_path):
    somefile = tmp_path / "somefile"
    somefile.write_text("x")
    argv = ["ring:10", "--device", "numpy", "--duration", "1000", "--out"]
    code, err = _compare(capsys, *argv, str(somefile))
    assert code == 2
    assert "--duration 1000 s: simulating" in caplog.text
    assert "exists and is not a folder" in err


def _saved_comparison(folder):
    """Save a small made-up comparison (2 stimuli, 3 nodes) as folder/comparison.h5."""
    from neurorelax.bridge.comparison import (
        MODELS,
        ComparisonResult,
        save_comparison,
    )

    rng = np.random.default_rng(0)
    measured = rng.random((2, 3, 20))
    arrays = {
        "measured": measured,
        "tau_spiking": np.array([0.02, 0.01]),
        "tau_graph/diffusion": np.array([0.02, 0.012]),
        "tau_theory/diffusion": np.array([0.02, 0.011]),
    }
    metrics = {
        "n_spikes": 1000,
        "effective_graph_r": 0.95,
        "r2_ceiling_test": 0.9,
        "r2_ceiling_test_unstimulated": 0.8,
        "tau_spiking_0": 0.02,
        "tau_graph_0/diffusion": 0.02,
    }
    for name in MODELS:
        arrays[f"predicted/{name}"] = measured + 0.1
        for key in ("r2_test", "r2_test_unstimulated", "r2_train"):
            metrics[f"{key}/{name}"] = 0.85
        metrics |= {
            f"node_corr_median/{name}": 0.9,
            f"gamma/{name}": 50.0,
            f"decay/{name}": 10.0,
        }
    metrics["eta/extended"] = -5.0
    metadata = {
        "graph": "ring3",
        "n_nodes": 3,
        "protocol": {"train_nodes": [0], "test_nodes": [1]},
        "coarse_graining": {"bin_width": 1e-3},
    }
    folder.mkdir()
    h5, _ = save_comparison(ComparisonResult(arrays, metrics, metadata), folder)
    return h5


def test_cli_replot_writes_beside_the_file_unless_out_is_given(
    capsys, tmp_path, monkeypatch
):
    h5 = _saved_comparison(tmp_path / "run")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    assert main(["compare", "--replot", str(h5)]) == 0
    assert (tmp_path / "run" / "comparison.png").stat().st_size > 0
    assert not (elsewhere / "compare_out").exists()
    out = capsys.readouterr().out
    assert "R2 test" in out and f"wrote {tmp_path / 'run' / 'comparison.png'}" in out

    # a relative FILE in the working directory: the PNG goes there too
    monkeypatch.chdir(tmp_path / "run")
    (tmp_path / "run" / "comparison.png").unlink()
    assert main(["compare", "--replot", "comparison.h5"]) == 0
    assert (tmp_path / "run" / "comparison.png").stat().st_size > 0

    # an explicit --out still wins
    other = tmp_path / "other"
    assert main(["compare", "--replot", str(h5), "--out", str(other)]) == 0
    assert (other / "comparison.png").stat().st_size > 0
    assert sorted(p.name for p in other.iterdir()) == ["comparison.png"]


def _edit_metadata(h5, change):
    """Rewrite the JSON metadata of a saved comparison with ``change(dict)``."""
    with h5py.File(h5, "r+") as handle:
        metadata = json.loads(handle.attrs["metadata"])
        change(metadata)
        handle.attrs["metadata"] = json.dumps(metadata)


def _model_result(folder):
    folder.mkdir()
    path = folder / "lateral_inhibition.h5"
    save_results(path, {"rates": np.ones((4, 10))}, {"model": "x", "seed": 0})
    return path


def _plain(folder):
    folder.mkdir()
    path = folder / "plain.h5"
    with h5py.File(path, "w") as handle:
        handle["x"] = np.arange(3)
    return path


def _without_tau_spiking(folder):
    h5 = _saved_comparison(folder)
    with h5py.File(h5, "r+") as handle:
        del handle["tau_spiking"]
    return h5


def _no_test_nodes(folder):
    h5 = _saved_comparison(folder)
    _edit_metadata(h5, lambda m: m["protocol"].update(test_nodes=[]))
    return h5


def _metadata_not_json(folder):
    h5 = _saved_comparison(folder)
    with h5py.File(h5, "r+") as handle:
        handle.attrs["metadata"] = "not json"
    return h5


def _metadata_a_list(folder):
    h5 = _saved_comparison(folder)
    with h5py.File(h5, "r+") as handle:
        handle.attrs["metadata"] = "[1, 2]"
    return h5


def _no_n_spikes(folder):
    h5 = _saved_comparison(folder)
    _edit_metadata(h5, lambda m: m["metrics"].pop("n_spikes"))
    return h5


def _text_bin_width(folder):
    h5 = _saved_comparison(folder)
    _edit_metadata(h5, lambda m: m["coarse_graining"].update(bin_width="1 ms"))
    return h5


def _wrong_prediction_shape(folder):
    h5 = _saved_comparison(folder)
    with h5py.File(h5, "r+") as handle:
        del handle["predicted/extended"]
        handle["predicted/extended"] = np.zeros((2, 3))
    return h5


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_model_result, "dataset(s) 'measured', 'predicted/diffusion', "),
        (_plain, "it has no 'metadata' attribute"),
        (_without_tau_spiking, "dataset(s) 'tau_spiking' missing"),
        (_no_test_nodes, "metadata protocol.test_nodes is empty"),
        (_metadata_not_json, "its 'metadata' attribute is not JSON (Expecting value"),
        (_metadata_a_list, "its 'metadata' attribute is not a JSON object (got list)"),
        (_no_n_spikes, "metric(s) 'n_spikes' missing"),
        (_text_bin_width, "coarse_graining.bin_width is not a number > 0, got '1 ms'"),
        (_wrong_prediction_shape, "dataset 'predicted/extended' has shape (2, 3)"),
    ],
)
def test_cli_replot_of_a_file_that_is_not_a_comparison_is_one_line(
    capsys, tmp_path, make, message
):
    h5 = make(tmp_path / "run")
    code, err = _compare(capsys, "--replot", str(h5))
    assert code == 2
    assert err.startswith(f"neurorelax compare: error: --replot {str(h5)!r} is not ")
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "run" / "comparison.png").exists()


def test_cli_replot_accepts_metrics_that_json_kept_as_text(capsys, tmp_path):
    h5 = _saved_comparison(tmp_path / "run")
    _edit_metadata(h5, lambda m: m["metrics"].update({"r2_test/diffusion": "nan"}))

    assert main(["compare", "--replot", str(h5)]) == 0
    assert (tmp_path / "run" / "comparison.png").stat().st_size > 0
    assert "nan" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--smoothing", "1e300"], "--smoothing must be at most --duration (20000 ms)"),
        (["--smoothing", "500"], "--smoothing must be at most the 350 ms stimulus ep"),
        (["--smoothing", "0"], "--smoothing must be at least --bin (1 ms), got 0 ms"),
        (["--bin", "100", "--smoothing", "100"], "--bin must leave at least 10 bins"),
        (
            ["--bin", "1e-6"],
            "nodes x --duration / --bin = 74 x 20 s / 1e-06 ms gives "
            "1,480,000,000,000 recorded rate bins, more than the 100,000,000 "
            "allowed; widen --bin or shorten --duration",
        ),
        (["--duration", "1"], "--duration must be at least 2.25 s to fit"),
        (["--duration", "500 ms"], "--duration must be at least 2.25 s to fit"),
        (["--smoothing", "0.5 s"], "--smoothing must be at most the 350 ms stimulus"),
        (
            ["--bin", "2 ms", "--smoothing", "1 ms"],
            "--smoothing must be at least --bin",
        ),
        (
            ["--duration", "3 mV"],
            "argument --duration: expected a time in s or with its unit (such as "
            "'500 ms'); time: expected a value in units of second, got 3. * mvolt",
        ),
        (
            ["--bin", "one"],
            "argument --bin: expected a time in ms or with its unit (such as "
            "'500 ms'); time: could not parse 'one'",
        ),
        (["--train-nodes", "1,2", "--test-nodes", "2"], "--test-nodes must differ"),
    ],
)
def test_cli_checks_bins_smoothing_and_protocol_before_building(
    capsys, tmp_path, monkeypatch, argv, message
):
    import neurorelax.bridge.comparison as comparison

    def no_run(*args, **kwargs):
        raise AssertionError("the comparison must not run")

    monkeypatch.setattr(comparison, "run_comparison", no_run)
    out = tmp_path / "out"
    code, err = _compare(capsys, "--device", "numpy", "--out", str(out), *argv)
    assert code == 2
    assert f"neurorelax compare: error: {message}" in err
    assert "smoothing_width" not in err and "bin_width" not in err
    assert not out.exists()


def test_cli_refuses_an_absurd_duration_compactly_and_without_warning(
    capsys, caplog, tmp_path
):
    code, err = _compare(capsys, "--device", "numpy", "--duration", "1e308")
    assert code == 2
    assert (
        "error: --duration / dt = 1e+308 s / 0.1 ms gives 1e+312 time steps, more "
        "than the 100,000,000 allowed; shorten --duration" in err
    )
    assert len(err) < 300
    assert "may take hours" not in caplog.text


def test_cli_refuses_a_huge_network_without_an_overflow_warning(capsys, recwarn):
    code, err = _compare(capsys, "--device", "numpy", "--neurons-per-node", "100000000")
    assert code == 2
    assert "--neurons-per-node = 100000000 gives about 3.76e+18 synapses" in err
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_cli_replot_refuses_missing_graph_mode_times(capsys, tmp_path):
    h5 = _saved_comparison(tmp_path / "run")
    _edit_metadata(h5, lambda m: m["metrics"].pop("tau_graph_0/diffusion"))
    code, err = _compare(capsys, "--replot", str(h5))
    assert code == 2
    assert "metric(s) 'tau_graph_0/diffusion' missing" in err
    assert "Traceback" not in err
    assert not (tmp_path / "run" / "comparison.png").exists()


def test_cli_replot_refuses_a_graph_and_run_options(capsys, tmp_path):
    h5 = _saved_comparison(tmp_path / "run")
    argv = ["tvb192", "--duration", "5", "--seed", "3", "--replot", str(h5)]
    code, err = _compare(capsys, *argv)
    assert code == 2
    assert (
        f"error: --replot {str(h5)!r} redraws a saved comparison and runs nothing, "
        "so it takes none of the graph 'tvb192', --duration, --seed; drop them" in err
    )
    assert not (tmp_path / "run" / "comparison.png").exists()


@pytest.mark.parametrize(
    ("graph", "nodes"),
    [("ring:100000", "100,000"), ("sbm:1000x1000,0.001,0.000001", "1,000,000")],
)
def test_cli_refuses_a_graph_too_large_before_building_it(
    capsys, tmp_path, graph, nodes
):
    code, err = _compare(capsys, graph, "--device", "numpy", "--out", str(tmp_path))
    assert code == 2
    assert (
        f"neurorelax compare: error: graph '{graph}' has {nodes} nodes; at most "
        "10,000 are allowed here" in err
    )


def test_library_refuses_a_graph_too_large_before_densifying():
    from neurorelax.connectome import generators

    with pytest.raises(
        ValueError,
        match=r"^graph has 10,001 nodes; the comparison takes at most 10,000 \(it "
        r"holds dense node-by-node matrices\)$",
    ):
        run_comparison(generators.ring(10_001), duration_=5.0)
