"""Topics: memberships, the topic table, prevalence, topics over time, the listing, their figures, and the page through app.py."""
from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import topics_view as view
from dashboard.data import Artifacts
from dashboard.filters import Filters, apply_filters
from dashboard.queries import article_table
from tests.dashboard.artifact_factory import HOSTILE_TITLES, NO_TOPIC_ARTICLE, TOPICS
from tests.dashboard.test_app import url_values

AppRun = Callable[..., AppTest]
PAGE = "pages/topics.py"


@pytest.fixture(scope="module")
def raw(artifact_dir: Path) -> dict[str, pd.DataFrame]:
    """The factory's tables as written, read with plain pandas (the expectations' source)."""
    return {name: pd.read_parquet(artifact_dir / f"{name}.parquet") for name in ("articles", "doc_topics", "mentions")}


def about_ids(raw: dict[str, pd.DataFrame], topic_id: int, article_ids: set[str] | None = None) -> set[str]:
    """Articles about a topic, by the documented rule, counted by hand: weight >= 0.2 or dominant."""
    doc_topics, articles = raw["doc_topics"], raw["articles"]
    ids = set(doc_topics.loc[(doc_topics["topic_id"] == topic_id) & (doc_topics["weight"] >= 0.2), "article_id"])
    ids |= set(articles.loc[articles["topic_id"] == topic_id, "article_id"])
    return ids if article_ids is None else ids & article_ids


def tiny_build() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Four articles: a (dominant 0, also 1 at 0.2 and 2 at 0.15), b (dominant 1, no weights), c (no topic), d (only 2 at 0.5)."""
    articles = pd.DataFrame({
        "article_id": ["a", "b", "c", "d"],
        "date": pd.to_datetime(["2019-01-05", "2019-01-20", "2019-02-03", "2019-03-10"]),
        "topic_id": [0, 1, -1, 2],
    })
    doc_topics = pd.DataFrame({
        "article_id": ["a", "a", "a", "d", "e"],
        "topic_id": [0, 1, 2, 2, 0],
        "weight": [0.65, 0.2, 0.15, 0.5, 0.9],
    })
    return articles, doc_topics


@pytest.mark.parametrize(("topic_filter", "previous", "expected"), [
    ((2,), (), 2),
    ((1, 2), (1,), 2),  # the topic just added, not the first
    ((3, 1), (1, 2), 3),
    ((1,), (1, 2), 1),  # one removed: the first that is left
    ((), (1,), None),
])
def test_preselected_topic(topic_filter: tuple[int, ...], previous: tuple[int, ...], expected: int | None) -> None:
    assert view.preselected_topic(topic_filter, previous) == expected


# --- topic_memberships ----------------------------------------------------------------


def test_memberships_of_a_hand_made_build() -> None:
    articles, doc_topics = tiny_build()
    pairs = view.topic_memberships(articles, doc_topics)
    got = {(row.article_id, row.topic_id): (row.weight, row.dominant) for row in pairs.itertuples()}
    assert set(got) == {("a", 0), ("a", 1), ("b", 1), ("d", 2)}
    assert got["a", 0] == (0.65, True) and got["a", 1] == (0.2, False) and got["d", 2] == (0.5, True)
    assert math.isnan(got["b", 1][0]) and got["b", 1][1]


def test_memberships_ignore_articles_outside_the_frame() -> None:
    articles, doc_topics = tiny_build()
    pairs = view.topic_memberships(articles.iloc[[0]], doc_topics)
    assert set(pairs["article_id"]) == {"a"}


def test_a_higher_threshold_keeps_only_dominant_and_heavy_topics() -> None:
    articles, doc_topics = tiny_build()
    pairs = view.topic_memberships(articles, doc_topics, min_weight=0.6)
    assert set(zip(pairs["article_id"], pairs["topic_id"], strict=True)) == {("a", 0), ("b", 1), ("d", 2)}


def test_memberships_of_the_factory_follow_the_weights(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    pairs = view.topic_memberships(artifacts.articles, artifacts.doc_topics)
    for topic_id, _, _ in TOPICS:
        assert set(pairs.loc[pairs["topic_id"] == topic_id, "article_id"]) == about_ids(raw, topic_id)
    assert f"art-{NO_TOPIC_ARTICLE:05d}" not in set(pairs["article_id"])


@pytest.mark.parametrize("topic_id", [topic[0] for topic in TOPICS])
def test_memberships_agree_with_the_sidebar_topic_filter(artifacts: Artifacts, topic_id: int) -> None:
    pairs = view.topic_memberships(artifacts.articles, artifacts.doc_topics)
    filtered = apply_filters(artifacts, Filters(topics=(topic_id,)))
    assert set(pairs.loc[pairs["topic_id"] == topic_id, "article_id"]) == set(filtered["article_id"])


# --- topic_table ----------------------------------------------------------------------


def test_topic_table_counts_and_shares(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    pairs = view.topic_memberships(artifacts.articles, artifacts.doc_topics)
    table = view.topic_table(artifacts.topics, pairs, len(artifacts.articles)).set_index("topic_id")
    for topic_id, label, terms in TOPICS:
        expected = len(about_ids(raw, topic_id))
        assert table.loc[topic_id, "articles"] == expected
        assert table.loc[topic_id, "share"] == pytest.approx(expected / 40)
        assert (table.loc[topic_id, "label"], table.loc[topic_id, "terms"]) == (label, terms)


def test_topic_table_puts_the_most_covered_first_and_keeps_empty_topics() -> None:
    articles, doc_topics = tiny_build()
    topics = pd.DataFrame({"topic_id": [0, 1, 2, 3], "label": ["w", "x", "y", "z"], "terms": [["t"], ["u"], ["v"], ["w"]]})
    table = view.topic_table(topics, view.topic_memberships(articles, doc_topics), len(articles))
    assert table["topic_id"].tolist() == [1, 0, 2, 3]
    assert table["articles"].tolist() == [2, 1, 1, 0]
    assert table["share"].tolist() == [0.5, 0.25, 0.25, 0.0]


def test_topic_table_of_no_article_has_zero_shares() -> None:
    articles, doc_topics = tiny_build()
    topics = pd.DataFrame({"topic_id": [0], "label": ["w"], "terms": [["t"]]})
    table = view.topic_table(topics, view.topic_memberships(articles.iloc[:0], doc_topics), 0)
    assert table[["articles", "share"]].values.tolist() == [[0, 0.0]]


# --- topic_articles and the listing ---------------------------------------------------


def test_topic_articles_are_heaviest_first_then_newest() -> None:
    articles, doc_topics = tiny_build()
    articles = pd.concat([articles, pd.DataFrame({"article_id": ["f"], "date": pd.to_datetime(["2019-04-01"]), "topic_id": [1]})])
    doc_topics = pd.concat([doc_topics, pd.DataFrame({"article_id": ["f"], "topic_id": [1], "weight": [0.2]})])
    about = view.topic_articles(articles, view.topic_memberships(articles, doc_topics), 1)
    assert about["article_id"].tolist() == ["f", "a", "b"]  # 0.2 newer, 0.2 older, then the dominant without a weight
    assert about["dominant"].tolist() == [True, False, True]


def test_topic_articles_of_the_factory(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    about = view.topic_articles(artifacts.articles, view.topic_memberships(artifacts.articles, artifacts.doc_topics), 2)
    assert set(about["article_id"]) == about_ids(raw, 2) and len(about) == len(about_ids(raw, 2))
    weights = raw["doc_topics"].loc[raw["doc_topics"]["topic_id"] == 2].set_index("article_id")["weight"]
    assert about["weight"].tolist() == weights.loc[about["article_id"]].tolist()
    assert about["weight"].is_monotonic_decreasing
    assert {"title", "source", "tone"} <= set(about.columns)


def test_listing_orders_by_weight_and_names_the_weight(artifacts: Artifacts) -> None:
    about = view.topic_articles(artifacts.articles, view.topic_memberships(artifacts.articles, artifacts.doc_topics), 0)
    table = view.topic_listing(about, artifacts.mentions, artifacts.actor_names, artifacts.topic_labels, 0)
    assert table["article_id"].tolist() == about["article_id"].tolist()
    expected_topic = [f"summit diplomacy ({round(weight * 100)}%)" for weight in about["weight"]]
    assert table["topic"].tolist() == expected_topic
    assert table["topic"].iloc[0] == "summit diplomacy (85%)"


def test_listing_csv_is_the_listing_of_a_filtered_topic(artifacts: Artifacts) -> None:
    articles = apply_filters(artifacts, Filters(leaders=("kim-jong-un",)))
    about = view.topic_articles(articles, view.topic_memberships(articles, artifacts.doc_topics), 0).iloc[::-1]
    expected = view.topic_listing(about, artifacts.mentions, artifacts.actor_names, artifacts.topic_labels, 0)
    assert 0 < len(about) < len(artifacts.articles)
    pd.testing.assert_frame_equal(view.listing_csv(artifacts, about, 0)(), expected)


def test_listing_of_a_dominant_topic_without_weight() -> None:
    articles, doc_topics = tiny_build()
    articles = articles.assign(source="S", title=["A", "B", "C", "D"], tone=0.0)
    mentions = pd.DataFrame({"article_id": ["b"], "actor_id": ["kim-jong-un"], "count": [2]})
    about = view.topic_articles(articles, view.topic_memberships(articles, doc_topics), 1)
    table = view.topic_listing(about, mentions, {"kim-jong-un": "Kim Jong Un"}, {0: "w", 1: "x"}, 1)
    assert table[["article_id", "topic", "leaders"]].values.tolist() == [["a", "x (20%)", ""], ["b", "x (dominant)", "Kim Jong Un"]]


def test_listing_has_the_shared_columns_and_keeps_titles_raw(artifacts: Artifacts) -> None:
    about = view.topic_articles(artifacts.articles, view.topic_memberships(artifacts.articles, artifacts.doc_topics), 1)
    table = view.topic_listing(about, artifacts.mentions, artifacts.actor_names, artifacts.topic_labels, 1)
    shared = article_table(about, artifacts.mentions, artifacts.actor_names, artifacts.topic_labels)
    assert set(shared.columns) | {"weight"} == set(table.columns)
    assert HOSTILE_TITLES[0] in set(table["title"])  # st.dataframe shows it as data; escaping it here would garble it


# --- prevalence -----------------------------------------------------------------------


def test_prevalence_per_month_against_a_manual_count(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    pairs = view.topic_memberships(artifacts.articles, artifacts.doc_topics)
    prevalence = view.topic_prevalence(artifacts.articles, pairs, 3, "month")
    articles = raw["articles"]
    months = articles["date"].dt.strftime("%Y-%m-01")
    about = articles["article_id"].isin(about_ids(raw, 3))
    got = prevalence.assign(month=prevalence["period"].dt.strftime("%Y-%m-%d")).set_index("month")
    assert got.index.tolist() == sorted(months.unique())
    assert got["articles"].to_dict() == months.value_counts().to_dict()
    assert got["topic_articles"].to_dict() == about.groupby(months).sum().to_dict()
    assert np.allclose(got["share"], got["topic_articles"] / got["articles"])
    assert (got["topic_articles"] == 0).any()  # periods without the topic are rows too


def test_prevalence_per_week_starts_on_mondays() -> None:
    articles, doc_topics = tiny_build()
    prevalence = view.topic_prevalence(articles, view.topic_memberships(articles, doc_topics), 1, "week")
    assert prevalence["period"].dt.strftime("%Y-%m-%d").tolist() == ["2018-12-31", "2019-01-14", "2019-01-28", "2019-03-04"]
    assert prevalence["share"].tolist() == [1.0, 1.0, 0.0, 0.0]


def test_prevalence_figure_carries_periods_and_counts(artifacts: Artifacts) -> None:
    pairs = view.topic_memberships(artifacts.articles, artifacts.doc_topics)
    prevalence = view.topic_prevalence(artifacts.articles, pairs, 0, "month")
    trace = view.prevalence_figure(prevalence, "month").data[0]
    assert "markers" in trace.mode
    assert [row[0] for row in trace.customdata] == prevalence["period"].dt.strftime("%Y-%m-%d").tolist()
    assert [(row[1], row[2]) for row in trace.customdata] == list(zip(prevalence["topic_articles"], prevalence["articles"], strict=True))
    assert list(trace.y) == prevalence["share"].tolist()


# --- topics over time --------------------------------------------------------------------


def test_over_time_periods_widen_until_the_typical_one_holds_enough_articles() -> None:
    busy = pd.Series(pd.date_range("2024-01-01", periods=60, freq="D").repeat(5))  # 35 articles a week
    assert view.over_time_frequency(busy) == "week"
    monthly = pd.Series(pd.date_range("2020-01-01", periods=24, freq="MS").repeat(25))  # 25 a month over two years
    assert view.over_time_frequency(monthly) == "month"
    sparse = pd.Series(pd.date_range("2020-01-01", periods=24, freq="MS").repeat(7))  # 21 a quarter
    assert view.over_time_frequency(sparse) == "quarter"
    assert view.over_time_frequency(pd.Series(pd.date_range("2015-01-01", periods=30, freq="90D"))) == "year"


def test_topics_over_time_of_a_hand_made_build() -> None:
    articles, doc_topics = tiny_build()
    topics = pd.DataFrame({"topic_id": [0, 1, 2], "label": ["sanctions", "missile tests", "summits"]})
    table = view.topics_over_time(articles, doc_topics, topics, "month")
    assert list(table.columns) == ["period", "topic_id", "label", "weight", "articles", "share"]
    got = table.assign(month=table["period"].dt.strftime("%Y-%m")).set_index(["month", "topic_id"])["share"]
    # January: a splits 0.65 / 0.2 / 0.15, b (dominant 1, no weight row) counts fully for 1; c has no topic; e is not an article.
    assert got.to_dict() == pytest.approx({
        ("2019-01", 0): 0.325, ("2019-01", 1): 0.6, ("2019-01", 2): 0.075,
        ("2019-02", 0): 0.0, ("2019-02", 1): 0.0, ("2019-02", 2): 0.0,
        ("2019-03", 0): 0.0, ("2019-03", 1): 0.0, ("2019-03", 2): 0.5,
    })
    assert table["topic_id"].drop_duplicates().tolist() == [1, 0, 2]  # by total weight


def test_topics_over_time_shares_add_up_to_the_articles_with_a_topic(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    table = view.topics_over_time(artifacts.articles, artifacts.doc_topics, artifacts.topics, "quarter")
    articles = raw["articles"]
    quarters = articles["date"].dt.to_period("Q").dt.start_time
    with_topic = (articles["topic_id"] >= 0).groupby(quarters).mean()
    summed = table.groupby("period")["share"].sum()
    np.testing.assert_allclose(summed.to_numpy(), with_topic.loc[summed.index].to_numpy())
    assert (with_topic < 1).any()  # the article without a topic is in one of the periods
    assert set(table["topic_id"]) == set(artifacts.topics["topic_id"])


def test_over_time_figure_stacks_one_area_per_topic(artifacts: Artifacts) -> None:
    table = view.topics_over_time(artifacts.articles, artifacts.doc_topics, artifacts.topics, "month")
    fig = view.over_time_figure(table, "month")
    assert [trace.name for trace in fig.data] == table["label"].drop_duplicates().tolist()
    assert {trace.stackgroup for trace in fig.data} == {"topics"}
    first = table.loc[table["topic_id"] == table["topic_id"].iloc[0]]
    assert list(fig.data[0].y) == first["share"].tolist()
    # The hover names the topic by its trace; each point carries its weight and its period's articles, as numbers.
    assert all("%{fullData.name}" in trace.hovertemplate for trace in fig.data)
    assert [tuple(row) for row in fig.data[0].customdata] == list(zip(first["weight"].round(1), first["articles"], strict=True))
    assert fig.data[0].customdata.dtype == float


def test_stability_note() -> None:
    assert view.stability_note({}) is None
    assert view.stability_note({"topic_stability": {"k": 5, "jaccard": None}}) is None
    assert view.stability_note({"topic_stability": {"jaccard": 0.71, "target": 0.6, "top_terms": 10}}).startswith("Stability 0.71 (stable")
    assert "less stable" in view.stability_note({"topic_stability": {"jaccard": 0.42, "target": 0.6}})


# --- the page, through app.py ---------------------------------------------------------


def chart_selection(*customdata: list) -> dict:
    """What st.plotly_chart(on_select="rerun") holds after the user picked points with this customdata."""
    return {"selection": {"points": [{"customdata": data} for data in customdata], "point_indices": list(range(len(customdata))),
                          "box": [], "lasso": []}}


def open_topics(app_test: AppRun, params: dict[str, str | list[str]] | None = None) -> AppTest:
    at = app_test(params)
    return at.switch_page(PAGE).run()


def listing(at: AppTest) -> pd.DataFrame:
    """The topic's article listing (the last table of the page)."""
    return at.dataframe[-1].value


def chart_spec(at: AppTest, key: str) -> dict:
    return next(json.loads(chart.proto.spec) for chart in at.get("plotly_chart") if chart.proto.id.endswith(key))


def plotted(values: list | dict) -> list:
    """A trace's values from a chart spec (Plotly sends numeric arrays as base64 typed arrays)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def first_listed(at: AppTest) -> int:
    """The topic at the top of the page's table of all topics (the most covered)."""
    return int(at.dataframe[0].value["topic_id"].iloc[0])


def test_page_shows_every_topic_and_the_chosen_topics_articles(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_topics(app_test)
    at.segmented_control(key="period").set_value("month").run()  # the factory's 40 articles are counted per quarter by default
    assert not at.exception and [title.value for title in at.title] == ["Topics"]
    assert sorted(at.dataframe[0].value["label"]) == sorted(label for _, label, _ in TOPICS)
    first = first_listed(at)
    assert at.selectbox(key="topic_view").value == first  # the topic shown is the first listed, and so is the first choice
    assert at.selectbox(key="topic_view").options[0] == dict((topic_id, label) for topic_id, label, _ in TOPICS)[first]
    assert at.dataframe[0].value["percent"].tolist() == (at.dataframe[0].value["share"] * 100).round().astype(int).tolist()
    assert set(listing(at)["article_id"]) == about_ids(raw, first)
    assert len(chart_spec(at, "topics_prevalence")["data"][0]["x"]) == 24
    over_time = chart_spec(at, "topics_over_time")["data"]
    assert sorted(trace["name"] for trace in over_time) == sorted(label for _, label, _ in TOPICS)
    assert [expander.label for expander in at.expander] == ["How it is computed"]
    at.selectbox(key="topic_view").set_value(1).run()
    assert set(listing(at)["article_id"]) == about_ids(raw, 1)
    assert listing(at)["topic"].str.startswith("missile tests (").all()


def test_topic_param_preselects_the_topic_but_keeps_the_others_counted(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_topics(app_test, {"topic": "2"})
    assert not at.exception and at.selectbox(key="topic_view").value == 2
    assert set(listing(at)["article_id"]) == about_ids(raw, 2)
    topics = at.dataframe[0].value.set_index("label")
    assert topics.loc["missile tests", "articles"] == len(about_ids(raw, 1))  # the base is not narrowed to topic 2
    shares = plotted(chart_spec(at, "topics_prevalence")["data"][0]["y"])
    assert 0 < max(shares) and min(shares) < 1  # shares of all the period's articles, not only the topic's
    at.multiselect(key="pw_filter_topics").set_value([3]).run()
    assert not at.exception and at.selectbox(key="topic_view").value == 3


def test_the_page_topic_can_come_from_its_own_url_parameter(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_topics(app_test, {"topic_view": "inter-korean ties", "topic": "1"})
    assert not at.exception and at.selectbox(key="topic_view").value == 3  # a shared link shows the topic chosen on the page
    assert set(listing(at)["article_id"]) == about_ids(raw, 3)


def test_coming_back_to_the_page_preselects_the_sidebar_topic_again(app_test: AppRun) -> None:
    at = open_topics(app_test, {"topic": "2"})
    at.switch_page("pages/overview.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception and at.selectbox(key="topic_view").value == 2


def test_other_filters_narrow_the_topic(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_topics(app_test, {"leader": "xi-jinping", "source": "Demo: Harbour Times"})
    articles, mentions = raw["articles"], raw["mentions"]
    kept = set(articles.loc[articles["source"] == "Demo: Harbour Times", "article_id"])
    kept &= set(mentions.loc[mentions["actor_id"] == "xi-jinping", "article_id"])
    assert not at.exception and not at.warning
    assert set(listing(at)["article_id"]) == about_ids(raw, 0, kept)


def test_clicking_a_period_narrows_the_articles_and_a_row_opens_its_breakdown(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_topics(app_test)
    at.segmented_control(key="period").set_value("month").run()
    articles, first = raw["articles"], first_listed(at)
    month = articles.loc[articles["article_id"].isin(about_ids(raw, first)), "date"].dt.strftime("%Y-%m-01").iloc[0]
    at.session_state["topics_prevalence"] = chart_selection([month, 1, 2])
    at.run()
    in_month = set(articles.loc[articles["date"].dt.strftime("%Y-%m-01") == month, "article_id"])
    assert not at.exception
    assert set(listing(at)["article_id"]) == about_ids(raw, first, in_month) and len(in_month) < 40
    first = listing(at)["article_id"].iloc[0]
    at.session_state[at.dataframe[-1].key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception and [title.value for title in at.title] == ["Articles"]
    assert at.query_params["article"] in (first, [first])
    del at.query_params["article"]  # the browser keeps no unbound parameter on a page switch
    at.switch_page(PAGE).run()
    assert [title.value for title in at.title] == ["Topics"]  # the old selection does not open the article again


def test_a_chart_selection_is_stated_kept_in_the_url_and_read_back_from_a_link(app_test: AppRun) -> None:
    at = open_topics(app_test)
    points = chart_spec(at, "topics_prevalence")["data"][0]["customdata"]
    period = next(point for point in points if int(point[1]) > 0)  # (period start, topic's articles, all articles)
    at.session_state["topics_prevalence"] = chart_selection(period)
    at.run()
    expected = set(listing(at)["article_id"])
    label = dict((topic_id, name) for topic_id, name, _ in TOPICS)[first_listed(at)]
    statement = next(text.value.replace("\\", "") for text in at.markdown if text.value.startswith("**Articles about"))
    assert not at.exception and url_values(at, "sel") == [f"{period[0]}|"]
    assert statement.startswith(f'**Articles about "{label}" in ') and statement.endswith(f": {len(expected)}**")
    assert len(expected) == int(period[1])

    fresh = open_topics(app_test, {"sel": f"{period[0]}|"})  # the shared link, in a new session
    assert not fresh.exception and not fresh.warning and set(listing(fresh)["article_id"]) == expected
    assert statement in [text.value.replace("\\", "") for text in fresh.markdown]


def test_a_leader_picked_in_a_link_narrows_the_articles_to_those_naming_them(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_topics(app_test, {"sel": "|kim-jong-un"})
    mentions = raw["mentions"]
    naming = set(mentions.loc[mentions["actor_id"] == "kim-jong-un", "article_id"])
    assert not at.exception and not at.warning and set(listing(at)["article_id"]) == about_ids(raw, first_listed(at), naming)
    assert any("mentioning Kim Jong" in text.value for text in at.markdown)


@pytest.mark.parametrize("link", ["2019-03-15|", "2019-03-01|nobody", "2019-03-01", "x|y|z"])
def test_a_malformed_selection_is_ignored_with_one_notice(app_test: AppRun, raw: dict[str, pd.DataFrame], link: str) -> None:
    at = open_topics(app_test, {"sel": link})  # 15 March starts no period; "nobody" is no leader
    assert not at.exception and len(at.warning) == 1 and "Ignored sel" in at.warning[0].value
    assert url_values(at, "sel") == [] and set(listing(at)["article_id"]) == about_ids(raw, first_listed(at))


def test_a_malformed_selection_shares_the_one_notice_box_of_the_link(app_test: AppRun) -> None:
    at = app_test()
    at.query_params.update({"sel": "x|y|z", "start": "2019-13-01"})  # both read on the Topics page's run
    at.switch_page(PAGE).run()
    assert not at.exception and len(at.warning) == 1
    assert "Ignored sel" in at.warning[0].value and 'start \\"2019\\-13\\-01\\"' in at.warning[0].value


def test_a_malformed_topic_gives_a_notice_and_the_default_topic(app_test: AppRun) -> None:
    at = app_test({"topic": "99", "topic_view": "no such topic"})
    assert any('topic \\"99\\"' in warning.value for warning in at.warning)  # on the run that reads the URL
    at.switch_page(PAGE).run()
    assert not at.exception and at.selectbox(key="topic_view").value == first_listed(at)


def test_no_matching_article_says_so(app_test: AppRun) -> None:
    at = open_topics(app_test, {"q": "no article says this"})
    assert not at.exception and any("No article matches" in info.value for info in at.info)
