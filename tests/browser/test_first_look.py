"""An analyst's first minutes (issue 15): the header line, time periods, dates on Enter, a phone without sideways scrolling.

Every page is also saved as a screenshot at 1440x900 and 390x844 in test-artifacts/screenshots/ (gitignored;
CI keeps the folder as an artifact), so the layout can be looked at after every run.
"""
from __future__ import annotations

import time
from datetime import date

import pytest
from playwright.sync_api import Browser

from tests.browser import REPO_DIR, AppPage, AppServer, matching_article_ids

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO_DIR / "test-artifacts" / "screenshots"
SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
VIEWS = sorted(path.stem for path in (REPO_DIR / "pages").glob("*.py"))
WITHOUT_FILTERS = ("about", "your_corpus")


def open_sized(browser: Browser, server: AppServer, size: str, path: str) -> AppPage:
    context = browser.new_context(viewport=SIZES[size])
    return AppPage(context.new_page(), server.base_url).open(path)


def chart_x(app: AppPage, chart: int = 0) -> list:
    """The distinct x values (periods) of a chart's traces."""
    return sorted({x for trace in app.charts()[chart] for x in (trace["x"] or [])})


def chart_x_once_redrawn(app: AppPage, before: list, timeout_s: float = 30.0) -> list:
    """chart_x after the chart has been redrawn with other periods (the link updates before the chart does)."""
    deadline = time.monotonic() + timeout_s
    while (now := chart_x(app)) == before and time.monotonic() < deadline:
        app.page.wait_for_timeout(200)
    return now


def test_every_view_says_what_it_shows_and_how_to_load_another_corpus(factory_server, open_app):
    app = open_app(factory_server).open("/")
    header = app.page.locator('[class*="st-key-pw_header"]')
    assert header.get_by_text("how the press covers North Korea diplomacy").is_visible()
    assert "40 articles, 3 sources, Jan 2018 to Dec 2019" in header.inner_text()  # the factory build is not the demo
    header.get_by_role("link", name="Load your own corpus").click()
    app.wait_for_params(path="/your_corpus")
    assert app.title() == "Your corpus" and app.problems() == []


def test_time_periods_change_every_bin_and_travel_in_the_link(factory_server, open_app):
    app = open_app(factory_server).open("/")
    automatic = chart_x(app)
    assert len(automatic) == 8  # 40 articles over two years: the typical month holds fewer than 5, a quarter more

    app.page.locator('[data-testid="stButtonGroup"]').get_by_text("month", exact=True).click()
    app.wait_for_params(period=["month"])
    monthly = chart_x_once_redrawn(app, automatic)
    assert len(monthly) > len(automatic) and app.problems() == []

    app.go_to("Tone")
    app.wait_for_params(path="/tone", period=["month"])
    assert len(chart_x(app)) == len(monthly)

    shared = open_app(factory_server).open(app.link)
    assert shared.params == app.params and shared.charts() == app.charts()


def test_a_bad_period_in_a_link_gets_one_notice(factory_server, open_app):
    app = open_app(factory_server).open("/?period=fortnight&leader=nobody")
    notices = app.notices()
    assert len(notices) == 1 and 'period "fortnight"' in notices[0] and 'leader "nobody"' in notices[0]
    assert len(chart_x(app)) == 8 and app.problems() == []


def test_a_typed_date_applies_on_enter(factory_server, factory_build, open_app):
    app = open_app(factory_server).open("/")
    day = date(2019, 3, 1)
    app.page.get_by_role("spinbutton", name="year, From", exact=True).click()
    app.page.keyboard.type(f"{day:%Y%m%d}")
    app.page.keyboard.press("Enter")  # no click elsewhere
    app.wait_for_params(start=[str(day)])
    assert app.metric("Articles") == str(len(matching_article_ids(factory_build, day)))
    assert app.problems() == []


def test_an_unknown_article_on_another_page_stays_there_with_a_notice(factory_server, open_app):
    app = open_app(factory_server).open("/tone?article=no-such-id")
    assert app.title() == "Tone" and app.path == "/tone"
    assert len(app.notices()) == 1 and "no-such-id" in app.notices()[0]


@pytest.mark.parametrize("view", VIEWS)
def test_no_sideways_scrolling_on_a_phone_and_screenshots_of_every_page(view, browser, factory_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        app = open_sized(browser, factory_server, size, "/" if view == "overview" else f"/{view}")
        try:
            app.page.screenshot(path=str(SCREENSHOTS / f"{view}-{size}.png"))
            assert app.problems() == []
            widths = app.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], f"{view} scrolls sideways at {size}: {widths}"
            has_filters = app.page.locator('[data-testid="stSidebar"]').get_by_text("Filters", exact=True).count() > 0
            assert has_filters is (view not in WITHOUT_FILTERS)
        finally:
            app.page.context.close()
