"""Keywords: chosen terms month by month, the terms that emerge each month, and where a term is used.

Term counts come from article_terms.parquet (article x term over the pipeline's pruned
vocabulary), copied once per build into an articles x terms matrix kept on disk (`TermMatrix`),
whose chunks a query reads for the articles it counts: every sidebar filter applies
to the trend lines. Emergence scores come precomputed from keywords.parquet (each month
against the whole corpus, `pipeline.keywords.monthly_keywords`), so only the date filter
applies to them. Keyword-in-context lines (`in_context`: `find_sentences`, `kwic`) are shared
with the Compare page; their sentences are searched and read on disk (`dashboard.text_store`).
A typed phrase is spelled the way the pipeline counts terms (`resolve_term`).

DataFrames in, DataFrames or figures out, tested without Streamlit (no Streamlit import).
The widgets that show these tables (the KWIC listing, the term box) are in `dashboard.common`;
the per-build term matrix is `Artifacts.term_matrix`.
"""
from __future__ import annotations

import itertools
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp

from dashboard.figures import style
from dashboard.safe_text import escape_html
from dashboard.selection import Part, is_month, periods_phrase
from dashboard.text_store import STREAMED_READ, TextStore, positions_in
from dashboard.tone_view import PALETTE
from pipeline.keywords import rank_emerging
from pipeline.terms import as_term

MEASURES = {"share": "Share of the month's terms", "count": "Occurrences"}
MAX_PICKED_TERMS = 8
DEFAULT_TERMS = 3
"""Without picked terms the trend chart shows this many of the filter's most emerging terms."""
MAX_TERM_OPTIONS = 20_000
"""Terms the keyword box searches as the user types (the most used first; typed phrases reach every term)."""
KWIC_WIDTH = 70
"""Characters of context kept on each side of the term."""
MAX_KWIC_LINES = 150
KWIC_COLUMNS = ("article_id", "date", "source", "title", "sentence_idx", "left", "term", "right")
# A character that cannot continue a word. Spelled out (ASCII and Latin letters with diacritics)
# instead of \w so pandas hands the regex to pyarrow's RE2 (~25x faster than Python's re here).
_NOT_WORD = r"[^0-9A-Za-z_\-À-ÖØ-öø-ɏ]"
_WORD_GAP = r"[ \t\n\-]+"
_SEPARATORS = re.compile(r"[\s\-]+")


# --- terms the user types -------------------------------------------------------------


def term_candidates(typed: str) -> list[str]:
    """The spellings under which a typed phrase may be counted, most literal first: as typed (lower case,
    single spaces), then through the pipeline's own normaliser (`pipeline.terms.as_term`), then the same
    with each word capitalised, since the normaliser joins Korean names only when written as names
    ("kim jong un" -> "kim-jong-un")."""
    spaced = " ".join(typed.lower().split())
    capitalised = " ".join(word[:1].upper() + word[1:].lower() for word in typed.split())
    return list(dict.fromkeys(term for term in (spaced, as_term(typed), as_term(capitalised)) if term))


def resolve_term(typed: str, vocabulary: pd.Index) -> tuple[str | None, bool]:
    """The term of the build a typed phrase stands for, and whether it was completed from a prefix.

    `vocabulary` lists the build's terms, most used first. Each spelling of `term_candidates` in turn:
    the term itself, else the most used term that starts with it ("denucleari" -> "denuclearization",
    "sanctions r" -> "sanctions relief", before the normaliser drops the "r"); else (None, False).
    """
    for candidate in term_candidates(typed):
        if vocabulary.get_indexer([candidate])[0] >= 0:
            return candidate, False
        starting = np.flatnonzero(vocabulary.str.startswith(candidate))
        if len(starting):
            return str(vocabulary[starting[0]]), True
    return None, False


@dataclass(frozen=True)
class TermChoice:
    """What became of the terms the user picked or typed."""

    terms: tuple[str, ...]
    """the build's terms, in the order given, each once"""
    completed: tuple[tuple[str, str], ...] = ()
    """(as typed, the term it was completed to) for phrases found by their beginning"""
    unknown: tuple[str, ...] = ()
    """phrases that match no term"""


def choose_terms(values: Iterable[str], vocabulary: pd.Index) -> TermChoice:
    """`resolve_term` for each picked or typed value (comma-separated values split, as in a hand-written link)."""
    terms: dict[str, None] = {}
    completed, unknown = [], []
    for value in values:
        for typed in (part for part in str(value).split(",") if part.strip()):
            term, was_completed = resolve_term(typed, vocabulary)
            if term is None:
                unknown.append(" ".join(typed.split()))
                continue
            if was_completed:
                completed.append((" ".join(typed.split()), term))
            terms[term] = None
    return TermChoice(tuple(terms), tuple(completed), tuple(dict.fromkeys(unknown)))


def vocabulary_by_use(matrix: TermMatrix, here: np.ndarray, limit: int = MAX_TERM_OPTIONS) -> list[str]:
    """The terms to search as the user types: those the articles use (`here`: their `term_totals`), most used
    first, then the build's others by their use in all articles; at most `limit` (the box sends every option to the browser)."""
    order = np.lexsort((matrix.terms.to_numpy(dtype=str), -matrix.totals, -here))
    return [str(term) for term in matrix.terms.take(order[:limit])]


def default_terms(strongest: pd.DataFrame, used: pd.Series, n: int = DEFAULT_TERMS) -> list[str]:
    """The terms shown before the user picks any: the n plain terms (no people) that emerge most strongly
    (score above 0) in some month of `strongest` (`emerging_terms` of the dates, top_k=MAX_PICKED_TERMS),
    among those the filtered articles use (`used`: term -> count); then the most used terms when fewer
    emerge. A term whose words are all in one already shown is passed over."""
    # get_indexer, not isin: a pyarrow string isin walks the values in Python (0.3 s on a 100,000-story build)
    strongest = strongest.loc[(used.index.get_indexer(strongest["term"]) >= 0) & (strongest["score"] > 0)]
    strongest = strongest.sort_values("score", ascending=False, kind="stable")
    picked: list[str] = []
    for term in itertools.chain(strongest["term"].astype("str"), used.sort_values(ascending=False, kind="stable").index.astype("str")):
        if len(picked) == n:
            break
        if not any(_overlaps(term, other) for other in picked):
            picked.append(term)
    return picked


def _overlaps(term: str, other: str) -> bool:
    """Whether one term's words are all in the other ("martial" and "martial law" tell one story twice)."""
    words, other_words = set(term.split()), set(other.split())
    return words <= other_words or other_words <= words


# --- the articles x terms matrix ------------------------------------------------------


ENTRIES_PER_CHUNK = 1 << 20
"""Entries of a `TermMatrix` read from its files at a time (8 MB), and sorted at a time while it is made."""


class _Int32Files:
    """Arrays of int32 values in unlinked temporary files (one per name), appended to, then read by position.

    Unlinked (`tempfile.TemporaryFile`): the disk space is freed when the files are closed, which happens
    when their owner is dropped, or when the process ends, however it ends. `os.pread` keeps no file
    position, so threads may read at once.
    """

    def __init__(self, names: Sequence[str], width: int = 1) -> None:
        self._files = {name: tempfile.TemporaryFile(prefix="peninsula-watch-terms-") for name in names}
        self._width = width
        self.sizes = dict.fromkeys(names, 0)
        """Values (rows of `width` values) appended to each file."""

    def append(self, **arrays: np.ndarray) -> None:
        for name, values in arrays.items():
            self._files[name].write(np.ascontiguousarray(values, dtype=np.int32).tobytes())
            self.sizes[name] += len(values)

    def finish(self) -> None:
        for file in self._files.values():
            file.flush()

    def read(self, name: str, start: int, stop: int) -> np.ndarray:
        """Values (rows) start to stop, excluded, of file `name`."""
        values = np.frombuffer(_pread(self._files[name].fileno(), (stop - start) * 4 * self._width, start * 4 * self._width), dtype=np.int32)
        return values.reshape(-1, self._width) if self._width > 1 else values

    def close(self) -> None:
        for file in self._files.values():
            file.close()


def _pread(fd: int, length: int, offset: int) -> bytes:
    parts = []
    while length > 0:
        part = os.pread(fd, length, offset)
        if not part:
            raise OSError(f"a term matrix file ended {length} bytes early")
        parts.append(part)
        length, offset = length - len(part), offset + len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


@dataclass(frozen=True, eq=False)
class TermMatrix:
    """Term counts of every article (read-only, shared like the artifacts), kept on disk by term.

    The matrix is stored by column (compressed sparse columns: each term's article rows and counts, rows
    ascending) in temporary files; the server holds only `indptr` and the sums below. A query reads what it
    needs: one term's entries are one read (`column`), the sums over a set of articles read every entry a
    chunk at a time (`term_totals_of`, one sparse product per chunk). In memory this matrix held 71 MB at
    100,000 stories (8.9 million entries) and would hold ~0.7 GB at a million.
    """

    files: _Int32Files = field(repr=False)
    """"rows" and "counts" of the entries, by term."""
    indptr: np.ndarray
    """Term t's entries are indptr[t] to indptr[t + 1]."""
    chunk_starts: np.ndarray
    """The first term of each chunk read at a time, then the number of terms: whole terms, ENTRIES_PER_CHUNK entries or about."""
    article_totals: np.ndarray
    """all counted term occurrences of each article (row sums)"""
    totals: np.ndarray
    """occurrences of each term in all articles (column sums)"""
    article_ids: pd.Index
    """row labels"""
    terms: pd.Index
    """column labels (str)"""

    @property
    def docs(self) -> np.ndarray:
        """How many articles use each term (entries per column)."""
        return np.diff(self.indptr)

    def positions(self, articles: pd.DataFrame) -> np.ndarray:
        """Each article's matrix row, -1 for an article the matrix does not hold (`text_store.positions_in`)."""
        return positions_in(self.article_ids, articles["article_id"])

    def rows_of(self, articles: pd.DataFrame) -> np.ndarray:
        """The matrix rows of these articles (articles the matrix does not hold have none)."""
        rows = self.positions(articles)
        return rows[rows >= 0]

    def chunks(self) -> Iterator[sp.csc_matrix]:
        """The matrix a chunk of whole terms at a time: articles x the chunk's terms (`chunk_starts`)."""
        for first, last in itertools.pairwise(self.chunk_starts.tolist()):
            start, stop = int(self.indptr[first]), int(self.indptr[last])
            yield sp.csc_matrix((self.files.read("counts", start, stop), self.files.read("rows", start, stop), self.indptr[first:last + 1] - start),
                                shape=(len(self.article_ids), last - first))

    def column(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The rows of the articles using `term` (a term of `terms`), ascending, and how often."""
        number = self.terms.get_loc(term)
        start, stop = int(self.indptr[number]), int(self.indptr[number + 1])
        return self.files.read("rows", start, stop), self.files.read("counts", start, stop)


def read_term_matrix(source: str | IO[bytes], article_ids: pd.Index) -> TermMatrix:
    """The `TermMatrix` of an article_terms.parquet file (a path, or an open binary file), rows in the order of
    `article_ids` (str, kept as the row labels). Repeated (article, term) pairs are summed; an article the
    build's articles do not hold has no row.

    Made without ever holding the matrix: the file is read as dictionary codes (no string per row: 8.9 million
    rows at 100,000 stories) ENTRIES_PER_CHUNK rows at a time into a staging file; its entries are then dealt
    into bands of whole terms of about as many entries, and each band is sorted (one int64 sort of
    term, row and count packed together) and written by term. Loading holds a band and the sums.
    """
    parquet = pq.ParquetFile(source, read_dictionary=["article_id", "term"], **STREAMED_READ)
    vocabulary: dict[str, int] = {}
    staged = _Int32Files(["entries"], width=3)
    article_totals = np.zeros(len(article_ids), dtype=np.int64)
    per_term, largest = np.zeros(0, dtype=np.int64), 0
    for batch in parquet.iter_batches(batch_size=ENTRIES_PER_CHUNK, columns=["article_id", "term", "count"]):
        rows = _decoded(batch.column("article_id"), lambda ids: article_ids.get_indexer(ids.to_pandas()).astype(np.int32))
        columns = _decoded(batch.column("term"), lambda words: np.array([vocabulary.setdefault(term, len(vocabulary)) for term in words.to_pylist()], dtype=np.int32))
        counts = batch.column("count").to_numpy(zero_copy_only=False)
        known = rows >= 0
        rows, columns, counts = rows[known], columns[known], counts[known]
        if len(counts) and (counts.min() < 0 or counts.max() >= 1 << 31):
            raise ValueError(f"article_terms: a count outside 0..2**31-1 ({counts.min()}..{counts.max()})")
        entries = np.empty((len(rows), 3), dtype=np.int32)
        entries[:, 0], entries[:, 1], entries[:, 2] = rows, columns, counts
        staged.append(entries=entries)
        article_totals += np.bincount(rows, weights=counts, minlength=len(article_ids)).astype(np.int64)
        per_term = _grown(per_term, len(vocabulary)) + np.bincount(columns, minlength=len(vocabulary))
        largest = max(largest, int(counts.max(initial=0)))
    staged.finish()
    bands = _term_bands(per_term, ENTRIES_PER_CHUNK)
    dealt = _Int32Files([str(band) for band in range(len(bands) - 1)], width=3)
    for start in range(0, staged.sizes["entries"], ENTRIES_PER_CHUNK):
        entries = staged.read("entries", start, min(start + ENTRIES_PER_CHUNK, staged.sizes["entries"]))
        band_of = (np.searchsorted(bands, entries[:, 1], side="right") - 1).astype(np.int16 if len(bands) < 1 << 15 else np.int32)
        entries = entries[np.argsort(band_of, kind="stable")]  # one pass (a radix sort for 16 bits), not one per band
        sizes = np.bincount(band_of, minlength=len(bands) - 1)
        ends = np.cumsum(sizes)
        for band in np.flatnonzero(sizes).tolist():
            dealt.append(**{str(band): entries[ends[band] - sizes[band]:ends[band]]})
    staged.close()
    dealt.finish()
    stored = _Int32Files(["rows", "counts"])
    row_bits, count_bits = max(len(article_ids) - 1, 1).bit_length(), max(largest, 1).bit_length()
    totals, docs = np.zeros(len(vocabulary), dtype=np.int64), np.zeros(len(vocabulary), dtype=np.int64)
    for band, (first, last) in enumerate(itertools.pairwise(bands.tolist())):
        if (last - first - 1).bit_length() + row_bits + count_bits > 63:
            raise ValueError("article_terms: too many articles, terms or occurrences to sort this way")
        entries = dealt.read(str(band), 0, int(per_term[first:last].sum()))
        packed = entries[:, 1].astype(np.int64)  # (term - first, row, count) in one int64, built in place
        packed -= first
        packed <<= row_bits
        packed |= entries[:, 0]
        packed <<= count_bits
        packed |= entries[:, 2]
        del entries
        packed.sort()
        pairs = packed >> count_bits
        starts = np.flatnonzero(np.concatenate([[True], pairs[1:] != pairs[:-1]])) if len(pairs) else np.zeros(0, dtype=np.int64)
        counts = np.add.reduceat(packed & ((1 << count_bits) - 1), starts) if len(starts) else np.zeros(0, dtype=np.int64)
        pairs = pairs[starts]
        columns = (pairs >> row_bits) + first
        stored.append(rows=pairs & ((1 << row_bits) - 1), counts=counts)
        totals += np.bincount(columns, weights=counts, minlength=len(vocabulary)).astype(np.int64)
        docs += np.bincount(columns, minlength=len(vocabulary))
    dealt.close()
    stored.finish()
    indptr = np.concatenate([[0], np.cumsum(docs)]).astype(np.int64)
    return TermMatrix(stored, indptr, _term_bands(docs, ENTRIES_PER_CHUNK), article_totals, totals, article_ids,
                      pd.Index(list(vocabulary), dtype="str"))


def _term_bands(per_term: np.ndarray, size: int) -> np.ndarray:
    """Consecutive terms in bands of at most `size` entries (a term with more is a band of its own): each band's
    first term, then the number of terms."""
    starts, filled = [0], 0
    for term, entries in enumerate(per_term.tolist()):
        if filled and filled + entries > size:
            starts.append(term)
            filled = 0
        filled += entries
    return np.array([*starts, len(per_term)] if len(per_term) else [0], dtype=np.int64)


def _grown(values: np.ndarray, size: int) -> np.ndarray:
    """`values` padded with zeros to `size` (the vocabulary grows while the file is read)."""
    return np.pad(values, (0, size - len(values)))


def _decoded(column: pa.Array, codes_of: Callable[[pa.Array], np.ndarray]) -> np.ndarray:
    """A code per row of a dictionary-encoded column: `codes_of(dictionary)` gives one per value of the dictionary."""
    if isinstance(column, pa.ChunkedArray):
        return np.concatenate([np.zeros(0, dtype=np.int32)] + [_decoded(chunk, codes_of) for chunk in column.chunks])
    return codes_of(column.dictionary)[column.indices.to_numpy(zero_copy_only=False)]


def term_totals(matrix: TermMatrix, articles: pd.DataFrame) -> np.ndarray:
    """Occurrences of every term of the matrix (in `matrix.terms` order) in these articles (`term_totals_of` of one set)."""
    return term_totals_of(matrix, [articles])[0]


def term_totals_of(matrix: TermMatrix, article_sets: Sequence[pd.DataFrame]) -> list[np.ndarray]:
    """`term_totals` of each set of articles, reading the matrix's files once for all of them.

    Every article of the build once: the matrix's own totals, nothing read. Otherwise one product per
    chunk, in 32 bits like the counts (exact below 2**31 occurrences of one term).
    """
    weights = [np.bincount(matrix.rows_of(articles), minlength=len(matrix.article_ids)).astype(np.int32) for articles in article_sets]
    whole = [bool((weight == 1).all()) for weight in weights]
    pending = [weight for weight, is_whole in zip(weights, whole, strict=True) if not is_whole]
    summed = np.zeros((len(matrix.terms), len(pending)), dtype=np.int64)
    if pending:
        stacked = np.column_stack(pending)
        for first, chunk in zip(matrix.chunk_starts.tolist(), matrix.chunks(), strict=False):
            summed[first:first + chunk.shape[1]] = chunk.T @ stacked
    found = iter(summed.T)
    return [matrix.totals.copy() if is_whole else next(found) for is_whole in whole]


def term_counts(matrix: TermMatrix, totals: np.ndarray) -> pd.Series:
    """term -> occurrences, from `term_totals` of the matrix, the terms never used left out."""
    used = totals > 0
    return pd.Series(totals[used], index=matrix.terms[used], name="count").rename_axis("term")


# --- trends ---------------------------------------------------------------------------


def term_trends(matrix: TermMatrix, articles: pd.DataFrame, terms: Sequence[str]) -> pd.DataFrame:
    """Per month of the articles and term: period (month start), term, count, share.

    `share` = count / all counted term occurrences of the month's articles (the pruned
    vocabulary of article_terms, so shares run a little higher than keywords.parquet's).
    Every month that has articles is a row for every term (0 when unused); terms outside
    the vocabulary are left out. Sorted by term (in the given order), then period.
    """
    known_terms = [term for term in terms if matrix.terms.get_indexer([term])[0] >= 0]
    rows = matrix.positions(articles)
    months = articles["date"].dt.to_period("M").dt.start_time.to_numpy()[rows >= 0]
    rows = rows[rows >= 0]
    empty = pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "term": pd.Series(dtype="str"),
                          "count": pd.Series(dtype="int64"), "share": pd.Series(dtype="float64")})
    if not len(rows) or not known_terms:
        return empty
    month_codes, periods = pd.factorize(months, sort=True)
    totals = np.bincount(month_codes, weights=matrix.article_totals[rows], minlength=len(periods))
    # Each article's month (its row's weight: how often the filtered articles list it), read off each term's column.
    month_of_row = sp.csr_matrix((np.ones(len(rows)), (rows, month_codes)), shape=(len(matrix.article_ids), len(periods)))
    counts = np.zeros((len(known_terms), len(periods)))
    for number, term in enumerate(known_terms):
        term_rows, occurrences = matrix.column(term)
        counts[number] = month_of_row[term_rows].T @ occurrences
    table = pd.DataFrame({
        "period": np.tile(pd.DatetimeIndex(periods).as_unit("ns"), len(known_terms)),
        "term": pd.array(np.repeat(known_terms, len(periods)), dtype="str"),
        "count": counts.ravel().astype(np.int64),
    })
    month_totals = np.tile(totals, len(known_terms))
    table["share"] = np.divide(table["count"].to_numpy(dtype=float), month_totals, out=np.zeros(len(table)), where=month_totals > 0)
    return table


def trends_figure(trends: pd.DataFrame, measure: str) -> go.Figure:
    """One line with markers per term; customdata = (period YYYY-MM-DD, term) so a click lists its sentences."""
    fig = go.Figure()
    for position, (term, rows) in enumerate(trends.groupby("term", sort=False)):
        fig.add_scatter(
            x=rows["period"], y=rows[measure], mode="lines+markers", name=escape_html(term),
            line_color=PALETTE[position % len(PALETTE)],
            customdata=np.column_stack([rows["period"].dt.strftime("%Y-%m-%d"), rows["term"]]),
            hovertemplate="%{x|%b %Y} · %{fullData.name}: %{y" + (":.3%" if measure == "share" else "") + "}<extra></extra>",
        )
    fig.update_layout(xaxis_title=None, yaxis_title=MEASURES[measure])
    if measure == "share":
        fig.update_yaxes(tickformat=".2%", rangemode="tozero")
    return style(fig, height=420)


# --- emerging terms -------------------------------------------------------------------


EMERGENCE_MODES = {
    "score_window": "Against the 6 months before",
    "score": "Against the whole corpus",
}
"""keywords.parquet's score columns, and how the page names them."""


def emergence_modes(keywords: pd.DataFrame) -> list[str]:
    """The score columns this build has ("score_window" appeared in issue 12; older builds have only "score")."""
    return [mode for mode in EMERGENCE_MODES if mode in keywords.columns]


def emerging_terms(
    keywords: pd.DataFrame, start: date | None, end: date | None, top_k: int = 5, score: str = "score", actors: bool = False
) -> pd.DataFrame:
    """The top_k stories (or, with `actors`, people) of each month by the emergence `score` column,
    within the months of [start, end] (None: open); see `pipeline.keywords.rank_emerging`.

    Plain terms come as stories: terms the month's articles use together (or forms of one word) are one
    entry, led by its best term, so one big event cannot fill a month's list and hide a second one (issue 12).
    Columns period, rank (1 = most emerging), term (the story's lead, or the person's term), score
    (the chosen column's value), count, docs, share, actor_id, and for plain terms story_terms (the
    story's best terms, lead first); sorted by period then rank.
    """
    ranked = rank_emerging(_within_months(keywords, start, end), score, actors, stories=not actors, limit=top_k)
    if "actor_id" not in ranked:
        ranked = ranked.assign(actor_id=pd.Series(pd.NA, index=ranked.index, dtype="str"))
    top = ranked.assign(term=lambda rows: rows["term"].astype("str"), score=lambda rows: rows[score])
    columns = ["period", "rank", "term", "score", "count", "docs", "share", "actor_id"]
    return top[columns if actors else [*columns, "story_terms"]].reset_index(drop=True)


def _within_months(keywords: pd.DataFrame, start: date | None, end: date | None) -> pd.DataFrame:
    """The rows of the months of [start, end] (None: open). A build's table is sorted by period, so this is
    a slice (a boolean selection copies every column: 0.27 s at a million stories); any other order is filtered."""
    periods = keywords["period"]
    first = pd.Timestamp(start).to_period("M").start_time if start is not None else None
    last = pd.Timestamp(end).to_period("M").start_time if end is not None else None
    if periods.is_monotonic_increasing:
        low = periods.searchsorted(first, side="left") if first is not None else 0
        high = periods.searchsorted(last, side="right") if last is not None else len(periods)
        return keywords.iloc[low:high]
    keep = pd.Series(True, index=keywords.index)
    if first is not None:
        keep &= periods >= first
    if last is not None:
        keep &= periods <= last
    return keywords.loc[keep]


def actor_labels(emerging: pd.DataFrame, names: pd.Series) -> pd.Series:
    """How the people list names each row: the actor's display name (`names`: actor_id -> name), else the term."""
    return emerging["actor_id"].map(names).fillna(emerging["term"]).astype("str")


STORY_WORDS_LISTED = 3
"""How many of a story's terms its entry in the monthly list names ("centenary · birth · festival")."""


def story_label(terms: Sequence[str]) -> str:
    """A story as one entry of the monthly list: its first STORY_WORDS_LISTED terms joined by " · "."""
    return " · ".join(terms[:STORY_WORDS_LISTED])


def emerging_by_month(emerging: pd.DataFrame) -> pd.DataFrame:
    """One row per month, newest first: period and its emerging entries (a tuple, most emerging first).

    An entry is a story's label when the rows have `story_terms` (`emerging_terms`), else the term.
    """
    labels = emerging["story_terms"].map(story_label) if "story_terms" in emerging else emerging["term"]
    grouped = labels.groupby(emerging["period"], sort=True).agg(tuple)
    return pd.DataFrame({"period": grouped.index, "terms": grouped.to_numpy()}).iloc[::-1].reset_index(drop=True)


# --- the chart's selection in the URL --------------------------------------------------


def selection_parts(vocabulary: pd.Index) -> tuple[Part, Part]:
    """What the trend chart's `sel` holds: months (YYYY-MM), then one term of the build (`sel=2019-03|kim-jong-un`)."""
    return (Part("months", is_month, example="YYYY-MM"),
            Part("term", lambda value: vocabulary.get_indexer([value])[0] >= 0, many=False, example="a term"))


def selection_statement(term: str, months: Sequence[str]) -> str:
    """What the listing under the chart holds, in words: 'Sentences using "sanctions" in March 2019' (plain text)."""
    within = f" in {periods_phrase([pd.Timestamp(f'{month}-01') for month in months], 'month')}" if months else ""
    return f'Sentences using "{term}"{within}'


# --- keyword in context ---------------------------------------------------------------


def term_pattern(term: str) -> str:
    """A regex for the term as written: its words literally (regex characters included), any
    run of spaces or hyphens between them ("kim-jong-un" finds "Kim Jong Un")."""
    words = [word for word in _SEPARATORS.split(term.strip()) if word]
    return _WORD_GAP.join(re.escape(word) for word in words)


def articles_using(matrix: TermMatrix, texts: TextStore, articles: pd.DataFrame, term: str) -> tuple[pd.DataFrame, bool]:
    """The articles that may use `term`, and whether they are exactly those in which the pipeline counted it.

    A term of the vocabulary (any case and spacing): the articles it is counted in (True). Any other (stop
    words, rare or typed terms): those whose title or text holds its words by the text search's rule
    (`TextStore.search`: any case or accent, punctuation between words ignored), a few more than use the
    term as `find_sentences` reads it (False). Either way no sentence is read: milliseconds for most terms
    (0.26 s for a word in every article at a million stories), where reading every sentence of a million
    stories took 4-6 s; a term without a letter or digit matches no article.
    """
    known = [candidate for candidate in term_candidates(term)[:2] if matrix.terms.get_indexer([candidate])[0] >= 0]
    if known:
        using = np.zeros(len(matrix.article_ids), dtype=bool)
        using[matrix.column(known[0])[0]] = True
        rows = matrix.positions(articles)
        return articles.loc[(rows >= 0) & using[rows]], True
    positions = texts.positions(articles["article_id"])
    return articles.loc[(positions >= 0) & texts.search(term)[positions]], False


FOUND_COLUMNS = ("article_id", "date", "source", "title", "sentence_idx", "text")


def _required_word(term: str) -> str:
    """The term's longest word in lower case, which every sentence using the term contains (a cheap check
    before the pattern); "" when it is not plain ASCII, whose case rules the check and the pattern could read apart."""
    words = sorted((word.lower() for word in _SEPARATORS.split(term.strip()) if word), key=len, reverse=True)
    return words[0] if words and words[0].isascii() else ""


def find_sentences(texts: TextStore, articles: pd.DataFrame, term: str, limit: int | None = None) -> pd.DataFrame:
    """The sentences of `articles` that use `term` as a whole word (any case), newest article first (within a
    day in the order of `texts.article_ids`, the build's id order); with `limit`, only the first `limit` of them.

    Columns FOUND_COLUMNS. Whole word: not inside a longer word or a hyphenated compound ("korean" does not
    find "inter-Korean"), the same rule as the pipeline's terms. Only the articles' own sentences are read
    (`TextStore.sentences_matching`), newest first, and with a limit no more of them than it takes: pass
    the articles that may use the term (`articles_using`).
    """
    return _found(texts, articles, term, limit, None)[0]


def _found(texts: TextStore, articles: pd.DataFrame, term: str, limit: int | None, budget: int | None) -> tuple[pd.DataFrame, int]:
    """`find_sentences`, reading about `budget` sentences at most (None: no bound), and how many of the articles were read."""
    core = term_pattern(term)
    positions = texts.positions(articles["article_id"])
    known = np.flatnonzero(positions >= 0) if core else np.zeros(0, dtype=np.int64)
    # Newest day first; within a day in the build's article order (by id): integer keys.
    order = known[np.lexsort((positions[known], -articles["date"].to_numpy()[known].astype("int64")))]
    pattern = f"(?:^|{_NOT_WORD}){core}(?:{_NOT_WORD}|$)"
    hits, read = texts.sentences_matching(positions[order], pattern, _required_word(term), limit, budget)
    meta = articles.iloc[order[hits["article"].to_numpy()]]
    found = pd.DataFrame({
        "article_id": meta["article_id"].astype("str").to_numpy(), "date": meta["date"].to_numpy().astype("datetime64[ns]"),
        "source": meta["source"].astype("str").to_numpy(), "title": meta["title"].astype("str").to_numpy(),
        "sentence_idx": hits["sentence_idx"].to_numpy(dtype=np.int64), "text": hits["text"].to_numpy(),
    })
    return found, read


def kwic_counts(found: pd.DataFrame, shown: int, candidates: int, counted: bool, read: int | None = None) -> str:
    """What is known of a term's sentences, in words, from `find_sentences` asked for `shown` + 1 of them among
    `candidates` articles (`articles_using`: they use the term when `counted`, else they hold its words), of which
    the newest `read` were read (None: all): exact counts when every candidate was read and no more than `shown`
    sentences were found; else only that there are more, or how many the newest articles hold."""
    among = ("the {:,} articles that use it" if counted else "the {:,} articles that hold its words").format(candidates)
    if len(found) > shown:
        return f"more than {shown:,} sentences, in {among}"
    counted_here = f"{len(found):,} sentences in {found['article_id'].nunique():,} articles" if len(found) else "none"
    if read is None or read >= candidates:
        return counted_here
    return f"{counted_here} among the newest {read:,} of {among} (the others were not read)"


@dataclass(frozen=True, eq=False)
class InContext:
    """A term's newest keyword-in-context lines in some articles (`in_context`), and what is known of the others."""

    lines: pd.DataFrame
    """`kwic` lines of the newest sentences, at most the number asked for"""
    more: bool
    """whether more sentences use the term than the lines show"""
    counts: str
    """what is known of all the sentences, in words (`kwic_counts`)"""
    candidates: np.ndarray
    """positions in `texts.article_ids` of the articles that may use the term (`articles_using`): what `every_sentence` reads"""


MAX_KWIC_READ = 100_000
"""Sentences read at most for one listing (about 0.3 s at a million stories when they lie in fifty row groups): a term
used as a whole word in few of many candidate articles stops there ("inter": the search index finds it in 33,000
articles at a million stories, as part of "inter-Korean", but only a few dozen sentences use it alone; 1.4 s unbounded)."""


def in_context(matrix: TermMatrix, texts: TextStore, articles: pd.DataFrame, term: str, shown: int) -> InContext:
    """The newest `shown` keyword-in-context lines of `term` in `articles` (the listing of the Keywords and Compare
    pages): only the sentences it takes are read, the articles that may use the term newest first, MAX_KWIC_READ at most."""
    candidates, counted = articles_using(matrix, texts, articles, term)
    found, read = _found(texts, candidates, term, shown + 1, MAX_KWIC_READ)
    return InContext(kwic(found.head(shown), term), len(found) > shown, kwic_counts(found, shown, len(candidates), counted, read),
                     texts.positions(candidates["article_id"]))


def every_sentence(texts: TextStore, build_articles: pd.DataFrame, candidates: np.ndarray, term: str) -> pd.DataFrame:
    """Every sentence using `term` in the `candidates` of `InContext` (rows of `build_articles`, the build's articles
    in `texts.article_ids` order), `find_sentences`: what the listing's CSV holds, read when it is asked for."""
    return find_sentences(texts, build_articles.iloc[candidates], term)


def kwic(found: pd.DataFrame, term: str, width: int = KWIC_WIDTH) -> pd.DataFrame:
    """Keyword-in-context lines of `find_sentences` rows: the sentence cut into left, term (as
    written) and right at the term's first use, each side cut to `width` characters ("…" marks a cut).

    Columns: article_id, date, source, title, sentence_idx, left, term, right.
    """
    parts = found["text"].astype("str").str.extract(
        f"(?is)^(?P<left>|.*?{_NOT_WORD})(?P<term>{term_pattern(term)})(?P<right>{_NOT_WORD}.*|)\\Z",  # empty left first: the first use
    )
    left, right = parts["left"].fillna("").str.rstrip(), parts["right"].fillna("").str.lstrip()
    left = left.where(left.str.len() <= width, "…" + left.str.slice(-width).str.lstrip())
    right = right.where(right.str.len() <= width, right.str.slice(0, width).str.rstrip() + "…")
    lines = found.drop(columns="text").assign(left=left, term=parts["term"].fillna(""), right=right)
    return lines[list(KWIC_COLUMNS)]
