"""Field clean-up and validation for ingest: markup, mis-decoded text, boilerplate, dates, language.

Every function here takes one field's raw text and returns what later stages may rely
on: plain text (no markup, no widget lines, no datelines or bylines), dates that exist
and are plausible, English text. Problems that make a record unusable raise
`RecordProblem`, whose message is the reject reason shown to the user.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import itertools
import re
from html.parser import HTMLParser
from typing import NamedTuple

import dateparser

from pipeline.text import normalize_text, split_sentences, word_set


class RecordProblem(ValueError):
    """A record cannot be ingested; the message is the human-readable reject reason."""


class Cleaned(NamedTuple):
    """A cleaned field and whether mis-decoded text (mojibake) had to be repaired in it."""

    text: str
    repaired: bool


# --- markup ------------------------------------------------------------------------

_HTML_TAGS = (
    "html|head|body|title|meta|link|script|style|noscript|template|iframe|object|embed|svg|math|"
    "p|br|hr|div|span|a|b|i|u|s|em|strong|small|big|sup|sub|del|ins|strike|font|center|code|pre|"
    "ul|ol|li|dl|dt|dd|h[1-6]|table|thead|tbody|tr|td|th|blockquote|q|cite|figure|figcaption|img|"
    "picture|source|video|audio|section|article|header|footer|nav|aside|main|form|input|button|label"
)
_MARKUP = re.compile(
    rf"</?(?:{_HTML_TAGS})\b[^>]*>|<!--|&(?:#\d{{1,7}}|#[xX][0-9a-fA-F]{{1,6}}|[a-zA-Z][a-zA-Z0-9]{{1,31}});",
    re.IGNORECASE,
)
_MAX_UNESCAPE_PASSES = 3  # double-escaped fields ("&lt;p&gt;") need a second pass


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment, one paragraph per block element."""

    SKIPPED = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "head"})
    # Struck-through text is text the author deleted (transcripts mark corrections so).
    DELETED = frozenset({"s", "strike", "del"})
    BLOCKS = word_set(
        "p div section article header footer nav aside main blockquote figure figcaption ul ol li dl dt "
        "dd h1 h2 h3 h4 h5 h6 table thead tbody tr td th pre hr form"
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED or tag in self.DELETED:
            self._hidden_depth += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if (tag in self.SKIPPED or tag in self.DELETED) and self._hidden_depth:
            self._hidden_depth -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def looks_like_markup(text: str) -> bool:
    """True when a field carries HTML tags, comments or entities."""
    return _MARKUP.search(text) is not None


def html_to_text(text: str) -> str:
    """Visible text of an HTML fragment: tags dropped, entities decoded, script/style content gone.

    Fields escaped twice ("&lt;b&gt;") decode into markup, which is then removed too, so
    no markup survives as text.
    """
    for _ in range(_MAX_UNESCAPE_PASSES):
        if not looks_like_markup(text):
            break
        if "<" not in text:
            text = html.unescape(text)
            continue
        extractor = _TextExtractor()
        extractor.feed(text)
        extractor.close()
        text = "".join(extractor.parts)
    return text


# --- mis-decoded text --------------------------------------------------------------

# UTF-8 bytes read as cp1252 (or latin-1) turn "’" into "â€™" and "é" into "Ã©". Each
# such run is a valid UTF-8 sequence once mapped back to bytes.
_CP1252_BYTE = {}
for _byte in range(0x80, 0x100):
    try:
        _CP1252_BYTE[bytes([_byte]).decode("cp1252")] = _byte
    except UnicodeDecodeError:  # five bytes cp1252 leaves undefined; latin-1 reads them as C1 controls
        _CP1252_BYTE[chr(_byte)] = _byte
_C1_TO_CP1252 = str.maketrans({chr(b): bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)})


def _chars(low: int, high: int) -> str:
    return "".join(re.escape(c) for c, b in _CP1252_BYTE.items() if low <= b <= high)


_CONT = f"[{_chars(0x80, 0xBF)}]"
_MOJIBAKE = re.compile(f"(?:[{_chars(0xC2, 0xDF)}]{_CONT}|[{_chars(0xE0, 0xEF)}]{_CONT}{{2}}|[{_chars(0xF0, 0xF4)}]{_CONT}{{3}})+")
_MOJIBAKE_LEFT = re.compile(f"â€|[ÂÃ]{_CONT}")
_MOJIBAKE_LEAD = re.compile("[\u00c2-\u00f4]")  # cheap pre-check: every mojibake run starts in this range
_C1 = re.compile("[\x80-\x9f]")
_MAX_REPAIR_PASSES = 3  # text mis-decoded twice needs two passes
# Shift-JIS punctuation (lead byte 81: the ideographic space, quotes) and full-width letters
# (82 4F-9A) read as latin-1, sometimes then stored as UTF-8 and read as latin-1 again ("Â"
# before the lead): KCNA's Japanese mirror has "Japan\x81fs" for "Japan’s". Byte 81 is
# undefined in cp1252, so it never comes from cp1252 text.
_SHIFT_JIS = re.compile("\u00c2?(\x81[\x40-\xac]|\x82[\x4f-\x9a])")
_LOST_BYTES = "text contains U+FFFD replacement characters: it was mis-decoded before it reached us"


def _undo_mojibake(match: re.Match[str]) -> str:
    run = match.group(0)
    try:
        return bytes(_CP1252_BYTE[c] for c in run).decode("utf-8")
    except UnicodeDecodeError:
        return run


def _undo_shift_jis(match: re.Match[str]) -> str:
    try:
        return match.group(1).encode("latin-1").decode("shift_jis")
    except UnicodeDecodeError:
        return match.group(0)


def repair_encoding(text: str) -> Cleaned:
    """Undo the classic UTF-8-read-as-cp1252 damage; raise RecordProblem when it cannot be undone.

    C1 control characters (cp1252 punctuation read as latin-1) become the punctuation
    they stand for, Shift-JIS punctuation read as latin-1 becomes that punctuation.
    U+FFFD means bytes were already lost upstream: rejected, not guessed.
    """
    if text.isascii():
        return Cleaned(text, False)
    original = text
    if _C1.search(text):
        text = _SHIFT_JIS.sub(_undo_shift_jis, text).translate(_C1_TO_CP1252)
    if _MOJIBAKE_LEAD.search(text):
        for _ in range(_MAX_REPAIR_PASSES):
            repaired = _MOJIBAKE.sub(_undo_mojibake, text)
            if repaired == text:
                break
            text = repaired
        leftover = _MOJIBAKE_LEFT.search(text)
        if leftover:
            raise RecordProblem(f"mis-decoded text that could not be repaired (mojibake such as {leftover.group(0)!r})")
    if "\ufffd" in text:
        raise RecordProblem(_LOST_BYTES)
    return Cleaned(text, text != original)


# --- Markdown and hard wrapping ----------------------------------------------------

_LITERAL_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>\"'$&%])")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EMPHASIS = re.compile(r"\*(?<![\w*\\]\*)(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\s]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:https?://|/|mailto:)[^)\s]*\)")
_MD_LINE_MARK = re.compile(r"^(?:#{1,6} |[-*+•] |> ?)")
_LINE_MARK_STARTS = "#-*+•>"
_LIST_ITEM = re.compile(r"[ \t]{0,3}(?:[-*+•]|\d{1,3}\\?[.)])[ \t]+")
# Hard-wrapped text (transcripts wrapped at 60-80 columns) has many continued lines of
# similar, fairly long length; short lines (lists, addresses) and long paragraphs are not.
_WRAP_WIDTH = 100
_WRAPPED_SHARE = 0.9
_MIN_WRAPPED_LINES = 3
_MIN_WRAPPED_MEDIAN = 40


def _decode_literal(match: re.Match[str]) -> str:
    return chr(int(match.group(1) or match.group(2), 16))


def unwrap_hard_wrapped(text: str) -> str:
    """Rejoin paragraphs that were hard-wrapped at a fixed width (blank lines separate paragraphs).

    Only text that uses blank lines between paragraphs and whose continued lines are
    almost all 40-100 characters long is unwrapped; one-paragraph-per-line text and
    short-line lists are left alone.
    """
    if "\n\n" not in text:
        return text
    lines = text.split("\n")
    continued = sorted(len(a) for a, b in itertools.pairwise(lines) if a.strip() and b.strip())
    if (
        len(continued) < _MIN_WRAPPED_LINES
        or continued[len(continued) // 2] < _MIN_WRAPPED_MEDIAN
        or sum(n <= _WRAP_WIDTH for n in continued) < _WRAPPED_SHARE * len(continued)
    ):
        return text
    joined: list[str] = []
    for line in lines:
        if joined and joined[-1].strip() and line.strip() and not _LIST_ITEM.match(line):
            joined[-1] = joined[-1].rstrip() + " " + line.strip()
        else:
            joined.append(line)
    return "\n".join(joined)


def strip_markdown(text: str) -> str:
    """Plain text from Markdown-flavoured text: emphasis, links and escapes removed.

    List and heading marks at line starts are removed by `strip_line_mark`, line by line.
    """
    if "*" in text or "__" in text:
        text = _MD_STRONG.sub(r"\2", text)
        text = _MD_EMPHASIS.sub(r"\1", text).replace("**", "")  # unpaired bold marks mean nothing in prose
    if "](" in text:
        text = _MD_IMAGE.sub("", text)
        text = _MD_LINK.sub(r"\1", text)
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    return text


def strip_line_mark(line: str) -> str:
    """A stripped line without its Markdown list/heading/quote mark ("- ", "## ", "> ")."""
    return _MD_LINE_MARK.sub("", line) if line[:1] in _LINE_MARK_STARTS else line


# --- boilerplate -------------------------------------------------------------------

_WIDGET_PHRASES = sorted(
    {
        "link copied",
        "copy link",
        "copy url",
        "url copied",
        "copied",
        "copy",
        "share",
        "share this",
        "share this article",
        "share on facebook",
        "share on twitter",
        "print",
        "print this article",
        "print article",
        "font size",
        "text size",
        "a a",
        "a+",
        "a-",
        "aa",
        "larger",
        "smaller",
        "email",
        "e-mail",
        "facebook",
        "twitter",
        "x",
        "kakaotalk",
        "kakao story",
        "kakao",
        "band",
        "whatsapp",
        "telegram",
        "linkedin",
        "reddit",
        "pinterest",
        "tweet",
        "bookmark",
        "save",
        "listen",
        "listen to this article",
        "comments",
        "comment",
        "subscribe",
        "advertisement",
        "sponsored",
        "read more",
        "more",
        "close",
        "top",
        "back to top",
        "go to top",
        "scroll to continue",
        "zoom in",
        "zoom out",
        "like",
        "follow us",
    },
    key=len,
    reverse=True,
)
_WIDGET_LINE = re.compile(
    r"(?:(?:" + "|".join(re.escape(p) for p in _WIDGET_PHRASES) + r")(?:\s*[|•·/,]\s*|\s+|$))+",
    re.IGNORECASE,
)
_BULLETS = "•·▪●◦‣∙*>|-–— \t"
_MAX_WIDGET_LINE = 60
_BYLINE = re.compile(r"(?:By|BY)\s+[A-Z][\w.'-]*(?:[\s,]+(?:[A-Z][\w.'-]*|and|of|the|staff|writer|reporter|correspondent|editor|desk|demo|team|news|wire|bureau|for))*")
_MAX_BYLINE = 80
_DATELINE = re.compile(
    r"^[A-Z][A-Za-z.' -]{1,40}?"
    r"(?:,\s*[A-Z][A-Za-z.' -]{1,30}?)?"
    r"(?:,?\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?)(?:,?\s*\d{4})?)?"
    r"\s*\([A-Z][\w .&'-]{0,30}\)\s*(?:--|—|–|-|:)\s*"
)
_END_MARKERS = ("-0-", "(END)", "###", "-30-")
_HAS_WORD = re.compile(r"[^\W_]")


def unglue_paragraphs(text: str) -> str:
    """Restore paragraph breaks that a scraper turned into ".," ("... Complex., The square ...").

    Only after a lower-case word of 3+ letters and before a capital, so "U.S., Japan" and
    "Co., Ltd." stay as they are.
    """
    parts = text.split(".,")
    pieces = [parts[0]]
    for part in parts[1:]:
        before = pieces[-1][-3:]
        after = part.lstrip(" \t")
        glued = len(before) == 3 and before.isalpha() and before.islower() and after != part and after[:1].isupper()
        pieces.append(".\n" if glued else ".,")
        pieces.append(after if glued else part)
    return "".join(pieces)


def is_widget_line(line: str) -> bool:
    """True for page furniture copied with an article ("• Link copied", "Share | Print")."""
    stripped = line.strip(_BULLETS)
    return bool(stripped) and len(stripped) <= _MAX_WIDGET_LINE and _WIDGET_LINE.fullmatch(stripped) is not None


def is_byline(line: str) -> bool:
    """True for a byline ("By Jane Roe, Staff Reporter"); a sentence starting "By ..." ends with a stop."""
    stripped = line.strip()
    return len(stripped) <= _MAX_BYLINE and not stripped.endswith((".", "!", "?")) and _BYLINE.fullmatch(stripped) is not None


def _drop_furniture(lines: list[str], title: str) -> list[str]:
    """Drop widget lines, punctuation-only lines, and a repeated title/byline/date at the start."""
    kept = [line for line in lines if _HAS_WORD.search(line) and not is_widget_line(line)]
    title_key = _key(title)
    while kept and (_repeats_title(kept[0], title_key) or is_byline(kept[0]) or find_date_line(kept[0])):
        kept.pop(0)
    return kept


def _strip_end_markers(line: str) -> str:
    while line.endswith(_END_MARKERS):
        line = line[: line.rindex(next(m for m in _END_MARKERS if line.endswith(m)))].rstrip()
    return line


def _repeats_title(line: str, title_key: str) -> bool:
    return bool(title_key) and len(line) <= 2 * len(title_key) + 20 and _key(line) == title_key


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


# --- titles and bodies -------------------------------------------------------------

_SECTION_TAG = re.compile(r"^\s*\[[^\]\n]{1,30}\]\s*")
_LINE_NEEDS_WORK = re.compile(r"[\\<&\[\x00-\x08\x0e-\x1f\x7f]")


def has_section_tag(line: str) -> bool:
    """True for a line that opens with a section tag such as "[Editorial]"."""
    return _SECTION_TAG.match(line) is not None


def clean_line(raw: str) -> Cleaned:
    """A one-line field (title, subtitle, source) as plain text; a leading "[Editorial]" tag goes.

    Titles exported from Markdown carry `\\_` for a no-break space and a trailing `\\`
    where the title was cut; literal `\\u2019`/`\\xE9` escapes are decoded.
    """
    if raw.isascii() and not _LINE_NEEDS_WORK.search(raw):
        return Cleaned(" ".join(raw.split()), False)  # the common case, kept fast
    text = _LITERAL_ESCAPE.sub(_decode_literal, raw) if "\\" in raw else raw
    if "\\" in text:
        text = text.replace("\\_", " ").rstrip()
        if text.endswith("\\"):  # cut where the exported title wrapped
            text = text.rstrip("\\").rstrip(" ,;:")
        text = _MD_ESCAPE.sub(r"\1", text)
    if looks_like_markup(text):
        text = html_to_text(text)
    text, repaired = repair_encoding(text)
    text = " ".join(normalize_text(text).split("\n"))
    return Cleaned(_SECTION_TAG.sub("", text).strip(), repaired)


def clean_body(raw: str, title: str = "") -> Cleaned:
    """Plain-text body, paragraphs joined by "\\n", with furniture removed.

    Removes markup, Markdown, hard wrapping, widget lines, a leading byline/date or a
    repeat of the title, the agency dateline ("Pyongyang, October 3 (KCNA) --") and end
    markers ("-0-", "(END)").
    """
    text = html_to_text(raw) if looks_like_markup(raw) else raw
    text, repaired = repair_encoding(text)
    text = text.replace("\r\n", "\n").replace("\\\n", "\n")  # a trailing backslash is a Markdown line break
    text = strip_markdown(unwrap_hard_wrapped(text))
    if ".," in text:
        text = unglue_paragraphs(text)
    lines = _drop_furniture([strip_line_mark(line) for line in normalize_text(text).split("\n")], title)
    if lines:
        lines[0] = _DATELINE.sub("", lines[0], count=1)
        lines[-1] = _strip_end_markers(lines[-1])
    return Cleaned("\n".join(line for line in lines if _HAS_WORD.search(line)), repaired)


_DERIVED_TITLE_WORDS = 10


def derive_title(body: str) -> str:
    """A title for an untitled record: its first sentence, cut to ten words."""
    first_paragraph = body.split("\n", 1)[0]
    sentences = split_sentences(first_paragraph[:2000])
    words = (sentences[0] if sentences else first_paragraph).split()
    if len(words) <= _DERIVED_TITLE_WORDS + 2:
        return " ".join(words)
    return " ".join(words[:_DERIVED_TITLE_WORDS]) + " ..."


_HTTP_URL = re.compile(r"https?://\S+", re.IGNORECASE)


def http_url(raw: str) -> str:
    """The URL when it is an http(s) link, else "" (a `javascript:` link must never reach the app)."""
    url = raw.strip()
    return url if _HTTP_URL.fullmatch(url) else ""


# --- dates -------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})[./](\d{1,2})[./](\d{1,2})(?!\d)")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MDY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,9})\.?,?[\s-]+(\d{4})(?!\d)")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")  # month first, unless the first number > 12
_YEAR = re.compile(r"(?<!\d)(?:1[89]|2[01])\d\d(?!\d)")
_DATEPARSER_SETTINGS = {"REQUIRE_PARTS": ["day", "month", "year"], "RETURN_AS_TIMEZONE_AWARE": False}
_MAX_DATE_TEXT = 80


def _make_date(year: str, month: int | str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _find_fast(text: str) -> tuple[dt.date, tuple[int, int]] | None:
    """The first date in a common form and where it is; None when no fast form matches."""
    for pattern in (_ISO, _YMD, _COMPACT):
        match = pattern.search(text)
        if match:
            found = _make_date(match.group(1), match.group(2), match.group(3))
            return (found, match.span()) if found else None
    match = _NUMERIC.search(text)
    if match:
        first, second = int(match.group(1)), int(match.group(2))
        month, day = (second, first) if first > 12 else (first, second)
        found = _make_date(match.group(3), month, str(day))
        return (found, match.span()) if found else None
    for pattern, month_group, day_group in ((_MDY, 1, 2), (_DMY, 2, 1)):
        for match in pattern.finditer(text):
            month = _MONTHS.get(match.group(month_group).lower())
            if month:
                found = _make_date(match.group(3), month, match.group(day_group))
                return (found, match.span()) if found else None
    return None


@functools.lru_cache(maxsize=4096)
def _dateparser(text: str) -> dt.date | None:
    """dateparser for the odd forms; cached because corpora repeat the same strings."""
    parsed = dateparser.parse(text, languages=["en"], settings=_DATEPARSER_SETTINGS)
    return parsed.date() if parsed else None


def parse_date(value: str) -> dt.date | None:
    """The calendar date a field states, as written (no time-zone conversion); None if none.

    Fast regexes cover ISO 8601 and the usual written forms; dateparser is the fallback
    for anything else that names a year (relative phrases like "yesterday" are refused:
    they would depend on the day of the build).
    """
    text = value.strip()
    if not text:
        return None
    fast = _find_fast(text)
    if fast:
        return fast[0]
    if len(text) > _MAX_DATE_TEXT or not _YEAR.search(text):
        return None
    return _dateparser(text)


_DATE_LABEL = re.compile(
    r"^(?:(?:first\s+|last\s+)?(?:published|updated|posted|modified|created|date|dated|issued)(?:\s+(?:on|at))?\s*[:：]?\s*)+",
    re.IGNORECASE,
)
_TIME_AND_ZONE = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?|\b[ap]\.?m\.?(?!\w)|[+-]\d{2}:?\d{2}\b|"
    r"\b(?:UTC|GMT|KST|JST|EST|EDT|CST|CDT|PST|PDT|BST|CET|CEST|Z)\b|\bT(?=\d)|(?<=\d)Z\b|"
    r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b\.?|\bat\b|\bby\b.*$",
    re.IGNORECASE,
)
_MAX_DATE_LINE = 60


def find_date_line(line: str) -> dt.date | None:
    """The date when a whole line is a date line ("Published : April 28, 2019 - 17:07"), else None.

    A title that merely mentions a date ("Talks set for May 3, 2019") is not a date line:
    after the date, a time, a zone and a label are removed, no words may remain. Only the
    fast forms count (ISO, 2019.05.02, 05/02/2019, "April 28, 2019", "28 April 2019"):
    lines are tested by the dozen, and dateparser would find dates in ordinary words.
    """
    text = _DATE_LABEL.sub("", line.strip().strip(_BULLETS))
    if not text or len(text) > _MAX_DATE_LINE or not any(c.isdigit() for c in text):
        return None
    fast = _find_fast(text)
    if fast is None:
        return None
    found, (start, end) = fast
    rest = text[:start] + " " + text[end:]
    return None if re.search(r"[A-Za-z]", _TIME_AND_ZONE.sub(" ", rest)) else found


EARLIEST_DATE = dt.date(1900, 1, 1)


def latest_plausible_date() -> dt.date:
    """Tomorrow: a record dated later is an error (a day of slack for time zones)."""
    return dt.date.today() + dt.timedelta(days=1)


def check_date(found: dt.date | None, raw: str, latest: dt.date) -> dt.date:
    """The date if it is plausible (1900 .. `latest`); RecordProblem with the reason otherwise."""
    if found is None:
        if raw.strip():
            raise RecordProblem(f"unreadable date {raw.strip()[:40]!r}")
        raise RecordProblem("no date")
    if not EARLIEST_DATE <= found <= latest:
        raise RecordProblem(f"implausible date {found.isoformat()}")
    return found


# --- language ----------------------------------------------------------------------

_ASCII_RUN = re.compile(r"[\x00-\x7f]+")
_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_WORD_EDGES = "\"'()[].,;:!?-"
_ENGLISH_FUNCTION_WORDS = word_set(
    "the a an and or but of to in on at for with by from as is are was were be been has have had it "
    "its this that these those he she they we i you his her their our not no will would can could "
    "should may which who what when where there than then also about after into over"
)
# Frequent function words of other Latin-script languages, none of them an English word.
_OTHER_FUNCTION_WORDS = {
    "French": "le la les de des du et est une dans pour qui que pas sur au aux avec ce cette sont ont été il elle nous leur",
    "Spanish": "el los las de del y es una en por para que con se su sus al lo como más pero fue está",
    "German": "der die das und ist nicht ein eine mit den dem des von zu auf für sich auch sind wird wurde bei",
    "Italian": "il della di che è non per una sono con gli nel alla anche come più dei",
    "Portuguese": "os de da do das dos não uma em com para que se por mais foi são também",
    "Dutch": "de het een van en niet op met zijn voor dat die er ook wordt aan",
    "Indonesian or Malay": "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga ke karena oleh ada",
}
_LANGUAGES_OF_WORD: dict[str, tuple[str, ...]] = {}
for _language, _words in _OTHER_FUNCTION_WORDS.items():
    for _word in _words.split():
        _LANGUAGES_OF_WORD[_word] = (*_LANGUAGES_OF_WORD.get(_word, ()), _language)
_COMMONEST_ENGLISH = (" the ", " of ", " and ", " to ", " in ")  # a fast path: most texts are plainly English
CLEARLY_ENGLISH_RATE = 0.1
_SCRIPT_SAMPLE = 3000
_WORD_SAMPLE = 800
MIN_LATIN_SHARE = 0.5
MIN_WORDS_FOR_RATE = 30
MIN_OTHER_LANGUAGE_RATE = 0.15


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and (ord(char) <= 0x24F or 0x1E00 <= ord(char) <= 0x1EFF)


def is_mostly_non_latin(text: str) -> bool:
    """True when fewer than half of the letters are Latin script (Hangul, Cyrillic, CJK ...)."""
    if text.isascii():
        return False
    ascii_part = text.encode("ascii", "ignore")
    latin = len(ascii_part.translate(None, _ASCII_NON_LETTERS))
    others = 0
    for char in _ASCII_RUN.sub("", text):
        if _is_latin_letter(char):
            latin += 1
        elif char.isalpha():
            others += 1
    return latin < MIN_LATIN_SHARE * (latin + others)


def check_english(text: str) -> None:
    """Raise RecordProblem when text is not English.

    Two cheap tests. Script: at least half of the letters (first 3,000 characters) are
    Latin. Function words (texts of 30+ words): the text is rejected when 15% or more of
    its first ~130 words are function words of one other language (French "le, et, est",
    Indonesian "yang, dan" ...) and they outnumber English ones ("the, of, and"), which
    make up 35-50% of English prose. A list of names has few function words of any
    language and is kept; headlines are too short for this test and only get the first.
    """
    if is_mostly_non_latin(text[:_SCRIPT_SAMPLE]):
        raise RecordProblem("not English (detected mostly non-Latin script)")
    sample = text[:_WORD_SAMPLE].lower()
    n_words = sample.count(" ") + sample.count("\n") + 1
    if n_words < MIN_WORDS_FOR_RATE or sum(map(sample.count, _COMMONEST_ENGLISH)) >= CLEARLY_ENGLISH_RATE * n_words:
        return
    words = [word.strip(_WORD_EDGES) for word in sample.split()]
    counts: dict[str, int] = {}
    for languages in filter(None, map(_LANGUAGES_OF_WORD.get, words)):
        for language in languages:
            counts[language] = counts.get(language, 0) + 1
    if not counts:
        return
    language, hits = max(counts.items(), key=lambda item: item[1])
    english = sum(map(_ENGLISH_FUNCTION_WORDS.__contains__, words))
    if hits >= MIN_OTHER_LANGUAGE_RATE * len(words) and hits > english:
        raise RecordProblem(f"not English (reads as {language}: {hits / len(words):.0%} of words are its function words)")
