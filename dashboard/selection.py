"""A chart selection as a URL value (`sel`), so a shared link lists the same articles; pure, no Streamlit.

A page's selection has a fixed number of parts separated by "|", each a comma-separated
list of values: the Keywords page writes `sel=2019-03|kim-jong-un` (months, then one
term), the Topics page `sel=2019-01-01,2019-04-01|kim-jong-un` (period starts, then
leader ids). A link's value is parsed strictly: a wrong number of parts, a value that is
not of its part's kind, too many values or too long a link, and the whole selection is
ignored with one notice (a half-read selection would list articles nobody chose).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.queries import period_start
from dashboard.safe_text import shown_in_notice

SEL_PARAM = "sel"
MAX_SELECTION_LENGTH = 2_000
"""Characters of a `sel` value read; a longer one is ignored whole."""
MAX_SELECTED_VALUES = 200
_MONTH = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Part:
    """One part of a page's selection: what its values are called, whether one is valid, how many it may hold."""

    name: str
    valid: Callable[[str], bool]
    many: bool = True
    example: str = ""


def is_month(value: str) -> bool:
    """A YYYY-MM month."""
    return _MONTH.fullmatch(value) is not None


def is_day(value: str) -> bool:
    """A real YYYY-MM-DD day."""
    if _DAY.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_period_start(value: str, frequency: str) -> bool:
    """Whether a URL value is a YYYY-MM-DD day that starts a period of this frequency (a point of a time chart)."""
    if not is_day(value):
        return False
    day = pd.Timestamp(value)
    return bool(period_start(pd.Series([day]), frequency).iloc[0] == day)


def periods_part(frequency: str) -> Part:
    """The part of a selection that holds period starts of a time chart at this frequency."""
    return Part("periods", lambda value: is_period_start(value, frequency), example="YYYY-MM-DD")


def format_selection(groups: Sequence[Sequence[str]]) -> str | None:
    """The `sel` value of a selection (one list of values per part); None when nothing is selected."""
    if not any(groups):
        return None
    return "|".join(",".join(dict.fromkeys(str(value) for value in values)) for values in groups)


def parse_selection(raw: str | None, parts: Sequence[Part]) -> tuple[tuple[tuple[str, ...], ...] | None, str | None]:
    """(the values of each part, None) for a valid `sel` value; (None, a notice) for an invalid one; (None, None) for none.

    A part may be empty ("2019-03|" selects months of no particular term) but at least one
    value must be given; a part that takes one value (`many=False`) takes at most one.
    """
    if raw is None or not raw.strip():
        return None, None
    shown = shown_in_notice(raw)
    expected = "|".join(part.example or part.name for part in parts)
    notice = f'Ignored sel "{shown}": a selection on this page reads {expected}; the chart is shown unselected.'
    if len(raw) > MAX_SELECTION_LENGTH:
        return None, notice
    pieces = raw.split("|")
    if len(pieces) != len(parts):
        return None, notice
    groups = []
    for piece, part in zip(pieces, parts, strict=True):
        values = tuple(dict.fromkeys(value.strip() for value in piece.split(",") if value.strip()))
        if len(values) > (MAX_SELECTED_VALUES if part.many else 1) or not all(part.valid(value) for value in values):
            return None, notice
        groups.append(values)
    if not any(groups):
        return None, notice
    return tuple(groups), None


def period_name(start: pd.Timestamp, frequency: str) -> str:
    """How a sentence names a period from its start: "the week of 4 March 2019", "March 2019", "Q1 2019", "2019"."""
    start = pd.Timestamp(start)
    if frequency == "week":
        return f"the week of {start.day} {start:%B %Y}"
    if frequency == "quarter":
        return f"Q{start.quarter} {start.year}"
    if frequency == "year":
        return str(start.year)
    return f"{start:%B %Y}"


def periods_phrase(starts: Sequence[pd.Timestamp], frequency: str, max_named: int = 3) -> str:
    """The selected periods in words, oldest first: "March 2019", "March 2019 and May 2019",
    "March 2019, May 2019, June 2019 and 4 other months"."""
    names = [period_name(start, frequency) for start in sorted(pd.Timestamp(start) for start in starts)]
    if len(names) > max_named:
        more = len(names) - max_named
        return f"{', '.join(names[:max_named])} and {more} other {frequency}{'s' if more > 1 else ''}"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
