"""Sweeps on a 2-worker LocalCluster: table, failures, resume after a kill."""

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from neurorelax.results import load_results
from neurorelax.sweep import load_records, plot_metric, read_table, run_sweep

pytestmark = pytest.mark.slow

FAKE = """
model: MODELS/fake_model.py
device: numpy
parameters:
  gain: [1.0, 2.0, 3.0]
  tau: ["5 ms", "10 ms"]
  delay: [0.05]
seeds: [0, 1]
"""


def _running_point():
    from neurorelax.sweep import runner

    return runner._POINT_LOCK.locked()


def _idle(client, timeout=30.0):
    """Wait until no worker runs a point (a task left by a killed driver).

    The scheduler forgets the tasks of a client that is gone at once, but a
    worker thread already running a point finishes it and writes its record.
    """
    deadline = time.monotonic() + timeout
    while any(client.run(_running_point).values()):
        assert time.monotonic() < deadline, "workers did not become idle"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def fake_sweep(client, tmp_path_factory):
    """The 12-point FAKE sweep, run once for the tests of this module."""
    models = Path(__file__).parent / "models"
    spec = tmp_path_factory.mktemp("fake") / "spec.yaml"
    spec.write_text(FAKE.replace("MODELS/", f"{models}/"))
    return run_sweep(spec, client=client)


def test_sweep_gives_one_row_per_point(fake_sweep):
    result = fake_sweep
    rows = result.table.to_pylist()
    assert len(rows) == result.spec.n_points == 12
    assert result.n_run == 12 and result.n_skipped == 0 and result.n_failed == 0
    assert result.table.column_names == [
        "point",
        "gain",
        "tau",
        "delay",
        "seed",
        "response",
        "noise",
        "run_time_s",
        "status",
        "error",
    ]
    for row in rows:
        assert row["status"] == "ok" and row["error"] is None
        assert row["response"] == pytest.approx(row["gain"] * row["tau"])
        assert row["noise"] == np.random.default_rng(row["seed"]).normal()
        assert row["run_time_s"] >= 0.05
        point_file = result.output / "points" / row["point"] / "fake_model.h5"
        assert load_results(point_file).metadata["response"] == row["response"]

    # Both worker processes ran points, one point at a time each.
    assert len({r["worker_pid"] for r in result.records}) == 2
    assert read_table(result.table_path).equals(result.table)


def test_failing_point_is_recorded_and_the_others_finish(client, write_spec):
    spec = write_spec("""
        model: MODELS/failing_model.py
        device: numpy
        parameters: {x: [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0]}
        table: csv
        """)

    result = run_sweep(spec, client=client)

    rows = read_table(result.output).to_pylist()
    assert [row["status"] for row in rows] == ["error"] * 2 + ["ok"] * 6
    assert rows[0]["error"] == "ValueError: x must be >= 0, got -2.0"
    assert math.isnan(rows[1]["square"])
    assert [row["square"] for row in rows[2:]] == [0, 1, 4, 9, 16, 25]
    assert result.n_failed == 2
    failed = result.records[0]
    assert "raise ValueError" in failed["traceback"]
    assert failed["files"] == []


def test_resume_skips_finished_points_and_retries_failed_ones(client, write_spec):
    spec = write_spec("""
        model: MODELS/failing_model.py
        device: numpy
        parameters: {x: [-1.0, 1.0, 2.0]}
        """)
    first = run_sweep(spec, client=client)

    again = run_sweep(spec, client=client)
    kept = run_sweep(spec, client=client, retry_failed=False)
    everything = run_sweep(spec, client=client, resume=False)

    assert (first.n_run, again.n_run, kept.n_run, everything.n_run) == (3, 1, 0, 3)
    assert again.n_skipped == 2 and kept.n_skipped == 3
    assert again.table.column("square").to_pylist()[1:] == [1.0, 4.0]


def test_changed_model_script_reruns_its_points(client, write_spec, tmp_path):
    script = tmp_path / "copied_model.py"
    source = (Path(__file__).parent / "models" / "failing_model.py").read_text()
    script.write_text(source)
    spec = write_spec(
        f"model: {script}\ndevice: numpy\nparameters: {{x: [1.0, 2.0]}}\n"
    )
    assert run_sweep(spec, client=client).n_run == 2

    script.write_text(source.replace('"square": p["x"] ** 2', '"square": p["x"] ** 3'))
    result = run_sweep(spec, client=client)

    assert result.n_run == 2
    assert result.table.column("square").to_pylist() == [1.0, 8.0]


def test_killed_sweep_resumes_with_only_the_missing_points(client, write_spec):
    spec = write_spec("""
        model: MODELS/fake_model.py
        device: numpy
        parameters:
          gain: [1.0, 2.0, 3.0, 4.0, 5.0]
          delay: [0.4]
        seeds: [0, 1]
        """)
    points = spec.parent / "spec_sweep" / "points"
    code = (
        "import sys; from neurorelax.sweep import run_sweep; "
        "run_sweep(sys.argv[1], scheduler=sys.argv[2])"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(spec), client.scheduler.address],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    # Kill the driver once a few points have finished.
    deadline = time.monotonic() + 60
    while len(list(points.glob("*/record.json"))) < 3:
        assert process.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline, "no point finished within 60 s"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    _idle(client)
    finished = {
        path.parent.name: path.stat().st_mtime_ns
        for path in points.glob("*/record.json")
    }
    assert 3 <= len(finished) < 10

    result = run_sweep(spec, client=client)

    assert result.n_skipped == len(finished)
    assert result.n_run == 10 - len(finished)
    assert result.table.num_rows == 10
    assert set(result.table.column("status").to_pylist()) == {"ok"}
    for point, mtime in finished.items():
        assert (points / point / "record.json").stat().st_mtime_ns == mtime
    assert len(load_records(spec.parent / "spec_sweep")) == 10


def test_callbacks_and_manifest(client, write_spec):
    seen, started = [], []
    spec = write_spec("""
        model: MODELS/failing_model.py
        device: numpy
        parameters: {x: {start: 1, stop: 3, step: 1}}
        """)

    result = run_sweep(
        spec,
        client=client,
        on_start=lambda *args: started.append(args),
        on_point=lambda record: seen.append(record["point"]),
    )

    assert started == [(3, 0)]
    assert sorted(seen) == sorted(result.table.column("point").to_pylist())
    manifest = json.loads((result.output / "sweep.json").read_text())
    assert manifest["model"] == "failing_model"
    assert [p["values"]["x"] for p in manifest["points"]] == [1.0, 2.0, 3.0]


def test_plot_metric_lines_and_map(fake_sweep):
    result = fake_sweep

    lines = plot_metric(result, "response", "tau")
    heat = plot_metric(result.table_path, "response", "tau", "gain")

    assert lines.get_xlabel() == "tau (ms)" and lines.get_ylabel() == "response"
    assert len(lines.containers) == 3  # one errorbar line per gain
    data = [c.lines[0] for c in lines.containers]
    top = [line for line in data if max(line.get_ydata()) == 30.0]
    assert len(top) == 1 and list(top[0].get_xdata()) == [5.0, 10.0]
    grid = heat.collections[0].get_array().reshape(3, 2)
    assert np.allclose(grid, [[5, 10], [10, 20], [15, 30]])
    assert list(heat.get_xticks()) == [5.0, 10.0]  # ticks at the grid values
    assert [t.get_text() for t in heat.get_yticklabels()] == ["1", "2", "3"]
    with pytest.raises(ValueError, match=r"metric: unknown column 'rate'"):
        plot_metric(result, "rate", "tau")
    with pytest.raises(ValueError, match=r"x: unknown column 'w_inh'"):
        plot_metric(result, "response", "w_inh")
    with pytest.raises(ValueError, match=r"parameters gain take several values"):
        plot_metric(result, "response", "tau", "delay")
    only = plot_metric(result, "response", "tau", "delay", where={"gain": 2.0})
    assert np.allclose(only.collections[0].get_array(), [10, 20])


def test_compile_once_runs_the_seeds_one_after_another(client, write_spec):
    spec = write_spec("""
        model: MODELS/fake_model.py
        device: numpy
        compile_once: true
        parameters:
          gain: [1.0, 2.0, 3.0]
          delay: [0.1]
        seeds: [0, 1]
        """)

    result = run_sweep(spec, client=client)

    by_seed = {0: [], 1: []}
    for record in result.records:
        by_seed[record["seed"]].append(record)
    seed_0_end = max(r["finished_unix"] for r in by_seed[0])
    assert all(seed_0_end <= r["started_unix"] for r in by_seed[1])
