"""CSV export is spreadsheet-safe and faithful."""
from __future__ import annotations

import io

import pandas as pd

from dashboard.common import csv_bytes, csv_file_name


def test_formula_like_text_gets_an_apostrophe() -> None:
    frame = pd.DataFrame({"title": ["=HYPERLINK(\"x\")", "+1", "-cmd", "@sum", "plain"]})
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)))
    assert back["title"].tolist() == ["'=HYPERLINK(\"x\")", "'+1", "'-cmd", "'@sum", "plain"]


def test_numbers_dates_and_missing_values_are_untouched() -> None:
    frame = pd.DataFrame({"tone": [-0.5, 0.25], "date": pd.to_datetime(["2019-01-02", "2019-02-03"]), "note": ["a", None]})
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)))
    assert back["tone"].tolist() == [-0.5, 0.25]
    assert back["date"].tolist() == ["2019-01-02", "2019-02-03"]
    assert back["note"].isna().tolist() == [False, True]


def test_tuples_are_joined_and_the_input_is_not_modified() -> None:
    frame = pd.DataFrame({"actor_ids": [("a", "b"), ()]})
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), keep_default_na=False)
    assert back["actor_ids"].tolist() == ["a; b", ""]
    assert frame["actor_ids"].tolist() == [("a", "b"), ()]


def test_download_names_are_safe_file_names() -> None:
    assert csv_file_name("art-00001-topics") == "art-00001-topics.csv"
    assert csv_file_name("../../etc/<script>x") == "etc-script-x.csv"
    assert csv_file_name("...") == "table.csv"
