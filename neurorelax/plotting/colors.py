"""The project's colours: the Okabe-Ito palette and the meaning of each colour.

Okabe and Ito chose these eight colours so that readers with the common forms
of colour-vision deficiency can still tell them apart; every figure takes its
colours from here, so one ion or one condition has the same colour in every
figure.

References
----------
M. Okabe and K. Ito, "Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people", 2008.

Examples
--------
>>> OKABE_ITO["blue"]
'#0072B2'
>>> ION["Na"] == OKABE_ITO["vermillion"]
True
"""

__all__ = ["CONDITION", "CYCLE", "ION", "LEVEL", "OKABE_ITO", "sequence"]

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

# Default line cycle: yellow comes last because it is faint on white.
CYCLE = tuple(
    OKABE_ITO[name]
    for name in (
        "blue",
        "vermillion",
        "green",
        "orange",
        "purple",
        "sky_blue",
        "black",
        "yellow",
    )
)

# One colour per ion (and the total membrane current) in every figure.
ION = {
    "Na": OKABE_ITO["vermillion"],
    "K": OKABE_ITO["blue"],
    "Cl": OKABE_ITO["green"],
    "Ca": OKABE_ITO["orange"],
    "leak": OKABE_ITO["purple"],
    "total": OKABE_ITO["black"],
}

# Conditions compared side by side (with/without inhibition, replay, ...).
CONDITION = {
    "with": OKABE_ITO["blue"],
    "without": OKABE_ITO["vermillion"],
    "reference": OKABE_ITO["black"],
    "predicted": OKABE_ITO["orange"],
    "excitatory": OKABE_ITO["vermillion"],
    "inhibitory": OKABE_ITO["blue"],
}

# The two levels of description.
LEVEL = {"ion": OKABE_ITO["vermillion"], "graph": OKABE_ITO["blue"]}


def sequence(n):
    """Return ``n`` distinct palette colours, cycling when ``n`` exceeds eight.

    Parameters
    ----------
    n : int
        Number of colours wanted (non-negative).

    Returns
    -------
    list of str
        Hex colour strings.
    """
    if int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    return [CYCLE[i % len(CYCLE)] for i in range(int(n))]
