"""The build's full-text index of titles and texts, which the dashboard's text search (`q`) queries.

A SQLite FTS5 table (SQLite ships with Python) with one row per article, its rowid the article's
row in articles.parquet. It is contentless (the texts stay in articles.parquet) and keeps word
positions, so a query of several words matches them as a phrase. Why an index: the search used
to scan every text, 2.5-3.4 s per new query at a million stories; the index answers in
milliseconds, costs about 5 s of CPU and 76 MB per 100,000 stories to build (in a worker, beside
the keyword tables), and `--update` appends to it.

The matching rule, owned here (`match_expression` for the index, `highlight_pattern` for the
article view): words are runs of letters and digits; case and accents do not count ("ete" finds
"Été"); an article matches when its title or its text holds the query's words in order, next to
one another (spaces and punctuation between them do not count: "Kim Jong Un" finds
"Kim Jong-un"); a `*` ending the query makes its last word a prefix ("denuclear*").
"""
from __future__ import annotations

import re
import shutil
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

INDEX_FILE = "search.sqlite"
_TABLE = "search"
_TOKENIZE = "unicode61 remove_diacritics 2"
"""Words of letters and digits (Unicode), case folded, accents removed: SQLite's tokenizer, mirrored by `_fold` and `_WORD`."""
_WORD = re.compile(r"[^\W_]+")
"""A word as the tokenizer cuts them: letters and digits (`_` and all punctuation separate words)."""
_WORD_CHAR = r"[^\W_]"


def query_words(query: str) -> list[str]:
    """The words of a search text (`_WORD`), in order; none when it holds no letter or digit."""
    return _WORD.findall(query)


def is_prefix_query(query: str) -> bool:
    """True when the search text ends with `*`: its last word is then a prefix."""
    return query.rstrip().endswith("*")


def match_expression(query: str) -> str | None:
    """The FTS5 query for a search text (the module's rule): its words as one phrase, a prefix when it ends with `*`.
    None when it holds no word (it matches nothing)."""
    words = query_words(query)
    if not words:
        return None
    return '"' + " ".join(words) + '"' + (" *" if is_prefix_query(query) else "")


def _fold(text: str) -> str:
    """`text` with each character case folded and stripped of its accent, one character for one, as the index
    compares words; positions in the result are positions in `text`."""
    if text.isascii():
        return text.lower()
    return "".join(unicodedata.normalize("NFD", char)[:1].lower()[:1] or char for char in text)


def highlight_pattern(query: str) -> re.Pattern[str] | None:
    """A pattern for `highlight_spans`: the query's words as the index matches them (None without words)."""
    words = query_words(_fold(query))
    if not words:
        return None
    ending = "" if is_prefix_query(query) else f"(?!{_WORD_CHAR})"
    tail = rf"{_WORD_CHAR}*" if is_prefix_query(query) else ""
    return re.compile(rf"(?<!{_WORD_CHAR})" + r"[\W_]+".join(map(re.escape, words)) + tail + ending)


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """(start, end) of every place in `text` that matches `query` by the module's rule."""
    pattern = highlight_pattern(query)
    if pattern is None:
        return []
    return [(match.start(), match.end()) for match in pattern.finditer(_fold(text))]


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = OFF")  # a build writes into its staging folder: no one reads it before the swap
    connection.execute("PRAGMA synchronous = OFF")  # the build fsyncs its files before the swap
    return connection


def write_search_index(path: Path, batches: Iterable[tuple[Sequence[str | None], Sequence[str | None]]], first_row: int = 0) -> int:
    """Index (titles, texts) batches, rows numbered from `first_row`, into the index at `path`; returns its rows.

    With `first_row` 0 the index is created (`path` must not exist); else `path` is an index of
    `first_row` rows, extended (`append_search_index` copies one first).
    """
    connection = _connect(path)
    try:
        if first_row == 0:
            connection.execute(f"CREATE VIRTUAL TABLE {_TABLE} USING fts5(title, text, content='', detail=full, tokenize='{_TOKENIZE}')")
            connection.execute("CREATE TABLE search_rows (articles INTEGER NOT NULL)")
            connection.execute("INSERT INTO search_rows VALUES (0)")
            # Segments are merged only when 16 pile up on a level ('crisismerge'), not after every 4: a third less CPU
            # to build, and no slower to query (100,000 stories: 2.2 instead of 3.4 s; a query of "the" 27 ms either way).
            connection.execute(f"INSERT INTO {_TABLE} ({_TABLE}, rank) VALUES ('automerge', 0)")
        connection.execute("BEGIN")
        row = first_row
        for titles, texts in batches:
            connection.executemany(f"INSERT INTO {_TABLE} (rowid, title, text) VALUES (?, ?, ?)", zip(range(row, row + len(texts)), titles, texts))
            row += len(texts)
        connection.execute("UPDATE search_rows SET articles = ?", (row,))
        connection.execute("COMMIT")
    finally:
        connection.close()
    return row


def append_search_index(old: Path, path: Path, batches: Iterable[tuple[Sequence[str | None], Sequence[str | None]]]) -> int:
    """A copy of the index `old` at `path`, extended with the rows of `batches` after its own; returns its rows."""
    shutil.copyfile(old, path)
    return write_search_index(path, batches, first_row=indexed_rows(path))


def _open_read_only(path: Path | str) -> sqlite3.Connection:
    """The index at `path` for reading only: `immutable`, so SQLite neither locks it nor looks for a journal."""
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def indexed_rows(path: Path | str) -> int:
    """How many articles the index at `path` holds; raises sqlite3.DatabaseError when it is not an index."""
    connection = _open_read_only(path)
    try:
        return int(connection.execute("SELECT articles FROM search_rows").fetchone()[0])
    finally:
        connection.close()


def index_problems(path: Path, n_articles: int) -> list[str]:
    """What makes `path` unusable as the index of a build of `n_articles` articles (empty when it is fine)."""
    if not path.is_file():
        return [f"{path} is missing"]
    try:
        found = indexed_rows(path)
    except sqlite3.Error as error:
        return [f"{path} is not a search index ({error})"]
    return [] if found == n_articles else [f"{path} indexes {found:,} articles, the build holds {n_articles:,}"]


class SearchIndex:
    """An open index, queried by any thread (one query at a time: each takes milliseconds).

    Opened once, as a loaded build opens its files (`dashboard.text_store`): SQLite resolves a
    /proc/self/fd link to the file's name, so it could not reopen a file that a rebuild has
    since deleted, but an open connection keeps reading it.
    """

    def __init__(self, path: Path | str) -> None:
        self._connection = _open_read_only(path)
        self._connection.execute("SELECT articles FROM search_rows").fetchone()  # opens the file now
        self._lock = threading.Lock()

    def matching_rows(self, query: str) -> np.ndarray:
        """The rows (of articles.parquet) of the articles that match `query` by the module's rule, ascending."""
        expression = match_expression(query)
        if expression is None:
            return np.zeros(0, dtype=np.int64)
        with self._lock:
            cursor = self._connection.execute(f"SELECT rowid FROM {_TABLE} WHERE {_TABLE} MATCH ? ORDER BY rowid", (expression,))
            return np.fromiter((row for (row,) in cursor), dtype=np.int64)

    def close(self) -> None:
        self._connection.close()
