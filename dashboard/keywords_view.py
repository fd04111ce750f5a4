"""Keywords: chosen terms month by month, the terms that emerge each month, and where a term is used.

Term counts come from article_terms.parquet (article x term over the pipeline's pruned
vocabulary), gathered once per build into a sparse articles x terms matrix (`TermMatrix`),
so the counts of any set of articles are one sparse product: every sidebar filter applies
to the trend lines. Emergence scores come precomputed from keywords.parquet (each month
against the whole corpus, `pipeline.keywords.monthly_keywords`), so only the date filter
applies to them. Keyword-in-context lines (`find_sentences`, `kwic`) are shared with the
Compare page.

Pure part: DataFrames in, DataFrames or figures out, tested without Streamlit. Streamlit
part (at the end, as in `dashboard.filters`): the per-build cache of the term matrix and
the KWIC listing that opens an article.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import scipy.sparse as sp
import streamlit as st

from dashboard.common import PageContext, download_csv, open_article_page
from dashboard.data import Artifacts
from dashboard.figures import style
from dashboard.safe_text import escape_html
from dashboard.tone_view import PALETTE
from pipeline.keywords import rank_emerging

MEASURES = {"share": "Share of the month's terms", "count": "Occurrences"}
MAX_PICKED_TERMS = 8
DEFAULT_TERMS = 3
"""Without picked terms the trend chart shows this many of the most frequent terms."""
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


def normalise_terms(values: Iterable[str]) -> list[str]:
    """Terms spelled as the pipeline counts them: lower case, single spaces, comma-separated values
    split (a term never holds a comma), empty values and repeats dropped, order kept."""
    terms: list[str] = []
    for value in values:
        for part in str(value).split(","):
            term = " ".join(part.lower().split())
            if term and term not in terms:
                terms.append(term)
    return terms


def split_known(terms: Sequence[str], vocabulary: pd.Index) -> tuple[list[str], list[str]]:
    """(terms in the build's vocabulary, the others), each in the given order."""
    known = vocabulary.get_indexer(list(terms)) >= 0 if len(terms) else np.zeros(0, dtype=bool)
    return [term for term, ok in zip(terms, known, strict=True) if ok], [term for term, ok in zip(terms, known, strict=True) if not ok]


# --- the articles x terms matrix ------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TermMatrix:
    """Term counts of every article (read-only, shared like the artifacts)."""

    counts: sp.csr_matrix
    """articles x terms, int64"""
    by_term: sp.csc_matrix
    """the same counts by column, to pick a few terms fast"""
    article_totals: np.ndarray
    """all counted term occurrences of each article (row sums)"""
    article_ids: pd.Index
    """row labels"""
    terms: pd.Index
    """column labels (str)"""

    def rows_of(self, articles: pd.DataFrame) -> np.ndarray:
        """The matrix rows of these articles (articles without any counted term have none)."""
        rows = self.article_ids.get_indexer(articles["article_id"])
        return rows[rows >= 0]


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
    counts = sp.csr_matrix(
        (article_terms["count"].to_numpy(dtype=np.int64), (article_codes, term_codes)), shape=(len(article_ids), len(terms)),
    )
    counts.sum_duplicates()
    return TermMatrix(counts, counts.tocsc(), np.asarray(counts.sum(axis=1)).ravel(), article_ids, terms)


def term_totals(matrix: TermMatrix, articles: pd.DataFrame) -> np.ndarray:
    """Occurrences of every term of the matrix (in `matrix.terms` order) in these articles."""
    rows = matrix.rows_of(articles)
    if not len(rows):
        return np.zeros(len(matrix.terms), dtype=np.int64)
    return np.asarray(matrix.counts[rows].sum(axis=0)).ravel().astype(np.int64)


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
    rows = matrix.article_ids.get_indexer(articles["article_id"])
    months = articles["date"].dt.to_period("M").dt.start_time.to_numpy()[rows >= 0]
    rows = rows[rows >= 0]
    empty = pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "term": pd.Series(dtype="str"),
                          "count": pd.Series(dtype="int64"), "share": pd.Series(dtype="float64")})
    if not len(rows) or not known_terms:
        return empty
    month_codes, periods = pd.factorize(months, sort=True)
    totals = np.bincount(month_codes, weights=matrix.article_totals[rows], minlength=len(periods))
    months_x_articles = sp.csr_matrix((np.ones(len(rows)), (month_codes, rows)), shape=(len(periods), matrix.counts.shape[0]))
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
    """The top_k terms (or, with `actors`, people) of each month by the emergence `score` column,
    within the months of [start, end] (None: open); see `pipeline.keywords.rank_emerging`.

    Columns period, rank (1 = most emerging), term, score (the chosen column's value), count, docs,
    share, actor_id; sorted by period then rank.
    """
    periods = keywords["period"]
    keep = pd.Series(True, index=keywords.index)
    if start is not None:
        keep &= periods >= pd.Timestamp(start).to_period("M").start_time
    if end is not None:
        keep &= periods <= pd.Timestamp(end).to_period("M").start_time
    ranked = rank_emerging(keywords.loc[keep], score, actors)
    if "actor_id" not in ranked:
        ranked = ranked.assign(actor_id=pd.Series(pd.NA, index=ranked.index, dtype="str"))
    top = ranked.loc[ranked["rank"] <= top_k].assign(term=lambda rows: rows["term"].astype("str"), score=lambda rows: rows[score])
    return top[["period", "rank", "term", "score", "count", "docs", "share", "actor_id"]].reset_index(drop=True)


def actor_labels(emerging: pd.DataFrame, names: pd.Series) -> pd.Series:
    """How the people list names each row: the actor's display name (`names`: actor_id -> name), else the term."""
    return emerging["actor_id"].map(names).fillna(emerging["term"]).astype("str")


def emerging_by_month(emerging: pd.DataFrame) -> pd.DataFrame:
    """One row per month, newest first: period and its emerging terms (a tuple, most emerging first)."""
    grouped = emerging.groupby("period", sort=True)["term"].agg(tuple)
    return pd.DataFrame({"period": grouped.index, "terms": grouped.to_numpy()}).iloc[::-1].reset_index(drop=True)


def suggested_terms(emerging: pd.DataFrame, frequent: pd.Series, n: int = 10) -> list[str]:
    """Terms to offer: the n that emerge most strongly in any month, then the n most frequent
    (`frequent`: term -> count); repeats dropped, order kept."""
    strongest = emerging.groupby("term")["score"].max().sort_values(ascending=False, kind="stable").head(n).index
    commonest = frequent.sort_values(ascending=False, kind="stable").head(n).index
    return list(dict.fromkeys([*map(str, strongest), *map(str, commonest)]))


# --- keyword in context ---------------------------------------------------------------


def term_pattern(term: str) -> str:
    """A regex for the term as written: its words literally (regex characters included), any
    run of spaces or hyphens between them ("kim-jong-un" finds "Kim Jong Un")."""
    words = [word for word in _SEPARATORS.split(term.strip()) if word]
    return _WORD_GAP.join(re.escape(word) for word in words)


def articles_using(matrix: TermMatrix, articles: pd.DataFrame, term: str) -> pd.DataFrame:
    """The articles in which the pipeline counted `term` (any case and spacing); all of them when
    the term is outside the vocabulary (stop words, rare or typed terms), since then nothing is known."""
    column = matrix.terms.get_indexer(normalise_terms([term])[:1])
    if not len(column) or column[0] < 0:
        return articles
    using = matrix.article_ids.take(matrix.by_term[:, column[0]].nonzero()[0])
    return articles.loc[articles["article_id"].isin(using)]


def find_sentences(sentences: pd.DataFrame, articles: pd.DataFrame, term: str) -> pd.DataFrame:
    """The sentences of `articles` that use `term` as a whole word (any case), newest article first.

    Columns: article_id, date, source, title, sentence_idx, text. Whole word: not inside a
    longer word or a hyphenated compound ("korean" does not find "inter-Korean"), the same
    rule as the pipeline's terms. One regex over the sentence texts (pyarrow, vectorised);
    its cost grows with the text searched, so narrow `articles` first (`articles_using`).
    """
    columns = ["article_id", "date", "source", "title", "sentence_idx", "text"]
    core = term_pattern(term)
    candidates = sentences.loc[sentences["article_id"].isin(articles["article_id"]), ["article_id", "sentence_idx", "text"]]
    if not core or candidates.empty:
        empty = pd.DataFrame({column: pd.Series(dtype="str") for column in columns})
        return empty.astype({"date": "datetime64[ns]", "sentence_idx": "int64"})
    texts = candidates["text"].astype("str")
    found = candidates.loc[texts.str.contains(f"(?:^|{_NOT_WORD}){core}(?:{_NOT_WORD}|\\Z)", case=False, regex=True, na=False)]
    meta = articles[["article_id", "date", "source", "title"]]
    lines = found.merge(meta, on="article_id", how="inner")
    lines = lines.sort_values(["date", "article_id", "sentence_idx"], ascending=[False, True, True], kind="stable")
    return lines.assign(article_id=lines["article_id"].astype("str"), source=lines["source"].astype("str"))[columns].reset_index(drop=True)


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


# --- Streamlit part: the cached matrix, the term choice and the KWIC listing ---------------


def shared_term_matrix(artifacts: Artifacts) -> TermMatrix:
    """`term_matrix` of the build's article_terms, made once per loaded build for every session (read-only)."""
    return artifacts.term_matrix


# The context first (the concordance reads across left | term | right), the article after it.
_KWIC_ORDER = ("date", "left", "term", "right", "title", "source")
_KWIC_CONFIG = {
    "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD", width=95),
    "left": st.column_config.TextColumn("Before", alignment="right", width=330),
    "term": st.column_config.TextColumn("Term", alignment="center", width=110),
    "right": st.column_config.TextColumn("After", width=330),
    "title": st.column_config.TextColumn("Article", width=260),
    "source": st.column_config.TextColumn("Source", width=140),
}


def show_kwic(context: PageContext, articles: pd.DataFrame, term: str, name: str, key: str) -> None:
    """The newest MAX_KWIC_LINES keyword-in-context lines of `term` in `articles`, the term highlighted;
    selecting a line opens its article on the Articles page. Corpus text is shown as data, never markup."""
    found = find_sentences(context.artifacts.sentences, articles_using(shared_term_matrix(context.artifacts), articles, term), term)
    if found.empty:
        st.caption("No sentence uses this term here.")
        return
    lines = kwic(found.head(MAX_KWIC_LINES), term)
    shown = "" if len(found) <= MAX_KWIC_LINES else f"; the newest {MAX_KWIC_LINES:,} are shown"
    st.caption(f"{len(found):,} sentences in {found['article_id'].nunique():,} articles{shown} (the CSV has every sentence in full). "
               "Select a line to open its article.")
    highlighted = lines.style.set_properties(subset=["term"], **{"background-color": "#ffe08a", "font-weight": "bold"})
    listing_key = f"{key}-{hash(tuple(lines['article_id']))}-{hash(tuple(lines['sentence_idx']))}"
    event = st.dataframe(
        highlighted, key=listing_key, hide_index=True, column_order=_KWIC_ORDER,
        column_config=_KWIC_CONFIG, on_select="rerun", selection_mode="single-row", height=min(400, 38 + 35 * len(lines)),
    )
    download_csv(found, name, key=f"{key}-csv")
    rows = event.selection.rows
    if rows:
        open_article_page(context, str(lines["article_id"].iloc[rows[0]]))


def term_selectbox(choices: Sequence[str], key: str, clicked: str | None, hint: str) -> str | None:
    """A selectbox of terms, kept in the URL under `key`, that also takes a typed term. A term newly
    `clicked` in a chart becomes its value once, so the user can still change it while the click stays selected."""
    seen_key = f"{key}-clicked"
    if clicked is not None and clicked != st.session_state.get(seen_key):
        st.session_state[key] = clicked
    st.session_state[seen_key] = clicked
    options = list(dict.fromkeys(choices))
    current = st.session_state.get(key) or st.query_params.get(key)
    if current and current not in options:
        options.insert(0, current)
    return st.selectbox("Term", options, key=key, bind="query-params", accept_new_options=True, help=hint)
