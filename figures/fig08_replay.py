"""Figure 8: replay keeps what matters.

Plots the results of ``models/replay.py``: assemblies stored on the
connectome, their overlaps with the state while diffusion and decay act and
every second one is replayed at rest, total activity with and without replay,
and the detail (high-frequency energy share) of what is kept.
"""

import numpy as np

from neurorelax.plotting import Check, colors, new_figure, panel_labels, save_figure

NAME = "fig08_replay"
MODELS = ("replay",)


def make_figure(results, out_dir):
    """Draw figure 8 from the replay results and return its checks."""
    result = results["replay"]
    a, meta = result.arrays, result.metadata
    metrics = meta["metrics"]
    t = a["t"]
    patterns, replayed = a["patterns"], set(a["replayed"].tolist())
    n_patterns = patterns.shape[1]
    palette = colors.sequence(n_patterns)
    n_tau = metrics["decay_time_constants"]
    tau = t[-1] / n_tau

    fig, axes = new_figure(2, 2, row_height=2.5)
    ax_overlap, ax_total = axes[0]
    ax_detail, ax_legend = axes[1]

    # A: overlap of every pattern with the state.
    for mu in range(n_patterns):
        is_replayed = mu in replayed
        ax_overlap.plot(
            t / tau,
            a["overlaps"][:, mu],
            color=palette[mu],
            lw=1.0 if is_replayed else 1.3,
            ls="-" if is_replayed else "--",
            label=f"{mu + 1}" + (" (replayed)" if is_replayed else ""),
        )
    ax_overlap.plot(
        t / tau,
        np.exp(-t / tau),
        color=colors.CONDITION["reference"],
        lw=0.8,
        ls=":",
        label=r"$e^{-\kappa t}$",
    )
    ax_overlap.axhline(0.8, color="0.6", lw=0.6)
    ax_overlap.axhline(0.1, color="0.6", lw=0.6)
    ax_overlap.set_xlabel(r"t (decay time constants $1/\kappa$)")
    ax_overlap.set_ylabel(r"overlap $o_\mu = \langle p_\mu, M\rangle / |p_\mu|^2$")
    ax_overlap.set_ylim(-0.02, 1.05)
    ax_overlap.legend(loc="center right", fontsize=6, title="pattern", title_fontsize=6)

    # Inset: the replayed overlaps through the last rest-wake cycles, with
    # the rest phases shaded.
    inset = ax_overlap.inset_axes((0.3, 0.3, 0.28, 0.36))
    period = float(a["rest_period"])
    zoom = t >= t[-1] - 3 * period - 1e-12
    for mu in sorted(replayed):
        inset.plot(
            1e3 * (t[zoom] - t[-1]), a["overlaps"][zoom, mu], color=palette[mu], lw=0.9
        )
    start = t[-1] - 3 * period
    for phase in np.arange(np.ceil(start / period) * period, t[-1], period):
        inset.axvspan(
            1e3 * (phase - t[-1]),
            1e3 * (phase + float(a["rest_duration"]) - t[-1]),
            color="0.88",
            lw=0,
        )
    inset.set_title("last cycles (grey: rest)", fontsize=6, loc="center", pad=2)
    inset.set_xlabel("t - end (ms)", fontsize=6, labelpad=1)
    inset.tick_params(labelsize=6)

    # B: total activity with and without replay.
    ax_total.semilogy(
        t / tau,
        a["total"] / a["total"][0],
        color=colors.CONDITION["with"],
        label="with replay",
    )
    ax_total.semilogy(
        t / tau,
        a["total_without"] / a["total_without"][0],
        color=colors.CONDITION["without"],
        label="without replay",
    )
    ax_total.axhline(0.01, color="0.6", lw=0.6, ls="--", label="1 % of start")
    ax_total.set_xlabel(r"t (decay time constants $1/\kappa$)")
    ax_total.set_ylabel(r"total activity $\sum_i M_i$ / start")
    ax_total.legend(loc="lower left")

    # C: detail of the replayed patterns (stored alone) over time.
    ax_detail.plot(
        t / tau, a["detail"], color=colors.CONDITION["with"], label="replayed patterns"
    )
    ax_detail.axhline(
        metrics["detail_stored"],
        color=colors.CONDITION["reference"],
        lw=0.8,
        ls="--",
        label="as stored",
    )
    ax_detail.set_xlabel(r"t (decay time constants $1/\kappa$)")
    ax_detail.set_ylabel("high-frequency energy share")
    ax_detail.legend(loc="upper right")

    # D: the assemblies on the connectome (seen from above).
    positions = a["positions"]
    ax_legend.set_title("assemblies (filled: replayed)", loc="center")
    if np.all(np.isfinite(positions)):
        free = patterns.sum(axis=1) == 0
        ax_legend.scatter(
            positions[free, 0],
            positions[free, 1],
            s=5,
            color="0.7",
            label="in no pattern",
        )
        for mu in range(n_patterns):
            members = patterns[:, mu] > 0
            filled = mu in replayed
            ax_legend.scatter(
                positions[members, 0],
                positions[members, 1],
                s=16,
                color=palette[mu] if filled else "white",
                edgecolors=palette[mu],
                linewidths=1.0,
            )
        ax_legend.set_aspect("equal")
        ax_legend.set_xticks([])
        ax_legend.set_yticks([])
        for side in ("left", "bottom"):
            ax_legend.spines[side].set_visible(False)
    ax_legend.text(
        0.5,
        -0.06,
        f"replay: rest {1e3 * float(a['rest_duration']):g} ms of every "
        f"{1e3 * float(a['rest_period']):g} ms",
        transform=ax_legend.transAxes,
        ha="center",
        va="top",
        fontsize=7,
    )

    panel_labels([ax_overlap, ax_total, ax_detail, ax_legend])
    save_figure(fig, out_dir, NAME)
    return make_checks(results)


def make_checks(results):
    """Turn the replay measurements into this figure's checks."""
    metrics = results["replay"].metadata["metrics"]
    n_tau = metrics["decay_time_constants"]
    last = f"through the last rest-wake cycle up to {n_tau:g} decay time constants"
    return [
        Check.at_least(
            "overlap of replayed patterns",
            metrics["overlap_replayed_min"],
            0.8,
            note=f"smallest {last}",
        ),
        Check.at_most(
            "overlap of patterns not replayed",
            metrics["overlap_unreplayed_max"],
            0.1,
            note=f"largest {last}",
        ),
        Check.at_most(
            "total activity without replay, as share of the start",
            metrics["total_without_replay"],
            0.01,
            note=f"at {n_tau:g} decay time constants",
        ),
        Check.at_most(
            "detail of the replayed memories relative to the patterns as stored",
            metrics["detail_ratio"],
            1.0 - 1e-3,
            note="high-frequency energy share of the replayed patterns (run "
            "stored alone) at the end over that as stored; target: lower",
        ),
    ]


def main(argv=None):
    """Make this figure alone (runs the model first when needed)."""
    from neurorelax.cli.figures import figure_main

    return figure_main(NAME, argv)


if __name__ == "__main__":
    raise SystemExit(main())
