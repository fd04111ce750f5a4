"""Reading the charts in a real browser (issue 15): the keyword box finds typed phrases, and a chart's
selection travels in the link (`sel`), so a fresh browser shows the same listing under the chart.

Run on the demo corpus built by the real pipeline (data/demo), whose vocabulary has Korean names
joined the pipeline's way (kim-jong-un) and long words to complete (denuclearization).
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main as pipeline_main
from tests.browser import REPO_DIR, AppPage, AppServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:  # noqa: ARG001
    """The app on a fresh build of the demo corpus."""
    work_dir = tmp_path_factory.mktemp("browser-demo")
    assert pipeline_main(["build", "--input", str(REPO_DIR / "data" / "demo"), "--out", str(work_dir / "build"), "--quiet"]) == 0
    with AppServer(work_dir / "build", work_dir / "streamlit.log") as server:
        yield server


def keyword_box(app: AppPage) -> Any:
    main = app.page.locator('[data-testid="stMain"]')
    return main.locator('[data-testid="stMultiSelect"]').filter(has=app.page.get_by_text("Terms", exact=True))


def trend_terms(app: AppPage) -> list[str]:
    return [trace["name"] for trace in app.charts()[0]]


def wait_for_trend_terms(app: AppPage, terms: list[str]) -> None:
    """Wait until the trend chart draws these terms (the URL changes before the rerun has redrawn the chart)."""
    app.page.wait_for_function(
        """(expected) => {
          const plot = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
          return plot !== null && plot.data.map(trace => trace.name).join('|') === expected;
        }""", arg="|".join(terms), polling=100)
    app.wait_ready()


def test_a_typed_phrase_is_found_in_the_keyword_box(demo_server: AppServer, open_app) -> None:
    app = open_app(demo_server).open("/keywords")
    defaults = trend_terms(app)
    assert app.problems() == [] and len(defaults) == 3 and "north" not in defaults
    box = keyword_box(app).locator("input")
    box.click()
    app.page.keyboard.type("denucleari")
    assert app.page.get_by_role("option", name="denuclearization", exact=True).is_visible()  # searched as you type
    box.fill("")
    app.page.keyboard.type("Kim Jong Un")
    app.page.keyboard.press("Enter")
    app.page.keyboard.press("Escape")
    app.wait_for_params(term=["Kim Jong Un"])
    wait_for_trend_terms(app, ["kim-jong-un"])
    assert app.notices() == [] and app.problems() == []


def click_point(app: AppPage, chart: int, point: int) -> list[str]:
    """Click the point-th marker of the chart-th plotly chart's first trace; return its customdata."""
    plot = app.page.locator('[data-testid="stPlotlyChart"]').nth(chart)
    plot.scroll_into_view_if_needed()
    marker = plot.locator(".scatterlayer .trace").first.locator(".point").nth(point)
    box = marker.bounding_box()
    assert box is not None, "the point is not displayed"
    data = marker.evaluate("p => p.closest('.trace').__data__[0].trace.customdata[p.__data__.i]")
    app.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    return list(data)


def statement(app: AppPage) -> str:
    return app.page.locator('[data-testid="stMarkdown"]').filter(has_text="Sentences using").first.inner_text().strip()


def test_a_chart_selection_in_the_link_shows_the_same_listing_in_a_fresh_browser(demo_server: AppServer, open_app) -> None:
    app = open_app(demo_server).open("/keywords?term=sanctions")
    shares = app.charts()[0][0]["y"]
    busiest = max(range(len(shares)), key=shares.__getitem__)
    period, term = click_point(app, 0, busiest)
    app.wait_for_link(lambda _, params: params.get("sel") == [f"{period[:7]}|sanctions"])
    said, rows = statement(app), app.table_rows(0)
    assert term == "sanctions" and said.startswith('Sentences using "sanctions" in ') and rows

    fresh = open_app(demo_server).open(app.link)
    wait_for_trend_terms(fresh, ["sanctions"])
    assert fresh.params["sel"] == [f"{period[:7]}|sanctions"] and fresh.problems() == [] and fresh.notices() == []
    assert statement(fresh) == said and fresh.table_rows(0) == rows
