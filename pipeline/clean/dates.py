"""Dates: the calendar date a field or a date line states, and whether it is plausible.

The fast patterns have bounded repeats and run once per field; dateparser, whose own
patterns are not ours to bound, sees only short strings (`_MAX_DATE_TEXT`). Date lines
are tested only when short (`MAX_DATE_LINE_INPUT`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import dateparser

from pipeline.clean.base import RecordProblem
from pipeline.clean.boilerplate import BULLETS

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
MAX_DATE_FIELD = 200
"""Only this much of a date field is read: a date is a few words, and no pattern should see more."""


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
    text = value.strip()[:MAX_DATE_FIELD]
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
MAX_DATE_LINE_INPUT = 200
"""Longer lines are never date lines; they are refused before any pattern runs."""


def find_date_line(line: str) -> dt.date | None:
    """The date when a whole line is a date line ("Published : April 28, 2019 - 17:07"), else None.

    A title that merely mentions a date ("Talks set for May 3, 2019") is not a date line:
    after the date, a time, a zone and a label are removed, no words may remain. Only the
    fast forms count (ISO, 2019.05.02, 05/02/2019, "April 28, 2019", "28 April 2019"):
    lines are tested by the dozen, and dateparser would find dates in ordinary words.
    """
    if len(line) > MAX_DATE_LINE_INPUT:
        return None
    text = _DATE_LABEL.sub("", line.strip().strip(BULLETS))
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


