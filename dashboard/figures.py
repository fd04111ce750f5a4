"""Figure helpers shared by the views (pure: plain values in, go.Figure or values out).

Conventions for every chart of the app:
- corpus text (names, titles, labels) goes into a figure only through `escape_html`
  (Plotly renders a subset of HTML in labels and hover text);
- a chart that narrows to articles carries the ids it stands for in `customdata`
  (Plotly's selection indices count within each trace), and line traces get markers
  (line-only traces emit no selection events); `selected_custom_data` reads them back.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

NEGATIVE_RGB = (214, 39, 40)
POSITIVE_RGB = (44, 160, 44)
CHART_HEIGHT = 380


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
