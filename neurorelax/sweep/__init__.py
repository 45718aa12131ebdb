"""Parameter sweeps: one model script over a grid of values and seeds, on Dask.

>>> from neurorelax.sweep import run_sweep          # doctest: +SKIP
>>> result = run_sweep("bench/lateral_inhibition_sweep.yaml")   # doctest: +SKIP
>>> result.table.column_names                        # doctest: +SKIP

See ``docs/sweep.md`` for the spec format. :func:`load_spec` validates a
specification, :func:`run_sweep` runs it (resuming a sweep whose folder holds
finished points), :func:`read_table` reads the result table back and
:func:`plot_metric` draws a metric against one or two swept parameters;
:func:`local_cluster` starts the cluster a sweep uses by default, for a
client that several sweeps share.
"""

from neurorelax.sweep.plot import plot_metric
from neurorelax.sweep.runner import (
    SweepResult,
    load_records,
    local_cluster,
    run_sweep,
)
from neurorelax.sweep.spec import Point, SweepSpec, load_spec
from neurorelax.sweep.table import read_table

__all__ = [
    "Point",
    "SweepResult",
    "SweepSpec",
    "load_records",
    "load_spec",
    "local_cluster",
    "plot_metric",
    "read_table",
    "run_sweep",
]
