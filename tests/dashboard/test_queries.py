"""Shared query helpers: periods, selections, listings."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.data import Artifacts
from dashboard.queries import (
    article_positions, article_table, articles_in_periods, articles_mentioning, choose_frequency, newest_articles, period_start, top_leaders,
)


def _dates(*counts_and_freq: tuple[int, str]) -> pd.Series:
    """`count` articles on each period start of a range: e.g. (3, "MS") -> 3 articles on each month's first day."""
    return pd.Series(pd.to_datetime(sum(([day] * count for count, freq in counts_and_freq
                                         for day in pd.date_range("2019-01-01", "2019-12-31", freq=freq)), [])))


@pytest.mark.parametrize(("dates", "expected"), [
    (_dates((5, "W-MON")), "week"),              # 5 a week: weeks are enough
    (_dates((4, "W-MON")), "month"),             # 4 a week: ~17 a month
    (_dates((4, "MS")), "quarter"),              # 4 a month: 12 a quarter
    (_dates((1, "QS")), "year"),                 # 1 a quarter: 4 a year, the widest there is
    (pd.Series(pd.to_datetime([])), "year"),
])
def test_frequency_is_the_finest_whose_median_period_holds_five(dates: pd.Series, expected: str) -> None:
    assert choose_frequency(dates) == expected


def test_empty_periods_count_towards_the_median() -> None:
    """Ten articles in each of two months a year apart: the typical month is empty, so months would mislead."""
    dates = pd.Series(pd.to_datetime(["2018-01-15"] * 10 + ["2019-01-15"] * 10))
    assert choose_frequency(dates) == "year"
    assert choose_frequency(dates, min_median=0) == "week"


def test_period_start_is_monday_or_first_of_month() -> None:
    dates = pd.Series(pd.to_datetime(["2019-03-14", "2019-03-17", "2019-03-18"]))
    assert period_start(dates, "week").dt.strftime("%Y-%m-%d").tolist() == ["2019-03-11", "2019-03-11", "2019-03-18"]
    assert period_start(dates, "month").dt.strftime("%Y-%m-%d").tolist() == ["2019-03-01"] * 3
    assert period_start(dates, "quarter").dt.strftime("%Y-%m-%d").tolist() == ["2019-01-01"] * 3


def test_articles_in_periods_by_source_or_all(artifacts: Artifacts) -> None:
    articles = artifacts.articles
    in_march = articles["date"].dt.strftime("%Y-%m") == "2018-03"
    ridge = articles["source"] == "Demo: Ridge Post"
    assert set(articles_in_periods(articles, [("2018-03-01", None)], "month")["article_id"]) == set(articles.loc[in_march, "article_id"])
    chosen = articles_in_periods(articles, [("2018-03-01", "Demo: Ridge Post"), ("2019-01-01", None)], "month")
    in_january = articles["date"].dt.strftime("%Y-%m") == "2019-01"
    assert set(chosen["article_id"]) == set(articles.loc[(in_march & ridge) | in_january, "article_id"])


def test_articles_mentioning(artifacts: Artifacts, artifact_dir: Path) -> None:
    mentions = pd.read_parquet(artifact_dir / "mentions.parquet")
    expected = set(mentions.loc[mentions["actor_id"] == "moon-jae-in", "article_id"])
    assert set(articles_mentioning(artifacts.articles, artifacts.mentions, ["moon-jae-in"])["article_id"]) == expected


def test_top_leaders_are_ordered_by_count_then_name() -> None:
    mentions = pd.DataFrame({
        "article_id": ["a", "a", "a", "a", "b"],
        "actor_id": ["x", "y", "z", "w", "y"],
        "count": [1, 3, 1, 1, 2],
    })
    names = {"x": "Xavier", "y": "Yuna", "z": "Anna", "w": "Wim"}
    result = top_leaders(mentions, names, ["a", "b", "c"], n=3)
    assert result.to_dict() == {"a": "Yuna, Anna, Wim", "b": "Yuna", "c": ""}


def test_article_table_lists_newest_first_with_labels(artifacts: Artifacts) -> None:
    table = article_table(artifacts.articles, artifacts.mentions, artifacts.actor_names, artifacts.topic_labels)
    assert list(table.columns) == ["article_id", "date", "source", "title", "tone", "leaders", "topic"]
    assert len(table) == len(artifacts.articles) and table["date"].is_monotonic_decreasing
    by_id = table.set_index("article_id")
    assert by_id.loc["art-00007", "topic"] == ""
    assert by_id.loc["art-00001", "topic"] == artifacts.topic_labels[1]
    assert by_id.loc["art-00001", "title"] == "<script>alert(1)</script>"


@pytest.mark.parametrize("n", [1, 5, 17, 40, 100])
def test_the_newest_articles_give_the_first_rows_of_the_whole_listing(artifacts: Artifacts, n: int) -> None:
    whole = article_table(artifacts.articles, artifacts.mentions, artifacts.actor_names, artifacts.topic_labels)
    newest = newest_articles(artifacts.articles, n)
    assert len(newest) >= min(n, len(artifacts.articles))
    shown = article_table(newest, artifacts.mentions, artifacts.actor_names, artifacts.topic_labels).head(n)
    pd.testing.assert_frame_equal(shown, whole.head(n))
    assert len(newest_articles(artifacts.articles.iloc[:3], 5)) == 3


def test_article_positions_by_code_equal_those_by_id(artifacts: Artifacts) -> None:
    articles = artifacts.articles.iloc[::3]
    by_code = article_positions(articles, artifacts.doc_topics["article_id"])
    by_id = pd.Index(articles["article_id"].astype(str)).get_indexer(artifacts.doc_topics["article_id"].astype(str))
    assert artifacts.doc_topics["article_id"].cat.categories is articles["article_id"].cat.categories  # the fast path is taken
    assert by_code.tolist() == by_id.tolist() and (by_code >= 0).any() and (by_code < 0).any()
    named = artifacts.named_sentences["article_id"]
    assert named.cat.categories is artifacts.cue_sentences["article_id"].cat.categories is articles["article_id"].cat.categories
    assert article_positions(articles, named).tolist() == pd.Index(articles["article_id"].astype(str)).get_indexer(named.astype(str)).tolist()
