"""COBAHH benchmark: neurorelax versus the same network written in Brian2.

The network is benchmark 3 of Brette et al. (2007): 4000 Traub-Miles neurons,
80 % excitatory and 20 % inhibitory, connection probability 0.02,
conductance-based exponential synapses (6 nS, 5 ms excitatory; 67 nS,
10 ms inhibitory), 1 s of biological time. Both variants are compiled with
``cpp_standalone`` into their own project directories; compile time is
reported separately from run time.

The Brian2 variant is compiled twice: with Brian2's own C++ ``exp`` and
``exprel`` ("brian2", plain Brian2 as a user without neurorelax has it), and
with the vectorisable versions that importing :mod:`neurorelax.ion` installs
("brian2+vector", the same script in a process that imported neurorelax).

Printed ratios (targets from issue 2):

``run(neurorelax) / run(brian2)``
    Median simulation time of the compiled binaries (each variant run
    ``--repeats`` times, alternating, so load from other jobs hits all);
    target <= 1.05. The ratio against "brian2+vector" shows what the
    neurorelax builder itself costs, with the same code-generation
    settings on both sides; the ratio of the fastest runs is printed too,
    as the least noisy estimate on a shared machine.
``second run / first run``
    Total time of a second run with changed synaptic weights (same binary,
    values through ``run_args``) over the total time of the first run
    (define + generate + compile + run); target <= 0.10. The same ratio for
    a fresh process that defines the network again (code regenerated, no
    compilation) is printed as well.

Usage::

    python bench/bench_cobahh.py [--duration 1.0] [--repeats 5] [--jobs 2]
"""

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from brian2 import (
    Network,
    NeuronGroup,
    SpikeMonitor,
    Synapses,
    cm,
    ms,
    msiemens,
    mV,
    nS,
    prefs,
    second,
    siemens,
    ufarad,
    umetre,
)

from neurorelax.ion import (
    StandaloneProject,
    build_neurons,
    connect_synapses,
    register_vector_math,
    restore_brian2_math,
    traub_miles,
)

N_NEURONS = 4000
N_EXC = 3200
P_CONNECT = 0.02
W_EXC = 6 * nS
W_INH = 67 * nS
W_EXC_CHANGED = 5 * nS


def define_neurorelax(project, duration):
    """The COBAHH network through neurorelax; returns its Network."""
    cells = build_neurons(
        N_NEURONS,
        traub_miles(),
        synapses=("AMPA", "GABAA"),
        external_current=False,
        name="cells",
    )
    exc = connect_synapses(
        cells[:N_EXC],
        cells,
        "AMPA",
        weight=W_EXC,
        p=P_CONNECT,
        shared_weight=True,
        name="exc_syn",
    )
    inh = connect_synapses(
        cells[N_EXC:],
        cells,
        "GABAA",
        weight=W_INH,
        p=P_CONNECT,
        shared_weight=True,
        name="inh_syn",
    )
    # Random numbers drawn in the same order as in define_brian2, so that
    # both variants simulate the same network realisation.
    cells.v = "E_L + (randn() * 5 - 5)*mV"
    cells.g_AMPA = "(randn() * 1.5 + 4) * 10.*nS"
    cells.g_GABAA = "(randn() * 12 + 20) * 10.*nS"
    # The example starts its gates at 0 (build_neurons would use steady state).
    cells.m = 0
    cells.h = 0
    cells.n = 0
    spikes = SpikeMonitor(cells, name="spikes")
    project.add_parameter("w_exc", exc.w)
    project.add_parameter("w_inh", inh.w)
    project.add_monitor(spikes)
    network = Network(cells, exc, inh, spikes)
    network.run(duration)
    return network


def define_brian2(project, duration):
    """The COBAHH network as in Brian2's examples/COBAHH.py."""
    area = 20000 * umetre**2
    Cm = (1 * ufarad * cm**-2) * area  # noqa: N806 (names of the example)
    gl = (5e-5 * siemens * cm**-2) * area
    El = -60 * mV  # noqa: N806
    EK = -90 * mV  # noqa: N806
    ENa = 50 * mV  # noqa: N806
    g_na = (100 * msiemens * cm**-2) * area
    g_kd = (30 * msiemens * cm**-2) * area
    VT = -63 * mV  # noqa: N806
    taue = 5 * ms
    taui = 10 * ms
    Ee = 0 * mV  # noqa: N806
    Ei = -80 * mV  # noqa: N806
    we = W_EXC
    wi = W_INH
    eqs = """
dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
         g_na*(m*m*m)*h*(v-ENa)-
         g_kd*(n*n*n*n)*(v-EK))/Cm : volt
dm/dt = alpha_m*(1-m)-beta_m*m : 1
dn/dt = alpha_n*(1-n)-beta_n*n : 1
dh/dt = alpha_h*(1-h)-beta_h*h : 1
dge/dt = -ge*(1./taue) : siemens
dgi/dt = -gi*(1./taui) : siemens
alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
"""
    namespace = {
        "Cm": Cm,
        "gl": gl,
        "El": El,
        "EK": EK,
        "ENa": ENa,
        "g_na": g_na,
        "g_kd": g_kd,
        "VT": VT,
        "taue": taue,
        "taui": taui,
        "Ee": Ee,
        "Ei": Ei,
        "we": we,
        "wi": wi,
    }
    P = NeuronGroup(
        N_NEURONS,
        model=eqs,
        threshold="v>-20*mV",  # noqa: N806
        refractory=3 * ms,
        method="exponential_euler",
        namespace=namespace,
        name="P",
    )
    Ce = Synapses(
        P[:N_EXC],
        P,
        on_pre="ge+=we",
        namespace=namespace,  # noqa: N806
        name="Ce",
    )
    Ci = Synapses(
        P[N_EXC:],
        P,
        on_pre="gi+=wi",
        namespace=namespace,  # noqa: N806
        name="Ci",
    )
    Ce.connect(p=P_CONNECT)
    Ci.connect(p=P_CONNECT)
    P.v = "El + (randn() * 5 - 5)*mV"
    P.ge = "(randn() * 1.5 + 4) * 10.*nS"
    P.gi = "(randn() * 12 + 20) * 10.*nS"
    spikes = SpikeMonitor(P, name="spikes")
    project.add_monitor(spikes)
    network = Network(P, Ce, Ci, spikes)
    network.run(duration)
    return network


@contextlib.contextmanager
def brian2_own_math():
    """Generate code with Brian2's own C++ exp and exprel inside the block."""
    restore_brian2_math()
    try:
        yield
    finally:
        register_vector_math()


def make_project(name, root, define, duration, jobs):
    """Define and build one project; return (project, network, seconds)."""
    start = time.perf_counter()
    project = StandaloneProject(name, root / name, seed=1, make_jobs=jobs)
    with project.define():
        network = define(project, duration)
    project.build()
    return project, network, time.perf_counter() - start


def rerun_in_fresh_process(directory, duration, jobs):
    """Define, build (no compile expected) and run with a changed weight."""
    start = time.perf_counter()
    project = StandaloneProject("neurorelax", directory, seed=1, make_jobs=jobs)
    with project.define():
        network = define_neurorelax(project, duration)
    project.build()
    data = project.run(params={"w_exc": W_EXC_CHANGED})
    del network
    return {
        "seconds": time.perf_counter() - start,
        "compiled": project.last_build_compiled,
        "n_spikes": int(len(data["spikes"]["i"])),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration",
        type=float,
        default=1.0,
        help="biological time in seconds (default 1.0)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="runs of each binary, alternating (default 5)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="make -j (default 2)")
    parser.add_argument(
        "--directory",
        default=None,
        help="build folder (default: a fresh temporary one)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep compiled projects in --directory (the first "
        "run then does not compile; for trying the script)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="OpenMP threads of both compiled binaries (default 1)",
    )
    parser.add_argument("--rerun-only", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    duration = args.duration * second
    # One setting for both variants, so that the run-time ratio stays fair.
    prefs.devices.cpp_standalone.openmp_threads = args.threads

    if args.rerun_only:
        print(
            json.dumps(
                rerun_in_fresh_process(Path(args.rerun_only), duration, args.jobs)
            )
        )
        return 0

    root = Path(args.directory or tempfile.mkdtemp(prefix="bench_cobahh_"))
    if not args.reuse:
        for name in ("neurorelax", "brian2"):
            shutil.rmtree(root / name, ignore_errors=True)

    # First runs: define + generate + compile + run, timed as a whole.
    nr, nr_net, nr_build = make_project(
        "neurorelax", root, define_neurorelax, duration, args.jobs
    )
    start = time.perf_counter()
    nr_first = nr.run()
    nr_first_total = nr_build + (time.perf_counter() - start)
    with brian2_own_math():
        b2, b2_net, b2_build = make_project(
            "brian2", root, define_brian2, duration, args.jobs
        )
    b2_first = b2.run()
    b2v, b2v_net, _ = make_project(
        "brian2_vector", root, define_brian2, duration, args.jobs
    )
    b2v_first = b2v.run()

    # Run times, alternating so that background load affects all sides.
    variants = (("brian2", b2), ("brian2+vector", b2v), ("neurorelax", nr))
    times = {name: [] for name, _ in variants}
    walls = {name: [] for name, _ in variants}
    for _ in range(args.repeats):
        for name, project in variants:
            project.run()
            times[name].append(project.last_simulation_seconds)
            walls[name].append(project.last_run_seconds)
    sim = {k: statistics.median(v) for k, v in times.items()}
    fastest = {k: min(v) for k, v in times.items()}
    wall = {k: statistics.median(v) for k, v in walls.items()}

    # Second run with changed weights: same binary, values through run_args.
    start = time.perf_counter()
    changed = nr.run(params={"w_exc": W_EXC_CHANGED})
    second_total = time.perf_counter() - start

    fresh = subprocess.run(
        [
            sys.executable,
            __file__,
            "--rerun-only",
            str(root / "neurorelax"),
            "--duration",
            str(args.duration),
            "--jobs",
            str(args.jobs),
            "--threads",
            str(args.threads),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    fresh_report = json.loads(fresh.stdout.strip().splitlines()[-1])

    rates = {
        name: len(data["spikes"]["i"]) / N_NEURONS / args.duration
        for name, data in (("neurorelax", nr_first), ("brian2", b2_first))
    }
    print(
        f"COBAHH, {N_NEURONS} neurons, {args.duration:g} s, "
        f"{args.threads} OpenMP thread(s), build folder {root}"
    )
    same = all(
        np.array_equal(nr_first["spikes"][key], other["spikes"][key])
        for other in (b2_first, b2v_first)
        for key in ("i", "t")
    )
    print(f"identical spike trains in all three variants: {same}")
    print(
        f"mean rate (Hz): neurorelax {rates['neurorelax']:.2f}, "
        f"brian2 {rates['brian2']:.2f}; changed w_exc "
        f"{len(changed['spikes']['i']) / N_NEURONS / args.duration:.2f}"
    )
    print(
        f"define+generate+compile (s): neurorelax {nr.build_seconds:.1f} "
        f"(total incl. codegen {nr_build:.1f}), brian2 {b2.build_seconds:.1f} "
        f"(total {b2_build:.1f})"
    )
    for name, _ in variants:
        print(
            f"simulation time of {name}, median of {args.repeats}: "
            f"{sim[name]:.3f} s {np.round(times[name], 3).tolist()}, binary "
            f"wall time {wall[name]:.3f} s"
        )
    print(
        f"ratio run(neurorelax)/run(brian2) = "
        f"{sim['neurorelax'] / sim['brian2']:.3f} (target <= 1.05; binary wall "
        f"time ratio {wall['neurorelax'] / wall['brian2']:.3f})"
    )
    print(
        f"ratio run(neurorelax)/run(brian2+vector) = "
        f"{sim['neurorelax'] / sim['brian2+vector']:.3f} (same code-generation "
        "settings on both sides; fastest runs: "
        f"{fastest['neurorelax'] / fastest['brian2+vector']:.3f})"
    )
    print(
        f"first run total {nr_first_total:.1f} s, second run with changed "
        f"weights {second_total:.2f} s, compilations {nr.compile_count}"
    )
    print(f"ratio second/first = {second_total / nr_first_total:.3f} (target <= 0.10)")
    if not nr.last_build_compiled:
        print(
            "note: the first build reused an existing binary (--reuse), so "
            "the second/first ratio is not meaningful"
        )
    print(
        f"fresh process (define + regenerate + run, compiled="
        f"{fresh_report['compiled']}): {fresh_report['seconds']:.1f} s, ratio "
        f"{fresh_report['seconds'] / nr_first_total:.3f}"
    )
    del nr_net, b2_net, b2v_net
    return 0


if __name__ == "__main__":
    sys.exit(main())
