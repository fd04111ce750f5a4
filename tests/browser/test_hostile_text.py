"""Corpus text that looks like markup is shown as literal text and never runs (escaping, end to end)."""
from __future__ import annotations

import pandas as pd
import pytest

from tests.browser import AppPage
from tests.browser.hostile_corpus import HOSTILE_SENTENCE, SURVIVING_MARKUP
from tests.dashboard.artifact_factory import EVENTS, HOSTILE_TITLES, SOURCES

pytestmark = pytest.mark.browser

INJECTED_JS = """() => {
  const found = [];
  const describe = (element) => element.outerHTML.slice(0, 200);
  const marker = /__xss|alert\\(/;
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      if (attribute.name.startsWith('on') && marker.test(attribute.value)) found.push(`event handler from the corpus: ${describe(element)}`);
      if (/^(href|src|xlink:href|action|formaction|data)$/.test(attribute.name) && /^\\s*javascript:/i.test(attribute.value)) {
        found.push(`javascript: URL: ${describe(element)}`);
      }
    }
  }
  for (const element of document.querySelectorAll('marquee, img[src="x"]')) found.push(`element from the corpus: ${describe(element)}`);
  for (const script of document.scripts) if (marker.test(script.textContent)) found.push(`script from the corpus: ${describe(script)}`);
  if (window.__xss !== undefined) found.push('window.__xss was set');
  return found;
}"""
"""Everything a payload of the corpus would leave behind had it been parsed as HTML or run."""


def injected(app: AppPage) -> list[str]:
    return app.page.evaluate(INJECTED_JS) + app.problems()


@pytest.fixture(scope="module")
def stored(hostile_build) -> pd.DataFrame:
    """What the pipeline kept of the hostile corpus (titles, sources), by article_id."""
    articles = pd.read_parquet(hostile_build / "articles.parquet", columns=["article_id", "title", "source"])
    return articles.astype({"title": str, "source": str}).set_index("article_id")


def test_the_hostile_build_keeps_markup_for_the_app_to_escape(stored):
    titles = " ".join(stored["title"])
    assert [fragment for fragment in SURVIVING_MARKUP if fragment not in titles] == []
    assert stored["source"].str.contains("ontoggle").any()


def test_every_page_shows_the_hostile_corpus_without_running_it(hostile_server, open_app):
    app = open_app(hostile_server).open("/")
    links = app.nav_links()
    assert len(links) >= 6
    seen = {}
    for title, path in links:
        app.go_to(title)
        app.wait_for_link(lambda url_path, _params, path=path: url_path == path)
        seen[title] = injected(app)
    assert seen == {title: [] for title, _ in links}


def test_chart_legends_show_hostile_sources_verbatim(hostile_server, open_app, stored):
    """Plotly decodes numeric entities and only a few named ones (amp, lt, gt, nbsp ...; not &quot;),
    so a quote escaped as &quot; shows as "&quot;" in legends, labels and hover text."""
    app = open_app(hostile_server).open("/")

    legend = app.page.locator('[data-testid="stPlotlyChart"]').first.locator(".legendtext").all_text_contents()

    assert sorted(legend) == sorted(set(stored["source"]))
    assert injected(app) == []


def test_articles_show_hostile_titles_sources_and_sentences_as_text(hostile_server, open_app, stored):
    app = open_app(hostile_server).open("/articles")
    rows = app.table_rows()
    assert sorted(row["Title"] for row in rows) == sorted(stored["title"])
    assert sorted(row["Source"] for row in rows) == sorted(stored["source"])

    titles = [row["Title"] for row in rows]
    for article_id in ("hostile-04", "hostile-05", "hostile-06", "hostile-07", "hostile-00"):
        app.select_row(titles.index(stored.loc[article_id, "title"]))
        app.wait_for_params(article=[article_id])
        assert app.article_header() == stored.loc[article_id, "title"]
        assert stored.loc[article_id, "source"] in app.page.locator('[data-testid="stMain"] [data-testid="stHtml"]').first.inner_text()
        assert (HOSTILE_SENTENCE in app.article_text()) == (article_id == "hostile-00")
        assert injected(app) == []


def test_script_tags_in_titles_are_visible_as_text(factory_server, open_app):
    app = open_app(factory_server).open("/articles?article=art-00001")

    assert app.article_header() == HOSTILE_TITLES[0]
    assert app.page.get_by_text("<script>alert(1)</script>", exact=True).is_visible()
    assert injected(app) == []

    app.go_to("Overview")
    app.wait_for_link(lambda path, _params: path == "/")
    assert SOURCES[2] in app.page.locator(".legendtext").all_text_contents()
    assert f"{EVENTS[3][1]}" in app.page.locator(".annotation-text").all_text_contents()
    assert injected(app) == []


def test_the_checks_see_a_payload_that_runs(browser):
    """The detector itself: a page where a payload did run must not pass."""
    context = browser.new_context()
    try:
        app = AppPage(context.new_page(), "about:blank")
        with app.page.expect_event("dialog"):
            app.page.set_content('<details open ontoggle="window.__xss=1">x</details><img src=x onerror="alert(1)">')
        app.page.wait_for_function("window.__xss === 1")

        found = injected(app)

        assert "window.__xss was set" in found
        assert any(text.startswith("event handler from the corpus") for text in found)
        assert any(text.startswith("dialog") for text in found)
    finally:
        context.close()
