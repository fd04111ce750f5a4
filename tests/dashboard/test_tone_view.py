"""Tone view: summaries with their intervals, periods and rolling mean, sources, histogram, extremes, figures, the page."""
from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from streamlit.testing.v1 import AppTest

from dashboard import tone_view as view
from dashboard.data import Artifacts
from tests.dashboard.artifact_factory import SOURCES

AppRun = Callable[..., AppTest]
PAGE = "pages/tone.py"


@pytest.fixture(scope="module")
def raw_articles(artifact_dir: Path) -> pd.DataFrame:
    """articles.parquet as written, read with plain pandas (the expectations' source)."""
    return pd.read_parquet(artifact_dir / "articles.parquet")


def hand_made(tones: list[float], dates: list[str], sources: list[str] | None = None) -> pd.DataFrame:
    """Articles with just the columns the tone view reads."""
    n = len(tones)
    return pd.DataFrame({
        "article_id": [f"a{i}" for i in range(n)],
        "date": pd.to_datetime(dates),
        "source": sources or ["S"] * n,
        "title": [f"Title {i}" for i in range(n)],
        "tone": tones,
        "topic_id": [-1] * n,
    })


def t_interval(values: list[float]) -> tuple[float, float]:
    """A 95 % Student-t interval, computed with scipy.stats."""
    mean, sd, n = np.mean(values), np.std(values, ddof=1), len(values)
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    return max(mean - half, -1.0), min(mean + half, 1.0)


# --- summaries -------------------------------------------------------------------------


def test_summarise_tone_flags_thin_groups_and_keeps_the_interval() -> None:
    frame = pd.DataFrame({"group": ["a"] * 4 + ["b"] * 5, "tone": [0.1, 0.2, 0.3, 0.4, -0.1, -0.2, 0.0, -0.3, -0.2]})
    table = view.summarise_tone(frame, ["group"], min_n=5).set_index("group")
    assert table["thin"].to_dict() == {"a": True, "b": False}
    assert table.loc["b", "mean"] == pytest.approx(-0.16)
    assert (table.loc["b", "ci_low"], table.loc["b", "ci_high"]) == pytest.approx(t_interval([-0.1, -0.2, 0.0, -0.3, -0.2]))


def test_headline_counts_each_side_of_the_neutral_band() -> None:
    tones = [-0.5, -0.05, 0.0, 0.04, 0.05, 0.3]
    head = view.tone_headline(hand_made(tones, ["2019-01-01"] * 6))
    assert head.articles == 6
    assert (head.negative, head.neutral, head.positive) == pytest.approx((2 / 6, 2 / 6, 2 / 6))
    assert head.mean == pytest.approx(sum(tones) / 6)
    assert (head.ci_low, head.ci_high) == pytest.approx(t_interval(tones))


def test_headline_of_nothing_is_nan() -> None:
    head = view.tone_headline(hand_made([], []))
    assert head.articles == 0 and math.isnan(head.mean) and math.isnan(head.positive)


def test_tone_by_month_matches_a_manual_grouping(artifacts: Artifacts, raw_articles: pd.DataFrame) -> None:
    table = view.tone_by_period(artifacts.articles, "month")
    expected = raw_articles.groupby(raw_articles["date"].dt.strftime("%Y-%m-01"))["tone"].agg(["size", "mean"])
    got = table.set_index(table["period"].dt.strftime("%Y-%m-%d"))
    assert got["n"].to_dict() == expected["size"].to_dict()
    assert np.allclose(got["mean"], expected["mean"].loc[got.index])
    assert (got["thin"] == (got["n"] < view.MIN_ARTICLES)).all()
    assert ((got["ci_low"] <= got["mean"]) & (got["mean"] <= got["ci_high"])).all()


def test_rolling_mean_weights_articles_and_counts_empty_periods() -> None:
    # Jan 0.2, 0.4 | Feb none | Mar -0.3 | Apr 0.2, 0.4 | May 1.0
    articles = hand_made([0.2, 0.4, -0.3, 0.2, 0.4, 1.0],
                         ["2019-01-03", "2019-01-20", "2019-03-05", "2019-04-01", "2019-04-30", "2019-05-15"])
    table = view.tone_by_period(articles, "month", window=3)
    assert table["period"].dt.strftime("%m").tolist() == ["01", "03", "04", "05"]
    expected = [0.6 / 2, (-0.3 + 0.6) / 3, (-0.3 + 0.6 + 1.0) / 4, (0.6 + 1.0) / 3]
    assert table["rolling_mean"].tolist() == pytest.approx(expected)


def test_rolling_mean_by_week_uses_calendar_weeks() -> None:
    articles = hand_made([0.5, -0.5], ["2019-03-04", "2019-03-20"])  # Mondays 4 and 18 March, an empty week between
    table = view.tone_by_period(articles, "week", window=3)
    assert table["period"].dt.strftime("%Y-%m-%d").tolist() == ["2019-03-04", "2019-03-18"]
    assert table["rolling_mean"].tolist() == pytest.approx([0.5, -0.5])


def test_tone_by_period_of_nothing_is_empty() -> None:
    table = view.tone_by_period(hand_made([], []), "month")
    assert table.empty and "rolling_mean" in table


def test_tone_by_source_counts_each_source_and_month(artifacts: Artifacts, raw_articles: pd.DataFrame) -> None:
    table = view.tone_by_source(artifacts.articles, "month")
    expected = raw_articles.groupby(["source", raw_articles["date"].dt.strftime("%Y-%m-01")])["tone"].mean()
    got = table.set_index(["source", table["period"].dt.strftime("%Y-%m-%d")])["mean"]
    assert set(table["source"]) == set(SOURCES)
    assert got.sort_index().to_numpy() == pytest.approx(expected.sort_index().to_numpy())


def test_sources_by_coverage_breaks_ties_by_name() -> None:
    articles = hand_made([0.0] * 5, ["2019-01-01"] * 5, sources=["b", "a", "c", "c", "b"])
    assert view.sources_by_coverage(articles, 2) == ["b", "c"]
    assert view.sources_by_coverage(articles, 9) == ["b", "c", "a"]


# --- histogram -------------------------------------------------------------------------


def test_histogram_bins_are_centred_with_the_neutral_band_in_the_middle() -> None:
    tones = [-1.0, -0.05, 0.0, 0.049, 0.05, 1.0, float("nan")]
    table = view.tone_histogram(hand_made(tones, ["2019-01-01"] * len(tones)))
    assert len(table) == 21 and table["articles"].sum() == 6
    counts = dict(zip(((table["bin_low"] + table["bin_high"]) / 2).round(2), table["articles"], strict=True))
    assert counts[-1.0] == 1 and counts[0.0] == 3 and counts[0.1] == 1 and counts[1.0] == 1
    assert table["bin_high"].sub(table["bin_low"]).round(10).eq(view.BIN_WIDTH).all()


def test_histogram_by_source_has_every_bin_of_every_source(artifacts: Artifacts, raw_articles: pd.DataFrame) -> None:
    table = view.tone_histogram(artifacts.articles, by_source=True)
    assert list(table.columns) == ["source", "bin_low", "bin_high", "articles"]
    assert len(table) == 21 * len(SOURCES)
    assert table.groupby("source")["articles"].sum().to_dict() == raw_articles["source"].value_counts().to_dict()


def test_each_bar_selects_as_many_articles_as_it_shows(artifacts: Artifacts) -> None:
    table = view.tone_histogram(artifacts.articles, by_source=True)
    for row in table.loc[table["articles"] > 0].itertuples():
        picked = view.articles_in_tone_bins(artifacts.articles, [(row.bin_low, row.bin_high, row.source)])
        assert len(picked) == row.articles and (picked["source"] == row.source).all()


def test_tone_bins_without_a_source_take_every_source() -> None:
    articles = hand_made([0.12, 0.14, 0.3], ["2019-01-01"] * 3, sources=["a", "b", "a"])
    assert view.articles_in_tone_bins(articles, [(0.05, 0.15)])["article_id"].tolist() == ["a0", "a1"]
    assert view.articles_in_tone_bins(articles, [(0.05, 0.15, "b"), (0.25, 0.35, "a")])["article_id"].tolist() == ["a1", "a2"]


# --- extreme articles ------------------------------------------------------------------


@pytest.mark.parametrize("positive", [True, False])
def test_extreme_articles_are_the_most_extreme_of_their_sign(artifacts: Artifacts, raw_articles: pd.DataFrame, positive: bool) -> None:
    table = view.extreme_articles(artifacts.articles, artifacts.mentions, artifacts.actor_names, artifacts.topic_labels, positive, n=5)
    signed = raw_articles["tone"] if positive else -raw_articles["tone"]
    expected = sorted(signed[signed > 0], reverse=True)[:5]
    assert (table["tone"] if positive else -table["tone"]).tolist() == pytest.approx(expected)
    assert set(table.columns) >= {"article_id", "date", "source", "title", "tone", "leaders", "topic"}


def test_extreme_ties_go_to_the_newer_article_and_neutral_ones_are_left_out() -> None:
    articles = hand_made([0.4, 0.4, 0.0, -0.2], ["2019-01-01", "2019-06-01", "2019-03-01", "2019-02-01"])
    mentions = pd.DataFrame({"article_id": pd.Series(dtype="str"), "actor_id": pd.Series(dtype="str"), "count": pd.Series(dtype="int64")})
    positive = view.extreme_articles(articles, mentions, {}, {-1: ""}, positive=True)
    negative = view.extreme_articles(articles, mentions, {}, {-1: ""}, positive=False)
    assert positive["article_id"].tolist() == ["a1", "a0"]
    assert negative["article_id"].tolist() == ["a3"]
    assert view.extreme_articles(articles, mentions, {}, {-1: ""}, positive=True, n=1)["article_id"].tolist() == ["a1"]  # a tie at the cut


# --- figures ---------------------------------------------------------------------------


def summary_table() -> pd.DataFrame:
    """Five months; March is thin, so the band splits into Jan-Feb and Apr-May."""
    return pd.DataFrame({
        "period": pd.date_range("2019-01-01", periods=5, freq="MS"),
        "n": [6, 7, 2, 8, 9],
        "mean": [0.1, 0.2, 0.9, -0.1, 0.0],
        "se": [0.05] * 5,
        "ci_low": [0.0, 0.1, -1.0, -0.2, -0.1],
        "ci_high": [0.2, 0.3, 1.0, 0.0, 0.1],
        "thin": [False, False, True, False, False],
        "rolling_mean": [0.15, 0.3, 0.4, 0.2, -0.05],
    })


def test_over_time_figure_draws_thin_periods_apart() -> None:
    fig = view.tone_over_time_figure(summary_table(), "month")
    band, means, thin, rolling = fig.data
    assert band.fill == "toself" and band.hoverinfo == "skip"
    assert list(band.y) == [0.2, 0.3, 0.1, 0.0, None, 0.0, 0.1, -0.1, -0.2, None]
    assert np.isnan(means.y[2]) and means.y[0] == 0.1 and means.mode == "lines+markers"
    assert [value for value in thin.y if not np.isnan(value)] == [0.9] and thin.marker.color == view.THIN_COLOR
    assert [row[0] for row in means.customdata] == ["2019-01-01", "2019-02-01", "2019-03-01", "2019-04-01", "2019-05-01"]
    assert list(rolling.y) == [0.15, 0.3, 0.4, 0.2, -0.05] and rolling.line.dash == "dash"
    assert all(np.isnan(value) for value in means.error_y.array)  # every solid mean sits in a band


def test_a_solid_mean_between_thin_ones_gets_an_error_bar() -> None:
    table = summary_table().assign(thin=[True, False, True, False, False])
    band, means, _, _ = view.tone_over_time_figure(table, "month").data
    assert list(band.y) == [0.0, 0.1, -0.1, -0.2, None]  # only April-May make a band
    assert means.error_y.array[1] == pytest.approx(0.1) and means.error_y.arrayminus[1] == pytest.approx(0.1)
    assert np.isnan(means.error_y.array[3])


def test_panels_figure_one_escaped_panel_per_key_with_raw_keys_in_customdata() -> None:
    table = pd.concat([summary_table().assign(source=SOURCES[2]), summary_table().iloc[:2].assign(source="Plain")])
    labels = {"Plain": "Plain", SOURCES[2]: SOURCES[2]}
    fig = view.tone_panels_figure(table, "source", labels, "articles", "month")
    assert [note.text for note in fig.layout.annotations] == ["Plain", "&lt;img src=x onerror=alert(1)&gt; Wire"]
    assert len(fig.data) == 6 and {trace.yaxis for trace in fig.data} == {"y", "y2"}
    hostile_means = fig.data[4]
    assert {row[1] for row in hostile_means.customdata} == {SOURCES[2]} and "<img" not in hostile_means.name
    assert fig.layout.yaxis2.matches == "y" and fig.layout.yaxis.domain[0] > fig.layout.yaxis2.domain[1]


def test_histogram_figure_customdata_maps_back_to_bins_and_sources(artifacts: Artifacts) -> None:
    split = view.histogram_figure(view.tone_histogram(artifacts.articles, by_source=True))
    assert len(split.data) == 3 and split.layout.barmode == "stack"
    hostile = next(trace for trace in split.data if "onerror" in trace.name)
    assert "<img" not in hostile.name and {row[2] for row in hostile.customdata} == {SOURCES[2]}
    whole = view.histogram_figure(view.tone_histogram(artifacts.articles))
    assert len(whole.data) == 1 and sum(whole.data[0].y) == len(artifacts.articles)
    assert len(whole.data[0].customdata[0]) == 2


# --- the page, through app.py ---------------------------------------------------------


def open_tone(app_test: AppRun, params: dict[str, str | list[str]] | None = None) -> AppTest:
    return app_test(params).switch_page(PAGE).run()


def chart_spec(at: AppTest, key: str) -> dict:
    """The JSON spec of the chart whose widget key ends with `key`."""
    return next(json.loads(chart.proto.spec) for chart in at.get("plotly_chart") if chart.proto.id.endswith(key))


def plotted(values: list | dict) -> list:
    """A data array of a chart's JSON spec: Plotly writes numeric arrays as base64 typed arrays."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return values


def histogram_total(at: AppTest) -> int:
    return int(sum(sum(plotted(trace["y"])) for trace in chart_spec(at, "tone_histogram")["data"]))


def select(at: AppTest, key: str, *customdata: list) -> AppTest:
    """Select points of a chart by their customdata, as a click or a box would, and rerun."""
    points = [{"customdata": row} for row in customdata]
    at.session_state[key] = {"selection": {"points": points, "point_indices": list(range(len(points))), "box": [], "lasso": []}}
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_page_shows_the_tone_of_every_article_with_escaped_sources(app_test: AppRun, raw_articles: pd.DataFrame) -> None:
    at = open_tone(app_test)
    assert not at.exception and [title.value for title in at.title] == ["Tone"]
    assert metric(at, "Mean tone") == f"{raw_articles['tone'].mean():+.3f}"
    assert histogram_total(at) == 40
    assert len(chart_spec(at, "tone_sources")["layout"]["annotations"]) == len(SOURCES)
    at.toggle(key="tone_histogram_by_source").set_value(True).run()
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    shown = [trace.get("name", "") for spec in specs for trace in spec["data"]]
    shown += [note.get("text", "") for spec in specs for note in spec["layout"].get("annotations", [])]
    assert not at.exception and histogram_total(at) == 40
    assert shown.count("&lt;img src=x onerror=alert(1)&gt; Wire") >= 3  # panel title, its mean trace, its histogram bars
    assert not any("<img" in text for text in shown)


def test_the_source_filter_narrows_every_chart(app_test: AppRun, raw_articles: pd.DataFrame) -> None:
    at = open_tone(app_test, {"source": SOURCES[0]})
    kept = raw_articles.loc[raw_articles["source"] == SOURCES[0]]
    assert not at.exception and not at.warning
    assert metric(at, "Mean tone") == f"{kept['tone'].mean():+.3f}"
    assert histogram_total(at) == len(kept)
    assert [note["text"] for note in chart_spec(at, "tone_sources")["layout"]["annotations"]] == [SOURCES[0]]


def test_clicking_a_period_lists_its_articles_and_a_row_opens_one(app_test: AppRun, raw_articles: pd.DataFrame) -> None:
    at = open_tone(app_test)
    at.segmented_control(key="period").set_value("month").run()
    month = "2018-03-01"
    select(at, "tone_over_time", [month, "", 2, -1, 1])
    in_month = raw_articles.loc[raw_articles["date"].dt.strftime("%Y-%m-01") == month, "article_id"]
    assert not at.exception and "Articles in the selection" in [header.value for header in at.subheader]
    listing = at.dataframe[0]
    assert set(listing.value["article_id"]) == set(in_month) and 0 < len(in_month) < 40
    newest = listing.value["article_id"].iloc[0]
    at.session_state[listing.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception and [title.value for title in at.title] == ["Articles"]
    assert at.query_params["article"] in (newest, [newest])


def test_clicking_a_bar_lists_the_articles_of_that_tone_band(app_test: AppRun, raw_articles: pd.DataFrame) -> None:
    at = open_tone(app_test)
    select(at, "tone_histogram", [-0.05, 0.05])
    neutral = raw_articles.loc[(raw_articles["tone"] >= -0.05) & (raw_articles["tone"] < 0.05), "article_id"]
    assert not at.exception and set(at.dataframe[0].value["article_id"]) == set(neutral)


def test_a_selection_of_more_articles_than_a_listing_holds_lists_the_newest(
    app_test: AppRun, raw_articles: pd.DataFrame, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("dashboard.common.MAX_LISTED", 3)
    at = open_tone(app_test)
    select(at, "tone_histogram", [-0.05, 0.05])
    neutral = raw_articles.loc[(raw_articles["tone"] >= -0.05) & (raw_articles["tone"] < 0.05)]
    newest = neutral.sort_values(["date", "article_id"], ascending=[False, True])["article_id"].head(3)
    assert len(neutral) > 3 and not at.exception
    assert list(at.dataframe[0].value["article_id"]) == list(newest)
    assert any(f"{len(neutral):,} articles match" in caption.value and "newest 3 are listed" in caption.value for caption in at.caption)


def test_selecting_a_most_negative_article_opens_its_breakdown(app_test: AppRun, raw_articles: pd.DataFrame) -> None:
    at = open_tone(app_test)
    most_negative = raw_articles.sort_values("tone")["article_id"].iloc[0]
    listing = at.dataframe[-1]
    assert listing.value["article_id"].iloc[0] == most_negative
    at.session_state[listing.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception and [title.value for title in at.title] == ["Articles"]
    assert at.query_params["article"] in (most_negative, [most_negative])


def test_a_malformed_parameter_gives_a_notice(app_test: AppRun, raw_articles: pd.DataFrame) -> None:
    at = open_tone(app_test)
    at.query_params["start"] = "2019-02-30"
    at.query_params["source"] = "Nowhere"
    at.run()
    assert not at.exception and [title.value for title in at.title] == ["Tone"]
    notices = " ".join(warning.value for warning in at.warning)
    assert "Nowhere" in notices and "2019\\-02\\-30" in notices
    assert metric(at, "Mean tone") == f"{raw_articles['tone'].mean():+.3f}"  # both ignored: every article


def test_no_matching_article_says_so(app_test: AppRun) -> None:
    at = open_tone(app_test, {"q": "no article says this"})
    assert not at.exception and any("No article matches" in info.value for info in at.info)
    assert not at.get("plotly_chart")


def test_tone_by_cells_groups_by_group_then_period_and_leaves_out_items_without_a_code() -> None:
    periods = pd.DatetimeIndex(["2024-01-01", "2024-02-01"])
    group = np.array([1, 1, 0, 0, -1, 0])
    period = np.array([0, 0, 1, 1, 0, -1])  # the fifth item has no group, the sixth no period
    tone = np.array([0.5, 0.1, -0.2, -0.4, 0.9, 0.9])
    table = view.tone_by_cells(group, ["b-source", "a-source"], period, periods, tone, 1, "source")
    assert table["source"].tolist() == ["b-source", "a-source"]
    assert table["period"].tolist() == [periods[1], periods[0]]
    assert table["n"].tolist() == [2, 2]
    assert table["mean"].round(6).tolist() == [-0.3, 0.3]
