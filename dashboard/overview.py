"""Overview: headline figures, volume over time by source, most-mentioned leaders, events.

Pure functions (tables in, tables or figures out); pages/overview.py lays them out.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import PALETTE, date_format, style
from dashboard.queries import FRAME_MEASURES, period_start
from dashboard.safe_text import escape_html, escape_markdown

MEASURES = {"articles": "Articles", "share": "Share of the period's articles"}


@dataclass(frozen=True)
class Headline:
    """The figures at the top of the page."""

    articles: int
    sources: int
    first: date | None
    last: date | None
    mean_tone: float | None


def headline(articles: pd.DataFrame) -> Headline:
    """Counts, date span and mean tone of the filtered articles (None where there are none)."""
    if articles.empty:
        return Headline(0, 0, None, None, None)
    return Headline(
        articles=len(articles),
        sources=int(articles["source"].nunique()),
        first=articles["date"].min().date(),
        last=articles["date"].max().date(),
        mean_tone=float(articles["tone"].mean()),
    )


def orientation(articles: pd.DataFrame, is_demo: bool) -> str:
    """The header line of every view: what the app shows and which corpus (Markdown; no corpus text in it)."""
    head = headline(articles)
    span = f"{head.first:%b %Y} to {head.last:%b %Y}" if head.first else "no dates"
    corpus = (f"a **made-up demo**: {head.articles:,} short articles, {head.sources:,} fictional outlets, {span}" if is_demo
              else f"{head.articles:,} articles, {head.sources:,} sources, {span}")
    return f"**Peninsula Watch**: how the press covers North Korea diplomacy. Showing {corpus}."


def volume_by_period(articles: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """Tidy table: period (start date), source, articles, share (of all articles in that period)."""
    counts = (
        articles.assign(period=period_start(articles["date"], frequency), source=articles["source"].astype("str"))
        .groupby(["period", "source"]).size().rename("articles").reset_index()
    )
    counts["share"] = counts["articles"] / counts.groupby("period")["articles"].transform("sum")
    return counts


MAX_KEY_EVENTS = 6
"""Events named on the timeline at most; the others are marks whose label shows on hover (or tap)."""
MIN_LABEL_GAP = 0.05
"""Named events stand at least this share of the time axis apart (labels run along their line, so this is room enough)."""
EVENT_LINE = {"dash": "dot", "color": "#6b6b6b", "width": 1}
LABEL_BACKGROUND = "rgba(251, 250, 247, 0.85)"


def key_events(events: pd.DataFrame, first: date, last: date, n: int = MAX_KEY_EVENTS, min_gap: float = MIN_LABEL_GAP) -> pd.DataFrame:
    """The events within [first, last] with a `labelled` column: the at most n to name on the chart.

    The most important first (importance 3, then 2, then 1); within one importance, the event
    farthest from those already chosen (the latest to start with), so the names spread over the
    period instead of crowding its busiest year. An event closer than `min_gap` of the span to a
    chosen one is skipped, so labels never collide whatever the filter. Rows stay in date order.
    """
    shown = events_in_range(events, first, last)
    span_days = max((pd.Timestamp(last) - pd.Timestamp(first)).days, 1)
    day_numbers = ((shown["date"] - pd.Timestamp(first)).dt.days / span_days).to_numpy(dtype=float)
    chosen: list[int] = []
    for importance in sorted(shown["importance"].unique(), reverse=True):
        candidates = set(np.flatnonzero(shown["importance"].to_numpy() == importance))
        while candidates and len(chosen) < n:
            distance = {row: min((abs(day_numbers[row] - day_numbers[other]) for other in chosen), default=day_numbers[row])
                        for row in candidates}
            best = max(candidates, key=lambda row: (distance[row], day_numbers[row]))
            candidates.discard(best)
            if not chosen or distance[best] >= min_gap:
                chosen.append(best)
    labelled = np.zeros(len(shown), dtype=bool)
    labelled[chosen] = True
    return shown.assign(labelled=labelled)


EVENT_MARK = {"symbol": "triangle-down", "size": 9, "color": "#6b6b6b"}


def _event_marks(events: pd.DataFrame, mode: str) -> tuple[list[dict], list[dict], dict | None]:
    """Shapes, annotations and one marks trace for `key_events` rows: mode "labels" names the labelled ones
    along their dotted line and marks the others with a small triangle at the top (label in the hover);
    "marks" marks them all; "off" draws nothing.

    The triangles are one scatter trace, not an annotation each: a browser lays out every annotation
    on its own (~90 of them on the demo's full span cost the first page ~0.3 s of drawing). The trace
    sits on a hidden 0-1 axis so its marks stay at the top whatever the bars' scale, and carries no
    customdata, so a click on it lists no articles.
    """
    if mode == "off" or events.empty:
        return [], [], None
    shapes, annotations, marked = [], [], []
    for day, label, description, labelled in zip(events["date"], events["label"], events["description"], events["labelled"], strict=True):
        hover = escape_html(f"{day:%Y-%m-%d} {label}" + (f": {description}" if description else ""))
        if labelled and mode == "labels":
            shapes.append({"type": "line", "x0": day, "x1": day, "y0": 0, "y1": 1, "yref": "paper", "line": EVENT_LINE})
            annotations.append({"x": day, "y": 1, "yref": "paper", "text": escape_html(label), "hovertext": hover, "showarrow": False,
                                "textangle": -90, "xanchor": "left", "yanchor": "top", "font": {"size": 11, "color": "#1d2630"},
                                "bgcolor": LABEL_BACKGROUND})
        else:
            marked.append((day, hover))
    if not marked:
        return shapes, annotations, None
    marks = {"type": "scatter", "mode": "markers", "name": "events", "x": [day for day, _ in marked], "y": [1.0] * len(marked),
             "yaxis": "y2", "hovertext": [hover for _, hover in marked], "hoverinfo": "text", "marker": EVENT_MARK,
             "cliponaxis": False, "showlegend": False}
    return shapes, annotations, marks


def volume_figure(volume: pd.DataFrame, measure: str, frequency: str, events: pd.DataFrame | None = None, event_mode: str = "labels") -> go.Figure:
    """Stacked bars per source; customdata = (period YYYY-MM-DD, source) so a selection maps back to articles.

    `events` are `key_events` rows drawn as `event_mode` says (see `_event_marks`): labels run up
    their line inside the chart, so they take a line's width, not the chart's, on a phone too.
    """
    fig = go.Figure()
    value_format = ":.0%" if measure == "share" else ""
    for position, (source, rows) in enumerate(volume.groupby("source", sort=True)):
        fig.add_bar(
            x=rows["period"], y=rows[measure], name=escape_html(source), marker_color=PALETTE[position % len(PALETTE)],
            customdata=np.column_stack([rows["period"].dt.strftime("%Y-%m-%d"), rows["source"]]),
            hovertemplate=f"%{{x|{date_format(frequency)}}}<br>%{{fullData.name}}: %{{y{value_format}}}<extra></extra>",
        )
    shapes, annotations, marks = _event_marks(events, event_mode) if events is not None else ([], [], None)
    if marks is not None:
        fig.add_trace(marks)
        fig.update_layout(yaxis2={"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True})
    fig.update_layout(barmode="stack", xaxis_title=None, yaxis_title=MEASURES[measure], bargap=0.1, shapes=shapes, annotations=annotations)
    if measure == "share":
        fig.update_layout(yaxis={"tickformat": ".0%", "range": [0, 1]})
    style(fig, height=440)
    fig.update_layout(legend={"y": -0.08, "yanchor": "top"}, margin={"t": 24})
    return fig


def leader_mentions(articles: pd.DataFrame, mentions: pd.DataFrame, actor_names: Mapping[str, str], top_n: int = 10) -> pd.DataFrame:
    """The top_n leaders by number of filtered articles that mention them: actor_id, name, articles, mentions.

    mentions.parquet has one row per article and actor, so an actor's row count is its article count.
    """
    subset = mentions.loc[mentions["article_id"].isin(articles["article_id"]), ["actor_id", "count"]]
    counts = subset.groupby("actor_id", observed=True)["count"]
    table = pd.DataFrame({"articles": counts.size(), "mentions": counts.sum()})
    table.index = table.index.astype("str")
    table = table.rename_axis("actor_id").reset_index()
    table.insert(1, "name", table["actor_id"].map(actor_names).fillna(table["actor_id"]))
    table = table.sort_values(["articles", "mentions", "name"], ascending=[False, False, True])
    return table.head(top_n).reset_index(drop=True)


def leaders_figure(table: pd.DataFrame) -> go.Figure:
    """Horizontal bars, most mentioned on top; customdata = actor_id."""
    fig = go.Figure(go.Bar(
        x=table["articles"], y=[escape_html(name) for name in table["name"]], orientation="h",
        customdata=table[["actor_id"]].to_numpy(), marker_color="#4c78a8",
        hovertemplate="%{y}: %{x} articles<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(xaxis_title="Articles that mention the leader")
    return style(fig, height=max(220, 40 + 28 * len(table)))


def events_in_range(events: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """The events dated within [first, last]."""
    return events.loc[events["date"].between(pd.Timestamp(first), pd.Timestamp(last))].reset_index(drop=True)


@dataclass(frozen=True)
class EventWindow:
    """The days compared around an event, inside the filter's dates: [before_start, event) and [event, after_end]."""

    event: pd.Timestamp
    before_start: pd.Timestamp
    after_end: pd.Timestamp

    @property
    def before_days(self) -> int:
        return (self.event - self.before_start).days

    @property
    def after_days(self) -> int:
        return (self.after_end - self.event).days + 1


def event_window_bounds(event_date: date, days: int, first: date, last: date) -> EventWindow:
    """`days` before the event and `days` from it on, both cut to the filter's [first, last]."""
    event = pd.Timestamp(event_date)
    return EventWindow(event, max(event - pd.Timedelta(days=days), pd.Timestamp(first)), min(event + pd.Timedelta(days=days - 1), pd.Timestamp(last)))


def window_caption(window: EventWindow, table: pd.DataFrame, days: int) -> str:
    """What the event charts compare, in one sentence: each side's dates, days and articles (from `event_window`)."""
    counts = table.groupby("side")["articles"].first()
    sides = []
    for side, start, end, length in (("Before", window.before_start, window.event - pd.Timedelta(days=1), window.before_days),
                                     ("After", window.event, window.after_end, window.after_days)):
        n = int(counts.get(side.lower(), 0))
        span = f"{start:%Y-%m-%d} to {end:%Y-%m-%d}, {length} day{'' if length == 1 else 's'}" if length > 0 else "no day within the filtered dates"
        sides.append(f"{side}: {span}, {n:,} article{'' if n == 1 else 's'}")
    cut = " (cut to the filtered dates)" if min(window.before_days, window.after_days) < days else ""
    return "; ".join(sides) + cut + "."


def _mean_interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean with its 95 % Student-t interval (NaN bounds below two values, NaN mean for none)."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if values.size < 2:
        return mean, np.nan, np.nan
    from scipy.special import stdtrit  # noqa: PLC0415 (see _rate_interval)
    half = float(stdtrit(values.size - 1, 0.975) * values.std(ddof=1) / np.sqrt(values.size))
    return mean, mean - half, mean + half


def _share_interval(hits: int, n: int) -> tuple[float, float, float]:
    """A share with its 95 % Wilson interval (NaN for n = 0)."""
    if n == 0:
        return np.nan, np.nan, np.nan
    z, share = 1.959964, hits / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return share, max(centre - half, 0.0), min(centre + half, 1.0)


def _rate_interval(count: int, days: int) -> tuple[float, float, float]:
    """Articles per day with the exact 95 % Poisson interval of the count (NaN for no day)."""
    if days <= 0:
        return np.nan, np.nan, np.nan
    # Imported here, after the first page's first charts are on their way: scipy.special takes ~0.2 s to import
    # (scipy.stats would take ~2 s), which the browser would otherwise wait for before it starts loading plotly.js.
    from scipy.special import chdtri  # noqa: PLC0415
    low = chdtri(2 * count, 0.975) / 2 if count else 0.0  # the chi-squared quantiles of the exact interval
    high = chdtri(2 * count + 2, 0.025) / 2
    return count / days, low / days, high / days


EVENT_CHARTS = {
    "volume": "Articles per day",
    "tone": "Mean article tone (-1 to +1)",
    "leaders": "Share of articles naming the leader",
    "framing": "Framing cues per article",
}
"""One panel per unit of measure, in this order."""
FRAME_CUES = {column: label.removesuffix(" cues per article") for column, label in FRAME_MEASURES.items() if label.endswith("cues per article")}


def event_window(
    articles: pd.DataFrame, mentions: pd.DataFrame, actor_names: Mapping[str, str], window: EventWindow, top_leaders: int = 3,
) -> pd.DataFrame:
    """How coverage moved around an event, each figure with its 95 % interval, in long form.

    Columns: chart (a key of EVENT_CHARTS), metric, side ("before", "after"), articles (on that
    side), value, ci_low, ci_high. Volume: articles per day (exact Poisson interval); tone:
    mean article tone (Student t); leaders: the share of articles naming each of the
    `top_leaders` most named across both sides (Wilson); framing: mean cues of each frame per
    article (Student t). A side without articles (or days) has NaN values.
    """
    narrow = articles[["article_id", "date", "tone", *FRAME_CUES]]  # leave the texts uncopied
    sides = {
        "before": narrow.loc[(narrow["date"] >= window.before_start) & (narrow["date"] < window.event)],
        "after": narrow.loc[(narrow["date"] >= window.event) & (narrow["date"] <= window.after_end)],
    }
    days = {"before": window.before_days, "after": window.after_days}
    both = pd.concat(sides.values())
    leaders = leader_mentions(both, mentions, actor_names, top_leaders)
    rows = []
    for side, frame in sides.items():
        n = len(frame)
        rows.append(("volume", "articles per day", side, n, *_rate_interval(n, days[side])))
        rows.append(("tone", "mean tone", side, n, *np.clip(_mean_interval(frame["tone"].to_numpy(dtype=float)), -1.0, 1.0)))
        naming = mentions.loc[mentions["article_id"].isin(frame["article_id"]) & mentions["actor_id"].isin(leaders["actor_id"])]
        counts = naming.groupby(naming["actor_id"].astype("str")).size()
        for actor_id, name in zip(leaders["actor_id"], leaders["name"], strict=True):
            rows.append(("leaders", name, side, n, *_share_interval(int(counts.get(actor_id, 0)), n)))
        for column, label in FRAME_CUES.items():
            mean, low, high = _mean_interval(frame[column].to_numpy(dtype=float))
            rows.append(("framing", label, side, n, mean, max(low, 0.0) if low == low else low, high))  # counts are never negative
    return pd.DataFrame(rows, columns=["chart", "metric", "side", "articles", "value", "ci_low", "ci_high"]).astype(
        {"value": float, "ci_low": float, "ci_high": float})


SIDE_COLORS = {"before": "#8c8c8c", "after": "#1f5f8b"}
"""Grey for the baseline, the app's ink blue for after the event: red and green stay for tone."""


EVENT_PANEL_GAP_PX, EVENT_ROW_PX = 78, 30
"""Room between two panels of the event figure (the upper one's ticks and axis title), and per metric row."""


def event_window_figure(table: pd.DataFrame) -> go.Figure:
    """`event_window` as one figure of stacked panels, one per unit of measure (EVENT_CHARTS order), each
    with its own axes: every metric's value before and after the event as a dot with its 95 % interval.

    One figure rather than one per unit: a browser sets each chart up on its own, which cost the
    first page ~0.1 s per chart. Before and after are one legend entry each, for all panels.
    """
    charts = [chart for chart in EVENT_CHARTS if (table["chart"] == chart).any()]
    heights = [EVENT_ROW_PX * (table.loc[table["chart"] == chart, "metric"].nunique() + 1) for chart in charts]
    plot_px = sum(heights) + EVENT_PANEL_GAP_PX * (len(charts) - 1)
    traces, layout, top = [], {}, plot_px
    for number, (chart, height) in enumerate(zip(charts, heights, strict=True), start=1):
        suffix = "" if number == 1 else str(number)
        rows = table.loc[table["chart"] == chart]
        percent = chart == "leaders"
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "title": {"text": EVENT_CHARTS[chart]}, "zeroline": chart == "tone",
                                    "automargin": True, **({"tickformat": ".0%"} if percent else {})}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [(top - height) / plot_px, top / plot_px],
                                    "autorange": "reversed", "automargin": True}
        top -= height + EVENT_PANEL_GAP_PX
        for side, color in SIDE_COLORS.items():
            part = rows.loc[rows["side"] == side]
            traces.append({
                "type": "scatter", "mode": "markers", "name": f"{side} the event", "legendgroup": side, "showlegend": number == 1,
                "xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "x": part["value"], "y": [escape_html(metric) for metric in part["metric"]],
                "marker": {"color": color, "size": 10, "symbol": "circle" if side == "after" else "diamond"},
                "error_x": {"type": "data", "symmetric": False, "array": part["ci_high"] - part["value"],
                            "arrayminus": part["value"] - part["ci_low"], "color": color, "thickness": 1.5, "width": 4},
                # Text, not numbers: a NaN bound would reach the browser as NaN (and a shared view could never equal itself).
                "customdata": [[f"{n:,} article{'' if n == 1 else 's'}", _figure_text(value, low, high, percent)]
                               for n, value, low, high in zip(part["articles"], part["value"], part["ci_low"], part["ci_high"], strict=True)],
                "hovertemplate": f"%{{y}}, {side} the event: %{{customdata[1]}} (95 % interval), %{{customdata[0]}}<extra></extra>",
            })
    return style(go.Figure(data=traces, layout=layout), height=plot_px + 110)


def _figure_text(value: float, low: float, high: float, percent: bool) -> str:
    if np.isnan(value):
        return "no article"
    shown = (lambda x: f"{x:.0%}") if percent else (lambda x: f"{x:.2f}")
    return shown(value) if np.isnan(low) else f"{shown(value)} ({shown(low)} to {shown(high)})"


_TABLE_PREFIX = {"volume": "", "tone": "", "leaders": "naming ", "framing": "cues: "}


def event_window_table(table: pd.DataFrame) -> pd.DataFrame:
    """`event_window` as one readable row per metric: metric, before, after (value and 95 % interval as text,
    "no article" for an empty side), so the page never shows a bare NaN or None."""
    wide = []
    for (chart, metric), rows in table.groupby(["chart", "metric"], sort=False):
        texts = {side: _figure_text(row.value, row.ci_low, row.ci_high, chart == "leaders") for side, row in zip(rows["side"], rows.itertuples())}
        wide.append({"metric": _TABLE_PREFIX[chart] + metric, "before": texts.get("before", ""), "after": texts.get("after", "")})
    return pd.DataFrame(wide, columns=["metric", "before", "after"])


def markdown_table(frame: pd.DataFrame) -> str:
    """`frame` as a Markdown table with every cell escaped: st.markdown draws it with the script the page has
    already loaded, where st.table would make the first page fetch and run ~0.8 MB of Arrow table code."""
    lines = ["| " + " | ".join(escape_markdown(column) for column in frame.columns) + " |", "|" + " --- |" * len(frame.columns)]
    lines += ["| " + " | ".join(escape_markdown(value) for value in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)
