"""CSV export is spreadsheet-safe, faithful and rounded; the page context lives for one run."""
from __future__ import annotations

import gc
import io
import weakref
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common import article_rows_csv, csv_bytes, csv_file_name, csv_number, set_page_context
from dashboard.data import Artifacts
from dashboard.filters import Filters, apply_filters
from dashboard.queries import article_table


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


@pytest.mark.parametrize(("value", "shown"), [
    (0.123456789, "0.1235"), (0.30000000000000004, "0.3"), (-0.0000123456, "-0.00001235"), (0.0, "0"),
    (1.0, "1"), (12.345678, "12.346"), (-2.5, "-2.5"), (98765.4321, "98765.432"),
])
def test_decimals_are_rounded_sensibly(value: float, shown: str) -> None:
    assert csv_number(value) == shown


def test_a_csv_holds_rounded_decimals_and_whole_counts() -> None:
    frame = pd.DataFrame({"share": [1 / 3, np.nan], "count": [3, 12345678], "z": [2.0000001, -7.123456]})
    text = csv_bytes(frame).decode("utf-8")
    assert text.splitlines() == ["share,count,z", "0.3333,3,2", ",12345678,-7.123"]


def _page_that_stops(record: str) -> None:
    """An app run like app.py's: the context is set, the page stops early, the `finally` drops it."""
    from pathlib import Path

    import streamlit as st

    from dashboard.common import optional_page_context, set_page_context

    try:
        set_page_context("the context")  # type: ignore[arg-type]
        st.stop()
    finally:
        set_page_context(None)
        Path(record).write_text(f"dropped: {optional_page_context() is None}")


def test_a_page_that_stops_early_still_has_its_context_dropped(tmp_path: Path) -> None:
    # After st.stop(), every access to st.session_state raises StopException again: a context kept there
    # stayed with the idle session, and app.py's `finally` (the build's warm-up) never ran.
    record = tmp_path / "record.txt"
    AppTest.from_function(_page_that_stops, args=(str(record),), default_timeout=30).run()
    assert record.read_text() == "dropped: True"


class _Cycle:
    """An object in a reference cycle, as a page's module is with its functions."""

    def __init__(self) -> None:
        self.me = self


def test_the_end_of_a_run_collects_its_cycles_once_the_server_has_frozen_its_lasting_objects() -> None:
    gc.collect()
    gc.freeze()
    try:
        garbage = _Cycle()
        collected = weakref.ref(garbage)
        del garbage
        set_page_context(None)
        assert collected() is None
    finally:
        gc.unfreeze()


def test_article_rows_csv_is_the_table_of_the_articles_given(artifacts: Artifacts) -> None:
    articles = apply_filters(artifacts, Filters(leaders=("kim-jong-un",))).iloc[::-1]
    assert 0 < len(articles) < len(artifacts.articles)
    expected = article_table(articles, artifacts.mentions, artifacts.actor_names, artifacts.topic_labels)
    pd.testing.assert_frame_equal(article_rows_csv(artifacts, articles)(), expected)
