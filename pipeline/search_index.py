"""The build's full-text index of titles and texts, which the dashboard's text search (`q`) queries.

A SQLite FTS5 table (SQLite ships with Python) with one row per article, its rowid the article's
row in articles.parquet. It is contentless (the texts stay in articles.parquet) and keeps word
positions, so a query of several words matches them as a phrase. Why an index: the search used
to scan every text, 2.5-3.4 s per new query at a million stories; the index answers in
milliseconds (bench/bench_search.py), costs about 2.2 s of CPU and 80 MB per 100,000 stories to
build (in a worker, beside the keyword tables), and `--update` appends to it.

The matching rule, owned here (`match_expression` for the index, `highlight_pattern` for the
article view): words are runs of letters and digits; case and accents do not count ("ete" finds
"Été"); an article matches when its title or its text holds the query's words in order, next to
one another (spaces and punctuation between them do not count: "Kim Jong Un" finds
"Kim Jong-un"); a `*` ending the query makes its last word a prefix ("denuclear*").
"""
from __future__ import annotations

import queue
import re
import shutil
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

INDEX_FILE = "search.sqlite"
_TABLE = "search"
_TOKENIZE = "unicode61 remove_diacritics 2"
"""Words of letters and digits (Unicode), case folded, accents removed: SQLite's tokenizer, mirrored by `_fold` and `_WORD`."""
_WORD_CHAR = r"[^\W_]"
"""A character of a word as the tokenizer cuts them: a letter or digit (`_` and all punctuation separate words)."""
_WORD = re.compile(rf"{_WORD_CHAR}+")


def query_words(query: str) -> list[str]:
    """The words of a search text (`_WORD`), in order; none when it holds no letter or digit. Read in NFKC, as
    the pipeline stores texts (`pipeline.text.normalize_text`), so a typed "e" + combining accent is "é"."""
    return _WORD.findall(unicodedata.normalize("NFKC", query))


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


def _fold_char(char: str) -> str:
    """One character as the index compares it: lower case, and without its accents when it is a letter plus
    combining marks ("É" -> "e"); a character that decomposes otherwise (a Hangul syllable) stays whole."""
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0] if all(unicodedata.combining(mark) for mark in decomposed[1:]) else char
    return base.lower()[:1] or base


def _fold(text: str) -> str:
    """`text` folded character by character (`_fold_char`), one for one: positions in the result are positions in `text`."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def highlight_pattern(query: str) -> re.Pattern[str] | None:
    """A pattern for `highlight_spans`: the query's words as the index matches them (None without words)."""
    words = [_fold(word) for word in query_words(query)]
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


def write_search_index(path: Path, batches: Iterable[tuple[Sequence[str | None], Sequence[str | None]]]) -> int:
    """A new index at `path` (which must not exist) of (titles, texts) batches, rows numbered from 0; returns its rows."""
    return _index_rows(path, batches, create=True)


def _index_rows(path: Path, batches: Iterable[tuple[Sequence[str | None], Sequence[str | None]]], create: bool) -> int:
    """Index (titles, texts) batches into the index at `path`, created first with `create`, else extended after its
    own rows; returns its rows."""
    connection = _connect(path)
    try:
        if create:
            connection.execute(f"CREATE VIRTUAL TABLE {_TABLE} USING fts5(title, text, content='', detail=full, tokenize='{_TOKENIZE}')")
            connection.execute("CREATE TABLE search_rows (articles INTEGER NOT NULL)")
            connection.execute("INSERT INTO search_rows VALUES (0)")
            # Segments are merged only when 16 pile up on a level ('crisismerge'), not after every 4: a third less CPU
            # to build, and no slower to query (100,000 stories: 2.2 instead of 3.4 s; a query of "the" 27 ms either way).
            connection.execute(f"INSERT INTO {_TABLE} ({_TABLE}, rank) VALUES ('automerge', 0)")
        connection.execute("BEGIN")
        row = int(connection.execute("SELECT articles FROM search_rows").fetchone()[0])
        for titles, texts in batches:
            rows = zip(range(row, row + len(texts)), titles, texts, strict=True)
            connection.executemany(f"INSERT INTO {_TABLE} (rowid, title, text) VALUES (?, ?, ?)", rows)
            row += len(texts)
        connection.execute("UPDATE search_rows SET articles = ?", (row,))
        connection.execute("COMMIT")
    finally:
        connection.close()
    return row


def append_search_index(old: Path, path: Path, batches: Iterable[tuple[Sequence[str | None], Sequence[str | None]]]) -> int:
    """A copy of the index `old` at `path`, extended with the rows of `batches` after its own; returns its rows."""
    shutil.copyfile(old, path)
    return _index_rows(path, batches, create=False)


def _open_read_only(path: Path | str) -> sqlite3.Connection:
    """The index at `path` for reading only: `immutable`, so SQLite neither locks it nor looks for a journal (the path
    as a file URI, so a folder named with "#", "?" or "%" is read as named)."""
    return sqlite3.connect(Path(path).absolute().as_uri() + "?mode=ro&immutable=1", uri=True, check_same_thread=False)


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
    """An open index, queried by any thread: `CONNECTIONS` queries at a time (one "the" takes 0.26 s at a million
    stories, a rare word milliseconds), so one broad search does not hold up every session's.

    Opened once, as a loaded build opens its files (`dashboard.text_store.BuildFiles`): SQLite resolves
    a /proc/self/fd link to the file's name, so it could not reopen a file that a rebuild has since
    deleted, but open connections keep reading it. Raises sqlite3.Error when `path` is no index.
    """

    CONNECTIONS = 2

    def __init__(self, path: Path | str) -> None:
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._connections = []
        for _ in range(self.CONNECTIONS):
            connection = _open_read_only(path)
            self._connections.append(connection)
            connection.execute("SELECT articles FROM search_rows").fetchone()  # opens the file now
            self._idle.put(connection)

    def matching_rows(self, query: str) -> np.ndarray:
        """The rows (of articles.parquet) of the articles that match `query` by the module's rule, ascending."""
        expression = match_expression(query)
        if expression is None:
            return np.zeros(0, dtype=np.int64)
        connection = self._idle.get()
        try:
            cursor = connection.execute(f"SELECT rowid FROM {_TABLE} WHERE {_TABLE} MATCH ? ORDER BY rowid", (expression,))
            return np.fromiter((row for (row,) in cursor), dtype=np.int64)
        finally:
            self._idle.put(connection)

    def close(self) -> None:
        for connection in self._connections:
            connection.close()
