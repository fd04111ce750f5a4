"""Make corpus text inert before it reaches a browser.

Titles, sources and article text come from files anyone can build a corpus from, so
they may hold HTML (`<script>`), Markdown links (`[x](javascript:...)`), LaTeX (`$x$`)
or Streamlit directives (`:red[...]`). The rule of the app: corpus text goes into
`st.dataframe`/`st.text` (never interpreted) or through `escape_html` into `st.html`
markup, and into Markdown-rendering calls (`st.warning`, `st.caption`) only through
`escape_markdown`.
"""
from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from pandas import isna
from pandas.api.types import is_scalar

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping
# all of them also disarms Streamlit's extensions ($ math, :colour[...] and :emoji:).
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
_WHITESPACE = re.compile(r"\s+")
_SAFE_URL_SCHEMES = ("http", "https")
MAX_ECHO_LENGTH = 40
"""URL values quoted in notices are cut to this many characters (a link can carry megabytes)."""


def as_text(value: object) -> str:
    """A display string for a cell: missing values (None, NaN, pd.NA) become ''."""
    if value is None or (is_scalar(value) and isna(value)):
        return ""
    return str(value)


def escape_html(value: object) -> str:
    """Escape text for HTML element content and quoted attribute values."""
    # "&#34;" rather than "&quot;": equally safe in HTML, and plotly decodes only numeric entities.
    return html.escape(as_text(value), quote=True).replace("&quot;", "&#34;")


def escape_markdown(value: object) -> str:
    """Escape text so Streamlit's Markdown shows it literally, on one line."""
    one_line = _WHITESPACE.sub(" ", as_text(value)).strip()
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line)


def safe_http_url(value: object) -> str | None:
    """The URL, escaped for an href, when it is plain http(s); None otherwise (javascript:, data:, relative)."""
    url = as_text(value).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_URL_SCHEMES or not parts.netloc:
        return None
    return escape_html(url)


def mark_matches(text: object, pattern: re.Pattern[str] | None, css_class: str) -> str:
    """Escaped HTML of `text` with every match of `pattern` wrapped in <mark class=css_class>.

    The pattern runs on the raw text and each piece is escaped on its own, so a match can
    never split an HTML entity or inject markup.
    """
    raw = as_text(text)
    if pattern is None:
        return escape_html(raw)
    pieces: list[str] = []
    position = 0
    for match in pattern.finditer(raw):
        if match.end() == match.start():
            continue
        pieces.append(escape_html(raw[position:match.start()]))
        pieces.append(f'<mark class="{escape_html(css_class)}">{escape_html(match.group(0))}</mark>')
        position = match.end()
    pieces.append(escape_html(raw[position:]))
    return "".join(pieces)


def shown_in_notice(value: str) -> str:
    """A URL value as a notice quotes it: at most MAX_ECHO_LENGTH characters, then an ellipsis.

    Still to be escaped (`escape_markdown`) where the notice is Markdown.
    """
    return value if len(value) <= MAX_ECHO_LENGTH else value[:MAX_ECHO_LENGTH] + "…"
