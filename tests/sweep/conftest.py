"""Fixtures of the sweep tests: one LocalCluster shared by the whole session.

Starting a cluster takes a few seconds, so every test that runs points uses
the same two single-threaded worker processes on the loopback interface.
"""

import logging
import textwrap
from pathlib import Path

import pytest

MODELS = Path(__file__).parent / "models"


@pytest.fixture(scope="session")
def client():
    """A distributed.Client of a 2-worker LocalCluster on 127.0.0.1."""
    distributed = pytest.importorskip("distributed")
    from neurorelax.sweep import local_cluster

    cluster = local_cluster(2, silence_logs=logging.ERROR)
    client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


@pytest.fixture
def write_spec(tmp_path):
    """Write a YAML spec under tmp_path; model names resolve to tests/sweep/models."""

    def write(text, name="spec.yaml"):
        text = textwrap.dedent(text).replace("MODELS/", f"{MODELS}/")
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
