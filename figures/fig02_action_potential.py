"""Figure 2: sodium in, potassium out: the action potential.

Plots the results of ``models/action_potential.py`` for the Hodgkin-Huxley
squid axon and the Traub-Miles cortical cell: the spike with its Na and K
currents and gates, the charge each ion carries per spike (in units of the
least charge that could move the membrane from rest to the peak, C dV), and
the F-I curves of both cells.

Checks (from the saved traces and spike counts): squid rest within 1 mV of
-65 mV; spike peak above +30 mV in both cells; the squid's repetitive firing
starts between 6 and 7 uA/cm^2 at a rate of at least 20 Hz (type II, a jump);
the Traub-Miles cell's rate starts at most 10 Hz above zero (type I,
continuous).
"""

import numpy as np

from neurorelax.plotting import Check, colors, new_figure, panel_labels, save_figure

NAME = "fig02_action_potential"
MODELS = ("action_potential",)

UNITS = {"squid": ("uA/cm$^2$", "nC/cm$^2$"), "traub": ("nA", "pC")}
TITLES = {"squid": "HH squid axon (6.3 degC)", "traub": "Traub-Miles cell"}


def onset(currents, rates, window_s, min_spikes):
    """Return (current, rate) where repetitive firing starts.

    Firing means at least ``min_spikes`` spikes in the counting window. The
    onset is the first firing current after the last silent one; NaN when
    the cell fires at every current (no silent range) or at none.
    """
    firing = rates * window_s >= min_spikes
    silent = np.flatnonzero(~firing)
    if silent.size == 0 or silent[-1] == len(rates) - 1:
        return float("nan"), float("nan")
    k = silent[-1] + 1
    return float(currents[k]), float(rates[k])


def spike_charges(trace, capacitance):
    """Return the charge of I_Na and I_K over the spike, and C dV.

    Each current is integrated over the recorded window after subtracting
    its value at the end of the window (back near rest). Units: current
    unit x ms (nC/cm^2 for uA/cm^2; pC for nA).
    """
    t = trace["t_ms"]
    charges = {
        ion: float(np.trapezoid(trace[f"I_{ion}"] - trace[f"I_{ion}"][-1], t))
        for ion in ("Na", "K")
    }
    v = trace["v"]
    # uF/cm^2 * mV = nC/cm^2 ; nF * mV = pC
    charges["C dV"] = capacitance * float(np.max(v) - v[-1])
    return charges


def make_figure(results, out_dir):
    """Draw figure 2 from the model results and return its checks."""
    data = results["action_potential"]
    a, meta = data.arrays, data.metadata
    window = meta["fi_window_s"][1] - meta["fi_window_s"][0]
    fi, spikes = a["fi"], a["spike"]
    onsets = {
        key: onset(fi[f"{key}_I"], fi[f"{key}_rate_Hz"], window, meta["min_spikes"])
        for key in ("squid", "traub")
    }
    rest = float(meta["metrics"]["rest_mV"])

    checks = [
        Check.within("squid resting voltage", rest, -65.0, abs_tol=1.0, unit="mV"),
        Check.at_least(
            "squid spike peak", np.max(spikes["squid"]["v"]), 30.0, unit="mV"
        ),
        Check.at_least(
            "Traub-Miles spike peak", np.max(spikes["traub"]["v"]), 30.0, unit="mV"
        ),
        Check.between(
            "squid onset current of repetitive firing",
            onsets["squid"][0],
            6.0,
            7.0,
            unit="uA/cm^2",
        ),
        Check.at_least(
            "squid rate at onset (type II jump)", onsets["squid"][1], 20.0, unit="Hz"
        ),
        Check.at_most(
            "Traub-Miles rate at onset (type I, continuous)",
            onsets["traub"][1],
            10.0,
            unit="Hz",
            note=f"onset at {onsets['traub'][0]:.3f} nA; rate "
            f"resolution {meta['min_spikes'] / window:.1f} Hz",
        ),
    ]

    fig, axes = new_figure(2, 4, row_height=2.3)
    charges = {}
    for row, key in enumerate(("squid", "traub")):
        trace = spikes[key]
        current_unit, charge_unit = UNITS[key]
        ax_v, ax_i, ax_g = axes[row, 0], axes[row, 1], axes[row, 2]
        ax_v.plot(trace["t_ms"], trace["v"], color=colors.ION["total"])
        ax_v.axhline(30, color="0.6", ls=":", lw=0.8)
        ax_v.set(xlabel="t (ms)", ylabel="V (mV)", title=TITLES[key])
        ax_i.plot(
            trace["t_ms"], trace["I_Na"], color=colors.ION["Na"], label="I_Na (in)"
        )
        ax_i.plot(trace["t_ms"], trace["I_K"], color=colors.ION["K"], label="I_K (out)")
        ax_i.axhline(0, color="0.6", lw=0.6)
        ax_i.set(
            xlabel="t (ms)",
            ylabel=f"I ({current_unit})",
            title="Na in, then K out",
            xlim=(0, 12),
        )
        ax_i.legend(loc="lower right")
        for gate, colour in (
            ("m", colors.ION["Na"]),
            ("h", colors.OKABE_ITO["orange"]),
            ("n", colors.ION["K"]),
        ):
            ax_g.plot(trace["t_ms"], trace[gate], color=colour, label=gate)
        ax_g.set(
            xlabel="t (ms)", ylabel="gate (1)", title="Gates", xlim=(0, 12), ylim=(0, 1)
        )
        ax_g.legend(loc="center right")
        charges[key] = spike_charges(trace, meta["C_m_uF_cm2_or_nF"][key])

    ax_q = axes[0, 3]
    width = 0.35
    for k, key in enumerate(("squid", "traub")):
        q = charges[key]
        ratios = [-q["Na"] / q["C dV"], q["K"] / q["C dV"]]
        bars = ax_q.bar(
            np.arange(2) + (k - 0.5) * width,
            ratios,
            width,
            color=[colors.ION["Na"], colors.ION["K"]],
            hatch=None if key == "squid" else "//",
            edgecolor="white",
            label=f"{TITLES[key].split(' (')[0]} ({UNITS[key][1]})",
        )
        for bar, value in zip(bars, (-q["Na"], q["K"]), strict=True):
            ax_q.text(
                bar.get_x() + bar.get_width() / 2,
                bar.get_height(),
                f"{value:.0f}",
                ha="center",
                va="bottom",
                fontsize=6,
            )
    ax_q.axhline(1, color="0.4", ls="--", lw=0.8)
    ax_q.set(
        xticks=[0, 1],
        xticklabels=["Na$^+$ in", "K$^+$ out"],
        ylabel="charge / (C dV)",
        title="Charge per spike",
    )
    ax_q.set_ylim(0, ax_q.get_ylim()[1] * 1.5)
    ax_q.legend(loc="upper right", fontsize=6)

    ax_fs = axes[1, 3]
    ax_fs.plot(
        fi["squid_I"],
        fi["squid_rate_Hz"],
        "o-",
        ms=2,
        color=colors.CONDITION["with"],
        label="HH squid (uA/cm$^2$)",
    )
    ax_fs.set(xlabel="I (uA/cm$^2$)", ylabel="rate (Hz)")
    ax_ft = ax_fs.twiny()
    ax_ft.plot(
        fi["traub_I"],
        fi["traub_rate_Hz"],
        "s-",
        ms=2,
        color=colors.CONDITION["without"],
        label="Traub-Miles (nA)",
    )
    ax_ft.set_xlabel("I (nA)", color=colors.CONDITION["without"])
    ax_ft.spines["top"].set_visible(True)
    for key, ax in (("squid", ax_fs), ("traub", ax_ft)):
        if np.isfinite(onsets[key][0]):
            ax.axvline(onsets[key][0], color=ax.lines[0].get_color(), ls=":", lw=0.8)
    handles = ax_fs.lines[:1] + ax_ft.lines[:1]
    # The legend goes on the twin axis, which is drawn above the first one.
    ax_ft.legend(
        handles,
        [h.get_label() for h in handles],
        loc="lower right",
        fontsize=6,
        frameon=True,
        framealpha=0.9,
    )
    panel_labels(
        [
            axes[0, 0],
            axes[0, 1],
            axes[0, 2],
            axes[0, 3],
            axes[1, 0],
            axes[1, 1],
            axes[1, 2],
            axes[1, 3],
        ]
    )
    save_figure(fig, out_dir, NAME)
    return checks


def main(argv=None):
    from neurorelax.cli.figures import figure_main

    return figure_main(NAME, argv)


if __name__ == "__main__":
    raise SystemExit(main())
