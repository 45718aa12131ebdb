"""Figure 9: settling is recognition.

Plots the results of ``models/attractor.py``: a corrupted cue settling into
the stored pattern it came from, the overlap with every stored pattern and
the energy over the sweeps, and recall against the corruption level.
"""

import numpy as np

from neurorelax.plotting import Check, colors, new_figure, panel_labels, save_figure

NAME = "fig09_attractor"
MODELS = ("attractor",)


def as_image(states):
    """Lay +1/-1 states out as a 2-D image with a near-square shape."""
    n = states.size
    rows = int(np.floor(np.sqrt(n)))
    while n % rows:
        rows -= 1
    return states.reshape(rows, n // rows)


def make_figure(results, out_dir):
    """Draw figure 9 from the attractor results and return its checks."""
    result = results["attractor"]
    a, meta = result.arrays, result.metadata
    params = meta["parameters"]
    overlaps, energies, target = a["overlaps"], a["energies"], a["target"]
    sweeps = np.arange(overlaps.shape[0])
    n_patterns = overlaps.shape[1]

    fig, axes = new_figure(2, 2, row_height=2.4)
    ax_img, ax_overlap = axes[0]
    ax_energy, ax_curve = axes[1]

    # A: stored pattern, cue and settled state of the first cue, as images.
    ax_img.axis("off")
    images = (
        ("stored pattern 1", a["patterns"][:, target[0]]),
        (f"cue ({100 * float(params['corruption']):.0f} % flipped)", a["example_cue"]),
        ("after settling", a["example_final"]),
    )
    for index, (title, states) in enumerate(images):
        inset = ax_img.inset_axes((index * 0.34, 0.08, 0.31, 0.8))
        inset.imshow(
            as_image(states), cmap="gray", vmin=-1, vmax=1, interpolation="nearest"
        )
        inset.set_xticks([])
        inset.set_yticks([])
        inset.set_title(title, loc="center", fontsize=7)
    ax_img.text(
        0.5,
        0.0,
        f"{states.size} units, one pixel each; white +1, black -1",
        transform=ax_img.transAxes,
        ha="center",
        va="bottom",
        fontsize=7,
    )

    # B: overlap with every stored pattern over the sweeps; thin grey lines
    # are the cued pattern of every other cue.
    columns = np.arange(target.size)
    cued = overlaps[:, target, columns]
    ax_overlap.plot(sweeps, cued, color="0.75", lw=0.6)
    palette = colors.sequence(n_patterns)
    for mu in range(n_patterns):
        label = f"pattern {mu + 1}" + (" (cued)" if mu == target[0] else "")
        ax_overlap.plot(
            sweeps, overlaps[:, mu, 0], "o-", ms=3, color=palette[mu], label=label
        )
    ax_overlap.axhline(0.95, color=colors.CONDITION["reference"], lw=0.8, ls="--")
    ax_overlap.set_xlabel("sweep (every unit updated once)")
    ax_overlap.set_ylabel(r"overlap $\frac{1}{n}\,\xi_\mu \cdot s$")
    ax_overlap.set_xticks(sweeps)
    ax_overlap.legend(loc="center right", fontsize=6)

    # C: energy of every cue over the sweeps.
    ax_energy.plot(sweeps, energies, color="0.7", lw=0.6)
    ax_energy.plot(
        sweeps,
        energies[:, 0],
        "o-",
        ms=3,
        color=colors.LEVEL["graph"],
        label="cue shown in A, B",
    )
    ax_energy.plot([], [], color="0.7", lw=0.6, label=f"all {target.size} cues")
    ax_energy.set_xlabel("sweep (every unit updated once)")
    ax_energy.set_ylabel(r"energy $E = -\frac{1}{2} s^T W s$")
    ax_energy.set_xticks(sweeps)
    ax_energy.legend(loc="upper right")

    # D: recall against corruption level.
    levels, curve = 100 * a["levels"], a["curve_final"]
    ax_curve.plot(
        np.repeat(levels, curve.shape[1]),
        curve.ravel(),
        "o",
        ms=2,
        color="0.6",
        alpha=0.6,
        label="single cues",
    )
    ax_curve.plot(
        levels,
        curve.mean(axis=1),
        "o-",
        ms=3,
        color=colors.LEVEL["graph"],
        label="mean",
    )
    ax_curve.axhline(
        0.95, color=colors.CONDITION["reference"], lw=0.8, ls="--", label="0.95"
    )
    ax_curve.axvline(100 * float(params["corruption"]), color="0.8", lw=0.8)
    ax_curve.set_xlabel("cue corruption (% of units flipped)")
    ax_curve.set_ylabel("final overlap with cued pattern")
    ax_curve.legend(loc="lower left")

    panel_labels([ax_img, ax_overlap, ax_energy, ax_curve])
    save_figure(fig, out_dir, NAME)
    return make_checks(results)


def make_checks(results):
    """Turn the attractor measurements into this figure's checks."""
    result = results["attractor"]
    a, meta = result.arrays, result.metadata
    metrics, params = meta["metrics"], meta["parameters"]
    target = a["target"]
    n_patterns = a["patterns"].shape[1]
    corruption = 100 * float(params["corruption"])
    return [
        Check.at_least(
            f"final overlap with the cued pattern at {corruption:.0f} % corruption",
            metrics["min_final_overlap"],
            0.95,
            note=f"worst of {target.size} cues; {n_patterns} patterns stored in "
            f"{a['patterns'].shape[0]} units",
        ),
        Check.at_most(
            "largest energy increase between sweeps",
            metrics["max_energy_increase"],
            1e-12,
            note="relative to the largest |E|; every cue, every sweep",
        ),
    ]


def main(argv=None):
    """Make this figure alone (runs the model first when needed)."""
    from neurorelax.cli.figures import figure_main

    return figure_main(NAME, argv)


if __name__ == "__main__":
    raise SystemExit(main())
