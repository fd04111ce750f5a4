"""Topics: each topic's terms, every topic's share over time, one topic's prevalence, leaders and articles.

Pure functions (tables in, tables or figures out); pages/topics.py lays them out.
An article is "about" a topic exactly as the sidebar's topic filter decides it
(`dashboard.filters.apply_filters`): the topic is its dominant one, or the topic's
weight in it is at least TOPIC_MIN_WEIGHT. Everything here starts from
`topic_memberships`, which lists those (article, topic) pairs once per page run.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import PALETTE, style
from dashboard.filters import TOPIC_MIN_WEIGHT
from dashboard.queries import article_positions, article_table, choose_frequency, period_start
from dashboard.selection import Part, periods_part, periods_phrase

if TYPE_CHECKING:
    from dashboard.data import Artifacts

PREVALENCE_LABEL = f"Share of the period's articles about the topic (dominant topic or weight ≥ {TOPIC_MIN_WEIGHT:.0%})"
TOPIC_COLOR = "#72b7b2"
MIN_ARTICLES_PER_PERIOD = 20
"""The topics-over-time chart widens its periods until the typical (median) one holds this many articles."""
TOPIC_COLORS = PALETTE + (
    "rgb(0, 128, 128)", "rgb(31, 45, 110)", "rgb(140, 40, 120)", "rgb(197, 176, 213)", "rgb(120, 190, 235)",
    "rgb(222, 203, 164)", "rgb(110, 130, 150)", "rgb(240, 170, 210)", "rgb(150, 215, 210)", "rgb(100, 100, 100)",
)
"""Twenty topics before a colour repeats: the app's palette, then ten more hues, none red or green (kept for tone)."""


def preselected_topic(topic_filter: Sequence[int], previous_filter: Sequence[int] = ()) -> int | None:
    """The topic the sidebar's topic filter points the page to: the first one just added to it, else its first; None without one."""
    added = [topic_id for topic_id in topic_filter if topic_id not in previous_filter]
    return (added or list(topic_filter) or [None])[0]


def topic_memberships(articles: pd.DataFrame, doc_topics: pd.DataFrame, min_weight: float = TOPIC_MIN_WEIGHT) -> pd.DataFrame:
    """The (article, topic) pairs where the article is about the topic: row, article_id, topic_id, weight, dominant.

    `row` is the article's position in `articles` (pass the same frame to the functions
    that take these memberships); `weight` is the topic's weight in the article (NaN for
    a dominant topic without a doc_topics row); `dominant` says whether it is the
    article's dominant topic. Ids are matched once, by hash, and never compared as strings again.
    """
    article_ids = pd.Index(articles["article_id"])
    rows = article_positions(articles, doc_topics["article_id"])
    in_articles = rows >= 0
    weighted_rows, weighted_topics = rows[in_articles], doc_topics["topic_id"].to_numpy(dtype="int64")[in_articles]
    weights = doc_topics["weight"].to_numpy(dtype=float)[in_articles]
    dominant_topics = articles["topic_id"].to_numpy(dtype="int64")
    is_dominant = dominant_topics[weighted_rows] == weighted_topics
    # Dominant topics the build gave no weight to still make their article about them.
    n_topics = int(max(dominant_topics.max(initial=0), weighted_topics.max(initial=0))) + 1
    unweighted = np.flatnonzero(dominant_topics >= 0)
    unweighted = unweighted[~np.isin(unweighted * n_topics + dominant_topics[unweighted], weighted_rows * n_topics + weighted_topics)]
    keep = is_dominant | (weights >= min_weight)
    row = np.concatenate([weighted_rows[keep], unweighted])
    pairs = pd.DataFrame({
        "row": row,
        "article_id": article_ids.take(row),
        "topic_id": np.concatenate([weighted_topics[keep], dominant_topics[unweighted]]),
        "weight": np.concatenate([weights[keep], np.full(len(unweighted), np.nan)]),
        "dominant": np.concatenate([is_dominant[keep], np.ones(len(unweighted), dtype=bool)]),
    })
    return pairs


def topic_table(topics: pd.DataFrame, memberships: pd.DataFrame, n_articles: int) -> pd.DataFrame:
    """One row per topic: topic_id, label, terms (tuple), articles (about it, among the n_articles), share, and
    percent (the share in whole percent, as every topic share of the page is shown).

    Most covered topics first; topics without any article are kept (0 articles).
    """
    counts = memberships.groupby("topic_id").size()
    table = pd.DataFrame({
        "topic_id": topics["topic_id"].astype("int64").to_numpy(),
        "label": topics["label"].astype("str").to_numpy(),
        "terms": [tuple(terms) for terms in topics["terms"]],
    })
    table = table.loc[table["topic_id"] >= 0]
    table["articles"] = table["topic_id"].map(counts).fillna(0).astype("int64")
    table["share"] = table["articles"] / n_articles if n_articles else 0.0
    table["percent"] = (table["share"] * 100).round().astype("int64")
    return table.sort_values(["articles", "topic_id"], ascending=[False, True]).reset_index(drop=True)


def topic_articles(articles: pd.DataFrame, memberships: pd.DataFrame, topic_id: int) -> pd.DataFrame:
    """The articles about one topic (all their columns) plus `weight` and `dominant`; heaviest first, then newest.

    `memberships` are `topic_memberships(articles, ...)`.
    """
    pairs = memberships.loc[memberships["topic_id"] == topic_id]
    about = articles.iloc[pairs["row"].to_numpy()].assign(weight=pairs["weight"].to_numpy(), dominant=pairs["dominant"].to_numpy())
    return about.sort_values(["weight", "date", "article_id"], ascending=[False, False, True], na_position="last").reset_index(drop=True)


def topic_prevalence(articles: pd.DataFrame, memberships: pd.DataFrame, topic_id: int, frequency: str) -> pd.DataFrame:
    """Per period (start date): articles (all filtered ones), topic_articles (about the topic), share.

    `memberships` are `topic_memberships(articles, ...)`. Every period that has articles
    is a row, so a period without the topic shows 0.
    """
    about = np.zeros(len(articles), dtype="int64")
    about[memberships.loc[memberships["topic_id"] == topic_id, "row"].to_numpy()] = 1
    groups = pd.Series(about).groupby(period_start(articles["date"], frequency).to_numpy())
    table = pd.DataFrame({"articles": groups.size(), "topic_articles": groups.sum()}).rename_axis("period").reset_index()
    table["share"] = table["topic_articles"] / table["articles"]
    return table


def prevalence_figure(prevalence: pd.DataFrame, frequency: str) -> go.Figure:
    """The topic's share per period as a line with markers; customdata = (period YYYY-MM-DD,) for selections."""
    date_format = "%d %b %Y" if frequency == "week" else "%b %Y"
    fig = go.Figure(go.Scatter(
        x=prevalence["period"], y=prevalence["share"], mode="lines+markers", line_color=TOPIC_COLOR,
        customdata=np.column_stack([prevalence["period"].dt.strftime("%Y-%m-%d"), prevalence["topic_articles"], prevalence["articles"]]),
        hovertemplate=f"%{{x|{date_format}}}: %{{y:.0%}} (%{{customdata[1]}} of %{{customdata[2]}} articles)<extra></extra>",
    ))
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", title=f"Share of the {frequency}'s articles")
    fig.update_layout(xaxis_title=None)
    return style(fig)


def topic_listing(
    about: pd.DataFrame, mentions: pd.DataFrame, actor_names: Mapping[str, str], topic_labels: Mapping[int, str], topic_id: int,
) -> pd.DataFrame:
    """`queries.article_table` rows of one topic's articles (`topic_articles`) plus `weight`; heaviest first, then newest.

    The `topic` column names this topic with its weight in the article ("sanctions (70%)",
    "sanctions (dominant)" when the build stored no weight), since the shared listing
    shows that column and not `weight`.
    """
    label = topic_labels.get(topic_id, str(topic_id))
    table = article_table(about, mentions, actor_names, topic_labels)
    table["weight"] = table["article_id"].map(pd.Series(about["weight"].to_numpy(), index=about["article_id"].astype("str").to_numpy()))
    percent = (table["weight"] * 100).round().astype("Int64").astype("str")
    table["topic"] = (label + " (" + percent + "%)").fillna(f"{label} (dominant)")
    return table.sort_values(["weight", "date", "article_id"], ascending=[False, False, True], na_position="last").reset_index(drop=True)


def listing_csv(artifacts: Artifacts, about: pd.DataFrame, topic_id: int) -> Callable[[], pd.DataFrame]:
    """What makes the CSV of `topic_listing(about, ...)` on a click, holding the rows' positions in the build and their
    weights (12 bytes per article) rather than `about`, which Streamlit would keep per session (`common.download_csv`)."""
    return partial(_listing_at, artifacts, about["article_id"].cat.codes.to_numpy(), about["weight"].to_numpy(), topic_id)


def _listing_at(artifacts: Artifacts, rows: np.ndarray, weights: np.ndarray, topic_id: int) -> pd.DataFrame:
    about = artifacts.articles.iloc[rows].assign(weight=weights)
    return topic_listing(about, artifacts.mentions, artifacts.actor_names, artifacts.topic_labels, topic_id)


def over_time_frequency(dates: pd.Series, min_articles: int = MIN_ARTICLES_PER_PERIOD) -> str:
    """Periods for the topics-over-time chart: `queries.choose_frequency` asking `min_articles` of the typical period.

    A share of 3 articles jumps by a third with each article; wider periods keep the chart readable.
    """
    return choose_frequency(dates, min_articles)


def topics_over_time(articles: pd.DataFrame, doc_topics: pd.DataFrame, topics: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """Every topic's share of each period: period, topic_id, label, weight, articles, share (one row per period and topic).

    Each article counts once, split between its topics by their weights (doc_topics; an
    article whose dominant topic has no weight row counts fully for it); `weight` is that sum
    in the period, `articles` the period's articles, `share` = weight / articles. Over the
    topics the shares of a period add up to the share of its articles that have a topic.
    Topics are ordered by their share of all the articles, largest first.
    """
    # Integer codes and bincount throughout: on 100,000 articles a grouped sum and a set difference took ~120 ms a rerun.
    rows = article_positions(articles, doc_topics["article_id"])
    inside = rows >= 0
    weighted_rows, weighted_topics = rows[inside], doc_topics["topic_id"].to_numpy(dtype="int64")[inside]
    weights = doc_topics["weight"].to_numpy(dtype=float)[inside]
    dominant = articles["topic_id"].to_numpy(dtype="int64")
    has_weights = np.zeros(len(articles), dtype=bool)
    has_weights[weighted_rows] = True
    unweighted = np.flatnonzero((dominant >= 0) & ~has_weights)
    rows = np.concatenate([weighted_rows, unweighted])
    topic_ids = np.concatenate([weighted_topics, dominant[unweighted]])
    weights = np.concatenate([weights, np.ones(len(unweighted))])
    period_codes, periods = pd.factorize(period_start(articles["date"], frequency).to_numpy(), sort=True)
    per_period = np.bincount(period_codes, minlength=len(periods))
    known = topics["topic_id"].astype("int64").to_numpy() >= 0
    topic_index = pd.Index(topics["topic_id"].astype("int64").to_numpy()[known])
    labels = topics["label"].astype("str").to_numpy()[known]
    positions = topic_index.get_indexer(topic_ids)
    counted = positions >= 0
    cells = period_codes[rows[counted]] * len(topic_index) + positions[counted]
    summed = np.bincount(cells, weights=weights[counted], minlength=len(periods) * len(topic_index)).reshape(len(periods), -1)
    order = np.lexsort((topic_index.to_numpy(), -summed.sum(axis=0)))  # largest first, ties by topic id
    table = pd.DataFrame({
        "period": np.tile(np.asarray(periods), len(order)),
        "topic_id": np.repeat(topic_index.to_numpy()[order], len(periods)),
        "label": np.repeat(labels[order], len(periods)),
        "weight": summed[:, order].T.ravel(),
        "articles": np.tile(per_period, len(order)).astype("int64"),
    })
    table["label"] = table["label"].astype("str")
    table["share"] = table["weight"] / table["articles"]
    return table


def over_time_figure(table: pd.DataFrame, frequency: str) -> go.Figure:
    """Stacked areas of every topic's share per period (largest topic at the bottom); the legend lists topics by size.

    `table` is `topics_over_time`'s: each topic's rows together, in the order the traces are drawn."""
    date_format = "%d %b %Y" if frequency == "week" else "%b %Y"
    fig = go.Figure()
    # Plain arrays sliced per topic (a pandas column costs plotly a dataframe check per trace, 30 traces per run).
    topic_ids, periods, shares = table["topic_id"].to_numpy(), table["period"].to_numpy(), table["share"].to_numpy(dtype=float)
    labels = table["label"].astype("str").to_numpy(dtype=object)
    # Numbers only: an object array (with the label on every point) is deep-copied element by element by
    # plotly and sent once per point; the label is the trace's name.
    custom = np.column_stack([table["weight"].to_numpy(dtype=float).round(1), table["articles"].to_numpy(dtype=float)])
    starts = np.flatnonzero(np.concatenate([[True], topic_ids[1:] != topic_ids[:-1]])) if len(table) else np.zeros(0, dtype=int)
    hover = f"%{{fullData.name}}<br>%{{x|{date_format}}}: %{{y:.0%}} (%{{customdata[0]}} of %{{customdata[1]:,.0f}} articles)<extra></extra>"
    for number, (start, stop) in enumerate(zip(starts, [*starts[1:], len(table)], strict=True)):
        fig.add_trace(go.Scatter(
            x=periods[start:stop], y=shares[start:stop], name=str(labels[start]), mode="lines", stackgroup="topics",
            line={"width": 0.5, "color": "white"}, fillcolor=TOPIC_COLORS[number % len(TOPIC_COLORS)],  # opaque: neighbours stay apart
            customdata=custom[start:stop], hovertemplate=hover,
        ))
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", title=f"Share of the {frequency}'s articles")
    fig.update_layout(xaxis_title=None, hovermode="closest")
    style(fig, height=560)
    # Below the chart, in rows: a legend beside it took most of a phone's width from the chart (labels are long).
    fig.update_layout(legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0, "traceorder": "normal"})
    return fig


def stability_note(manifest: Mapping[str, object]) -> str | None:
    """One sentence on the build's topic stability, or None when the build did not record it (older builds)."""
    stability = manifest.get("topic_stability")
    if not isinstance(stability, Mapping) or stability.get("jaccard") is None:
        return None
    jaccard, target = float(stability["jaccard"]), float(stability.get("target", 0.6))
    verdict = "stable" if jaccard >= target else "less stable than the target"
    return (f"Stability {jaccard:.2f} ({verdict}, target {target:.1f}): refitted on three random samples of the articles, "
            f"the topics' top {stability.get('top_terms', 10)} terms overlap this much on average (1 = the same topics every time).")


def selection_parts(frequency: str, leaders: Mapping[str, str]) -> tuple[Part, Part]:
    """What the page's `sel` holds: period starts of the prevalence chart, then leader ids of the leaders chart
    (`sel=2019-01-01,2019-04-01|kim-jong-un`); either part may be empty."""
    return periods_part(frequency), Part("leaders", leaders.__contains__, example="leader ids")


def selection_statement(topic_label: str, periods: Sequence[str], frequency: str, leader_names: Sequence[str]) -> str:
    """What the listing holds, in words (plain text): 'Articles about "missile tests" in March 2019 mentioning Kim Jong Un'."""
    within = f" in {periods_phrase([pd.Timestamp(period) for period in periods], frequency)}" if periods else ""
    naming = f" mentioning {' or '.join(leader_names)}" if leader_names else ""
    return f'Articles about "{topic_label}"{within}{naming}'
