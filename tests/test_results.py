"""Atomic result files: round trip, permissions, no partial files."""

import os
import stat

import numpy as np
import pytest
from brian2 import cm, mM, ms, mV, nS, second, uA

from neurorelax.quantities import parse_quantity
from neurorelax.results import (
    atomic_path,
    load_results,
    save_results,
    to_jsonable,
    write_json,
)


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


def test_quantities_in_metadata_keep_every_digit():
    values = [10 * ms, 0.1234567890123456 * ms, 0.05 * ms, 2 * nS, -65 * mV]
    values += [7 * mM, 10 * uA / cm**2, 0 * second, 1 / second, 1e-300 * second]
    for value in values:
        text = to_jsonable(value)
        back = parse_quantity(text)
        assert back.dim == value.dim, (value, text)
        # within two units in the last place of the SI value
        assert abs(float(back) - float(value)) <= 2 * np.spacing(abs(float(value)))
    assert to_jsonable(10 * ms) == "10 ms"
    assert to_jsonable(0.1234567890123456 * ms) == "123.4567890123456 us"
    assert to_jsonable(np.inf * ms) == "inf s"
    assert to_jsonable(ms * np.arange(2000)) == {
        "values": list(np.arange(2000) * 1e-3),
        "unit": "s",
    }


def test_metadata_is_checked_before_anything_is_written(tmp_path):
    target = tmp_path / "run.h5"
    for metadata, message in (
        ({"z": 1 + 2j}, r"^metadata cannot be stored as JSON: .*complex"),
        ({"s": {1, 2}}, r"^metadata cannot be stored as JSON: .*set"),
        ({1: "a", "1": "b"}, r"^metadata keys must differ as text; \['1'\] stand"),
    ):
        with pytest.raises(ValueError, match=message):
            save_results(target, {"x": np.ones(3)}, metadata)
        assert list(tmp_path.iterdir()) == []


def test_a_folder_is_refused_as_the_result_path(tmp_path):
    with pytest.raises(
        ValueError,
        match=r"^path '.*' is a folder; expected the name of a result file to write$",
    ):
        save_results(tmp_path, {"x": [1.0]})
