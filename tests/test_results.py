"""Atomic result files: round trip, permissions, no partial files."""

import os
import stat

import numpy as np
import pytest

from neurorelax.results import atomic_path, load_results, save_results, write_json


def test_round_trip_keeps_arrays_groups_and_metadata(tmp_path):
    arrays = {"rate": np.arange(5.0), "graph": {"weights": np.eye(3)}}
    path = save_results(tmp_path / "run.h5", arrays, {"gamma": 0.5, "nan": np.nan})

    loaded = load_results(path)

    np.testing.assert_array_equal(loaded.arrays["rate"], arrays["rate"])
    np.testing.assert_array_equal(loaded.arrays["graph"]["weights"], np.eye(3))
    assert loaded.metadata == {"gamma": 0.5, "nan": "nan"}


def test_written_files_get_the_usual_permissions(tmp_path):
    previous = os.umask(0o022)
    try:
        path = write_json(tmp_path / "metrics.json", {"r2": 0.9})
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    target = tmp_path / "metrics.json"
    write_json(target, {"r2": 0.9})

    with pytest.raises(RuntimeError, match="interrupted"):
        with atomic_path(target) as temporary:
            temporary.write_text("{half")
            raise RuntimeError("interrupted")

    assert target.read_text().startswith("{")
    assert '"r2": 0.9' in target.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]


def test_loading_a_missing_or_foreign_file_says_which(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_results(tmp_path / "missing.h5")
    junk = tmp_path / "junk.h5"
    junk.write_text("not hdf5")
    with pytest.raises(ValueError, match="not a readable HDF5 result file"):
        load_results(junk)
