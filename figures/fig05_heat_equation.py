"""Figure 5: the heat equation on a connectome.

Plots the results of ``models/graph_diffusion.py``: activation spreading from
one region of the default connectome, each node against the weighted mean of
its neighbours, and the distance from the uniform state, whose late decay
rate is held against gamma * lambda_2.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors as mcolors

from neurorelax.plotting import (
    FULL_WIDTH,
    Check,
    brain_map,
    colors,
    panel_labels,
    save_figure,
    use_style,
)

NAME = "fig05_heat_equation"
MODELS = ("graph_diffusion",)

# Times shown as brain maps, in slowest time constants 1 / (gamma lambda_2).
MAP_TIMES = (0.0, 0.003, 0.03, 0.3, 3.0)
# Times shown in the node-against-neighbours panel (same unit).
SCATTER_TIMES = (0.003, 0.03, 0.3)


def format_time(seconds):
    """Write a time in ms below one second and in s above."""
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def nearest_index(times, wanted):
    """Index of the sample closest to each wanted time."""
    return [int(np.argmin(np.abs(times - value))) for value in wanted]


def make_figure(results, out_dir):
    """Draw figure 5 from the graph-diffusion results and return its checks."""
    result = results["graph_diffusion"]
    a, meta = result.arrays, result.metadata
    metrics = meta["metrics"]
    t, activity = a["t_snapshot"], a["activity"]
    tau_2 = 1.0 / metrics["gamma_lambda_2"]
    n_nodes = activity.shape[1]

    use_style()
    fig = plt.figure(figsize=(FULL_WIDTH, 4.3))
    top, bottom = fig.subfigures(2, 1, height_ratios=(1.0, 1.25))
    map_axes = top.subplots(1, len(MAP_TIMES))
    ax_heat, ax_scatter, ax_dev = bottom.subplots(
        1, 3, gridspec_kw={"width_ratios": (1.3, 1.0, 1.3)}
    )

    # A: activation on the connectome at a few times (log colour scale).
    norm = mcolors.LogNorm(vmin=1e-3 / n_nodes, vmax=1.0)
    start = int(meta["parameters"]["start_node"])
    for ax, index in zip(
        map_axes, nearest_index(t, np.array(MAP_TIMES) * tau_2), strict=True
    ):
        values = np.clip(activity[index], norm.vmin, None)
        artist = brain_map(ax, a["positions"], values, norm)
        ax.scatter(
            *a["positions"][start, :2],
            s=40,
            facecolors="none",
            edgecolors=colors.OKABE_ITO["vermillion"],
            linewidths=1.0,
        )
        ax.set_title(f"t = {format_time(t[index])}", loc="center")
    map_axes[0].set_title(f"t = 0, all at {meta['start_label']}", loc="center")
    top.text(
        0.45,
        0.0,
        "regions at their centres, seen from above (x-y plane, mm)",
        ha="center",
        va="bottom",
        fontsize=7,
        color="0.3",
    )
    top.colorbar(
        artist, ax=map_axes.tolist(), label="activation M", shrink=0.85, pad=0.01
    )

    # B: activation of every region over time (regions in the order they fill).
    order = np.argsort(np.argmax(activity >= 0.5 / n_nodes, axis=0))
    ax_heat.pcolormesh(
        t[1:],
        np.arange(n_nodes),
        np.clip(activity[1:, order].T, norm.vmin, None),
        norm=norm,
        shading="nearest",
        rasterized=True,
    )
    ax_heat.set_xscale("log")
    ax_heat.set_xlabel("t (s)")
    ax_heat.set_ylabel("region (in order of arrival)")

    # C: each node against the weighted mean of its neighbours.
    palette = colors.sequence(len(SCATTER_TIMES))
    low = norm.vmin
    for colour, index in zip(
        palette, nearest_index(t, np.array(SCATTER_TIMES) * tau_2), strict=True
    ):
        ax_scatter.scatter(
            np.clip(a["neighbour_mean"][index], low, None),
            np.clip(activity[index], low, None),
            s=5,
            color=colour,
            label=format_time(t[index]),
        )
    ax_scatter.plot(
        [low, 1],
        [low, 1],
        color=colors.CONDITION["reference"],
        lw=0.8,
        ls="--",
        label="M = mean",
    )
    ax_scatter.set_xscale("log")
    ax_scatter.set_yscale("log")
    ax_scatter.set_xlabel("weighted neighbour mean")
    ax_scatter.set_ylabel("node activation M")
    ax_scatter.legend(loc="upper left", handletextpad=0.1)

    # D: distance from the uniform state and the predicted late decay.
    window = a["fit_window"].astype(bool)
    t_all, dev = a["t"], a["deviation"]
    ax_dev.semilogy(t_all, dev, color=colors.LEVEL["graph"], label="simulated")
    anchor = np.flatnonzero(window)[-1]
    predicted = dev[anchor] * np.exp(
        -metrics["gamma_lambda_2"] * (t_all - t_all[anchor])
    )
    late = t_all > 0.3 * t_all[-1]
    ax_dev.semilogy(
        t_all[late],
        predicted[late],
        color=colors.CONDITION["predicted"],
        ls="--",
        label=r"$\propto e^{-\gamma\lambda_2 t}$",
    )
    ax_dev.axvspan(
        t_all[window][0], t_all[window][-1], color="0.88", zorder=0, label="fit window"
    )
    ax_dev.set_xlabel("t (s)")
    ax_dev.set_ylabel(r"distance from uniform $\|M - \bar M\|$")
    # Above the axes: inside, every corner holds the curve, the fit window
    # (shaded, full height) or the fit values.
    ax_dev.legend(
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=2,
        borderaxespad=0.2,
        columnspacing=1.0,
    )
    ax_dev.text(
        0.02,
        0.04,
        f"fit {metrics['decay_rate_fit']:.4g} /s\n"
        f"$\\gamma\\lambda_2$ = {metrics['gamma_lambda_2']:.4g} /s",
        transform=ax_dev.transAxes,
    )

    panel_labels([map_axes[0], ax_heat, ax_scatter, ax_dev])
    save_figure(fig, out_dir, NAME)
    return make_checks(results)


def make_checks(results):
    """Turn the graph_diffusion measurements into this figure's checks."""
    metrics = results["graph_diffusion"].metadata["metrics"]
    return [
        Check.at_most(
            "relative drift of the total activation",
            metrics["total_rel_drift"],
            1e-9,
            note="max over time of |sum M(t) - sum M(0)| / sum M(0)",
        ),
        Check.within(
            "late decay rate of the distance from uniform",
            metrics["decay_rate_fit"],
            metrics["gamma_lambda_2"],
            rel_tol=0.01,
            unit="1/s",
            note="target gamma * lambda_2 of the connectome",
        ),
    ]


def main(argv=None):
    """Make this figure alone (runs the model first when needed)."""
    from neurorelax.cli.figures import figure_main

    return figure_main(NAME, argv)


if __name__ == "__main__":
    raise SystemExit(main())
