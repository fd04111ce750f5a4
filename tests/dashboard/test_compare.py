"""Compare: the two sets, their distinctive terms, the figures, and the page through app.py."""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import compare as view
from dashboard.data import Artifacts
from dashboard.safe_text import MAX_ECHO_LENGTH
from tests.dashboard.artifact_factory import SOURCES, hand_term_matrix

AppRun = Callable[..., AppTest]
PAGE = "pages/compare.py"


@pytest.fixture(scope="module")
def raw(artifact_dir: Path) -> dict[str, pd.DataFrame]:
    """The factory's tables as written, read with plain pandas (the expectations' source)."""
    return {name: pd.read_parquet(artifact_dir / f"{name}.parquet") for name in ("articles", "sentences", "article_terms", "mentions")}


def ids_of(frame: pd.DataFrame) -> set[str]:
    return set(frame["article_id"].astype(str))


def mentioning(raw: dict[str, pd.DataFrame], actor_id: str) -> set[str]:
    return set(raw["mentions"].loc[raw["mentions"]["actor_id"] == actor_id, "article_id"])


def counts_by_hand(raw: dict[str, pd.DataFrame], article_ids: set[str]) -> dict[str, int]:
    terms = raw["article_terms"]
    return terms.loc[terms["article_id"].isin(article_ids)].groupby("term")["count"].sum().to_dict()


def assert_counts(table: pd.DataFrame, counts_a: dict[str, int], counts_b: dict[str, int]) -> None:
    """Every term of the table (indexed by term) has the counts given (0 where missing)."""
    for term in table.index:
        assert (table.loc[term, "count_a"], table.loc[term, "count_b"]) == (counts_a.get(term, 0), counts_b.get(term, 0)), term


def hand_articles() -> pd.DataFrame:
    """Six articles over three months, two sources."""
    return pd.DataFrame({
        "article_id": ["a1", "a2", "a3", "b1", "b2", "b3"],
        "date": pd.to_datetime(["2019-01-05", "2019-02-10", "2019-03-01", "2019-02-20", "2019-03-31", "2019-04-02"]),
        "source": ["Wire A", "Wire A", "Wire A", "Wire B", "Wire B", "Wire B"],
    })


HAND_MENTIONS = pd.DataFrame({"article_id": ["a1", "a2", "b1", "b2", "b3"], "actor_id": ["x", "x", "x", "y", "y"], "count": 1})


# --- the sets -------------------------------------------------------------------------------


def test_a_period_includes_both_days() -> None:
    assert ids_of(view.articles_in_range(hand_articles(), date(2019, 2, 10), date(2019, 3, 31))) == {"a2", "a3", "b1", "b2"}


@pytest.mark.parametrize(("kind", "choice", "expected"), [
    ("sources", "Wire B", {"b1", "b2", "b3"}),
    ("leaders", "x", {"a1", "a2", "b1"}),
    ("periods", (date(2019, 3, 1), date(2019, 4, 30)), {"a3", "b2", "b3"}),
])
def test_article_set_of_each_kind(kind: str, choice: str | tuple[date, date], expected: set[str]) -> None:
    assert ids_of(view.article_set(hand_articles(), HAND_MENTIONS, kind, choice)) == expected


def test_an_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="kind"):
        view.article_set(hand_articles(), HAND_MENTIONS, "moods", "x")


def test_the_rest_is_every_other_article() -> None:
    sides = view.compared_sides(hand_articles(), HAND_MENTIONS, "sources", "Wire A", view.REST)
    assert (ids_of(sides.a), ids_of(sides.b), sides.in_both) == ({"a1", "a2", "a3"}, {"b1", "b2", "b3"}, 0)


def test_articles_in_both_sets_are_left_out_of_both() -> None:
    january_february, mid_february_april = (date(2019, 1, 1), date(2019, 2, 28)), (date(2019, 2, 15), date(2019, 4, 30))
    sides = view.compared_sides(hand_articles(), HAND_MENTIONS, "periods", january_february, mid_february_april)
    assert (ids_of(sides.a), ids_of(sides.b), sides.in_both) == ({"a1", "a2"}, {"a3", "b2", "b3"}, 1)  # b1 is in both


def test_same_months_keeps_the_months_both_sets_cover() -> None:
    sides = view.compared_sides(hand_articles(), HAND_MENTIONS, "sources", "Wire A", "Wire B", same_months=True)
    assert (ids_of(sides.a), ids_of(sides.b)) == ({"a2", "a3"}, {"b1", "b2"})  # February and March


def test_the_sets_of_the_factory_by_leader(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    sides = view.compared_sides(artifacts.articles, artifacts.mentions, "leaders", "donald-trump", "kim-jong-un")
    trump, kim = mentioning(raw, "donald-trump"), mentioning(raw, "kim-jong-un")
    assert ids_of(sides.a) == trump - kim and ids_of(sides.b) == kim - trump and sides.in_both == len(trump & kim) > 0


def test_labels_name_the_sides() -> None:
    names = {"x": "Leader X"}
    assert view.side_labels("leaders", "x", view.REST, names) == ("Leader X", "articles not mentioning Leader X")
    assert view.side_labels("sources", "Wire A", view.REST, names) == ("Wire A", "all other sources")
    assert view.side_labels("periods", (date(2019, 1, 1), date(2019, 6, 30)), (date(2019, 7, 1), date(2019, 12, 31)), names) == (
        "2019-01-01 to 2019-06-30", "2019-07-01 to 2019-12-31")


def test_largest_source_breaks_ties_alphabetically() -> None:
    articles = pd.DataFrame({"source": ["Zed", "Alpha", "Zed", "Alpha", "Mid"]})
    assert view.largest_source(articles) == "Alpha"
    assert view.largest_source(pd.DataFrame({"source": ["Zed", "Zed", "Alpha"]})) == "Zed"


def test_halves_are_consecutive_and_cover_the_span() -> None:
    assert view.halves(date(2019, 1, 1), date(2019, 1, 10)) == ((date(2019, 1, 1), date(2019, 1, 5)), (date(2019, 1, 6), date(2019, 1, 10)))
    assert view.halves(date(2019, 1, 1), date(2019, 1, 1)) == ((date(2019, 1, 1), date(2019, 1, 1)), (date(2019, 1, 1), date(2019, 1, 1)))


def test_period_choice_fills_empty_dates_and_swaps_reversed_ones() -> None:
    first, last = date(2018, 1, 1), date(2019, 12, 31)
    assert view.period_choice(None, date(2018, 5, 1), first, last) == (first, date(2018, 5, 1))
    assert view.period_choice(date(2019, 3, 1), None, first, last) == (date(2019, 3, 1), last)
    assert view.period_choice(date(2019, 3, 1), date(2018, 3, 1), first, last) == (date(2018, 3, 1), date(2019, 3, 1))


@pytest.mark.parametrize(("value", "valid"), [
    ("2019-03-01", True), ("2019-13-01", False), ("1990-01-01", False), ("2019-3-1", False), ("soon", False)])
def test_day_within(value: str, valid: bool) -> None:
    assert view.day_within(value, date(2018, 1, 1), date(2019, 12, 31)) is valid


def test_set_problems_explain_empty_and_small_sets() -> None:
    articles = hand_articles()
    assert view.set_problem("A (Wire A)", articles.iloc[:0]) == "A (Wire A) has no article within the filters."
    one = view.set_problem("B", articles.iloc[:1])
    assert "only 1 article " in one and f"at least {view.MIN_SET_ARTICLES}" in one
    assert "only 3 articles" in view.set_problem("B", articles.iloc[:3], min_articles=4)
    assert view.set_problem("B", articles, min_articles=6) is None


# --- distinctive terms ------------------------------------------------------------------------


def test_distinctive_terms_of_a_hand_made_pair_follow_monroe_et_al() -> None:
    # A uses "war" 10 times, B "peace" 10 times; the prior (all articles) weighs both equally.
    table = pd.DataFrame({"article_id": ["a", "b"], "term": ["war", "peace"], "count": [10, 10]})
    articles = pd.DataFrame({"article_id": ["a", "b"]})
    sides = view.Sides(a=articles.iloc[:1], b=articles.iloc[1:], in_both=0)
    result = view.distinctive_terms(hand_term_matrix(table), sides, articles).set_index("term")
    # alpha_w = 10 each (prior scaled to the 20 tokens of the data), alpha_0 = 20:
    # delta = log(20/10) - log(10/20) = 2 log 2; var = 1/20 + 1/10.
    expected_z = 2 * math.log(2) / math.sqrt(1 / 20 + 1 / 10)
    assert result.loc["war", "z"] == pytest.approx(expected_z) and result.loc["peace", "z"] == pytest.approx(-expected_z)
    assert result.loc["war", ["count_a", "count_b"]].tolist() == [10, 0]
    assert result.index.tolist() == ["war", "peace"]  # most typical of A first


def test_distinctive_terms_of_the_factory_count_each_side(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    sides = view.compared_sides(artifacts.articles, artifacts.mentions, "sources", SOURCES[0], view.REST)
    table = view.distinctive_terms(artifacts.term_matrix, sides, artifacts.articles).set_index("term")
    articles = raw["articles"]
    counts_a = counts_by_hand(raw, set(articles.loc[articles["source"] == SOURCES[0], "article_id"]))
    counts_b = counts_by_hand(raw, set(articles.loc[articles["source"] != SOURCES[0], "article_id"]))
    assert set(table.index) == set(counts_a) | set(counts_b)
    assert_counts(table, counts_a, counts_b)
    only_a = [term for term in counts_a if term not in counts_b]
    assert all(table.loc[term, "z"] > 0 for term in only_a)


def test_swapping_the_sides_negates_z(artifacts: Artifacts) -> None:
    matrix = artifacts.term_matrix
    sides = view.compared_sides(artifacts.articles, artifacts.mentions, "sources", SOURCES[0], SOURCES[1])
    forward = view.distinctive_terms(matrix, sides, artifacts.articles).set_index("term")["z"]
    backward = view.distinctive_terms(matrix, view.Sides(a=sides.b, b=sides.a, in_both=0), artifacts.articles).set_index("term")["z"]
    assert forward.sort_index().to_numpy() == pytest.approx(-backward.sort_index().to_numpy())


def z_table(zs: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"term": list(zs), "count_a": 3, "count_b": 2, "delta": 0.0, "z": list(zs.values())})


def test_top_terms_take_each_sides_strongest() -> None:
    top = view.top_terms(z_table({"a": 3.0, "b": 0.5, "c": 0.0, "d": -4.0, "e": -1.0, "f": 2.0}), 2)
    assert list(zip(top["term"], top["side"], strict=True)) == [("a", "a"), ("f", "a"), ("d", "b"), ("e", "b")]


def test_scatter_draws_terms_by_side_and_labels_the_strongest() -> None:
    table = z_table({"war": 5.0, "<b>x</b>": 2.5, "rice": 0.3, "peace": -3.0, "calm": -1.0})
    fig = view.scatter_figure(table, "<i>A</i>", "B", n_labels=1)
    by_name = {trace.name: trace for trace in fig.data}
    assert [row[0] for row in by_name["more in &lt;i&gt;A&lt;/i&gt;"].customdata] == ["war", "<b>x</b>"]
    assert [row[0] for row in by_name["more in B"].customdata] == ["peace"]
    assert sorted(row[0] for row in by_name["no clear difference"].customdata) == ["calm", "rice"]
    texts = [text for trace in fig.data for text in trace.text if text]
    assert sorted(texts) == ["peace", "war"]
    assert by_name["more in &lt;i&gt;A&lt;/i&gt;"].customdata[1][1] == "&lt;b&gt;x&lt;/b&gt;"  # shown escaped, picked raw
    assert "<i>" not in fig.layout.yaxis.title.text and fig.layout.xaxis.type == "log"
    assert all("markers" in trace.mode for trace in fig.data)
    assert by_name["more in &lt;i&gt;A&lt;/i&gt;"].textposition == "top center" and by_name["more in B"].textposition == "bottom center"


def test_scatter_names_only_a_few_terms_per_side_and_no_red_or_green() -> None:
    table = z_table({f"a{number}": 3.0 + number for number in range(20)} | {f"b{number}": -3.0 - number for number in range(20)})
    fig = view.scatter_figure(table, "A", "B")
    named = [text for trace in fig.data for text in trace.text if text]
    assert len(named) == 2 * view.N_LABELLED and set(named) >= {"a19", "b19"}
    assert view.COLOR_B.lower() not in ("#e45756", "#d62728") and view.COLOR_A.lower() not in ("#2ca02c", "#54a24b")


def test_scatter_labels_never_overlap_nor_repeat_a_phrase() -> None:
    shown = pd.DataFrame({
        "term": ["state media", "media", "biden", "putin", "moscow", "far apart", "peace"],
        "total": [170, 171, 100, 101, 2, 5, 1000],
        "z": [8.6, 8.6, -4.0, -4.05, -3.0, 4.0, -3.0],
    })
    named = view.spaced_labels(shown, 5)
    assert "state media" in named and "media" not in named  # its words are in a named phrase
    assert ("biden" in named) != ("putin" in named)  # the same spot: one name
    assert {"moscow", "far apart", "peace"} <= set(named)
    assert view.spaced_labels(shown.iloc[:0], 5) == []


def test_scatter_keeps_the_largest_z_when_capped() -> None:
    fig = view.scatter_figure(z_table({"a": 5.0, "b": 0.1, "c": -4.0, "d": 0.2}), "A", "B", max_points=2)
    assert sorted(row[0] for trace in fig.data for row in trace.customdata) == ["a", "c"]


def test_bars_show_each_sides_top_terms(artifacts: Artifacts) -> None:
    table = z_table({"war": 5.0, "<b>x</b>": 2.5, "peace": -3.0, "calm": -1.0, "rice": -0.2})
    fig = view.bars_figure(table, "<img src=x>", "B", n=2)
    assert [list(trace.y) for trace in fig.data] == [["war", "&lt;b&gt;x&lt;/b&gt;"], ["peace", "calm"]]
    assert [row[0] for row in fig.data[1].customdata] == ["peace", "calm"] and list(fig.data[1].x) == [3.0, 1.0]
    assert "&lt;img src=x&gt;" in fig.layout.annotations[0].text


# --- the page, through app.py ---------------------------------------------------------------


def open_compare(app_test: AppRun, params: dict[str, str | list[str]] | None = None) -> AppTest:
    return app_test(params).switch_page(PAGE).run()


def term_table(at: AppTest) -> pd.DataFrame:
    return next(frame.value for frame in at.dataframe if "count_a" in frame.value.columns)


def caption_with(at: AppTest, text: str) -> str:
    return next(caption.value for caption in at.caption if text in caption.value)


def test_page_compares_the_largest_source_with_the_rest(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_compare(app_test)
    assert not at.exception and [title.value for title in at.title] == ["Compare"]
    articles = raw["articles"]
    largest = articles["source"].value_counts().sort_index().idxmax()
    assert at.selectbox(key="a_source").value == largest and at.selectbox(key="b_source").value == view.REST
    in_a = set(articles.loc[articles["source"] == largest, "article_id"])
    assert f"{len(in_a)} articles. B" in caption_with(at, "A: ") and f"{40 - len(in_a)} articles" in caption_with(at, "A: ")
    table = term_table(at).set_index("term")
    counts_a, counts_b = counts_by_hand(raw, in_a), counts_by_hand(raw, set(articles["article_id"]) - in_a)
    assert_counts(table, counts_a, counts_b)
    assert len(at.get("plotly_chart")) == 1


def test_leaders_from_the_url_drop_the_articles_naming_both(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_compare(app_test, {"compare": "leaders", "a_leader": "Donald Trump", "b_leader": "Kim Jong Un"})
    trump, kim = mentioning(raw, "donald-trump"), mentioning(raw, "kim-jong-un")
    caption = caption_with(at, "A: ")
    assert not at.exception and not at.warning
    assert f"{len(trump - kim)} articles. B" in caption and f"{len(kim - trump)} articles. {len(trump & kim)} articles in both" in caption


def test_periods_take_the_dates_of_the_url_within_the_filters(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_compare(app_test, {"compare": "periods", "a_start": "2018-01-01", "a_end": "2018-12-31", "b_start": "2019-01-01",
                                 "source": SOURCES[0]})
    articles = raw["articles"].loc[raw["articles"]["source"] == SOURCES[0]]
    in_2018 = (articles["date"] < "2019-01-01").sum()
    caption = caption_with(at, "A: ")
    assert not at.exception and f"{in_2018} articles. B" in caption and caption.endswith(f"{len(articles) - in_2018} articles.")


def test_clicking_a_term_lists_it_in_context_and_a_line_opens_the_article(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_compare(app_test)
    at.session_state["compare_scatter"] = {"selection": {"points": [{"customdata": ["breakthrough", "breakthrough", "1", "2"]}],
                                                         "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert not at.exception and at.selectbox(key="compare_term").value == "breakthrough"
    articles, sentences = raw["articles"], raw["sentences"]
    largest = at.selectbox(key="a_source").value
    with_term = sentences.loc[sentences["text"].str.contains("breakthrough")].merge(articles[["article_id", "source"]], on="article_id")
    lines_a, lines_b = at.dataframe[-2].value, at.dataframe[-1].value
    assert len(lines_a) == (with_term["source"] == largest).sum() and len(lines_b) == (with_term["source"] != largest).sum()
    assert set(lines_a["source"]) == {largest} and set(lines_a["term"]) == {"breakthrough"}
    at.selectbox(key="compare_term").set_value("summit").run()  # the click does not pin the term
    assert at.selectbox(key="compare_term").value == "summit"
    first = at.dataframe[-1].value["article_id"].iloc[0]
    at.session_state[at.dataframe[-1].key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception and [title.value for title in at.title] == ["Articles"]
    assert at.query_params["article"] in (first, [first])


def test_a_set_emptied_by_the_filters_says_so(app_test: AppRun) -> None:
    at = open_compare(app_test, {"source": SOURCES[0]})
    assert not at.exception
    assert any("B \\(all other sources\\) has no article within the filters" in info.value for info in at.info)


def test_malformed_page_params_give_notices_and_defaults(app_test: AppRun) -> None:
    at = open_compare(app_test, {"compare": "moods", "a_source": "<b>nobody</b>"})
    notices = " ".join(warning.value for warning in at.warning)
    assert not at.exception and 'compare \\"moods\\"' in notices and "\\<b\\>nobody\\<\\/b\\>" in notices
    assert at.radio(key="compare").value == "sources"
    at = open_compare(app_test, {"compare": "periods", "a_start": "2019-13-01"})
    assert not at.exception and any("a\\_start" in warning.value for warning in at.warning)


def test_the_bars_view_draws_both_sides_and_escapes_a_hostile_source(app_test: AppRun) -> None:
    at = open_compare(app_test, {"a_source": SOURCES[2]})
    at.segmented_control(key="compare_chart_kind").set_value("bars").run()
    spec = at.get("plotly_chart")[0].proto.spec
    assert not at.exception and len(json.loads(spec)["data"]) == 2
    assert "<img" not in spec and "&lt;img src=x onerror=alert(1)&gt; Wire" in spec


def test_no_matching_article_says_so(app_test: AppRun) -> None:
    at = open_compare(app_test, {"q": "no article says this"})
    assert not at.exception and any("No article matches" in info.value for info in at.info)


def test_a_long_page_param_is_quoted_cut_short(app_test: AppRun) -> None:
    at = open_compare(app_test, {"compare": "x" * 5_000})
    notices = " ".join(warning.value for warning in at.warning)
    assert not at.exception and "x" * MAX_ECHO_LENGTH + "…" in notices and "x" * (MAX_ECHO_LENGTH + 1) not in notices
