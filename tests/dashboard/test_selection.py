"""The chart selection in the URL (`sel`): strict parsing, formatting and the words that state it."""
from __future__ import annotations

import pandas as pd
import pytest

from dashboard.selection import (
    MAX_SELECTION_LENGTH, Part, format_selection, is_day, is_month, is_period_start, parse_selection, period_name, periods_part, periods_phrase,
)

TERMS = {"kim-jong-un", "sanctions"}
PARTS = (Part("months", is_month, example="YYYY-MM"), Part("term", TERMS.__contains__, many=False, example="a term"))


def test_a_selection_survives_formatting_and_parsing() -> None:
    value = format_selection([["2019-03", "2019-04", "2019-03"], ["kim-jong-un"]])
    assert value == "2019-03,2019-04|kim-jong-un"
    assert parse_selection(value, PARTS) == ((("2019-03", "2019-04"), ("kim-jong-un",)), None)


def test_nothing_selected_is_no_value_and_no_notice() -> None:
    assert format_selection([[], []]) is None
    assert parse_selection(None, PARTS) == (None, None)
    assert parse_selection("  ", PARTS) == (None, None)


def test_a_part_may_be_empty() -> None:
    assert parse_selection("|sanctions", PARTS) == (((), ("sanctions",)), None)


@pytest.mark.parametrize("raw", [
    "2019-13|sanctions",          # no such month
    "2019-3|sanctions",           # not YYYY-MM
    "2019-03|nowhere",            # not a term of the build
    "2019-03|sanctions,kim-jong-un",  # one term only
    "2019-03",                    # a part missing
    "2019-03|sanctions|x",        # a part too many
    "|",                          # nothing in any part
    "2019-03," * 300 + "|sanctions",  # too long
])
def test_a_malformed_selection_is_ignored_whole_with_one_notice(raw: str) -> None:
    groups, notice = parse_selection(raw, PARTS)
    assert groups is None and notice.startswith('Ignored sel "') and "YYYY-MM|a term" in notice
    assert len(notice) < 200  # the link's value is cut when echoed


def test_the_length_limit_is_the_one_documented() -> None:
    assert len("2019-03," * 300) > MAX_SELECTION_LENGTH


def test_days_must_exist() -> None:
    assert is_day("2019-02-28") and not is_day("2019-02-30") and not is_day("2019-2-28") and not is_day("x")


@pytest.mark.parametrize(("frequency", "expected"), [
    ("week", "the week of 4 March 2019"), ("month", "March 2019"), ("quarter", "Q1 2019"), ("year", "2019"),
])
def test_periods_are_named_in_words(frequency: str, expected: str) -> None:
    assert period_name(pd.Timestamp("2019-03-04"), frequency) == expected


def test_several_periods_are_listed_oldest_first_and_many_are_summed_up() -> None:
    months = [pd.Timestamp(f"2019-{month:02d}-01") for month in (5, 3)]
    assert periods_phrase(months, "month") == "March 2019 and May 2019"
    many = [pd.Timestamp(f"2019-{month:02d}-01") for month in range(1, 7)]
    assert periods_phrase(many, "month") == "January 2019, February 2019, March 2019 and 3 other months"
    assert periods_phrase(many[:1], "quarter") == "Q1 2019"


@pytest.mark.parametrize(("value", "frequency", "starts"), [
    ("2019-03-01", "month", True), ("2019-03-04", "month", False), ("2019-01-01", "quarter", True), ("2019-02-01", "quarter", False),
    ("2019-03-04", "week", True), ("2019-03-05", "week", False), ("2019-01-01", "year", True), ("2019-02-30", "month", False),
])
def test_a_period_part_takes_only_starts_of_its_periods(value: str, frequency: str, starts: bool) -> None:
    assert is_period_start(value, frequency) is starts
    assert periods_part(frequency).valid(value) is starts
