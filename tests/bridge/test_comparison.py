"""The comparison chain: refusals before simulating, saving, the command line."""

import json

import numpy as np
import pytest

from neurorelax.bridge import comparison
from neurorelax.bridge.comparison import (
    ComparisonResult,
    load_comparison,
    plan_protocol,
    run_comparison,
    save_comparison,
)
from neurorelax.bridge.metrics import r_squared
from neurorelax.cli import main as cli_main
from neurorelax.connectome import generators


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if the chain reaches the simulation."""

    def simulate(*args, **kwargs):
        raise AssertionError("the simulation started")

    monkeypatch.setattr(comparison, "_simulate", simulate)


def test_graph_size_not_matching_the_network_is_refused(no_simulation):
    with pytest.raises(
        ValueError,
        match="graph must have n_nodes = 10 nodes to "
        "match the network, got a graph with 8",
    ):
        run_comparison(generators.ring(8), n_nodes=10, duration_=5.0)


def test_stimulating_a_missing_node_is_refused(no_simulation):
    with pytest.raises(
        ValueError,
        match=r"stimulus node must be an integer in "
        r"\[0, 7\]",
    ):
        run_comparison(
            generators.ring(8), duration_=5.0, train_nodes=(0, 9), test_nodes=(4,)
        )


def test_smoothing_shorter_than_the_bin_is_refused(no_simulation):
    with pytest.raises(ValueError, match="smoothing_width must be at least bin_width"):
        run_comparison(
            generators.ring(8), duration_=5.0, bin_width_=2e-3, smoothing_width_=1e-3
        )


def test_run_too_short_to_fit_is_refused(no_simulation):
    with pytest.raises(
        ValueError,
        match=r"duration must be at least 2.25 s to "
        r"fit the graph model",
    ):
        run_comparison(generators.ring(8), duration_=1.0)


def test_overlapping_train_and_test_nodes_are_refused(no_simulation):
    with pytest.raises(ValueError, match="test_nodes must differ from train_nodes"):
        run_comparison(
            generators.ring(8), duration_=5.0, train_nodes=(0, 1), test_nodes=(1,)
        )


def test_protocol_repeats_every_stimulus_in_its_windows():
    protocol = plan_protocol(8, 3.0, train_nodes=(0, 2), test_nodes=(5,))
    assert protocol.repetitions == 2
    assert protocol.duration_ == pytest.approx(0.5 + 2 * 3 * 0.35)
    stimuli = protocol.stimuli()
    assert sorted(s.node for s in stimuli) == [0, 0, 2, 2, 5, 5]
    starts = sorted(float(s.start) for s in stimuli)
    assert np.allclose(np.diff(starts), 0.35)


def test_noise_ceiling_of_a_noisy_measurement():
    rng = np.random.default_rng(0)
    signal = np.sin(np.linspace(0, 20, 4000))
    noise_variance = np.full_like(signal, 0.25 * signal.var())
    measured = signal + rng.normal(0, np.sqrt(noise_variance))
    ceiling = comparison.noise_ceiling(measured, noise_variance)
    assert ceiling == pytest.approx(0.8, abs=0.02)
    # the noise-free response reaches about the ceiling
    assert r_squared(signal, measured) == pytest.approx(ceiling, abs=0.03)


def _metrics(r2_diffusion, unstimulated_diffusion, unstimulated_extended):
    metrics = {
        "r2_test/diffusion": r2_diffusion,
        "r2_test/extended": 0.9,
        "r2_test_unstimulated/diffusion": unstimulated_diffusion,
        "r2_test_unstimulated/extended": unstimulated_extended,
        "r2_ceiling_test": 0.95,
        "r2_ceiling_test_unstimulated": 0.5,
        "eta/extended": -90.0,
        "gamma/extended": 100.0,
    }
    metrics.update({f"tau_spiking_{k}": np.nan for k in range(2)})
    metrics.update({f"tau_graph_{k}/diffusion": 0.008 for k in range(2)})
    return metrics


def test_diagnosis_says_why_diffusion_misses_the_spread():
    text = comparison.diagnose(_metrics(0.85, 0.1, 0.45), 2)
    assert "reaches the target R^2 >= 0.8" in text
    assert "diffusion 20%, extended 90%" in text
    assert "Diffusion conserves activity" in text
    assert "closes that gap" in text

    text = comparison.diagnose(_metrics(0.6, 0.1, 0.2), 2)
    assert "misses the target R^2 >= 0.8" in text
    assert "narrows that gap" in text


def test_diagnosis_names_what_a_regular_graph_leaves_unidentified():
    metrics = _metrics(0.9, 0.45, 0.46)
    metrics.update(
        {"strength_mean": 2.0, "strength_spread": 0.0, "decay/extended": 629.0}
    )
    text = comparison.diagnose(metrics, 2)
    assert (
        "Every node has the same strength (2), so the strength leak acts as one "
        "more uniform decay: the extended model's eta and decay are not separately "
        "identified here, only decay + eta * strength = 449/s." in text
    )
    metrics["strength_spread"] = 0.3
    assert "same strength" not in comparison.diagnose(metrics, 2)
    del metrics["strength_spread"]  # a result saved before the metric existed
    assert "same strength" not in comparison.diagnose(metrics, 2)


def test_diagnosis_without_a_gap_says_nothing_about_one():
    text = comparison.diagnose(_metrics(0.9, 0.45, 0.46), 2)
    assert "conserves" not in text


def test_saved_comparison_reloads(tmp_path):
    result = ComparisonResult(
        arrays={
            "measured": np.ones((2, 3, 4)),
            "predicted/diffusion": np.zeros((2, 3, 4)),
            "spike_t": np.arange(5.0),
        },
        metrics={"r2_test/diffusion": 0.5},
        metadata={"graph": "ring3"},
    )
    h5, js = save_comparison(result, tmp_path)
    loaded = load_comparison(h5)
    assert loaded.metrics == {"r2_test/diffusion": 0.5}
    assert loaded.metadata["graph"] == "ring3"
    assert np.array_equal(loaded.arrays["predicted/diffusion"], np.zeros((2, 3, 4)))
    assert json.loads(js.read_text())["metrics"]["r2_test/diffusion"] == 0.5


EXPECTED_METRICS = (
    [
        "effective_graph_r",
        "baseline_rate_mean",
        "peak_activation",
        "n_spikes",
        "wall_time",
        "r2_ceiling_test",
        "r2_ceiling_test_unstimulated",
    ]
    + [f"tau_spiking_{k}" for k in range(6)]
    + [
        f"{key}/{model}"
        for model in ("diffusion", "extended")
        for key in (
            "r2_test",
            "r2_test_unstimulated",
            "r2_train",
            "node_corr_median",
            "gamma",
            "decay",
            "gain",
            "coupling",
            "static_gain",
        )
    ]
    + [
        f"tau_graph_{k}/{model}"
        for model in ("diffusion", "extended")
        for k in range(6)
    ]
    + ["eta/extended"]
)


@pytest.mark.slow
def test_compare_command_end_to_end_on_numpy(tmp_path, capsys):
    out = tmp_path / "out"
    status = cli_main(
        [
            "compare",
            "ring:6",
            "--device",
            "numpy",
            "--duration",
            "1.6",
            "--neurons-per-node",
            "16",
            "--train-nodes",
            "0,3",
            "--test-nodes",
            "1",
            "--smoothing",
            "5",
            "--out",
            str(out),
        ]
    )
    assert status == 0

    data = json.loads((out / "comparison.json").read_text())
    missing = [key for key in EXPECTED_METRICS if key not in data["metrics"]]
    assert not missing
    assert data["metrics"]["effective_graph_r"] >= 0.9
    assert (out / "comparison.png").stat().st_size > 10_000
    printed = capsys.readouterr().out
    assert "R2 test" in printed
    # ring:6 is regular: every node has strength 2
    assert data["metrics"]["strength_mean"] == 2.0
    assert data["metrics"]["strength_spread"] == 0.0
    assert "Every node has the same strength (2)" in printed

    # the saved result re-plots without running anything
    status = cli_main(
        [
            "compare",
            "--replot",
            str(out / "comparison.h5"),
            "--out",
            str(tmp_path / "replot"),
        ]
    )
    assert status == 0
    assert (tmp_path / "replot" / "comparison.png").exists()


@pytest.mark.slow
@pytest.mark.standalone
def test_comparison_runs_on_cpp_standalone(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURORELAX_BUILD_DIR", str(tmp_path / "build"))
    result = run_comparison(
        generators.ring(5),
        neurons_per_node=10,
        duration_=1.6,
        seed=1,
        device="cpp_standalone",
        train_nodes=(0, 2),
        test_nodes=(4,),
        smoothing_width_=5e-3,
    )
    assert result.metrics["n_spikes"] > 1000
    assert result.metrics["effective_graph_r"] >= 0.9
    assert (tmp_path / "build" / "bridge_5n_10c_s1").is_dir()
    stimulated = result.arrays["measured"][2, 4]
    assert stimulated[60:140].mean() > 10.0


def test_unknown_device_is_refused(no_simulation):
    with pytest.raises(ValueError, match="device must be one of"):
        run_comparison(generators.ring(8), duration_=5.0, device="gpu")


def test_one_round_warns_that_the_noise_ceiling_needs_two(caplog):
    with caplog.at_level("WARNING", logger="neurorelax.bridge.comparison"):
        one = plan_protocol(8, 2.25, seed=0)
    assert one.repetitions == 1
    assert "noise ceiling needs at least two" in caplog.text
    caplog.clear()

    with caplog.at_level("WARNING", logger="neurorelax.bridge.comparison"):
        two = plan_protocol(8, 2 * one.duration_, seed=0)
    assert two.repetitions >= 2
    assert "noise ceiling" not in caplog.text


def test_diagnosis_says_why_the_noise_ceiling_is_missing():
    metrics = _metrics(0.85, 0.1, 0.45)
    metrics["r2_ceiling_test"] = metrics["r2_ceiling_test_unstimulated"] = np.nan
    text = comparison.diagnose(metrics, 2)
    assert "not estimated (it needs at least two rounds" in text
    assert "nan" not in text.split("Noise ceiling")[1].split(".")[0]
