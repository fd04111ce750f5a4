"""Leaders view: sentence mentions, mentions over time, share of voice, co-mentions, leader tone, figures, the page."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from plotly.colors import sample_colorscale
from streamlit.testing.v1 import AppTest

from dashboard import leaders as view
from dashboard.data import Artifacts
from dashboard.figures import LIGHT_TEXT, contrast_ratio
from dashboard.tone_view import MIN_SENTENCES
from tests.dashboard.artifact_factory import ACTORS
from tests.dashboard.test_tone_view import chart_spec, plotted, select  # the page-test helpers of both views

AppRun = Callable[..., AppTest]
PAGE = "pages/leaders.py"
ALL_LEADERS = [actor[0] for actor in ACTORS]


@pytest.fixture(scope="module")
def raw(artifact_dir: Path) -> dict[str, pd.DataFrame]:
    """The factory's tables as written, read with plain pandas (the expectations' source)."""
    return {name: pd.read_parquet(artifact_dir / f"{name}.parquet") for name in ("articles", "sentences", "mentions", "sentence_actors")}


@pytest.fixture(scope="module")
def named(artifacts: Artifacts) -> pd.DataFrame:
    return artifacts.named_sentences


def month_of(raw: dict[str, pd.DataFrame]) -> dict[str, str]:
    """article_id -> its month as YYYY-MM-01."""
    articles = raw["articles"]
    return dict(zip(articles["article_id"], articles["date"].dt.strftime("%Y-%m-01"), strict=True))


def mentioning(raw: dict[str, pd.DataFrame], actor_id: str, month: str | None = None) -> set[str]:
    """The articles that mention the actor (in that month, YYYY-MM-01, when given), from the raw mentions."""
    mentions = raw["mentions"]
    ids = set(mentions.loc[mentions["actor_id"] == actor_id, "article_id"])
    return ids if month is None else {article_id for article_id in ids if month_of(raw)[article_id] == month}


def tiny_build() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Three articles. x names a (twice) and b in one sentence, each with its own tone toward them; y names a and b
    in two sentences; z names c alone.

    Returns articles, mentions (one row per article x actor) and sentence_actors (one row per mention).
    """
    articles = pd.DataFrame({"article_id": ["x", "y", "z"], "date": pd.to_datetime(["2019-01-05", "2019-01-25", "2019-02-10"])})
    sentences = pd.DataFrame({
        "article_id": ["x", "x", "x", "y", "y", "z"],
        "sentence_idx": [0, 0, 0, 0, 1, 0],
        "actor_id": ["a", "b", "a", "a", "b", "c"],
        "tone": [0.5, 0.2, 0.5, 0.3, -0.4, 0.1],
        "start": [0, 10, 20, 0, 0, 0],
        "end": [1, 11, 21, 1, 1, 1],
    })
    mentions = pd.DataFrame({"article_id": ["x", "x", "y", "y", "z"], "actor_id": ["a", "b", "a", "b", "c"], "count": [2, 1, 1, 3, 4]})
    return articles, mentions, sentences


# --- sentence mentions ----------------------------------------------------------------


def test_sentence_mentions_one_row_per_sentence_and_leader() -> None:
    _, _, sentences = tiny_build()
    table = view.sentence_mentions(sentences)
    rows = list(zip(table["sentence"], table["article_id"], table["actor_id"].astype(str), table["tone"], strict=True))
    assert rows == [(0, "x", "a", 0.5), (0, "x", "b", 0.2), (1, "y", "a", 0.3), (2, "y", "b", -0.4), (3, "z", "c", 0.1)]


def test_sentence_mentions_of_the_factory_build(raw: dict[str, pd.DataFrame], named: pd.DataFrame) -> None:
    expected = sum(len(ids) for ids in raw["sentences"]["actor_ids"])
    assert len(named) == expected
    per_actor = Counter(actor_id for ids in raw["sentences"]["actor_ids"] for actor_id in ids)
    assert named["actor_id"].astype(str).value_counts().to_dict() == dict(per_actor)


# --- which leaders --------------------------------------------------------------------


def test_chosen_leaders_are_shown_as_chosen(artifacts: Artifacts) -> None:
    chosen = ("moon-jae-in", "kim-jong-un")
    assert view.shown_leaders(artifacts.articles, artifacts.mentions, artifacts.actor_names, chosen, 1) == list(chosen)


def test_otherwise_the_most_mentioned_leaders(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    shown = view.shown_leaders(artifacts.articles, artifacts.mentions, artifacts.actor_names, (), 2)
    articles_per_leader = raw["mentions"].groupby("actor_id")["article_id"].nunique()
    assert len(shown) == 2
    assert [articles_per_leader[actor_id] for actor_id in shown] == sorted(articles_per_leader, reverse=True)[:2]


def test_labels_fall_back_to_the_id_and_colours_are_distinct() -> None:
    assert view.leader_labels(["a", "b"], {"a": "Alpha"}) == {"a": "Alpha", "b": "b"}
    colors = view.leader_colors(["a", "b", "c"])
    assert len(set(colors.values())) == 3


# --- mentions over time ----------------------------------------------------------------


def test_mentions_over_time_against_a_manual_count(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    leaders = ["kim-jong-un", "xi-jinping"]
    table = view.mentions_over_time(artifacts.articles, artifacts.mentions, leaders, "month")
    months = month_of(raw)
    assert len(table) == 24 * 2  # every month of the factory has articles, every leader gets a row
    period_articles = Counter(months.values())
    for row in table.itertuples():
        month = row.period.strftime("%Y-%m-%d")
        in_month = raw["mentions"]["article_id"].map(months).eq(month)
        mentioning = raw["mentions"].loc[(raw["mentions"]["actor_id"] == row.actor_id) & in_month]
        assert (row.articles, row.mentions, row.period_articles) == (len(mentioning), mentioning["count"].sum(), period_articles[month])
        assert row.share == pytest.approx(len(mentioning) / period_articles[month])


def test_mentions_over_time_follow_the_filtered_articles() -> None:
    articles, mentions, _ = tiny_build()
    table = view.mentions_over_time(articles.iloc[1:], mentions, ["b", "c"], "month")
    got = {(row.period.strftime("%m"), row.actor_id): (row.articles, row.mentions, row.share) for row in table.itertuples()}
    assert got == {("01", "b"): (1, 3, 1.0), ("01", "c"): (0, 0, 0.0), ("02", "b"): (0, 0, 0.0), ("02", "c"): (1, 4, 1.0)}


def test_weekly_periods_start_on_mondays() -> None:
    articles, mentions, sentences = tiny_build()
    over_time = view.mentions_over_time(articles, mentions, ["a"], "week")
    assert over_time["period"].dt.strftime("%Y-%m-%d").tolist() == ["2018-12-31", "2019-01-21", "2019-02-04"]
    assert over_time["articles"].tolist() == [1, 1, 0]
    tone = view.leader_tone(view.sentence_mentions(sentences), articles, ["a"], "week")
    assert tone["period"].dt.strftime("%Y-%m-%d").tolist() == ["2018-12-31", "2019-01-21"] and tone["mean"].tolist() == [0.5, 0.3]


# --- share of voice --------------------------------------------------------------------


def test_share_of_voice_with_the_other_leaders_summed() -> None:
    articles, mentions, _ = tiny_build()
    table = view.share_of_voice(articles, mentions, ["b", "a"], {"a": "Alpha", "b": "Beta"})
    assert table["name"].tolist() == ["Beta", "Alpha", view.OTHER_LEADERS]
    assert table["mentions"].tolist() == [4, 3, 4]
    assert table["share"].tolist() == pytest.approx([4 / 11, 3 / 11, 4 / 11])
    assert table["actor_id"].iloc[-1] == ""


def test_share_of_voice_without_others_or_without_any_mention() -> None:
    articles, mentions, _ = tiny_build()
    everyone = view.share_of_voice(articles, mentions, ["a", "b", "c"], {})
    assert view.OTHER_LEADERS not in everyone["name"].tolist() and everyone["share"].sum() == pytest.approx(1.0)
    nobody = view.share_of_voice(articles.iloc[:0], mentions, ["a"], {})
    assert nobody["mentions"].tolist() == [0] and nobody["share"].isna().all()


def test_share_of_voice_of_the_factory_build(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    table = view.share_of_voice(artifacts.articles, artifacts.mentions, ["donald-trump"], artifacts.actor_names).set_index("actor_id")
    mentions = raw["mentions"]
    trump = mentions.loc[mentions["actor_id"] == "donald-trump", "count"].sum()
    assert table.loc["donald-trump", "share"] == pytest.approx(trump / mentions["count"].sum())
    assert table.loc["", "mentions"] == mentions["count"].sum() - trump


# --- co-mentions ---------------------------------------------------------------------


def test_co_mentions_per_sentence_and_per_article_differ_as_they_should() -> None:
    articles, mentions, sentences = tiny_build()
    named = view.sentence_mentions(sentences)
    by_sentence = view.co_mention_table(articles, mentions, named, ["a", "b", "c"], "sentence").set_index(["actor_a", "actor_b"])["both"]
    by_article = view.co_mention_table(articles, mentions, named, ["a", "b", "c"], "article").set_index(["actor_a", "actor_b"])["both"]
    assert by_sentence[("a", "b")] == by_sentence[("b", "a")] == 1  # only x's first sentence names both
    assert by_article[("a", "b")] == by_article[("b", "a")] == 2  # x and y mention both
    assert by_sentence[("a", "a")] == 2 and by_article[("a", "a")] == 2 and by_article[("c", "c")] == 1
    assert by_article[("a", "c")] == 0 and len(by_article) == 9


@pytest.mark.parametrize("level", ["sentence", "article"])
def test_co_mentions_of_the_factory_build(artifacts: Artifacts, raw: dict[str, pd.DataFrame], named: pd.DataFrame, level: str) -> None:
    leaders = ALL_LEADERS[:4]
    table = view.co_mention_table(artifacts.articles, artifacts.mentions, named, leaders, level)
    if level == "sentence":
        units = [set(ids) for ids in raw["sentences"]["actor_ids"]]
    else:
        units = [set(group) for _, group in raw["mentions"].groupby("article_id")["actor_id"]]
    got = table.set_index(["actor_a", "actor_b"])["both"]
    for actor_a, actor_b in combinations(leaders, 2):
        expected = sum(1 for unit in units if {actor_a, actor_b} <= unit)
        assert got[(actor_a, actor_b)] == got[(actor_b, actor_a)] == expected
    for actor_id in leaders:
        assert got[(actor_id, actor_id)] == sum(1 for unit in units if actor_id in unit)


def test_a_co_mention_cell_lists_the_articles_behind_it() -> None:
    articles, mentions, sentences = tiny_build()
    named = view.sentence_mentions(sentences)
    assert view.articles_naming_pairs(articles, mentions, named, [("a", "b", 1)], "sentence")["article_id"].tolist() == ["x"]
    assert view.articles_naming_pairs(articles, mentions, named, [("b", "a", 2)], "article")["article_id"].tolist() == ["x", "y"]
    two_cells = view.articles_naming_pairs(articles, mentions, named, [("c", "c", 1), ("a", "b", 1)], "sentence")
    assert two_cells["article_id"].tolist() == ["x", "z"]
    assert view.articles_naming_pairs(articles.iloc[1:], mentions, named, [("a", "b", 1)], "sentence").empty


def test_a_leader_period_cell_lists_that_months_articles_mentioning_the_leader(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    cells = [("2018-05-01", "moon-jae-in"), ("2019-02-01", "xi-jinping")]
    expected = mentioning(raw, *cells[0][::-1]) | mentioning(raw, *cells[1][::-1])
    got = view.articles_for_leader_periods(artifacts.articles, artifacts.mentions, cells, "month")
    assert set(got["article_id"]) == expected and expected


# --- leader tone -----------------------------------------------------------------------


def test_leader_tone_against_a_manual_mean(artifacts: Artifacts, raw: dict[str, pd.DataFrame], named: pd.DataFrame) -> None:
    leaders = ["moon-jae-in", "donald-trump"]
    table = view.leader_tone(named, artifacts.articles, leaders, "month")
    months = month_of(raw)
    tones: dict[tuple[str, str], list[float]] = {}
    toward = raw["sentence_actors"].drop_duplicates(["article_id", "sentence_idx", "actor_id"])
    for article_id, tone, actor_id in zip(toward["article_id"], toward["tone"], toward["actor_id"], strict=True):
        if actor_id in leaders:
            tones.setdefault((actor_id, months[article_id]), []).append(tone)
    got = {(row.actor_id, row.period.strftime("%Y-%m-%d")): row for row in table.itertuples()}
    assert set(got) == set(tones)
    for key, values in tones.items():
        assert got[key].n == len(values) and got[key].mean == pytest.approx(np.mean(values))
        assert got[key].thin == (len(values) < MIN_SENTENCES)
    assert table["actor_id"].drop_duplicates().tolist() == leaders  # in the leaders' order


def test_leader_tone_is_the_tone_toward_the_leader_not_the_sentence_tone(artifacts: Artifacts, raw: dict[str, pd.DataFrame],
                                                                          named: pd.DataFrame) -> None:
    table = view.leader_tone(named, artifacts.articles, ALL_LEADERS, "month")
    toward = raw["sentence_actors"].groupby("actor_id")["tone"].mean()
    sentence_tone = raw["sentences"].explode("actor_ids").groupby("actor_ids")["tone"].mean()
    for actor_id, rows in table.groupby("actor_id"):
        overall = (rows["mean"] * rows["n"]).sum() / rows["n"].sum()
        assert overall == pytest.approx(toward[actor_id])
        assert overall != pytest.approx(sentence_tone[actor_id])  # the factory's tones toward differ from its sentence tones


def test_leader_tone_follows_the_filtered_articles() -> None:
    articles, _, sentences = tiny_build()
    named = view.sentence_mentions(sentences)
    table = view.leader_tone(named, articles.iloc[:1], ["a", "b"], "month")
    assert table[["actor_id", "n", "mean"]].values.tolist() == [["a", 1, 0.5], ["b", 1, 0.2]]
    assert table["thin"].all() and (table["ci_low"] == -1).all() and (table["ci_high"] == 1).all()


# --- figures ---------------------------------------------------------------------------


def test_mentions_figure_one_escaped_line_per_leader_with_period_and_id() -> None:
    articles, mentions, _ = tiny_build()
    table = view.mentions_over_time(articles, mentions, ["a", "b"], "month")
    fig = view.mentions_figure(table, "share", "month", {"a": "<b>A</b>", "b": "B"}, {"a": "red", "b": "blue"})
    assert [trace.name for trace in fig.data] == ["&lt;b&gt;A&lt;/b&gt;", "B"]
    assert [tuple(row[:2]) for row in fig.data[0].customdata] == [("2019-01-01", "a"), ("2019-02-01", "a")]
    assert list(fig.data[0].y) == [1.0, 0.0] and fig.data[0].mode == "lines+markers"
    assert fig.layout.yaxis.tickformat == ".0%"


def test_share_of_voice_figure_greys_the_other_leaders() -> None:
    articles, mentions, _ = tiny_build()
    table = view.share_of_voice(articles, mentions, ["a"], {"a": "Alpha"})
    fig = view.share_of_voice_figure(table, {"a": "red"})
    bars = fig.data[0]
    assert list(bars.marker.color) == ["red", view.THIN_COLOR]
    assert [row[0] for row in bars.customdata] == ["a", ""] and list(bars.y) == ["Alpha", view.OTHER_LEADERS]
    assert bars.textposition == "outside" and bars.textangle == 0  # a percentage is never turned on its side inside a bar


def test_co_mention_figure_blanks_the_diagonal_and_makes_cells_selectable() -> None:
    articles, mentions, sentences = tiny_build()
    table = view.co_mention_table(articles, mentions, view.sentence_mentions(sentences), ["a", "b", "c"], "article")
    fig = view.co_mention_figure(table, {"a": "A&A", "b": "B", "c": "C"}, "article")
    heatmap, cells = fig.data
    z = np.array(heatmap.z, dtype=float)
    assert np.isnan(np.diag(z)).all() and z[0][1] == z[1][0] == 2
    assert list(heatmap.x) == ["A&amp;A", "B", "C"]
    assert len(cells.customdata) == 6 and {tuple(row[:2]) for row in cells.customdata} >= {("a", "b"), ("b", "a")}
    assert cells.mode == "markers+text" and "Articles mentioning both" in fig.layout.title.text
    # every written count is readable on its cell: white on the darkest blue, dark on the palest
    fills = sample_colorscale("Blues", [int(count) / np.nanmax(z) for count in cells.text])
    assert all(contrast_ratio(color, fill) >= 4.5 for color, fill in zip(cells.textfont.color, fills, strict=True))
    assert LIGHT_TEXT in cells.textfont.color


# --- the page, through app.py ---------------------------------------------------------


def open_leaders(app_test: AppRun, params: dict[str, str | list[str]] | None = None) -> AppTest:
    return app_test(params).switch_page(PAGE).run()


def test_page_shows_the_most_mentioned_leaders_and_fewer_on_request(app_test: AppRun) -> None:
    at = open_leaders(app_test)
    assert not at.exception and [title.value for title in at.title] == ["Leaders"]
    assert at.slider(key="leaders_top_n").value == view.DEFAULT_TOP_N
    assert len(chart_spec(at, "leaders_mentions")["data"]) == view.DEFAULT_TOP_N
    assert len(chart_spec(at, "leaders_tone")["layout"]["annotations"]) == view.DEFAULT_TOP_N
    assert "Sentences naming both" in chart_spec(at, "leaders_pairs")["layout"]["title"]["text"]
    at.slider(key="leaders_top_n").set_value(2).run()
    assert not at.exception and len(chart_spec(at, "leaders_mentions")["data"]) == 2
    assert len(chart_spec(at, "leaders_tone")["layout"]["annotations"]) == 2


def test_sidebar_leaders_are_shown_and_counted_over_every_article(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_leaders(app_test, {"leader": "kim-jong-un,donald-trump"})
    assert not at.exception and not at.warning and not at.get("slider")
    names = [trace["name"] for trace in chart_spec(at, "leaders_mentions")["data"]]
    assert names == ["Kim Jong Un", "Donald Trump"]
    mentions = raw["mentions"]
    voice = chart_spec(at, "leaders_voice")["data"][0]
    kim = mentions.loc[mentions["actor_id"] == "kim-jong-un", "count"].sum()
    assert plotted(voice["x"])[0] == pytest.approx(kim / mentions["count"].sum())  # all leader mentions, not only in their articles


def test_clicking_a_point_lists_that_months_leader_articles_and_a_row_opens_one(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_leaders(app_test)
    at.segmented_control(key="period").set_value("month").run()
    month = month_of(raw)[max(mentioning(raw, "moon-jae-in"))]
    select(at, "leaders_mentions", [month, "moon-jae-in", 1, 2])
    expected = mentioning(raw, "moon-jae-in", month)
    listing = at.dataframe[0]
    assert not at.exception and set(listing.value["article_id"]) == expected and expected
    first = listing.value["article_id"].iloc[0]
    at.session_state[listing.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception and [title.value for title in at.title] == ["Articles"]
    assert at.query_params["article"] in (first, [first])


def test_clicking_a_cell_lists_the_articles_naming_both(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_leaders(app_test)
    at.segmented_control(key="leaders_level").set_value("article").run()
    select(at, "leaders_pairs", ["kim-jong-un", "xi-jinping", 3])
    expected = mentioning(raw, "kim-jong-un") & mentioning(raw, "xi-jinping")
    assert not at.exception and set(at.dataframe[0].value["article_id"]) == expected and expected


def test_a_malformed_leader_gives_a_notice(app_test: AppRun) -> None:
    at = open_leaders(app_test)
    at.query_params["leader"] = ["nobody", "moon-jae-in"]
    at.run()
    assert not at.exception and any("nobody" in warning.value for warning in at.warning)
    assert [trace["name"] for trace in chart_spec(at, "leaders_mentions")["data"]] == ["Moon Jae-in"]


def test_no_matching_article_says_so(app_test: AppRun) -> None:
    at = open_leaders(app_test, {"q": "no article says this"})
    assert not at.exception and any("No article matches" in info.value for info in at.info)
    assert not at.get("plotly_chart")
