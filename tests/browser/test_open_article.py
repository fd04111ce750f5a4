"""An article opened from the Articles table or from a chart shows its breakdown and puts `article=` in the URL."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from tests.browser import LINK, LINK_END, LINK_LEADERS, LINK_START, AppPage, AppServer, matching_article_ids

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def titles(factory_build) -> pd.Series:
    """article_id -> title, from the build's Parquet file."""
    return pd.read_parquet(factory_build / "articles.parquet").set_index("article_id")["title"]


def opened_article(app: AppPage) -> str:
    """Wait until the Articles page shows an article with the link's filters kept; return the article's id."""
    app.wait_for_link(lambda path, params: path == "/articles" and "article" in params)
    assert {name: values for name, values in app.params.items() if name != "article"} == {
        "start": [str(LINK_START)], "end": [str(LINK_END)], "leader": list(LINK_LEADERS),
    }
    (article_id,) = app.params["article"]
    return article_id


def assert_same_breakdown_when_shared(app: AppPage, open_app: Callable[[AppServer], AppPage], server: AppServer) -> None:
    """Opening the page's link in a fresh browser context shows the same article breakdown."""
    shared = open_app(server).open(app.link)
    assert shared.params == app.params
    assert shared.article_header() == app.article_header()
    assert shared.article_text() == app.article_text()
    assert shared.problems() == []


def test_selecting_a_row_opens_the_article(factory_server, open_app, titles):
    app = open_app(factory_server).open(f"/articles{LINK}")
    row = app.table_rows()[1]

    app.select_row(1)
    article_id = opened_article(app)

    assert titles[article_id] == row["Title"]
    assert app.article_header() == row["Title"]
    assert app.problems() == []
    assert_same_breakdown_when_shared(app, open_app, factory_server)


def test_clicking_an_article_bar_opens_the_article(factory_server, open_app, titles):
    app = open_app(factory_server).open(f"/framing{LINK}")
    charts = app.charts()
    # The chart whose bars stand for articles (their customdata starts with an article id).
    chart = next(number for number, traces in enumerate(charts)
                 if traces[0]["type"] == "bar" and traces[0]["customdata"] and traces[0]["customdata"][0][0] in titles.index)

    clicked = app.click_bar(chart, 1)
    article_id = opened_article(app)

    assert article_id == clicked[0]
    assert app.article_header() == titles[article_id]
    assert app.problems() == []
    assert_same_breakdown_when_shared(app, open_app, factory_server)


def test_clicking_a_leader_bar_lists_its_articles_and_opens_one(factory_server, factory_build, open_app, titles):
    app = open_app(factory_server).open(f"/{LINK}")
    # The chart whose bars stand for leaders (customdata: [actor_id]).
    chart, bars = next((number, traces[0]) for number, traces in enumerate(app.charts()) if ["kim-jong-un"] in (traces[0]["customdata"] or []))

    clicked = app.click_bar(chart, bars["customdata"].index(["kim-jong-un"]))
    expected = matching_article_ids(factory_build, LINK_START, LINK_END, ["kim-jong-un"])
    app.page.get_by_text(f"{len(expected)} articles in the selection").wait_for()
    app.wait_ready()
    row = app.table_rows()[0]
    app.select_row(0)
    article_id = opened_article(app)

    assert clicked == ["kim-jong-un"]
    assert article_id in expected
    assert app.article_header() == row["Title"] == titles[article_id]
    assert app.problems() == []
