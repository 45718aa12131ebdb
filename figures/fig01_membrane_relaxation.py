"""Figure 1: the membrane is a relaxation mechanism.

Plots the results of ``models/membrane_relaxation.py``: voltage traces from
several initial voltages converging on V_inf = sum(g_i E_i)/sum(g_i); the
distance from V_inf on a log scale, whose slope is -1/tau; the clamped I-V
line of each channel crossing zero at its Nernst reversal; the resting
voltage as the Cl share of a fixed total conductance varies.

Checks (measured from the saved traces, never copied from the model):
final voltage of every trace within 0.1 mV of V_inf; time constant fitted to
each trace within 1 % of C/sum(g); each channel's zero-current voltage within
0.01 mV of the Nernst formula evaluated here with CODATA constants.
"""

import numpy as np
import scipy.constants
import scipy.optimize

from neurorelax.plotting import Check, colors, new_figure, panel_labels, save_figure

NAME = "fig01_membrane_relaxation"
MODELS = ("membrane_relaxation",)

VALENCE = {"Na": 1, "K": 1, "Cl": -1}


def nernst_formula_mV(ion, concentrations_mM, temperature_celsius):
    """Return R T / (z F) ln(c_out / c_in) in mV, from scipy's CODATA values."""
    temperature = temperature_celsius + scipy.constants.zero_Celsius
    thermal = (
        scipy.constants.R
        * temperature
        / scipy.constants.physical_constants["Faraday constant"][0]
    )
    ratio = concentrations_mM[f"{ion}_out"] / concentrations_mM[f"{ion}_in"]
    return 1e3 * thermal / VALENCE[ion] * np.log(ratio)


def fit_time_constant(t_ms, v_mV):
    """Fit V(t) = V_inf + A exp(-t/tau) by least squares; return tau in ms."""
    guess = (v_mV[-1], v_mV[0] - v_mV[-1], (t_ms[-1] - t_ms[0]) / 5)
    (_, _, tau), _ = scipy.optimize.curve_fit(
        lambda t, v_inf, a, tau: v_inf + a * np.exp(-t / tau), t_ms, v_mV, p0=guess
    )
    return float(tau)


def zero_crossing(v_mV, current):
    """Return the voltage where a sampled I-V line crosses zero (linear)."""
    k = int(np.flatnonzero(np.diff(np.sign(current)) != 0)[0])
    return float(np.interp(0.0, current[k : k + 2], v_mV[k : k + 2]))


def make_figure(results, out_dir):
    """Draw figure 1 from the model results and return its checks."""
    data = results["membrane_relaxation"]
    a, meta = data.arrays, data.metadata
    g, e = meta["g_mS_cm2"], meta["E_mV"]
    v_inf = sum(g[i] * e[i] for i in g) / sum(g.values())
    tau = meta["C_uF_cm2"] / sum(g.values())  # uF/mS = ms
    t, traces = a["t_ms"], a["traces_v_mV"]

    # -- checks ---------------------------------------------------------------
    final = traces[:, -1]
    worst = final[np.argmax(np.abs(final - v_inf))]
    fitted = [fit_time_constant(t, v) for v in traces if abs(v[0] - v_inf) > 5]
    worst_tau = fitted[int(np.argmax(np.abs(np.array(fitted) - tau)))]
    checks = [
        Check.within(
            "final V of the trace farthest from V_inf",
            worst,
            v_inf,
            abs_tol=0.1,
            unit="mV",
            note=f"V_inf = sum(g E)/sum(g); {len(final)} traces",
        ),
        Check.within(
            "fitted time constant (worst trace)",
            worst_tau,
            tau,
            rel_tol=0.01,
            unit="ms",
            note="target C/sum(g)",
        ),
    ]
    crossings = {}
    for ion in ("Na", "K", "Cl"):
        crossings[ion] = zero_crossing(a["clamp_v_mV"], a["clamp_I_uA_cm2"][ion])
        formula = nernst_formula_mV(
            ion, meta["concentrations_mM"], meta["temperature_celsius"]
        )
        checks.append(
            Check.within(
                f"I_{ion} zero crossing vs Nernst formula",
                crossings[ion],
                formula,
                abs_tol=0.01,
                unit="mV",
                note="voltage clamp of the simulated channel",
            )
        )

    # -- drawing --------------------------------------------------------------
    fig, axes = new_figure(1, 4, row_height=2.4)
    ax_tr, ax_log, ax_iv, ax_cl = axes[0]
    shades = colors.sequence(len(traces))
    for v, colour in zip(traces, shades, strict=True):
        ax_tr.plot(t, v, color=colour)
        distance = np.abs(v - v_inf)
        keep = distance > 1e-4
        ax_log.semilogy(t[keep], distance[keep], color=colour)
    ax_tr.axhline(
        v_inf,
        color=colors.CONDITION["reference"],
        ls="--",
        lw=0.8,
        label=f"V_inf = {v_inf:.1f} mV",
    )
    ax_tr.legend(loc="upper right")
    ax_tr.set(xlabel="t (ms)", ylabel="V (mV)", title="Relaxation to rest")
    top = np.max(np.abs(traces[:, 0] - v_inf))
    ax_log.semilogy(
        t,
        4 * top * np.exp(-t / tau),
        color="0.5",
        ls="--",
        lw=1,
        label=f"C/sum(g) = {tau:.2f} ms",
    )
    ax_log.set(
        xlabel="t (ms)",
        ylabel="|V - V_inf| (mV)",
        title="Exponential approach",
        ylim=(1e-3, 20 * top),
    )
    ax_log.legend(loc="lower left")

    for ion in ("Na", "K", "Cl"):
        ax_iv.plot(
            a["clamp_v_mV"],
            a["clamp_I_uA_cm2"][ion],
            color=colors.ION[ion],
            label=f"I_{ion}, E = {crossings[ion]:.1f} mV",
        )
        ax_iv.plot(crossings[ion], 0, "o", color=colors.ION[ion])
    ax_iv.axhline(0, color="0.6", lw=0.6)
    ax_iv.set(xlabel="V (mV)", ylabel="I (uA/cm$^2$)", title="I-V lines (clamp)")
    ax_iv.legend(loc="upper left")

    share = a["cl_share"]
    g_total = sum(g.values())
    g_cat = g["Na"] + g["K"]
    e_cat = (g["Na"] * e["Na"] + g["K"] * e["K"]) / g_cat
    ax_cl.plot(
        100 * share,
        (1 - share) * e_cat + share * e["Cl"],
        color=colors.CONDITION["reference"],
        lw=0.8,
        label="sum(gE)/sum(g)",
    )
    ax_cl.plot(
        100 * share,
        a["cl_share_v_mV"],
        "o",
        color=colors.ION["Cl"],
        label="simulated rest",
    )
    ax_cl.axhline(e["Cl"], color=colors.ION["Cl"], ls="--", lw=0.8)
    ax_cl.text(
        100 * share[-1],
        e["Cl"] + 0.1,
        "E_Cl",
        color=colors.ION["Cl"],
        va="bottom",
        ha="right",
    )
    ax_cl.set(
        xlabel="Cl share of g (%)",
        ylabel="rest V (mV)",
        title=f"Cl shifts rest (sum g = {g_total:.2f} mS/cm$^2$)",
    )
    ax_cl.legend(loc="lower left", bbox_to_anchor=(0.0, 0.12))
    panel_labels(axes[0])
    save_figure(fig, out_dir, NAME)
    return checks


def main(argv=None):
    from neurorelax.cli.figures import figure_main

    return figure_main(NAME, argv)


if __name__ == "__main__":
    raise SystemExit(main())
