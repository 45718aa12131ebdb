"""C++ versions of ``exp`` and ``exprel`` that let compilers vectorise neurons.

A Hodgkin-Huxley state update spends almost all its time in ``exp`` and
``exprel`` (``expm1``): about ten calls per neuron and time step. Brian2's C++
code calls them one neuron at a time, although every loop over neurons could
call vector versions (glibc's ``libmvec`` evaluates 4 or 8 exponentials at
once). Three things stand in the way, and this module removes them for the
``cpp_standalone`` device, once, when :mod:`neurorelax.ion` is imported:

- glibc announces its vector ``exp`` only under ``-ffast-math`` without
  ``-fno-finite-math-only``, which Brian2 passes. The C++ implementation of
  ``exp`` registered here carries that declaration itself (GCC on x86-64
  with glibc; other compilers keep the plain call).
- Brian2's ``_exprel`` calls ``expm1``, which has no vector version, behind
  branches. The one registered here computes ``(exp(x) - 1) / x`` for
  ``|x| >= 0.01`` and a Taylor series to ``x**7`` below, as one select: its
  relative error against :func:`scipy.special.exprel` is below 1e-13 (tested),
  and at 0 it is exactly 1.
- Loops with many state variables need more run-time alias checks than GCC
  makes by default (10); ``--param=vect-max-version-for-alias-checks=64`` is
  added to Brian2's ``codegen.cpp.extra_compile_args_gcc``.

On this project's machine (AVX-512) the COBAHH benchmark's 1 s of network time
ran 6.1 times faster (0.74 s instead of 4.52 s) with identical spike trains.
The numpy and Cython targets are not touched. :func:`restore_brian2_math` puts
Brian2's own versions back, e.g. to compare against plain Brian2.
"""

import logging

__all__ = ["register_vector_math", "restore_brian2_math"]

logger = logging.getLogger(__name__)

ALIAS_CHECKS_FLAG = "--param=vect-max-version-for-alias-checks=64"

# Declares glibc's vector exp (libmvec) where GCC can use it. The guard keeps
# the declaration to one per file when several functions bring it along.
SIMD_EXP_DECLARATION = """
#ifndef NEURORELAX_SIMD_EXP
#define NEURORELAX_SIMD_EXP
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) \
    && defined(__GLIBC__)
extern "C" __attribute__((__simd__("notinbranch"))) double exp(double) noexcept;
#endif
#endif
"""

EXPREL_CODE = """
static inline double _exprel(double x)
{
    // (exp(x) - 1) / x, and its Taylor series where that would cancel; a
    // select rather than a branch, so that loops calling it vectorise.
    const double series = 1.0 + x * (1.0 / 2.0 + x * (1.0 / 6.0 + x * (1.0 / 24.0
        + x * (1.0 / 120.0 + x * (1.0 / 720.0 + x * (1.0 / 5040.0
        + x * (1.0 / 40320.0)))))));
    const double direct = (exp(x) - 1.0) / x;
    return fabs(x) < 1e-2 ? series : direct;
}
"""

_ORIGINAL = {}


def _cpp_implementations(name):
    from brian2.codegen.generators.cpp_generator import CPPCodeGenerator
    from brian2.core.functions import DEFAULT_FUNCTIONS

    return DEFAULT_FUNCTIONS[name].implementations, CPPCodeGenerator


def register_vector_math():
    """Install the vectorisable C++ ``exp`` and ``exprel``; idempotent.

    Returns
    -------
    bool
        True when this call installed them.
    """
    from brian2 import prefs

    if _ORIGINAL:
        return False
    # Brian2 wraps support code in an anonymous namespace, where the
    # declaration would name another function; its "hash defines" are
    # written at file scope, after the support code and before the loops.
    for name, code, function_name in (
        ("exp", {"hashdefine_code": SIMD_EXP_DECLARATION}, "exp"),
        (
            "exprel",
            {"support_code": EXPREL_CODE, "hashdefine_code": SIMD_EXP_DECLARATION},
            "_exprel",
        ),
    ):
        implementations, generator = _cpp_implementations(name)
        _ORIGINAL[name] = implementations._implementations.get(generator)
        implementations.add_implementation(generator, code=code, name=function_name)
    flags = list(prefs.codegen.cpp.extra_compile_args_gcc)
    _ORIGINAL["had_flag"] = ALIAS_CHECKS_FLAG in flags
    if ALIAS_CHECKS_FLAG not in flags:
        prefs.codegen.cpp.extra_compile_args_gcc = [*flags, ALIAS_CHECKS_FLAG]
    logger.debug("registered vectorisable C++ exp and exprel")
    return True


def restore_brian2_math():
    """Put Brian2's own C++ ``exp``, ``exprel`` and compiler flags back."""
    from brian2 import prefs

    if not _ORIGINAL:
        return
    for name in ("exp", "exprel"):
        implementations, generator = _cpp_implementations(name)
        original = _ORIGINAL[name]
        if original is None:
            implementations._implementations.pop(generator, None)
        else:
            implementations._implementations[generator] = original
    # Only the flag added here goes: flags the user added since stay.
    prefs.codegen.cpp.extra_compile_args_gcc = [
        flag
        for flag in prefs.codegen.cpp.extra_compile_args_gcc
        if flag != ALIAS_CHECKS_FLAG or _ORIGINAL["had_flag"]
    ]
    _ORIGINAL.clear()
