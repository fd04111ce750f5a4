"""Keywords: chosen terms month by month, the terms that emerge each month, and where a term is used.

Term counts come from article_terms.parquet (article x term over the pipeline's pruned
vocabulary), gathered once per build into a sparse articles x terms matrix (`TermMatrix`),
so the counts of any set of articles are one sparse product: every sidebar filter applies
to the trend lines. Emergence scores come precomputed from keywords.parquet (each month
against the whole corpus, `pipeline.keywords.monthly_keywords`), so only the date filter
applies to them. Keyword-in-context lines (`find_sentences`, `with_text`, `kwic`) are shared
with the Compare page; their sentences are searched and read on disk (`dashboard.text_store`).
A typed phrase is spelled the way the pipeline counts terms (`resolve_term`).

DataFrames in, DataFrames or figures out, tested without Streamlit (no Streamlit import).
The widgets that show these tables (the KWIC listing, the term box) are in `dashboard.common`;
the per-build term matrix is `Artifacts.term_matrix`.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp

from dashboard.figures import style
from dashboard.safe_text import escape_html
from dashboard.selection import Part, is_month, periods_phrase
from dashboard.text_store import TextStore
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


def vocabulary_by_use(matrix: TermMatrix, articles: pd.DataFrame, limit: int = MAX_TERM_OPTIONS) -> list[str]:
    """The terms to search as the user types: those the articles use, most used first, then the build's
    others by their use in all articles; at most `limit` (the box sends every option to the browser)."""
    here = term_totals(matrix, articles)
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


@dataclass(frozen=True, eq=False)
class TermMatrix:
    """Term counts of every article (read-only, shared like the artifacts).

    One sparse matrix by column (terms), 32-bit: at 100,000 stories and 8.9 million
    (article, term) counts it holds 71 MB, where a row copy as well doubled that.
    """

    by_term: sp.csc_matrix
    """articles x terms, int32 counts, by column (a few terms are picked fast; sums over articles are one product)"""
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
        """How many articles use each term (stored entries per column)."""
        return np.diff(self.by_term.indptr)

    def positions(self, articles: pd.DataFrame) -> np.ndarray:
        """Each article's matrix row, -1 for an article the matrix does not hold. The build's articles carry
        theirs as the code of their categorical id (`Artifacts`), so no id is looked up then."""
        ids = articles["article_id"]
        if isinstance(ids.dtype, pd.CategoricalDtype) and ids.cat.categories is self.article_ids:
            return ids.cat.codes.to_numpy()
        return self.article_ids.get_indexer(ids)

    def rows_of(self, articles: pd.DataFrame) -> np.ndarray:
        """The matrix rows of these articles (articles without any counted term have none)."""
        rows = self.positions(articles)
        return rows[rows >= 0]

    def article_counts(self, article_id: str) -> pd.Series:
        """term -> count of one article (empty for an article without counted terms)."""
        row = self.article_ids.get_indexer([article_id])[0]
        if row < 0:
            return pd.Series(dtype="int64", index=pd.Index([], dtype="str"))
        counts = self.by_term[[row], :].tocoo()
        return pd.Series(counts.data.astype(np.int64), index=self.terms[counts.col])


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and their labels; a categorical column's own (its categories cover every article)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), pd.Index(column.cat.categories.astype("str"))
    codes, labels = pd.factorize(column.astype("str"))
    return codes, pd.Index(labels, dtype="str")


def term_matrix(article_terms: pd.DataFrame) -> TermMatrix:
    """The article_id, term, count table as a sparse articles x terms matrix."""
    article_codes, article_ids = _codes(article_terms["article_id"])
    term_codes, terms = _codes(article_terms["term"])
    return _matrix(article_codes, term_codes, article_terms["count"].to_numpy(), article_ids, terms)


PLACED_AT_ONCE = 1 << 18
"""Entries of article_terms that `read_term_matrix` sorts by term at a time (a few MB of temporary arrays)."""


def read_term_matrix(path: str, article_ids: pd.Index) -> TermMatrix:
    """`term_matrix` of an article_terms.parquet file, rows in the order of `article_ids` (str, kept as the row labels).

    Read as dictionary codes, one row group at a time (no string per row is ever made: 8.9 million
    rows at 100,000 stories), in two passes: the first counts each term's entries, the second puts
    each group's entries straight into their place in the by-column arrays. Gathering every
    (row, column, count) first and converting held those three arrays, then the conversion's copy,
    beside the result: about 250 MB at 100,000 stories for a matrix of 71 MB, memory the server
    kept afterwards. An article the build's articles do not hold has no row.
    """
    parquet = pq.ParquetFile(path, read_dictionary=["article_id", "term"])
    vocabulary: dict[str, int] = {}

    def entries(with_counts: bool) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        """Per row group: its entries' rows, columns and (when asked) counts, unknown articles left out."""
        for group in range(parquet.num_row_groups):
            table = parquet.read_row_group(group, columns=["article_id", "term", "count"] if with_counts else ["article_id", "term"])
            rows = _decoded(table["article_id"], lambda ids: article_ids.get_indexer(ids.to_pandas()).astype(np.int32))
            columns = _decoded(table["term"], lambda words: np.array([vocabulary.setdefault(term, len(vocabulary)) for term in words.to_pylist()], dtype=np.int32))
            counts = table["count"].to_numpy() if with_counts else None
            known = rows >= 0
            if known.all():
                yield rows, columns, counts
            else:
                yield rows[known], columns[known], counts[known] if counts is not None else None

    per_term = np.zeros(0, dtype=np.int64)
    for _, columns, _ in entries(with_counts=False):
        per_term = np.bincount(columns, minlength=len(vocabulary)) + np.pad(per_term, (0, len(vocabulary) - len(per_term)))
    index_dtype = np.int32 if per_term.sum() < np.iinfo(np.int32).max else np.int64
    indptr = np.concatenate([[0], np.cumsum(per_term)]).astype(index_dtype)
    indices, data = np.empty(indptr[-1], dtype=index_dtype), np.empty(indptr[-1], dtype=np.int32)
    filled = indptr[:-1].astype(np.int64)  # the next free place of each column
    for rows, columns, counts in entries(with_counts=True):
        for start in range(0, len(rows), PLACED_AT_ONCE):
            part = slice(start, start + PLACED_AT_ONCE)
            by_column = sp.csc_matrix((counts[part], (rows[part], columns[part])), shape=(len(article_ids), len(per_term)))
            lengths = np.diff(by_column.indptr)
            place = np.repeat(filled - by_column.indptr[:-1], lengths) + np.arange(by_column.nnz)
            indices[place], data[place] = by_column.indices, by_column.data
            filled += lengths
    by_term = sp.csc_matrix((data, indices, indptr), shape=(len(article_ids), len(vocabulary)))
    return _with_totals(by_term, article_ids, pd.Index(list(vocabulary), dtype="str"))


def _decoded(column: pa.ChunkedArray, codes_of: Callable[[pa.Array], np.ndarray]) -> np.ndarray:
    """A code per row of a dictionary-encoded column: `codes_of(dictionary)` gives one per value of each chunk's dictionary."""
    return np.concatenate([np.zeros(0, dtype=np.int32)] + [codes_of(chunk.dictionary)[chunk.indices.to_numpy()] for chunk in column.chunks])


def _matrix(rows: np.ndarray, columns: np.ndarray, counts: np.ndarray, article_ids: pd.Index, terms: pd.Index) -> TermMatrix:
    by_term = sp.csc_matrix((counts.astype(np.int32), (rows, columns)), shape=(len(article_ids), len(terms)))
    return _with_totals(by_term, article_ids, terms)


def _with_totals(by_term: sp.csc_matrix, article_ids: pd.Index, terms: pd.Index) -> TermMatrix:
    """The matrix (duplicate entries summed, each column's rows sorted) with its row and column sums.

    The sums are products with 32-bit ones (exact below 2**31 occurrences of one term): scipy's `sum(dtype=int64)`
    first copies every count into 64 bits (71 MB at 100,000 stories).
    """
    by_term.sum_duplicates()
    article_totals = by_term @ np.ones(by_term.shape[1], dtype=np.int32)
    totals = by_term.T @ np.ones(by_term.shape[0], dtype=np.int32)
    return TermMatrix(by_term, article_totals.astype(np.int64), totals.astype(np.int64), article_ids, terms)


def term_totals(matrix: TermMatrix, articles: pd.DataFrame) -> np.ndarray:
    """Occurrences of every term of the matrix (in `matrix.terms` order) in these articles.

    The product is taken in 32 bits, like the matrix (exact below 2**31 occurrences of one term): with
    64-bit weights scipy first copies every count into 64 bits, 140 ms a rerun at 100,000 stories instead of 7.
    """
    weights = np.bincount(matrix.rows_of(articles), minlength=len(matrix.article_ids)).astype(matrix.by_term.dtype)
    return np.asarray(matrix.by_term.T @ weights).ravel().astype(np.int64)


def term_counts(matrix: TermMatrix, articles: pd.DataFrame) -> pd.Series:
    """term -> occurrences in these articles, the terms they never use left out."""
    totals = term_totals(matrix, articles)
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
    columns = matrix.terms.get_indexer(list(terms)) if len(terms) else np.zeros(0, dtype=np.int64)
    known_terms = [term for term, column in zip(terms, columns, strict=True) if column >= 0]
    columns = columns[columns >= 0]
    rows = matrix.positions(articles)
    months = articles["date"].dt.to_period("M").dt.start_time.to_numpy()[rows >= 0]
    rows = rows[rows >= 0]
    empty = pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "term": pd.Series(dtype="str"),
                          "count": pd.Series(dtype="int64"), "share": pd.Series(dtype="float64")})
    if not len(rows) or not known_terms:
        return empty
    month_codes, periods = pd.factorize(months, sort=True)
    totals = np.bincount(month_codes, weights=matrix.article_totals[rows], minlength=len(periods))
    months_x_articles = sp.csr_matrix((np.ones(len(rows)), (month_codes, rows)), shape=(len(periods), len(matrix.article_ids)))
    counts = (months_x_articles @ matrix.by_term[:, columns]).toarray()  # months x picked terms
    table = pd.DataFrame({
        "period": np.tile(pd.DatetimeIndex(periods).as_unit("ns"), len(known_terms)),
        "term": pd.array(np.repeat(known_terms, len(periods)), dtype="str"),
        "count": counts.T.ravel().astype(np.int64),
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

    Plain terms come as stories: terms the month's articles use together are one entry, led by its
    best term, so one big event cannot fill a month's list and hide a second one (issue 12).
    Columns period, rank (1 = most emerging), term (the story's lead, or the person's term), score
    (the chosen column's value), count, docs, share, actor_id, and for plain terms story_terms (the
    story's best terms, lead first); sorted by period then rank.
    """
    periods = keywords["period"]
    keep = pd.Series(True, index=keywords.index)
    if start is not None:
        keep &= periods >= pd.Timestamp(start).to_period("M").start_time
    if end is not None:
        keep &= periods <= pd.Timestamp(end).to_period("M").start_time
    ranked = rank_emerging(keywords.loc[keep], score, actors, stories=not actors)
    if "actor_id" not in ranked:
        ranked = ranked.assign(actor_id=pd.Series(pd.NA, index=ranked.index, dtype="str"))
    top = ranked.loc[ranked["rank"] <= top_k].assign(term=lambda rows: rows["term"].astype("str"), score=lambda rows: rows[score])
    columns = ["period", "rank", "term", "score", "count", "docs", "share", "actor_id"]
    return top[columns if actors else [*columns, "story_terms"]].reset_index(drop=True)


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


def articles_using(matrix: TermMatrix, articles: pd.DataFrame, term: str) -> pd.DataFrame:
    """The articles in which the pipeline counted `term` (any case and spacing); all of them when
    the term is outside the vocabulary (stop words, rare or typed terms), since then nothing is known."""
    columns = matrix.terms.get_indexer(term_candidates(term)[:2])
    columns = columns[columns >= 0]
    if not len(columns):
        return articles
    using = matrix.article_ids.take(matrix.by_term[:, columns[0]].nonzero()[0])
    return articles.loc[articles["article_id"].isin(using)]


FOUND_COLUMNS = ("article_id", "date", "source", "title", "sentence_idx", "row")


def _required_word(term: str) -> str:
    """The term's longest word in lower case, which every sentence using the term contains (a cheap check
    before the pattern); "" when it is not plain ASCII, whose case rules the check and the pattern could read apart."""
    words = sorted((word.lower() for word in _SEPARATORS.split(term.strip()) if word), key=len, reverse=True)
    return words[0] if words and words[0].isascii() else ""


def find_sentences(texts: TextStore, articles: pd.DataFrame, term: str) -> pd.DataFrame:
    """The sentences of `articles` that use `term` as a whole word (any case), newest article first (within a
    day in the order of `texts.article_ids`, the build's id order), without their text (`with_text` reads it for the lines shown).

    Columns FOUND_COLUMNS (row: in sentences.parquet). Whole word: not inside a longer word or a
    hyphenated compound ("korean" does not find "inter-Korean"), the same rule as the pipeline's
    terms. The build's sentences are searched on disk once per term (`TextStore.sentences_matching`,
    kept for the build); the articles then only pick among those sentences.
    """
    core = term_pattern(term)
    hits = texts.sentences_matching(f"(?:^|{_NOT_WORD}){core}(?:{_NOT_WORD}|$)", _required_word(term)) if core else None
    if hits is None or hits.empty or articles.empty:
        empty = pd.DataFrame({column: pd.Series(dtype="str") for column in FOUND_COLUMNS})
        return empty.astype({"date": "datetime64[ns]", "sentence_idx": "int64", "row": "int64"})
    positions = texts.article_ids.get_indexer(articles["article_id"].astype("str"))
    article_row = np.full(len(texts.article_ids), -1)
    article_row[positions[positions >= 0]] = np.flatnonzero(positions >= 0)
    hit_articles = hits["article"].to_numpy()
    in_articles = np.where(hit_articles >= 0, article_row[hit_articles], -1)  # -1: a sentence of no known article
    kept = hits.loc[in_articles >= 0]
    meta = articles.iloc[in_articles[in_articles >= 0]]
    # Newest day first; within a day in the build's article order (by id), then reading order: integer keys,
    # since a term like "kim jong il" has 70,000 sentences at 100,000 stories.
    order = np.lexsort((kept["sentence_idx"].to_numpy(), kept["article"].to_numpy(), -meta["date"].to_numpy().astype("int64")))
    meta, kept = meta.iloc[order], kept.iloc[order]
    return pd.DataFrame({
        "article_id": meta["article_id"].astype("str").to_numpy(), "date": meta["date"].to_numpy(),
        "source": meta["source"].astype("str").to_numpy(), "title": meta["title"].astype("str").to_numpy(),
        "sentence_idx": kept["sentence_idx"].to_numpy(), "row": kept["row"].to_numpy(),
    })


def with_text(texts: TextStore, found: pd.DataFrame) -> pd.DataFrame:
    """`find_sentences` rows with each sentence's text read from disk, in place of its row number."""
    text = texts.sentences_at(found["row"], ["text"])["text"]
    return found.drop(columns="row").assign(text=text.astype("str").to_numpy())


def kwic(found: pd.DataFrame, term: str, width: int = KWIC_WIDTH) -> pd.DataFrame:
    """Keyword-in-context lines of `with_text` rows: the sentence cut into left, term (as
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
