"""Points run again: with resume=False, and after a failure of a changed script.

A rerun of a point runs in a staging folder; the point's earlier folder is kept
as ``<point_id>.previous`` however the new run ends.
"""

import json
import textwrap

import pytest

from neurorelax.sweep import load_records, read_table, run_sweep

pytestmark = pytest.mark.slow

# Squares x; raises when a file FAIL lies beside the script, so that a test
# can make it fail without changing its hash.
MODEL = textwrap.dedent("""
    from pathlib import Path

    from neurorelax.results import write_json

    NAME = "switch_model"
    PARAMETERS = {"x": 1.0}
    METRICS = ("square",)


    def run(out_dir, *, params=None, seed=0, quick=False, device="numpy"):
        x = float((params or {}).get("x", 1.0))
        if (Path(__file__).parent / "FAIL").exists():
            raise RuntimeError("forced failure")
        write_json(Path(out_dir) / "square.json", {"square": x**2})
        return {"square": x**2}
    """)


@pytest.fixture
def switch_spec(tmp_path):
    """A 2-point spec of MODEL copied to tmp_path; returns (spec, script)."""
    script = tmp_path / "switch_model.py"
    script.write_text(MODEL)
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"model: {script}\ndevice: numpy\nparameters: {{x: [2.0, 3.0]}}\n")
    return spec, script


def _records(output):
    return {
        path.parent.name: json.loads(path.read_text())
        for path in (output / "points").glob("*/record.json")
    }


def test_resume_false_runs_every_point_again(client, switch_spec):
    spec, script = switch_spec
    first = run_sweep(spec, client=client)
    started = {r["point"]: r["started_unix"] for r in first.records}

    again = run_sweep(spec, client=client, resume=False)

    assert again.n_run == 2 and again.n_skipped == 0
    for record in again.records:
        assert record["started_unix"] > started[record["point"]]

    # With the model made to fail (same script, same hash), a restart fails.
    (script.parent / "FAIL").touch()
    failed = run_sweep(spec, client=client, resume=False)

    assert failed.n_failed == 2
    assert read_table(failed.table_path).column("status").to_pylist() == [
        "error",
        "error",
    ]
    for record in failed.records:
        assert record["error"] == "RuntimeError: forced failure"


def test_failed_rerun_keeps_the_earlier_results(client, switch_spec):
    spec, script = switch_spec
    first = run_sweep(spec, client=client)
    output = first.output
    ids = [r["point"] for r in first.records]

    # A changed script (new hash) that fails: the new error is recorded and
    # shown in the table, the earlier results are kept beside it.
    script.write_text(MODEL.replace("forced failure", "forced failure, again"))
    (script.parent / "FAIL").touch()
    failed = run_sweep(spec, client=client)

    assert failed.n_run == 2 and failed.n_failed == 2
    assert read_table(failed.table_path).column("status").to_pylist() == [
        "error",
        "error",
    ]
    for point in ids:
        current = json.loads((output / "points" / point / "record.json").read_text())
        assert current["status"] == "error"
        assert current["previous"] == f"points/{point}.previous"
        kept = output / "points" / f"{point}.previous"
        assert json.loads((kept / "record.json").read_text())["status"] == "ok"
        assert (kept / "square.json").is_file()

    # A second failure does not push the good results out of .previous.
    assert run_sweep(spec, client=client).n_failed == 2
    for point in ids:
        kept = output / "points" / f"{point}.previous"
        assert json.loads((kept / "record.json").read_text())["status"] == "ok"

    # Records, resume and table ignore the .previous (and staging) folders.
    assert set(load_records(output)) == set(ids)
    assert all(r["status"] == "error" for r in load_records(output).values())
    assert not list((output / "points").glob(".*.staging-*"))

    (script.parent / "FAIL").unlink()
    fixed = run_sweep(spec, client=client)
    assert fixed.n_run == 2 and fixed.n_failed == 0
    assert fixed.table.column("square").to_pylist() == [4.0, 9.0]
    assert {p: r["status"] for p, r in _records(output).items()} == {
        **dict.fromkeys(ids, "ok"),
        **{f"{p}.previous": "ok" for p in ids},
    }


def test_install_point_keeps_the_best_earlier_folder(tmp_path, caplog):
    from neurorelax.sweep.runner import _install_point

    point = tmp_path / "points" / "abc"

    def run(status):
        staging = tmp_path / "points" / f".abc.staging-{status}"
        staging.mkdir(parents=True)
        (staging / f"{status}.txt").write_text(status)
        _install_point(point, staging, {"point": "abc", "status": status})

    run("ok")
    assert not point.with_name("abc.previous").exists()
    with caplog.at_level("INFO", logger="neurorelax.sweep.runner"):
        run("error")
    assert "kept in" in caplog.text and "abc.previous" in caplog.text
    run("error")  # replaces the error folder, not the ok one in .previous
    previous = point.with_name("abc.previous")
    assert (previous / "ok.txt").is_file()
    assert json.loads((point / "record.json").read_text())["status"] == "error"
    run("ok")
    assert (point / "ok.txt").is_file() and (previous / "ok.txt").is_file()
    assert sorted(p.name for p in point.parent.iterdir()) == ["abc", "abc.previous"]
