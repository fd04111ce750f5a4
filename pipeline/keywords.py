"""Keywords: which terms a month (or any subset) uses more than the rest of the corpus.

Distinctiveness is the log-odds ratio with an informative Dirichlet prior of Monroe,
Colaresi & Quinn (2008), "Fightin' Words: Lexical Feature Selection and Evaluation for
Identifying the Content of Political Conflict", Political Analysis 16(4), section 3.5.
It shrinks the evidence of rare terms towards the corpus-wide rate, so a term seen twice
does not outrank one seen two hundred times, and it reports a z-score: the log-odds
difference divided by its standard error. Terms come from `pipeline.terms`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pipeline.terms import count_terms

MAX_TERMS_PER_MONTH = 300
_MIN_PSEUDO_COUNT = 0.01  # floor of a term's prior, so terms missing from the prior stay finite


def _log_odds_z(
    count_a: np.ndarray, count_b: np.ndarray, total_a: np.ndarray, total_b: np.ndarray, alpha: np.ndarray, alpha_total: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Monroe et al. (2008) eq. 16-22, element-wise: (delta, z) of a over b."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds_a = np.log(count_a + alpha) - np.log(total_a + alpha_total - count_a - alpha)
        log_odds_b = np.log(count_b + alpha) - np.log(total_b + alpha_total - count_b - alpha)
        delta = log_odds_a - log_odds_b
        z = delta / np.sqrt(1.0 / (count_a + alpha) + 1.0 / (count_b + alpha))
    return np.nan_to_num(delta, nan=0.0), np.nan_to_num(z, nan=0.0)


def log_odds_dirichlet(counts_a: pd.Series, counts_b: pd.Series, prior: pd.Series | None = None, prior_scale: float = 1.0) -> pd.DataFrame:
    """How distinctive each term is of corpus a against corpus b.

    `counts_a`, `counts_b`: term -> count. `prior`: term -> background count (default a + b),
    rescaled to total `prior_scale` x (tokens in a + tokens in b) pseudo-counts: at 1.0 the
    prior weighs as much as the data, which is the whole-corpus prior of Monroe et al. when
    a and b split a corpus. Returns one row per term (index `term`) with count_a, count_b,
    delta (log-odds ratio) and z (delta over its standard error; positive = a uses it more),
    sorted by z descending. Swapping a and b negates delta and z.
    """
    terms = counts_a.index.union(counts_b.index)
    count_a = counts_a.reindex(terms, fill_value=0).to_numpy(dtype=float)
    count_b = counts_b.reindex(terms, fill_value=0).to_numpy(dtype=float)
    background = (count_a + count_b) if prior is None else prior.reindex(terms, fill_value=0).to_numpy(dtype=float)
    alpha_total = prior_scale * (count_a.sum() + count_b.sum())
    share = background / background.sum() if background.sum() > 0 else np.full(len(terms), 1.0 / max(len(terms), 1))
    alpha = np.maximum(alpha_total * share, _MIN_PSEUDO_COUNT)
    delta, z = _log_odds_z(count_a, count_b, count_a.sum(), count_b.sum(), alpha, alpha.sum())
    table = pd.DataFrame(
        {"count_a": count_a.astype("int64"), "count_b": count_b.astype("int64"), "delta": delta, "z": z},
        index=pd.Index(terms, name="term"),
    )
    return table.sort_values(["z", "count_a"], ascending=False, kind="stable")


def _canonical(matrix: sp.spmatrix) -> sp.csr_matrix:
    """CSR with sorted indices and no explicit zeros, so two matrices of one pattern align entry by entry."""
    matrix = sp.csr_matrix(matrix)
    matrix.eliminate_zeros()
    matrix.sort_indices()
    return matrix


def _empty_keywords() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.Series(dtype="datetime64[ns]"),
            "term": pd.Series(dtype="str"),
            "count": pd.Series(dtype="int64"),
            "docs": pd.Series(dtype="int64"),
            "share": pd.Series(dtype="float64"),
            "score": pd.Series(dtype="float64"),
        }
    )


def monthly_keywords(articles: pd.DataFrame, min_count: int = 3, max_terms: int = MAX_TERMS_PER_MONTH) -> pd.DataFrame:
    """Per month, its terms with counts and emergence scores.

    `articles` has article_id, date (datetime64) and text; articles without a date are left out.
    Returns period (month start), term, count, docs (articles containing it), share (count /
    all term tokens of the month) and score: the z of `log_odds_dirichlet` of the month
    against all other months, with the whole corpus as prior. Bounded table: a month keeps
    terms seen at least `min_count` times, and of those at most `max_terms`: its max_terms/2
    most frequent and its max_terms/2 highest-scoring (a term in both counts once).
    Sorted by period, then score descending.
    """
    dated = articles.dropna(subset=["date"])
    if dated.empty:
        return _empty_keywords()
    periods = pd.DatetimeIndex(dated["date"]).to_period("M").start_time.as_unit("ns")
    month_codes, months = pd.factorize(periods, sort=True)
    term_counts = count_terms(dated["text"].fillna("").astype(str).tolist())
    counts, vocabulary = term_counts.counts, term_counts.vocabulary
    if counts.shape[1] == 0:
        return _empty_keywords()
    by_month = sp.csr_matrix((np.ones(len(month_codes)), (month_codes, np.arange(len(month_codes)))), shape=(len(months), len(month_codes)))
    month_counts = _canonical(by_month @ counts)
    month_docs = _canonical(by_month @ (counts > 0).astype(np.int64))  # same non-zero pattern, so entries align

    term_totals = np.asarray(counts.sum(axis=0)).ravel().astype(float)
    month_totals = np.asarray(month_counts.sum(axis=1)).ravel().astype(float)
    corpus_total = month_totals.sum()
    entry_months = np.repeat(np.arange(len(months)), np.diff(month_counts.indptr))
    frequent = month_counts.data >= min_count
    month, term = entry_months[frequent], month_counts.indices[frequent]
    count, docs = month_counts.data[frequent].astype(float), month_docs.data[frequent]
    # The whole corpus as prior at scale 1: alpha_w = corpus count of w, alpha_0 = corpus size.
    _, score = _log_odds_z(
        count, term_totals[term] - count, month_totals[month], corpus_total - month_totals[month], term_totals[term], corpus_total
    )
    table = pd.DataFrame(
        {
            "period": months[month],
            "term": pd.array(vocabulary[term], dtype="str"),
            "count": count.astype("int64"),
            "docs": docs.astype("int64"),
            "share": count / month_totals[month],
            "score": score,
        }
    )
    return _bounded(table, max_terms)


def _bounded(table: pd.DataFrame, max_terms: int) -> pd.DataFrame:
    """Each period's max_terms/2 most frequent plus max_terms/2 highest-scoring terms."""
    half = max(max_terms // 2, 1)
    by_count = table.sort_values(["period", "count", "term"], ascending=[True, False, True], kind="stable")
    by_score = table.sort_values(["period", "score", "term"], ascending=[True, False, True], kind="stable")
    keep = by_count.groupby("period").cumcount().lt(half).reindex(table.index) | by_score.groupby("period").cumcount().lt(half).reindex(
        table.index
    )
    kept = table[keep].sort_values(["period", "score", "term"], ascending=[True, False, True], kind="stable")
    return kept.reset_index(drop=True)


def article_terms(articles: pd.DataFrame, min_docs: int = 2, max_terms: int = 20_000) -> pd.DataFrame:
    """A long article_id, term, count table over a pruned vocabulary, for comparing subsets.

    Keeps terms found in at least `min_docs` articles, at most `max_terms` of them (the most
    widespread; ties alphabetical). Summing `count` over any set of articles gives its term
    counts, ready for `log_odds_dirichlet`.
    """
    term_counts = count_terms(articles["text"].fillna("").astype(str).tolist())
    counts, vocabulary = term_counts.counts, term_counts.vocabulary
    document_frequency = np.asarray((counts > 0).sum(axis=0)).ravel()
    ranked = np.argsort(-document_frequency, kind="stable")[:max_terms]
    kept = np.sort(ranked[document_frequency[ranked] >= min_docs])
    entries = counts[:, kept].tocoo()
    article_ids = articles["article_id"].astype(str).to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "article_id": pd.array(article_ids[entries.row], dtype="str"),
            "term": pd.array(vocabulary[kept][entries.col], dtype="str"),
            "count": entries.data.astype("int64"),
        }
    )
