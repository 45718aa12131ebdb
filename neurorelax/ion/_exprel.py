"""A fast numpy implementation of Brian2's ``exprel`` function.

Brian2 2.9 and 2.10 evaluate ``exprel`` on the numpy target through a unit-
checking wrapper that formats the whole result array into an error-message
string on every call. numpy prints arrays of up to 1000 entries in full, so
the cost peaks for groups of about 1000 neurons: 10 ms of 1000 Traub-Miles
neurons took 7.8 s with Brian2's wrapper and 0.28 s with this function
(27.7 times faster); 100 neurons 3.4 times; 4000 neurons (printed in
summarised form) 1.5 times. The rates reach
``exprel`` already without units, so :func:`scipy.special.exprel`, which
computes the same ``(exp(x) - 1)/x`` with the same limits (1 at 0, inf above
717), is registered in its place once, when :mod:`neurorelax.ion` is
imported. The Cython target is unchanged; for C++ see
:mod:`neurorelax.ion._vector_math`.
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
