r"""Reversal potentials from ion concentrations: Nernst and Goldman-Hodgkin-Katz.

The Nernst potential of an ion with valence :math:`z` is

.. math:: E = \frac{R T}{z F} \ln \frac{[X]_o}{[X]_i}

and the Goldman-Hodgkin-Katz (GHK) resting potential of a membrane permeable
to Na+, K+ and Cl- is

.. math:: V = \frac{R T}{F} \ln
   \frac{P_K [K]_o + P_{Na} [Na]_o + P_{Cl} [Cl]_i}
        {P_K [K]_i + P_{Na} [Na]_i + P_{Cl} [Cl]_o}.

Temperatures are Brian2 quantities in kelvin; :func:`celsius` converts a
temperature in degrees Celsius.
"""

import logging
from dataclasses import dataclass
from numbers import Real

import numpy as np
from brian2 import kelvin, mmolar, volt

from neurorelax.ion._units import check_quantity

__all__ = [
    "FARADAY",
    "GAS_CONSTANT",
    "MAMMALIAN",
    "SQUID",
    "Concentrations",
    "celsius",
    "ghk_potential",
    "nernst",
    "nernst_mV",
]

logger = logging.getLogger(__name__)

#: Faraday constant, C/mol (CODATA 2018 exact value).
FARADAY = 96485.33212
#: Molar gas constant, J/(mol K) (CODATA 2018 exact value).
GAS_CONSTANT = 8.314462618
_ZERO_CELSIUS = 273.15


def celsius(degrees):
    """Return the temperature ``degrees`` (in degC, a plain number) in kelvin.

    Examples
    --------
    >>> print(celsius(37.0))
    310.15 K
    """
    if isinstance(degrees, bool) or not isinstance(degrees, Real | np.number):
        # A Quantity here is a unit mistake: celsius(310 * kelvin) is not 37 degC.
        raise ValueError(
            "temperature must be a plain number of degC such as 37.0 (a "
            f"Quantity in kelvin needs no conversion), got {degrees!r}"
        )
    degrees = float(degrees)
    if not np.isfinite(degrees) or degrees < -_ZERO_CELSIUS:
        raise ValueError(
            f"temperature must be a finite number of degC >= -273.15, got {degrees!r}"
        )
    return (degrees + _ZERO_CELSIUS) * kelvin


def nernst(z, c_out, c_in, temperature):
    """Return the Nernst reversal potential of one ion species.

    Parameters
    ----------
    z : int
        Valence of the ion (+1 for Na+ and K+, -1 for Cl-, +2 for Ca2+).
    c_out, c_in : Quantity, molar
        Extracellular and intracellular concentrations, > 0 (scalars or
        arrays of the same shape).
    temperature : Quantity, kelvin
        Absolute temperature, > 0 K.

    Returns
    -------
    Quantity, volt
        ``R T / (z F) * log(c_out / c_in)``, same shape as the concentrations.

    Examples
    --------
    >>> from brian2 import mmolar, mV
    >>> E_K = nernst(1, 5 * mmolar, 140 * mmolar, celsius(37))
    >>> print(f"{float(E_K / mV):.2f}")
    -89.06
    """
    if isinstance(z, bool) or not isinstance(z, int | np.integer) or z == 0:
        raise ValueError(f"z (valence) must be a non-zero integer, got {z!r}")
    check_quantity(
        "c_out", c_out, mmolar, low=0 * mmolar, low_open=True, allow_array=True
    )
    check_quantity(
        "c_in", c_in, mmolar, low=0 * mmolar, low_open=True, allow_array=True
    )
    check_quantity("temperature", temperature, kelvin, low=0 * kelvin, low_open=True)
    try:
        np.broadcast_shapes(np.shape(c_out), np.shape(c_in))
    except ValueError:
        raise ValueError(
            f"c_out and c_in must have the same shape (or one be a scalar), got "
            f"shapes {np.shape(c_out)} and {np.shape(c_in)}"
        ) from None

    ratio = np.asarray(c_out / c_in, dtype=float)
    return nernst_mV(z, ratio, 1.0, float(temperature / kelvin)) * 1e-3 * volt


def nernst_mV(z, c_out, c_in, temperature_K):
    """The Nernst potential in plain numbers, without unit or range checks.

    For checks that compute many reversal potentials (a parameter sweep's
    grid); :func:`nernst` checks its arguments and gives a Quantity.

    Parameters
    ----------
    z : int
        Valence of the ion.
    c_out, c_in : float or ndarray
        Concentrations in one unit (their ratio is what counts).
    temperature_K : float
        Absolute temperature in kelvin.

    Returns
    -------
    float or ndarray
        ``1e3 R T / (z F) ln(c_out / c_in)`` in mV; infinite or NaN where
        the ratio is 0, infinite or undefined.

    Examples
    --------
    >>> print(f"{nernst_mV(1, 5.0, 140.0, 310.15):.2f}")
    -89.06
    """
    thermal_mV = 1e3 * GAS_CONSTANT * temperature_K / (z * FARADAY)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        return thermal_mV * np.log(np.divide(c_out, c_in))


def ghk_potential(permeabilities, c_out, c_in, temperature):
    """Return the Goldman-Hodgkin-Katz resting potential for Na+, K+ and Cl-.

    Parameters
    ----------
    permeabilities : dict of str to float
        Relative permeabilities ``{"K": 1.0, "Na": 0.05, "Cl": 0.45}``, each
        >= 0 and at least one > 0. Missing ions count as impermeant.
    c_out, c_in : dict of str to Quantity, molar
        Extracellular and intracellular concentrations of every ion named in
        ``permeabilities`` with a non-zero permeability, > 0.
    temperature : Quantity, kelvin
        Absolute temperature, > 0 K.

    Returns
    -------
    Quantity, volt
        The GHK potential; it reduces to the Nernst potential when only one
        ion is permeant.

    Examples
    --------
    >>> from brian2 import mV
    >>> V = ghk_potential({"K": 1.0, "Na": 0.05, "Cl": 0.45},
    ...                   MAMMALIAN.c_out, MAMMALIAN.c_in, celsius(37))
    >>> print(f"{float(V / mV):.1f}")
    -67.2
    """
    valence = {"Na": 1, "K": 1, "Cl": -1}
    check_quantity("temperature", temperature, kelvin, low=0 * kelvin, low_open=True)
    if not isinstance(permeabilities, dict) or not permeabilities:
        raise ValueError(
            "permeabilities must be a non-empty dict such as {'K': 1.0, 'Na': 0.05}, "
            f"got {permeabilities!r}"
        )

    for ion, p in permeabilities.items():
        if ion not in valence:
            raise ValueError(
                f"permeabilities: unknown ion {ion!r}; expected 'Na', 'K' or 'Cl'"
            )
        if (
            isinstance(p, bool)
            or not isinstance(p, Real | np.integer | np.floating)
            or not np.isfinite(p)
            or p < 0
        ):
            raise ValueError(
                f"permeabilities[{ion!r}] must be a finite number >= 0, got "
                f"{p!r} (a plain relative number, without units)"
            )
    # only ratios matter: scale by the largest so that huge values cannot overflow
    largest = max(float(p) for p in permeabilities.values())
    if largest == 0.0:
        raise ValueError(
            f"permeabilities must have at least one value > 0, got {permeabilities!r}"
        )
    for side, table in (("c_out", c_out), ("c_in", c_in)):
        if not hasattr(table, "keys"):
            raise ValueError(
                f"{side} must be a dict of ion names to concentrations, got {table!r}"
            )
    numerator = denominator = 0.0
    for ion, p in permeabilities.items():
        if p == 0:
            continue
        p = float(p) / largest
        for side, table in (("c_out", c_out), ("c_in", c_in)):
            if ion not in table:
                raise ValueError(f"{side} must give a concentration for {ion!r}")
            check_quantity(
                f"{side}[{ion!r}]", table[ion], mmolar, low=0 * mmolar, low_open=True
            )
        outside = float(c_out[ion] / mmolar)
        inside = float(c_in[ion] / mmolar)
        # An anion enters the numerator with its internal concentration.
        if valence[ion] < 0:
            outside, inside = inside, outside
        numerator += p * outside
        denominator += p * inside

    thermal = GAS_CONSTANT * float(temperature / kelvin) / FARADAY
    return thermal * np.log(numerator / denominator) * volt


@dataclass(frozen=True)
class Concentrations:
    """A set of extra- and intracellular ion concentrations.

    Attributes
    ----------
    c_out, c_in : dict of str to Quantity, molar
        Concentrations of ``"Na"``, ``"K"`` and ``"Cl"``.
    temperature : Quantity, kelvin
    """

    c_out: dict
    c_in: dict
    temperature: object

    def reversal(self, ion):
        """Return the Nernst potential of ``ion`` ("Na", "K" or "Cl")."""
        z = {"Na": 1, "K": 1, "Cl": -1}
        if ion not in z:
            raise ValueError(f"ion must be one of 'Na', 'K', 'Cl'; got {ion!r}")
        for side, table in (("c_out", self.c_out), ("c_in", self.c_in)):
            if not hasattr(table, "keys") or ion not in table:
                names = sorted(table) if hasattr(table, "keys") else table
                raise ValueError(
                    f"{side} must give a concentration for {ion!r} to compute its "
                    f"reversal potential, got concentrations for {names!r}"
                )
        return nernst(z[ion], self.c_out[ion], self.c_in[ion], self.temperature)

    def with_chloride_inside(self, cl_in):
        """Return a copy with intracellular chloride set to ``cl_in``."""
        c_in = dict(self.c_in)
        c_in["Cl"] = cl_in
        return Concentrations(dict(self.c_out), c_in, self.temperature)


#: Standard mammalian neuron at 37 degC (Hille, Ion Channels of Excitable
#: Membranes, 3rd ed., table 1.1, rounded as in most textbooks).
MAMMALIAN = Concentrations(
    c_out={"Na": 145 * mmolar, "K": 5 * mmolar, "Cl": 110 * mmolar},
    c_in={"Na": 12 * mmolar, "K": 140 * mmolar, "Cl": 7 * mmolar},
    temperature=celsius(37.0),
)

#: Squid giant axon at 6.3 degC (Hille, table 1.1).
SQUID = Concentrations(
    c_out={"Na": 440 * mmolar, "K": 20 * mmolar, "Cl": 560 * mmolar},
    c_in={"Na": 50 * mmolar, "K": 400 * mmolar, "Cl": 52 * mmolar},
    temperature=celsius(6.3),
)
