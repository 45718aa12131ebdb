"""Saving figures: PNG for the README and screens, PDF for print, atomically."""

import logging
from pathlib import Path

import matplotlib.pyplot as plt

from neurorelax.results import atomic_path

__all__ = ["FORMATS", "save_figure"]

logger = logging.getLogger(__name__)

FORMATS = ("png", "pdf")


def save_figure(fig, out_dir, name, formats=FORMATS, close=True):
    """Write ``fig`` as ``out_dir/name.png`` and ``out_dir/name.pdf``.

    Each file is written under a temporary name and renamed into place, so an
    interrupted run never leaves a half-written figure.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    out_dir : str or Path
        Folder for the files (created if needed).
    name : str
        File stem, usually the figure script's ``NAME``.
    formats : sequence of str
        File formats to write; each must be one of ``"png"``, ``"pdf"``,
        ``"svg"``.
    close : bool
        Close the figure afterwards, freeing its memory.

    Returns
    -------
    list of Path
        The written files, in the order of ``formats``.
    """
    if not name or "/" in name or name.startswith("."):
        raise ValueError(
            f"name must be a plain file stem without '/' or leading '.', got {name!r}"
        )
    unknown = [item for item in formats if item not in ("png", "pdf", "svg")]
    if unknown or not formats:
        raise ValueError(
            f"formats must be a non-empty subset of ('png', 'pdf', 'svg'), "
            f"got {tuple(formats)!r}"
        )

    paths = []
    for extension in formats:
        path = Path(out_dir) / f"{name}.{extension}"
        with atomic_path(path) as temporary:
            fig.savefig(temporary, format=extension)
        paths.append(path)
        logger.debug("saved figure %s", path)
    if close:
        plt.close(fig)
    return paths
