"""Changing a filter in the sidebar rewrites the URL, and that URL reproduces the view in a fresh browser."""
from __future__ import annotations

from datetime import date

import pytest

from tests.browser import LEADER_NAMES, LINK, LINK_END, LINK_LEADERS, LINK_START, matching_article_ids

pytestmark = pytest.mark.browser

NEW_START = date(2018, 9, 1)


def test_sidebar_changes_rewrite_the_link_and_the_link_reproduces_the_view(factory_server, factory_build, open_app):
    app = open_app(factory_server).open(f"/{LINK}")

    app.remove_chip(LEADER_NAMES["donald-trump"])
    app.wait_for_params(leader=["kim-jong-un"], start=[str(LINK_START)], end=[str(LINK_END)])
    assert app.chips("Leaders") == [LEADER_NAMES["kim-jong-un"]]
    assert app.metric("Articles") == str(len(matching_article_ids(factory_build, LINK_START, LINK_END, ["kim-jong-un"])))

    app.type_date("From", NEW_START)
    app.wait_for_params(leader=["kim-jong-un"], start=[str(NEW_START)], end=[str(LINK_END)])
    expected = matching_article_ids(factory_build, NEW_START, LINK_END, ["kim-jong-un"])
    assert app.metric("Articles") == str(len(expected))
    assert app.problems() == []

    shared = open_app(factory_server).open(app.link)
    assert shared.params == app.params
    assert (shared.date_value("From"), shared.date_value("To")) == (str(NEW_START), str(LINK_END))
    assert shared.chips("Leaders") == [LEADER_NAMES["kim-jong-un"]]
    assert shared.metric("Articles") == str(len(expected))
    assert shared.charts() == app.charts()
    assert shared.problems() == []


def test_switching_pages_keeps_the_filters(factory_server, factory_build, open_app):
    app = open_app(factory_server).open(f"/{LINK}")

    app.go_to("Articles")
    app.wait_for_params(path="/articles", start=[str(LINK_START)], end=[str(LINK_END)], leader=list(LINK_LEADERS))

    assert app.title() == "Articles"
    assert (app.date_value("From"), app.date_value("To")) == (str(LINK_START), str(LINK_END))
    assert app.chips("Leaders") == [LEADER_NAMES[leader] for leader in LINK_LEADERS]
    count = len(matching_article_ids(factory_build, LINK_START, LINK_END, LINK_LEADERS))
    assert app.page.get_by_text(f"{count} articles match the filters").is_visible()
    assert app.problems() == []
