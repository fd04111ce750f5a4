"""The saved topic model: what an incremental build needs to give new articles topics without refitting.

`pipeline.topics.fit_topics` returns tidy tables, not its factorisation, so the model kept in
a build is estimated from them: on a TF-IDF of the build's term counts (sublinear term
frequency, rows of unit length, the `ASSIGN_FEATURES` most frequent terms found in at least
2 articles and at most half of them), the topic-term weights H are the non-negative least
squares solution of X ~ W H for the build's article-topic weights W (`doc_topics`). A new
article's weights are then the non-negative least squares fit of its TF-IDF row on H, pruned
and renormalised as `fit_topics` does (`topics.MIN_WEIGHT`). Saved as the `topic_model` table
(term, idf, weights: one float per topic): plain arrays, never pickle.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.decomposition import non_negative_factorization
from sklearn.feature_extraction.text import TfidfTransformer

from pipeline.store import empty_frame
from pipeline.topics import MIN_WEIGHT

ASSIGN_FEATURES = 20_000
FIT_DOCUMENTS = 200_000
"""A build of more articles estimates its saved model on a random sample of this many (issue 14)."""
_MIN_DOCS_FOR_PRUNING = 50  # smaller builds keep every term (as fit_topics does)


def _features(counts: sp.csr_matrix) -> np.ndarray:
    """Columns of `counts` the model uses: in 2+ articles and at most half of them, the most frequent first, sorted."""
    n_docs = counts.shape[0]
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    if n_docs < _MIN_DOCS_FOR_PRUNING:
        eligible = np.flatnonzero(document_frequency > 0)
    else:
        eligible = np.flatnonzero((document_frequency >= 2) & (document_frequency <= 0.5 * n_docs))
    frequency = np.asarray(counts[:, eligible].sum(axis=0)).ravel()
    return np.sort(eligible[np.argsort(-frequency, kind="stable")[:ASSIGN_FEATURES]])


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF-IDF rows of unit length (scikit-learn's TfidfTransformer formula, with a given idf)."""
    weights = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    weights.data = 1.0 + np.log(weights.data)
    weights = sp.csr_matrix(weights.multiply(idf[None, :]))
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ weights)


def fit_assigner(
    counts: sp.csr_matrix, vocabulary: np.ndarray, article_ids: Sequence[str], doc_topics: pd.DataFrame, n_topics: int,
    random_state: int = 0, max_documents: int = FIT_DOCUMENTS,
) -> pd.DataFrame:
    """The `topic_model` table for a build: `counts` (articles x terms, rows in `article_ids` order) and its topics.

    Estimated on all articles, or on `max_documents` of them drawn at random (`random_state`)
    in a larger build: the least squares over a million articles cost gigabytes (issue 14
    allows topics estimated on at most 200k documents). Empty when the build has no topic or
    no usable term.
    """
    if counts.shape[0] > max_documents:
        rows = np.sort(np.random.default_rng(random_state).choice(counts.shape[0], max_documents, replace=False))
        counts, article_ids = counts[rows], np.asarray(article_ids, dtype=object)[rows]
        doc_topics = doc_topics[doc_topics["article_id"].isin(article_ids)]
    columns = _features(counts) if counts.shape[0] else np.array([], dtype=np.int64)
    if n_topics == 0 or not len(columns) or doc_topics.empty:
        return empty_frame("topic_model")
    kept = counts[:, columns].astype(np.float64)
    idf = TfidfTransformer(sublinear_tf=True).fit(kept).idf_
    matrix = _tfidf(kept, idf)
    row_of = pd.Index(article_ids, dtype="str").get_indexer(doc_topics["article_id"])
    doc_weights = np.zeros((counts.shape[0], n_topics))
    doc_weights[row_of, doc_topics["topic_id"].to_numpy()] = doc_topics["weight"].to_numpy()
    # H with W fixed: the transpose of an NMF in which the documents' weights are the fixed factor.
    term_weights, _, _ = non_negative_factorization(
        matrix.T.tocsr(), H=np.ascontiguousarray(doc_weights.T), n_components=n_topics, update_H=False, max_iter=400
    )
    return pd.DataFrame(
        {"term": pd.array(vocabulary[columns], dtype="str"), "idf": idf, "weights": list(term_weights.astype(np.float32))}
    )


def assign(
    model: pd.DataFrame, counts: sp.csr_matrix, vocabulary: np.ndarray, article_ids: Sequence[str]
) -> tuple[pd.DataFrame, pd.Series]:
    """Topics of new articles under a saved model: (doc_topics rows, dominant topic per article id, -1 without topic).

    `counts` are the new articles' term counts over `vocabulary` (any order); terms the model
    does not know are ignored.
    """
    ids = pd.Index([str(article_id) for article_id in article_ids], dtype="str", name="article_id")
    none = pd.Series(-1, index=ids, dtype="int64", name="topic_id")
    if model.empty or not len(ids):
        return empty_frame("doc_topics"), none
    components = np.vstack(model["weights"].to_numpy()).astype(np.float64).T  # topics x terms
    column_of = pd.Index(vocabulary, dtype="str").get_indexer(model["term"])
    known = np.flatnonzero(column_of >= 0)  # model terms these articles do not use stay zero columns
    selection = sp.csr_matrix((np.ones(len(known)), (column_of[known], known)), shape=(len(vocabulary), len(model)))
    matrix = _tfidf(sp.csr_matrix(counts, dtype=np.float64) @ selection, model["idf"].to_numpy(dtype=np.float64))
    weights, _, _ = non_negative_factorization(matrix, H=components, n_components=components.shape[0], update_H=False, max_iter=400)
    totals = weights.sum(axis=1, keepdims=True)
    shares = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    shares = np.where(shares >= MIN_WEIGHT, shares, 0.0)
    kept_totals = shares.sum(axis=1, keepdims=True)
    shares = np.divide(shares, kept_totals, out=np.zeros_like(shares), where=kept_totals > 0)
    rows, topic_ids = np.nonzero(shares)
    doc_topics = pd.DataFrame(
        {
            "article_id": pd.array(ids.to_numpy()[rows], dtype="str"),
            "topic_id": topic_ids.astype("int64"),
            "weight": shares[rows, topic_ids],
        }
    )
    dominant = pd.Series(np.where(kept_totals.ravel() > 0, shares.argmax(axis=1), -1).astype("int64"), index=ids, name="topic_id")
    return doc_topics, dominant
