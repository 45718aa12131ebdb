r"""Ion channels as Brian2 equation fragments, kept in one registry.

Each channel is a :class:`Channel`: the equations of its current and gates,
written with the membrane potential ``v`` and named parameters, plus the rate
functions of its gates for each kinetics family (``"hh1952"`` for the squid
axon, ``"traub_miles"`` for the cortical cell of the COBAHH benchmark). Gating
equations have the Hodgkin-Huxley form

.. math:: \frac{dx}{dt} = \phi \left(\alpha_x(v) (1 - x) - \beta_x(v) x\right),
   \qquad \phi = Q_{10}^{(T - T_\mathrm{ref}) / 10\,\mathrm{K}},

where :math:`\phi` scales every rate with temperature. A current is written
outward-positive, ``I = g * gates * (v - E)``, and the membrane equation of the
builder subtracts the sum of the channel currents.

A new channel is added in one place: construct a :class:`Channel` and pass it
to :func:`register_channel` (the built-in ones are registered at the end of
this module).
"""

import logging
from dataclasses import dataclass, field

import numpy as np
import scipy.special
from brian2 import Hz, ms, mV

__all__ = [
    "CHANNELS",
    "Channel",
    "available_channels",
    "gating_rate_max",
    "get_channel",
    "register_channel",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Channel:
    """One membrane current and its gates, as a Brian2 equation fragment.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"Na"``.
    current : str
        Name of the current variable in the equations, e.g. ``"I_Na"``.
    equations : str
        Brian2 equations. ``{current_unit}`` is replaced by the builder with
        ``amp`` or ``amp/metre**2`` (absolute or per-area model).
    conductances : tuple of str
        Parameters with the dimensions of a conductance (e.g. ``"g_Na"``).
    reversals : tuple of str
        Parameters in volt (e.g. ``"E_Na"``).
    gates : tuple of str
        Gating variables; each needs ``alpha_<gate>`` and ``beta_<gate>`` in
        ``rates``.
    rates : dict of str to str
        Kinetics family -> Brian2 equations defining ``alpha_<gate>`` and
        ``beta_<gate>`` (unit Hz) for every gate. Rates may use ``v`` and
        the family's extra parameters (e.g. ``V_T``).
    description : str
        One line for the documentation.
    """

    name: str
    current: str
    equations: str
    conductances: tuple = ()
    reversals: tuple = ()
    gates: tuple = ()
    rates: dict = field(default_factory=dict)
    description: str = ""

    def rate_equations(self, kinetics):
        """Return the rate equations of ``kinetics`` (empty without gates)."""
        if not self.gates:
            return ""
        if kinetics not in self.rates:
            raise ValueError(
                f"kinetics {kinetics!r} is not defined for channel {self.name!r}; "
                f"expected one of {', '.join(sorted(self.rates))}"
            )
        return self.rates[kinetics]


CHANNELS = {}


def register_channel(channel, *, replace=False):
    """Add ``channel`` to the registry under ``channel.name``.

    Raises
    ------
    ValueError
        If the name is taken and ``replace`` is False, or a gate lacks a rate.
    """
    if not isinstance(channel, Channel):
        raise ValueError(
            f"channel must be a Channel, got {type(channel).__name__} {channel!r}; "
            "build one with Channel(name=..., current=..., equations=...)"
        )
    if channel.name in CHANNELS and not replace:
        raise ValueError(
            f"channel name {channel.name!r} is already registered; pass "
            "replace=True to override it"
        )
    for family, text in channel.rates.items():
        for gate in channel.gates:
            for rate in (f"alpha_{gate}", f"beta_{gate}"):
                if rate not in text:
                    raise ValueError(
                        f"channel {channel.name!r}: kinetics {family!r} must "
                        f"define {rate}"
                    )
    CHANNELS[channel.name] = channel
    logger.debug("registered channel %s", channel.name)
    return channel


def available_channels():
    """Return the registered channel names, sorted."""
    return sorted(CHANNELS)


def get_channel(name):
    """Return the registered channel ``name``.

    Raises
    ------
    ValueError
        For an unknown name, listing the registered ones.
    """
    if name not in CHANNELS:
        raise ValueError(
            f"unknown channel name {name!r}; expected one of "
            f"{', '.join(available_channels())}"
        )
    return CHANNELS[name]


def _rate_lines(text):
    lines = {}
    for line in text.strip().splitlines():
        lhs, _, rest = line.partition("=")
        expression = rest.rsplit(":", 1)[0]
        lines[lhs.strip()] = expression.strip()
    return lines


def gating_rate_max(channel, kinetics, extra=None, v_range=(-100, 50)):
    """Return the largest ``alpha + beta`` of the channel's gates, in Hz.

    The rates are evaluated from the same strings the simulator uses, on a
    0.1 mV grid over ``v_range`` (in mV). Multiply by the temperature factor
    :math:`\\phi` to get the fastest relaxation rate of the gates.

    Parameters
    ----------
    channel : Channel
    kinetics : str
    extra : dict of str to Quantity, optional
        Extra parameters of the kinetics family (e.g. ``{"V_T": -63*mV}``).
    v_range : tuple of float
        Voltage range in mV.

    Returns
    -------
    Quantity, Hz
        0 Hz for a channel without gates.
    """
    if not channel.gates:
        return 0 * Hz
    v = np.arange(v_range[0], v_range[1] + 0.05, 0.1) * mV
    namespace = {
        "v": v,
        "mV": mV,
        "ms": ms,
        "Hz": Hz,
        "exp": np.exp,
        "exprel": lambda x: scipy.special.exprel(np.asarray(x, dtype=float)),
        **(extra or {}),
    }
    lines = _rate_lines(channel.rate_equations(kinetics))
    fastest = 0.0
    for gate in channel.gates:
        alpha = eval(lines[f"alpha_{gate}"], {"__builtins__": {}}, namespace)
        beta = eval(lines[f"beta_{gate}"], {"__builtins__": {}}, namespace)
        fastest = max(fastest, float(np.max(np.asarray((alpha + beta) / Hz))))
    return fastest * Hz


# ----------------------------------------------------------------------------
# Built-in channels. Rates of "hh1952" are Hodgkin & Huxley (1952) with the
# modern sign convention (rest at -65 mV); "traub_miles" are Traub & Miles
# (1991) as used in the COBAHH benchmark (Brette et al. 2007), with the
# threshold-shift parameter V_T. exprel(x) = (exp(x) - 1)/x removes the
# removable singularities of the alpha rates.

register_channel(
    Channel(
        name="Na",
        current="I_Na",
        equations="""
I_Na = g_Na * m*m*m * h * (v - E_Na) : {current_unit}
dm/dt = phi * (alpha_m * (1 - m) - beta_m * m) : 1
dh/dt = phi * (alpha_h * (1 - h) - beta_h * h) : 1
""",
        conductances=("g_Na",),
        reversals=("E_Na",),
        gates=("m", "h"),
        rates={
            "hh1952": """
alpha_m = 1/exprel(-(v + 40*mV) / (10*mV)) / ms : Hz
beta_m = 4 * exp(-(v + 65*mV) / (18*mV)) / ms : Hz
alpha_h = 0.07 * exp(-(v + 65*mV) / (20*mV)) / ms : Hz
beta_h = 1 / (1 + exp(-(v + 35*mV) / (10*mV))) / ms : Hz
""",
            "traub_miles": """
alpha_m = 0.32 * 4 / exprel((13*mV - v + V_T) / (4*mV)) / ms : Hz
beta_m = 0.28 * 5 / exprel((v - V_T - 40*mV) / (5*mV)) / ms : Hz
alpha_h = 0.128 * exp((17*mV - v + V_T) / (18*mV)) / ms : Hz
beta_h = 4 / (1 + exp((40*mV - v + V_T) / (5*mV))) / ms : Hz
""",
        },
        description="fast sodium current, m^3 h",
    )
)

register_channel(
    Channel(
        name="K",
        current="I_K",
        equations="""
I_K = g_K * n*n*n*n * (v - E_K) : {current_unit}
dn/dt = phi * (alpha_n * (1 - n) - beta_n * n) : 1
""",
        conductances=("g_K",),
        reversals=("E_K",),
        gates=("n",),
        rates={
            "hh1952": """
alpha_n = 0.1/exprel(-(v + 55*mV) / (10*mV)) / ms : Hz
beta_n = 0.125 * exp(-(v + 65*mV) / (80*mV)) / ms : Hz
""",
            "traub_miles": """
alpha_n = 0.032 * 5 / exprel((15*mV - v + V_T) / (5*mV)) / ms : Hz
beta_n = 0.5 * exp((10*mV - v + V_T) / (40*mV)) / ms : Hz
""",
        },
        description="delayed-rectifier potassium current, n^4",
    )
)

register_channel(
    Channel(
        name="Cl_leak",
        current="I_Cl",
        equations="""
I_Cl = g_Cl * (v - E_Cl) : {current_unit}
""",
        conductances=("g_Cl",),
        reversals=("E_Cl",),
        description="chloride leak; E_Cl follows the chloride gradient",
    )
)

register_channel(
    Channel(
        name="leak",
        current="I_L",
        equations="""
I_L = g_L * (v - E_L) : {current_unit}
""",
        conductances=("g_L",),
        reversals=("E_L",),
        description="lumped leak of all other ions",
    )
)
