"""`neurorelax compare`: spiking assemblies on a graph against the graph model.

Runs :func:`neurorelax.bridge.run_comparison` on a named built-in graph or a
graph file (default: the TVB 76-region connectome), prints a short summary
table, and writes ``comparison.h5`` (everything, for re-plotting),
``comparison.json`` (metrics and parameters) and ``comparison.png`` into the
output folder (``--out``, default ``compare_out``). ``--replot FILE`` redraws
the PNG and the table from a saved ``comparison.h5`` without running anything;
it writes the PNG beside FILE unless ``--out`` names another folder.
"""

import argparse
import logging
import re
from pathlib import Path

import numpy as np

from neurorelax.validation import check_writable_folder

__all__ = ["plot_comparison", "register", "summary_table"]

logger = logging.getLogger(__name__)

LONG_DURATION = 600.0  # s; longer runs get a warning of their cost
STAGES = ("build", "simulate", "coarse-grain", "fit", "metrics")
DEFAULT_OUT = "compare_out"
# options of a run, with their defaults: --replot refuses any of them changed
RUN_DEFAULTS = {
    "neurons_per_node": 40,
    "duration": 20.0,
    "seed": 0,
    "device": "cpp_standalone",
    "smoothing": 10.0,
    "bin": 1.0,
    "train_nodes": None,
    "test_nodes": None,
    "set": [],
}


def _time_option(unit, per_second):
    """An argparse type for a time: a plain number in ``unit``, or with a unit.

    ``per_second`` converts seconds to ``unit`` (1 for s, 1e3 for ms). A
    plain number, ``nan`` and ``inf`` included, is returned as given, for
    the range checks to refuse by the option's name.
    """

    def parse(text):
        try:
            return float(text)
        except ValueError:
            pass
        from brian2 import second

        from neurorelax.quantities import parse_quantity

        try:
            value = parse_quantity(text, like=1 * second, name="time")
        except ValueError as error:
            raise argparse.ArgumentTypeError(
                f"expected a time in {unit} or with its unit (such as '500 ms'); "
                f"{error}"
            ) from None
        return float(value / second) * per_second

    parse.__name__ = f"time in {unit}"
    return parse


def register(subparsers):
    """Add the ``compare`` sub-command."""
    parser = subparsers.add_parser(
        "compare",
        help="compare spiking assemblies with the graph-level model",
        description=__doc__.splitlines()[0].replace("`", ""),
    )
    parser.add_argument(
        "graph",
        nargs="?",
        default=None,
        help="graph spec as for `neurorelax graph` (default, tvb76, ring:N, "
        "grid:RxC, small_world:N,K,P, sbm:..., geometric:...) or a graph file; "
        "default: the default connectome (TVB76 prepared, 74 nodes)",
    )
    parser.add_argument(
        "--neurons-per-node",
        type=int,
        default=RUN_DEFAULTS["neurons_per_node"],
        help="excitatory neurons per assembly, plus inhibitory_fraction (0.25 "
        "unless --set) times as many inhibitory ones (default 40)",
    )
    parser.add_argument(
        "--duration",
        type=_time_option("s", 1.0),
        default=RUN_DEFAULTS["duration"],
        help="simulated time in seconds, or with its unit as in '500 ms' (default 20)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=RUN_DEFAULTS["seed"],
        help="random seed of the network and its input (default 0)",
    )
    parser.add_argument(
        "--device",
        default=RUN_DEFAULTS["device"],
        choices=("cpp_standalone", "numpy", "cython", "runtime"),
    )
    parser.add_argument(
        "--out",
        default=None,
        help=f"output folder (default: {DEFAULT_OUT}; with --replot, the folder "
        "of FILE)",
    )
    parser.add_argument(
        "--smoothing",
        type=_time_option("ms", 1e3),
        default=RUN_DEFAULTS["smoothing"],
        help="Gaussian smoothing width in ms, or with its unit (default 10)",
    )
    parser.add_argument(
        "--bin",
        type=_time_option("ms", 1e3),
        default=RUN_DEFAULTS["bin"],
        help="bin width in ms, or with its unit (default 1)",
    )
    parser.add_argument(
        "--train-nodes",
        type=_node_list,
        default=None,
        help="comma-separated nodes stimulated for the fit",
    )
    parser.add_argument(
        "--test-nodes",
        type=_node_list,
        default=None,
        help="comma-separated held-out stimulated nodes",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a network parameter, e.g. --set 'g_inter=20 nS' "
        "(see neurorelax.bridge.AssemblyParameters)",
    )
    parser.add_argument(
        "--replot",
        default=None,
        metavar="FILE",
        help="redraw from a saved comparison.h5; run nothing (takes no graph and "
        "none of the run options)",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="do not draw a progress bar"
    )
    parser.set_defaults(handler=_run)


def _node_list(text):
    """Parse ``"3,7,12"`` into a tuple of distinct node indices."""
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated node indices such as '3,7', got {text!r}"
        )
    try:
        nodes = tuple(int(item) for item in items if item)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integer node indices, got {text!r}"
        ) from None
    repeated = sorted({node for node in nodes if nodes.count(node) > 1})
    if repeated:
        raise argparse.ArgumentTypeError(
            f"node indices must not repeat, got {text!r} (repeated: "
            f"{', '.join(map(str, repeated))})"
        )
    return nodes


def network_parameters(settings):
    """Return AssemblyParameters with ``NAME=VALUE`` overrides applied."""
    from neurorelax.bridge.assembly import AssemblyParameters
    from neurorelax.scripting import parse_quantity

    defaults = AssemblyParameters()
    changes = {}
    for item in settings:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in defaults.as_dict():
            raise ValueError(
                f"--set expects NAME=VALUE with NAME one of "
                f"{', '.join(sorted(defaults.as_dict()))}; got {item!r}"
            )
        if key in changes:
            raise ValueError(
                f"--set {key} is given twice; give each parameter once (got "
                f"{item!r} after an earlier --set {key}=...)"
            )
        like = getattr(defaults, key)
        if isinstance(like, str):
            changes[key] = value.strip()
        elif isinstance(like, int | float):
            changes[key] = _number(key, value, type(like))
        else:
            changes[key] = parse_quantity(value, like=like, name=key)
    return defaults.with_values(**changes)


def _number(key, text, kind):
    """Parse an integer or float ``--set`` value, naming the parameter."""
    rule = "an integer" if kind is int else "a number"
    try:
        return kind(text.strip())
    except ValueError:
        raise ValueError(
            f"--set {key}: expected {rule}, got {text.strip()!r}"
        ) from None


def resolve_graph(name):
    """Return the graph for a spec of ``neurorelax graph`` or a file path.

    ``None`` gives the default connectome; every other spec goes through
    :func:`neurorelax.connectome.from_spec`.
    """
    from neurorelax.bridge.comparison import MAX_NODES
    from neurorelax.connectome import default_connectome, from_spec

    if name is None:
        return default_connectome()
    # Checked before a generator builds the graph: compare holds dense
    # node-by-node matrices.
    return from_spec(name, max_nodes=MAX_NODES)


def check_arguments(args):
    """Check the numeric options of ``compare`` before any work starts."""
    from neurorelax.validation import check_integer, check_positive, check_seed

    check_positive("--duration", args.duration)
    check_seed(args.seed, "--seed")
    check_integer("--neurons-per-node", args.neurons_per_node, minimum=2)
    check_positive("--bin", args.bin)
    check_positive("--smoothing", args.smoothing, allow_zero=True)
    if args.smoothing > args.duration * 1e3:
        raise ValueError(
            f"--smoothing must be at most --duration ({args.duration * 1e3:g} ms), "
            f"got {args.smoothing:g} ms"
        )
    if args.smoothing < args.bin * (1 - 1e-9):
        raise ValueError(
            f"--smoothing must be at least --bin ({args.bin:g} ms), got "
            f"{args.smoothing:g} ms; widen the kernel or use narrower bins"
        )


def check_protocol(args, n_nodes):
    """Plan the stimuli as the run will and check ``--bin`` and ``--smoothing``.

    Runs before the network is built, after :func:`check_run_size` (which
    bounds the planning's work); messages name the command-line options.

    Returns
    -------
    Protocol
        The planned protocol, which the run uses (planned once, so that its
        warnings show once).
    """
    from neurorelax.bridge.comparison import plan_protocol

    try:
        protocol = plan_protocol(
            n_nodes,
            args.duration,
            train_nodes=args.train_nodes,
            test_nodes=args.test_nodes,
            seed=args.seed,
        )
    except ValueError as error:
        names = {
            "duration": "--duration",
            "train_nodes": "--train-nodes",
            "test_nodes": "--test-nodes",
        }
        pattern = r"\b(duration|train_nodes|test_nodes)\b"
        raise ValueError(
            re.sub(pattern, lambda match: names[match[1]], str(error))
        ) from None
    epoch_ms = protocol.epoch_ * 1e3
    if round(epoch_ms / args.bin) < 10:
        raise ValueError(
            f"--bin must leave at least 10 bins per {epoch_ms:g} ms stimulus epoch "
            f"(at most {epoch_ms / 10:g} ms), got {args.bin:g} ms"
        )
    if args.smoothing > epoch_ms:
        raise ValueError(
            f"--smoothing must be at most the {epoch_ms:g} ms stimulus epoch, got "
            f"{args.smoothing:g} ms"
        )
    return protocol


def check_replot_alone(args):
    """Refuse ``--replot`` together with a graph or options of a run."""
    given = [f"the graph {args.graph!r}"] if args.graph is not None else []
    given += [
        f"--{key.replace('_', '-')}"
        for key, default in RUN_DEFAULTS.items()
        if getattr(args, key) != default
    ]
    if given:
        raise ValueError(
            f"--replot {args.replot!r} redraws a saved comparison and runs "
            f"nothing, so it takes none of {', '.join(given)}; drop them, or drop "
            "--replot to run a new comparison"
        )


def _load_replot(path):
    """Read a saved comparison for ``--replot``, refusing files that are not one.

    Parameters
    ----------
    path : str or Path
        The ``comparison.h5`` file.

    Returns
    -------
    ComparisonResult
        With the metrics that JSON kept as text (``"nan"``) as floats.

    Raises
    ------
    ValueError
        One line naming ``--replot``, the file and what is wrong or missing.
    """
    from neurorelax.bridge.comparison import load_comparison

    path = Path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise ValueError(
            f"--replot {str(path)!r} {what}; expected a comparison.h5 file"
        )
    problem = _replot_metadata_problem(path)
    if problem is None:
        try:
            result = load_comparison(path)
        except (OSError, KeyError, TypeError, ValueError) as error:
            problem = f"it cannot be read ({_first_line(error)})"
        else:
            problem = _replot_problem(result)
    if problem is not None:
        raise ValueError(
            f"--replot {str(path)!r} is not a comparison.h5 file written by "
            f"`neurorelax compare`: {problem}"
        )
    result.metrics.update(
        (key, float(value))
        for key, value in result.metrics.items()
        if isinstance(value, str)
    )
    return result


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _replot_metadata_problem(path):
    """Say why the file's ``metadata`` attribute is not a JSON object, or None."""
    import json

    import h5py

    try:
        with h5py.File(path, "r") as handle:
            text = handle.attrs.get("metadata")
    except OSError as error:
        return f"it is not a readable HDF5 file ({_first_line(error)})"
    if text is None:
        return "it has no 'metadata' attribute"
    try:
        metadata = json.loads(text)
    except (TypeError, ValueError) as error:
        return f"its 'metadata' attribute is not JSON ({_first_line(error)})"
    if not isinstance(metadata, dict):
        return (
            "its 'metadata' attribute is not a JSON object (got "
            f"{type(metadata).__name__})"
        )
    return None


def _replot_problem(result):
    """Say what a loaded comparison lacks for the table and the figure, or None."""
    from neurorelax.bridge.comparison import MODELS

    arrays, metadata, metrics = result.arrays, result.metadata, result.metrics
    curves = ("tau_spiking", "tau_graph/diffusion", "tau_theory/diffusion")
    needed = ("measured", *(f"predicted/{name}" for name in MODELS), *curves)
    missing = [key for key in needed if key not in arrays]
    if missing:
        return f"dataset(s) {', '.join(map(repr, missing))} missing"
    for key in needed:
        if np.asarray(arrays[key]).dtype.kind not in "biuf":
            return f"dataset {key!r} is not numeric"
    shape = np.shape(arrays["measured"])
    if len(shape) != 3 or 0 in shape:
        return (
            "dataset 'measured' must have shape (stimuli, nodes, bins) with no "
            f"empty axis, got {shape}"
        )
    for name in MODELS:
        if np.shape(arrays[f"predicted/{name}"]) != shape:
            return (
                f"dataset 'predicted/{name}' has shape "
                f"{np.shape(arrays[f'predicted/{name}'])}, not that of "
                f"'measured' {shape}"
            )
    lengths = {np.shape(arrays[key]) for key in curves}
    if len(lengths) != 1 or len(next(iter(lengths))) != 1 or 0 in lengths.pop():
        return f"datasets {', '.join(map(repr, curves))} must be 1-D of equal length"

    protocol = metadata.get("protocol")
    if not isinstance(protocol, dict):
        return "metadata 'protocol' (train_nodes, test_nodes) missing"
    nodes = {}
    for key in ("train_nodes", "test_nodes"):
        value = protocol.get(key)
        if not isinstance(value, list) or not all(
            isinstance(node, int) and not isinstance(node, bool) for node in value
        ):
            return f"metadata protocol.{key} is not a list of node indices"
        nodes[key] = value
    if not nodes["test_nodes"]:
        return "metadata protocol.test_nodes is empty (no held-out stimulus)"
    stimuli = len(nodes["train_nodes"]) + len(nodes["test_nodes"])
    if shape[0] != stimuli:
        return (
            f"dataset 'measured' has {shape[0]} stimuli, but protocol names "
            f"{stimuli} stimulated nodes"
        )
    coarse = metadata.get("coarse_graining")
    bin_width = coarse.get("bin_width") if isinstance(coarse, dict) else None
    if not _is_number(bin_width) or not 0 < float(bin_width) < np.inf:
        return (
            f"metadata coarse_graining.bin_width is not a number > 0, got {bin_width!r}"
        )

    if not isinstance(metrics, dict):
        return "its metrics are not a mapping of names to numbers"
    wanted = ["n_spikes", "effective_graph_r", "r2_ceiling_test"]
    wanted += ["r2_ceiling_test_unstimulated", "eta/extended"]
    for name in MODELS:
        wanted += [
            f"{key}/{name}"
            for key in (
                "r2_test",
                "r2_test_unstimulated",
                "r2_train",
                "node_corr_median",
                "gamma",
                "decay",
            )
        ]
    missing = [key for key in wanted if key not in metrics]
    if missing:
        return f"metric(s) {', '.join(map(repr, missing))} missing"
    # the table pairs every mode time of the spiking network with the graph's
    paired = [
        f"tau_graph_{key.removeprefix('tau_spiking_')}/diffusion"
        for key in metrics
        if key.startswith("tau_spiking_")
    ]
    missing = [key for key in paired if key not in metrics]
    if missing:
        return (
            f"metric(s) {', '.join(map(repr, missing))} missing (the file has the "
            "spiking mode times they pair with)"
        )
    for key, value in metrics.items():
        if not _is_number(value):
            return f"metric {key!r} is not a number, got {value!r}"
    return None


def _is_number(value):
    """True for an int or float (not a bool), or JSON's text of one (``"nan"``)."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return isinstance(value, int | float | np.integer | np.floating) and not (
        isinstance(value, bool | np.bool_)
    )


def _run(args):
    from neurorelax.bridge.comparison import run_comparison, save_comparison

    if args.replot:
        check_replot_alone(args)
        result = _load_replot(args.replot)
        if args.out is None:
            # beside the file, so that a re-plot replaces its own figure
            out = check_writable_folder(
                "the folder of --replot FILE",
                Path(args.replot).parent,
                hint="; choose another with --out",
            )
        else:
            out = check_writable_folder("--out", args.out)
    else:
        check_arguments(args)
        params = network_parameters(args.set)
        graph = resolve_graph(args.graph)
        size = check_run_size(graph, params, args)
        protocol = check_protocol(args, graph.n_nodes)
        if args.duration > LONG_DURATION:
            # only for runs within the limits: check_run_size refused the rest
            logger.warning(
                "--duration %g s: simulating %g s of %d neurons and about %.3g "
                "synapses may take hours",
                args.duration,
                args.duration,
                size.cells,
                size.synapses,
            )
        out = check_writable_folder(
            "--out", DEFAULT_OUT if args.out is None else args.out
        )
        try:
            result = _with_progress(run_comparison, graph, params, protocol, args)
        except MemoryError:
            raise ValueError(
                f"--neurons-per-node {args.neurons_per_node}: the network does not "
                "fit in memory; use fewer neurons per node or a smaller graph"
            ) from None
        h5, js = save_comparison(result, out)
        print(f"wrote {h5} and {js}")
    png = plot_comparison(result, out / "comparison.png")
    print(summary_table(result))
    print(f"wrote {png}")
    return 0


def check_run_size(graph, params, args):
    """Refuse a run beyond the model scripts' limits, before anything is built.

    :func:`neurorelax.bridge.comparison.check_run_size` (the check that
    :func:`~neurorelax.bridge.comparison.run_comparison` makes too) with the
    command-line options: it bounds the synapses, cells, time steps of the
    network's ``dt``, cells x time steps and recorded values by the limits of
    :mod:`neurorelax.scripting` and names the options in its messages.

    Returns
    -------
    RunSize
        The cells, synapses and time steps of the run.
    """
    from neurorelax.bridge.comparison import check_run_size as check

    weights = graph.weights if hasattr(graph, "weights") else np.asarray(graph, float)
    return check(
        weights,
        params.with_values(neurons_per_node=args.neurons_per_node),
        args.duration,
        args.bin * 1e-3,
        names={
            "duration": "--duration",
            "neurons_per_node": "--neurons-per-node",
            "bin_width": "--bin",
            "dt": "dt",
            "nodes": "nodes",
        },
    )


def _with_progress(run, graph, params, protocol, args):
    from tqdm import tqdm

    # drawn at the first stage, so that errors of the checks come alone
    bars = []

    def progress(stage, fraction):
        if not bars:
            bars.append(
                tqdm(
                    total=len(STAGES),
                    desc="compare",
                    unit="stage",
                    disable=args.no_progress,
                )
            )
        bars[0].set_postfix_str(stage)
        bars[0].update(1)

    try:
        return run(
            graph,
            params=params,
            neurons_per_node=args.neurons_per_node,
            protocol=protocol,
            seed=args.seed,
            device=args.device,
            bin_width_=args.bin * 1e-3,
            smoothing_width_=args.smoothing * 1e-3,
            progress=progress,
        )
    finally:
        for bar in bars:
            bar.close()


def summary_table(result):
    """Return a short text table of the main metrics of each model."""
    from neurorelax.bridge.comparison import MODELS, diagnose

    # reloaded metrics hold "nan" and "inf" as strings (standard JSON)
    m = {
        key: float(value) if isinstance(value, str) else value
        for key, value in result.metrics.items()
    }
    lines = [
        f"graph: {result.metadata.get('graph')}  nodes: "
        f"{result.metadata.get('n_nodes')}  spikes: {m['n_spikes']:,}  "
        f"effective-graph r: {m['effective_graph_r']:.3f}",
        f"{'model':<10} {'R2 test':>8} {'unstim.':>8} {'R2 train':>9} "
        f"{'node r':>7} {'gamma/s':>9} {'decay/s':>9} {'eta/s':>8}",
    ]
    for name in MODELS:
        eta = m.get(f"eta/{name}", 0.0)
        lines.append(
            f"{name:<10} {m[f'r2_test/{name}']:8.3f} "
            f"{m.get(f'r2_test_unstimulated/{name}', np.nan):8.3f} "
            f"{m[f'r2_train/{name}']:9.3f} "
            f"{m[f'node_corr_median/{name}']:7.3f} "
            f"{m[f'gamma/{name}']:9.3g} {m[f'decay/{name}']:9.3g} "
            f"{eta:8.3g}"
        )
    lines.append(
        f"{'ceiling':<10} {m.get('r2_ceiling_test', np.nan):8.3f} "
        f"{m.get('r2_ceiling_test_unstimulated', np.nan):8.3f}   (noise ceiling)"
    )
    taus = [
        f"{k}: {m[f'tau_spiking_{k}'] * 1e3:.1f}/"
        f"{m[f'tau_graph_{k}/diffusion'] * 1e3:.1f}"
        for k in range(6)
        if f"tau_spiking_{k}" in m
    ]
    lines.append("mode tau spiking/graph (ms): " + ", ".join(taus))
    lines.append(diagnose(m, 6))
    return "\n".join(lines)


def plot_comparison(result, path):
    """Draw measured against predicted activation and per-mode times; save PNG."""
    from neurorelax.plotting.save import save_figure
    from neurorelax.plotting.style import new_figure, style_context

    arrays, metadata = result.arrays, result.metadata
    train = len(metadata["protocol"]["train_nodes"])
    measured = arrays["measured"]
    dt = metadata["coarse_graining"]["bin_width"]
    times = np.arange(measured.shape[2]) * dt * 1e3
    with style_context():
        fig, axes = new_figure(1, 3)
        axes = axes.ravel()
        test = train
        node = metadata["protocol"]["test_nodes"][0]
        order = np.argsort(-np.abs(measured[test]).max(axis=1))[:4]
        for rank, k in enumerate(order):
            axes[0].plot(
                times,
                measured[test, k],
                color=f"C{rank}",
                lw=1,
                label=f"node {k}" + (" (stim.)" if k == node else ""),
            )
            axes[0].plot(
                times,
                arrays["predicted/diffusion"][test, k],
                "--",
                color=f"C{rank}",
                lw=1,
            )
        axes[0].set(
            xlabel="time in epoch (ms)",
            ylabel="activation (Hz)",
            title="held-out stimulus",
        )
        axes[0].legend(title="solid: spiking\ndashed: diffusion", title_fontsize=6)
        for name, marker in (("diffusion", "o"), ("extended", "s")):
            p = arrays[f"predicted/{name}"][train:].ravel()
            axes[1].plot(
                measured[train:].ravel(),
                p,
                marker,
                ms=1,
                alpha=0.3,
                label=f"{name} R^2={result.metrics[f'r2_test/{name}']:.2f}",
            )
        axes[1].set(
            xlabel="measured (Hz)", ylabel="predicted (Hz)", title="held-out prediction"
        )
        axes[1].legend(markerscale=5)
        k = np.arange(len(arrays["tau_spiking"]))
        axes[2].plot(k, arrays["tau_spiking"] * 1e3, "ko-", label="spiking")
        axes[2].plot(
            k, arrays["tau_graph/diffusion"] * 1e3, "o--", label="graph (diffusion)"
        )
        axes[2].plot(
            k,
            arrays["tau_theory/diffusion"] * 1e3,
            ":",
            label="1/(gamma lambda_k + decay)",
        )
        smoothing = metadata["coarse_graining"].get("smoothing_width")
        axes[2].set(
            xlabel="mode k",
            ylabel="relaxation time (ms)",
            title="per-mode relaxation",
            yscale="log",
        )
        # The measured times include the smoothing kernel, the fitted model's
        # own times do not; gamma and decay are not identified one by one
        # when the kernel is slower than the assemblies (docs/bridge.md).
        kernel = "the" if smoothing is None else f"the {smoothing * 1e3:g} ms"
        axes[2].legend(
            loc="center right",
            fontsize=6,
            title=f"spiking and graph include\n{kernel} smoothing",
            title_fontsize=6,
        )
        path = Path(path)
        return save_figure(fig, path.parent, path.stem, formats=("png",))[0]
