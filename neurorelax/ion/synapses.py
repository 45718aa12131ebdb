r"""Conductance-based synapses: AMPA, NMDA, GABA-A (chloride), GABA-B (potassium).

Each synapse type adds a conductance ``g_<TYPE>`` to the target neurons and a
current ``g_<TYPE> * (v - E_<TYPE>)``. A type with a voltage-dependent block
(:class:`VoltageBlock`, declared once on its :class:`SynapseType`) adds a
factor: ``g_<TYPE> * B_<TYPE> * (v - E_<TYPE>)``. Two kinetics are available:

``"exp"``
    :math:`dg/dt = -g/\tau`; a presynaptic spike adds the weight ``w`` to
    ``g`` after the synaptic delay.
``"biexp"``
    :math:`g = a - b`, :math:`da/dt = -a/\tau_d`, :math:`db/dt = -b/\tau_r`;
    a spike adds ``w * K`` to both ``a`` and ``b``, where ``K`` makes the
    peak of ``g`` equal to ``w``:
    :math:`K = \left(e^{-t_p/\tau_d} - e^{-t_p/\tau_r}\right)^{-1}`,
    :math:`t_p = \frac{\tau_r \tau_d}{\tau_d - \tau_r} \ln(\tau_d/\tau_r)`.
    Each of ``a`` and ``b`` is a decoupled linear equation, so exponential
    Euler integrates them exactly (the coupled form ``dg/dt = (x - g)/tau_d``
    would overshoot the peak by about ``dt/(2 tau_r)``).

The GABA-A reversal ``E_GABAA`` follows the chloride gradient (Nernst) when
the builder is given ion concentrations; GABA-B uses the potassium reversal.

NMDA is a cation conductance (``E_NMDA`` = 0 mV; ``tau`` 100 ms, or
``tau_rise`` 2 ms and ``tau_decay`` 100 ms) with the magnesium block of Jahr
and Stevens (1990):

.. math:: B_\mathrm{NMDA}(v) = \left(1 + \frac{[\mathrm{Mg}]_o}{3.57\,
   \mathrm{mM}} e^{-0.062\, v/\mathrm{mV}}\right)^{-1},

with the extracellular magnesium concentration ``Mg_o`` (default 1 mM) a
parameter of the group. Like the other types, the NMDA conductances of all
spikes add up linearly: there is no per-synapse saturation of the NMDA
gating, so a high presynaptic rate gives a conductance without bound.

References
----------
Jahr CE, Stevens CF (1990) Voltage dependence of NMDA-activated macroscopic
conductances predicted by single-channel kinetics. J Neurosci 10:3178-3182.
"""

import ast
import logging
import re
from dataclasses import dataclass
from numbers import Real

import numpy as np
from brian2 import (
    DimensionMismatchError,
    Group,
    Synapses,
    get_dimensions,
    mmolar,
    ms,
    mV,
    second,
)

from neurorelax.ion._units import check_quantity, unit_name

__all__ = [
    "KINETICS",
    "MG_BLOCK",
    "SYNAPSE_TYPES",
    "SynapseType",
    "VoltageBlock",
    "biexp_peak_factor",
    "connect_synapses",
    "get_synapse_type",
]

logger = logging.getLogger(__name__)

KINETICS = ("exp", "biexp")


@dataclass(frozen=True)
class VoltageBlock:
    """A voltage-dependent factor ``B_<TYPE>`` that multiplies a synaptic current.

    The builder adds ``B_<TYPE> = <expression> : 1 (constant over dt)`` to
    the neurons and the current ``g_<TYPE> * B_<TYPE> * (v - E_<TYPE>)``.
    ``B_<TYPE>`` is evaluated once per time step, at the membrane potential at
    the start of the step (Brian2's ``constant over dt``), which keeps the
    membrane equation linear in ``v`` within a step, as exponential Euler
    requires. The builder also sets it at ``v_init`` when the group is built.

    Attributes
    ----------
    expression : str
        Brian2 expression of the dimensionless factor, in ``v`` and the
        parameters.
    parameters : dict of str to Quantity
        Default value of each parameter that ``expression`` uses. Each
        becomes a variable of the group, set like the other synapse
        parameters (``synapse_params``, the cell's ``values``,
        ``per_neuron``, ``run_args``); a value must be finite, >= 0 and in
        the units of its default. The names are not suffixed with the
        synapse type, so types that declare the same name share it.
    reference : str
        Where the expression comes from.
    """

    expression: str
    parameters: dict
    reference: str = ""

    def __post_init__(self):
        if not isinstance(self.expression, str) or not self.expression.strip():
            raise ValueError(
                f"expression must be a non-empty string, got {self.expression!r}"
            )
        for name, default in self.parameters.items():
            check_quantity(name, default, default, low=0 * default)


#: Magnesium block of NMDA receptors (Jahr and Stevens 1990), with the
#: extracellular magnesium concentration ``Mg_o``.
MG_BLOCK = VoltageBlock(
    expression="1 / (1 + Mg_o / (3.57*mmolar) * exp(-0.062 * v / mV))",
    parameters={"Mg_o": 1 * mmolar},
    reference="Jahr CE, Stevens CF (1990) J Neurosci 10:3178-3182",
)


@dataclass(frozen=True)
class SynapseType:
    """Defaults of one synapse type.

    Attributes
    ----------
    name : str
        ``"AMPA"``, ``"NMDA"``, ``"GABAA"`` or ``"GABAB"``.
    ion : str
        What sets the reversal: ``"cation"`` (fixed ``E_<name>``), ``"Cl"``
        (chloride Nernst potential) or ``"K"`` (the cell's ``E_K``).
    E_default : Quantity, volt
        Reversal used when neither the cell nor the concentrations give one.
    tau : Quantity, second
        Decay time constant of the ``"exp"`` kinetics.
    tau_rise, tau_decay : Quantity, second
        Time constants of the ``"biexp"`` kinetics.
    block : VoltageBlock or None
        Voltage-dependent factor of the current (the magnesium block of
        NMDA), or None for a current linear in ``v``.
    """

    name: str
    ion: str
    E_default: object
    tau: object
    tau_rise: object
    tau_decay: object
    block: VoltageBlock | None = None


SYNAPSE_TYPES = {
    "AMPA": SynapseType("AMPA", "cation", 0 * mV, 5 * ms, 0.5 * ms, 5 * ms),
    "NMDA": SynapseType(
        "NMDA", "cation", 0 * mV, 100 * ms, 2 * ms, 100 * ms, block=MG_BLOCK
    ),
    "GABAA": SynapseType("GABAA", "Cl", -80 * mV, 10 * ms, 1 * ms, 10 * ms),
    "GABAB": SynapseType("GABAB", "K", -90 * mV, 150 * ms, 50 * ms, 150 * ms),
}


def block_parameters():
    """Return the default of every block parameter of every synapse type."""
    defaults = {}
    for spec in SYNAPSE_TYPES.values():
        if spec.block is not None:
            defaults.update(spec.block.parameters)
    return defaults


def get_synapse_type(name):
    """Return the :class:`SynapseType` called ``name`` or raise ValueError."""
    if name not in SYNAPSE_TYPES:
        raise ValueError(
            f"unknown synapse type {name!r}; expected one of "
            f"{', '.join(sorted(SYNAPSE_TYPES))}"
        )
    return SYNAPSE_TYPES[name]


def biexp_peak_factor(tau_rise, tau_decay):
    """Return ``K`` such that jumps ``w*K`` of ``a`` and ``b`` give a peak ``w``.

    Parameters
    ----------
    tau_rise, tau_decay : Quantity, second
        ``0 < tau_rise < tau_decay``.

    Returns
    -------
    float

    Examples
    --------
    >>> from brian2 import ms
    >>> print(f"{biexp_peak_factor(1 * ms, 10 * ms):.4f}")
    1.4351
    """
    check_quantity("tau_rise", tau_rise, second, low=0 * second, low_open=True)
    check_quantity("tau_decay", tau_decay, second, low=0 * second, low_open=True)
    if not tau_rise < tau_decay:
        raise ValueError(
            f"tau_rise must be smaller than tau_decay, got tau_rise={tau_rise}, "
            f"tau_decay={tau_decay}"
        )
    tr, td = float(tau_rise / second), float(tau_decay / second)
    t_peak = tr * td / (td - tr) * np.log(td / tr)
    return float(1 / (np.exp(-t_peak / td) - np.exp(-t_peak / tr)))


def synapse_equations(name, kinetics, conductance_unit):
    """Return the neuron-side equations and parameters of a synapse type.

    Returns
    -------
    equations : str
    parameters : dict of str to Dimension or None
        The dimensions of each parameter the equations use (None for the
        dimensionless ``K_<TYPE>``), not counting ``E_<TYPE>``.
    """
    spec = get_synapse_type(name)
    if kinetics == "exp":
        equations = f"dg_{name}/dt = -g_{name} / tau_{name} : {conductance_unit}\n"
        parameters = {f"tau_{name}": second.dim}
    else:
        equations = (
            f"g_{name} = a_{name} - b_{name} : {conductance_unit}\n"
            f"da_{name}/dt = -a_{name} / tau_decay_{name} : {conductance_unit}\n"
            f"db_{name}/dt = -b_{name} / tau_rise_{name} : {conductance_unit}\n"
        )
        parameters = {
            f"tau_rise_{name}": second.dim,
            f"tau_decay_{name}": second.dim,
            f"K_{name}": None,
        }
    if spec.block is not None:
        equations += f"B_{name} = {spec.block.expression} : 1 (constant over dt)\n"
        parameters.update(
            {p: get_dimensions(d) for p, d in spec.block.parameters.items()}
        )
    return equations, parameters


def synapse_current(name):
    """Return the outward current of synapse type ``name`` as a Brian2 expression.

    Examples
    --------
    >>> print(synapse_current("AMPA"))
    g_AMPA * (v - E_AMPA)
    >>> print(synapse_current("NMDA"))
    g_NMDA * B_NMDA * (v - E_NMDA)
    """
    if get_synapse_type(name).block is None:
        return f"g_{name} * (v - E_{name})"
    return f"g_{name} * B_{name} * (v - E_{name})"


def connect_synapses(
    source,
    target,
    kind,
    *,
    weight,
    p=None,
    i=None,
    j=None,
    condition=None,
    delay=None,
    shared_weight=False,
    name=None,
):
    """Connect ``source`` to ``target`` with synapses of type ``kind``.

    Parameters
    ----------
    source : Group
        Any group that spikes (NeuronGroup, PoissonGroup,
        SpikeGeneratorGroup or a subgroup).
    target : NeuronGroup
        A group built by :func:`neurorelax.ion.build_neurons` with ``kind``
        among its synapse types.
    kind : str
        ``"AMPA"``, ``"NMDA"``, ``"GABAA"`` or ``"GABAB"``.
    weight : Quantity or str
        Peak conductance per spike, in the dimensions of the target's
        conductances (siemens, or siemens/metre**2 for a per-area model);
        a string is evaluated per synapse (e.g. ``"rand()*6*nS"``). A string
        made only of numbers, Brian2 units and arithmetic (``"-6*nS"``) is
        evaluated and checked like a quantity; any other expression (one
        that calls a function or uses a variable) is not checked for sign or
        range, only for its units, by Brian2 when it is assigned.
    p, i, j, condition :
        Connectivity, passed to ``Synapses.connect`` (probability ``p``,
        explicit index arrays ``i``/``j``, or a ``condition`` string).
        Without any of them every pair is connected.
    delay : Quantity, second, optional
        Transmission delay, >= 0 (one value for all synapses).
    shared_weight : bool
        Store one weight for all synapses (``w : (shared)``) instead of one
        per synapse; cheaper, and still changeable between standalone runs.
    name : str, optional
        Name of the Synapses object (default ``"<source>_to_<target>_<kind>"``).

    Returns
    -------
    Synapses
        With the weight in variable ``w``.
    """
    get_synapse_type(kind)
    if not isinstance(source, Group):
        raise ValueError(
            "source must be a Brian2 group that spikes (NeuronGroup, "
            f"PoissonGroup, SpikeGeneratorGroup or a subgroup), got {source!r}"
        )
    kinds = getattr(target, "neurorelax_synapses", None)
    if kinds is None:
        raise ValueError(
            f"target must be a NeuronGroup built by build_neurons, got {target!r}"
        )
    if kind not in kinds:
        raise ValueError(
            f"kind {kind!r} is not a synapse type of target {target.name!r}; it "
            f"has {', '.join(kinds) or 'none'}; pass synapses=(..., {kind!r}) "
            "to build_neurons"
        )
    g_unit = target.variables[f"g_{kind}"].dim
    constant = _constant_value(weight) if isinstance(weight, str) else weight
    if constant is not None:
        check_quantity(
            "weight", constant, g_unit, low=0 * siemens_like(g_unit), allow_array=True
        )
    if delay is not None:
        check_quantity("delay", delay, second, low=0 * second)
    _check_connectivity(source, target, p, i, j, condition)
    if not isinstance(shared_weight, bool | np.bool_):
        raise ValueError(f"shared_weight must be True or False, got {shared_weight!r}")
    if name is not None and (
        not isinstance(name, str) or not re.fullmatch(r"[_A-Za-z][_a-zA-Z0-9]*", name)
    ):
        raise ValueError(
            "name must be a valid Brian2 name (a letter or _, then letters, "
            f"digits or _), got {name!r}"
        )

    flags = "(shared, constant)" if shared_weight else "(constant)"
    model = f"w : {unit_name(g_unit)} {flags}"
    if kinds[kind] == "exp":
        on_pre = f"g_{kind}_post += w"
    else:
        on_pre = (
            f"a_{kind}_post += w * K_{kind}_post\nb_{kind}_post += w * K_{kind}_post"
        )
    name = name or f"{source.name}_to_{target.name}_{kind}".replace("*", "")
    synapses = Synapses(
        source, target, model=model, on_pre=on_pre, delay=delay, name=name
    )

    connect_kwds = {
        k: val
        for k, val in (("p", p), ("i", i), ("j", j), ("condition", condition))
        if val is not None
    }
    synapses.connect(**connect_kwds)
    try:
        synapses.w = weight
    except (KeyError, SyntaxError, ValueError, DimensionMismatchError) as error:
        # A string weight can only be checked by Brian2; an array only once
        # the number of synapses is known.
        raise ValueError(
            f"weight {weight!r} cannot be assigned to the {len(synapses)} "
            f"synapses ({error}); expected a conductance in "
            f"{unit_name(g_unit)}, one value or one per synapse, or an "
            "expression such as 'rand()*6*nS'"
        ) from None
    logger.debug(
        "connected %s -> %s (%s, %s)", source.name, target.name, kind, kinds[kind]
    )
    return synapses


_CONSTANT_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.operator,
    ast.unaryop,
)


def _constant_value(text):
    """Return the value of a constant unit expression such as ``"-6*nS"``.

    Returns ``None`` for an expression that is not made only of numbers,
    Brian2 units and arithmetic (it is left to Brian2), or that cannot be
    evaluated.
    """
    import brian2

    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return None
    namespace = {}
    for node in ast.walk(tree):
        if not isinstance(node, _CONSTANT_NODES):
            return None
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                return None
            # floats, so that a huge power overflows instead of running long
            node.value = float(node.value)
        if isinstance(node, ast.Name):
            unit = getattr(brian2.units, node.id, None)
            if not isinstance(unit, brian2.Quantity):
                return None
            namespace[node.id] = unit
    try:
        code = compile(tree, "<weight>", "eval")
        with np.errstate(all="ignore"):
            return eval(code, {"__builtins__": {}}, namespace)  # noqa: S307
    except (ArithmeticError, TypeError, ValueError, DimensionMismatchError):
        return None


def _check_connectivity(source, target, p, i, j, condition):
    """Check p, i, j and condition before the Synapses object exists."""
    if p is not None and not isinstance(p, str):
        if isinstance(p, bool) or not isinstance(p, Real | np.number):
            raise ValueError(f"p must be a number in [0, 1] or a string, got {p!r}")
        if not 0 <= float(p) <= 1:  # also refuses NaN
            raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
    generator = isinstance(j, str)  # j="k for k in ..." needs no i
    if (i is None) != (j is None) and condition is None and not generator:
        raise ValueError(
            "i and j must be given together (index arrays of the same length), "
            f"got i={i!r}, j={j!r}"
        )
    for label, indices, size in (("i", i, len(source)), ("j", j, len(target))):
        if indices is None or isinstance(indices, str):
            continue
        array = np.asarray(indices)
        if array.size and not np.issubdtype(array.dtype, np.integer):
            raise ValueError(
                f"{label} must hold integer neuron indices, got dtype {array.dtype}"
            )
        if array.size and (array.min() < 0 or array.max() >= size):
            raise ValueError(
                f"{label} must lie in [0, {size - 1}] ({size} neurons), got "
                f"values from {array.min()} to {array.max()}"
            )
    if i is not None and j is not None and not isinstance(i, str | int | np.integer):
        if np.ndim(j) and np.ndim(i) and np.size(i) != np.size(j):
            raise ValueError(
                f"i and j must have the same length, got {np.size(i)} and {np.size(j)}"
            )
    if condition is not None:
        if not isinstance(condition, str):
            raise ValueError(f"condition must be a string, got {condition!r}")
        try:
            ast.parse(condition, mode="eval")
        except SyntaxError as error:
            raise ValueError(
                f"condition {condition!r} is not a valid expression ({error.msg}); "
                "expected e.g. 'i != j'"
            ) from None


def siemens_like(dim):
    """Return the unit object with dimensions ``dim`` (for zero bounds)."""
    from brian2.units.fundamentalunits import get_unit

    return get_unit(dim)
