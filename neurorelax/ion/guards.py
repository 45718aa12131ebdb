"""Stop a simulation whose state turns NaN, naming the group and the time.

On the runtime targets (numpy, cython) :func:`add_nan_guard` attaches a
network operation to a group that checks every ``interval`` whether the
group's differential-equation variables are finite. A compiled standalone
binary cannot call back into Python; :func:`check_finite_state` inspects the
state after the run instead (see its docstring for exactly what it reads).
"""

import logging

import numpy as np
from brian2 import Group, NetworkOperation, ms, second

from neurorelax.ion._units import check_quantity
from neurorelax.validation import SimulationError

__all__ = ["SimulationDiverged", "add_nan_guard", "check_finite_state"]

logger = logging.getLogger(__name__)


class SimulationDiverged(SimulationError):
    """The state of a group became NaN or infinite during a simulation."""


def _state_names(group):
    equations = getattr(group, "equations", None)
    if equations is None:
        return []
    # The membrane potential first: it is what a reader looks for.
    return sorted(equations.diff_eq_names, key=lambda name: name != "v")


def _first_bad(group, names):
    for name in names:
        values = np.asarray(group.state(name, use_units=False))
        bad = ~np.isfinite(values)
        if bad.any():
            return name, int(np.flatnonzero(bad)[0])
    return None


def add_nan_guard(group, interval=1 * ms):
    """Attach a check that stops the run when ``group``'s state is not finite.

    The check runs every ``interval`` (on its own clock, at the end of the
    time step) and raises :class:`SimulationDiverged` naming the group, the
    variable, the first bad neuron and the simulation time. It is added to
    ``group.contained_objects``, so it runs whenever the group does.

    Parameters
    ----------
    group : NeuronGroup
    interval : Quantity, second
        Time between checks, > 0; 1 ms costs little on the numpy target.

    Returns
    -------
    NetworkOperation
    """
    check_quantity("interval", interval, second, low=0 * second, low_open=True)
    if not isinstance(group, Group):
        raise ValueError(f"group must be a Brian2 NeuronGroup, got {group!r}")
    names = _state_names(group)

    def check(t):
        found = _first_bad(group, names)
        if found is not None:
            raise SimulationDiverged(
                f"the state of group {group.name!r} became NaN or infinite: "
                f"variable {found[0]!r} of neuron {found[1]} at t = "
                f"{float(t / ms):.3f} ms"
            )

    operation = NetworkOperation(
        check, dt=interval, when="end", name=f"{group.name}_nan_guard"
    )
    group.contained_objects.append(operation)
    return operation


def check_finite_state(groups, t_end=None, monitors=()):
    """Raise if any group's final state or any recorded trace is not finite.

    Used after a standalone run, when the binary has written its results.
    It reads the final value of every differential-equation variable of each
    group, and every variable recorded by the given StateMonitors; the time
    it reports is the first recorded time with a non-finite value, or the
    end of the run (``t_end``) when only the final state is bad.

    Parameters
    ----------
    groups : sequence of Group
    t_end : Quantity, optional
        End time of the run, for the message.
    monitors : sequence of StateMonitor

    Raises
    ------
    SimulationDiverged
    """
    for monitor in monitors:
        for name in monitor.record_variables:
            # Recorded values have shape (n_recorded, n_times).
            bad = ~np.isfinite(np.asarray(getattr(monitor, name)))
            if bad.any():
                step = int(np.argmax(bad.any(axis=0)))
                index = int(monitor.record[int(np.argmax(bad[:, step]))])
                when = float(monitor.t[step] / ms)
                raise SimulationDiverged(
                    f"the state of group {monitor.source.name!r} became NaN or "
                    f"infinite: variable {name!r} of neuron {index} at t = "
                    f"{when:.3f} ms (recorded by {monitor.name!r})"
                )
    for group in groups:
        found = _first_bad(group, _state_names(group))
        if found is not None:
            when = (
                "the end of the run"
                if t_end is None
                else (f"t = {float(t_end / ms):.3f} ms (end of the run)")
            )
            raise SimulationDiverged(
                f"the state of group {group.name!r} became NaN or infinite: "
                f"variable {found[0]!r} of neuron {found[1]} at {when}"
            )
