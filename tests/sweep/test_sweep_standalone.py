"""Compile once: a cpp_standalone sweep builds its C++ project a single time."""

import os

import numpy as np
import pytest

from neurorelax.ion import compile_count
from neurorelax.sweep import run_sweep

pytestmark = [pytest.mark.slow, pytest.mark.standalone]


def _set_build_dir(path):
    if path is None:
        os.environ.pop("NEURORELAX_BUILD_DIR", None)
    else:
        os.environ["NEURORELAX_BUILD_DIR"] = path


@pytest.fixture
def build_dir(client, tmp_path):
    """A fresh NEURORELAX_BUILD_DIR on the workers (the test process is untouched)."""
    path = tmp_path / "build"
    client.run(_set_build_dir, str(path))
    yield path
    client.run(_set_build_dir, None)


def test_standalone_sweep_compiles_once(client, write_spec, build_dir):
    spec = write_spec("""
        model: MODELS/standalone_lif.py
        parameters:
          I: [1.5, 2.0, 2.5, 3.0, 4.0]
          tau: ["10 ms"]
        """)

    result = run_sweep(spec, client=client)

    assert compile_count(build_dir / "standalone_lif") == 1
    assert result.n_failed == 0 and result.table.num_rows == 5
    assert len({record["worker_pid"] for record in result.records}) == 2

    # Each point ran the binary with its own I and wrote its own results. The
    # period tau*ln(I/(I-1)) is rounded up to whole time steps of 0.05 ms; the
    # rates of neighbouring I differ by at least 50 Hz, one spike is 5 Hz.
    duration, tau, dt = 0.2, 0.010, 5e-5
    for row in result.table.to_pylist():
        period = np.ceil(tau * np.log(row["I"] / (row["I"] - 1)) / dt) * dt
        expected = np.floor(duration / period) / duration
        assert row["rate"] == pytest.approx(expected, abs=1 / duration)
        own = result.output / "points" / row["point"]
        assert (own / "brian_results").is_dir()
        assert (own / "standalone_lif.h5").is_file()
