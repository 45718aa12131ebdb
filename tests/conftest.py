"""Shared pytest fixtures.

Brian2 keeps global state (the active device, the default clock, magic
networks); the autouse fixture below resets it around every test that
imported Brian2, so tests stay independent and deterministic.
"""

import sys

import pytest


@pytest.fixture(autouse=True)
def _reset_brian2_state():
    """Reset Brian2's device and scheduling state before and after a test."""
    _reset()
    yield
    _reset()


def _reset():
    if "brian2" not in sys.modules:
        return
    import brian2

    brian2.device.reinit()
    brian2.device.activate()
    brian2.set_device("runtime")
    brian2.start_scope()
    brian2.defaultclock.dt = 0.1 * brian2.ms
    brian2.prefs.codegen.target = "numpy"
