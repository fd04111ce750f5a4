"""Topics: which themes the corpus talks about, found by NMF on TF-IDF term weights.

Terms come from `pipeline.terms` (unigrams and bigrams, domain stop list), so topics speak
the same vocabulary as keyword trends. Unless given, the number of topics is the k in
`k_range` whose topics gather the most coherent articles (`gathered_coherence`: NPMI of the
characteristic terms of each topic's articles, counted over the documents of the whole
corpus; Bouma 2009, Lau, Newman & Baldwin 2014). Candidate models are fitted on a random
sample of documents with a reduced vocabulary, which keeps the search fast on large
corpora; the final model is fitted on everything.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfTransformer
from threadpoolctl import threadpool_limits

from pipeline.terms import count_terms

TOP_TERMS = 10
LABEL_TERMS = 3
LABEL_SEPARATOR = " · "
MIN_WEIGHT = 0.05
"""Topic weights below this share of an article are noise of the factorisation and are dropped."""

_MAX_FEATURES = 20_000
_SMALL_CORPUS = 50  # below this many documents, rare and ubiquitous terms are kept
_SELECTION_NONZEROS = 400_000  # size of the sample the candidate models see (document-term entries)
_SELECTION_FEATURES = 5_000
_LABEL_CANDIDATES = 20


@dataclass
class TopicModel:
    """A fitted topic model as tidy tables (see `fit_topics`)."""

    topics: pd.DataFrame
    doc_topics: pd.DataFrame
    dominant: pd.Series
    selection: pd.DataFrame


def _tfidf(texts: Sequence[str]) -> tuple[sp.csr_matrix, np.ndarray] | None:
    """Document-term TF-IDF matrix (float32, rows of unit length) and its vocabulary, or None without terms.

    Keeps terms in at least 2 articles and at most half of them (a term in most articles, such
    as "dprk" in KCNA, separates nothing), at most `_MAX_FEATURES` of them, the most frequent.
    Corpora under `_SMALL_CORPUS` articles keep every term.
    """
    term_counts = count_terms(texts)
    counts = term_counts.counts
    n_docs = counts.shape[0]
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    if n_docs < _SMALL_CORPUS:
        eligible = np.flatnonzero(document_frequency > 0)
    else:
        eligible = np.flatnonzero((document_frequency >= 2) & (document_frequency <= 0.5 * n_docs))
    if not len(eligible):
        return None
    frequency = np.asarray(counts[:, eligible].sum(axis=0)).ravel()
    kept = np.sort(eligible[np.argsort(-frequency, kind="stable")[:_MAX_FEATURES]])
    weights = TfidfTransformer(sublinear_tf=True).fit_transform(counts[:, kept].astype(np.float32))
    return weights.tocsr(), term_counts.vocabulary[kept]


def _nmf(matrix: sp.csr_matrix, k: int, random_state: int, quick: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """W (documents x topics) and H (topics x terms); `quick` loosens convergence for the k search."""
    model = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=200 if quick else 400, tol=1e-3 if quick else 1e-4)
    # One BLAS thread: on these thin sparse products extra threads mostly wait (measured 1.5-3x slower on 2 cores).
    # A near-perfect fit (a corpus of one or two articles) makes the float32 error a tiny
    # negative number whose square root numpy flags; the factorisation itself is fine.
    with warnings.catch_warnings(), threadpool_limits(limits=1), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", ConvergenceWarning)  # the last iterations change no top term
        doc_weights = model.fit_transform(matrix)
    return doc_weights, model.components_


def _share_a_word(first: str, second: str) -> bool:
    return not set(first.split()).isdisjoint(second.split())


def npmi_coherence(top_terms: Sequence[np.ndarray], presence: sp.csc_matrix, vocabulary: np.ndarray) -> np.ndarray:
    """Per list of `top_terms` (column ids), the mean NPMI of its pairs of terms; NaN without pairs.

    `presence` is the binary document-term matrix the probabilities are counted on. Pairs of
    terms that share a word ("floral", "floral basket") are skipped: they co-occur by
    construction. A pair never seen together scores -1, one always seen together +1.
    """
    columns = np.unique(np.concatenate([np.asarray(row, dtype=np.int64) for row in top_terms] or [np.array([], dtype=np.int64)]))
    position = {column: index for index, column in enumerate(columns)}
    together = (presence[:, columns].T @ presence[:, columns]).toarray() / presence.shape[0]
    alone = np.diag(together)
    scores = np.full(len(top_terms), np.nan)
    for topic, row in enumerate(top_terms):
        pair_scores = []
        for i, first in enumerate(row):
            for second in row[i + 1 :]:
                if _share_a_word(vocabulary[first], vocabulary[second]):
                    continue
                joint = together[position[first], position[second]]
                if joint == 0:
                    pair_scores.append(-1.0)
                elif joint == 1:
                    pair_scores.append(1.0)
                else:
                    pmi = np.log(joint / (alone[position[first]] * alone[position[second]]))
                    pair_scores.append(pmi / -np.log(joint))
        if pair_scores:
            scores[topic] = np.mean(pair_scores)
    return scores


def _top_columns(weights: np.ndarray, n: int) -> list[np.ndarray]:
    """Per row, the columns of its `n` largest positive weights, largest first."""
    ranked = np.argsort(-weights, axis=1, kind="stable")[:, :n]
    return [columns[row[columns] > 0] for row, columns in zip(weights, ranked)]


def gathered_coherence(matrix: sp.csr_matrix, doc_weights: np.ndarray, presence: sp.csc_matrix, vocabulary: np.ndarray) -> float:
    """How well the articles each topic gathers hang together, averaged over topics by size.

    Each article goes to its dominant topic; a topic's terms are the 10 highest of the mean
    TF-IDF of its articles, scored by `npmi_coherence`. A topic that lumps unrelated articles
    together scores low even if its own top terms come from one coherent subset (which plain
    NPMI of the model's top terms rewards), and a topic of one article weighs little.
    """
    has_topic = doc_weights.sum(axis=1) > 0
    rows = np.flatnonzero(has_topic)
    dominant = doc_weights[rows].argmax(axis=1)
    k = doc_weights.shape[1]
    membership = sp.csr_matrix((np.ones(len(rows)), (dominant, rows)), shape=(k, matrix.shape[0]))
    sizes = np.bincount(dominant, minlength=k)
    centroids = np.asarray((membership @ matrix).todense()) / np.maximum(sizes, 1)[:, None]
    scores = npmi_coherence(_top_columns(centroids, TOP_TERMS), presence, vocabulary)
    valid = (sizes > 0) & ~np.isnan(scores)
    return float(np.average(scores[valid], weights=sizes[valid])) if valid.any() else float("nan")


def choose_k(matrix: sp.csr_matrix, vocabulary: np.ndarray, k_range: Sequence[int], random_state: int = 0) -> pd.DataFrame:
    """`gathered_coherence` (column `score`) of an NMF model for each k in `k_range`.

    Models are fitted on a sample of about `_SELECTION_NONZEROS` document-term entries over the
    `_SELECTION_FEATURES` terms most frequent in it; co-occurrence is counted on the whole corpus.
    """
    n_docs = matrix.shape[0]
    mean_terms = max(matrix.nnz / n_docs, 1.0)
    sample_size = min(n_docs, int(_SELECTION_NONZEROS / mean_terms))
    rng = np.random.default_rng(random_state)
    sample = matrix[np.sort(rng.choice(n_docs, size=sample_size, replace=False))]
    document_frequency = np.asarray((sample > 0).sum(axis=0)).ravel()
    columns = np.sort(np.argsort(-document_frequency, kind="stable")[:_SELECTION_FEATURES])
    columns = columns[document_frequency[columns] > 0]
    sample = sample[:, columns]
    presence = (matrix[:, columns] > 0).astype(np.float32).tocsc()
    rows = []
    for k in k_range:
        if not 1 <= k <= min(sample.shape):
            continue
        doc_weights, _ = _nmf(sample, k, random_state, quick=True)
        rows.append({"k": int(k), "score": gathered_coherence(sample, doc_weights, presence, vocabulary[columns])})
    return pd.DataFrame(rows, columns=["k", "score"]).astype({"k": "int64", "score": "float64"})


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def topic_label(ranked_terms: Sequence[str], size: int = LABEL_TERMS) -> str:
    """The `size` best terms joined by " · ", without repeating a word.

    Among the top 10 terms (more if needed to fill the label), a term whose words (singular
    or plural) are all in already chosen terms is skipped, and a bigram takes the place of
    chosen unigrams it contains: "missile, launch, missile launch" -> "missile launch, ...".
    """
    chosen: list[str] = []
    for rank, term in enumerate(ranked_terms):
        if rank >= TOP_TERMS and len(chosen) >= size:
            break
        words = {_singular(word) for word in term.split()}
        absorbed = [
            index for index, label_term in enumerate(chosen) if " " in term and " " not in label_term and _singular(label_term) in words
        ]
        if absorbed:
            chosen[absorbed[0]] = term
            chosen = [label_term for index, label_term in enumerate(chosen) if index not in absorbed[1:]]
        elif not words <= {_singular(word) for label_term in chosen for word in label_term.split()}:
            chosen.append(term)
    return LABEL_SEPARATOR.join(chosen[:size])


def _empty_model(article_ids: list[str], selection: pd.DataFrame) -> TopicModel:
    topics = pd.DataFrame(
        {
            "topic_id": pd.Series(dtype="int64"),
            "label": pd.Series(dtype="str"),
            "terms": pd.Series(dtype=object),
            "n_articles": pd.Series(dtype="int64"),
        }
    )
    doc_topics = pd.DataFrame(
        {"article_id": pd.Series(dtype="str"), "topic_id": pd.Series(dtype="int64"), "weight": pd.Series(dtype="float64")}
    )
    dominant = pd.Series(-1, index=pd.Index(article_ids, dtype="str", name="article_id"), dtype="int64", name="topic_id")
    return TopicModel(topics=topics, doc_topics=doc_topics, dominant=dominant, selection=selection)


def _model_tables(
    article_ids: list[str], doc_weights: np.ndarray, components: np.ndarray, vocabulary: np.ndarray, selection: pd.DataFrame
) -> TopicModel:
    """Order topics by prevalence, normalise and prune weights, label topics."""
    totals = doc_weights.sum(axis=1, keepdims=True)
    shares = np.divide(doc_weights, totals, out=np.zeros_like(doc_weights), where=totals > 0)
    # A degenerate component, or one under MIN_WEIGHT in every article, explains nothing.
    used = (components.sum(axis=1) > 0) & (shares.max(axis=0, initial=0.0) >= MIN_WEIGHT)
    order = [topic for topic in np.argsort(-shares.sum(axis=0), kind="stable") if used[topic]]
    if not order:
        return _empty_model(article_ids, selection)
    shares, components = shares[:, order], components[order]

    kept = np.where(shares >= MIN_WEIGHT, shares, 0.0)
    kept_totals = kept.sum(axis=1, keepdims=True)
    kept = np.divide(kept, kept_totals, out=np.zeros_like(kept), where=kept_totals > 0)
    rows, topic_ids = np.nonzero(kept)
    ids = np.asarray(article_ids, dtype=object)
    doc_topics = pd.DataFrame(
        {
            "article_id": pd.array(ids[rows], dtype="str"),
            "topic_id": topic_ids.astype("int64"),
            "weight": kept[rows, topic_ids].astype("float64"),
        }
    )

    has_topic = kept_totals.ravel() > 0
    dominant_ids = np.where(has_topic, kept.argmax(axis=1), -1).astype("int64")
    dominant = pd.Series(dominant_ids, index=pd.Index(article_ids, dtype="str", name="article_id"), name="topic_id")

    ranked = [[str(vocabulary[column]) for column in row] for row in _top_columns(components, _LABEL_CANDIDATES)]
    topics = pd.DataFrame(
        {
            "topic_id": np.arange(len(order), dtype="int64"),
            "label": pd.array([topic_label(terms) for terms in ranked], dtype="str"),
            "terms": [terms[:TOP_TERMS] for terms in ranked],
            "n_articles": np.bincount(dominant_ids[dominant_ids >= 0], minlength=len(order)).astype("int64"),
        }
    )
    return TopicModel(topics=topics, doc_topics=doc_topics, dominant=dominant, selection=selection)


def fit_topics(
    article_ids: Sequence[str],
    texts: Sequence[str],
    n_topics: int | None = None,
    k_range: Sequence[int] = range(5, 16),
    random_state: int = 0,
) -> TopicModel:
    """Fit topics to `texts` (one per article id).

    Returns `topics` (topic_id, label, terms: top 10, n_articles: articles whose dominant
    topic it is; topic 0 is the most prevalent), `doc_topics` (article_id, topic_id, weight:
    the topic's share of the article, weights under 5% dropped and the rest renormalised to
    sum 1), `dominant` (article_id -> topic_id, -1 without topical weight) and `selection`
    (k, score: the `gathered_coherence` that chose k; empty when `n_topics` is given).
    A corpus too small for the request gets fewer topics (at most one per article and term;
    when no k of `k_range` fits, the criterion chooses among all that do); one without any
    usable term gets none.
    """
    ids = [str(article_id) for article_id in article_ids]
    if len(ids) != len(texts):
        raise ValueError(f"{len(ids)} article ids for {len(texts)} texts")
    no_selection = pd.DataFrame({"k": pd.Series(dtype="int64"), "score": pd.Series(dtype="float64")})
    fitted = _tfidf(texts) if ids and n_topics != 0 else None
    if fitted is None:
        return _empty_model(ids, no_selection)
    matrix, vocabulary = fitted
    limit = min(matrix.shape)
    if n_topics is None:
        candidates = [k for k in k_range if 1 <= k <= limit] or list(range(1, limit + 1))
        selection = choose_k(matrix, vocabulary, candidates, random_state)
        k = int(selection.loc[selection["score"].fillna(-np.inf).idxmax(), "k"]) if len(selection) else limit
    else:
        selection, k = no_selection, min(n_topics, limit)
    doc_weights, components = _nmf(matrix, k, random_state)
    return _model_tables(ids, doc_weights, components, vocabulary, selection)
