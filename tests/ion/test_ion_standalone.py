"""cpp_standalone: same spikes as numpy, one compilation for many runs.

The module compiles one project (module-scoped fixture) and reuses it for
every test here, also from a fresh process.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import ion_small_network as small_network
import numpy as np
import pytest
from brian2 import farad, ms, mV, nS, prefs

from neurorelax.ion import (
    SimulationDiverged,
    StandaloneProject,
    release_project,
    reuse_project,
    simulate,
)

pytestmark = [pytest.mark.standalone, pytest.mark.slow]
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The small network, compiled once for the whole module."""
    directory = tmp_path_factory.mktemp("standalone") / "small_network"
    project = StandaloneProject("small_network", directory)
    with project.define():
        network, monitors, parameters = small_network.define()
        for label, monitor in monitors.items():
            project.add_monitor(monitor, label)
        for label, variable in parameters.items():
            project.add_parameter(label, variable)
        network.run(small_network.DURATION)
    project.build()
    first = project.run()
    yield project, first
    del network


def numpy_spikes():
    data = simulate(small_network.define, small_network.DURATION, device="numpy")
    return np.array(data["spikes"]["i"]), np.array(data["spikes"]["t"] / ms)


def test_numpy_and_standalone_give_the_same_spike_times(project):
    _, first = project
    standalone_i = np.asarray(first["spikes"]["i"])
    standalone_t = np.asarray(first["spikes"]["t"] / ms)

    numpy_i, numpy_t = numpy_spikes()

    assert len(numpy_t) > 50
    order_np = np.lexsort((numpy_i, numpy_t))
    order_sa = np.lexsort((standalone_i, standalone_t))
    np.testing.assert_array_equal(numpy_i[order_np], standalone_i[order_sa])
    np.testing.assert_allclose(numpy_t[order_np], standalone_t[order_sa], atol=1e-9)
    assert prefs.codegen.target == "numpy"


def test_second_run_with_new_weights_reuses_the_binary(project):
    project, first = project

    again = project.run()
    weaker = project.run(params={"w_exc": 0 * nS})

    assert project.compile_count == 1
    assert project.last_build_compiled is True
    np.testing.assert_array_equal(again["spikes"]["t"], first["spikes"]["t"])
    assert len(weaker["spikes"]["t"]) < len(first["spikes"]["t"])


def test_depolarising_gaba_through_run_args_changes_activity(project):
    project, first = project

    depolarising = project.run(params={"E_GABAA": -40 * mV})

    assert len(depolarising["spikes"]["t"]) > len(first["spikes"]["t"])


def test_fresh_process_regenerates_code_without_compiling(project):
    project, first = project

    completed = subprocess.run(
        [
            sys.executable,
            str(HERE / "ion_rebuild_in_fresh_process.py"),
            str(project.directory),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    report = json.loads(completed.stdout.strip().splitlines()[-1])

    assert report == {
        "compiled": False,
        "compile_count": 1,
        "n_spikes": len(first["spikes"]["t"]),
    }


def test_nan_state_after_standalone_run_names_group_and_time(project):
    project, _ = project

    with pytest.raises(
        SimulationDiverged,
        match=r"group 'cells' became NaN or infinite: variable "
        r"'v' of neuron \d+ at t = 0\.\d+ ms",
    ):
        project.run(params={"C_m": 0 * farad})


def test_unknown_run_parameter_is_refused(project):
    project, _ = project

    with pytest.raises(ValueError, match="unknown parameter 'w_foo' for project"):
        project.run(params={"w_foo": 1 * nS})
    with pytest.raises(ValueError, match="w_exc must have units of siemens"):
        project.run(params={"w_exc": 1 * mV})


DEFINITIONS = []


def _define_small_network(project):
    DEFINITIONS.append(project.name)
    network, monitors, parameters = small_network.define()
    for label, monitor in monitors.items():
        project.add_monitor(monitor, label)
    project.add_parameter("w_exc", parameters["w_exc"])
    network.run(small_network.DURATION)
    return network


def test_reuse_project_defines_once_and_notices_a_changed_binary(tmp_path):
    directory = tmp_path / "reused"

    def reuse(structure):
        return reuse_project(
            "reused", _define_small_network, directory=directory, structure=structure
        )

    DEFINITIONS.clear()
    try:
        first = reuse({"a": 1})
        assert reuse({"a": 1}) is first
        assert len(DEFINITIONS) == 1 and first.compile_count == 1
        baseline = first.run()
        weaker = first.run(params={"w_exc": 0 * nS})
        assert len(weaker["spikes"]["t"]) < len(baseline["spikes"]["t"])

        # Another structure defines anew; the code is the same (once the old
        # objects are gone, as they are when a model's run() returns), so no
        # compilation.
        del first
        other = reuse({"a": 2})
        assert len(DEFINITIONS) == 2
        assert other.last_build_compiled is False and other.compile_count == 1

        # A binary replaced on disk (here: touched) is never run unseen.
        stamp = (directory / "main").stat().st_mtime_ns
        os.utime(directory / "main", ns=(stamp + 10**9, stamp + 10**9))
        del other
        rebuilt = reuse({"a": 2})
        assert len(DEFINITIONS) == 3 and rebuilt.compile_count == 1
        np.testing.assert_array_equal(
            rebuilt.run()["spikes"]["t"], baseline["spikes"]["t"]
        )
    finally:
        release_project()


def test_reuse_project_refuses_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="define must be callable, got 3"):
        reuse_project("reused", 3, directory=tmp_path)
    with pytest.raises(ValueError, match="structure must be picklable"):
        reuse_project(
            "reused", _define_small_network, directory=tmp_path, structure=lambda: 0
        )


def test_vectorised_exp_and_exprel_match_scipy(tmp_path):
    import brian2
    from scipy.special import exprel

    near = np.array([1e-12, 1e-8, 1e-5, 1e-3, 0.0099, 0.01, 0.0101, 0.5, 5.0, 50.0])
    x = np.concatenate([[0.0], near, -near, [300.0, 700.0, -700.0, -745.0]])
    x = np.concatenate([x, np.linspace(-40, 40, 1001)])
    project = StandaloneProject("vector_math", tmp_path / "vector_math")
    with project.define():
        group = brian2.NeuronGroup(
            len(x), "x : 1 (constant)\ny : 1\nz : 1", name="values"
        )
        group.x = x
        group.run_regularly("y = exprel(x)\nz = exp(x)", when="start")
        monitor = brian2.StateMonitor(
            group, ("y", "z"), record=True, when="end", name="out"
        )
        project.add_monitor(monitor, "out")
        network = brian2.Network(group, monitor)
        network.run(brian2.defaultclock.dt)
    project.build()

    out = project.run()["out"]

    np.testing.assert_allclose(out["y"][:, 0], exprel(x), rtol=1e-13, atol=0)
    np.testing.assert_allclose(out["z"][:, 0], np.exp(x), rtol=1e-14, atol=0)
    assert out["y"][0, 0] == 1.0


def test_a_project_refuses_to_run_a_binary_rebuilt_since(tmp_path):
    directory = tmp_path / "rebuilt"
    try:
        project = reuse_project("rebuilt", _define_small_network, directory=directory)
        project.run()
        stamp = (directory / "main").stat().st_mtime_ns
        os.utime(directory / "main", ns=(stamp + 10**9, stamp + 10**9))

        with pytest.raises(RuntimeError, match="was removed or rebuilt"):
            project.run()
        assert not list((directory / "results").glob("run_*"))  # nothing left
    finally:
        release_project()


def test_a_cached_project_still_checks_its_arguments(tmp_path):
    directory = tmp_path / "checked"
    try:
        reuse_project("checked", _define_small_network, directory=directory, seed=1)
        for bad in ({"seed": True}, {"seed": 1.0}, {"seed": None}, {"make_jobs": 0}):
            with pytest.raises(ValueError, match="seed|make_jobs"):
                reuse_project(
                    "checked", _define_small_network, directory=directory, **bad
                )
        with pytest.raises(ValueError, match=r"make_jobs must be an integer in \[1"):
            reuse_project(
                "checked", _define_small_network, directory=directory, make_jobs=10**6
            )
    finally:
        release_project()
