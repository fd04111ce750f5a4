"""A shared link opens the same view on every page: widgets, URL and the articles shown."""
from __future__ import annotations

import pandas as pd
import pytest

from tests.browser import LEADER_NAMES, LINK, LINK_END, LINK_LEADERS, LINK_START, REPO_DIR, matching_article_ids

pytestmark = pytest.mark.browser

LINK_PARAMS = {"start": [str(LINK_START)], "end": [str(LINK_END)], "leader": list(LINK_LEADERS)}
VIEWS = sorted(path.stem for path in (REPO_DIR / "pages").glob("*.py"))
DEFAULT_VIEW = "overview"
"""app.py's first page, served at "/"."""


def view_path(view: str) -> str:
    return "/" if view == DEFAULT_VIEW else f"/{view}"


def test_views_are_read_from_the_pages_folder() -> None:
    """Guards the parametrisation below: an empty VIEWS would silently test nothing."""
    assert DEFAULT_VIEW in VIEWS and "articles" in VIEWS


@pytest.mark.parametrize("view", VIEWS)
def test_shared_link_sets_the_filters_on_every_page(view, factory_server, open_app):
    app = open_app(factory_server).open(f"/{view}{LINK}")

    assert app.problems() == []
    assert app.notices() == []
    assert app.path == view_path(view)
    if view in ("about", "your_corpus"):  # no filter sidebar there (issue 15): the link is left as it came
        assert app.page.locator('[data-testid="stSidebar"]').get_by_text("Filters", exact=True).count() == 0
        assert app.params == {**LINK_PARAMS, "leader": [",".join(LINK_LEADERS)]}
        return
    assert app.params == LINK_PARAMS
    assert (app.date_value("From"), app.date_value("To")) == (str(LINK_START), str(LINK_END))
    assert app.chips("Leaders") == [LEADER_NAMES[leader] for leader in LINK_LEADERS]


def test_overview_counts_and_charts_only_the_linked_articles(factory_server, factory_build, open_app):
    expected = matching_article_ids(factory_build, LINK_START, LINK_END, LINK_LEADERS)
    assert 0 < len(expected) < len(matching_article_ids(factory_build)), "the link must narrow the build for this test to mean anything"

    app = open_app(factory_server).open(f"/{LINK}")

    assert app.metric("Articles") == str(len(expected))
    volume, leaders, *_ = app.charts()
    assert sum(sum(trace["y"]) for trace in volume) == len(expected)
    bars = dict(zip(leaders[0]["y"], leaders[0]["x"], strict=True))
    for leader in LINK_LEADERS:
        assert bars[LEADER_NAMES[leader]] == len(matching_article_ids(factory_build, LINK_START, LINK_END, [leader]))


def test_articles_page_lists_only_the_linked_articles(factory_server, factory_build, open_app):
    expected = matching_article_ids(factory_build, LINK_START, LINK_END, LINK_LEADERS)

    app = open_app(factory_server).open(f"/articles{LINK}")

    assert app.page.get_by_text(f"{len(expected)} articles match the filters").is_visible()
    rows = app.table_rows()
    assert rows, "the listing shows no row"
    titles = pd.read_parquet(factory_build / "articles.parquet").set_index("article_id")["title"]
    assert {row["Title"] for row in rows} <= set(titles[sorted(expected)])
    assert all(str(LINK_START) <= row["Date"] <= str(LINK_END) for row in rows)


def test_malformed_link_shows_notices_not_errors(factory_server, open_app):
    app = open_app(factory_server).open("/tone?start=2019-02-31&leader=nobody,kim-jong-un&end=soon")

    assert app.problems() == []
    notices = app.notices()
    assert len(notices) == 1, "the link's problems are listed in one notice box"
    assert all(value in notices[0] for value in ('"2019-02-31"', '"soon"', '"nobody"'))
    assert app.chips("Leaders") == [LEADER_NAMES["kim-jong-un"]]
    assert app.params == {"leader": ["kim-jong-un"]}
