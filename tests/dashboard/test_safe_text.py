"""Corpus text is made inert for HTML, Markdown and links."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard.safe_text import as_text, escape_html, escape_markdown, mark_matches, safe_http_url
from tests.dashboard.artifact_factory import HOSTILE_TITLES


@pytest.mark.parametrize("hostile", HOSTILE_TITLES)
def test_escape_html_leaves_no_tag_or_quote(hostile: str) -> None:
    escaped = escape_html(hostile + " \"'")
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped and "'" not in escaped


def test_escape_html_keeps_the_text_readable() -> None:
    assert escape_html("<b>Kim & Moon</b>") == "&lt;b&gt;Kim &amp; Moon&lt;/b&gt;"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT])
def test_missing_values_become_empty_text(missing: object) -> None:
    assert as_text(missing) == "" and escape_html(missing) == ""


def test_escape_markdown_escapes_links_math_and_directives() -> None:
    assert escape_markdown("[click](javascript:alert(1))") == r"\[click\]\(javascript\:alert\(1\)\)"
    assert escape_markdown("$x$ :red[a] **b**") == r"\$x\$ \:red\[a\] \*\*b\*\*"


def test_escape_markdown_puts_text_on_one_line() -> None:
    assert escape_markdown("a\n\n# b") == r"a \# b"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "/relative", "https://", "", None])
def test_only_absolute_http_urls_are_links(url: object) -> None:
    assert safe_http_url(url) is None


def test_http_urls_are_escaped_for_the_attribute() -> None:
    assert safe_http_url(' https://example.org/a?b=1&c="x" ') == "https://example.org/a?b=1&amp;c=&#34;x&#34;"


def test_mark_matches_wraps_matches_and_escapes_the_rest() -> None:
    html = mark_matches("<i>Kim</i> met Kim", re.compile("Kim"), "m")
    assert html == '&lt;i&gt;<mark class="m">Kim</mark>&lt;/i&gt; met <mark class="m">Kim</mark>'


def test_mark_matches_never_splits_an_entity() -> None:
    assert mark_matches("a<b", re.compile("lt"), "m") == "a&lt;b"


def test_mark_matches_without_pattern_only_escapes() -> None:
    assert mark_matches("<script>", None, "m") == "&lt;script&gt;"


def test_escape_html_uses_numeric_quote_entity_that_plotly_decodes() -> None:
    # Plotly renders "&quot;" literally in legends and hovers; "&#34;" it decodes.
    assert escape_html('say "hi"') == "say &#34;hi&#34;"
