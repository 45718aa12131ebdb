"""The result table: columns, units, CSV/Parquet round trips (no cluster)."""

import json
import math

import pyarrow as pa
import pytest
from matplotlib.colors import LogNorm

from neurorelax.sweep import load_spec, plot_metric, read_table
from neurorelax.sweep.table import build_table, write_table

SPEC = """
model: MODELS/failing_model.py
parameters: {x: [-1.0, 2.0, 3.0]}
seeds: [7]
"""


def _records(points):
    records = []
    for point in points:
        x = point.values["x"]
        ok = x >= 0
        records.append(
            {
                "point": point.point_id,
                "status": "ok" if ok else "error",
                "error": None if ok else "ValueError: x must be >= 0, got -1.0",
                "metrics": {"square": x * x} if ok else {},
                "run_time_s": 0.5,
            }
        )
    return records


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_table_round_trip(write_spec, suffix):
    spec_path = write_spec(SPEC)
    spec = load_spec(spec_path)
    points = spec.points()
    table = build_table(spec, points, _records(points))
    (spec_path.parent / "sweep.json").write_text(
        json.dumps({"units": spec.units, "metrics": ["square"], "model": "m"})
    )

    path = write_table(table, spec_path.parent / f"results.{suffix}")
    back = read_table(spec_path.parent)

    assert back.column_names == [
        "point",
        "x",
        "seed",
        "square",
        "run_time_s",
        "status",
        "error",
    ]
    rows = back.to_pylist()
    assert [row["seed"] for row in rows] == [7, 7, 7]
    assert math.isnan(rows[0]["square"]) and rows[0]["status"] == "error"
    assert [row["square"] for row in rows[1:]] == [4.0, 9.0]
    assert rows[0]["error"] == "ValueError: x must be >= 0, got -1.0"
    assert rows[1]["error"] in (None, "")
    assert json.loads(back.schema.metadata[b"units"]) == {"x": ""}
    assert path.name == f"results.{suffix}"


def test_plot_skips_failed_points(write_spec):
    spec = load_spec(write_spec(SPEC))
    points = spec.points()
    table = build_table(spec, points, _records(points))

    ax = plot_metric(table, "square", "x")

    line = ax.containers[0].lines[0]
    assert list(line.get_xdata()) == [2.0, 3.0]
    assert list(line.get_ydata()) == [4.0, 9.0]
    with pytest.raises(ValueError, match=r"where: unknown column 'y'"):
        plot_metric(table, "square", "x", where={"y": 1})


def test_table_files_are_checked(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"holds no results.parquet or"):
        read_table(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"sweep table .*nope.csv.* does not"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "table.txt").write_text("")
    with pytest.raises(ValueError, match=r"path must end in .parquet or .csv"):
        read_table(tmp_path / "table.txt")


def _grid_table(values):
    """A finished 2 x 2 sweep over 'a' and 'b' whose metric 'm' takes ``values``."""
    rows = [
        {"a": a, "b": b, "seed": 0, "status": "ok", "m": m}
        for (a, b), m in zip(
            [(1.0, 10.0), (2.0, 10.0), (1.0, 20.0), (2.0, 20.0)], values, strict=True
        )
    ]
    metadata = {"units": json.dumps({"a": "", "b": "nS"}), "metrics": '["m"]'}
    return pa.Table.from_pylist(rows).replace_schema_metadata(metadata)


def test_log_puts_the_metric_on_a_log_scale():
    table = _grid_table([1.0, 10.0, 1e3, 3.6e4])

    lines = plot_metric(table, "m", "a", where={"b": 10.0}, log=True)
    grid = plot_metric(table, "m", "a", "b", log=True)

    assert lines.get_yscale() == "log"
    mesh = grid.collections[0]
    assert isinstance(mesh.norm, LogNorm)
    assert (mesh.norm.vmin, mesh.norm.vmax) == (1.0, 3.6e4)
    linear = plot_metric(table, "m", "a", "b").collections[0]
    assert not isinstance(linear.norm, LogNorm)


@pytest.mark.parametrize(
    ("values", "shown"), [([1.0, 0.0, 2.0, 3.0], "0"), ([1.0, 2.0, -5.0, 3.0], "-5")]
)
def test_log_refuses_values_that_are_not_positive(values, shown):
    with pytest.raises(
        ValueError,
        match=rf"^log: a logarithmic scale needs values > 0, but metric 'm' has 1 of "
        rf"4 points <= 0 or NaN \(such as {shown}\); plot it without log$",
    ):
        plot_metric(_grid_table(values), "m", "a", "b", log=True)


def test_log_must_be_a_bool():
    with pytest.raises(ValueError, match=r"^log must be True or False, got 'yes'$"):
        plot_metric(_grid_table([1.0, 2.0, 3.0, 4.0]), "m", "a", "b", log="yes")
