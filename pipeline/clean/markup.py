"""Markup in fields: HTML tags, comments and entities become the plain text a reader sees.

A small tokenizer on a linear-time engine (RE2) instead of `html.parser.HTMLParser`: on
the supported Pythons (3.11, 3.12) the standard parser rescans to the end of the input
for every unterminated construct ("<!--", "<a " repeated: quadratic, minutes for a
field of a few hundred kilobytes) and raises on some declarations ("<![x["). Here every
construct is found in one left-to-right pass; anything that is not a complete construct
stays text, as the standard parser leaves it.
"""

from __future__ import annotations

import html
import re

import re2

from pipeline.text import word_set

_HTML_TAGS = (
    "html|head|body|title|meta|link|script|style|noscript|template|iframe|object|embed|svg|math|"
    "p|br|hr|div|span|a|b|i|u|s|em|strong|small|big|sup|sub|del|ins|strike|font|center|code|pre|"
    "ul|ol|li|dl|dt|dd|h[1-6]|table|thead|tbody|tr|td|th|blockquote|q|cite|figure|figcaption|img|"
    "picture|source|video|audio|section|article|header|footer|nav|aside|main|form|input|button|label"
)
# A known tag (its name ends at a character that cannot continue a word: Python's \b,
# spelled for RE2, whose \b is ASCII-only), a comment opener, or an entity.
_MARKUP = re2.compile(
    rf"(?i)</?(?:{_HTML_TAGS})(?:>|[^\pL\pN_>][^>]*>)|<!--|&(?:#\pN{{1,7}}|#[xX][0-9a-fA-F]{{1,6}}|[a-zA-Z][a-zA-Z0-9]{{1,31}});"
)
# One construct of HTML: comment, CDATA section, declaration, processing instruction or a
# script/style element with its content, up to its end tag or the end of the text (all
# dropped); end tag (group 1: its name), start tag (group 2: its name; quoted attribute
# values may hold ">"). Tag names end as in the standard parser.
_RAW_TEXT_ELEMENT = r"<(?i:{0})(?:[\t\n\f\r /][^>]*)?>.*?(?:</(?i:{0})[^>]*>|\z)"
_TOKEN = re2.compile(
    r"(?s)<!--.*?--[\t\n\f\r ]*>"
    r"|<!\[CDATA\[.*?\]\]>"
    rf"|{_RAW_TEXT_ELEMENT.format('script')}|{_RAW_TEXT_ELEMENT.format('style')}"
    r"|<[!?][^>]*>"
    r"|</(?:([A-Za-z][^\t\n\r\f />\x00]*)[^>]*)?>"
    r"|<([A-Za-z][^\t\n\r\f />\x00]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>"
)
_HIDDEN = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "head"})
# Struck-through text is text the author deleted (transcripts mark corrections so).
_DELETED = frozenset({"s", "strike", "del"})
_BLOCKS = word_set(
    "p div section article header footer nav aside main blockquote figure figcaption ul ol li dl dt "
    "dd h1 h2 h3 h4 h5 h6 table thead tbody tr td th pre hr form"
)
# Numeric references past U+10FFFF: html.unescape makes them U+FFFD, but first converts the
# digits to an int, which fails beyond 4,300 digits. Eight decimal or seven hex digits are
# always past U+10FFFF.
_HUGE_CHARREF = re.compile(r"&#(?:0*[0-9]{8,}|[xX]0*[0-9a-fA-F]{7,});?")
_MAX_UNESCAPE_PASSES = 3  # double-escaped fields ("&lt;p&gt;") need a second pass


def looks_like_markup(text: str) -> bool:
    """True when a field carries HTML tags, comments or entities."""
    # Every construct starts with "<" or "&": most fields have neither, and a substring test costs far less than a scan.
    return ("<" in text or "&" in text) and _MARKUP.search(text) is not None


def unescape(text: str) -> str:
    """`html.unescape` that never fails: absurdly long numeric references become U+FFFD as short ones do."""
    if "&#" in text:
        text = _HUGE_CHARREF.sub("\ufffd", text)
    return html.unescape(text)


def _visible_text(text: str) -> str:
    """The text of an HTML fragment a reader sees, one paragraph per block element."""
    parts: list[str] = []
    hidden = 0  # depth inside elements whose content is not shown
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position and not hidden:
            parts.append(unescape(text[position : match.start()]))
        position = match.end()
        closing, opening = match.group(1), match.group(2)
        tag = (opening if opening is not None else closing or "").lower()
        if opening is not None:
            if tag in _HIDDEN or tag in _DELETED:
                hidden += 1
            elif tag in _BLOCKS:
                parts.append("\n\n")
            elif tag == "br":
                parts.append("\n")
        elif tag in _HIDDEN or tag in _DELETED:
            hidden = max(0, hidden - 1)
        elif tag in _BLOCKS:
            parts.append("\n\n")
    if position < len(text) and not hidden:
        parts.append(unescape(text[position:]))
    return "".join(parts)


def html_to_text(text: str) -> str:
    """Visible text of an HTML fragment: tags dropped, entities decoded, script/style content gone.

    Fields escaped twice ("&lt;b&gt;") decode into markup, which is then removed too, so
    no markup survives as text.
    """
    for _ in range(_MAX_UNESCAPE_PASSES):
        if not looks_like_markup(text):
            break
        text = _visible_text(text) if "<" in text else unescape(text)
    return text
