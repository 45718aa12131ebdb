"""Node values drawn at the nodes' positions (a connectome seen from above)."""

import numpy as np

__all__ = ["brain_map"]


def brain_map(ax, positions, values, norm, cmap="viridis", size=14):
    """Draw node values at their (x, y) positions, seen from above.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    positions : ndarray of shape (n_nodes, 3)
        Node centres (x, y, z), e.g. TVB region centres in mm; nodes are
        drawn from the lowest z up, so upper regions stay visible.
    values : ndarray of shape (n_nodes,)
        The value of each node, mapped to colour through ``norm``.
    norm : matplotlib.colors.Normalize
    cmap : str, optional
    size : float, optional
        Marker area in points^2.

    Returns
    -------
    matplotlib.collections.PathCollection
        The scatter artist, for a colour bar.
    """
    order = np.argsort(positions[:, 2])
    artist = ax.scatter(
        positions[order, 0],
        positions[order, 1],
        c=values[order],
        s=size,
        norm=norm,
        cmap=cmap,
        edgecolors="0.3",
        linewidths=0.3,
    )
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    return artist
