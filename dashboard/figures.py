"""Figure helpers shared by the views (pure: plain values in, go.Figure or values out).

Conventions for every chart of the app:
- corpus text (names, titles, labels) goes into a figure only through `escape_html`
  (Plotly renders a subset of HTML in labels and hover text);
- a chart that narrows to articles carries the ids it stands for in `customdata`
  (Plotly's selection indices count within each trace), and line traces get markers
  (line-only traces emit no selection events); `selected_custom_data` reads them back.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, sample_colorscale, unlabel_rgb

NEGATIVE_RGB = (214, 39, 40)
POSITIVE_RGB = (44, 160, 44)
CHART_HEIGHT = 380
PALETTE = (
    "rgb(31, 95, 139)", "rgb(242, 142, 43)", "rgb(117, 84, 160)", "rgb(23, 190, 207)", "rgb(156, 117, 95)",
    "rgb(204, 163, 0)", "rgb(141, 160, 203)", "rgb(214, 97, 178)", "rgb(72, 72, 120)", "rgb(255, 187, 120)",
)
"""Colours of sources, leaders and terms in every chart: no red and no green, which stand for tone alone."""


def tone_color(tone: float, max_alpha: float = 0.45) -> str:
    """A translucent red (negative) or green (positive) whose opacity grows with |tone|; transparent at 0."""
    if tone != tone or tone == 0:  # NaN or neutral
        return "rgba(0, 0, 0, 0)"
    red, green, blue = POSITIVE_RGB if tone > 0 else NEGATIVE_RGB
    return f"rgba({red}, {green}, {blue}, {min(abs(tone), 1.0) * max_alpha:.3f})"


def style(fig: go.Figure, title: str | None = None, height: int = CHART_HEIGHT) -> go.Figure:
    """The app's common layout: compact margins, legend on top, click-to-select."""
    fig.update_layout(
        title=title, height=height, margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0}, clickmode="event+select",
    )
    return fig


def selected_custom_data(event: Mapping[str, Any] | None) -> list[tuple[Any, ...]]:
    """The `customdata` of every selected point of a `st.plotly_chart(on_select=...)` event, as tuples."""
    if not event:
        return []
    points = (event.get("selection") or {}).get("points") or []
    selected = []
    for point in points:
        data = point.get("customdata")
        if data is None:
            continue
        selected.append(tuple(data) if isinstance(data, list | tuple) else (data,))
    return selected


THIN_COLOR = "#b0b0b0"
"""Grey of points resting on too little data to trust (thin periods, sources)."""


def date_format(frequency: str) -> str:
    """The hover format of a period start ("week" periods show the day)."""
    return "%d %b %Y" if frequency == "week" else "%b %Y"


DARK_TEXT, LIGHT_TEXT = "#1d2630", "#ffffff"
"""Text colours written on coloured cells: the app's dark grey, or white."""


def _rgb(color: str) -> tuple[float, float, float]:
    """(r, g, b) 0-255 of "#rrggbb" or "rgb(r, g, b)"."""
    return tuple(float(part) for part in (hex_to_rgb(color) if color.startswith("#") else unlabel_rgb(color)))


def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance of a colour, 0 (black) to 1 (white)."""
    channels = np.array(_rgb(color)) / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21 (text needs 4.5 for AA)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_color_on(fill: str) -> str:
    """DARK_TEXT or LIGHT_TEXT, whichever contrasts more with the fill (so numbers stay readable on navy and on pale blue)."""
    return DARK_TEXT if contrast_ratio(DARK_TEXT, fill) >= contrast_ratio(LIGHT_TEXT, fill) else LIGHT_TEXT


def text_colors_on_scale(values: Iterable[float], colorscale: str, zmin: float, zmax: float) -> list[str]:
    """`text_color_on` the colour a heatmap with this colorscale and range gives each value (for its written counts)."""
    span = zmax - zmin
    positions = [min(max((float(value) - zmin) / span, 0.0), 1.0) if span > 0 else 0.0 for value in values]
    return [text_color_on(fill) for fill in sample_colorscale(colorscale, positions)] if positions else []
