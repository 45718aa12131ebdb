"""The tidy result table of a sweep: one row per grid point.

Columns, in order: ``point`` (the point id, also its folder
``points/<point>/``), one column per swept parameter (a number in the unit
written in the spec, see the ``units`` metadata), ``seed``, one column per
metric, ``run_time_s``, ``status`` (``"ok"`` or ``"error"``) and ``error``
(the exception type and message, empty when the point succeeded). A failed
point has NaN metrics. The units of the parameter columns are stored in the
Parquet schema metadata (key ``units``) and in ``sweep.json`` for both
formats.
"""

import json
import math
from pathlib import Path

import pyarrow as pa

from neurorelax.results import atomic_path

__all__ = ["build_table", "read_table", "write_table"]

FIXED_COLUMNS = ("point", "seed", "run_time_s", "status", "error")


def build_table(spec, points, records):
    """Assemble the table from the points and their records (same order).

    Parameters
    ----------
    spec : SweepSpec
    points : list of Point
    records : list of dict
        One record per point, as written to ``points/<id>/record.json``.

    Returns
    -------
    pyarrow.Table
    """
    columns = {"point": [p.point_id for p in points]}
    for name in spec.parameters:
        columns[name] = [p.values[name] for p in points]
    columns["seed"] = [p.seed for p in points]
    for metric in spec.metrics:
        columns[metric] = [_metric(r, metric) for r in records]
    columns["run_time_s"] = [float(r.get("run_time_s") or 0.0) for r in records]
    columns["status"] = [r["status"] for r in records]
    columns["error"] = [r.get("error") for r in records]

    schema_metadata = {
        "units": json.dumps(spec.units),
        "metrics": json.dumps(list(spec.metrics)),
        "model": spec.model_name,
    }
    table = pa.table(columns)
    return table.replace_schema_metadata(schema_metadata)


def _metric(record, metric):
    value = record.get("metrics", {}).get(metric)
    if value is None or isinstance(value, str):
        # JSON keeps non-finite floats as "nan", "inf", "-inf".
        return float(value) if isinstance(value, str) else math.nan
    return float(value)


def write_table(table, path):
    """Write ``table`` as Parquet or CSV (chosen by the suffix), atomically."""
    path = Path(path)
    with atomic_path(path) as temporary:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, temporary)
        elif path.suffix == ".csv":
            import pyarrow.csv as pacsv

            pacsv.write_csv(table, temporary)
        else:
            raise ValueError(f"path must end in .parquet or .csv, got {str(path)!r}")
    return path


def _floats(table, names):
    """Metrics as float64 with NaN for a failed point, as in Parquet.

    CSV loses both: a metric column whose values are all whole numbers reads
    back as integers, and NaN reads back as null.
    """
    import pyarrow.compute as pc

    for name in names:
        if name in table.column_names:
            index = table.column_names.index(name)
            column = pc.fill_null(table.column(name).cast(pa.float64()), math.nan)
            table = table.set_column(index, name, column)
    return table


def read_table(path):
    """Read a sweep table (``.parquet`` or ``.csv``) or a sweep folder's table.

    Parameters
    ----------
    path : str or Path
        The table file, or the sweep folder holding ``results.parquet`` or
        ``results.csv``.

    Returns
    -------
    pyarrow.Table
        For a CSV file, the units come from the folder's ``sweep.json`` and are
        set as schema metadata as for Parquet.
    """
    path = Path(path)
    if path.is_dir():
        found = [path / f"results.{s}" for s in ("parquet", "csv")]
        found = [p for p in found if p.is_file()]
        if not found:
            raise FileNotFoundError(
                f"sweep folder {str(path)!r} holds no results.parquet or results.csv"
            )
        path = found[0]
    if not path.is_file():
        raise FileNotFoundError(f"sweep table {str(path)!r} does not exist")
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path)
    if path.suffix != ".csv":
        raise ValueError(f"path must end in .parquet or .csv, got {str(path)!r}")

    import pyarrow.csv as pacsv

    options = pacsv.ConvertOptions(
        column_types={"point": pa.string(), "status": pa.string(), "error": pa.string()}
    )
    table = pacsv.read_csv(path, convert_options=options)
    manifest = path.parent / "sweep.json"
    if manifest.is_file():
        info = json.loads(manifest.read_text(encoding="utf-8"))
        table = _floats(table, [*info.get("metrics", []), "run_time_s"])
        table = table.replace_schema_metadata(
            {
                "units": json.dumps(info.get("units", {})),
                "metrics": json.dumps(info.get("metrics", [])),
                "model": str(info.get("model", "")),
            }
        )
    return table
