"""A build's texts stay on disk: article texts and sentences are read with DuckDB, for the rows a page shows.

The app keeps compact columns in memory (`dashboard.data`); one article's text and sentences,
keyword-in-context lines and framing examples are answered here by queries over the build's Parquet
files, the text search `q` by the build's search index (`pipeline.search_index`), so server memory no longer grows with the text of the corpus (2 GB at
100,000 stories when every text was held in pandas). No Streamlit: tested on its own.

Which build: `BuildFiles` opens the build's folder and the files read after loading once, at load;
every later read goes through those open files (`/proc/self/fd/N`). A rebuild renames a new folder
in and deletes the old one (`pipeline.store`), but an open file stays readable until it is closed,
so a loaded build answers from its own files, never from its successor's, for as long as a session
uses it; the files are closed (and the disk space freed) when the loaded build is dropped.

Threads: one DuckDB connection per loaded build; each query runs on its own cursor, since Streamlit
runs every session in its own thread. Results that a page asks for on every rerun (the matches of a
search text, a term's newest sentences in the articles listed) are kept in small per-build caches shared by all sessions.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import search_index

_FD_DIR = Path("/proc/self/fd")
PINNED_TABLES = ("articles", "sentences", "article_terms", "sentence_actors")
"""The tables read after loading (the others are read into memory at load)."""
PINNED_FILES = (*(f"{name}.parquet" for name in PINNED_TABLES), search_index.INDEX_FILE)
"""The files read after loading: those tables and the text search's index."""
CACHED_RESULTS = 32
"""Search texts, and keyword-in-context listings, whose matches each loaded build keeps (the least recently used go first)."""
MAX_BATCH = 1 << 15
"""Articles whose sentences one query reads at most (about 200,000 sentences; the IN list stays small)."""
CACHED_SENTENCES = 5_000
"""Sentences read by row that each loaded build keeps (about 1 MB of text)."""
DUCKDB_CONFIG = {
    "enable_external_file_cache": False, "memory_limit": "256MB", "allocator_flush_threshold": "8MB",
    "threads": 1, "allocator_background_threads": True,
}
"""No copy of the files' bytes in DuckDB's memory (the operating system caches them), and a bound on what a query may hold.

One thread: a text search reads a row group's texts per thread (about 20 MB at 100,000 stories) and ran on one
core anyway (0.27 s per search either way); the server's other sessions have their own threads. Background
threads of DuckDB's allocator hand what a query freed back to the system within a second: without them, the
server still held 40-65 MB a second after six searches at 100,000 stories, with them nothing."""

STREAMED_READ = {"pre_buffer": False, "buffer_size": 1 << 20}
"""Options of pyarrow's Parquet readers for a whole table read after loading: pages streamed through a 1 MB buffer.

Pre-buffering (pyarrow's default) reads each column chunk whole into Arrow's C++ default pool, which stays mimalloc
whatever `pa.set_memory_pool` says (`dashboard.data`): mimalloc kept what it freed, so reading article_terms at a
million stories (89 million rows) left the server 260 MB larger for good; streamed, mimalloc peaks at 3 MB, same speed."""


def _fd_path(fd: int) -> str:
    """A path that opens the file (or folder) behind an open descriptor, even once it is renamed or deleted.

    Linux's /proc/self/fd; elsewhere /dev/fd (macOS), where a folder's descriptor cannot be walked into.
    """
    return str(_FD_DIR / str(fd)) if _FD_DIR.is_dir() else f"/dev/fd/{fd}"


class BuildFiles:
    """A build's folder and the files read after loading, opened once (see the module docstring).

    `folder` reads the folder as it was when opened (on Linux, through its descriptor, so every table
    read at load comes from one build even if another is swapped in meanwhile); `path(name)` reads
    table `name` (or file `name`) of that build for as long as this object is open; `search_index`
    is the build's search index, opened with the files (SQLite opens a file by name, so it must be
    opened before a rebuild may delete it; None when not pinned). Raises FileNotFoundError when a
    pinned file is missing, OSError when the search index cannot be opened.
    """

    def __init__(self, data_dir: Path, files: Sequence[str] = PINNED_FILES) -> None:
        self._folder_fd = os.open(data_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self._fds: dict[str, int] = {}
        try:
            through_fd = Path(_fd_path(self._folder_fd))
            self.folder = through_fd if through_fd.is_dir() else Path(data_dir)
            for name in files:
                self._fds[name] = os.open(name, os.O_RDONLY | os.O_CLOEXEC, dir_fd=self._folder_fd)
            self.search_index = self._open_search_index() if search_index.INDEX_FILE in self._fds else None
        except BaseException:
            self.close()
            raise
        self._finalizer = weakref.finalize(self, _close_files, [self._folder_fd, *self._fds.values()], self.search_index)

    def _open_search_index(self) -> search_index.SearchIndex:
        try:
            return search_index.SearchIndex(self.path(search_index.INDEX_FILE))
        except sqlite3.Error as error:
            raise OSError(f"{search_index.INDEX_FILE} could not be opened ({error})") from error

    def path(self, name: str) -> str:
        """The path that reads table `name` (or file `name`) of this build (one of the files given when opened)."""
        return _fd_path(self._fds[name if name in self._fds else f"{name}.parquet"])

    def close(self) -> None:
        """Close the files (also done when the object is garbage-collected)."""
        finalizer = getattr(self, "_finalizer", None)
        if finalizer is not None:
            finalizer()
        else:
            _close_files([self._folder_fd, *self._fds.values()], getattr(self, "search_index", None))


def positions_in(index: pd.Index, article_ids: pd.Series) -> np.ndarray:
    """Each of `article_ids`' position in `index` (-1: not there). The build's own categorical ids (`data.Artifacts`),
    whose categories are `index` itself, carry theirs as their codes, so no id is looked up then."""
    if isinstance(article_ids.dtype, pd.CategoricalDtype) and article_ids.cat.categories is index:
        return article_ids.cat.codes.to_numpy()
    return index.get_indexer(article_ids.astype("str"))


def _sql_string(text: str) -> str:
    """`text` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _sql_name(name: str) -> str:
    """A column name as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _close_files(fds: list[int], index: search_index.SearchIndex | None) -> None:
    if index is not None:
        index.close()
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


class ResultCache:
    """A small thread-safe least-recently-used cache of computed results, shared by the sessions of one build."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()  # outside the lock: two sessions asking at once may both compute, with the same result
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


class _RowCache:
    """The values of the last `size` rows read, by row number (thread-safe)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[int, tuple[Any, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, rows: Sequence[int] | pd.Index) -> dict[int, tuple[Any, ...]]:
        with self._lock:
            found = {row: self._values[row] for row in rows if row in self._values}
            for row in found:
                self._values.move_to_end(row)
        return found

    def put_many(self, values: dict[int, tuple[Any, ...]]) -> None:
        with self._lock:
            self._values.update(values)
            while len(self._values) > self._size:
                self._values.popitem(last=False)


class Matches(NamedTuple):
    """What `TextStore.sentences_matching` found."""

    sentences: pd.DataFrame
    """row (in sentences.parquet), article (its article's place in the articles given), sentence_idx and text. The text
    comes with the match: reading it again by row cost as much as the match when the sentences lie in many row groups."""
    articles_read: int
    """How many of the articles given, the first ones, were read: all of them unless the limit or the budget stopped it."""


class TextStore:
    """The texts of one loaded build, queried on disk (see the module docstring).

    `article_ids` are the build's article ids in the app's row order (`Artifacts.articles`):
    results that cover the whole build come back as positions in it. `file_rows`: the row of
    articles.parquet of each of them (the app sorts the articles by date; None: the file's order).

    An article's sentences are found by position, not by id: sentences.parquet holds the sentences of
    articles.parquet's rows in the same order, so those of the article at file row r are the rows from
    the sum of `n_sentences` before r, `n_sentences[r]` of them (a guarantee of the pipeline, tested on a
    real build). Reading by row lets DuckDB skip the row groups it does not need: the sentences of 150
    articles in a few row groups take ~50 ms at a million stories, where a scan of every sentence took 4-6 s.
    Raises ValueError when the counts do not add up to the sentences file's rows (such a build cannot be read right).
    """

    def __init__(self, files: BuildFiles, article_ids: pd.Index, file_rows: np.ndarray | None = None) -> None:
        self.files = files
        self._position_of_row = np.arange(len(article_ids)) if file_rows is None else np.argsort(file_rows, kind="stable")
        counts = pq.read_table(files.path("articles"), columns=["n_sentences"])["n_sentences"].to_numpy(zero_copy_only=False)
        firsts = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        stored = pq.read_metadata(files.path("sentences")).num_rows
        if len(counts) != len(article_ids) or firsts[-1] != stored:
            raise ValueError(f"articles.parquet counts {firsts[-1]:,} sentences in {len(counts):,} articles, sentences.parquet holds "
                             f"{stored:,} (and the app {len(article_ids):,} articles): the sentences cannot be told apart by article")
        in_app_order = slice(None) if file_rows is None else np.asarray(file_rows)
        self._first_sentence = firsts[:-1][in_app_order]
        """Each article's first row in sentences.parquet (in `article_ids` order)."""
        self._sentence_count = counts[in_app_order].astype(np.int32)
        """Each article's number of sentences (in `article_ids` order)."""
        # The caller's own index when it holds strings: one hash table of 100,000 ids, not two.
        self.article_ids = article_ids if article_ids.dtype == "str" else pd.Index(article_ids, dtype="str")
        self._connection = duckdb.connect(config=DUCKDB_CONFIG)
        weakref.finalize(self, self._connection.close)
        self._searches = ResultCache(CACHED_RESULTS)
        self._matches = ResultCache(CACHED_RESULTS)
        self._rows = ResultCache(CACHED_RESULTS)
        self.article_columns = tuple(pq.read_schema(files.path("articles")).names)
        self.sentence_columns = tuple(pq.read_schema(files.path("sentences")).names)

    def _query(self, sql: str, parameters: Sequence[object] = (), tables: Mapping[str, pa.Table] | None = None) -> pd.DataFrame:
        """Run one query on its own cursor; `$articles`, `$sentences`, `$sentence_actors` and `$article_terms` in
        `sql` name the build's files, `$1`, `$2`... the parameters, `tables` name -> Arrow table more tables (no copy)."""
        sql = sql.replace("$sentence_actors", f"read_parquet({_sql_string(self.files.path('sentence_actors'))})")
        sql = sql.replace("$article_terms", f"read_parquet({_sql_string(self.files.path('article_terms'))})")
        sql = sql.replace("$articles", f"read_parquet({_sql_string(self.files.path('articles'))})")
        sql = sql.replace("$sentences", f"read_parquet({_sql_string(self.files.path('sentences'))}, file_row_number = true)")
        with self._connection.cursor() as cursor:
            for name, registered in (tables or {}).items():
                cursor.register(name, registered)
            table = cursor.sql(sql, params=list(parameters)).to_arrow_table()
        return table.to_pandas()

    def positions(self, article_ids: pd.Series) -> np.ndarray:
        """Each id's position in `article_ids` (-1: not one of the build's), `positions_in`."""
        return positions_in(self.article_ids, article_ids)

    # --- articles -------------------------------------------------------------------------

    def search(self, query: str) -> np.ndarray:
        """Which articles hold the words of `query` in their title or text (the rule of `pipeline.search_index`):
        a boolean per article in `article_ids` order. Kept per query for the build's lifetime (LRU)."""
        return self._searches.get(query, lambda: self._search(query))

    def _search(self, query: str) -> np.ndarray:
        matches = np.zeros(len(self.article_ids), dtype=bool)
        matches[self._position_of_row[self.files.search_index.matching_rows(query)]] = True
        return matches

    def article_details(self, article_id: str, columns: Sequence[str]) -> dict[str, object]:
        """Those of `columns` that articles.parquet has, for one article (None for an unknown id)."""
        present = [column for column in columns if column in self.article_columns]
        rows = self._query(f"SELECT {', '.join(map(_sql_name, present))} FROM $articles WHERE article_id = $1 LIMIT 1", [article_id])
        return rows.iloc[0].to_dict() if len(rows) else dict.fromkeys(present)

    # --- sentences ------------------------------------------------------------------------

    def sentences_of(self, article_id: str) -> pd.DataFrame:
        """One article's sentences in reading order: every column of sentences.parquet but article_id.

        Read by row (see the class docstring): DuckDB then reads one row group, where a filter on
        article_id read every row group's ids (0.3 s at a million stories)."""
        columns = ", ".join(_sql_name(column) for column in self.sentence_columns if column != "article_id")
        position = self.article_ids.get_indexer([article_id])[0]
        first, count = (int(self._first_sentence[position]), int(self._sentence_count[position])) if position >= 0 else (0, 0)
        return self._query(f"SELECT {columns} FROM $sentences WHERE file_row_number BETWEEN $1 AND $2 ORDER BY sentence_idx",
                           [first, first + count - 1])

    def sentences_at(self, rows: Sequence[int] | np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
        """The given rows of sentences.parquet (row numbers in the file), in the order given: row and `columns`.

        The last CACHED_SENTENCES rows read are kept per build (a page shows the same few sentences on
        rerun after rerun, and reading a handful spread over the file costs ~0.1 s); only the others are read.
        """
        wanted = pd.Index(np.asarray(rows, dtype=np.int64))
        cache = self._rows.get(tuple(columns), lambda: _RowCache(CACHED_SENTENCES))
        known = cache.get_many(wanted.unique())
        missing = [row for row in wanted.unique().tolist() if row not in known]
        if missing:
            selected = ", ".join(map(_sql_name, columns))
            found = self._query(f"SELECT file_row_number AS row, {selected} FROM $sentences WHERE file_row_number IN (SELECT unnest($1))",
                                [missing])
            read = dict(zip(found["row"].tolist(), found[list(columns)].itertuples(index=False, name=None), strict=True))
            cache.put_many(read)
            known.update(read)
        values = [known.get(row, (None,) * len(columns)) for row in wanted.tolist()]
        table = pd.DataFrame(values, columns=list(columns), index=wanted).rename_axis("row").reset_index()
        return table.astype({column: "str" for column in columns if column == "text"})

    def cue_sentences(self, columns: Sequence[str]) -> pd.DataFrame:
        """The sentences with weight in any of the `columns` that the build has (framing cues): row,
        article_id (categorical over `article_ids`), sentence_idx and those columns. No text: a small table, kept in memory."""
        present = [column for column in columns if column in self.sentence_columns]
        selected = "".join(f", {_sql_name(column)}" for column in present)
        condition = " OR ".join(f"{_sql_name(column)} > 0" for column in present) or "false"
        found = self._query(f"SELECT file_row_number AS row, article_id, sentence_idx{selected} FROM $sentences WHERE {condition}")
        return found.assign(article_id=pd.Categorical.from_codes(self.positions(found["article_id"]), categories=self.article_ids))

    # --- mentions ---------------------------------------------------------------------------

    def mentions_of(self, article_id: str) -> pd.DataFrame:
        """One article's mentions (sentence_actors rows): sentence_idx, actor_id, tone, start, end, in reading order."""
        return self._query('SELECT sentence_idx, actor_id, tone, start, "end" FROM $sentence_actors WHERE article_id = $1 '
                           "ORDER BY sentence_idx, start", [article_id])

    def term_counts_of(self, article_id: str) -> pd.Series:
        """term -> count of one article (article_terms rows, repeated terms summed; empty without counted terms).

        One query (about 50 ms at a million stories, 89 million rows): the term matrix is stored by term, so
        finding one article's row there would read all of it."""
        found = self._query("SELECT term, sum(count)::BIGINT AS count FROM $article_terms WHERE article_id = $1 GROUP BY term "
                            "ORDER BY term", [article_id])
        return pd.Series(found["count"].to_numpy(dtype=np.int64), index=pd.Index(found["term"].astype(str), dtype="str"))

    def sentence_actors(self, columns: Sequence[str]) -> pd.DataFrame:
        """`columns` of every row of sentence_actors.parquet besides article_id (categorical over `article_ids`) and
        actor_id (categorical), in file order: read when a table is derived from them, not kept."""
        table = pq.read_table(self.files.path("sentence_actors"), columns=["article_id", "actor_id", *columns],
                              read_dictionary=["article_id", "actor_id"], **STREAMED_READ)
        article_ids = table["article_id"].combine_chunks()
        positions = self.article_ids.get_indexer(article_ids.dictionary.to_pandas())[article_ids.indices.to_numpy(zero_copy_only=False)]
        frame = table.drop_columns(["article_id"]).to_pandas()
        frame.insert(0, "article_id", pd.Categorical.from_codes(positions, categories=self.article_ids))
        return frame

    def sentences_matching(self, articles: np.ndarray, pattern: str, word: str = "", limit: int | None = None,
                           budget: int | None = None) -> Matches:
        """The sentences of `articles` (positions in `article_ids`, in the order wanted) whose text matches the
        RE2 `pattern` (any case), by article in the order given, then in reading order (`Matches`). `word`
        (lower case), when given, is a part every match contains, checked first because it is cheaper than the pattern.

        With `limit`, only the first `limit` sentences: the articles are read a batch at a time (`limit`
        articles first, then twice as many each time) until that many are found, so a common term reads the
        sentences of a few hundred articles, not of all; and with `budget`, no further batch once about that
        many sentences were read (a term found in few of many articles would read them all). Kept per
        (pattern, articles, limit, budget) for the build's lifetime (LRU), since a page asks again on every
        rerun. Without a limit, every matching sentence (the CSV download): read MAX_BATCH articles at a time, not kept.
        """
        articles = np.ascontiguousarray(articles, dtype=np.int64)
        if limit is None:
            return self._matching(articles, pattern, word, None, None)
        key = (pattern, word, limit, budget, hashlib.blake2b(articles.tobytes(), digest_size=16).digest())
        return self._matches.get(key, lambda: self._matching(articles, pattern, word, limit, budget))

    def _matching(self, articles: np.ndarray, pattern: str, word: str, limit: int | None, budget: int | None) -> Matches:
        found: list[pd.DataFrame] = []
        start, size, total, read = 0, limit or MAX_BATCH, 0, 0
        while start < len(articles) and (limit is None or total < limit) and (budget is None or read < budget):
            batch = articles[start:start + size]
            if budget is not None:  # the batch's first articles within the budget, at least one
                batch = batch[:max(1, int(np.searchsorted(np.cumsum(self._sentence_count[batch]), budget - read, side="right")))]
            found.append(self._matching_in(batch, pattern, word, start))
            total, read = total + len(found[-1]), read + int(self._sentence_count[batch].sum())
            start, size = start + len(batch), min(2 * size, MAX_BATCH)
        if not found:
            found.append(self._matching_in(articles[:0], pattern, word, 0))
        return Matches(pd.concat(found, ignore_index=True).head(limit), start)

    def _matching_in(self, articles: np.ndarray, pattern: str, word: str, first: int) -> pd.DataFrame:
        """`Matches.sentences` of one batch of articles, the first of them `first` in the whole list; read by row
        number, so that DuckDB skips the row groups without them."""
        counts = self._sentence_count[articles]
        rows = np.repeat(self._first_sentence[articles] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        found = pd.DataFrame({"row": np.zeros(0, np.int64), "sentence_idx": np.zeros(0, np.int64), "text": pd.Series(dtype="str")})
        if len(rows):  # an empty list would let DuckDB read the whole file
            found = self._query("SELECT file_row_number AS row, sentence_idx, text FROM $sentences WHERE file_row_number IN "
                                "(SELECT row FROM wanted) AND contains(lower(text), $2) AND regexp_matches(text, $1, 'i')",
                                [pattern, word], tables={"wanted": pa.table({"row": rows})})
        # `rows` ascend within an article: each found row's place in them gives its article and the article's rank in `articles`.
        order = np.argsort(rows, kind="stable")
        place = order[np.searchsorted(rows, found["row"].to_numpy(), sorter=order)]
        rank = np.repeat(np.arange(len(articles)), counts)[place]
        arranged = np.lexsort((found["sentence_idx"].to_numpy(), rank))
        return pd.DataFrame({"row": found["row"].to_numpy(dtype=np.int64)[arranged], "article": first + rank[arranged],
                             "sentence_idx": found["sentence_idx"].to_numpy(dtype=np.int64)[arranged],
                             "text": found["text"].astype("str").to_numpy()[arranged]})
