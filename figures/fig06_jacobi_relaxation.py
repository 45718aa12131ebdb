"""Figure 6: Jacobi relaxation solves diffusion locally.

Plots the results of ``models/jacobi_relaxation.py``: the residual of Jacobi
sweeps against the predicted rate rho^k, Jacobi against a direct solve, and
the unconstrained explicit update diverging beside the normalised (Jacobi,
implicit) one converging at the same step.
"""

import numpy as np

from neurorelax.plotting import Check, colors, new_figure, panel_labels, save_figure

NAME = "fig06_jacobi_relaxation"
MODELS = ("jacobi_relaxation",)

# Steps whose states are drawn in the Jacobi-against-direct panel.
SHOWN_STEPS = (1, 2, 5)


def make_figure(results, out_dir):
    """Draw figure 6 from the Jacobi-relaxation results and return its checks."""
    result = results["jacobi_relaxation"]
    a, metrics = result.arrays, result.metadata["metrics"]
    rho = metrics["rho_jacobi"]

    fig, axes = new_figure(1, 3, row_height=2.5)
    ax_res, ax_direct, ax_div = axes[0]

    # A: residual per sweep against rho^k.
    residuals = a["residuals"]
    sweeps = np.arange(residuals.size)
    ax_res.semilogy(
        sweeps, residuals, color=colors.LEVEL["graph"], label="Jacobi residual"
    )
    fitted = a["fit_sweeps"]
    anchor = fitted[0] if fitted.size else 0
    predicted = residuals[anchor] * rho ** (sweeps - anchor)
    ax_res.semilogy(
        sweeps,
        predicted,
        color=colors.CONDITION["predicted"],
        ls="--",
        label=rf"$\propto\rho^k$, $\rho$ = {rho:.4f}",
    )
    if fitted.size:
        ax_res.axvspan(fitted[0], fitted[-1], color="0.9", zorder=0, label="fit window")
    ax_res.set_ylim(residuals.min() / 10, 10)
    ax_res.set_xlabel("sweep k")
    ax_res.set_ylabel(r"relative residual $\|b - A x_k\| / \|b\|$")
    ax_res.legend(loc="upper right")
    ax_res.text(
        0.03,
        0.04,
        f"observed factor {metrics['observed_factor']:.4f}\n"
        rf"$\gamma\,dt$ = {metrics['gamma_dt']:.3g}",
        transform=ax_res.transAxes,
    )

    # B: Jacobi against the direct solve, all regions at a few steps.
    jacobi, direct = a["jacobi"], a["direct"]
    palette = colors.sequence(len(SHOWN_STEPS))
    steps = [step for step in SHOWN_STEPS if step < jacobi.shape[0]]
    for colour, step in zip(palette[: len(steps)], steps, strict=True):
        ax_direct.plot(
            direct[step],
            jacobi[step],
            "o",
            ms=3,
            mfc="none",
            color=colour,
            label=f"step {step}",
        )
    low = min(direct[steps].min(), jacobi[steps].min())
    high = max(direct[steps].max(), jacobi[steps].max())
    ax_direct.plot(
        [low, high],
        [low, high],
        color=colors.CONDITION["reference"],
        lw=0.8,
        ls="--",
        label="equal",
    )
    ax_direct.set_xlabel("M, direct sparse solve")
    ax_direct.set_ylabel("M, Jacobi iteration")
    ax_direct.legend(loc="upper left")

    # Inset: largest relative difference at every step, against the target.
    inset = ax_direct.inset_axes((0.62, 0.14, 0.36, 0.3))
    inset.semilogy(a["step_rel_diff"][1:], color=colors.LEVEL["graph"], lw=1.0)
    inset.axhline(1e-8, color=colors.CONDITION["reference"], lw=0.8, ls="--")
    inset.set_ylim(1e-17, 1e-6)
    inset.set_yticks([1e-16, 1e-12, 1e-8])
    inset.tick_params(labelsize=6)
    inset.set_xlabel("step", fontsize=6, labelpad=1)
    inset.set_title("max rel. difference", fontsize=6, loc="center", pad=2)

    # C: unconstrained explicit update against the normalised implicit one.
    t_ms = a["t"] * 1e3
    ax_div.semilogy(
        t_ms,
        a["deviation_explicit"],
        "o-",
        ms=2.5,
        color=colors.CONDITION["without"],
        label=r"unconstrained: M += $-\gamma\,dt\,LM$",
    )
    ax_div.semilogy(
        t_ms,
        a["deviation_implicit"],
        "o-",
        ms=2.5,
        color=colors.CONDITION["with"],
        label=r"normalised: Jacobi, $/\,(1+\gamma\,dt\,d_i)$",
    )
    ax_div.set_xlabel("t (ms)")
    ax_div.set_ylabel(r"distance from uniform $\|M - \bar M\|$")
    ax_div.legend(loc="center left", bbox_to_anchor=(0.0, 0.55))
    ax_div.text(
        0.03,
        0.97,
        rf"same step: $\gamma\,dt\,\lambda_{{max}}$ = "
        f"{metrics['stability_number']:.2f} > 2",
        transform=ax_div.transAxes,
        va="top",
    )

    panel_labels(axes[0])
    save_figure(fig, out_dir, NAME)
    return make_checks(results)


def make_checks(results):
    """Turn the jacobi_relaxation measurements into this figure's checks."""
    result = results["jacobi_relaxation"]
    metrics = result.metadata["metrics"]
    rho = metrics["rho_jacobi"]
    jacobi = result.arrays["jacobi"]
    return [
        Check.within(
            "asymptotic convergence factor of Jacobi",
            metrics["observed_factor"],
            rho,
            rel_tol=0.05,
            note="target: spectral radius of the Jacobi iteration matrix",
        ),
        Check.at_most(
            "largest relative difference, Jacobi against direct solve",
            metrics["max_rel_diff_direct"],
            1e-8,
            note=f"over {jacobi.shape[0] - 1} implicit Euler steps",
        ),
        Check.at_most(
            "largest step-to-step growth of the distance from uniform, "
            "normalised (Jacobi) update",
            metrics["implicit_max_step_ratio"],
            1.0,
            note="same step as the diverging unconstrained update",
        ),
        Check.at_least(
            "growth of the unconstrained explicit update",
            metrics["explicit_growth"],
            1e3,
            note="distance from uniform, last step over first; gamma dt lambda_max > 2",
        ),
    ]


def main(argv=None):
    """Make this figure alone (runs the model first when needed)."""
    from neurorelax.cli.figures import figure_main

    return figure_main(NAME, argv)


if __name__ == "__main__":
    raise SystemExit(main())
