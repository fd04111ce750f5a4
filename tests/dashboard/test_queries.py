"""Shared query helpers: periods, selections, listings."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.data import Artifacts
from dashboard.queries import article_table, articles_in_periods, articles_mentioning, choose_frequency, period_start, top_leaders


@pytest.mark.parametrize(("days", "expected"), [(0, "week"), (183, "week"), (184, "month"), (3000, "month")])
def test_frequency_fits_the_span(days: int, expected: str) -> None:
    first = date(2019, 1, 1)
    assert choose_frequency(first, pd.Timestamp(first) + pd.Timedelta(days=days)) == expected


def test_period_start_is_monday_or_first_of_month() -> None:
    dates = pd.Series(pd.to_datetime(["2019-03-14", "2019-03-17", "2019-03-18"]))
    assert period_start(dates, "week").dt.strftime("%Y-%m-%d").tolist() == ["2019-03-11", "2019-03-11", "2019-03-18"]
    assert period_start(dates, "month").dt.strftime("%Y-%m-%d").tolist() == ["2019-03-01"] * 3


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
