"""Figure 4: lateral inhibition makes patterns compete.

Plots the results of ``models/lateral_inhibition.py``: the rate of each
assembly over time at the reference contrast, with and without the shared
inhibitory pool; selectivity (winner rate / mean loser rate) against input
contrast with and without the pool (at contrast 0, where no assembly is
favoured, the strongest assembly's ratio); and the graph-level analogue,
divisive normalization of the same inputs.

Checks (from the saved spike counts): with the pool, selectivity at the
reference contrast (10 %) is at least 3; without it, below 1.5.
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

NAME = "fig04_lateral_inhibition"
MODELS = ("lateral_inhibition",)
CLIP = (0.1, 1000.0)  # selectivities outside are drawn at the limit (triangles)


def selectivity(rates, floor):
    """Winner (assembly 0) over mean loser rate; losers floored at ``floor``."""
    rates = np.asarray(rates, dtype=float)
    return rates[..., 0] / np.maximum(rates[..., 1:].mean(axis=-1), floor)


def strongest_selectivity(rates, floor):
    """Strongest assembly over the mean of the others; losers floored at ``floor``.

    At contrast 0 no assembly is favoured, so which one wins is chance and
    assembly 0's selectivity is as often far below 1 as far above; the
    strongest assembly's ratio shows whether one won at all.
    """
    rates = np.sort(np.asarray(rates, dtype=float), axis=-1)[..., ::-1]
    return selectivity(rates, floor)


def _index(rates):
    """(w - l) / (w + l) of one block's assembly rates (NaN if all silent)."""
    winner, losers = rates[0], np.mean(rates[1:])
    return (winner - losers) / (winner + losers) if winner + losers > 0 else np.nan


def make_figure(results, out_dir):
    """Draw figure 4 from the model results and return its checks."""
    data = results["lateral_inhibition"]
    a, meta = data.arrays, data.metadata
    floor = meta["selectivity_floor_Hz"]
    sel = selectivity(a["rates_Hz"], floor)
    ref = meta["reference"]
    contrast_pct = 100 * meta["reference_contrast"]

    checks = [
        Check.at_least(
            f"selectivity with the inhibitory pool at {contrast_pct:g} % contrast",
            sel[ref["with"]],
            3.0,
            note=f"winner {a['rates_Hz'][ref['with'], 0]:.1f} Hz; losers floored "
            f"at {floor:.2f} Hz (one spike), so a lower bound; index (w - l) / "
            f"(w + l) = {_index(a['rates_Hz'][ref['with']]):.3f}",
        ),
        Check.at_most(
            f"selectivity without the pool at {contrast_pct:g} % contrast",
            sel[ref["without"]],
            1.5,
        ),
    ]

    fig, axes = new_figure(1, 4, row_height=2.5)
    ax_with, ax_without, ax_sel, ax_graph = axes[0]
    edges = a["bin_edges_ms"]
    centres = 0.5 * (edges[1:] + edges[:-1])
    shades = [colors.OKABE_ITO["vermillion"]] + [
        colors.OKABE_ITO["sky_blue"],
        colors.OKABE_ITO["blue"],
        colors.OKABE_ITO["green"],
    ]
    for ax, key, title in (
        (ax_with, "with", "with pool"),
        (ax_without, "without", "without pool"),
    ):
        traces = a["rate_traces_Hz"][key]
        for k, trace in enumerate(traces):
            label = "winner (+c input)" if k == 0 else f"assembly {k + 1}"
            ax.plot(
                centres,
                trace,
                color=shades[k % len(shades)],
                label=label,
                lw=1.4 if k == 0 else 0.9,
            )
        ax.axvspan(0, meta["window_ms"][0], color="0.92", lw=0)
        ax.set(
            xlabel="t (ms)",
            ylabel="assembly rate (Hz)",
            title=f"{title}, c = {contrast_pct:g} %",
        )
    ax_without.legend(loc="lower right", fontsize=6)

    # At c = 0 the point is the strongest assembly's ratio (open circle):
    # assembly 0 is not favoured there, and wins or loses by chance.
    contrast = 100 * a["contrast"]
    unfavoured = contrast == 0
    shown_sel = np.where(unfavoured, strongest_selectivity(a["rates_Hz"], floor), sel)
    for flag, key in ((True, "with"), (False, "without")):
        rows = np.flatnonzero(a["with_pool"] == flag)
        order = rows[np.argsort(contrast[rows])]
        values = shown_sel[order]
        shown = np.clip(values, *CLIP)
        color = colors.CONDITION[key]
        ax_sel.plot(contrast[order], shown, "-", color=color, label=f"{key} pool")
        filled = ~unfavoured[order]
        ax_sel.plot(contrast[order][filled], shown[filled], "o", color=color)
        ax_sel.plot(
            contrast[order][~filled],
            shown[~filled],
            "o",
            mfc="white",
            color=color,
        )
        for side, marker in ((values > CLIP[1], "^"), (values < CLIP[0], "v")):
            for fill, face in ((filled, color), (~filled, "white")):
                ax_sel.plot(
                    contrast[order][side & fill],
                    shown[side & fill],
                    marker,
                    ms=7,
                    color=color,
                    mfc=face,
                )
    ax_sel.axhline(3, color="0.5", ls="--", lw=0.8)
    ax_sel.axhline(1.5, color="0.5", ls=":", lw=0.8)
    ax_sel.axvline(contrast_pct, color="0.8", lw=0.8)
    ax_sel.set(
        xlabel="input contrast c (%)",
        ylabel="selectivity (winner / losers)",
        yscale="log",
        title="Spiking network",
    )
    plain_log_ticks(ax_sel)
    ax_sel.plot([], [], "^", color="0.4", label="beyond the axis")
    ax_sel.plot([], [], "o", color="0.4", mfc="white", label="c = 0: strongest")
    ax_sel.legend(loc="center left", fontsize=6)

    g = a["graph"]
    g_contrast = 100 * g["contrast"]
    for key, values in (("with", g["with_pool"]), ("without", g["alone"])):
        ax_graph.plot(
            g_contrast,
            values[:, 0] / values[:, 1:].mean(axis=1),
            "o-",
            color=colors.CONDITION[key],
            label="pooled" if key == "with" else "each alone",
        )
    ax_graph.set(
        xlabel="input contrast c (%)",
        ylabel="winner / losers",
        title="Graph: divisive normalization",
    )
    ax_graph.legend(loc="upper left")
    panel_labels(axes[0])
    save_figure(fig, out_dir, NAME)
    return checks


def main(argv=None):
    from neurorelax.cli.figures import figure_main

    return figure_main(NAME, argv)


if __name__ == "__main__":
    raise SystemExit(main())
