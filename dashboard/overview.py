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

from dashboard.figures import NEGATIVE_RGB, POSITIVE_RGB, date_format, style
from dashboard.queries import FRAME_MEASURES, period_start
from dashboard.safe_text import escape_html

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


def volume_by_period(articles: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """Tidy table: period (start date), source, articles, share (of all articles in that period)."""
    counts = (
        articles.assign(period=period_start(articles["date"], frequency), source=articles["source"].astype("str"))
        .groupby(["period", "source"]).size().rename("articles").reset_index()
    )
    counts["share"] = counts["articles"] / counts.groupby("period")["articles"].transform("sum")
    return counts


MAX_EVENT_LABELS = 12


def _event_annotation(day: pd.Timestamp, label: str, description: str, labelled: bool) -> dict:
    """An event's annotation at the top edge: its label, or a marker with the label in the hover."""
    common = {"x": day, "y": 1, "yref": "paper", "showarrow": False, "yanchor": "bottom", "font": {"size": 10}}
    if labelled:
        return {**common, "text": escape_html(label), "hovertext": escape_html(description), "textangle": -30, "xanchor": "left"}
    return {**common, "text": "\u25bc", "hovertext": f"{escape_html(label)}: {escape_html(description)}", "xanchor": "center"}


def volume_figure(volume: pd.DataFrame, measure: str, frequency: str, events: pd.DataFrame | None = None) -> go.Figure:
    """Stacked bars per source; customdata = (period YYYY-MM-DD, source) so a selection maps back to articles.

    `events` (date, label, description) are drawn as dotted lines with their labels; past
    MAX_EVENT_LABELS the labels would overlap, so each event gets a small marker whose
    hover shows its label and description.
    """
    fig = go.Figure()
    value_format = ":.0%" if measure == "share" else ""
    for source, rows in volume.groupby("source", sort=True):
        fig.add_bar(
            x=rows["period"], y=rows[measure], name=escape_html(source),
            customdata=np.column_stack([rows["period"].dt.strftime("%Y-%m-%d"), rows["source"]]),
            hovertemplate=f"%{{x|{date_format(frequency)}}}<br>%{{fullData.name}}: %{{y{value_format}}}<extra></extra>",
        )
    events = events if events is not None else pd.DataFrame(columns=["date", "label", "description"])
    fig.update_layout(
        barmode="stack", xaxis_title=None, yaxis_title=MEASURES[measure], bargap=0.1,
        shapes=[{"type": "line", "x0": day, "x1": day, "y0": 0, "y1": 1, "yref": "paper", "opacity": 0.6,
                 "line": {"dash": "dot", "color": "grey", "width": 1}} for day in events["date"]],
        annotations=[_event_annotation(day, label, description, labelled=len(events) <= MAX_EVENT_LABELS)
                     for day, label, description in zip(events["date"], events["label"], events["description"], strict=True)],
    )
    if measure == "share":
        fig.update_yaxes(tickformat=".0%", range=[0, 1])
    style(fig, height=440)
    # Event labels take the top edge, so the legend goes below the axis.
    fig.update_layout(legend={"y": -0.12, "yanchor": "top"}, margin={"t": 70})
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


def event_window(
    articles: pd.DataFrame, mentions: pd.DataFrame, actor_names: Mapping[str, str], event_date: date, days: int, top_leaders: int = 5,
) -> pd.DataFrame:
    """How coverage moved around an event: the `days` before it (the baseline) against the `days` from it on.

    Rows: volume (articles per day), tone (mean), the share of articles mentioning each
    of the `top_leaders` leaders most mentioned across both windows, and the framing
    measures (mean per article). Columns: group, metric, before, after, change (after - before).
    A mean over no article is NaN.
    """
    narrow = articles[["article_id", "date", "tone", *FRAME_MEASURES]]  # leave the texts uncopied
    day, window = pd.Timestamp(event_date), pd.Timedelta(days=days)
    in_before = (narrow["date"] >= day - window) & (narrow["date"] < day)
    in_after = (narrow["date"] >= day) & (narrow["date"] < day + window)
    before, after, both = narrow.loc[in_before], narrow.loc[in_after], narrow.loc[in_before | in_after]
    rows = [
        ("volume", "articles per day", len(before) / days, len(after) / days),
        ("tone", "mean tone", before["tone"].mean(), after["tone"].mean()),
    ]
    leaders = leader_mentions(both, mentions, actor_names, top_leaders)
    relevant = mentions.loc[mentions["actor_id"].isin(leaders["actor_id"]) & mentions["article_id"].isin(both["article_id"])]
    mentioning = [
        relevant.loc[relevant["article_id"].isin(side["article_id"])].groupby("actor_id", observed=True).size() for side in (before, after)
    ]
    for actor_id, name in zip(leaders["actor_id"], leaders["name"], strict=True):
        share = [counts.get(actor_id, 0) / len(side) if len(side) else np.nan for counts, side in zip(mentioning, (before, after), strict=True)]
        rows.append(("leaders", f"share mentioning {name}", *share))
    rows.extend(("framing", label, before[column].mean(), after[column].mean()) for column, label in FRAME_MEASURES.items())
    table = pd.DataFrame(rows, columns=["group", "metric", "before", "after"]).astype({"before": float, "after": float})
    table["change"] = table["after"] - table["before"]
    return table


def event_change_figure(table: pd.DataFrame) -> go.Figure:
    """The change of each measure after the event, as horizontal bars (green up, red down)."""
    shown = table.dropna(subset=["change"])
    colors = [f"rgb{POSITIVE_RGB}" if change >= 0 else f"rgb{NEGATIVE_RGB}" for change in shown["change"]]
    fig = go.Figure(go.Bar(
        x=shown["change"], y=[escape_html(f"{group}: {metric}") for group, metric in zip(shown["group"], shown["metric"], strict=True)],
        orientation="h", marker_color=colors, hovertemplate="%{y}: %{x:+.3f}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(xaxis_title="Change after the event (after - before)")
    return style(fig, height=max(240, 40 + 26 * len(shown)))
