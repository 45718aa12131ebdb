"""Figure 7: sharp distinctions fade first.

Plots the results of ``models/spectral_decay.py``: a sharp pattern on the
connectome smoothing out, the amplitudes of its Laplacian modes decaying at
gamma * lambda_k, and the energy in low against high graph frequencies.
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

NAME = "fig07_spectral_decay"
MODELS = ("spectral_decay",)

# Times of the pattern snapshots, in slowest time constants 1/(gamma lambda_2).
SNAPSHOT_TIMES = (0.0, 0.005, 0.02, 0.1, 1.0)
# Modes drawn in the amplitude panel (all fitted modes are checked).
SHOWN_MODES = (1, 2, 4, 7, 10)


def nearest_index(times, wanted):
    """Index of the sample closest to each wanted time."""
    return [int(np.argmin(np.abs(times - value))) for value in wanted]


def make_figure(results, out_dir):
    """Draw figure 7 from the spectral-decay results and return its checks."""
    result = results["spectral_decay"]
    a, meta = result.arrays, result.metadata
    metrics = meta["metrics"]
    gamma_ = float(a["gamma"])
    t, activity, amplitudes = a["t"], a["activity"], a["amplitudes"]
    eigenvalues = a["eigenvalues"]
    tau_2 = 1.0 / (gamma_ * eigenvalues[1])
    t_ms = t * 1e3

    use_style()
    fig = plt.figure(figsize=(FULL_WIDTH, 4.4))
    top, bottom = fig.subfigures(2, 1, height_ratios=(1.0, 1.35))
    map_axes = top.subplots(1, len(SNAPSHOT_TIMES))
    ax_modes, ax_energy, ax_rates = bottom.subplots(1, 3)

    # A: the pattern on the connectome at a few times.
    norm = mcolors.Normalize(vmin=0.0, vmax=activity[0].max())
    for ax, index in zip(
        map_axes, nearest_index(t, np.array(SNAPSHOT_TIMES) * tau_2), strict=True
    ):
        artist = brain_map(ax, a["positions"], activity[index], norm)
        ax.set_title(f"t = {t_ms[index]:.3g} ms", loc="center")
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

    # B: amplitudes of a few modes against exp(-gamma lambda_k t).
    palette = colors.sequence(len(SHOWN_MODES))
    floor = 1e-12 * np.abs(amplitudes[0]).max()
    for colour, k in zip(palette, SHOWN_MODES, strict=True):
        magnitude = np.abs(amplitudes[:, k])
        shown = magnitude > floor
        ax_modes.semilogy(t_ms[shown], magnitude[shown], color=colour, label=f"k = {k}")
        predicted = magnitude[0] * np.exp(-gamma_ * eigenvalues[k] * t)
        ax_modes.semilogy(t_ms[shown], predicted[shown], color="k", lw=0.6, ls=":")
    ax_modes.plot(
        [], [], color="k", lw=0.6, ls=":", label=r"$|a_k(0)|\,e^{-\gamma\lambda_k t}$"
    )
    ax_modes.set_xlim(0, t_ms[-1] / 3)
    ax_modes.set_ylim(1e-6, None)
    ax_modes.set_xlabel("t (ms)")
    ax_modes.set_ylabel(r"mode amplitude $|a_k|$")
    ax_modes.legend(ncol=2, loc="lower left", columnspacing=0.8, handlelength=1.2)

    # C: energy in the low and the high half of the spectrum.
    cutoff = int(a["cutoff"])
    ax_energy.semilogy(
        t_ms,
        a["energy_low"],
        color=colors.OKABE_ITO["blue"],
        label=f"low: modes 1-{cutoff - 1}",
    )
    ax_energy.semilogy(
        t_ms,
        a["energy_high"],
        color=colors.OKABE_ITO["vermillion"],
        label=f"high: modes {cutoff}-{eigenvalues.size - 1}",
    )
    ax_energy.set_xlim(0, t_ms[-1] / 3)
    ax_energy.set_ylim(1e-8 * a["energy_low"][0], None)
    ax_energy.set_xlabel("t (ms)")
    ax_energy.set_ylabel(r"energy $\sum_k a_k^2$")
    ax_energy.legend(loc="upper right")

    # D: fitted against predicted rates of the checked modes.
    k = a["fit_modes"]
    ax_rates.plot(
        k,
        a["rate_predicted"],
        "o",
        mfc="none",
        color=colors.CONDITION["predicted"],
        ms=7,
        label=r"$\gamma\lambda_k$",
    )
    ax_rates.plot(
        k, a["rate_fit"], "x", color=colors.LEVEL["graph"], label="fitted to simulation"
    )
    ax_rates.set_xlabel("mode k")
    ax_rates.set_ylabel("decay rate (1/s)")
    ax_rates.set_xticks(k)
    ax_rates.legend(loc="upper left")
    ax_rates.text(
        0.98,
        0.04,
        f"worst error {100 * metrics['worst_rate_rel_error']:.2g} %",
        transform=ax_rates.transAxes,
        ha="right",
    )

    panel_labels([map_axes[0], ax_modes, ax_energy, ax_rates])
    save_figure(fig, out_dir, NAME)
    return make_checks(results)


def make_checks(results):
    """Turn the spectral_decay measurements into this figure's checks."""
    result = results["spectral_decay"]
    metrics = result.metadata["metrics"]
    k = result.arrays["fit_modes"]
    return [
        Check.at_most(
            f"worst relative error of the fitted decay rates of modes 1-{k[-1]}",
            metrics["worst_rate_rel_error"],
            0.01,
            note="fit of log|a_k(t)| against gamma * lambda_k",
        ),
    ]


def main(argv=None):
    """Make this figure alone (runs the model first when needed)."""
    from neurorelax.cli.figures import figure_main

    return figure_main(NAME, argv)


if __name__ == "__main__":
    raise SystemExit(main())
