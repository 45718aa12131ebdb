"""One matplotlib style for every figure of the project.

The style is a plain dict of rcParams, :data:`RC_PARAMS`, applied by
:func:`use_style` (globally) or :func:`style_context` (inside a ``with``
block). Sizes are chosen for print: a full-width figure is 7.2 inches wide
(a two-column journal page) and text is 8 pt, which stays readable when the
figure is printed at that width. The backend is Agg, so figures are drawn
without a display.

Examples
--------
>>> fig, axes = new_figure(1, 2)
>>> axes.shape
(1, 2)
>>> float(fig.get_figwidth())
7.2
"""

import contextlib
import logging

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from cycler import cycler  # noqa: E402

from neurorelax.plotting.colors import CYCLE  # noqa: E402

__all__ = [
    "FULL_WIDTH",
    "PANEL_HEIGHT",
    "RC_PARAMS",
    "new_figure",
    "panel_labels",
    "plain_log_ticks",
    "style_context",
    "use_style",
]

logger = logging.getLogger(__name__)

FULL_WIDTH = 7.2  # inches: a two-column journal page
PANEL_HEIGHT = 2.3  # inches per row of panels

RC_PARAMS = {
    "backend": "Agg",
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.03,
    "pdf.fonttype": 42,  # embed TrueType so text stays editable
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 8,
    "axes.titlesize": 8.5,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "axes.prop_cycle": cycler(color=list(CYCLE)),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.3,
    "lines.markersize": 4,
    "xtick.major.width": 0.8,
    "ytick.major.width": 0.8,
    "axes.titlelocation": "left",
    "image.cmap": "viridis",
    "figure.constrained_layout.use": True,
}


def use_style():
    """Apply :data:`RC_PARAMS` to matplotlib globally."""
    matplotlib.rcParams.update(RC_PARAMS)


@contextlib.contextmanager
def style_context():
    """Apply :data:`RC_PARAMS` inside a ``with`` block only."""
    with matplotlib.rc_context(RC_PARAMS):
        yield


def new_figure(
    nrows=1, ncols=1, *, width=FULL_WIDTH, row_height=PANEL_HEIGHT, **subplot_kw
):
    """Create a figure in the project style with a grid of panels.

    Parameters
    ----------
    nrows, ncols : int
        Grid of panels.
    width : float
        Figure width in inches (default: full page width).
    row_height : float
        Height of one row of panels in inches.
    **subplot_kw
        Passed to :func:`matplotlib.pyplot.subplots`.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : ndarray of Axes, shape (nrows, ncols)
    """
    for name, value in (("nrows", nrows), ("ncols", ncols)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    use_style()
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(width, row_height * nrows),
        squeeze=False,
        **subplot_kw,
    )
    return fig, axes


def panel_labels(axes, start="A"):
    """Write bold panel letters (A, B, ...) at the top left of each axes.

    Parameters
    ----------
    axes : iterable of Axes
        Panels in reading order.
    start : str
        Letter of the first panel.
    """
    for index, ax in enumerate(axes):
        ax.text(
            -0.02,
            1.02,
            chr(ord(start) + index),
            transform=ax.transAxes,
            fontsize=10,
            fontweight="bold",
            ha="right",
            va="bottom",
        )


def plain_log_ticks(ax, axis="y"):
    """Label a log-scaled axis with plain numbers (3, 10, 300) not 3 x 10^2.

    Parameters
    ----------
    ax : Axes
    axis : {"x", "y", "both"}
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    if axis not in ("x", "y", "both"):
        raise ValueError(f"axis must be 'x', 'y' or 'both', got {axis!r}")
    for name in ("x", "y") if axis == "both" else (axis,):
        target = getattr(ax, f"{name}axis")
        target.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        target.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        target.set_minor_formatter(NullFormatter())
