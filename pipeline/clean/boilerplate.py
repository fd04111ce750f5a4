"""Page furniture copied with an article: widget lines, bylines, agency datelines, end markers.

Every pattern here is linear: the line patterns run only on lines already known to be
short (`MAX_WIDGET_LINE`, `MAX_BYLINE`), the dateline pattern is anchored at the start of
the first line and its repeats are bounded.
"""

from __future__ import annotations

import re

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
BULLETS = "•·▪●◦‣∙*>|-–— \t"
MAX_WIDGET_LINE = 60
_BYLINE = re.compile(r"(?:By|BY)\s+[A-Z][\w.'-]*(?:[\s,]+(?:[A-Z][\w.'-]*|and|of|the|staff|writer|reporter|correspondent|editor|desk|demo|team|news|wire|bureau|for))*")
MAX_BYLINE = 80
DATELINE = re.compile(
    r"^[A-Z][A-Za-z.' -]{1,40}?"
    r"(?:,\s*[A-Z][A-Za-z.' -]{1,30}?)?"
    r"(?:,?\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?)(?:,?\s*\d{4})?)?"
    r"\s*\([A-Z][\w .&'-]{0,30}\)\s*(?:--|—|–|-|:)\s*"
)
END_MARKERS = ("-0-", "(END)", "###", "-30-")
HAS_WORD = re.compile(r"[^\W_]")
_NOT_LETTERS = re.compile(r"[\W_]+")


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
    stripped = line.strip(BULLETS)
    return bool(stripped) and len(stripped) <= MAX_WIDGET_LINE and _WIDGET_LINE.fullmatch(stripped) is not None


def is_byline(line: str) -> bool:
    """True for a byline ("By Jane Roe, Staff Reporter"); a sentence starting "By ..." ends with a stop."""
    stripped = line.strip()
    return len(stripped) <= MAX_BYLINE and not stripped.endswith((".", "!", "?")) and _BYLINE.fullmatch(stripped) is not None


def strip_end_markers(line: str) -> str:
    """The last line without its end markers ("-0-", "(END)")."""
    while line.endswith(END_MARKERS):
        line = line[: line.rindex(next(m for m in END_MARKERS if line.endswith(m)))].rstrip()
    return line


def repeats_title(line: str, title_key: str) -> bool:
    """True when `line` is the title again (`title_key` is the title's `letters_key`)."""
    return bool(title_key) and len(line) <= 2 * len(title_key) + 20 and letters_key(line) == title_key


def letters_key(text: str) -> str:
    """Text reduced to its letters and digits, case folded: what two copies of a title share."""
    return _NOT_LETTERS.sub("", text.casefold())


