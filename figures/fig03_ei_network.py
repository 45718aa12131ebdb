"""Figure 3: without inhibition, activity runs away.

Plots the results of ``models/ei_network.py``: rasters of the recurrent E-I
network with GABA-A, without it, and with depolarising GABA-A (internal
chloride raised); population rates over time; the mean excitatory rate
against the inhibitory weight; and against the chloride reversal E_Cl.

Checks (from the saved spike counts): the rate without GABA is at least five
times the rate with it; with depolarising GABA (the highest internal
chloride) the rate is at least five times the rate at normal chloride, that
is the stable low-rate state is lost.
"""

import numpy as np

from neurorelax.plotting import (
    Check,
    colors,
    new_figure,
    panel_labels,
    plain_log_ticks,
    save_figure,
)

NAME = "fig03_ei_network"
MODELS = ("ei_network",)

LABELS = {
    "with": "with GABA-A",
    "without": "without GABA",
    "depolarising": "depolarising GABA-A",
}
COLOURS = {
    "with": colors.CONDITION["with"],
    "without": colors.CONDITION["without"],
    "depolarising": colors.OKABE_ITO["purple"],
}


def make_figure(results, out_dir):
    """Draw figure 3 from the model results and return its checks."""
    data = results["ei_network"]
    a, meta = data.arrays, data.metadata
    index = meta["index"]
    rate = a["rate_E_Hz"]
    sweep = np.array([s.decode() if isinstance(s, bytes) else s for s in a["sweep"]])
    w_rows = np.flatnonzero(sweep == "w_inh")
    cl_rows = np.flatnonzero(sweep == "Cl_in")
    normal = cl_rows[np.argmin(a["Cl_in_mM"][cl_rows])]
    e_cl = a["E_Cl_mV"]

    checks = [
        Check.at_least(
            "rate without GABA / rate with GABA",
            rate[index["without"]] / rate[index["with"]],
            5.0,
            note=f"{rate[index['without']]:.1f} Hz vs {rate[index['with']]:.1f} Hz",
        ),
        Check.at_least(
            "rate with depolarising GABA / rate at normal chloride",
            rate[index["depolarising"]] / rate[normal],
            5.0,
            note=f"E_Cl {e_cl[index['depolarising']]:.1f} mV vs {e_cl[normal]:.1f} mV;"
            f" {rate[index['depolarising']]:.1f} Hz vs {rate[normal]:.1f} Hz",
        ),
    ]

    fig, axes = new_figure(2, 3, row_height=2.4)
    n_exc = meta["raster_n_exc"]
    for ax, key in zip(axes[0], ("with", "without", "depolarising"), strict=True):
        spikes = a["raster"][key]
        is_exc = spikes["i"] < n_exc
        for mask, kind in ((is_exc, "excitatory"), (~is_exc, "inhibitory")):
            ax.plot(
                spikes["t_ms"][mask],
                spikes["i"][mask],
                "|",
                ms=1.5,
                mew=0.5,
                color=colors.CONDITION[kind],
                label=kind,
            )
        b = index[key]
        ax.set(
            xlabel="t (ms)",
            ylabel="cell",
            ylim=(-1, 112),  # a strip above cell 99 for panel A's legend
            title=f"{LABELS[key]}: {rate[b]:.1f} Hz",
            xlim=(0, meta["window_ms"][1]),
        )
    axes[0, 0].legend(
        loc="upper right",
        ncols=2,
        markerscale=4,
        fontsize=6,
        borderaxespad=0.1,
        framealpha=1.0,
        frameon=True,
    )

    ax_pop, ax_w, ax_cl = axes[1]
    centres = 0.5 * (a["bin_edges_ms"][1:] + a["bin_edges_ms"][:-1])
    for key in ("without", "depolarising", "with"):
        ax_pop.plot(
            centres,
            a["population_rate_Hz"][index[key]],
            color=COLOURS[key],
            label=LABELS[key],
            lw=0.9,
        )
    ax_pop.axvspan(0, meta["window_ms"][0], color="0.9", lw=0)
    ax_pop.set(
        xlabel="t (ms)",
        ylabel="population rate (Hz)",
        yscale="log",
        title="Population rate (5 ms bins)",
    )
    # Room above the runaway traces for the legend, so it covers no data: the
    # log axis is raised by 40 % of the decades the data span.
    low, high = ax_pop.get_ylim()
    ax_pop.set_ylim(low, high * (high / low) ** 0.4)
    ax_pop.legend(loc="upper right", fontsize=6, borderaxespad=0.2)

    w = a["w_inh_factor"][w_rows] * meta["w_inh_nS"]
    ax_w.plot(w, rate[w_rows], "o-", color=colors.CONDITION["with"], label="E cells")
    ax_w.plot(
        w,
        a["rate_I_Hz"][w_rows],
        "s--",
        color=colors.CONDITION["inhibitory"],
        alpha=0.6,
        label="I cells",
    )
    ax_w.set(
        xlabel="GABA-A weight w_inh (nS)",
        ylabel="mean rate (Hz)",
        yscale="log",
        title="Inhibition bounds the rate",
    )
    ax_w.legend(loc="upper right")

    ax_cl.plot(e_cl[cl_rows], rate[cl_rows], "o-", color=COLOURS["depolarising"])
    for row in cl_rows:
        ax_cl.annotate(
            f"{a['Cl_in_mM'][row]:g} mM",
            (e_cl[row], rate[row]),
            textcoords="offset points",
            xytext=(4, -4),
            va="top",
            fontsize=6,
        )
    ax_cl.axvline(meta["E_rest_mV"], color="0.5", ls="--", lw=0.8)
    # E_L's label at the foot of its line, where no point or label sits.
    ax_cl.text(
        meta["E_rest_mV"],
        0.02,
        " E_L",
        va="bottom",
        color="0.4",
        transform=ax_cl.get_xaxis_transform(),
    )
    ax_cl.margins(y=0.15)  # room for the lowest point's label
    ax_cl.set(
        xlabel="E_Cl = E_GABA-A (mV)",
        ylabel="mean E rate (Hz)",
        yscale="log",
        title="Raising internal Cl$^-$",
    )
    for ax in (ax_pop, ax_w, ax_cl):
        plain_log_ticks(ax)
    panel_labels(axes.ravel())
    save_figure(fig, out_dir, NAME)
    return checks


def main(argv=None):
    from neurorelax.cli.figures import figure_main

    return figure_main(NAME, argv)


if __name__ == "__main__":
    raise SystemExit(main())
