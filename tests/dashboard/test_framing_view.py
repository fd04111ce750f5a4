"""Framing: axes from summed cues, cue volume, per-source values, the furthest-leaning articles, figures, the page."""
from __future__ import annotations

import html
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import framing_view as view
from dashboard.data import Artifacts
from dashboard.text_store import TextStore
from tests.dashboard.artifact_factory import SOURCES, write_text_store
from tests.dashboard.test_app import url_values
from tests.dashboard.test_topics_view import chart_selection, chart_spec

AppRun = Callable[..., AppTest]
PAGE = "pages/framing.py"
DEAL, POSTURE = view.AXES["deal_axis"], view.AXES["posture_axis"]
K = view.SHRINKAGE_CUES


@pytest.fixture(scope="module")
def raw(artifact_dir: Path) -> pd.DataFrame:
    """articles.parquet as written, read with plain pandas (the expectations' source)."""
    return pd.read_parquet(artifact_dir / "articles.parquet")


def hand_made(rows: list[tuple[str, float, float, float, float, int]]) -> pd.DataFrame:
    """Articles from (date, all-at-once, step-by-step, engagement, pressure, words); other columns filled in."""
    frame = pd.DataFrame(rows, columns=["date", "frame_all_at_once", "frame_step_by_step", "frame_engagement", "frame_pressure", "n_words"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["article_id"] = [f"x{i}" for i in range(len(frame))]
    frame["source"] = ["S1" if i % 2 == 0 else "S2" for i in range(len(frame))]
    frame["title"] = [f"Title {i}" for i in range(len(frame))]
    for axis in view.AXES.values():
        positive, negative = frame[axis.positive], frame[axis.negative]
        frame[axis.name] = ((positive - negative) / (positive + negative)).where(positive + negative > 0)
    return frame


def row(table: pd.DataFrame, axis: str, **keys: object) -> pd.Series:
    mask = table["axis"] == axis
    for name, value in keys.items():
        mask &= table[name] == value
    (index,) = table.index[mask]
    return table.loc[index]


# --- axes from summed cues --------------------------------------------------------------


def test_a_period_axis_weighs_cues_not_articles() -> None:
    # One article with three all-at-once cues, one with one step-by-step cue: (3 - 1) / (4 + k), not the mean of two articles.
    table = view.axes_by_period(hand_made([("2019-03-04", 3, 0, 0, 0, 100), ("2019-03-20", 0, 1, 0, 2, 100)]), "month")
    deal = row(table, "deal_axis", period=pd.Timestamp("2019-03-01"))
    assert deal["value"] == pytest.approx(2 / (4 + K))
    assert (deal["positive_cues"], deal["negative_cues"], deal["cues"], deal["articles"]) == (3, 1, 4, 2)
    posture = row(table, "posture_axis", period=pd.Timestamp("2019-03-01"))
    assert posture["value"] == pytest.approx(-2 / (2 + K)) and posture["cues"] == 2


def test_a_period_without_cues_has_no_value_and_is_thin() -> None:
    table = view.axes_by_period(hand_made([("2019-03-04", 3, 0, 0, 0, 100), ("2019-05-02", 0, 0, 0, 0, 80)]), "month")
    may = row(table, "deal_axis", period=pd.Timestamp("2019-05-01"))
    assert math.isnan(may["value"]) and may["cues"] == 0 and may["thin"]


@pytest.mark.parametrize(("cues", "thin"), [(4.5, True), (5.0, False), (7.0, False)])
def test_thin_means_fewer_than_min_cues(cues: float, thin: bool) -> None:
    table = view.axes_by_period(hand_made([("2019-03-04", cues - 1, 1, 0, 0, 100)]), "week")
    assert bool(row(table, "deal_axis")["thin"]) is thin


def test_weekly_periods_start_on_mondays() -> None:
    table = view.axes_by_period(hand_made([("2019-03-06", 1, 0, 0, 0, 10), ("2019-03-11", 0, 1, 0, 0, 10)]), "week")
    assert sorted(table["period"].dt.strftime("%Y-%m-%d").unique()) == ["2019-03-04", "2019-03-11"]


def test_axes_by_month_of_the_factory(artifacts: Artifacts, raw: pd.DataFrame) -> None:
    table = view.axes_by_period(artifacts.articles, "month")
    months = raw["date"].dt.to_period("M").dt.start_time
    sums = raw.groupby(months)[["frame_engagement", "frame_pressure"]].sum()
    posture = table.loc[table["axis"] == "posture_axis"].set_index("period")
    assert len(posture) == 24 and posture["articles"].sum() == 40
    for month, (engagement, pressure) in sums.iterrows():
        expected = (engagement - pressure) / (engagement + pressure + K) if engagement + pressure else np.nan
        assert posture.loc[month, "value"] == pytest.approx(expected, nan_ok=True)
        assert posture.loc[month, "cues"] == pytest.approx(engagement + pressure)


def test_axes_by_source_of_the_factory(artifacts: Artifacts, raw: pd.DataFrame) -> None:
    table = view.axes_by_source(artifacts.articles)
    assert set(table["source"]) == set(SOURCES) and len(table) == 2 * len(SOURCES)
    for source in SOURCES:
        of_source = raw.loc[raw["source"] == source]
        every, step = of_source["frame_all_at_once"].sum(), of_source["frame_step_by_step"].sum()
        deal = row(table, "deal_axis", source=source)
        assert deal["value"] == pytest.approx((every - step) / (every + step + K))
        assert (deal["cues"], deal["articles"], deal["thin"]) == (every + step, len(of_source), every + step < 5)


def test_no_articles_give_empty_tables(artifacts: Artifacts) -> None:
    none = artifacts.articles.iloc[:0]
    assert view.axes_by_period(none, "month").empty and view.axes_by_source(none).empty
    assert view.cue_volume(none, "month").empty and view.strongest_articles(none, DEAL).empty


# --- cue volume -------------------------------------------------------------------------


def test_cue_volume_per_1000_words() -> None:
    articles = hand_made([("2019-03-04", 2, 0, 1, 0, 300), ("2019-03-20", 1, 1, 0, 0.5, 200), ("2019-04-02", 0, 0, 0, 0, 0)])
    volume = view.cue_volume(articles, "month").set_index(["period", "frame"])
    march = pd.Timestamp("2019-03-01")
    assert volume.loc[(march, "frame_all_at_once"), "per_1000_words"] == pytest.approx(1000 * 3 / 500)
    assert volume.loc[(march, "frame_pressure"), "per_1000_words"] == pytest.approx(1)
    assert volume.loc[(march, "frame_step_by_step"), ["cues", "words"]].tolist() == [1, 500]
    assert volume.loc[(march, "frame_engagement"), "label"] == "engagement"
    assert math.isnan(volume.loc[(pd.Timestamp("2019-04-01"), "frame_pressure"), "per_1000_words"])  # no words, no rate


def test_cue_volume_of_the_factory_adds_up(artifacts: Artifacts, raw: pd.DataFrame) -> None:
    volume = view.cue_volume(artifacts.articles, "month")
    assert len(volume) == 4 * 24
    for frame in ("frame_all_at_once", "frame_step_by_step", "frame_engagement", "frame_pressure"):
        assert volume.loc[volume["frame"] == frame, "cues"].sum() == pytest.approx(raw[frame].sum())
    assert volume.loc[volume["frame"] == "frame_pressure", "words"].sum() == raw["n_words"].sum()


# --- the articles leaning furthest ------------------------------------------------------


def test_strongest_articles_each_way_by_net_cues() -> None:
    articles = hand_made([
        ("2019-01-01", 4, 1, 0, 0, 10),  # net +3
        ("2019-01-02", 1, 0, 0, 0, 10),  # net +1
        ("2019-01-03", 2, 2, 0, 0, 10),  # balanced: left out
        ("2019-01-04", 0, 5, 0, 0, 10),  # net -5
        ("2019-01-05", 1, 3, 0, 0, 10),  # net -2
        ("2019-01-06", 0, 0, 3, 0, 10),  # no deal cue: left out
    ])
    table = view.strongest_articles(articles, DEAL, n=10)
    assert table["article_id"].tolist() == ["x0", "x1", "x4", "x3"]  # strongest positive on top, strongest negative at the bottom
    assert table["net"].tolist() == [3, 1, -2, -5]
    assert table["side"].tolist() == ["all-at-once", "all-at-once", "step-by-step", "step-by-step"]
    assert table.loc[0, ["positive_cues", "negative_cues", "value"]].tolist() == [4, 1, pytest.approx(0.6)]


def test_strongest_articles_keep_n_per_side_and_break_ties_by_cues_then_date() -> None:
    articles = hand_made([
        ("2019-01-01", 2, 0, 0, 0, 10),
        ("2019-01-02", 3, 1, 0, 0, 10),  # same net as x0, more cues
        ("2019-01-03", 2, 0, 0, 0, 10),  # same as x0, newer
        ("2019-01-04", 0, 1, 0, 0, 10),
    ])
    table = view.strongest_articles(articles, DEAL, n=2)
    assert table["article_id"].tolist() == ["x1", "x2", "x3"]


def test_strongest_articles_on_the_posture_axis(artifacts: Artifacts, raw: pd.DataFrame) -> None:
    table = view.strongest_articles(artifacts.articles, POSTURE, n=3)
    net = (raw["frame_engagement"] - raw["frame_pressure"]).set_axis(raw["article_id"])
    assert len(table) == 6
    assert table["net"].head(3).tolist() == sorted(net[net > 0], reverse=True)[:3]
    assert table["net"].tail(3).tolist() == sorted(net[net < 0])[:3][::-1]
    assert table["net"].tolist() == net.loc[table["article_id"]].tolist()


# --- figures ----------------------------------------------------------------------------


def test_axes_figure_greys_thin_points_and_breaks_the_line_there() -> None:
    articles = hand_made([("2019-01-10", 6, 0, 1, 0, 10), ("2019-02-10", 1, 0, 0, 1, 10), ("2019-03-10", 2, 4, 3, 3, 10)])
    table = view.axes_by_period(articles, "month")
    fig = view.axes_figure(table, "month")
    deal_line, deal_thin, posture_line, posture_thin = fig.data
    assert list(deal_line.y)[0] == pytest.approx(6 / 7) and math.isnan(list(deal_line.y)[1])
    assert list(deal_line.y)[2] == pytest.approx(-2 / (6 + K))
    assert math.isnan(list(deal_thin.y)[0]) and list(deal_thin.y)[1] == pytest.approx(1 / (1 + K))
    assert deal_thin.marker.color == view.THIN_COLOR and deal_thin.mode == "markers" and "markers" in deal_line.mode
    assert [point[0] for point in deal_line.customdata] == ["2019-01-01", "2019-02-01", "2019-03-01"]
    assert [point[1] for point in posture_line.customdata] == [1, 1, 6]
    assert fig.layout.yaxis.range == (-1.05, 1.05)
    assert posture_thin.showlegend and math.isnan(list(posture_line.y)[0])


def test_cue_volume_figure_has_a_selectable_line_per_frame(artifacts: Artifacts) -> None:
    volume = view.cue_volume(artifacts.articles, "month")
    fig = view.cue_volume_figure(volume, "month")
    assert [trace.name for trace in fig.data] == ["all-at-once", "step-by-step", "engagement", "pressure"]
    assert all("markers" in trace.mode and len(trace.customdata) == 24 for trace in fig.data)


def test_source_figure_escapes_sources_and_labels_the_cues(artifacts: Artifacts) -> None:
    table = view.axes_by_source(artifacts.articles)
    fig = view.source_figure(table)
    assert len(fig.data) == 2
    names = set(fig.data[0].y)
    assert "&lt;img src=x onerror=alert(1)&gt; Wire" in names and not any("<" in name for name in names)
    deal = table.loc[table["axis"] == "deal_axis"]
    assert list(fig.data[0].text) == [view.cue_count(cues) for cues in deal["cues"]]
    assert list(fig.data[0].x) == deal["value"].tolist()


@pytest.mark.parametrize(("cues", "words"), [(8.25, "8 cues"), (1.2, "1 cue"), (0.3, "under 1 cue"), (0.0, "under 1 cue"), (1234.6, "1,235 cues")])
def test_cue_counts_are_whole_in_words(cues: float, words: str) -> None:
    assert view.cue_count(cues) == words


def test_source_figure_greys_thin_sources() -> None:
    table = view.axes_by_source(hand_made([("2019-01-01", 9, 1, 0, 0, 10), ("2019-01-02", 1, 0, 0, 0, 10)]))
    colors = list(view.source_figure(table).data[0].marker.color)
    assert colors == [DEAL.color, view.THIN_COLOR]  # S1 rests on 10 cues, S2 on 1


def test_strongest_figure_carries_raw_ids_and_escaped_titles(artifacts: Artifacts) -> None:
    table = view.strongest_articles(artifacts.articles, DEAL)
    hostile = table.assign(title=["<script>alert(1)</script>" + "x" * 80] + table["title"].tolist()[1:])
    fig = view.strongest_figure(hostile, DEAL)
    bar = fig.data[0]
    assert [point[0] for point in bar.customdata] == table["article_id"].tolist()
    assert list(bar.x) == table["net"].tolist()
    ticks = list(fig.layout.yaxis.ticktext)
    assert ticks[0].startswith("&lt;script&gt;") and "<script" not in "".join(ticks)
    assert ticks[0].replace("<br>", "").replace(" ", "") == ("&lt;script&gt;alert(1)&lt;/script&gt;" + "x" * 80)  # whole, not cut
    assert all(len(line) <= view.TITLE_LINE_CHARS for tick in ticks for line in html.unescape(tick).split("<br>"))
    assert bar.customdata[0][1].startswith("&lt;script&gt;")


def test_long_titles_wrap_on_spaces_without_losing_a_word() -> None:
    title = "North Korea and the United States agree to resume working-level talks after a long pause in Stockholm"
    wrapped = view.wrapped_title(title, 40)
    assert wrapped.replace("<br>", " ") == title and wrapped.count("<br>") == 2


def test_the_caption_explains_both_axes() -> None:
    for words in ("all-at-once", "step-by-step", "engagement", "pressure", f"fewer than {view.MIN_CUES} cues"):
        assert words in view.AXES_CAPTION


# --- coverage and example sentences -----------------------------------------------------


def test_coverage_counts_articles_with_a_counted_cue_and_the_weight_set_aside() -> None:
    articles = hand_made([("2019-01-01", 1, 0, 0, 0, 10), ("2019-01-02", 0, 0, 0, 0, 10), ("2019-01-03", 0, 0, 2, 1, 10)])
    articles["frame_off_topic"] = [0.0, 3.0, 1.0]
    articles["frame_dprk_deterrent"] = [0.0, 0.0, 0.75]
    coverage = view.cue_coverage(articles)
    assert (coverage.articles, coverage.with_cue, coverage.counted) == (3, 2, 4.0)
    assert coverage.share_with_cue == pytest.approx(2 / 3)
    assert coverage.share_set_aside == pytest.approx(4.75 / 8.75)
    labels = [label for label, _, _ in view.coverage_metrics(coverage)]
    values = [value for _, value, _ in view.coverage_metrics(coverage)]
    assert labels == ["Articles with a framing cue about Korea", "Cue weight set aside"] and values == ["67%", "54%"]


def test_coverage_of_a_build_without_the_set_aside_columns_and_of_nothing() -> None:
    older = view.cue_coverage(hand_made([("2019-01-01", 1, 0, 0, 0, 10)]))
    assert (older.off_topic, older.dprk_deterrent, older.share_set_aside) == (0.0, 0.0, 0.0)
    empty = view.cue_coverage(hand_made([]))
    assert empty.articles == 0 and math.isnan(empty.share_with_cue) and math.isnan(empty.share_set_aside)
    assert [value for _, value, _ in view.coverage_metrics(empty)] == ["-", "none"]


@pytest.fixture
def examples_input(tmp_path: Path) -> tuple[pd.DataFrame, pd.DataFrame, TextStore]:
    """Three articles' sentences (self-written) with the frame columns the build would give them, on disk:
    the cue sentences as the app keeps them, the articles, and the store that reads the sentences."""
    articles = hand_made([("2019-01-01", 0, 0, 0, 0, 10), ("2019-02-01", 0, 0, 0, 0, 10), ("2019-03-01", 0, 0, 0, 0, 10)])
    rows = [
        ("x0", "North Korea wants talks and a summit.", {"frame_engagement": 2.0}),
        ("x0", "Pyongyang agreed to talks.", {"frame_engagement": 1.0}),
        ("x1", "Seoul backed talks.", {"frame_engagement": 1.0}),
        ("x1", "Sanctions on Iran were tightened.", {"frame_off_topic": 1.0}),
        ("x2", "The DPRK will bolster its war deterrent.", {"frame_dprk_deterrent": 0.75}),
        ("x2", "Seoul wants sanctions, not talks.", {"frame_pressure": 1.0}),
    ]
    columns = [*view.FRAME_COLUMNS, *view.NOT_COUNTED]
    sentences = pd.DataFrame([{"article_id": article, "sentence_idx": i, "text": text, "actor_ids": [],
                               **{column: values.get(column, 0.0) for column in columns}}
                              for i, (article, text, values) in enumerate(rows)])
    texts = write_text_store(tmp_path / "store", articles, sentences)
    return texts.cue_sentences(columns), articles, texts


def test_examples_take_the_strongest_sentence_per_article_and_name_the_cues(examples_input: tuple) -> None:
    cue_sentences, articles, texts = examples_input
    examples = view.frame_examples(cue_sentences, articles, texts, n=3)
    engagement = examples.loc[examples["frame"] == "frame_engagement"]
    assert engagement["article_id"].tolist() == ["x0", "x1"]  # one per article, the heavier first
    assert engagement["cues"].tolist() == ["talks; summit", "talks"]
    assert examples.loc[examples["frame"] == "frame_pressure", "cues"].tolist() == ["sanctions"]  # the negated talks are not named
    off_topic = examples.loc[examples["frame"] == "frame_off_topic"]
    assert off_topic["cues"].tolist() == ["Sanctions"] and off_topic["label"].tolist() == ["set aside: about another subject"]
    assert examples.loc[examples["frame"] == "frame_dprk_deterrent", "cues"].tolist() == ["deterrent"]
    assert "frame_all_at_once" not in set(examples["frame"])


def test_examples_come_from_the_given_articles_only_and_at_most_n_per_frame(examples_input: tuple) -> None:
    cue_sentences, articles, texts = examples_input
    examples = view.frame_examples(cue_sentences, articles.iloc[1:], texts, n=1)
    assert set(examples["article_id"]) == {"x1", "x2"}
    assert examples.groupby("frame").size().max() == 1
    assert view.frame_examples(cue_sentences, articles.iloc[:0], texts).empty


def test_examples_of_the_factory_name_a_cue_for_every_frame(artifacts: Artifacts) -> None:
    examples = view.frame_examples(artifacts.cue_sentences, artifacts.articles, artifacts.texts)
    assert set(examples["frame"]) == set(view.FRAME_COLUMNS)
    assert (examples.groupby("frame").size() == view.EXAMPLES_PER_FRAME).all()
    named = examples.loc[examples["cues"] != ""]
    assert set(named["frame"]) == set(view.FRAME_COLUMNS)
    assert all(cue in text for cues, text in zip(named["cues"], named["text"]) for cue in cues.split("; "))
    # The factory gives some sentences a frame their words do not carry: those name no cue rather than a wrong one.
    assert set(examples.loc[examples["cues"] == "", "text"].str.contains("condemned")) <= {True}


# --- the page, through app.py -----------------------------------------------------------


def open_framing(app_test: AppRun, params: dict[str, str | list[str]] | None = None) -> AppTest:
    return app_test(params).switch_page(PAGE).run()


def test_page_draws_every_chart(app_test: AppRun, raw: pd.DataFrame) -> None:
    at = open_framing(app_test)
    at.segmented_control(key="period").set_value("month").run()  # the factory's 40 articles are counted per quarter by default
    assert not at.exception and [title.value for title in at.title] == ["Framing"]
    assert len(at.get("plotly_chart")) == 4
    coverage = view.cue_coverage(raw)
    assert [metric.value for metric in at.metric] == [value for _, value, _ in view.coverage_metrics(coverage)]
    assert [expander.label for expander in at.expander] == ["How it is computed"]
    assert len(at.dataframe) == len(view.FRAME_COLUMNS)  # one table of examples per frame (the factory sets nothing aside)
    assert len(chart_spec(at, "framing_axes")["data"][0]["x"]) == 24
    strongest = [point[0] for point in chart_spec(at, "framing_strongest")["data"][0]["customdata"]]
    net = (raw["frame_all_at_once"] - raw["frame_step_by_step"]).set_axis(raw["article_id"])
    assert set(strongest) <= set(net[net != 0].index) and len(strongest) == min(10, (net > 0).sum()) + min(10, (net < 0).sum())


def test_source_filter_leaves_one_source(app_test: AppRun) -> None:
    at = open_framing(app_test, {"source": SOURCES[1]})
    assert not at.exception
    assert {name for trace in chart_spec(at, "framing_sources")["data"] for name in trace["y"]} == {SOURCES[1]}


def test_switching_the_axis_lists_the_posture_articles(app_test: AppRun, raw: pd.DataFrame) -> None:
    at = open_framing(app_test)
    at.segmented_control(key="framing_axis").set_value("posture_axis").run()
    ids = [point[0] for point in chart_spec(at, "framing_strongest")["data"][0]["customdata"]]
    net = (raw["frame_engagement"] - raw["frame_pressure"]).set_axis(raw["article_id"])
    assert not at.exception and net.loc[ids[0]] == net.max() and net.loc[ids[-1]] == net.min()


def test_selected_periods_narrow_the_articles_and_a_bar_opens_one(app_test: AppRun, raw: pd.DataFrame) -> None:
    at = open_framing(app_test)
    at.segmented_control(key="period").set_value("month").run()
    months = ["2019-01-01", "2019-02-01"]
    at.session_state["framing_axes"] = chart_selection(*([month, 1, 1, 0, 1] for month in months))
    at.run()
    in_months = set(raw.loc[raw["date"].dt.strftime("%Y-%m-01").isin(months), "article_id"])
    listed = {point[0] for point in chart_spec(at, "framing_strongest")["data"][0]["customdata"]}
    assert not at.exception and listed and listed <= in_months
    assert url_values(at, "sel") == [",".join(months)]
    assert f"**In January 2019 and February 2019, selected on the axes chart: {len(in_months)} articles**" in [
        text.value for text in at.markdown]
    at.session_state["framing_strongest"] = chart_selection([sorted(listed)[0]])
    at.run()
    assert [title.value for title in at.title] == ["Articles"]
    assert at.query_params["article"] in (sorted(listed)[0], [sorted(listed)[0]])
    del at.query_params["article"]  # the browser keeps no unbound parameter on a page switch
    at.switch_page(PAGE).run()
    assert [title.value for title in at.title] == ["Framing"]  # the old click does not open the article again


def test_a_selection_in_the_link_narrows_the_leaning_articles_and_a_bad_one_gives_a_notice(app_test: AppRun, raw: pd.DataFrame) -> None:
    at = open_framing(app_test, {"sel": "2019-01-01"})  # the factory's 40 articles are counted per quarter by default
    in_quarter = set(raw.loc[raw["date"].dt.to_period("Q").astype(str) == "2019Q1", "article_id"])
    listed = {point[0] for point in chart_spec(at, "framing_strongest")["data"][0]["customdata"]}
    assert not at.exception and not at.warning and listed and listed <= in_quarter
    bad = open_framing(app_test, {"sel": "2019-02-01"})  # no quarter starts on 1 February
    assert not bad.exception and len(bad.warning) == 1 and "Ignored sel" in bad.warning[0].value


def test_a_malformed_date_gives_a_notice_and_no_match_says_so(app_test: AppRun) -> None:
    at = app_test({"q": "no article says this", "end": "2019-02-30"})
    assert any("2019\\-02\\-30" in warning.value for warning in at.warning)  # on the run that reads the URL
    at.switch_page(PAGE).run()
    assert not at.exception and any("No article matches" in info.value for info in at.info)
