"""Query helpers shared by the views: DataFrame in, DataFrame out, no Streamlit.

Every function takes the (already filtered) articles and the artifact tables it needs,
so a page passes `ctx.articles` and the view's logic stays testable on its own.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

FREQUENCIES = ("week", "month", "quarter", "year")
"""Time granularities, finest first."""
MAX_LISTED = 2_000
"""Rows an article listing shows (the newest, or the heaviest for a topic); its CSV download has every article."""
MIN_MEDIAN_ARTICLES = 5
"""A chart's typical (median) period holds at least this many articles, or its means and shares jump with each article."""
_PERIOD_CODES = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}
# The framing columns of articles.parquet and how the app names them.
FRAME_MEASURES = {
    "frame_all_at_once": "all-at-once cues per article",
    "frame_step_by_step": "step-by-step cues per article",
    "frame_engagement": "engagement cues per article",
    "frame_pressure": "pressure cues per article",
    "deal_axis": "deal axis (mean)",
    "posture_axis": "posture axis (mean)",
}


def choose_frequency(dates: pd.Series, min_median: int = MIN_MEDIAN_ARTICLES) -> str:
    """The finest of week, month, quarter and year whose median period holds at least `min_median` articles.

    Every calendar period from the first date's to the last date's counts, empty ones included:
    a chart draws them too, and skipping them would call a sparse week typical. "year" when even
    years are thinner than that (or there are no dates).
    """
    dates = pd.Series(dates).dropna()
    if dates.empty:
        return FREQUENCIES[-1]
    for frequency in FREQUENCIES[:-1]:
        periods = dates.dt.to_period(_PERIOD_CODES[frequency])
        span = periods.max().ordinal - periods.min().ordinal + 1
        per_period = np.bincount((periods.array.asi8 - periods.min().ordinal), minlength=span)
        if np.median(per_period) >= min_median:
            return frequency
    return FREQUENCIES[-1]


def period_start(dates: pd.Series, frequency: str) -> pd.Series:
    """The first day of each date's week (Monday), month, quarter or year."""
    return dates.dt.to_period(_PERIOD_CODES[frequency]).dt.start_time


def article_positions(articles: pd.DataFrame, article_ids: pd.Series) -> np.ndarray:
    """Each of `article_ids`' position (row) in `articles`, -1 when it is not there.

    When both are categoricals over the same categories (the build's tables, see `data.Artifacts`), one array
    indexed by code answers (a few ms for a million rows): `Index.get_indexer` took ~10 ms a table at 100,000 stories.
    """
    ids = articles["article_id"]
    if (isinstance(ids.dtype, pd.CategoricalDtype) and isinstance(article_ids.dtype, pd.CategoricalDtype)
            and ids.cat.categories is article_ids.cat.categories):
        position = np.full(len(ids.cat.categories) + 1, -1, dtype=np.int64)  # the last one answers code -1 (no category)
        codes = ids.cat.codes.to_numpy()
        known = codes >= 0  # a missing id (code -1) must not claim the last slot
        position[codes[known]] = np.flatnonzero(known)
        return position[article_ids.cat.codes.to_numpy()]
    return pd.Index(ids).get_indexer(article_ids)


def articles_mentioning(articles: pd.DataFrame, mentions: pd.DataFrame, actor_ids: Iterable[str]) -> pd.DataFrame:
    """The articles that mention any of the actors."""
    mentioning = mentions.loc[mentions["actor_id"].isin(list(actor_ids)), "article_id"].unique()
    return articles.loc[articles["article_id"].isin(mentioning)]


def articles_in_periods(articles: pd.DataFrame, periods: Iterable[tuple[str, str | None]], frequency: str) -> pd.DataFrame:
    """The articles in any of the (period start as YYYY-MM-DD, source or None for all sources) cells."""
    starts = period_start(articles["date"], frequency)
    mask = pd.Series(False, index=articles.index)
    for start, source in periods:
        cell = starts == pd.Timestamp(start)
        if source is not None:
            cell &= articles["source"] == source
        mask |= cell
    return articles.loc[mask]


def top_leaders(mentions: pd.DataFrame, actor_names: Mapping[str, str], article_ids: Iterable[str], n: int = 3) -> pd.Series:
    """article_id -> "Name, Name" of its n most mentioned actors (ties by name), '' when none.

    Vectorised (no Python call per article): listings of ~20,000 articles stay fast.
    """
    ids = pd.Index(list(article_ids), dtype="str")
    subset = mentions.loc[mentions["article_id"].isin(ids), ["article_id", "actor_id", "count"]]
    joined = pd.Series("", index=ids, dtype="str")
    if subset.empty:
        return joined
    actor_ids = subset["actor_id"].astype("str")
    named = subset.assign(article_id=subset["article_id"].astype("str"), name=actor_ids.map(actor_names).fillna(actor_ids))
    named = named.sort_values(["article_id", "count", "name"], ascending=[True, False, True])
    named["rank"] = named.groupby("article_id").cumcount()
    wide = named.loc[named["rank"] < n].pivot(index="article_id", columns="rank", values="name")
    names = wide[0]
    for rank in range(1, wide.shape[1]):
        names = names.where(wide[rank].isna(), names + ", " + wide[rank])
    joined.loc[names.index] = names
    return joined


def newest_articles(articles: pd.DataFrame, n: int) -> pd.DataFrame:
    """The articles `article_table` lists first, at least n of them (all when there are fewer): those dated on or
    after the n-th newest date, so a listing of many thousands is made (and sent) only for the rows shown."""
    if len(articles) <= n:
        return articles
    return articles.loc[articles["date"] >= articles["date"].nlargest(n).iloc[-1]]


def article_table(articles: pd.DataFrame, mentions: pd.DataFrame, actor_names: Mapping[str, str], topic_labels: Mapping[int, str]) -> pd.DataFrame:
    """One row per article for listings: article_id, date, source, title, tone, leaders, topic; newest first."""
    table = pd.DataFrame({
        "article_id": articles["article_id"].astype("str").to_numpy(),
        "date": articles["date"].to_numpy(),
        "source": articles["source"].astype("str").to_numpy(),
        "title": articles["title"].astype("str").to_numpy(),
        "tone": articles["tone"].to_numpy(),
        "leaders": top_leaders(mentions, actor_names, articles["article_id"]).to_numpy(),
        "topic": articles["topic_id"].map(topic_labels).fillna("").astype("str").to_numpy(),
    })
    return table.sort_values(["date", "article_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
