"""Tone: article tone over time with its uncertainty, per source, its distribution and the extreme articles.

Every mean is drawn with its 95 % interval from `pipeline.tone.tone_summary` (Student's t),
and a mean that rests on fewer than `MIN_ARTICLES` articles (`MIN_SENTENCES` sentences for
the leaders' tone) is "thin": drawn as a grey open marker, outside the line and the band,
so the chart never shows a confident line through three values. The band figure
(`tone_panels_figure`) is shared with the Leaders view.

Pure functions (tables in, tables or figures out); pages/tone.py lays them out.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import unlabel_rgb

from dashboard.figures import PALETTE, THIN_COLOR, date_format, style
from dashboard.queries import article_table, period_start
from dashboard.safe_text import escape_html
from pipeline.tone import NEUTRAL_BAND, tone_summary

MIN_ARTICLES = 5
"""A period's (or source's) mean article tone resting on fewer articles than this is thin."""
MIN_SENTENCES = 5
"""A leader's mean sentence tone in a period resting on fewer sentences than this is thin."""
ROLLING_PERIODS = 3
"""The rolling mean spans this many calendar periods, centred on each period."""
BIN_WIDTH = 0.1
# 21 bins of width 0.1 centred on -1.0, -0.9, ..., 1.0: the middle one, -0.05..0.05, is the neutral band.
TONE_BIN_EDGES = np.round(np.linspace(-1.05, 1.05, 22), 2)
ROLLING_COLOR = "#333333"
PANEL_HEIGHT = 170
ZERO_LINE = {"zeroline": True, "zerolinecolor": "rgba(128, 128, 128, 0.5)", "zerolinewidth": 1}
_CALENDAR = {"week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}


def summarise_tone(frame: pd.DataFrame, by: list[str], min_n: int, value: str = "tone") -> pd.DataFrame:
    """`tone_summary` (by..., n, mean, se, ci_low, ci_high) plus `thin`: fewer than min_n values."""
    summary = tone_summary(frame, by, value)
    summary["thin"] = summary["n"] < min_n
    return summary


@dataclass(frozen=True)
class ToneHeadline:
    """The filtered articles' tone in one line (NaN when there is no article)."""

    articles: int
    mean: float
    ci_low: float
    ci_high: float
    negative: float
    """Share of articles with tone <= -NEUTRAL_BAND."""
    neutral: float
    positive: float
    """Share of articles with tone >= NEUTRAL_BAND."""


def tone_headline(articles: pd.DataFrame) -> ToneHeadline:
    """Mean article tone with its 95 % interval, and the shares of negative, neutral and positive articles."""
    tone = articles["tone"].astype(float).dropna().to_numpy()
    if tone.size == 0:
        return ToneHeadline(0, *[float("nan")] * 6)
    summary = tone_summary(pd.DataFrame({"scope": 0, "tone": tone}), ["scope"]).iloc[0]
    classes = np.where(tone <= -NEUTRAL_BAND, 0, np.where(tone >= NEUTRAL_BAND, 2, 1))
    negative, neutral, positive = np.bincount(classes, minlength=3) / tone.size
    return ToneHeadline(int(summary["n"]), float(summary["mean"]), float(summary["ci_low"]), float(summary["ci_high"]),
                        float(negative), float(neutral), float(positive))


def tone_by_period(articles: pd.DataFrame, frequency: str, window: int = ROLLING_PERIODS) -> pd.DataFrame:
    """Article tone per period: period, n, mean, se, ci_low, ci_high, thin, rolling_mean.

    `rolling_mean` is the mean tone of all the articles in the `window` calendar periods
    centred on the period (periods without articles count as empty, not skipped), so
    the periods' means are weighted by their numbers of articles.
    """
    frame = pd.DataFrame({
        "period": period_start(articles["date"], frequency).to_numpy(),
        "tone": articles["tone"].astype(float).to_numpy(),
    })
    table = summarise_tone(frame, ["period"], MIN_ARTICLES)
    if table.empty:
        return table.assign(rolling_mean=pd.Series(dtype=float))
    calendar = pd.date_range(table["period"].min(), table["period"].max(), freq=_CALENDAR[frequency])
    by_period = table.set_index("period")
    counts = by_period["n"].reindex(calendar, fill_value=0)
    sums = (by_period["mean"] * by_period["n"]).reindex(calendar, fill_value=0.0)
    rolling = sums.rolling(window, center=True, min_periods=1).sum() / counts.rolling(window, center=True, min_periods=1).sum()
    table["rolling_mean"] = rolling.reindex(table["period"]).to_numpy()
    return table


def period_codes(articles: pd.DataFrame, frequency: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The periods that have articles (sorted) and each article's index into them (-1 without a date)."""
    codes, periods = pd.factorize(period_start(articles["date"], frequency), sort=True)
    return pd.DatetimeIndex(periods), codes


def tone_by_cells(
    group: np.ndarray, labels: Sequence[str], period: np.ndarray, periods: pd.DatetimeIndex, tone: np.ndarray, min_n: int, column: str
) -> pd.DataFrame:
    """`summarise_tone` per (group, period): column (the label of each row's group), period, n, mean, se, ci_low,
    ci_high, thin; in the order of the groups' codes, then the periods. `group` and `period`: each item's codes into
    `labels` and `periods` (items with a code below 0 are left out).

    Grouped by one integer key per cell: two keys (or a string per item) took 0.2-0.3 s at a million stories."""
    size = max(len(periods), 1)
    keep = (group >= 0) & (period >= 0)
    table = summarise_tone(pd.DataFrame({"cell": group[keep] * size + period[keep], "tone": tone[keep]}), ["cell"], min_n)
    cell = table.pop("cell").to_numpy()
    table.insert(0, column, pd.Index(list(labels), dtype="str")[cell // size])
    table.insert(1, "period", periods[cell % size])
    return table


def tone_by_source(articles: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """Article tone per source and period (`tone_by_cells`: source, period, n, ...), sources by name."""
    source_codes, sources = pd.factorize(articles["source"])  # a categorical's codes: no string per article
    names = pd.Index(np.asarray(sources, dtype=object), dtype="str")
    order = names.argsort()
    rank = np.full(len(order) + 1, -1, dtype=np.intp)  # the last entry: code -1, no source
    rank[order] = np.arange(len(order))
    periods, period = period_codes(articles, frequency)
    return tone_by_cells(rank[source_codes], names[order], period, periods, articles["tone"].to_numpy(dtype=float), MIN_ARTICLES, "source")


def sources_by_coverage(articles: pd.DataFrame, n: int) -> list[str]:
    """The n sources with the most filtered articles (ties by name)."""
    counts = articles["source"].value_counts()  # a categorical's: counted by code, with its unused categories at 0
    counts = pd.Series(counts.to_numpy(), index=counts.index.astype("str"))[counts.to_numpy() > 0]
    ranked = sorted(counts.index, key=lambda source: (-counts[source], source))
    return ranked[:n]


def tone_histogram(articles: pd.DataFrame, by_source: bool = False) -> pd.DataFrame:
    """Articles per tone bin (width BIN_WIDTH, the middle bin is the neutral band): bin_low, bin_high, articles,
    and `source` first when by_source. Every bin is a row (0 articles included), per source when split."""
    tone = articles["tone"].astype(float).clip(-1.0, 1.0).to_numpy()
    scored = ~np.isnan(tone)
    bin_codes = np.searchsorted(TONE_BIN_EDGES, tone[scored], side="right") - 1  # edges[i] <= tone < edges[i + 1]
    n_bins = len(TONE_BIN_EDGES) - 1
    if not by_source:
        return pd.DataFrame({"bin_low": TONE_BIN_EDGES[:-1], "bin_high": TONE_BIN_EDGES[1:],
                             "articles": np.bincount(bin_codes, minlength=n_bins).astype("int64")})
    source_codes, sources = pd.factorize(articles["source"].astype("str").to_numpy()[scored], sort=True)
    counts = np.bincount(source_codes * n_bins + bin_codes, minlength=len(sources) * n_bins).astype("int64")
    return pd.DataFrame({
        "source": np.repeat(np.asarray(sources, dtype=object), n_bins),
        "bin_low": np.tile(TONE_BIN_EDGES[:-1], len(sources)),
        "bin_high": np.tile(TONE_BIN_EDGES[1:], len(sources)),
        "articles": counts,
    }).astype({"source": "str"})


def articles_in_tone_bins(articles: pd.DataFrame, cells: Iterable[Sequence[Any]]) -> pd.DataFrame:
    """The articles in any of the (bin_low, bin_high[, source]) cells of `tone_histogram` (no source: any source)."""
    tone = articles["tone"].astype(float).clip(-1.0, 1.0)
    mask = pd.Series(False, index=articles.index)
    for low, high, *source in cells:
        cell = (tone >= float(low)) & (tone < float(high))
        if source and source[0]:
            cell &= articles["source"] == source[0]
        mask |= cell
    return articles.loc[mask]


def extreme_articles(
    articles: pd.DataFrame, mentions: pd.DataFrame, actor_names: Mapping[str, str], topic_labels: Mapping[int, str],
    positive: bool, n: int = 10,
) -> pd.DataFrame:
    """`queries.article_table` rows of the n most positive (tone > 0) or most negative (tone < 0) articles,
    most extreme first; ties go to the newer article."""
    sign = 1.0 if positive else -1.0
    strength = articles["tone"].to_numpy(dtype=float) * sign
    leaning = np.flatnonzero(strength > 0)
    if len(leaning) > n:  # only the n strongest and their ties are sorted (a filter may leave 100,000 articles)
        nth = np.partition(strength[leaning], len(leaning) - n)[len(leaning) - n]
        leaning = leaning[strength[leaning] >= nth]
    ranked = articles.iloc[leaning].assign(strength=strength[leaning]).sort_values(
        ["strength", "date", "article_id"], ascending=[False, False, True]).head(n)
    table = article_table(ranked, mentions, actor_names, topic_labels)
    return table.sort_values(["tone", "date", "article_id"], ascending=[not positive, False, True]).reset_index(drop=True)


# --- figures ---------------------------------------------------------------------------


def translucent(color: str, alpha: float = 0.2) -> str:
    """An "rgb(r, g, b)" colour as rgba with the given opacity (for bands)."""
    red, green, blue = unlabel_rgb(color)
    return f"rgba({red:.0f}, {green:.0f}, {blue:.0f}, {alpha})"


def _runs(flags: np.ndarray) -> list[np.ndarray]:
    """Positions of each run of consecutive True flags."""
    positions = np.flatnonzero(flags)
    if positions.size == 0:
        return []
    return np.split(positions, np.flatnonzero(np.diff(positions) > 1) + 1)


def _band_outline(periods: pd.Series, low: pd.Series, high: pd.Series, runs: list[np.ndarray]) -> tuple[list[Any], list[Any]]:
    """x, y of a closed shape around each run of periods, separated by None (Plotly fills each with 'toself')."""
    xs: list[Any] = []
    ys: list[Any] = []
    for run in runs:
        xs.extend([*periods.iloc[run], *periods.iloc[run[::-1]], None])
        ys.extend([*high.iloc[run], *low.iloc[run[::-1]], None])
    return xs, ys


def tone_band_traces(
    rows: pd.DataFrame, name: str, color: str, unit: str, frequency: str, key: str = "", yaxis: str = "y",
) -> list[dict[str, Any]]:
    """One series of `summarise_tone` rows (period, n, mean, ci_low, ci_high, thin) as three scatter traces: the
    band around the solid means (an error bar for a solid mean alone between thin ones), a line with markers
    through them, and grey open markers for the thin ones.

    `name` must already be escaped. Markers carry customdata = (period YYYY-MM-DD, key, n, ci_low, ci_high).
    Traces are plain dicts: Plotly validates them once when the figure is made, many times faster
    than `add_scatter` per trace on a page that draws a dozen panels.
    """
    rows = rows.sort_values("period")
    solid = ~rows["thin"].to_numpy(dtype=bool)
    customdata = np.column_stack([rows["period"].dt.strftime("%Y-%m-%d"), np.full(len(rows), key, dtype=object),
                                  rows["n"], rows["ci_low"], rows["ci_high"]])
    hover = (f"%{{fullData.name}} · %{{x|{date_format(frequency)}}}: tone %{{y:+.2f}}<br>95 % interval %{{customdata[3]:+.2f}} to "
             f"%{{customdata[4]:+.2f}} · %{{customdata[2]}} {unit}<extra></extra>")
    runs = _runs(solid)
    band_x, band_y = _band_outline(rows["period"], rows["ci_low"], rows["ci_high"], [run for run in runs if len(run) > 1])
    # A solid mean between two thin ones has no band to speak of: it gets an error bar instead.
    isolated = np.zeros(len(rows), dtype=bool)
    isolated[[run[0] for run in runs if len(run) == 1]] = True
    error_bars = {"type": "data", "symmetric": False, "color": color, "thickness": 1.5, "width": 4,
                  "array": (rows["ci_high"] - rows["mean"]).where(isolated), "arrayminus": (rows["mean"] - rows["ci_low"]).where(isolated)}
    common = {"type": "scatter", "xaxis": "x", "yaxis": yaxis, "legendgroup": name}
    return [
        {**common, "x": band_x, "y": band_y, "fill": "toself", "fillcolor": translucent(color), "line": {"width": 0}, "mode": "lines",
         "hoverinfo": "skip", "showlegend": False, "name": f"{name}: 95 % interval"},
        {**common, "x": rows["period"], "y": rows["mean"].where(solid), "mode": "lines+markers", "name": name, "line": {"color": color},
         "connectgaps": False, "customdata": customdata, "hovertemplate": hover, "error_y": error_bars},
        {**common, "x": rows["period"], "y": rows["mean"].where(~solid), "mode": "markers", "name": f"{name}: thin", "showlegend": False,
         "marker": {"color": THIN_COLOR, "symbol": "circle-open", "size": 8}, "customdata": customdata,
         "hovertemplate": hover.replace("<extra>", f" (too few {unit} to trust)<extra>")},
    ]


def tone_over_time_figure(table: pd.DataFrame, frequency: str) -> go.Figure:
    """`tone_by_period` as a band, the period means (thin ones grey) and the rolling mean as a dashed line."""
    rolling = {"type": "scatter", "x": table["period"], "y": table["rolling_mean"], "mode": "lines", "hoverinfo": "skip",
               "name": f"Rolling mean ({ROLLING_PERIODS} {frequency}s)", "line": {"color": ROLLING_COLOR, "dash": "dash", "width": 1.5}}
    fig = go.Figure(data=[*tone_band_traces(table, "Mean tone of the period's articles", PALETTE[0], "articles", frequency), rolling],
                    layout={"yaxis": {"title": {"text": "Tone (-1 to +1)"}, **ZERO_LINE}, "xaxis": {"title": {"text": None}}})
    return style(fig, height=420)


def tone_panels_figure(
    table: pd.DataFrame, key: str, labels: Mapping[str, str], unit: str, frequency: str, colors: Mapping[str, str] | None = None,
) -> go.Figure:
    """Small multiples of `summarise_tone` rows, one panel per value of column `key`, top to bottom in `labels`' order
    (labels: raw key -> display name, escaped here). The panels share both axes so they compare at a glance."""
    keys = list(labels)
    gap = min(0.08, 0.3 / max(len(keys), 1))
    height = (1 - gap * (len(keys) - 1)) / max(len(keys), 1)
    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {"xaxis": {"anchor": f"y{len(keys)}" if len(keys) > 1 else "y"}, "annotations": [], "showlegend": False}
    for position, value in enumerate(keys):
        axis = "y" if position == 0 else f"y{position + 1}"
        top = round(1 - position * (height + gap), 6)
        layout[f"yaxis{position + 1 if position else ''}"] = {"domain": [max(round(top - height, 6), 0.0), top], "anchor": "x", **ZERO_LINE,
                                                              **({"matches": "y"} if position else {})}
        layout["annotations"].append({"text": escape_html(labels[value]), "x": 0.5, "y": top, "xref": "paper", "yref": "paper",
                                      "xanchor": "center", "yanchor": "bottom", "showarrow": False})
        color = (colors or {}).get(value, PALETTE[position % len(PALETTE)])
        rows = table.loc[table[key] == value]
        data.extend(tone_band_traces(rows, escape_html(labels[value]), color, unit, frequency, key=value, yaxis=axis))
    return style(go.Figure(data=data, layout=layout), height=60 + PANEL_HEIGHT * len(keys))


def histogram_figure(histogram: pd.DataFrame) -> go.Figure:
    """Bars of `tone_histogram` (stacked per source when it has a source column);
    customdata = (bin_low, bin_high[, source]) so a selection maps back to articles."""
    split = "source" in histogram
    groups = histogram.groupby("source", sort=False) if split else [("Articles", histogram)]
    bars = []
    for position, (source, rows) in enumerate(groups):
        bars.append({
            "type": "bar", "x": (rows["bin_low"] + rows["bin_high"]) / 2, "y": rows["articles"], "width": BIN_WIDTH,
            "name": escape_html(source), "marker": {"color": PALETTE[position % len(PALETTE)]}, "showlegend": split,
            "customdata": np.column_stack([rows["bin_low"], rows["bin_high"], *([rows["source"]] if split else [])]),
            "hovertemplate": "tone %{customdata[0]:+.2f} to %{customdata[1]:+.2f}: %{y} articles<extra>%{fullData.name}</extra>",
        })
    neutral = {"type": "rect", "x0": -NEUTRAL_BAND, "x1": NEUTRAL_BAND, "y0": 0, "y1": 1, "yref": "paper", "fillcolor": "grey",
               "opacity": 0.12, "line": {"width": 0}, "layer": "below"}
    fig = go.Figure(data=bars, layout={
        "barmode": "stack", "bargap": 0.05, "shapes": [neutral],
        "xaxis": {"title": {"text": "Article tone (the shaded bin is neutral)"}, "range": [-1.1, 1.1]},
        "yaxis": {"title": {"text": "Articles"}},
    })
    return style(fig)
