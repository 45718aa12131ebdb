r"""Compose a Brian2 NeuronGroup from registered channels and synapse types.

The membrane equation is

.. math:: C_m \frac{dv}{dt} = I_\mathrm{ext} - \sum_c I_c
   - \sum_s g_s B_s (v - E_s),

with one outward current :math:`I_c` per channel (see
:mod:`neurorelax.ion.channels`) and one conductance :math:`g_s` per synapse
type (see :mod:`neurorelax.ion.synapses`); :math:`B_s` is the
voltage-dependent block a synapse type declares (the magnesium block of
NMDA), 1 for the others. Every parameter is stored as a variable of the
group (``(shared, constant)`` by default), so its value can be changed
between runs of a compiled standalone binary through ``run_args`` without
compiling again.
"""

import logging
import re
from collections.abc import Mapping

import numpy as np
import scipy.special
from brian2 import (
    NeuronGroup,
    amp,
    defaultclock,
    farad,
    get_device,
    kelvin,
    metre,
    ms,
    mV,
    nsecond,
    second,
    siemens,
    volt,
)
from brian2.devices.device import RuntimeDevice
from brian2.stateupdaters.base import StateUpdateMethod

from neurorelax.ion._units import check_quantity, equation_unit, unit_name
from neurorelax.ion.channels import gating_rate_max, get_channel
from neurorelax.ion.guards import add_nan_guard
from neurorelax.ion.nernst import Concentrations
from neurorelax.ion.parameters import CellType, _check_attributes
from neurorelax.ion.synapses import (
    KINETICS,
    SYNAPSE_TYPES,
    biexp_peak_factor,
    block_parameters,
    get_synapse_type,
    synapse_current,
    synapse_equations,
)

__all__ = ["build_neurons", "check_dt", "max_dt", "neuron_equations"]

logger = logging.getLogger(__name__)

#: Names Brian2 accepts for its objects (a final * asks for a unique suffix).
_NAME = r"[_A-Za-z][_a-zA-Z0-9]*\*?"

#: Largest dt, in units of the fastest gating time constant, accepted for
#: each integration method. Exponential Euler is stable for any dt but stops
#: resolving the spike once the gates jump to steady state in one step;
#: explicit methods become unstable near dt * rate = 2.
DT_FACTOR = {"exponential_euler": 5.0}
DT_FACTOR_EXPLICIT = 1.0
EXTERNAL_CURRENT = "I_ext"


def _kinetics_of(synapses, kinetics):
    kinds = {}
    for kind in synapses:
        get_synapse_type(kind)
        chosen = kinetics.get(kind, "exp") if isinstance(kinetics, dict) else kinetics
        if chosen not in KINETICS:
            raise ValueError(
                f"kinetics for {kind} must be one of {', '.join(map(repr, KINETICS))}"
                f"; got {chosen!r}"
            )
        kinds[kind] = chosen
    return kinds


def _check_arguments(
    synapses, kinetics, per_neuron, external_current, name, nan_check_interval
):
    """Check the plain arguments of build_neurons before anything is built."""
    for label, names in (("synapses", synapses), ("per_neuron", per_neuron)):
        if isinstance(names, str) or not hasattr(names, "__iter__"):
            raise ValueError(
                f"{label} must be a sequence of names such as ({names!r},), "
                f"got {names!r}"
            )
        names = list(names)
        repeated = sorted({n for n in names if names.count(n) > 1}, key=str)
        if repeated:
            raise ValueError(
                f"{label} must not repeat a name, got {tuple(names)} "
                f"({', '.join(map(repr, repeated))} more than once)"
            )
    if isinstance(kinetics, dict):
        extra = sorted(set(kinetics) - set(synapses))
        if extra:
            raise ValueError(
                f"kinetics names {', '.join(map(repr, extra))}, which is not among "
                f"synapses {tuple(synapses)}; expected keys from synapses"
            )
    if not isinstance(external_current, bool | np.bool_):
        raise ValueError(
            f"external_current must be True or False, got {external_current!r}"
        )
    if not isinstance(name, str) or not re.fullmatch(_NAME, name):
        raise ValueError(
            "name must be a valid Brian2 name (a letter or _, then letters, "
            f"digits or _, optionally a final *), got {name!r}"
        )
    if nan_check_interval is not None:
        check_quantity(
            "nan_check_interval",
            nan_check_interval,
            second,
            low=0 * second,
            low_open=True,
        )


def _check_known_names(cell, synapse_params, parameters, kinds):
    """Refuse parameter names that the model would silently ignore (typos).

    ``cell.values`` may hold the synaptic values of any synapse type (a cell
    type is used with different synapses); ``synapse_params`` may hold only
    names that the equations of this group use.
    """
    known = set(parameters) | {"E_Cl"} | set(block_parameters())
    for kind in SYNAPSE_TYPES:
        known |= {f"E_{kind}", f"tau_{kind}", f"tau_rise_{kind}", f"tau_decay_{kind}"}
    unknown = sorted(set(cell.values) - known)
    if unknown:
        raise ValueError(
            f"cell.values: unknown parameter {unknown[0]!r} (not used by channels "
            f"{tuple(cell.channels)} or any synapse type); expected one of "
            f"{', '.join(sorted(known))}"
        )
    used = sorted(
        name for name in parameters if name != "phi" and not name.startswith("K_")
    )
    unused = sorted(set(synapse_params) - set(used), key=str)
    if unused:
        chosen = ", ".join(f"{kind}: {k}" for kind, k in kinds.items()) or "none"
        raise ValueError(
            f"synapse_params: unknown parameter {unused[0]!r} (not used by "
            f"the synapses and kinetics of this group, {{{chosen}}}, or its "
            f"channels {tuple(cell.channels)}); expected one of "
            f"{', '.join(used)}"
        )


def _check_sizes(n, values, per_neuron, v_init):
    """Refuse arrays of the wrong length, or arrays for shared parameters."""
    for key, value in values.items():
        size = np.size(value)
        if np.ndim(value) == 0:
            continue
        if key not in per_neuron:
            raise ValueError(
                f"{key} is an array of {size} values but is stored once per "
                f"group; give one value, or name {key!r} in per_neuron"
            )
        if np.ndim(value) != 1 or size != n:
            raise ValueError(
                f"{key} must be one value or one per neuron (length n={n}), got "
                f"shape {np.shape(value)}"
            )
    if np.ndim(v_init) != 0 and np.shape(v_init) != (n,):
        raise ValueError(
            f"cell.v_init must be one value or one per neuron (length n={n}), "
            f"got shape {np.shape(v_init)}"
        )


def _check_method(method):
    """Refuse an unknown integration method by name (objects pass through)."""
    if isinstance(method, str) and method not in StateUpdateMethod.stateupdaters:
        raise ValueError(
            f"method must be one of "
            f"{', '.join(map(repr, StateUpdateMethod.stateupdaters))}; "
            f"got {method!r}"
        )


def _units_of(C_m):
    check_quantity("C_m", C_m, (farad, farad / metre**2), low=0 * farad, low_open=True)
    per_area = C_m.dim != farad.dim
    area = metre**-2 if per_area else 1
    return siemens * area, amp * area


def neuron_equations(cell, *, synapses=(), kinetics="exp", external_current=True):
    """Return the equations text and parameter names for a cell type.

    Parameters
    ----------
    cell : CellType
    synapses : sequence of str
        Synapse types whose conductances the neurons receive.
    kinetics : str or dict of str to str
        ``"exp"`` or ``"biexp"``, for all synapse types or per type.
    external_current : bool
        Add a per-neuron injected current ``I_ext``.

    Returns
    -------
    equations : str
    parameters : dict of str to Unit
        Every parameter the equations need, with its unit.
    """
    g_unit, i_unit = _units_of(cell.C_m)
    channels = [get_channel(name) for name in cell.channels]
    kinds = _kinetics_of(synapses, kinetics)

    lines, parameters = [], {"C_m": cell.C_m.dim}
    for channel in channels:
        lines.append(channel.equations.format(current_unit=unit_name(i_unit)))
        lines.append(channel.rate_equations(cell.kinetics))
        parameters.update({g: g_unit.dim for g in channel.conductances})
        parameters.update({e: volt.dim for e in channel.reversals})
    if any(channel.gates for channel in channels):
        parameters["phi"] = None
        parameters.update({k: v.dim for k, v in cell.kinetics_values.items()})

    for kind, chosen in kinds.items():
        text, names = synapse_equations(kind, chosen, unit_name(g_unit))
        lines.append(text)
        parameters[f"E_{kind}"] = volt.dim
        parameters.update(names)

    outward = [c.current for c in channels]
    synaptic = [synapse_current(kind) for kind in kinds]
    drive = f"{EXTERNAL_CURRENT} - " if external_current else "-"
    total = (
        " - ".join(["(" + " + ".join(outward + synaptic) + ")"])
        if (outward or synaptic)
        else "0*amp"
    )
    membrane = f"dv/dt = ({drive}{total}) / C_m : volt\n"
    if external_current:
        membrane += f"{EXTERNAL_CURRENT} : {unit_name(i_unit)}\n"
    return membrane + "".join(lines), parameters


def _parameter_values(cell, kinds, concentrations, synapse_params):
    """Collect the value of every parameter from cell, synapses, gradients."""
    values = {"C_m": cell.C_m, "phi": cell.phi, **cell.kinetics_values, **cell.values}
    if concentrations is not None:
        if "Cl" in concentrations.c_in:
            values["E_Cl"] = concentrations.reversal("Cl")
    for kind, chosen in kinds.items():
        spec = get_synapse_type(kind)
        if f"E_{kind}" not in values or (concentrations and spec.ion == "Cl"):
            if spec.ion == "Cl" and concentrations is not None:
                values[f"E_{kind}"] = concentrations.reversal("Cl")
            elif spec.ion == "Cl" and "E_Cl" in values:
                values[f"E_{kind}"] = values["E_Cl"]
            elif spec.ion == "K" and "E_K" in values:
                values[f"E_{kind}"] = values["E_K"]
            else:
                values.setdefault(f"E_{kind}", spec.E_default)
        if chosen == "exp":
            values.setdefault(f"tau_{kind}", spec.tau)
        else:
            values.setdefault(f"tau_rise_{kind}", spec.tau_rise)
            values.setdefault(f"tau_decay_{kind}", spec.tau_decay)
        if spec.block is not None:
            for key, default in spec.block.parameters.items():
                values.setdefault(key, default)
    values.update(synapse_params or {})
    for kind, chosen in kinds.items():
        if chosen == "biexp":
            values[f"K_{kind}"] = biexp_peak_factor(
                values[f"tau_rise_{kind}"], values[f"tau_decay_{kind}"]
            )
    return values


def _check_values(parameters, values, g_unit):
    blocks = block_parameters()
    for name, dim in parameters.items():
        if name not in values:
            raise ValueError(
                f"parameter {name!r} has no value; give it in the cell type's "
                "values or in synapse_params"
            )
        value = values[name]
        if name == "phi" or name.startswith("K_"):
            if not np.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        elif name in blocks:
            unit = blocks[name]
            check_quantity(name, value, unit, low=0 * unit, allow_array=True)
        elif name.startswith("g_"):
            check_quantity(name, value, g_unit, low=0 * g_unit, allow_array=True)
        elif name.startswith("tau"):
            check_quantity(
                name, value, second, low=0 * second, low_open=True, allow_array=True
            )
        elif dim == volt.dim:
            check_quantity(
                name, value, volt, low=-500 * mV, high=500 * mV, allow_array=True
            )


def max_dt(cell, method="exponential_euler"):
    """Return the largest time step accepted for ``cell`` and ``method``.

    The bound is ``DT_FACTOR[method] / (phi * max(alpha + beta))``, the
    fastest gating rate over -100..+50 mV, scaled by the temperature factor.

    Returns
    -------
    Quantity, second
        ``inf * second`` for a cell without gates.
    """
    _check_method(method)
    fastest = max(
        (
            gating_rate_max(get_channel(c), cell.kinetics, cell.kinetics_values)
            for c in cell.channels
        ),
        default=0 * second**-1,
    )
    rate = float(fastest * second) * cell.phi
    if rate == 0:
        return np.inf * second
    return DT_FACTOR.get(method, DT_FACTOR_EXPLICIT) / rate * second


#: The finest time step the ion level accepts.
MIN_DT = 1 * nsecond


def check_dt(cell, dt, method="exponential_euler"):
    """Raise ValueError when ``dt`` is too coarse for the gating kinetics.

    Steps below :data:`MIN_DT` (1 ns) are refused too: Brian2 counts time
    in steps, and a step near the smallest float makes a run do nothing.
    """
    check_quantity("dt", dt, second, low=MIN_DT)
    _check_method(method)
    limit = max_dt(cell, method)
    if dt > limit:
        where = ""
        if cell.temperature is not None:
            where = f" at {float(cell.temperature / kelvin) - 273.15:.1f} degC"
        raise ValueError(
            f"dt is too coarse for the gating kinetics of {cell.name!r}{where} "
            f"with method {method!r}: got dt={dt}, allowed range (0 s, {limit}]; "
            "use a smaller dt"
        )


def _steady_gates(group, cell, v):
    """Set every gate to its steady state alpha/(alpha+beta) at ``v``."""
    from neurorelax.ion.channels import _rate_lines

    namespace = {
        "v": v,
        "mV": mV,
        "ms": ms,
        "exp": np.exp,
        "exprel": lambda x: scipy.special.exprel(np.asarray(x, float)),
        **cell.kinetics_values,
    }
    for name in cell.channels:
        channel = get_channel(name)
        if not channel.gates:
            continue
        rates = _rate_lines(channel.rate_equations(cell.kinetics))
        for gate in channel.gates:
            alpha = eval(rates[f"alpha_{gate}"], {"__builtins__": {}}, namespace)
            beta = eval(rates[f"beta_{gate}"], {"__builtins__": {}}, namespace)
            setattr(group, gate, np.asarray(alpha / (alpha + beta), dtype=float))


def build_neurons(
    n,
    cell,
    *,
    synapses=("AMPA", "GABAA"),
    kinetics="exp",
    synapse_params=None,
    concentrations=None,
    per_neuron=(),
    external_current=True,
    name="neurons",
    method="exponential_euler",
    dt=None,
    nan_check_interval=1 * ms,
):
    """Build a NeuronGroup of ``n`` conductance-based neurons.

    Parameters
    ----------
    n : int
        Number of neurons, >= 1.
    cell : CellType
        Parameter set, e.g. :func:`~neurorelax.ion.hh_squid` or
        :func:`~neurorelax.ion.traub_miles` (change values with
        ``cell.with_values(g_Na=..., channels=(...))``).
    synapses : sequence of str
        Synapse types the neurons receive (``"AMPA"``, ``"NMDA"``,
        ``"GABAA"``, ``"GABAB"``); each adds a conductance ``g_<TYPE>``,
        and NMDA its magnesium block ``B_NMDA``.
    kinetics : str or dict
        ``"exp"`` or ``"biexp"``, for all synapse types or per type.
    synapse_params : dict of str to Quantity, optional
        Overrides of ``E_<TYPE>``, ``tau_<TYPE>`` (``"exp"`` kinetics),
        ``tau_rise_<TYPE>``, ``tau_decay_<TYPE>`` (``"biexp"``) of the chosen
        synapse types, of a block parameter (``Mg_o``, the extracellular
        magnesium of NMDA, default 1 mM, finite and >= 0), or of another
        parameter the equations use; a name the group does not use is
        refused.
    concentrations : Concentrations, optional
        Ion concentrations; when given, ``E_Cl`` and ``E_GABAA`` are their
        chloride Nernst potential (this overrides the cell's values).
    per_neuron : sequence of str
        Parameters stored once per neuron (e.g. ``("E_GABAA",)`` for a
        chloride gradient that differs between neurons) instead of once per
        group; their values may then be arrays of length ``n``.
    external_current : bool
        Add a per-neuron injected current ``I_ext`` (amp, or amp/metre**2
        for a per-area model), initially zero.
    name : str
        Name of the group; also the name used in error messages.
    method : str
        Brian2 integration method.
    dt : Quantity, optional
        Time step of the group (default ``defaultclock.dt``); refused when
        too coarse for the gating kinetics (see :func:`max_dt`).
    nan_check_interval : Quantity or None
        On runtime targets, check every ``nan_check_interval`` that the state
        is finite and stop with :class:`~neurorelax.ion.SimulationDiverged`
        otherwise (see :func:`~neurorelax.ion.add_nan_guard`). ``None``
        turns the check off. Standalone runs are checked after the run by
        :class:`~neurorelax.ion.StandaloneProject`.

    Returns
    -------
    NeuronGroup
        Variables ``v``, the gates, ``g_<TYPE>`` (and ``a_<TYPE>``,
        ``b_<TYPE>`` for biexp), ``B_NMDA`` (evaluated once per time
        step), ``I_ext`` and every parameter. ``v`` starts at
        ``cell.v_init``, every gate at its steady state there, and
        ``B_NMDA`` at its value there.

    Raises
    ------
    ValueError
        Before any Brian2 object is created: for an unknown or repeated
        channel, an unknown synapse name, a ``synapse_params`` name that the
        chosen synapses and kinetics do not use, a parameter with wrong
        units, a negative or non-finite conductance or capacitance, an
        array parameter not in ``per_neuron`` or not of length ``n``, a bad
        ``cell`` attribute (see :class:`CellType`), or a ``dt`` too coarse
        for the gating kinetics.
    TypeError
        If ``synapse_params`` is not a mapping.

    Examples
    --------
    >>> from brian2 import Network, SpikeMonitor, cm, ms, uA
    >>> from neurorelax.ion import hh_squid
    >>> group = build_neurons(1, hh_squid(), synapses=(), dt=0.01 * ms)
    >>> group.I_ext = 10 * uA / cm**2
    >>> spikes = SpikeMonitor(group)
    >>> Network(group, spikes).run(50 * ms)
    >>> print(spikes.count[0])
    4
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    if not isinstance(cell, CellType):
        raise ValueError(f"cell must be a CellType (e.g. hh_squid()), got {cell!r}")
    if concentrations is not None and not isinstance(concentrations, Concentrations):
        raise ValueError(
            f"concentrations must be a Concentrations, got {concentrations!r}"
        )
    _check_attributes(cell)
    _check_arguments(
        synapses, kinetics, per_neuron, external_current, name, nan_check_interval
    )
    if synapse_params is None:
        synapse_params = {}
    if not isinstance(synapse_params, Mapping):
        raise TypeError(
            "synapse_params must be a mapping of parameter names to values "
            f"(e.g. {{'tau_AMPA': 5*ms}}), got {synapse_params!r}"
        )
    g_unit, _ = _units_of(cell.C_m)
    equations, parameters = neuron_equations(
        cell, synapses=synapses, kinetics=kinetics, external_current=external_current
    )
    kinds = _kinetics_of(synapses, kinetics)
    _check_known_names(cell, synapse_params, parameters, kinds)
    values = _parameter_values(cell, kinds, concentrations, synapse_params)
    _check_values(parameters, values, g_unit)
    for key in per_neuron:
        if key not in parameters:
            raise ValueError(
                f"per_neuron: unknown parameter {key!r}; expected one of "
                f"{', '.join(sorted(parameters))}"
            )
    _check_sizes(n, {k: values[k] for k in parameters}, per_neuron, cell.v_init)
    check_dt(cell, dt if dt is not None else defaultclock.dt, method)

    for key, dim in parameters.items():
        flags = "(constant)" if key in per_neuron else "(shared, constant)"
        unit = "1" if dim is None else equation_unit(dim)
        equations += f"{key} : {unit} {flags}\n"
    group = NeuronGroup(
        n,
        equations,
        threshold=cell.threshold,
        refractory=cell.refractory,
        method=method,
        dt=dt,
        name=name,
    )
    for key in parameters:
        setattr(group, key, values[key])

    group.v = cell.v_init
    _steady_gates(group, cell, cell.v_init)
    for kind in kinds:
        block = get_synapse_type(kind).block
        if block is not None:
            setattr(group, f"B_{kind}", block.expression)
    for attribute, value in (("neurorelax_synapses", kinds), ("neurorelax_cell", cell)):
        group.add_attribute(attribute)
        setattr(group, attribute, value)
    if nan_check_interval is not None and isinstance(get_device(), RuntimeDevice):
        add_nan_guard(group, nan_check_interval)
    logger.debug("built %s: %d x %s, synapses %s", name, n, cell.name, kinds)
    return group
