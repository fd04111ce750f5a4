"""The text search's index and its matching rule: words in order, any case and accent, a final * for a prefix."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from pipeline import search_index
from pipeline.search_index import SearchIndex, append_search_index, highlight_spans, index_problems, match_expression, write_search_index

TITLES = ["Kim Jong-un meets Putin", "Summitry and summits", None, "Talks (round 2) + sanctions?", "Pyŏngyang notes", "한국 하고"]
TEXTS = [
    "The leaders met in Vladivostok.",
    "A SUMMIT was held; the summit_talks went on.",
    "Nothing here but kimchi.",
    "A b.c*d text; the summit waits.",
    "ÉTÉ in Pyongyang, and the UN spoke.",
    "Denuclearization and denuclearize were said.",
]
QUERIES = [
    "summit", "SUMMIT", "summit*", "kim jong un", "Kim Jong-Un", "jong un meets", "un", "un*", "kim", "kim*", "pyongyang",
    "été", "ete", "round 2) +", "b.c*d", "b_c", "talks", "summit talks", "denuclear*", "denuclear", "%", "", "  *  ",
    "waits summit", "vladivostok.", "no such words", "한국", "하고", "한", "e\u0301te\u0301", "pyo\u0306ngyang",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    path = tmp_path_factory.mktemp("index") / search_index.INDEX_FILE
    assert write_search_index(path, [(TITLES[:2], TEXTS[:2]), (TITLES[2:], TEXTS[2:])]) == len(TEXTS)
    return SearchIndex(path)


def matches(index: SearchIndex, query: str) -> list[int]:
    return index.matching_rows(query).tolist()


@pytest.mark.parametrize(("query", "rows"), [
    ("summit", [1, 3]),                   # whole words, any case, title or text ("Summitry" is another word)
    ("summit*", [1, 3]),                  # a final * makes the last word a prefix: "Summitry" and "summits" too, same rows
    ("kim jong un", [0]),                 # words in order, punctuation between them does not count
    ("jong un meets", [0]),
    ("kim", [0]),                         # not "kimchi"
    ("kim*", [0, 2]),
    ("un", [0, 4]),                       # "Jong-un" and "UN"
    ("pyongyang", [4]),                   # "Pyŏngyang" in the title too: accents do not count
    ("ete", [4]),
    ("round 2) +", [3]),                  # "+" is no word
    ("b_c", [3]),                         # "_" separates words
    ("summit talks", [1]),                # "summit_talks"
    ("waits summit", []),                 # the query's order
    ("denuclear", []),
    ("denuclear*", [5]),
    ("한국", [5]),                         # a Hangul syllable is compared whole, not by its first letter
    ("한", []),
    ("e\u0301te\u0301", [4]),             # a query typed with combining accents reads as the composed texts
    ("%", []),                            # no word, no match
    ("", []),
])
def test_the_index_matches_words_in_order_in_any_case(index: SearchIndex, query: str, rows: list[int]) -> None:
    assert matches(index, query) == rows


def test_the_expression_quotes_the_words_so_no_query_syntax_reaches_sqlite() -> None:
    assert match_expression('NEAR(kim "putin") OR x*') == '"NEAR kim putin OR x" *'
    assert match_expression("-- ;") is None


@pytest.mark.parametrize("query", QUERIES)
def test_the_article_view_highlights_exactly_the_articles_the_index_finds(index: SearchIndex, query: str) -> None:
    highlighted = [row for row, (title, text) in enumerate(zip(TITLES, TEXTS)) if highlight_spans(title or "", query) or highlight_spans(text, query)]
    assert highlighted == matches(index, query)


def test_highlights_cover_the_matched_words_in_the_original_text() -> None:
    text = "Pyŏngyang: Kim Jong-un, KIM JONG UN and Kim Jong Unification."
    assert [text[start:end] for start, end in highlight_spans(text, "kim jong un")] == ["Kim Jong-un", "KIM JONG UN"]
    assert [text[start:end] for start, end in highlight_spans(text, "kim jong un*")] == ["Kim Jong-un", "KIM JONG UN", "Kim Jong Unification"]
    assert [text[start:end] for start, end in highlight_spans(text, "pyongyang")] == ["Pyŏngyang"]


def test_an_appended_index_answers_as_one_built_whole(tmp_path: Path, index: SearchIndex) -> None:
    first = tmp_path / "first.sqlite"
    write_search_index(first, [(TITLES[:4], TEXTS[:4])])
    appended = tmp_path / "appended.sqlite"
    assert append_search_index(first, appended, [(TITLES[4:], TEXTS[4:])]) == len(TEXTS)
    whole = SearchIndex(appended)
    for query in QUERIES:
        assert matches(whole, query) == matches(index, query), query
    assert SearchIndex(first).matching_rows("pyongyang").tolist() == []  # the original is left as it was


def test_an_index_in_a_folder_named_with_uri_characters_opens_as_named(tmp_path: Path) -> None:
    folder = tmp_path / "a#b?c%d"
    folder.mkdir()
    write_search_index(folder / search_index.INDEX_FILE, [(["Summit"], ["talks"])])
    assert index_problems(folder / search_index.INDEX_FILE, 1) == []
    assert SearchIndex(folder / search_index.INDEX_FILE).matching_rows("talks").tolist() == [0]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a#b?c%d"]  # nothing created beside it


def test_index_problems_name_a_missing_file_a_wrong_size_and_a_file_that_is_no_index(tmp_path: Path) -> None:
    path = tmp_path / search_index.INDEX_FILE
    assert index_problems(path, 3) == [f"{path} is missing"]
    write_search_index(path, [(["a", "b", "c"], ["x", "y", "z"])])
    assert index_problems(path, 3) == []
    assert index_problems(path, 4) == [f"{path} indexes 3 articles, the build holds 4"]
    path.write_bytes(b"not a database" * 100)
    (problem,) = index_problems(path, 3)
    assert problem.startswith(f"{path} is not a search index")


def test_an_open_index_keeps_answering_after_its_file_is_deleted(tmp_path: Path) -> None:
    path = tmp_path / search_index.INDEX_FILE
    write_search_index(path, [(["Summit"], ["talks"])])
    opened = SearchIndex(path)
    path.unlink()
    assert opened.matching_rows("summit").tolist() == [0]
    with pytest.raises(sqlite3.OperationalError):
        SearchIndex(path)


def test_rows_come_back_ascending_over_many_batches(tmp_path: Path) -> None:
    path = tmp_path / search_index.INDEX_FILE
    texts = [f"story {number} about {'the summit' if number % 7 == 0 else 'other things'}" for number in range(5_000)]
    write_search_index(path, ((["t"] * 1000, texts[first : first + 1000]) for first in range(0, 5_000, 1000)))
    np.testing.assert_array_equal(SearchIndex(path).matching_rows("the summit"), np.arange(0, 5_000, 7))
