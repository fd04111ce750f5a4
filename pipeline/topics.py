"""Topics: which subjects the corpus talks about, found by NMF on TF-IDF term weights.

Terms come from `pipeline.terms` (unigrams and bigrams, general stop list), so topics speak
the same vocabulary as keyword trends. Two rules keep topics about subjects rather than about
who speaks or the form of a text (docs/measures/topics.md):

- a **domain stop-list** kept as data (`data/topic_stoplist.txt`: state-media formulas,
  press-briefing vocabulary, transcript and release formats);
- **even spread**: a term whose documents are spread over the corpus' periods (and sources)
  as evenly as chance would spread them carries no topic (`evenly_spread`).

Unless given, the number of topics is chosen in a range scaled to the corpus
(`candidate_ks`) by how coherent the articles each topic gathers are
(`gathered_coherence`: NPMI, Bouma 2009, Lau, Newman & Baldwin 2014), and the best
candidates are checked for stability across 3 random seeds (`topic_stability`, after Greene,
O'Callaghan & Cunningham 2014). Candidate models are fitted on random samples of documents
with a reduced vocabulary, which keeps the search fast on large corpora; the final model is
fitted on everything. Labels are the two best phrases of a topic, never an actor's name on
its own, in the casing the texts use ("flood-hit areas · North Phyongan").
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfTransformer
from threadpoolctl import threadpool_limits

from pipeline.actors import DEFAULT_ACTORS_PATH, load_gazetteer
from pipeline.terms import TermCounts, as_term, count_terms

TOPIC_STOPLIST_PATH = Path(__file__).resolve().parents[1] / "data" / "topic_stoplist.txt"
TOP_TERMS = 10
LABEL_TERMS = 2
LABEL_SEPARATOR = " · "
MIN_WEIGHT = 0.05
"""Topic weights below this share of an article are noise of the factorisation and are dropped."""
STABILITY_SEEDS = 3
STABILITY_TARGET = 0.6
"""Mean best-match Jaccard of the top terms across seeds at which a k counts as stable."""
EVEN_SPREAD_RATIO = 1.5
"""A term is evenly spread when its DP is at most this many times what random placement gives..."""
EVEN_SPREAD_MAX_NOISE = 0.1
"""...and it has enough documents for random placement to give a DP of at most this."""
BIGRAM_PREFERENCE = 0.5
"""A label takes a pair instead of a word it contains when the pair weighs at least this share of the word."""

_MAX_FEATURES = 20_000
_SMALL_CORPUS = 50  # below this many documents, rare and ubiquitous terms are kept and spread is not judged
_DOCS_PER_PERIOD = 40  # periods for the even-spread rule hold about this many documents...
_MAX_PERIODS = 24  # ...and there are at most this many
_MIN_SOURCE_SHARE = 0.02  # sources with fewer documents are pooled for the even-spread rule
_SELECTION_NONZEROS = 400_000  # size of the sample the candidate models see (document-term entries)
_SELECTION_FEATURES = 5_000
_STABILITY_FRACTION = 0.8  # each seed's subsample holds this share of the sample
_STABILITY_CANDIDATES = 4  # at most this many k, the most coherent first, are checked for stability
_MAX_ITER = 200  # NMF iterations...
_TOL = 1e-3  # ...and tolerance (see `_nmf`)
_WARM_ITER = 20  # iterations of the final fit from the k search's fit (`_warm_start`)
_LABEL_CANDIDATES = 30
_CASING_DOCUMENTS = 20  # a label phrase's casing is read in this many of the articles using it
_CASING_CHARS = 20_000  # ...each cut to this many characters
_LOWER_CASE_SHARE = 0.2  # a phrase written in lower case this often is not a name
_TITLE_WORDS = frozenset(
    "president chairman chairwoman premier chancellor leader supreme comrade marshal general secretary minister "
    "prime foreign vice first lady mr mrs ms dr sir madam ambassador envoy senator governor king queen emperor".split()
)


@dataclass
class TopicModel:
    """A fitted topic model as tidy tables (see `fit_topics`)."""

    topics: pd.DataFrame
    doc_topics: pd.DataFrame
    dominant: pd.Series
    selection: pd.DataFrame
    stability: dict[str, Any] = field(default_factory=dict)
    vocabulary: dict[str, Any] = field(default_factory=dict)

    def manifest_entries(self) -> dict[str, Any]:
        """What the build's manifest records of the model: `topic_selection`, `topic_stability`, `topic_vocabulary` (JSON-safe, NaN as null)."""
        selection = self.selection.astype(object).where(self.selection.notna(), None)
        return {
            "topic_selection": selection.to_dict(orient="records"),
            "topic_stability": self.stability,
            "topic_vocabulary": self.vocabulary,
        }


# --- vocabulary: domain stop-list and even spread --------------------------------------------------


@cache
def load_topic_stoplist(path: Path = TOPIC_STOPLIST_PATH) -> frozenset[str]:
    """The domain stop-list: one counted term (one or two words) per non-comment line of `path`.

    Raises ValueError naming the file and line of an entry that is not a term as counted
    (upper case, three words, a stop word inside), since it would silently match nothing.
    """
    entries: set[str] = set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        counted = as_term(entry)
        if counted != entry or len(entry.split()) > 2:
            raise ValueError(
                f"{path}:{number}: {entry!r} is not a term as counted ({counted!r}); write one word or two adjacent "
                "words in lower case, without stop words"
            )
        entries.add(entry)
    return frozenset(entries)


def stoplisted(vocabulary: np.ndarray, stoplist: Collection[str]) -> np.ndarray:
    """Per term, whether the stop-list removes it: it is listed, or it is a pair of two listed words."""
    listed = frozenset(stoplist)
    words = frozenset(entry for entry in listed if " " not in entry)
    return np.fromiter(
        (term in listed or (" " in term and all(word in words for word in term.split(" "))) for term in vocabulary),
        dtype=bool,
        count=len(vocabulary),
    )


def time_periods(dates: Sequence[Any] | pd.Series, n_docs_per_period: int = _DOCS_PER_PERIOD, max_periods: int = _MAX_PERIODS) -> np.ndarray:
    """Period code (0, 1, ...) of each document: consecutive stretches of time holding about equal numbers of documents.

    Months of real corpora hold from a handful to thousands of articles; equal-count periods
    make every period's evidence weigh alike. Documents of the same day share a period.
    """
    days = pd.to_datetime(pd.Series(dates)).to_numpy()
    n_docs = len(days)
    n_periods = max(2, min(max_periods, n_docs // n_docs_per_period))
    rank = pd.Series(days).rank(method="min").to_numpy() - 1
    return pd.factorize((rank * n_periods // max(n_docs, 1)).astype(np.int64), sort=True)[0]


def dispersion(presence: sp.csr_matrix, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column of a binary document-term matrix: DP and the DP random placement would give.

    DP (Gries 2008, "deviation of proportions") is half the sum over groups of |share of the
    term's documents in the group - share of all documents in the group|: 0 when the term is
    spread exactly like the corpus, near 1 when it sits in one small group. It is the share of
    the term's documents that would have to move to other groups to match the corpus.
    The second array is the DP expected when the term's documents are placed at random
    (normal approximation of the binomial, sum over groups of sqrt(2 p (1 - p) / (pi n)) / 2
    for a term in n documents): rare terms look uneven by chance alone.
    """
    codes, _ = pd.factorize(np.asarray(groups))
    n_docs, n_groups = presence.shape[0], int(codes.max(initial=-1)) + 1
    membership = sp.csr_matrix((np.ones(n_docs, dtype=np.float32), (np.arange(n_docs), codes)), shape=(n_docs, n_groups))
    per_group = np.asarray((presence.T @ membership).todense(), dtype=np.float64)
    documents = per_group.sum(axis=1)
    expected = np.bincount(codes, minlength=n_groups) / max(n_docs, 1)
    shares = per_group / np.maximum(documents, 1)[:, None]
    dp = 0.5 * np.abs(shares - expected).sum(axis=1)
    noise = np.sqrt(expected * (1 - expected)).sum() / np.sqrt(2 * np.pi * np.maximum(documents, 1))
    return dp, noise


def _evenly_spread_over(presence: sp.csr_matrix, groups: np.ndarray) -> np.ndarray:
    dp, noise = dispersion(presence, groups)
    return (noise <= EVEN_SPREAD_MAX_NOISE) & (dp <= EVEN_SPREAD_RATIO * noise)


def evenly_spread(presence: sp.csr_matrix, dates: Sequence[Any] | pd.Series, sources: Sequence[str] | pd.Series | None = None) -> np.ndarray:
    """Per column of a binary document-term matrix, whether the term is spread as evenly as chance spreads it.

    Over the periods of `time_periods`, and over sources when there are several (sources with
    under 2% of the documents pooled), a term is evenly spread when it has enough documents
    for chance alone to give a DP of at most `EVEN_SPREAD_MAX_NOISE` (so rare terms are never
    judged) and its DP is at most `EVEN_SPREAD_RATIO` times that chance level: no burst in
    time, no source of its own. Such a term is in every period's articles alike and marks no
    subject; words of a subject come in bursts around events.
    """
    even = _evenly_spread_over(presence, time_periods(dates))
    if sources is not None:
        names = pd.Series(np.asarray(sources, dtype=object))
        shares = names.map(names.value_counts(normalize=True))
        pooled = names.where(shares >= _MIN_SOURCE_SHARE, "\x00other").to_numpy()
        if len(set(pooled)) > 1:
            even &= _evenly_spread_over(presence, pooled)
    return even


# --- actor names ------------------------------------------------------------------------------------


@cache
def actor_name_words(path: Path = DEFAULT_ACTORS_PATH) -> frozenset[str]:
    """The words of the gazetteer's names, spelt as terms count them ("kim-jong-un", "putin", "moon")."""
    words: set[str] = set()
    for actor in load_gazetteer(path).actors:
        for spelling in [spelling.text for spelling in actor.spellings] + list(actor.surname_refs):
            words.update(as_term(spelling).split())
    return frozenset(words - _TITLE_WORDS)


def is_actor_term(term: str, name_words: Collection[str]) -> bool:
    """True for a person's name with or without a title ("kim-jong-un", "president xi", "comrade kim-jong-un")."""
    words = term.split(" ")
    return any(word in name_words for word in words) and all(word in name_words or word in _TITLE_WORDS for word in words)


# --- TF-IDF -------------------------------------------------------------------------------------------


def _tfidf(
    term_counts: TermCounts, dates: Sequence[Any] | pd.Series | None, sources: Sequence[str] | pd.Series | None, stoplist: Collection[str]
) -> tuple[sp.csr_matrix, np.ndarray, dict[str, Any]] | None:
    """Document-term TF-IDF matrix (float32, rows of unit length), its vocabulary and what was left out; None without terms.

    Keeps terms in at least 2 articles and at most half of them (a term in most articles, such
    as "dprk" in KCNA, separates nothing) that neither the stop-list nor the even-spread rule
    removes, at most `_MAX_FEATURES` of them, the most frequent. Corpora under
    `_SMALL_CORPUS` articles keep every term but the stop-listed ones.
    """
    counts = term_counts.counts
    n_docs = counts.shape[0]
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    small = n_docs < _SMALL_CORPUS
    if small:
        eligible = np.flatnonzero(document_frequency > 0)
    else:
        eligible = np.flatnonzero((document_frequency >= 2) & (document_frequency <= 0.5 * n_docs))
    listed = stoplisted(term_counts.vocabulary[eligible], stoplist)
    eligible = eligible[~listed]
    even = np.zeros(len(eligible), dtype=bool)
    if dates is not None and not small and len(eligible):
        # Ones over the counts' own indices (counts hold no zeros), then the columns: 4 bytes an entry
        # beside the counts, where the counts' columns, their comparison and its float copy took 21.
        presence = sp.csr_matrix((np.ones(counts.nnz, dtype=np.float32), counts.indices, counts.indptr), shape=counts.shape)
        even = evenly_spread(presence[:, eligible], dates, sources)
        del presence
    report = {
        "terms": int(counts.shape[1]),
        "stop_listed": int(listed.sum()),
        "evenly_spread": int(even.sum()),
        "evenly_spread_examples": [str(term) for term in term_counts.vocabulary[eligible[even]][np.argsort(-document_frequency[eligible[even]], kind="stable")][:20]],
    }
    eligible = eligible[~even]
    if not len(eligible):
        return None
    frequency = np.bincount(counts.indices, weights=counts.data, minlength=counts.shape[1])[eligible]  # no copy of the columns
    kept = np.sort(eligible[np.argsort(-frequency, kind="stable")[:_MAX_FEATURES]])
    report["kept"] = int(len(kept))
    kept_counts = counts[:, kept].astype(np.float32)
    weights = TfidfTransformer(sublinear_tf=True).fit(kept_counts).transform(kept_counts, copy=False)  # in place: one copy fewer
    return weights.tocsr(), term_counts.vocabulary[kept], report


def _nmf(matrix: sp.csr_matrix, k: int, random_state: int, start: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """W (documents x topics) and H (topics x terms), from NNDSVDa or from `start` (W, H: `_warm_start`).

    From NNDSVDa (the samples' fits), loose convergence (at most 200 iterations, tolerance
    1e-3): on the 18,931 KCNA stories the top-10 terms of 30 topics match those of a
    400-iteration, 1e-4 fit with a best-match Jaccard of 0.95, at 40% of the time. From a
    `start`, exactly `_WARM_ITER` iterations: the tolerance is relative to the first
    iteration's change, which a good start makes small, so it would stop nothing.
    """
    if start is None:
        model = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=_MAX_ITER, tol=_TOL)
    else:
        model = NMF(n_components=k, init="custom", random_state=random_state, max_iter=_WARM_ITER, tol=0.0)
    weights, components = start if start is not None else (None, None)
    # One BLAS thread: on these thin sparse products extra threads mostly wait (measured 1.5-3x slower on 2 cores).
    # A near-perfect fit (a corpus of one or two articles) makes the float32 error a tiny
    # negative number whose square root numpy flags; the factorisation itself is fine.
    with warnings.catch_warnings(), threadpool_limits(limits=1), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", ConvergenceWarning)  # the last iterations change no top term
        doc_weights = model.fit_transform(matrix, W=weights, H=components)
    return doc_weights, model.components_


def _warm_start(matrix: sp.csr_matrix, columns: np.ndarray, components: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A start for the fit of `matrix` from a sample's topics `components` over its `columns`; None when it has no weight.

    H is the sample's topics, zero on the terms the sample left out (the first iterations
    fill them in); W is each document's least-squares weights on those topics, clipped at 0.
    The final fit then needs `_WARM_ITER` iterations instead of about 45 from NNDSVDa, and
    keeps the topics whose stability the samples measured.
    """
    start = np.zeros((components.shape[0], matrix.shape[1]), dtype=matrix.dtype)
    start[:, columns] = components
    weights = np.asarray(matrix[:, columns] @ components.T) @ np.linalg.pinv(components @ components.T)
    weights = np.maximum(weights, 0).astype(matrix.dtype)
    return (weights, start) if weights.any() and start.any() else None


# --- coherence, stability and the choice of k ------------------------------------------------------------


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


def _gathered_scores(matrix: sp.csr_matrix, doc_weights: np.ndarray, presence: sp.csc_matrix, vocabulary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per topic, the NPMI of the top terms of the articles it dominates, and how many articles that is."""
    has_topic = doc_weights.sum(axis=1) > 0
    rows = np.flatnonzero(has_topic)
    dominant = doc_weights[rows].argmax(axis=1)
    k = doc_weights.shape[1]
    membership = sp.csr_matrix((np.ones(len(rows)), (dominant, rows)), shape=(k, matrix.shape[0]))
    sizes = np.bincount(dominant, minlength=k)
    centroids = np.asarray((membership @ matrix).todense()) / np.maximum(sizes, 1)[:, None]
    return npmi_coherence(_top_columns(centroids, TOP_TERMS), presence, vocabulary), sizes


def gathered_coherence(matrix: sp.csr_matrix, doc_weights: np.ndarray, presence: sp.csc_matrix, vocabulary: np.ndarray) -> float:
    """How well the articles each topic gathers hang together, averaged over topics by size.

    Each article goes to its dominant topic; a topic's terms are the 10 highest of the mean
    TF-IDF of its articles, scored by `npmi_coherence`. A topic that lumps unrelated articles
    together scores low even if its own top terms come from one coherent subset (which plain
    NPMI of the model's top terms rewards), and a topic of one article weighs little.
    """
    scores, sizes = _gathered_scores(matrix, doc_weights, presence, vocabulary)
    valid = (sizes > 0) & ~np.isnan(scores)
    return float(np.average(scores[valid], weights=sizes[valid])) if valid.any() else float("nan")


def candidate_ks(n_docs: int) -> list[int]:
    """The numbers of topics tried for a corpus of `n_docs`: 5 up to sqrt(n_docs / 2), at most 30.

    A few hundred articles support about a dozen topics, tens of thousands 30 (more would be
    unreadable on one page). Steps widen with k, since neighbouring large k differ little.
    """
    upper = int(min(30, max(5, round(np.sqrt(n_docs / 2)))))
    grid = [k for k in (5, 6, 7, 8, 10, 12, 14, 17, 20, 24, 30) if k <= upper]
    return grid if grid[-1] == upper else [*grid, upper]


def _selection_columns(matrix: sp.csr_matrix) -> np.ndarray:
    """The `_SELECTION_FEATURES` columns in the most documents (sorted): the reduced vocabulary of the k search."""
    document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
    columns = np.sort(np.argsort(-document_frequency, kind="stable")[:_SELECTION_FEATURES])
    return columns[document_frequency[columns] > 0]


def _sample_rows(n_docs: int, size: int, seed: int) -> np.ndarray:
    return np.sort(np.random.default_rng(seed).choice(n_docs, size=size, replace=False))


def _sample_size(matrix: sp.csr_matrix) -> int:
    """How many documents make about `_SELECTION_NONZEROS` document-term entries."""
    mean_terms = max(matrix.nnz / max(matrix.shape[0], 1), 1.0)
    return min(matrix.shape[0], max(1, int(_SELECTION_NONZEROS / mean_terms)))


class _Samples:
    """The samples the k search and the stability check fit, and their fits, each made once.

    One random sample of about `_SELECTION_NONZEROS` document-term entries (all documents of a
    smaller corpus) is drawn with the first seed; each seed then draws `_STABILITY_FRACTION` of
    it, restricted to the `_SELECTION_FEATURES` terms in the most documents. The k search fits
    the first seed's subsample (the whole sample in corpora under `_SMALL_CORPUS`, too small to
    leave any out), so its fits are also the stability check's first run.
    """

    def __init__(self, matrix: sp.csr_matrix, seeds: Sequence[int]) -> None:
        self.seeds = list(seeds)
        self.columns = _selection_columns(matrix)
        base = _sample_rows(matrix.shape[0], _sample_size(matrix), self.seeds[0])
        size = max(1, int(_STABILITY_FRACTION * len(base)))
        self.rows = [base[_sample_rows(len(base), size, seed)] for seed in self.seeds]
        self.search_rows = base if matrix.shape[0] < _SMALL_CORPUS else self.rows[0]
        self.matrix = matrix
        self._fits: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._samples: dict[int, sp.csr_matrix] = {}

    def sample(self, run: int) -> sp.csr_matrix:
        """Run -1 is the k search's sample, runs 0, 1, ... the seeds' subsamples."""
        rows = self.search_rows if run < 0 else self.rows[run]
        if id(rows) not in self._samples:  # each fit of a run slices the same rows
            self._samples[id(rows)] = self.matrix[rows][:, self.columns]
        return self._samples[id(rows)]

    def holds(self, k: int, run: int) -> bool:
        """Whether the sample of `run` (as in `sample`) can be fitted with k topics."""
        rows = self.search_rows if run < 0 else self.rows[run]
        return 1 <= k <= min(len(rows), len(self.columns))

    def start(self, k: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The final fit's `_warm_start` from the k search's fit with k topics (made now if the search did not); None when its sample cannot hold k."""
        return _warm_start(self.matrix, self.columns, self.fit(k, -1)[1]) if self.holds(k, -1) else None

    def fit(self, k: int, run: int) -> tuple[np.ndarray, np.ndarray]:
        if run < 0 and self.search_rows is self.rows[0]:
            run = 0
        if (k, run) not in self._fits:
            self._fits[k, run] = _nmf(self.sample(run), k, self.seeds[max(run, 0)])
        return self._fits[k, run]

    def stability(self, k: int, top: int = TOP_TERMS) -> float:
        """Mean over pairs of seeds of the `best_match_jaccard` of the top `top` terms of k topics; NaN when a subsample cannot hold k."""
        runs = []
        for run in range(len(self.seeds)):
            if not self.holds(k, run):
                return float("nan")
            runs.append([set(row.tolist()) for row in _top_columns(self.fit(k, run)[1], top)])
        return float(np.mean([best_match_jaccard(a, b) for a, b in combinations(runs, 2)])) if len(runs) > 1 else float("nan")


def _search(samples: _Samples, vocabulary: np.ndarray, k_range: Sequence[int]) -> pd.DataFrame:
    """`gathered_coherence` (column `score`) of the k search's fit for the k of `k_range` that its sample can hold, coarse to fine.

    Every other k (and the largest) first, then the untried neighbours in `k_range` of the most
    coherent k so far, until it has none left: the k found is at least as coherent as its
    neighbours, at about two thirds of the fits (7 of 11 on the KCNA stories). Rows in order of k.
    """
    sample = samples.sample(-1)
    presence = (samples.matrix[:, samples.columns] > 0).astype(np.float32).tocsc()  # co-occurrence over the whole corpus
    ks = sorted({int(k) for k in k_range if samples.holds(int(k), -1)})
    scores: dict[int, float] = {}
    pending = ks[::2] + ks[-1:]
    while pending:
        for k in pending:
            if k not in scores:
                scores[k] = gathered_coherence(sample, samples.fit(k, -1)[0], presence, vocabulary[samples.columns])
        best = ks.index(max(sorted(scores), key=lambda k: -np.inf if np.isnan(scores[k]) else scores[k]))
        pending = [k for k in ks[max(best - 1, 0) : best + 2] if k not in scores]
    rows = [{"k": k, "score": scores[k]} for k in sorted(scores)]
    return pd.DataFrame(rows, columns=["k", "score"]).astype({"k": "int64", "score": "float64"})


def choose_k(matrix: sp.csr_matrix, vocabulary: np.ndarray, k_range: Sequence[int], random_state: int = 0) -> pd.DataFrame:
    """`gathered_coherence` (column `score`) of an NMF model for each k in `k_range`.

    Models are fitted on a sample (`_Samples`: about `_SELECTION_NONZEROS` document-term entries
    over the `_SELECTION_FEATURES` terms in the most documents); co-occurrence is counted on the
    whole corpus.
    """
    return _search(_Samples(matrix, [random_state]), vocabulary, k_range)


def best_match_jaccard(first: Sequence[Collection[Any]], second: Sequence[Collection[Any]]) -> float:
    """Mean Jaccard similarity of two lists of term sets, each set matched to at most one of the other list.

    The matching maximises the total similarity (Hungarian algorithm); a list with more sets
    than the other counts its unmatched sets as 0. 1.0 means the same topics, 0.0 no common term.
    """
    if not first or not second:
        return float("nan")
    sets_a, sets_b = [set(terms) for terms in first], [set(terms) for terms in second]
    similarity = np.array([[len(a & b) / len(a | b) if a | b else 0.0 for b in sets_b] for a in sets_a])
    rows, columns = linear_sum_assignment(-similarity)
    return float(similarity[rows, columns].sum() / max(len(sets_a), len(sets_b)))


def topic_stability(matrix: sp.csr_matrix, k: int, seeds: Sequence[int], top: int = TOP_TERMS) -> float:
    """Mean over pairs of seeds of the `best_match_jaccard` of the topics' top `top` terms.

    Each seed fits k topics on its own random `_STABILITY_FRACTION` of one sample of the
    documents (`_Samples`; the whole corpus when it is small). Topics that are a property of
    the corpus come back whatever the subsample; topics that depend on which articles were
    drawn do not.
    """
    return _Samples(matrix, seeds).stability(k, top)


def _choose_k(samples: _Samples, vocabulary: np.ndarray, candidates: Sequence[int]) -> tuple[int, pd.DataFrame]:
    """The most coherent k whose stability reaches the target, else the most stable of those checked.

    Stability is checked down the coherence ranking until a k reaches the target, at most
    `_STABILITY_CANDIDATES` of them. Corpora under `_SMALL_CORPUS` articles take the most
    coherent k (their stability is still reported).
    """
    matrix = samples.matrix
    selection = _search(samples, vocabulary, candidates)
    selection["stability"] = np.nan
    if selection.empty:
        return min(matrix.shape), selection
    ranking = selection.sort_values(["score", "k"], ascending=[False, True], na_position="last").head(_STABILITY_CANDIDATES)
    for index, k in ranking["k"].items():
        selection.loc[index, "stability"] = samples.stability(int(k))
        if selection.loc[index, "stability"] >= STABILITY_TARGET or matrix.shape[0] < _SMALL_CORPUS:
            break
    checked = selection.dropna(subset=["stability"])
    if matrix.shape[0] < _SMALL_CORPUS:  # samples of a few articles cannot hold k topics: coherence alone decides
        chosen = ranking.iloc[0]
    elif (checked["stability"] >= STABILITY_TARGET).any():
        chosen = checked.loc[checked["stability"] >= STABILITY_TARGET].iloc[0]
    elif len(checked):
        chosen = checked.loc[checked["stability"].idxmax()]
    else:
        chosen = ranking.iloc[0]
    return int(chosen["k"]), selection


# --- labels ------------------------------------------------------------------------------------------------


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _words_of(term: str) -> set[str]:
    return {_singular(word) for word in term.split()}


def label_terms(
    ranked_terms: Sequence[str], weights: Sequence[float] | None = None, size: int = LABEL_TERMS, excluded: Collection[str] = frozenset()
) -> list[str]:
    """The `size` best phrases of a topic (its terms best first, with their weights), without saying a word twice.

    - a term in `excluded` (actor names) is never a phrase of the label: a name alone says who,
      not what;
    - a word gives way to the heaviest pair containing it that weighs at least
      `BIGRAM_PREFERENCE` of it ("areas" -> "flood-hit areas"): pairs read as phrases;
    - a pair replaces the chosen single words it contains, and a term whose words (singular
      or plural) are all said already is skipped.
    """
    terms = list(ranked_terms)
    weight_of = dict(zip(terms, weights if weights is not None else np.linspace(1.0, 0.5, max(len(terms), 1))))
    allowed = [term for term in terms if term not in excluded]
    chosen: list[str] = []
    for term in allowed:
        if len(chosen) >= size:
            break
        if " " not in term:
            pairs = [pair for pair in allowed if " " in pair and _singular(term) in _words_of(pair) and weight_of[pair] >= BIGRAM_PREFERENCE * weight_of[term]]
            if pairs:
                term = max(pairs, key=weight_of.__getitem__)
        words = _words_of(term)
        said = {word for phrase in chosen for word in _words_of(phrase)}
        if words <= said or term in chosen:
            continue
        if " " in term:
            chosen = [phrase for phrase in chosen if " " in phrase or _singular(phrase) not in words]
        chosen.append(term)
    return chosen[:size]


def topic_label(ranked_terms: Sequence[str], weights: Sequence[float] | None = None, size: int = LABEL_TERMS, excluded: Collection[str] = frozenset()) -> str:
    """`label_terms` joined by " · "."""
    return LABEL_SEPARATOR.join(label_terms(ranked_terms, weights, size, excluded))


def _surface_pattern(term: str) -> re.Pattern[str]:
    """The spellings a counted term comes from: words apart by spaces (after a possessive), name syllables by a space or a hyphen."""
    words = [r"[\s\-]?".join(re.escape(part) for part in word.split("-")) for word in term.split(" ")]
    # A possessive may follow a word: terms drop it ("Kim Jong Il's Work" counts as "kim-jong-il work").
    return re.compile(r"(?<![\w\-])" + r"(?:['\u2019]s)?\s+".join(words) + r"(?![\w\-])", re.IGNORECASE)


def display_form(term: str, texts: Sequence[str]) -> str:
    """`term` as `texts` write it: "north phyongan" -> "North Phyongan", "flood-hit areas" stays in lower case.

    Spellings that open a sentence count only when there is no other. A phrase that `texts`
    write in lower case at least a fifth of the time is a common phrase
    and keeps the lower case (a capital at a sentence start or in a name, "Sinuiju Cosmetics
    Factory", does not make "factory" a name); otherwise it takes its most frequent spelling,
    all-capital ones (datelines, shouted headlines) only when there is no other. The term
    itself when `texts` never write it (its words were normalised: "u.s." from "US").
    """
    pattern = _surface_pattern(term)
    found: Counter[str] = Counter()
    opening: Counter[str] = Counter()  # spellings at the start of a sentence, where any word takes a capital
    for text in texts:
        text = text[:_CASING_CHARS]
        for match in pattern.finditer(text):
            before = text[: match.start()].rstrip()
            (opening if not before or before[-1] in ".!?:\"'\n" else found)[" ".join(match.group().split())] += 1
    if not found:
        # Only ever opening a sentence: lower-case its first letter unless the rest is capitalised ("North Phyongan").
        found = Counter({form[:1].lower() + form[1:] if form[1:] == form[1:].lower() else form: count for form, count in opening.items()})
    if not found:
        return term
    lower = {form: count for form, count in found.items() if form[:1].islower()}
    if sum(lower.values()) >= _LOWER_CASE_SHARE * sum(found.values()):
        return max(sorted(lower), key=lower.__getitem__)
    mixed = {form: count for form, count in found.items() if not form.isupper()}
    pool = mixed or found
    return max(sorted(pool), key=pool.__getitem__)


# --- tables ------------------------------------------------------------------------------------------------


def _empty_model(article_ids: list[str], selection: pd.DataFrame, vocabulary: dict[str, Any] | None = None) -> TopicModel:
    topics = pd.DataFrame(
        {
            "topic_id": pd.Series(dtype="int64"),
            "label": pd.Series(dtype="str"),
            "terms": pd.Series(dtype=object),
            "n_articles": pd.Series(dtype="int64"),
            "label_terms": pd.Series(dtype=object),
            "coherence": pd.Series(dtype="float64"),
        }
    )
    doc_topics = pd.DataFrame(
        {"article_id": pd.Series(dtype="str"), "topic_id": pd.Series(dtype="int64"), "weight": pd.Series(dtype="float64")}
    )
    dominant = pd.Series(-1, index=pd.Index(article_ids, dtype="str", name="article_id"), dtype="int64", name="topic_id")
    return TopicModel(topics=topics, doc_topics=doc_topics, dominant=dominant, selection=selection, vocabulary=vocabulary or {})


def _model_tables(
    article_ids: list[str],
    texts: Sequence[str],
    matrix: sp.csr_matrix,
    doc_weights: np.ndarray,
    components: np.ndarray,
    vocabulary: np.ndarray,
    name_words: Collection[str],
) -> TopicModel:
    """Order topics by prevalence, normalise and prune weights, label topics, score their coherence."""
    totals = doc_weights.sum(axis=1, keepdims=True)
    shares = np.divide(doc_weights, totals, out=np.zeros_like(doc_weights), where=totals > 0)
    # A degenerate component, or one under MIN_WEIGHT in every article, explains nothing.
    used = (components.sum(axis=1) > 0) & (shares.max(axis=0, initial=0.0) >= MIN_WEIGHT)
    order = [topic for topic in np.argsort(-shares.sum(axis=0), kind="stable") if used[topic]]
    if not order:
        return _empty_model(article_ids, pd.DataFrame())
    shares, components = shares[:, order], components[order]

    kept = np.where(shares >= MIN_WEIGHT, shares, 0.0)
    del shares  # documents x topics, like `kept`: 120 MB each at a million articles and 30 topics
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

    top = _top_columns(components, _LABEL_CANDIDATES)
    ranked = [[str(vocabulary[column]) for column in row] for row in top]
    excluded = {term for terms in ranked for term in terms if is_actor_term(term, name_words)}
    chosen = [label_terms(terms, components[topic, top[topic]], excluded=excluded) for topic, terms in enumerate(ranked)]
    column_of = {str(term): column for column, term in enumerate(vocabulary)}
    by_column = matrix.tocsc()
    labels = []
    for topic, phrases in enumerate(chosen):
        forms = []
        for phrase in phrases:  # its casing is read in the articles that use it, the topic's heaviest first
            rows = by_column.indices[by_column.indptr[column_of[phrase]] : by_column.indptr[column_of[phrase] + 1]]
            rows = rows[np.argsort(-kept[rows, topic], kind="stable")[:_CASING_DOCUMENTS]]
            forms.append(display_form(phrase, [texts[row] for row in rows]))
        labels.append(LABEL_SEPARATOR.join(forms) or f"topic {topic}")
    # `matrix > 0` on the pattern of `by_column` (TF-IDF weights of counted terms are positive): no copy of the matrix.
    presence = sp.csc_matrix((np.ones(by_column.nnz, dtype=np.float32), by_column.indices, by_column.indptr), shape=by_column.shape)
    coherence, _ = _gathered_scores(matrix, kept, presence, vocabulary)
    topics = pd.DataFrame(
        {
            "topic_id": np.arange(len(order), dtype="int64"),
            "label": pd.array(labels, dtype="str"),
            "terms": [terms[:TOP_TERMS] for terms in ranked],
            "n_articles": np.bincount(dominant_ids[dominant_ids >= 0], minlength=len(order)).astype("int64"),
            "label_terms": chosen,
            "coherence": coherence.astype("float64"),
        }
    )
    return TopicModel(topics=topics, doc_topics=doc_topics, dominant=dominant, selection=pd.DataFrame())


def fit_topics(
    article_ids: Sequence[str],
    texts: Sequence[str],
    n_topics: int | None = None,
    k_range: Sequence[int] | None = None,
    random_state: int = 0,
    dates: Sequence[Any] | pd.Series | None = None,
    sources: Sequence[str] | pd.Series | None = None,
    stoplist: Collection[str] | None = None,
    name_words: Collection[str] | None = None,
    term_counts: TermCounts | None = None,
) -> TopicModel:
    """Fit topics to `texts` (one per article id; `dates` and `sources` alongside, for the even-spread rule).

    Returns `topics` (topic_id, label: the two best phrases as the texts write them, terms: top
    10, n_articles: articles whose dominant topic it is, label_terms: the counted terms of the
    label, coherence: NPMI of the top terms of its articles; topic 0 is the most prevalent),
    `doc_topics` (article_id, topic_id, weight: the topic's share of the article, weights under
    5% dropped and the rest renormalised to sum 1), `dominant` (article_id -> topic_id, -1
    without topical weight), `selection` (k, score: the `gathered_coherence` that chose k,
    stability: `topic_stability` where it was checked; empty when `n_topics` is given),
    `stability` (k, seeds, top_terms, jaccard of the fitted k, target) and `vocabulary` (how
    many terms the stop-list and the even-spread rule removed). Without `dates` the even-spread
    rule is not applied; `stoplist` defaults to data/topic_stoplist.txt, `name_words` to the
    names of the actors gazetteer. `k_range` defaults to `candidate_ks`. `term_counts`: the
    texts' counts when already known (one row per text, in order; a build counts them in its
    workers), else counted here; `texts` is then read only for the casing of label phrases.
    A corpus too small for the request gets fewer topics (at most one per article and term;
    when no k of `k_range` fits, the criterion chooses among all that do); one without any
    usable term gets none.
    """
    ids = [str(article_id) for article_id in article_ids]
    if len(ids) != len(texts):
        raise ValueError(f"{len(ids)} article ids for {len(texts)} texts")
    for name, column in (("dates", dates), ("sources", sources)):
        if column is not None and len(column) != len(ids):
            raise ValueError(f"{len(column)} {name} for {len(ids)} texts")
    no_selection = pd.DataFrame({"k": pd.Series(dtype="int64"), "score": pd.Series(dtype="float64"), "stability": pd.Series(dtype="float64")})
    stop = load_topic_stoplist() if stoplist is None else stoplist
    fitted = _tfidf(count_terms(texts) if term_counts is None else term_counts, dates, sources, stop) if ids and n_topics != 0 else None
    term_counts = None  # the TF-IDF matrix is all the fit needs: a caller that hands its counts over frees them now
    if fitted is None:
        return _empty_model(ids, no_selection)
    matrix, vocabulary, report = fitted
    limit = min(matrix.shape)
    seeds = [random_state + offset for offset in range(STABILITY_SEEDS)]
    samples = _Samples(matrix, seeds)
    if n_topics is None:
        candidates = [k for k in (candidate_ks(matrix.shape[0]) if k_range is None else k_range) if 1 <= k <= limit]
        k, selection = _choose_k(samples, vocabulary, candidates or list(range(1, limit + 1)))
        checked = selection.loc[selection["k"] == k, "stability"]
        jaccard = float(checked.iloc[0]) if len(checked) else float("nan")
    else:
        selection, k = no_selection, min(n_topics, limit)
        jaccard = samples.stability(k)
    doc_weights, components = _nmf(matrix, k, random_state, samples.start(k))
    model = _model_tables(ids, texts, matrix, doc_weights, components, vocabulary, actor_name_words() if name_words is None else name_words)
    model.selection = selection.reset_index(drop=True)
    model.vocabulary = report
    model.stability = {
        "k": int(k),
        "seeds": seeds,
        "top_terms": TOP_TERMS,
        "jaccard": None if np.isnan(jaccard) else round(jaccard, 3),
        "target": STABILITY_TARGET,
    }
    return model
