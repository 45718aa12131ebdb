"""Named parameter sets: the Hodgkin-Huxley squid axon and the Traub-Miles cell.

A :class:`CellType` holds everything the builder needs for one kind of
neuron: membrane capacitance, channel list, channel parameters with their
units, the kinetics family of the gates, temperature scaling, threshold and
refractoriness. Derived values (the per-cell values of the Traub-Miles cell
from its specific values and membrane area) are computed from their formula.
"""

import logging
import math
from dataclasses import dataclass, field, replace
from numbers import Real

import numpy as np
from brian2 import cm, kelvin, mS, ms, mV, second, siemens, ufarad, umetre, volt

from neurorelax.ion._units import check_quantity
from neurorelax.ion.nernst import celsius

__all__ = ["CellType", "hh_squid", "traub_miles", "PARAMETER_SETS"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CellType:
    """Parameters of one neuron type.

    Attributes
    ----------
    name : str
        Name of the parameter set.
    C_m : Quantity, farad or farad/metre**2
        Membrane capacitance, absolute or per area; every conductance must
        then be in siemens or siemens/metre**2 accordingly.
    channels : tuple of str
        Registered channel names (see :mod:`neurorelax.ion.channels`).
    values : dict of str to Quantity
        Channel parameters (``g_Na``, ``E_Na``, ...), plus optional synaptic
        reversals, time constants and block parameters (``E_AMPA``,
        ``tau_GABAA``, ``Mg_o``, ...) that override the synapse defaults.
    kinetics : str
        Rate-function family of the gates (``"hh1952"`` or ``"traub_miles"``).
    kinetics_values : dict of str to Quantity
        Extra parameters of the kinetics family (``V_T`` for Traub-Miles).
    temperature, T_ref : Quantity, kelvin
        Simulation temperature and the temperature at which the rates were
        measured; rates are multiplied by ``Q10 ** ((temperature - T_ref)/10 K)``.
    Q10 : float
        Temperature coefficient of the gating rates.
    threshold : str
        Spike condition (Brian2 expression).
    refractory : Quantity or str
        Refractory period or condition.
    v_init : Quantity, volt
        Initial membrane potential; gates start at their steady state there.
        One value, or one per neuron; within [-200, 100] mV.

    Raises
    ------
    ValueError
        On construction (and in :meth:`with_values`), for a repeated
        channel, a ``temperature`` or ``T_ref`` that is not a quantity in
        kelvin > 0, a ``Q10`` that is not a finite number > 0, a negative
        or unitless ``refractory`` period, or a ``v_init`` outside
        [-200, 100] mV or without units.
    """

    name: str
    C_m: object
    channels: tuple
    values: dict
    kinetics: str
    kinetics_values: dict = field(default_factory=dict)
    temperature: object = None
    T_ref: object = None
    Q10: float = 3.0
    threshold: str = "v > -20*mV"
    refractory: object = field(default_factory=lambda: 3 * ms)
    v_init: object = field(default_factory=lambda: -65 * mV)

    def __post_init__(self):
        _check_attributes(self)

    @property
    def phi(self):
        """Temperature factor of the gating rates, dimensionless."""
        if self.temperature is None or self.T_ref is None:
            return 1.0
        exponent = float((self.temperature - self.T_ref) / (10 * kelvin))
        return float(self.Q10**exponent)

    def with_values(self, **changes):
        """Return a copy with entries of ``values`` or attributes replaced.

        Examples
        --------
        >>> from brian2 import mV
        >>> cooler = hh_squid().with_values(E_L=-60 * mV, temperature=None)
        >>> print(cooler.values["E_L"], cooler.phi)
        -60. mV 1.0
        """
        attributes = {
            k: v for k, v in changes.items() if k in self.__dataclass_fields__
        }
        values = dict(self.values)
        values.update({k: v for k, v in changes.items() if k not in attributes})
        return replace(self, values=values, **attributes)


#: Range of initial membrane potentials accepted by :class:`CellType`.
V_INIT_RANGE = (-200 * mV, 100 * mV)


def _check_attributes(cell):
    """Check the attributes of a CellType (not its channel values)."""
    channels = cell.channels
    if isinstance(channels, str) or not hasattr(channels, "__iter__"):
        raise ValueError(
            f"channels must be a sequence of channel names, got {channels!r}"
        )
    repeated = sorted({c for c in channels if list(channels).count(c) > 1}, key=str)
    if repeated:
        raise ValueError(
            f"channels must not repeat a name, got {tuple(channels)} "
            f"({', '.join(map(repr, repeated))} more than once)"
        )
    for name in ("temperature", "T_ref"):
        value = getattr(cell, name)
        if value is not None:
            check_quantity(name, value, kelvin, low=0 * kelvin, low_open=True)
    q10 = cell.Q10
    if (
        isinstance(q10, bool)
        or not isinstance(q10, Real | np.number)
        or np.iscomplexobj(q10)
        or not math.isfinite(float(q10))
        or float(q10) <= 0
    ):
        raise ValueError(f"Q10 must be a finite number > 0, got {q10!r}")
    if cell.temperature is not None and cell.T_ref is not None:
        exponent = float((cell.temperature - cell.T_ref) / (10 * kelvin))
        try:
            phi = float(q10) ** exponent
        except OverflowError:
            phi = math.inf
        if not 0 < phi < math.inf:
            raise ValueError(
                f"temperature {float(cell.temperature / kelvin):g} K with Q10 = "
                f"{float(q10):g} and T_ref = {float(cell.T_ref / kelvin):g} K scales "
                f"the gating rates by Q10**{exponent:.4g}, beyond floating-point "
                "range; expected a temperature closer to T_ref"
            )
    if not isinstance(cell.refractory, str):
        check_quantity("refractory", cell.refractory, second, low=0 * second)
    check_quantity(
        "v_init",
        cell.v_init,
        volt,
        low=V_INIT_RANGE[0],
        high=V_INIT_RANGE[1],
        allow_array=True,
    )


def hh_squid(temperature_celsius=6.3):
    """Return the Hodgkin-Huxley squid giant axon (1952), per unit area.

    Parameters
    ----------
    temperature_celsius : float
        Temperature in degC; the rates measured at 6.3 degC are scaled with
        Q10 = 3.

    Returns
    -------
    CellType
        C_m = 1 uF/cm^2, g_Na = 120, g_K = 36, g_L = 0.3 mS/cm^2,
        E_Na = 50, E_K = -77, E_L = -54.387 mV (rest at -65 mV).

    References
    ----------
    Hodgkin AL, Huxley AF (1952) J Physiol 117:500-544.
    """
    return CellType(
        name="hh_squid",
        C_m=1 * ufarad / cm**2,
        channels=("Na", "K", "leak"),
        values={
            "g_Na": 120 * mS / cm**2,
            "g_K": 36 * mS / cm**2,
            "g_L": 0.3 * mS / cm**2,
            "E_Na": 50 * mV,
            "E_K": -77 * mV,
            "E_L": -54.387 * mV,
            "E_AMPA": 0 * mV,
        },
        kinetics="hh1952",
        temperature=celsius(temperature_celsius),
        T_ref=celsius(6.3),
        Q10=3.0,
        threshold="v > -20*mV",
        refractory="v > -20*mV",
        v_init=-65 * mV,
    )


def traub_miles():
    """Return the Traub-Miles cortical cell of the COBAHH benchmark.

    Per-cell values for a membrane area of 20000 um^2, as in benchmark 3 of
    Brette et al. (2007): C_m = 1 uF/cm^2, g_L = 0.05, g_Na = 100,
    g_K = 30 mS/cm^2 times the area; E_L = -60, E_K = -90, E_Na = 50 mV,
    V_T = -63 mV; spike at v > -20 mV with 3 ms refractoriness; synaptic
    reversals E_AMPA = 0 mV and E_GABAA = -80 mV, time constants 5 ms and
    10 ms.

    References
    ----------
    Traub RD, Miles R (1991) Neuronal networks of the hippocampus.
    Brette R et al. (2007) J Comput Neurosci 23:349-398.
    """
    area = 20000 * umetre**2
    return CellType(
        name="traub_miles",
        C_m=1 * ufarad / cm**2 * area,
        channels=("Na", "K", "leak"),
        values={
            "g_Na": 100 * mS / cm**2 * area,
            "g_K": 30 * mS / cm**2 * area,
            "g_L": 5e-5 * siemens / cm**2 * area,
            "E_Na": 50 * mV,
            "E_K": -90 * mV,
            "E_L": -60 * mV,
            "E_AMPA": 0 * mV,
            "E_GABAA": -80 * mV,
            "tau_AMPA": 5 * ms,
            "tau_GABAA": 10 * ms,
        },
        kinetics="traub_miles",
        kinetics_values={"V_T": -63 * mV},
        threshold="v > -20*mV",
        refractory=3 * ms,
        v_init=-60 * mV,
    )


PARAMETER_SETS = {"hh_squid": hh_squid, "traub_miles": traub_miles}
