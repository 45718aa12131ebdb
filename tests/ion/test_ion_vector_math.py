"""The vectorisable C++ exp/exprel: installed on import, removable, restorable."""

from brian2 import prefs
from brian2.codegen.generators.cpp_generator import CPPCodeGenerator
from brian2.core.functions import DEFAULT_FUNCTIONS

import neurorelax.ion  # noqa: F401 (installs the implementations)
from neurorelax.ion import register_vector_math, restore_brian2_math
from neurorelax.ion._vector_math import ALIAS_CHECKS_FLAG


def _cpp_code(name):
    implementation = DEFAULT_FUNCTIONS[name].implementations._implementations.get(
        CPPCodeGenerator
    )
    return implementation.get_code(None) if implementation is not None else None


def test_import_installs_vector_math_and_restore_undoes_it():
    assert "NEURORELAX_SIMD_EXP" in _cpp_code("exp")["hashdefine_code"]
    assert "fabs(x) < 1e-2" in _cpp_code("exprel")["support_code"]
    assert prefs.codegen.cpp.extra_compile_args_gcc.count(ALIAS_CHECKS_FLAG) == 1

    restore_brian2_math()
    try:
        assert _cpp_code("exp") is None
        assert "expm1(x)/x" in _cpp_code("exprel")
        assert ALIAS_CHECKS_FLAG not in prefs.codegen.cpp.extra_compile_args_gcc
        restore_brian2_math()  # a second call changes nothing
        assert "expm1(x)/x" in _cpp_code("exprel")
    finally:
        assert register_vector_math() is True

    assert register_vector_math() is False  # idempotent
    assert prefs.codegen.cpp.extra_compile_args_gcc.count(ALIAS_CHECKS_FLAG) == 1
    assert "fabs(x) < 1e-2" in _cpp_code("exprel")["support_code"]


def test_restore_keeps_flags_added_after_registering():
    before = list(prefs.codegen.cpp.extra_compile_args_gcc)
    prefs.codegen.cpp.extra_compile_args_gcc = [*before, "-DNEURORELAX_TEST_FLAG"]
    try:
        restore_brian2_math()
        flags = prefs.codegen.cpp.extra_compile_args_gcc
        assert "-DNEURORELAX_TEST_FLAG" in flags and ALIAS_CHECKS_FLAG not in flags
    finally:
        register_vector_math()
        prefs.codegen.cpp.extra_compile_args_gcc = before
