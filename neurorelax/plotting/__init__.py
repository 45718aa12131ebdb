"""Figure style, colours, saving and the checks report.

``neurorelax.plotting`` depends on matplotlib only (and on
:mod:`neurorelax.results` for atomic writes). Figure scripts use

- :func:`new_figure` / :func:`use_style` for the shared style
  (:data:`RC_PARAMS`, Agg backend, print sizes),
- :mod:`neurorelax.plotting.colors` for the Okabe-Ito palette and the colour
  of each ion and condition,
- :func:`brain_map` to draw node values at the nodes' positions,
- :func:`save_figure` to write PNG and PDF atomically,
- :class:`Check` to hold each measured value against its target;
  the runner collects them with :func:`write_report`.
"""

from neurorelax.plotting import colors
from neurorelax.plotting.maps import brain_map
from neurorelax.plotting.report import (
    Check,
    FigureResult,
    render_markdown,
    write_report,
)
from neurorelax.plotting.save import FORMATS, save_figure
from neurorelax.plotting.style import (
    FULL_WIDTH,
    PANEL_HEIGHT,
    RC_PARAMS,
    new_figure,
    panel_labels,
    plain_log_ticks,
    style_context,
    use_style,
)

__all__ = [
    "brain_map",
    "Check",
    "FORMATS",
    "FULL_WIDTH",
    "FigureResult",
    "PANEL_HEIGHT",
    "RC_PARAMS",
    "colors",
    "new_figure",
    "panel_labels",
    "plain_log_ticks",
    "render_markdown",
    "save_figure",
    "style_context",
    "use_style",
    "write_report",
]
