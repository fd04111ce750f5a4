"""app.py end to end with AppTest on the synthetic build: URL -> filters -> pages, notices, escaping."""
from __future__ import annotations

import gc
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard.config import BUILD_COMMAND, REPO_DIR
from dashboard.filters import _ENTER_COMMITS_DATES
from tests.dashboard.artifact_factory import ARTICLE_ID, HOSTILE_TITLES

AppRun = Callable[..., AppTest]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def url_values(at: AppTest, name: str) -> list[str]:
    """A URL parameter's values as a list (AppTest gives one value as a str, several as a list)."""
    values = at.query_params.get(name, [])
    return [values] if isinstance(values, str) else list(values)


def html_of(at: AppTest) -> str:
    """The HTML the app wrote, without the sidebar's one constant script (Enter commits a typed date)."""
    return "".join(element.proto.body for element in at.get("html") if element.proto.body != _ENTER_COMMITS_DATES)


def test_default_view_shows_every_article_with_a_clean_url_and_escaped_charts(app_test: AppRun) -> None:
    at = app_test()
    assert not at.exception
    assert [title.value for title in at.title] == ["Overview"]
    assert metric(at, "Articles") == "40" and metric(at, "Sources") == "3"
    assert dict(at.query_params) == {}
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    names = [trace.get("name", "") for spec in specs for trace in spec["data"]]
    annotations = [note.get("text", "") for spec in specs for note in spec["layout"].get("annotations", [])]
    assert len(specs) >= 3 and "&lt;img src=x onerror=alert(1)&gt; Wire" in names
    assert not any("<img" in text or "<script" in text for text in names + annotations)


def test_query_params_filter_the_view_and_are_normalised(app_test: AppRun, artifact_dir: Path) -> None:
    at = app_test({"source": "Demo: Ridge Post", "leader": "kim-jong-un,donald-trump", "start": "2018-06-01"})
    articles = pd.read_parquet(artifact_dir / "articles.parquet")
    mentions = pd.read_parquet(artifact_dir / "mentions.parquet")
    mentioning = set(mentions.loc[mentions["actor_id"].isin(["kim-jong-un", "donald-trump"]), "article_id"])
    expected = articles[(articles["source"] == "Demo: Ridge Post") & articles["article_id"].isin(mentioning)
                        & (articles["date"] >= "2018-06-01")]
    assert not at.exception and not at.warning
    assert metric(at, "Articles") == str(len(expected)) and 0 < len(expected) < 40
    assert url_values(at, "leader") == ["kim-jong-un", "donald-trump"]
    assert at.multiselect(key="pw_filter_leaders").value == ["kim-jong-un", "donald-trump"]


def test_malformed_params_give_notices_and_fall_back(app_test: AppRun) -> None:
    at = app_test({"start": "2019-13-01", "leader": ["nobody", "kim-jong-un"], "topic": "x", "end": "1990-01-01"})
    assert not at.exception
    notices = " ".join(warning.value for warning in at.warning)
    assert "2019\\-13\\-01" in notices and "nobody" in notices and "topic \\\"x\\\"" in notices and "1990\\-01\\-01" in notices
    assert url_values(at, "leader") == ["kim-jong-un"] and "topic" not in at.query_params and "start" not in at.query_params


def test_a_linked_search_without_words_is_named_once(app_test: AppRun) -> None:
    at = app_test({"q": "++"})
    assert not at.exception
    notices = " ".join(warning.value for warning in at.warning)
    assert notices.count("has no letters or digits") == 1


def test_changing_a_widget_writes_the_url(app_test: AppRun) -> None:
    at = app_test()
    at.multiselect(key="pw_filter_sources").set_value(["Demo: Harbour Times"]).run()
    at.text_input(key="pw_filter_q").input("summit").run()
    assert url_values(at, "source") == ["Demo: Harbour Times"] and url_values(at, "q") == ["summit"]
    assert int(metric(at, "Articles")) < 40
    assert not at.exception


def test_article_param_opens_the_breakdown_with_escaped_text(app_test: AppRun) -> None:
    article_id = ARTICLE_ID.format(1)
    at = app_test({"article": article_id})
    assert not at.exception
    assert [title.value for title in at.title] == ["Articles"]
    assert url_values(at, "article") == [article_id]
    html = html_of(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert 'class="pw-sentence"' in html
    assert at.button(key="articles_close")


def test_listing_shows_hostile_titles_as_data_and_a_selected_row_opens_until_closed(app_test: AppRun) -> None:
    at = app_test()
    at.switch_page("pages/articles.py").run()
    assert not at.exception and [title.value for title in at.title] == ["Articles"]
    assert at.sidebar.multiselect(key="pw_filter_leaders") is not None  # reached through app.py: sidebar present
    listing = at.dataframe[0]
    assert set(HOSTILE_TITLES) <= set(listing.value["title"]) and len(listing.value) == 40
    at.session_state[listing.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    newest = listing.value["article_id"].iloc[0]
    assert url_values(at, "article") == [newest] and 'class="pw-sentence"' in html_of(at)
    at.button(key="articles_close").click().run()
    assert "article" not in at.query_params and 'class="pw-sentence"' not in html_of(at)


def test_no_build_shows_how_to_make_one(app_test: AppRun, tmp_path: Path) -> None:
    at = app_test(data_dir=tmp_path / "empty")
    assert not at.exception
    assert any(BUILD_COMMAND in code.value or "pipeline build" in code.value for code in at.code)
    assert at.info


def test_selecting_a_bar_lists_that_periods_articles(app_test: AppRun, artifact_dir: Path) -> None:
    articles = pd.read_parquet(artifact_dir / "articles.parquet")
    in_cell = articles[(articles["date"].dt.strftime("%Y-%m") == "2018-04") & (articles["source"] == "Demo: Harbour Times")]
    at = app_test({"period": "month"})
    at.session_state["overview_volume"] = {"selection": {"points": [{"customdata": ["2018-04-01", "Demo: Harbour Times"]}],
                                                          "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert not at.exception
    listing = at.dataframe[0].value
    assert set(listing["article_id"]) == set(in_cell["article_id"]) and len(listing) >= 1


def test_no_page_keeps_its_globals_once_its_run_is_over(app_test: AppRun) -> None:
    """Streamlit keeps a widget's format_func and a download button's function for the session: a lambda defined in a
    page kept the page's globals, with the run's filtered articles (27 MB per page at a million stories)."""
    at = app_test({"leader": "kim-jong-un"})
    pages_dir = str(REPO_DIR / "pages")
    for page in ("overview", "leaders", "tone", "topics", "framing", "compare", "keywords", "articles"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, page
        gc.collect()
        # A page runs in a module of its own; a function it defines holds the module's dict (its globals).
        kept = [names["__file__"] for names in gc.get_objects()
                if isinstance(names, dict) and str(names.get("__file__", "")).startswith(pages_dir)]
        assert not kept, page
