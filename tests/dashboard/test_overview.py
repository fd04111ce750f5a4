"""Overview: headline, volume, leaders, event windows and their figures."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard import overview
from dashboard.data import Artifacts, read_events
from tests.dashboard.artifact_factory import SOURCES


@pytest.fixture(scope="module")
def raw_articles(artifact_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(artifact_dir / "articles.parquet")


def test_headline(artifacts: Artifacts, raw_articles: pd.DataFrame) -> None:
    head = overview.headline(artifacts.articles)
    assert (head.articles, head.sources) == (40, 3)
    assert (head.first, head.last) == (date(2018, 1, 2), date(2019, 12, 30))
    assert head.mean_tone == pytest.approx(raw_articles["tone"].mean())


def test_headline_of_nothing(artifacts: Artifacts) -> None:
    assert overview.headline(artifacts.articles.iloc[:0]) == overview.Headline(0, 0, None, None, None)


def test_volume_by_month(artifacts: Artifacts, raw_articles: pd.DataFrame) -> None:
    volume = overview.volume_by_period(artifacts.articles, "month")
    assert list(volume.columns) == ["period", "source", "articles", "share"]
    assert volume["articles"].sum() == 40
    expected = raw_articles.assign(month=raw_articles["date"].dt.strftime("%Y-%m-01")).groupby(["month", "source"]).size()
    got = volume.assign(month=volume["period"].dt.strftime("%Y-%m-%d")).set_index(["month", "source"])["articles"]
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()


def test_shares_sum_to_one_per_period(artifacts: Artifacts) -> None:
    volume = overview.volume_by_period(artifacts.articles, "week")
    assert np.allclose(volume.groupby("period")["share"].sum(), 1.0)


def test_volume_figure_has_one_escaped_trace_per_source(artifacts: Artifacts) -> None:
    volume = overview.volume_by_period(artifacts.articles, "month")
    fig = overview.volume_figure(volume, "articles", "month")
    assert len(fig.data) == 3 and all(trace.type == "bar" for trace in fig.data)
    names = {trace.name for trace in fig.data}
    assert "&lt;img src=x onerror=alert(1)&gt; Wire" in names and not any("<" in name for name in names)
    assert sum(sum(trace.y) for trace in fig.data) == 40


def test_volume_figure_customdata_maps_back_to_period_and_raw_source(artifacts: Artifacts) -> None:
    volume = overview.volume_by_period(artifacts.articles, "month")
    fig = overview.volume_figure(volume, "share", "month")
    hostile = next(trace for trace in fig.data if "onerror" in trace.name)
    assert {tuple(row)[1] for row in hostile.customdata} == {SOURCES[2]}
    assert all(len(row[0]) == 10 and row[0].endswith("-01") for row in hostile.customdata)
    assert max(max(trace.y) for trace in fig.data) <= 1.0 and fig.layout.yaxis.tickformat == ".0%"


def test_events_become_escaped_annotations(artifacts: Artifacts, events_path: Path) -> None:
    events, _ = read_events(events_path)
    fig = overview.volume_figure(overview.volume_by_period(artifacts.articles, "month"), "articles", "month", events)
    texts = [annotation.text for annotation in fig.layout.annotations]
    assert len(texts) == len(events) and len(fig.layout.shapes) == len(events)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; test" in texts and not any("<script" in text for text in texts)


def test_events_in_range(events_path: Path) -> None:
    events, _ = read_events(events_path)
    kept = overview.events_in_range(events, date(2018, 5, 1), date(2019, 2, 28))
    assert kept["label"].tolist() == ["Singapore summit", "Hanoi summit ends early"]


def test_leader_mentions(artifacts: Artifacts, artifact_dir: Path) -> None:
    mentions = pd.read_parquet(artifact_dir / "mentions.parquet")
    table = overview.leader_mentions(artifacts.articles, artifacts.mentions, artifacts.actor_names, top_n=3)
    per_actor = mentions.groupby("actor_id").agg(articles=("article_id", "nunique"), mentions=("count", "sum"))
    assert len(table) == 3
    assert table["articles"].tolist() == sorted(per_actor["articles"], reverse=True)[:3]
    for row in table.itertuples():
        assert (row.articles, row.mentions) == tuple(per_actor.loc[row.actor_id])
        assert row.name == artifacts.actor_names[row.actor_id]


def test_leader_mentions_follow_the_filtered_articles(artifacts: Artifacts) -> None:
    few = artifacts.articles.iloc[:3]
    table = overview.leader_mentions(few, artifacts.mentions, artifacts.actor_names)
    mentioned = artifacts.mentions.loc[artifacts.mentions["article_id"].isin(few["article_id"]), "actor_id"]
    assert set(table["actor_id"]) == set(mentioned.astype(str))


def test_leaders_figure_carries_actor_ids(artifacts: Artifacts) -> None:
    table = overview.leader_mentions(artifacts.articles, artifacts.mentions, artifacts.actor_names)
    fig = overview.leaders_figure(table)
    assert [row[0] for row in fig.data[0].customdata] == table["actor_id"].tolist()
    assert list(fig.data[0].x) == table["articles"].tolist()


def test_event_window_against_a_manual_count(artifacts: Artifacts, raw_articles: pd.DataFrame, artifact_dir: Path) -> None:
    event, days = pd.Timestamp("2019-01-01"), 120
    before = raw_articles[(raw_articles["date"] >= event - pd.Timedelta(days=days)) & (raw_articles["date"] < event)]
    after = raw_articles[(raw_articles["date"] >= event) & (raw_articles["date"] < event + pd.Timedelta(days=days))]
    table = overview.event_window(artifacts.articles, artifacts.mentions, artifacts.actor_names, event.date(), days).set_index("metric")
    assert table.loc["articles per day", "before"] == pytest.approx(len(before) / days)
    assert table.loc["articles per day", "after"] == pytest.approx(len(after) / days)
    assert table.loc["mean tone", "after"] == pytest.approx(after["tone"].mean())
    assert table.loc["pressure cues per article", "before"] == pytest.approx(before["frame_pressure"].mean())
    assert np.allclose(table["change"], table["after"] - table["before"], equal_nan=True)
    mentions = pd.read_parquet(artifact_dir / "mentions.parquet")
    kim = set(mentions.loc[mentions["actor_id"] == "kim-jong-un", "article_id"])
    assert table.loc["share mentioning Kim Jong Un", "before"] == pytest.approx(before["article_id"].isin(kim).mean())


def test_event_window_with_an_empty_side_gives_nan_means(artifacts: Artifacts) -> None:
    table = overview.event_window(artifacts.articles, artifacts.mentions, artifacts.actor_names, date(2018, 1, 2), 10).set_index("metric")
    assert table.loc["articles per day", "before"] == 0
    assert np.isnan(table.loc["mean tone", "before"]) and not np.isnan(table.loc["mean tone", "after"])


def test_event_change_figure_skips_unknown_changes(artifacts: Artifacts) -> None:
    table = overview.event_window(artifacts.articles, artifacts.mentions, artifacts.actor_names, date(2018, 1, 2), 10)
    fig = overview.event_change_figure(table)
    assert len(fig.data[0].x) == table["change"].notna().sum()
    assert fig.data[0].marker.color[0] in ("rgb(44, 160, 44)", "rgb(214, 39, 40)")


def test_many_events_become_markers_with_labels_in_the_hover(artifacts: Artifacts) -> None:
    days = pd.date_range("2018-01-01", periods=overview.MAX_EVENT_LABELS + 1, freq="W")
    events = pd.DataFrame({"date": days, "label": [f"<b>event {i}</b>" for i in range(len(days))], "description": "why"})
    fig = overview.volume_figure(overview.volume_by_period(artifacts.articles, "month"), "articles", "month", events)
    assert len(fig.layout.annotations) == len(days)
    assert {a.text for a in fig.layout.annotations} == {"\u25bc"}
    assert fig.layout.annotations[0].hovertext == "&lt;b&gt;event 0&lt;/b&gt;: why"
