"""The sweep's own LocalCluster: two at once, nothing beyond the loopback."""

import warnings

import pytest

from neurorelax.sweep import runner

pytestmark = pytest.mark.slow


def _http_sockets(dask_scheduler):
    """The (host, port) pairs the scheduler's HTTP server listens on."""
    sockets = dask_scheduler.http_server._sockets.values()
    return [tuple(sock.getsockname()[:2]) for sock in sockets]


def test_two_local_clusters_share_no_port_and_stay_on_loopback():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with runner._cluster(None, None, 1, 10) as first:
            with runner._cluster(None, None, 1, 10) as second:
                assert first.submit(sum, [1, 2]).result() == 3
                assert second.submit(sum, [3, 4]).result() == 7
                listening = [
                    client.run_on_scheduler(_http_sockets) for client in (first, second)
                ]

    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if "already in use" in m], messages
    for sockets in listening:
        assert sockets, "the scheduler's HTTP server listens nowhere"
        assert all(host == "127.0.0.1" for host, _ in sockets), sockets
    assert set(listening[0]).isdisjoint(listening[1])
