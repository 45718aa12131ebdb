"""Ion level: conductance-based Na/K/Cl neurons, AMPA/NMDA/GABA synapses in Brian2.

Importing this package registers a fast numpy implementation of Brian2's
``exprel`` (see :mod:`neurorelax.ion._exprel`) and C++ versions of ``exp``
and ``exprel`` that compilers can vectorise (see
:mod:`neurorelax.ion._vector_math`).

Main entry points
-----------------
- :func:`nernst` (and :func:`nernst_mV` in plain numbers), :func:`ghk_potential`,
  :data:`MAMMALIAN`, :data:`SQUID`
- :class:`Channel`, :func:`register_channel`, :func:`get_channel`
- :func:`hh_squid`, :func:`traub_miles` (:class:`CellType`)
- :func:`build_neurons`, :func:`connect_synapses`
- :data:`SYNAPSE_TYPES` (:class:`SynapseType`; the NMDA magnesium block
  :data:`MG_BLOCK` is a :class:`VoltageBlock`)
- :func:`use_device`, :class:`StandaloneProject`, :func:`reuse_project`
- :class:`SimulationDiverged`, :func:`add_nan_guard`, :func:`check_finite_state`
"""

from neurorelax.ion._exprel import register_fast_exprel
from neurorelax.ion._vector_math import register_vector_math, restore_brian2_math
from neurorelax.ion.builder import build_neurons, check_dt, max_dt, neuron_equations
from neurorelax.ion.channels import (
    CHANNELS,
    Channel,
    available_channels,
    get_channel,
    register_channel,
)
from neurorelax.ion.devices import (
    DEVICE_NAMES,
    StandaloneProject,
    build_root,
    compile_count,
    release_project,
    reuse_project,
    simulate,
    use_device,
)
from neurorelax.ion.guards import SimulationDiverged, add_nan_guard, check_finite_state
from neurorelax.ion.nernst import (
    MAMMALIAN,
    SQUID,
    Concentrations,
    celsius,
    ghk_potential,
    nernst,
    nernst_mV,
)
from neurorelax.ion.parameters import PARAMETER_SETS, CellType, hh_squid, traub_miles
from neurorelax.ion.synapses import (
    MG_BLOCK,
    SYNAPSE_TYPES,
    SynapseType,
    VoltageBlock,
    biexp_peak_factor,
    connect_synapses,
    get_synapse_type,
)

register_fast_exprel()
register_vector_math()

__all__ = [
    "CHANNELS",
    "Channel",
    "CellType",
    "Concentrations",
    "DEVICE_NAMES",
    "MAMMALIAN",
    "MG_BLOCK",
    "PARAMETER_SETS",
    "SQUID",
    "SYNAPSE_TYPES",
    "SimulationDiverged",
    "StandaloneProject",
    "SynapseType",
    "VoltageBlock",
    "add_nan_guard",
    "available_channels",
    "biexp_peak_factor",
    "build_neurons",
    "build_root",
    "celsius",
    "check_dt",
    "check_finite_state",
    "compile_count",
    "connect_synapses",
    "get_channel",
    "get_synapse_type",
    "ghk_potential",
    "hh_squid",
    "max_dt",
    "nernst",
    "nernst_mV",
    "neuron_equations",
    "register_channel",
    "register_vector_math",
    "release_project",
    "restore_brian2_math",
    "reuse_project",
    "simulate",
    "traub_miles",
    "use_device",
]
