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


def _event_drawing(fig) -> tuple[list[str], list[str]]:
    """The texts of the named events (annotations) and the hover texts of the marked ones (the marks trace)."""
    marks = [trace for trace in fig.data if trace.type == "scatter"]
    assert len(marks) <= 1 and all(trace.yaxis == "y2" and trace.customdata is None for trace in marks)  # a click on a mark lists nothing
    return [annotation.text for annotation in fig.layout.annotations], [text for trace in marks for text in trace.hovertext]


def test_key_events_are_labelled_and_escaped_the_others_are_hover_marks(artifacts: Artifacts, events_path: Path) -> None:
    events, _ = read_events(events_path)
    shown = overview.key_events(events, date(2018, 1, 1), date(2019, 12, 31), n=1)
    fig = overview.volume_figure(overview.volume_by_period(artifacts.articles, "month"), "articles", "month", shown)
    named, marked = _event_drawing(fig)
    assert len(named) == 1 and len(fig.layout.shapes) == 1 and len(marked) == len(shown) - 1  # one named event has a line
    assert not any("<script" in text for text in named + marked)
    assert any("&lt;script&gt;" in text for text in named + marked)
    assert fig.layout.annotations[0].textangle == -90  # along its line: a label takes a line's width, not the chart's
    assert fig.layout.yaxis2.range == (0, 1) and fig.layout.yaxis2.overlaying == "y"  # marks at the top whatever the bars' scale


@pytest.mark.parametrize(("mode", "labels", "marks"), [("labels", 2, 1), ("marks", 0, 3), ("off", 0, 0)])
def test_event_mode_chooses_labels_marks_or_nothing(artifacts: Artifacts, mode: str, labels: int, marks: int) -> None:
    events = pd.DataFrame({"date": pd.to_datetime(["2018-02-01", "2018-09-01", "2019-06-01"]), "label": ["a", "b", "c"],
                           "description": "", "importance": [3, 1, 2]})
    shown = overview.key_events(events, date(2018, 1, 1), date(2019, 12, 31), n=2)
    fig = overview.volume_figure(overview.volume_by_period(artifacts.articles, "month"), "articles", "month", shown, mode)
    named, marked = _event_drawing(fig)
    assert (len(named), len(marked)) == (labels, marks)


def test_key_events_take_the_most_important_spread_over_the_period() -> None:
    days = pd.to_datetime(["2018-01-10", "2018-01-20", "2018-06-01", "2018-12-20", "2019-06-01", "2019-12-01"])
    events = pd.DataFrame({"date": days, "label": list("abcdef"), "description": "", "importance": [3, 3, 1, 3, 2, 3]})
    shown = overview.key_events(events, date(2018, 1, 1), date(2019, 12, 31), n=3)
    # Importance 3 first: the latest (f), then the farthest from it (a), then the farthest from both (d); b is as
    # important but 10 days from a, and the less important c and e wait for a fourth label.
    assert shown.loc[shown["labelled"], "label"].tolist() == ["a", "d", "f"]
    assert overview.key_events(events, date(2018, 1, 1), date(2019, 12, 31), n=10)["labelled"].sum() == 5  # b stays too close to a


def test_key_events_follow_the_filter() -> None:
    events = pd.DataFrame({"date": pd.to_datetime(["2018-03-01", "2019-03-01"]), "label": ["in", "out"], "description": "", "importance": [1, 3]})
    assert overview.key_events(events, date(2018, 1, 1), date(2018, 12, 31))["label"].tolist() == ["in"]


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


def _window(event: str, days: int, first: str = "2018-01-01", last: str = "2019-12-31") -> overview.EventWindow:
    return overview.event_window_bounds(pd.Timestamp(event).date(), days, pd.Timestamp(first).date(), pd.Timestamp(last).date())


def test_event_window_against_a_manual_count(artifacts: Artifacts, raw_articles: pd.DataFrame, artifact_dir: Path) -> None:
    event, days = pd.Timestamp("2019-01-01"), 120
    before = raw_articles[(raw_articles["date"] >= event - pd.Timedelta(days=days)) & (raw_articles["date"] < event)]
    after = raw_articles[(raw_articles["date"] >= event) & (raw_articles["date"] < event + pd.Timedelta(days=days))]
    table = overview.event_window(artifacts.articles, artifacts.mentions, artifacts.actor_names, _window("2019-01-01", days))
    value = table.set_index(["metric", "side"])["value"]
    assert value["articles per day", "before"] == pytest.approx(len(before) / days)
    assert value["articles per day", "after"] == pytest.approx(len(after) / days)
    assert value["mean tone", "after"] == pytest.approx(after["tone"].mean())
    assert value["pressure", "before"] == pytest.approx(before["frame_pressure"].mean())
    mentions = pd.read_parquet(artifact_dir / "mentions.parquet")
    kim = set(mentions.loc[mentions["actor_id"] == "kim-jong-un", "article_id"])
    assert value["Kim Jong Un", "before"] == pytest.approx(before["article_id"].isin(kim).mean())
    assert set(table["chart"]) == set(overview.EVENT_CHARTS) and (table["ci_low"] <= table["value"] + 1e-12).all()
    assert (table.loc[table["chart"] == "leaders", ["ci_low", "ci_high"]].stack().between(0, 1)).all()


def test_intervals_match_textbook_values() -> None:
    assert overview._share_interval(8, 10)[1:] == pytest.approx((0.4902, 0.9433), abs=1e-4)  # Wilson
    assert overview._rate_interval(10, 1)[1:] == pytest.approx((4.7954, 18.3904), abs=1e-4)   # exact Poisson
    mean, low, high = overview._mean_interval(np.array([1.0, 2.0, 3.0]))
    assert (mean, low, high) == pytest.approx((2.0, 2.0 - 2.4841, 2.0 + 2.4841), abs=1e-4)   # t(2) = 4.303, se = 0.577


def test_event_window_is_cut_to_the_filtered_dates() -> None:
    window = _window("2018-01-10", 30, first="2018-01-01", last="2018-01-20")
    assert (window.before_start, window.after_end) == (pd.Timestamp("2018-01-01"), pd.Timestamp("2018-01-20"))
    assert (window.before_days, window.after_days) == (9, 11)


def test_event_window_with_an_empty_side_says_so_and_shows_no_none(artifacts: Artifacts) -> None:
    window = _window("2018-01-02", 10)
    table = overview.event_window(artifacts.articles, artifacts.mentions, artifacts.actor_names, window)
    value = table.set_index(["metric", "side"])["value"]
    assert value["articles per day", "before"] == 0 and np.isnan(value["mean tone", "before"])
    shown = overview.event_window_table(table)
    assert "no article" in shown.loc[shown["metric"] == "mean tone", "before"].tolist()
    assert not shown.isna().any().any() and not shown.astype(str).apply(lambda column: column.str.contains("None|nan")).any().any()
    assert overview.window_caption(window, table, 10).startswith("Before: 2018-01-01 to 2018-01-01, 1 day, 0 articles; After: 2018-01-02")


def test_event_window_figure_one_panel_per_unit_and_no_tone_colours(artifacts: Artifacts) -> None:
    from dashboard.figures import NEGATIVE_RGB, POSITIVE_RGB

    table = overview.event_window(artifacts.articles, artifacts.mentions, artifacts.actor_names, _window("2019-01-01", 120))
    fig = overview.event_window_figure(table)
    axes = [fig.layout[f"xaxis{number if number > 1 else ''}"] for number in range(1, len(overview.EVENT_CHARTS) + 1)]
    assert [axis.title.text for axis in axes] == list(overview.EVENT_CHARTS.values())
    assert {trace.name for trace in fig.data} == {"before the event", "after the event"}
    assert sum(trace.showlegend for trace in fig.data) == 2  # one legend entry per side, for every panel
    colors = {trace.marker.color for trace in fig.data}
    assert not colors & {f"rgb{POSITIVE_RGB}", f"rgb{NEGATIVE_RGB}", "green", "red"}
    for number, chart in enumerate(overview.EVENT_CHARTS, start=1):
        panel = [trace for trace in fig.data if trace.xaxis == f"x{number if number > 1 else ''}"]
        assert sum(len(trace.y) for trace in panel) == (table["chart"] == chart).sum()
    domains = sorted(fig.layout[f"yaxis{number if number > 1 else ''}"].domain for number in range(1, len(overview.EVENT_CHARTS) + 1))
    assert all(low[1] < high[0] for low, high in zip(domains, domains[1:]))  # panels never overlap


def test_markdown_table_escapes_every_cell() -> None:
    frame = pd.DataFrame({"metric": ["a|b", "*x*"], "before": ["1.00", ""], "after": ["<b>", "$1$"]})
    lines = overview.markdown_table(frame).splitlines()
    assert lines[:2] == ["| metric | before | after |", "| --- | --- | --- |"]
    assert lines[2:] == [r"| a\|b | 1\.00 | \<b\> |", r"| \*x\* |  | \$1\$ |"]


def test_orientation_names_the_app_and_the_corpus(artifacts: Artifacts) -> None:
    demo = overview.orientation(artifacts.articles, is_demo=True)
    assert demo.startswith("**Peninsula Watch**: how the press covers North Korea diplomacy.")
    assert "made-up demo**: 40 short articles, 3 fictional outlets, Jan 2018 to Dec 2019" in demo
    own = overview.orientation(artifacts.articles, is_demo=False)
    assert "demo" not in own and "40 articles, 3 sources, Jan 2018 to Dec 2019" in own
