"""The ion-level figures 1-4: each runs in --quick mode and its checks are real.

One module-scoped run of ``neurorelax figures --quick`` (numpy target, two
worker processes) makes figures 1-4; the tests then read its files and
report. A second group breaks a model parameter on purpose (no GABA in the
lateral-inhibition network) and sees the check fail. The helpers that turn
saved traces into checks are tested on synthetic data with known answers.
"""

import json
import os

import numpy as np
import pytest

from neurorelax.cli import main as cli_main
from neurorelax.scripting import load_script

ION_FIGURES = {
    "fig01_membrane_relaxation": 5,
    "fig02_action_potential": 6,
    "fig03_ei_network": 2,
    "fig04_lateral_inhibition": 2,
}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """Run figures 1-4 once in quick mode; return (exit status, out folder)."""
    out = tmp_path_factory.mktemp("figures")
    status = cli_main(
        [
            "figures",
            "--quick",
            "--device",
            "numpy",
            "--jobs",
            "2",
            "--no-progress",
            "--out",
            str(out),
            "--only",
            *ION_FIGURES,
        ]
    )
    return status, out


@pytest.mark.slow
def test_quick_run_passes_every_check(quick_run):
    status, out = quick_run
    report = json.loads((out / "report.json").read_text())
    failed = [c for c in report["checks"] if not c["passed"]]
    assert status == 0, (failed, [f["error"] for f in report["figures"]])
    assert report["passed"] is True
    assert report["settings"]["quick"] is True


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ION_FIGURES))
def test_figure_files_and_report_entries(quick_run, name):
    _, out = quick_run
    report = json.loads((out / "report.json").read_text())
    record = {item["name"]: item for item in report["figures"]}[name]
    assert record["status"] == "passed"
    assert len(record["checks"]) == ION_FIGURES[name]
    for check in record["checks"]:
        assert check["figure"] == name
        assert isinstance(check["measured"], float)
        assert check["target"]
    assert (out / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / f"{name}.pdf").read_bytes()[:4] == b"%PDF"
    assert f"| {name} |" in (out / "report.md").read_text()


@pytest.mark.slow
def test_model_results_record_provenance(quick_run):
    from neurorelax.results import load_results

    _, out = quick_run
    for model in (
        "membrane_relaxation",
        "action_potential",
        "ei_network",
        "lateral_inhibition",
    ):
        metadata = load_results(out / "data" / f"{model}.h5").metadata
        assert (metadata["quick"], metadata["seed"], metadata["device"]) == (
            True,
            0,
            "numpy",
        )
        assert set(load_script(model).METRICS) <= set(metadata["metrics"])


@pytest.mark.slow
def test_removing_gabaa_breaks_the_lateral_inhibition_check(tmp_path):
    model = load_script("lateral_inhibition")
    figure = load_script("fig04_lateral_inhibition", kind="figures")
    from neurorelax.results import load_results

    model.run(tmp_path, params={"w_inh": "0 nS"}, quick=True, device="numpy")
    checks = figure.make_figure(
        {"lateral_inhibition": load_results(tmp_path / "lateral_inhibition.h5")},
        tmp_path,
    )

    by_name = {check.name: check for check in checks}
    broken = by_name["selectivity with the inhibitory pool at 10 % contrast"]
    assert not broken.passed
    assert broken.measured < 1.5


# -- the helpers that compute checks, on synthetic data ------------------------


def test_membrane_helpers_recover_known_values():
    fig = load_script("fig01_membrane_relaxation", kind="figures")
    t = np.linspace(0, 60, 601)

    tau = fig.fit_time_constant(t, -70 + 30 * np.exp(-t / 6.5))
    crossing = fig.zero_crossing(np.linspace(-100, 0, 11), np.linspace(-2, 3, 11))

    assert tau == pytest.approx(6.5, rel=1e-6)
    assert crossing == pytest.approx(-60.0)
    concentrations = {"K_out": 5.0, "K_in": 140.0}
    assert fig.nernst_formula_mV("K", concentrations, 37.0) == pytest.approx(
        -89.06, abs=0.01
    )


def test_onset_tells_type_one_from_type_two():
    fig = load_script("fig02_action_potential", kind="figures")
    current = np.linspace(0, 10, 11)
    type_two = np.where(current >= 6, 50.0 + current, 0.0)
    type_one = np.where(current >= 3, 8.0 * (current - 2.5), 0.0)
    always = np.full(11, 12.0)

    assert fig.onset(current, type_two, 1.0, 2) == (6.0, 56.0)
    assert fig.onset(current, type_one, 1.0, 2) == (3.0, 4.0)
    assert all(np.isnan(fig.onset(current, always, 1.0, 2)))  # no silent range


def test_selectivity_floors_silent_losers():
    fig = load_script("fig04_lateral_inhibition", kind="figures")
    rates = np.array([[30.0, 0.0, 0.0, 0.0], [30.0, 20.0, 20.0, 20.0]])

    assert fig.selectivity(rates, 0.5).tolist() == [60.0, 1.5]


def test_ei_network_refuses_a_sweep_without_the_compared_condition(tmp_path):
    model = load_script("ei_network")
    blocks = model.conditions(dict(model.PARAMETERS, w_inh_factors=(0.5, 1)))

    with pytest.raises(ValueError, match=r"w_inh_factors must contain 0 .* got"):
        model._find(blocks, "w_inh", 0.0)


def test_model_scripts_refuse_unknown_parameters(tmp_path):
    model = load_script("membrane_relaxation")
    with pytest.raises(ValueError, match=r"unknown parameter 'g_X' for membrane"):
        model.run(tmp_path, params={"g_X": "1 nS"}, quick=True, device="numpy")


@pytest.mark.slow
@pytest.mark.standalone
def test_lateral_inhibition_sweep_reuses_one_binary(tmp_path, monkeypatch):
    """Two runs with other w_inh and contrast compile the project at most once."""
    monkeypatch.setenv("NEURORELAX_BUILD_DIR", str(tmp_path / "build"))
    model = load_script("lateral_inhibition")
    from neurorelax.ion import compile_count

    first = model.run(tmp_path, quick=True, device="cpp_standalone")
    project = tmp_path / "build" / "lateral_inhibition_quick"
    compiled = compile_count(project)
    second = model.run(
        tmp_path,
        params={"w_inh": "0 nS", "contrast": 0.2},
        quick=True,
        device="cpp_standalone",
    )

    assert compiled == 1
    assert compile_count(project) == 1
    assert first["selectivity_with"] >= 3
    assert second["selectivity_with"] < 1.5
    assert os.path.isdir(project)


def test_selectivity_index_is_bounded_and_needs_no_floor():
    model = load_script("lateral_inhibition")
    rates = [[10.0, 0, 0, 0], [5.0, 5, 5, 5], [0.0, 0, 0, 0], [0.0, 2, 2, 2]]
    index = model.selectivity_index(rates)
    np.testing.assert_allclose(index, [1.0, 0.0, np.nan, -1.0])
    # the ratio of the first row is set by the floor alone
    assert model.selectivity(rates[0], floor=0.01) == pytest.approx(1000.0)
