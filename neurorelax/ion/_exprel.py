"""A fast numpy implementation of Brian2's ``exprel`` function.

Brian2 2.9 and 2.10 evaluate ``exprel`` on the numpy target through a unit-
checking wrapper that costs far more than the function itself (it made the
Hodgkin-Huxley models here about 27 times slower). The rates reach
``exprel`` already without units, so :func:`scipy.special.exprel`, which
computes the same ``(exp(x) - 1)/x`` with the same limits (1 at 0, inf above
717), is registered in its place once, when :mod:`neurorelax.ion` is
imported. Other targets (Cython, C++) are unchanged.
"""

import logging

import numpy as np
import scipy.special

__all__ = ["register_fast_exprel", "restore_brian2_exprel"]

logger = logging.getLogger(__name__)
_REGISTERED = False
_ORIGINAL = None


def _exprel(x):
    return scipy.special.exprel(np.asarray(x, dtype=np.float64))


def register_fast_exprel():
    """Make the numpy target use :func:`scipy.special.exprel`; idempotent.

    Returns
    -------
    bool
        True when this call installed the implementation.
    """
    global _REGISTERED, _ORIGINAL
    if _REGISTERED:
        return False
    from brian2.core.functions import DEFAULT_FUNCTIONS

    implementations = DEFAULT_FUNCTIONS["exprel"].implementations
    _ORIGINAL = implementations._implementations.get("numpy")
    implementations.add_implementation("numpy", _exprel)
    _REGISTERED = True
    logger.debug("registered scipy.special.exprel for Brian2's numpy target")
    return True


def restore_brian2_exprel():
    """Put Brian2's own numpy ``exprel`` back (for comparisons); idempotent."""
    global _REGISTERED
    if not _REGISTERED:
        return
    from brian2.core.functions import DEFAULT_FUNCTIONS

    implementations = DEFAULT_FUNCTIONS["exprel"].implementations
    if _ORIGINAL is None:
        implementations._implementations.pop("numpy", None)
    else:
        implementations._implementations["numpy"] = _ORIGINAL
    _REGISTERED = False
