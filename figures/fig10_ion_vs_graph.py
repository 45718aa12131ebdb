"""Figure 10: ion level against graph level.

Plots the results of ``models/ion_vs_graph.py``: spiking assemblies, one per
node of the connectome, one node stimulated at a time; the coarse-grained
node activations of a held-out stimulus beside the graph-level prediction
(node x time); predicted against measured activation on every held-out
sample; the relaxation time of each of the first spectral modes, measured in
the spiking network and in the fitted graph model; the fitted gamma, decay
and the identifiable combinations gamma/decay and gain/decay.

Checks (computed here from the saved activations, never copied): held-out
R^2 of the diffusion model >= 0.8 (the paper's target); as a diagnostic
beyond it, on the nodes that were not stimulated (what only spreading
explains), the share of the explainable variance (R^2 / noise ceiling) that
the extension with a strength leak captures, >= 0.8 (the diffusion model's
share is given in the note: it stays far below); for each spectral
mode whose relaxation rises above the noise, the spiking time constant
against the graph-level one (within 50 %: a reference band, the paper sets
no number; a ``--quick`` run only reports these times in a note).
"""

from dataclasses import replace

import numpy as np

from neurorelax.plotting import Check, colors, new_figure, panel_labels, save_figure

NAME = "fig10_ion_vs_graph"
MODELS = ("ion_vs_graph",)


def held_out_r2(measured, predicted):
    """R^2 = 1 - SS_res / SS_tot over every held-out sample."""
    total = np.sum((measured - measured.mean()) ** 2)
    return float(1 - np.sum((predicted - measured) ** 2) / total)


def make_figure(results, out_dir):
    """Draw figure 10 from the comparison result and return its checks."""
    data = results["ion_vs_graph"]
    a, meta = data.arrays, data.metadata
    n_train = len(meta["protocol"]["train_nodes"])
    test_nodes = meta["protocol"]["test_nodes"]
    dt_ms = meta["coarse_graining"]["bin_width"] * 1e3
    measured = a["measured"]
    predicted = a["predicted"]["diffusion"]
    extended = a["predicted"]["extended"]
    fits = meta["fits"]

    # -- checks ---------------------------------------------------------------
    r2 = held_out_r2(measured[n_train:], predicted[n_train:])
    r2_ext = held_out_r2(measured[n_train:], extended[n_train:])
    others = np.ones(measured[n_train:].shape[:2], dtype=bool)
    others[np.arange(len(test_nodes)), list(test_nodes)] = False
    truth = measured[n_train:][others]
    r2_others = held_out_r2(truth, predicted[n_train:][others])
    r2_others_ext = held_out_r2(truth, extended[n_train:][others])
    noise = a["noise_variance"][n_train:]
    ceiling = 1 - np.mean(noise) / np.var(measured[n_train:])
    ceiling_others = 1 - np.mean(noise[others]) / np.var(truth)
    low_ceiling = (
        " (below R^2: the ceiling, estimated from repeated stimuli, is low)"
        if r2 > ceiling
        else ""
    )
    checks = [
        Check.at_least(
            "held-out R^2, diffusion model",
            r2,
            0.8,
            note=f"noise ceiling {ceiling:.3f}{low_ceiling}; extension with "
            f"strength leak: R^2 = {r2_ext:.3f}; graph {meta['graph']}, "
            f"{meta['n_nodes']} nodes",
        ),
    ]
    # Diffusion conserves activity, so it under-predicts the nodes that were
    # not stimulated (docs/bridge.md); the extension with a strength leak is
    # held to the target there, and the diffusion value is reported beside it.
    checks.append(
        Check.at_least(
            "unstimulated nodes: share of the explainable variance, extended model",
            r2_others_ext / ceiling_others,
            0.8,
            note=f"held-out R^2 {r2_others_ext:.3f} over the nodes not stimulated "
            f"/ noise ceiling {ceiling_others:.3f} (a share above 1 means the "
            "ceiling, estimated from repeated stimuli, is low); the diffusion "
            "model alone "
            f"reaches R^2 {r2_others:.3f} (share "
            f"{r2_others / ceiling_others:.2f}) there",
        )
    )
    tau_s, tau_g = a["tau_spiking"] * 1e3, a["tau_graph"]["diffusion"] * 1e3
    resolved = np.flatnonzero(np.isfinite(tau_s) & np.isfinite(tau_g))
    if meta.get("quick"):
        # A quick run (8-node ring, 2.6 s) has too few stimuli for mode
        # relaxation times to be more than noise: they are reported, not
        # held to the band.
        times = ", ".join(f"{k}: {tau_s[k]:.1f}/{tau_g[k]:.1f}" for k in resolved)
        checks[0] = replace(
            checks[0],
            note=checks[0].note + f"; quick run, mode times spiking/graph (ms) {times}",
        )
        resolved = []
    for k in resolved:
        checks.append(
            Check.within(
                f"relaxation time of mode {k}, spiking vs graph",
                tau_s[k],
                tau_g[k],
                rel_tol=0.5,
                unit="ms",
                note="reference band; the smoothing kernel "
                f"({meta['coarse_graining']['smoothing_width'] * 1e3:g} ms) "
                "bounds both from below",
            )
        )

    # -- panels ---------------------------------------------------------------
    fig, axes = new_figure(2, 3)
    # First held-out stimulus: the stimulated node, then its neighbours by
    # weight; on a sparse graph the other nodes follow in index order, so the
    # map always shows 12 rows.
    s = n_train
    stimulated = test_nodes[0]
    row = a["weights"][stimulated]
    by_weight = np.argsort(-row, kind="stable")
    by_weight = by_weight[by_weight != stimulated]
    neighbours = by_weight[row[by_weight] > 0]
    others = by_weight[row[by_weight] <= 0]
    order = np.r_[stimulated, neighbours, others][:12]
    rows = "stim., then neighbours by weight"
    if len(neighbours) < len(order) - 1:
        rows = f"stim., {len(neighbours)} neighbours, others"
    t = np.arange(measured.shape[2]) * dt_ms
    limit = np.abs(measured[s, order[1:]]).max()
    for ax, values, title in (
        (axes[0, 0], measured[s], "spiking"),
        (axes[0, 1], extended[s], "graph (extended)"),
    ):
        image = ax.imshow(
            values[order],
            aspect="auto",
            cmap="RdBu_r",
            vmin=-limit,
            vmax=limit,
            extent=(t[0], t[-1], len(order) - 0.5, -0.5),
        )
        ax.set(
            xlabel="time in epoch (ms)",
            ylabel=f"node ({rows})",
            title=f"{title}; node {stimulated} stim.",
        )
    fig.colorbar(image, ax=axes[0, :2], label="activation (Hz), clipped")

    # mean of the (up to) three strongest neighbours: spiking and both models
    ax = axes[0, 2]
    top = neighbours[:3]
    ax.plot(t, measured[s, top].mean(axis=0), color="k", lw=1.2, label="spiking")
    ax.plot(
        t,
        predicted[s, top].mean(axis=0),
        "--",
        color=colors.CYCLE[0],
        label="diffusion",
    )
    ax.plot(
        t, extended[s, top].mean(axis=0), ":", color=colors.CYCLE[1], label="extended"
    )
    ax.set(
        xlabel="time in epoch (ms)",
        ylabel="activation (Hz)",
        title=f"{len(top)} strongest neighbours (mean)",
    )
    ax.legend()

    ax = axes[1, 0]
    ax.plot(
        measured[n_train:].ravel(),
        predicted[n_train:].ravel(),
        ".",
        ms=1,
        alpha=0.3,
        color=colors.CYCLE[0],
    )
    lo, hi = measured.min(), measured.max()
    ax.plot([lo, hi], [lo, hi], color="0.5", lw=0.8)
    ax.set(
        xlabel="measured (Hz)",
        ylabel="predicted (Hz)",
        title=f"held-out R$^2$ {r2:.2f} (others {r2_others:.2f})",
    )

    ax = axes[1, 1]
    k = np.arange(len(tau_s))
    ax.plot(k, tau_s, "o-", color="k", label="spiking")
    ax.plot(k, tau_g, "s--", color=colors.CYCLE[1], label="graph model")
    ax.plot(
        k,
        a["tau_theory"]["diffusion"] * 1e3,
        ":",
        color=colors.CYCLE[2],
        label=r"1/($\gamma\lambda_k$ + decay)",
    )
    ax.set(
        xlabel="Laplacian mode k",
        ylabel="relaxation time (ms)",
        title="mode relaxation",
    )
    ax.legend()

    ax = axes[1, 2]
    names = ("gamma", "decay")
    bars = [
        (i + 0.4 * j, j, fits[model]["params"][n], fits[model]["stderr"].get(n, 0.0))
        for j, model in enumerate(("diffusion", "extended"))
        for i, n in enumerate(names)
    ]
    # A +/- 1 SE interval whose lower end is <= 0 has no place on a log axis:
    # it is drawn from the value to the axis bottom, ending in an arrow, and
    # marked unbounded (the fit cannot identify that parameter alone); an
    # upper end off the axis (infinite) gets an arrow up the same way.
    ends = [v for _, _, v, _ in bars if v > 0]
    ends += [v - e for _, _, v, e in bars if v - e > 0]
    bottom = 10 ** np.floor(np.log10(min(ends) / 3))
    ends += [v + e for _, _, v, e in bars if np.isfinite(v + e)]
    top = 10 ** np.ceil(np.log10(max(ends) * 3))
    for j, model in enumerate(("diffusion", "extended")):
        mine = [bar for bar in bars if bar[1] == j]
        ax.bar(
            [x for x, *_ in mine],
            [v for *_, v, _ in mine],
            0.4,
            yerr=[e if v - e > 0 else 0.0 for *_, v, e in mine],
            color=colors.CYCLE[j],
            label=model,
        )
    unbounded = [(x, v, e) for x, _, v, e in bars if v - e <= 0]
    for x, value, error in unbounded:
        high = value + error if np.isfinite(value + error) else top
        for end in (bottom, high):
            style = "-|>" if end in (bottom, top) else "-"
            ax.annotate(
                "",
                xy=(x, end),
                xytext=(x, value),
                arrowprops={
                    "arrowstyle": style,
                    "color": "k",
                    "lw": 1.0,
                    "shrinkA": 0,
                    "shrinkB": 0,
                },
            )
    if unbounded:
        # between the two groups of bars, below the legend
        ax.text(
            0.5,
            0.58,
            "$\\downarrow$: lower end\nof $\\pm$1 SE $\\leq$ 0,\n"
            "unbounded\n(not identified)",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="center",
            fontsize=6,
        )
    ax.set_yscale("log")
    ax.set_ylim(bottom, top)
    ax.set_xticks(np.arange(2) + 0.2, [r"$\gamma$ (1/s)", "decay (1/s)"])
    p = fits["diffusion"]["params"]
    ax.set_title(
        f"fit: $\\gamma$/decay = {p['gamma'] / p['decay']:.3g}, "
        f"gain/decay = {p['gain'] / p['decay']:.3g} Hz"
    )
    ax.legend(loc="upper left")
    panel_labels(axes.ravel())
    save_figure(fig, out_dir, NAME)
    return checks


def main(argv=None):
    from neurorelax.cli.figures import figure_main

    return figure_main(NAME, argv)


if __name__ == "__main__":
    raise SystemExit(main())
