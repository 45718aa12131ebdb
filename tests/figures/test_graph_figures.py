"""Tests of the graph-level model scripts and figures 5-9.

Every model script runs in ``--quick`` mode into a temporary folder, its
figure script draws from the saved results, and the test checks the PNG and
PDF files and the checks (named, finite, passing). Further tests break one
parameter of a model on purpose and see the matching check fail, which shows
that the checks measure the model rather than restate their targets.
"""

import math

import numpy as np
import pytest

from neurorelax.plotting import Check
from neurorelax.results import load_results
from neurorelax.scripting import load_script

# Model script -> figure script, and the number of checks the figure makes.
PAIRS = {
    "graph_diffusion": ("fig05_heat_equation", 2),
    "jacobi_relaxation": ("fig06_jacobi_relaxation", 4),
    "spectral_decay": ("fig07_spectral_decay", 1),
    "replay": ("fig08_replay", 4),
    "attractor": ("fig09_attractor", 2),
}


def run_pair(model_name, out_dir, params=None, draw=True):
    """Run a model quickly and return its figure's checks and the figure NAME.

    With ``draw`` the figure is drawn into ``out_dir`` by ``make_figure``;
    without, only ``make_checks`` turns the saved measurements into checks.
    """
    figure_name = PAIRS[model_name][0]
    model = load_script(model_name)
    data = out_dir / "data"
    model.run(data, params=params, seed=0, quick=True, device="runtime")
    figure = load_script(figure_name, kind="figures")
    assert figure.MODELS == (model_name,)
    results = {model_name: load_results(data / f"{model_name}.h5")}
    if not draw:
        return figure.make_checks(results), figure.NAME
    return figure.make_figure(results, out_dir), figure.NAME


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    """Every model and figure of this file, run once in quick mode."""
    out_dir = tmp_path_factory.mktemp("graph_figures")
    runs = {name: run_pair(name, out_dir) for name in PAIRS}
    return out_dir, runs


def check_named(checks, fragment):
    """Return the one check whose name contains ``fragment``."""
    found = [check for check in checks if fragment in check.name]
    assert len(found) == 1, [check.name for check in checks]
    return found[0]


@pytest.mark.parametrize("model_name", sorted(PAIRS))
def test_figure_files_and_checks(quick_runs, model_name):
    out_dir, runs = quick_runs
    checks, figure_name = runs[model_name]

    for extension in ("png", "pdf"):
        path = out_dir / f"{figure_name}.{extension}"
        assert path.is_file() and path.stat().st_size > 10_000, path
    assert len(checks) == PAIRS[model_name][1]
    assert len({check.name for check in checks}) == len(checks)
    for check in checks:
        assert isinstance(check, Check)
        assert check.name and check.target
        assert math.isfinite(check.measured), check
        assert check.passed, check


@pytest.mark.parametrize("model_name", sorted(PAIRS))
def test_checks_without_drawing_match_the_figure(quick_runs, model_name):
    out_dir, runs = quick_runs
    figure = load_script(PAIRS[model_name][0], kind="figures")
    results = {model_name: load_results(out_dir / "data" / f"{model_name}.h5")}

    assert figure.make_checks(results) == runs[model_name][0]


@pytest.mark.parametrize("model_name", sorted(PAIRS))
def test_result_metadata_follows_the_runner_contract(quick_runs, model_name):
    out_dir, _ = quick_runs
    model = load_script(model_name)
    metadata = load_results(out_dir / "data" / f"{model_name}.h5").metadata

    assert metadata["quick"] is True and metadata["seed"] == 0
    assert metadata["device"] == "runtime"
    assert set(model.METRICS) <= set(metadata["metrics"])
    assert set(model.PARAMETERS) == set(metadata["parameters"])


def test_graph_models_use_the_default_connectome(quick_runs):
    out_dir, _ = quick_runs
    for name in ("graph_diffusion", "jacobi_relaxation", "spectral_decay", "replay"):
        metadata = load_results(out_dir / "data" / f"{name}.h5").metadata
        assert metadata["graph"] == "tvb76_prepared", name


def test_heat_equation_measurements(quick_runs):
    out_dir, _ = quick_runs
    result = load_results(out_dir / "data" / "graph_diffusion.h5")
    a, metrics = result.arrays, result.metadata["metrics"]

    # Implicit Euler shifts the slow rate by about gamma dt lambda_2 / 2.
    gamma_dt_lambda_2 = metrics["gamma_lambda_2"] * 1e-3
    assert metrics["decay_rate_rel_error"] == pytest.approx(
        gamma_dt_lambda_2 / 2, rel=0.05
    )
    assert np.allclose(a["total"], 1.0, rtol=1e-10)
    assert a["activity"][0].argmax() == 0
    assert np.all(np.diff(a["deviation"]) <= 0)


def test_broken_diffusion_solver_breaks_conservation(tmp_path):
    # A loose Jacobi tolerance per step leaks activation: the total drifts.
    checks, _ = run_pair("graph_diffusion", tmp_path, {"jacobi_tol": 1e-6}, draw=False)

    assert not check_named(checks, "total activation").passed


def test_loose_jacobi_disagrees_with_direct_solve(tmp_path):
    checks, _ = run_pair(
        "jacobi_relaxation", tmp_path, {"jacobi_tol": 1e-4}, draw=False
    )

    assert not check_named(checks, "against direct solve").passed
    assert check_named(checks, "convergence factor").passed


def test_coarse_step_misses_mode_decay_rates(tmp_path):
    # gamma dt lambda_10 / 2 is about 6 % with dt = 2 ms.
    checks, _ = run_pair("spectral_decay", tmp_path, {"dt": "2 ms"}, draw=False)

    assert not check_named(checks, "decay rates of modes").passed


def test_without_replay_the_replayed_patterns_fade(tmp_path):
    checks, _ = run_pair("replay", tmp_path, {"replay_rate": "0 Hz"}, draw=False)

    assert not check_named(checks, "overlap of replayed patterns").passed
    assert check_named(checks, "without replay").passed


def test_random_cue_is_not_recognised(tmp_path):
    checks, _ = run_pair("attractor", tmp_path, {"corruption": 0.5}, draw=False)

    assert not check_named(checks, "overlap with the cued pattern").passed
    assert check_named(checks, "energy increase").passed


def test_model_command_line_writes_result(tmp_path, capsys):
    model = load_script("jacobi_relaxation")

    status = model.main(["--quick", "--out", str(tmp_path), "--seed", "3"])

    assert status == 0
    assert load_results(tmp_path / "jacobi_relaxation.h5").metadata["seed"] == 3
    assert "observed_factor" in capsys.readouterr().out


def test_start_node_out_of_range_is_refused(tmp_path):
    model = load_script("graph_diffusion")

    with pytest.raises(ValueError, match=r"start_node must be a node index in"):
        model.run(tmp_path, params={"start_node": 500}, quick=True)


def test_too_many_fitted_modes_are_refused(tmp_path):
    model = load_script("spectral_decay")

    with pytest.raises(ValueError, match=r"n_fit_modes must be at most n_nodes - 1"):
        model.run(tmp_path, params={"n_fit_modes": 200}, quick=True)


def test_more_patterns_than_communities_are_refused(tmp_path):
    model = load_script("replay")

    with pytest.raises(
        ValueError,
        match=r"^replay: n_patterns = 50, but Louvain finds 6 communities of the "
        r"default connectome at community_resolution = 2; lower n_patterns or "
        r"raise community_resolution$",
    ):
        model.run(tmp_path, params={"n_patterns": 50}, quick=True)
    assert not list(tmp_path.iterdir())


def test_parameter_without_unit_is_refused(tmp_path):
    model = load_script("replay")

    with pytest.raises(ValueError, match=r"replay_rate: expected a value in units"):
        model.run(tmp_path, params={"replay_rate": 100.0}, quick=True)
