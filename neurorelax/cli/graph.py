"""`neurorelax graph`: describe and draw a graph.

``neurorelax graph info GRAPH`` prints nodes, edges, density, weight range,
symmetry, connected components, and lambda_2 and lambda_max of the
combinatorial Laplacian. ``neurorelax graph plot GRAPH [--out FILE]`` draws
the weight matrix and the Laplacian spectrum (matplotlib, Agg backend, no
display).

GRAPH is ``default`` (the prepared TVB 76-region connectome), a built-in
connectome (``tvb66``, ``tvb68``, ``tvb76``, ``tvb96``, ``tvb192``), a
generator spec (``ring:8``, ``grid:4x5``, ``small_world:20,4,0.1``,
``sbm:3x10,0.5,0.05``, ``geometric:50,0.3``) or a file path.
"""

import json
import os
from pathlib import Path

__all__ = ["register"]

GRAPH_HELP = (
    "'default', a built-in connectome (tvb66, tvb68, tvb76, tvb96, tvb192), "
    "a generator spec (ring:N, grid:RxC, small_world:N,K,P, "
    "sbm:BxSIZE,P_IN,P_OUT, geometric:N,R) or a file (.csv .tsv .txt .npy "
    ".npz .graphml .gexf .edges .zip)"
)
# Formats matplotlib's Agg canvas writes (without the raw-buffer formats).
IMAGE_FORMATS = tuple("png pdf svg svgz eps ps jpg jpeg tif tiff webp gif".split())


def register(subparsers):
    """Add the ``graph`` sub-command with its ``info`` and ``plot`` actions."""
    parser = subparsers.add_parser(
        "graph",
        help="describe or draw a graph (connectome, generator or file)",
        description=__doc__.split("\n\n")[1].replace("``", ""),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    info = actions.add_parser("info", help="print size, weights, components, spectrum")
    _add_graph_arguments(info)
    info.add_argument("--json", action="store_true", help="print the numbers as JSON")
    info.add_argument(
        "--spectrum-max-nodes",
        type=int,
        default=None,
        metavar="N",
        help="compute lambda_2 and lambda_max only up to N nodes (default 4000; "
        "above 4000 a sparse solver is used, which can take minutes)",
    )
    info.set_defaults(handler=_info)

    plot = actions.add_parser("plot", help="draw the weight matrix and the spectrum")
    _add_graph_arguments(plot)
    plot.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output image (.png, .pdf, .svg); default <graph name>.png",
    )
    plot.set_defaults(handler=_plot)


def _add_graph_arguments(parser):
    parser.add_argument("graph", metavar="GRAPH", help=GRAPH_HELP)
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed for generator specs, in [0, 2**32 - 1] (default 0)",
    )
    parser.add_argument(
        "--symmetrise", choices=("mean", "max"), help="make the weights symmetric"
    )
    parser.add_argument(
        "--threshold", type=float, help="remove weights below this value"
    )
    parser.add_argument(
        "--keep-fraction", type=float, help="keep this fraction of strongest edges"
    )
    parser.add_argument(
        "--log-transform", action="store_true", help="replace w by log(1 + w)"
    )
    parser.add_argument(
        "--normalise", choices=("max", "total", "row"), help="rescale the weights"
    )
    parser.add_argument(
        "--largest-component",
        action="store_true",
        help="keep the largest connected component",
    )
    parser.add_argument(
        "--directed",
        action="store_true",
        help="read an edge list as directed (edge lists only)",
    )


def _graph_from_args(args):
    """Resolve GRAPH and the preparation options into a Graph."""
    from neurorelax.connectome import from_spec

    options = {
        "symmetrise": args.symmetrise,
        "threshold": args.threshold,
        "keep_fraction": args.keep_fraction,
        "log_transform": args.log_transform,
        "normalise": args.normalise,
        "largest_component": args.largest_component,
    }
    if args.directed:
        options["directed"] = True
    try:
        return from_spec(args.graph, seed=args.seed, **options)
    except ImportError as error:
        # The dispatcher reports ValueError as a clean command-line error.
        raise ValueError(str(error)) from None


def _format_number(value):
    return "n/a" if value is None else f"{value:.6g}"


def _info(args):
    from neurorelax.connectome import summarize
    from neurorelax.validation import check_integer

    if args.spectrum_max_nodes is not None:
        check_integer("--spectrum-max-nodes", args.spectrum_max_nodes, minimum=0)
    summary = summarize(
        _graph_from_args(args), spectrum_max_nodes=args.spectrum_max_nodes
    )
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    weights = (
        "no edges"
        if summary["weight_min"] is None
        else f"{summary['weight_min']:.6g} .. {summary['weight_max']:.6g}"
    )
    lines = [
        f"graph:        {summary['name']}",
        f"nodes:        {summary['nodes']}",
        f"edges:        {summary['edges']} "
        f"({'directed' if summary['directed'] else 'undirected'})",
        f"density:      {summary['density']:.4f}",
        f"weights:      {weights}",
        f"symmetric:    {'yes' if summary['symmetric'] else 'no'}",
        f"components:   {summary['components']} "
        f"(largest {summary['largest_component']} nodes, "
        f"{summary['isolated_nodes']} isolated)",
        f"lambda_2:     {_format_number(summary['lambda_2'])}",
        f"lambda_max:   {_format_number(summary['lambda_max'])}",
        f"spectrum of:  {summary['spectrum_of']}",
    ]
    if summary["spectrum_skipped"]:
        lines.append(
            f"spectrum:     skipped: {summary['spectrum_skipped']}; raise "
            "--spectrum-max-nodes to compute it"
        )
    print("\n".join(lines))
    return 0


def _plot(args):
    import matplotlib
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure

    from neurorelax.connectome import laplacian_spectrum
    from neurorelax.connectome.loading import spec_node_count
    from neurorelax.connectome.summary import DENSE_SPECTRUM_MAX_NODES

    # Check --out before any work: a typo should not cost a spectrum.
    if args.out is not None:
        _check_out(args.out)
    # A generator spec says its size: refuse a graph too large to draw before
    # building it (unless --largest-component may shrink it).
    n_nodes = spec_node_count(args.graph)
    if (
        n_nodes is not None
        and n_nodes > DENSE_SPECTRUM_MAX_NODES
        and not args.largest_component
    ):
        raise ValueError(
            f"graph plot draws graphs of at most {DENSE_SPECTRUM_MAX_NODES} nodes "
            f"(full spectrum, dense eigendecomposition); {args.graph!r} has "
            f"{n_nodes} nodes; use `neurorelax graph info` for larger graphs"
        )
    graph = _graph_from_args(args)
    out = args.out or Path(f"{_safe_stem(graph.name or 'graph')}.png")
    spectrum = laplacian_spectrum(graph)

    # A figure on the Agg canvas: no display and no global pyplot state.
    figure = Figure(figsize=(10, 4.2), layout="constrained")
    FigureCanvasAgg(figure)
    matrix_axes, spectrum_axes = figure.subplots(1, 2)

    # Absent connections are white; weights spanning decades use a log scale.
    dense = graph.to_dense()
    positive = dense[dense > 0]
    wide = positive.size and positive.max() > 10 * positive.min()
    image = matrix_axes.imshow(
        np.ma.masked_less_equal(dense, 0.0),
        cmap=matplotlib.colormaps["viridis"].with_extremes(bad="white"),
        norm=LogNorm() if wide else None,
        interpolation="nearest",
    )
    figure.colorbar(image, ax=matrix_axes, label="weight W[i, j]")
    matrix_axes.set(
        title=f"{graph.name or 'graph'}: weights ({graph.n_edges} edges)",
        xlabel="target node j",
        ylabel="source node i",
    )

    spectrum_axes.plot(range(1, spectrum.size + 1), spectrum, ".", markersize=4)
    spectrum_axes.set(
        title="spectrum of L = D - W" + (" of (W + W^T)/2" if graph.directed else ""),
        xlabel="index k",
        ylabel="eigenvalue lambda_k",
    )
    if spectrum.size >= 2:
        spectrum_axes.axhline(spectrum[1], color="0.6", linewidth=0.8)
        spectrum_axes.annotate(
            f"lambda_2 = {spectrum[1]:.4g}",
            (1, spectrum[1]),
            textcoords="offset points",
            xytext=(8, 8),
        )

    _save(figure, out)
    print(f"wrote {out}")
    return 0


def _check_out(out):
    """Refuse an output path that cannot take an image, before any work."""
    suffix = out.suffix.lower().lstrip(".")
    if not out.name:
        raise ValueError(
            f"--out must name an image file such as graph.png, got {str(out)!r}"
        )
    if suffix not in IMAGE_FORMATS:
        raise ValueError(
            f"--out {str(out)!r}: unknown image format {out.suffix or '(none)'!r}; "
            f"expected a file ending in {', '.join('.' + f for f in IMAGE_FORMATS)}"
        )
    if out.is_dir():
        raise ValueError(f"--out {str(out)!r} is a directory; expected a file name")
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(
                    f"--out {str(out)!r}: {str(parent)!r} is a file, not a folder"
                )
            if not os.access(parent, os.W_OK | os.X_OK):
                raise ValueError(
                    f"--out {str(out)!r}: folder {str(parent)!r} is not writable"
                )
            break


def _save(figure, out):
    """Write the figure through a temporary file: never a half-written image."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.partial")
        figure.savefig(partial, dpi=150, format=out.suffix.lstrip(".").lower())
        partial.replace(out)
    except OSError as error:
        raise ValueError(f"--out {str(out)!r}: cannot write ({error})") from None


def _safe_stem(name):
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
