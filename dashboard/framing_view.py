"""Framing: the deal axis (all-at-once vs step-by-step) and the posture axis (engagement vs
pressure) over time and per source, how much framing there is at all, and the articles
that lean furthest each way.

A group's axis value is computed from its summed cue counts, (sum a - sum b) / (sum a + sum b)
(the pipeline's own `framing_axes` on the sums), not as a mean of article values: an
article with one cue would otherwise weigh as much as one with twenty. Each value comes
with the number of cues it rests on; below MIN_CUES it is flagged as thin.

Pure functions (tables in, tables or figures out); pages/framing.py lays them out.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import THIN_COLOR, date_format, style
from dashboard.queries import period_start
from dashboard.safe_text import escape_html
from pipeline.framing import FRAME_COLUMNS, framing_axes

MIN_CUES = 5
"""A group's axis value resting on fewer cues than this is drawn grey."""
TITLE_CHARS = 60


@dataclass(frozen=True)
class Axis:
    """One framing axis: +1 when every cue is of the `positive` frame, -1 when every cue is of the `negative` one."""

    name: str
    short_title: str
    title: str
    positive: str
    negative: str
    positive_label: str
    negative_label: str
    color: str
    symbol: str
    """Plotly marker symbol of the axis's points (its thin points use the open variant)."""


AXES = {
    "deal_axis": Axis("deal_axis", "deal axis", "Deal: all-at-once (+1) vs step-by-step (-1)", "frame_all_at_once", "frame_step_by_step",
                      "all-at-once", "step-by-step", "#4c78a8", "circle"),
    "posture_axis": Axis("posture_axis", "posture axis", "Posture: engagement (+1) vs pressure (-1)", "frame_engagement", "frame_pressure",
                         "engagement", "pressure", "#f58518", "diamond"),
}
FRAME_LABELS = {column: label for axis in AXES.values()
                for column, label in ((axis.positive, axis.positive_label), (axis.negative, axis.negative_label))}
FRAME_COLORS = {"frame_all_at_once": "#4c78a8", "frame_step_by_step": "#9ecae9", "frame_engagement": "#54a24b", "frame_pressure": "#e45756"}
AXES_CAPTION = (
    "**Deal axis**: +1 when every cue is all-at-once, everything in one deal (\"big deal\", CVID, \"grand bargain\"); "
    "-1 when every cue is step-by-step (\"phased\", \"action for action\", partial sanctions relief). "
    "**Posture axis**: +1 all engagement (talks, summits, dialogue), -1 all pressure (sanctions, \"maximum pressure\"). "
    "A point is (cues of one side - cues of the other) / (both) summed over all the articles it stands for, so an "
    f"article with one cue does not weigh like one with twenty; points resting on fewer than {MIN_CUES} cues are grey. "
    "Cues are weighted: a phrase that often means something else counts less than 1."
)


def _axis_balance(articles: pd.DataFrame, key: pd.Series, key_name: str) -> pd.DataFrame:
    """Tidy axis table per value of `key`: key_name, axis, value, positive_cues, negative_cues, cues, articles, thin."""
    groups = articles[list(FRAME_COLUMNS)].astype(float).groupby(key.to_numpy())
    sums = framing_axes(groups.sum())
    sizes = groups.size()
    parts = [
        pd.DataFrame({
            key_name: sums.index,
            "axis": axis.name,
            "value": sums[axis.name].to_numpy(),
            "positive_cues": sums[axis.positive].to_numpy(),
            "negative_cues": sums[axis.negative].to_numpy(),
            "articles": sizes.to_numpy(),
        })
        for axis in AXES.values()
    ]
    table = pd.concat(parts, ignore_index=True)
    table.insert(5, "cues", table["positive_cues"] + table["negative_cues"])
    table["thin"] = table["cues"] < MIN_CUES
    return table


def axes_by_period(articles: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """Both axes per period (start date), from the period's summed cues; see `_axis_balance` for the columns."""
    return _axis_balance(articles, period_start(articles["date"], frequency), "period")


def axes_by_source(articles: pd.DataFrame) -> pd.DataFrame:
    """Both axes per source, from the source's summed cues; see `_axis_balance` for the columns."""
    return _axis_balance(articles, articles["source"].astype("str"), "source")


def cue_volume(articles: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """How much each frame is talked about: period, frame (column name), label, cues, words, per_1000_words.

    Rows run frame by frame (in FRAME_COLUMNS order), periods in order within each.
    """
    sums = articles[[*FRAME_COLUMNS, "n_words"]].astype(float).groupby(period_start(articles["date"], frequency).to_numpy()).sum()
    table = sums.rename_axis("period").reset_index().melt(id_vars=["period", "n_words"], var_name="frame", value_name="cues")
    table = table.rename(columns={"n_words": "words"})[["period", "frame", "cues", "words"]]
    table.insert(2, "label", table["frame"].map(FRAME_LABELS))
    table["per_1000_words"] = 1000 * table["cues"] / table["words"].where(table["words"] > 0)
    return table


def strongest_articles(articles: pd.DataFrame, axis: Axis, n: int = 10) -> pd.DataFrame:
    """The n articles leaning furthest to each side of an axis, by net cues (own side's minus the other's).

    Columns: article_id, date, source, title, side (label), net (signed: > 0 the positive
    side), positive_cues, negative_cues, value (the article's axis). Rows run from the
    strongest positive lean to the strongest negative one; ties go to more cues, then to
    newer articles, then to artifact order. Articles without a net lean are left out.
    """
    positive = articles[axis.positive].to_numpy(dtype=float)
    negative = articles[axis.negative].to_numpy(dtype=float)
    net = positive - negative
    # np.lexsort sorts by its last key first, stably.
    ranked = np.lexsort((-articles["date"].to_numpy().astype("int64"), -(positive + negative), -np.abs(net)))
    leaning_positive = ranked[net[ranked] > 0][:n]
    leaning_negative = ranked[net[ranked] < 0][:n][::-1]
    rows = np.concatenate([leaning_positive, leaning_negative])
    chosen = articles.iloc[rows]
    return pd.DataFrame({
        "article_id": chosen["article_id"].astype("str").to_numpy(),
        "date": chosen["date"].to_numpy(),
        "source": chosen["source"].astype("str").to_numpy(),
        "title": chosen["title"].astype("str").to_numpy(),
        "side": np.where(net[rows] > 0, axis.positive_label, axis.negative_label),
        "net": net[rows],
        "positive_cues": positive[rows],
        "negative_cues": negative[rows],
        "value": chosen[axis.name].to_numpy(dtype=float),
    })


def axes_figure(table: pd.DataFrame, frequency: str) -> go.Figure:
    """Both axes over time, -1..1. Each axis has a line of the points resting on at least MIN_CUES cues and
    grey markers for the thin ones; customdata = (period YYYY-MM-DD, cues, positive, negative, articles)."""
    fig = go.Figure()
    for axis in AXES.values():
        rows = table.loc[table["axis"] == axis.name]
        customdata = np.column_stack([rows["period"].dt.strftime("%Y-%m-%d"), rows["cues"], rows["positive_cues"],
                                      rows["negative_cues"], rows["articles"]])
        hover = (f"%{{x|{date_format(frequency)}}} · {axis.short_title} %{{y:+.2f}}<br>"
                 f"%{{customdata[1]:.3~f}} cues: {axis.positive_label} %{{customdata[2]:.3~f}}, "
                 f"{axis.negative_label} %{{customdata[3]:.3~f}} · %{{customdata[4]}} articles<extra></extra>")
        thin_values = rows["value"].where(rows["thin"])
        common = {"x": rows["period"], "legendgroup": axis.name, "customdata": customdata, "hovertemplate": hover}
        fig.add_scatter(y=rows["value"].where(~rows["thin"]), mode="lines+markers", name=axis.title, line_color=axis.color,
                        marker_symbol=axis.symbol, connectgaps=False, **common)
        fig.add_scatter(y=thin_values, mode="markers", name=f"{axis.short_title}: < {MIN_CUES} cues",
                        marker={"color": THIN_COLOR, "symbol": f"{axis.symbol}-open", "size": 8},
                        showlegend=bool(thin_values.notna().any()), **common)
    fig.add_hline(y=0, line_color="grey", line_width=1, opacity=0.5)
    fig.update_yaxes(range=[-1.05, 1.05], title="Axis value")
    fig.update_layout(xaxis_title=None)
    return style(fig, height=420)


def cue_volume_figure(volume: pd.DataFrame, frequency: str) -> go.Figure:
    """Cues per 1,000 words of each frame over time, one line with markers per frame; customdata = (period, cues, words)."""
    fig = go.Figure()
    for frame in FRAME_COLUMNS:
        rows = volume.loc[volume["frame"] == frame]
        fig.add_scatter(
            x=rows["period"], y=rows["per_1000_words"], mode="lines+markers", name=FRAME_LABELS[frame], line_color=FRAME_COLORS[frame],
            customdata=np.column_stack([rows["period"].dt.strftime("%Y-%m-%d"), rows["cues"], rows["words"]]),
            hovertemplate=(f"%{{x|{date_format(frequency)}}} · {FRAME_LABELS[frame]}: %{{y:.2f}} per 1,000 words"
                           "<br>%{customdata[1]:.3~f} cues in %{customdata[2]:,.0f} words<extra></extra>"),
        )
    fig.update_yaxes(rangemode="tozero", title="Cues per 1,000 words")
    fig.update_layout(xaxis_title=None)
    return style(fig)


def source_figure(table: pd.DataFrame) -> go.Figure:
    """A dot per source and axis (the axes side by side, sources shared), labelled with its number of cues; thin dots are grey."""
    fig = go.Figure()
    width = 1 / len(AXES)
    for index, axis in enumerate(AXES.values()):
        xaxis = f"x{index + 1}" if index else "x"
        rows = table.loc[(table["axis"] == axis.name) & table["value"].notna()]
        fig.add_scatter(
            x=rows["value"], y=[escape_html(source) for source in rows["source"]], xaxis=xaxis, mode="markers+text",
            text=[f"{cues:.3g} cues" for cues in rows["cues"]], textposition="middle right", showlegend=False,
            marker={"size": 12, "color": np.where(rows["thin"], THIN_COLOR, axis.color)},
            customdata=np.column_stack([rows["source"], rows["positive_cues"], rows["negative_cues"], rows["articles"]]),
            hovertemplate=(f"%{{y}}: %{{x:+.2f}}<br>{axis.positive_label} %{{customdata[1]:.3~f}}, "
                           f"{axis.negative_label} %{{customdata[2]:.3~f}} cues in %{{customdata[3]}} articles<extra></extra>"),
        )
        fig.add_shape(type="line", x0=0, x1=0, y0=0, y1=1, xref=xaxis, yref="paper", line={"color": "grey", "width": 1}, opacity=0.5)
        fig.update_layout({f"xaxis{index + 1 if index else ''}": {
            "domain": [index * width + 0.02, (index + 1) * width - 0.02], "range": [-1.3, 1.3], "title": axis.title, "anchor": "y",
        }})
    fig.update_yaxes(autorange="reversed")
    return style(fig, height=max(220, 80 + 36 * table["source"].nunique()))


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


def strongest_figure(table: pd.DataFrame, axis: Axis) -> go.Figure:
    """Diverging bars of `strongest_articles` (positive lean right, negative left), one row per article
    labelled by its (shortened) title; customdata = (article_id, title, source, date, positive, negative)."""
    colors = np.where(table["net"] > 0, FRAME_COLORS[axis.positive], FRAME_COLORS[axis.negative])
    fig = go.Figure(go.Bar(
        x=table["net"], y=list(range(len(table))), orientation="h", marker_color=colors,
        customdata=np.column_stack([
            table["article_id"], [escape_html(title) for title in table["title"]], [escape_html(source) for source in table["source"]],
            table["date"].dt.strftime("%Y-%m-%d"), table["positive_cues"], table["negative_cues"],
        ]),
        hovertemplate=(f"%{{customdata[1]}}<br>%{{customdata[2]}} · %{{customdata[3]}}<br>{axis.positive_label} %{{customdata[4]:.3~f}}, "
                       f"{axis.negative_label} %{{customdata[5]:.3~f}} cues<extra></extra>"),
    ))
    ticks = [escape_html(_short(title)) for title in table["title"]]
    fig.update_yaxes(tickvals=list(range(len(table))), ticktext=ticks, autorange="reversed")
    fig.update_xaxes(title=f"Net cues: ← {axis.negative_label} · {axis.positive_label} →", zeroline=True)
    return style(fig, height=max(220, 60 + 26 * len(table)))
