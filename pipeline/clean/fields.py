"""Whole fields: titles and other one-line fields, bodies, derived titles and URLs.

Each function runs the concern modules in order (markup, encoding, Markdown,
boilerplate, dates) on one raw field. Length limits apply here, before any pattern
runs: a one-line field is cut at `MAX_LINE_CHARS`, a body longer than
`MAX_RAW_BODY_CHARS` is rejected.
"""

from __future__ import annotations

import re

from pipeline.clean.base import Cleaned, RecordProblem
from pipeline.clean.boilerplate import (
    DATELINE,
    HAS_WORD,
    is_byline,
    is_widget_line,
    letters_key,
    repeats_title,
    strip_end_markers,
    unglue_paragraphs,
)
from pipeline.clean.dates import find_date_line
from pipeline.clean.encoding import repair_encoding, without_surrogates
from pipeline.clean.markdown import MD_ESCAPE, decode_literal_escapes, strip_line_mark, strip_markdown, unwrap_hard_wrapped
from pipeline.clean.markup import html_to_text, looks_like_markup
from pipeline.glued import repair_glued_names
from pipeline.text import normalize_text, split_sentences

MAX_LINE_CHARS = 5_000
"""A title, subtitle or source is cut to this many characters before clean-up (a title is a line, not a page)."""
MAX_RAW_BODY_CHARS = 5_000_000
"""A body longer than this before clean-up is rejected (markup included; the cleaned text's own limit is lower)."""
_SECTION_TAG = re.compile(r"^\s*\[[^\]\n]{1,30}\]\s*")
_LINE_NEEDS_WORK = re.compile(r"[\\<&\[\x00-\x08\x0e-\x1f\x7f]")
_HTTP_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_DERIVED_TITLE_WORDS = 10


def has_section_tag(line: str) -> bool:
    """True for a line that opens with a section tag such as "[Editorial]"."""
    return _SECTION_TAG.match(line) is not None


def clean_line(raw: str) -> Cleaned:
    """A one-line field (title, subtitle, source) as plain text; a leading "[Editorial]" tag goes.

    Titles exported from Markdown carry `\\_` for a no-break space and a trailing `\\`
    where the title was cut; literal `\\u2019`/`\\xE9` escapes are decoded.
    """
    raw = raw[:MAX_LINE_CHARS]
    if raw.isascii() and not _LINE_NEEDS_WORK.search(raw):
        return Cleaned(" ".join(raw.split()), False)  # the common case, kept fast
    text = decode_literal_escapes(raw) if "\\" in raw else raw
    if "\\" in text:
        text = text.replace("\\_", " ").rstrip()
        if text.endswith("\\"):  # cut where the exported title wrapped
            text = text.rstrip("\\").rstrip(" ,;:")
        text = MD_ESCAPE.sub(r"\1", text)
    text = without_surrogates(text)
    if looks_like_markup(text):
        text = html_to_text(text)
    text, repaired = repair_encoding(text)
    text = " ".join(normalize_text(text).split("\n"))
    return Cleaned(_SECTION_TAG.sub("", text).strip(), repaired)


def _drop_furniture(lines: list[str], title: str) -> list[str]:
    """Drop widget lines, punctuation-only lines, and a repeated title/byline/date at the start."""
    kept = [line for line in lines if HAS_WORD.search(line) and not is_widget_line(line)]
    title_key = letters_key(title)
    while kept and (repeats_title(kept[0], title_key) or is_byline(kept[0]) or find_date_line(kept[0])):
        kept.pop(0)
    return kept


def clean_body(raw: str, title: str = "") -> Cleaned:
    """Plain-text body, paragraphs joined by "\\n", with furniture removed.

    Removes markup, Markdown, hard wrapping, widget lines, a leading byline/date or a
    repeat of the title, the agency dateline ("Pyongyang, October 3 (KCNA) --") and end
    markers ("-0-", "(END)"). RecordProblem for a body over `MAX_RAW_BODY_CHARS`.
    """
    if len(raw) > MAX_RAW_BODY_CHARS:
        raise RecordProblem(f"body too long before clean-up ({len(raw):,} characters; the limit is {MAX_RAW_BODY_CHARS:,})")
    text = without_surrogates(raw)
    if looks_like_markup(text):
        text = html_to_text(text)
    text, repaired = repair_encoding(text)
    text = text.replace("\r\n", "\n").replace("\\\n", "\n")  # a trailing backslash is a Markdown line break
    text = strip_markdown(unwrap_hard_wrapped(text))
    text = repair_glued_names(text)  # "ComradeKim Jong Unsent" -> "Comrade Kim Jong Un sent"
    if ".," in text:
        text = unglue_paragraphs(text)
    lines = _drop_furniture([strip_line_mark(line) for line in normalize_text(text).split("\n")], title)
    if lines:  # every line has a word; only the first and the last can lose theirs here
        lines[0] = DATELINE.sub("", lines[0], count=1)
        lines[-1] = strip_end_markers(lines[-1])
        if not HAS_WORD.search(lines[-1]):
            lines.pop()
        if lines and not HAS_WORD.search(lines[0]):
            lines.pop(0)
    return Cleaned("\n".join(lines), repaired)


def derive_title(body: str) -> str:
    """A title for an untitled record: its first sentence, cut to ten words."""
    first_paragraph = body.split("\n", 1)[0]
    sentences = split_sentences(first_paragraph[:2000])
    words = (sentences[0] if sentences else first_paragraph).split()
    if len(words) <= _DERIVED_TITLE_WORDS + 2:
        return " ".join(words)
    return " ".join(words[:_DERIVED_TITLE_WORDS]) + " ..."


def http_url(raw: str) -> str:
    """The URL when it is an http(s) link, else "" (a `javascript:` link must never reach the app)."""
    url = raw.strip()
    return url if _HTTP_URL.fullmatch(url) else ""
