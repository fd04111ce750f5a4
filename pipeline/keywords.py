"""Keywords: which terms a month (or any subset) uses more than the rest of the corpus.

Distinctiveness is the log-odds ratio with an informative Dirichlet prior of Monroe,
Colaresi & Quinn (2008), "Fightin' Words: Lexical Feature Selection and Evaluation for
Identifying the Content of Political Conflict", Political Analysis 16(4), section 3.5.
It shrinks the evidence of rare terms towards the corpus-wide rate, so a term seen twice
does not outrank one seen two hundred times, and it reports a z-score: the log-odds
difference divided by its standard error. Terms come from `pipeline.terms`. A month's terms are
also grouped into stories (terms used by the same articles), so that one big event does not
fill a month's list and hide a second one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp

from pipeline.actors import DEFAULT_ACTORS_PATH, load_gazetteer
from pipeline.store import empty_frame
from pipeline.terms import KOREAN_SURNAMES, TermCounts, as_term, count_terms, is_syllable, word_form_key

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


def presence(counts: sp.csr_matrix) -> sp.csr_matrix:
    """`counts > 0` as int8 (1: the article uses the term).

    Shares `counts`' index arrays when it holds no explicit zero (always, for counted texts):
    at a million articles a copy of the pattern, as `counts > 0` makes, costs a gigabyte.
    """
    counts = sp.csr_matrix(counts)
    if counts.nnz and counts.data.min() > 0:
        return sp.csr_matrix((np.ones(counts.nnz, dtype=np.int8), counts.indices, counts.indptr), shape=counts.shape)
    return sp.csr_matrix(counts > 0, dtype=np.int8)


MONTH_SUM_ROWS = 50_000
"""Articles summed at once by `_month_sums`: its copy of their counts stays small."""


def _month_sums(counts: sp.csr_matrix, month_codes: np.ndarray, n_months: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """months x terms, twice: each term's occurrences and articles per month (float64, sorted indices, no zeros;
    one non-zero pattern, so their entries align), `MONTH_SUM_ROWS` articles at a time.

    Articles are taken month by month. A block's counts, copied column by column (CSC), list
    each term's articles in order, so each (term, month) is one run of entries: its sum is the
    occurrences, its length the articles, with no product nor sort of the sums (both were most
    of the keywords' time). Sums of whole numbers are exact in any order.
    """
    order = np.argsort(month_codes, kind="stable")
    starts = np.searchsorted(month_codes[order], np.arange(n_months + 1))
    occurrences, articles, first = [], [], 0
    while first < n_months:
        last = max(first + 1, int(np.searchsorted(starts, starts[first] + MONTH_SUM_ROWS, side="right")) - 1)
        last = min(last, n_months)
        rows = order[starts[first] : starts[last]]
        block = sp.csc_matrix(counts[rows])
        block.sort_indices()
        month = (month_codes[rows] - first)[block.indices]
        term = np.repeat(np.arange(block.shape[1], dtype=np.int64), np.diff(block.indptr))
        data = block.data
        if not (data > 0).all():  # explicit zeros: not a use
            used = data > 0
            month, term, data = month[used], term[used], data[used]
        key = term * (last - first) + month  # non-decreasing: a term's articles are in month order
        bounds = np.r_[np.flatnonzero(np.r_[True, key[1:] != key[:-1]]), len(key)] if len(key) else np.zeros(1, dtype=np.int64)
        runs = bounds[:-1]
        shape = (last - first, counts.shape[1])
        for sums, values in ((occurrences, np.diff(np.r_[0, np.cumsum(data, dtype=np.int64)][bounds])), (articles, np.diff(bounds))):
            sums.append(sp.csr_matrix(sp.coo_matrix((values.astype(np.float64), (month[runs], term[runs])), shape=shape)))
        first = last
    month_counts, month_docs = (
        sp.csr_matrix(sp.vstack(blocks, format="csr")) if blocks else sp.csr_matrix((0, counts.shape[1]))
        for blocks in (occurrences, articles)
    )
    for sums in (month_counts, month_docs):
        sums.sort_indices()  # sorted already (by term within a month): only checked
    return month_counts, month_docs


KEYWORD_COLUMNS = (
    "period", "term", "count", "docs", "share", "score", "score_window", "window_docs", "is_actor", "actor_id", "story", "story_window"
)
STORY_COLUMNS = {"score": "story", "score_window": "story_window"}
"""Each score column's story column: the lead term of the story a term belongs to in that ranking."""
WINDOW_MONTHS = 6
"""The preceding window a month is compared with in the window mode (`score_window`)."""
PRIOR_SCALE = 0.1
"""Weight of the whole-corpus prior, in articles, relative to the two sets compared: a tenth of
their articles. At 1.0 the prior weighs as much as the data and drowns medium events under the
words that fill every month (measured on the events of data/labels/keyword_events.csv, see
docs/measures/keywords.md)."""
MIN_DOCS = 2
"""A term needs this many articles in a month to be listed: one article's pet word is not a trend."""
STORY_OVERLAP = 0.3
"""Two terms tell one story of a month when the month's articles using them overlap this much (Jaccard
index: articles using both over articles using either). 0.3 was chosen on the tuning half of
data/labels/keyword_events.csv among settings whose stories stay readable (docs/measures/keywords.md)."""
STORY_TERMS_SHOWN = 5
"""How many of a story's terms `rank_emerging` lists with it (its lead first): about one line."""


def _empty_keywords() -> pd.DataFrame:
    return empty_frame("keywords")


@cache
def gazetteer_actor_terms(path: Path = DEFAULT_ACTORS_PATH) -> dict[str, str | None]:
    """term -> actor id for every way the gazetteer writes a person, spelled as terms are counted.

    Ids, names, aliases, bare surnames and titles + surname ("kim-jong-un", "putin", "president
    putin"). A term several people share ("kim", "chairman kim") maps to None: it names an
    actor, but not which one.
    """
    owners: dict[str, set[str]] = {}
    for actor in load_gazetteer(path).actors:
        spellings = [actor.id, *(spelling.text for spelling in actor.spellings), *actor.surname_refs, *(title.text for title in actor.titles)]
        for spelling in spellings:
            term = as_term(spelling)
            if term:
                owners.setdefault(term, set()).add(actor.id)
    return {term: next(iter(ids)) if len(ids) == 1 else None for term, ids in owners.items()}


def _is_korean_name(word: str) -> bool:
    """A joined Korean personal name ("pak-pong-ju"), as `pipeline.terms` joins them: a person even if not in the gazetteer."""
    parts = word.split("-")
    return len(parts) == 3 and parts[0].capitalize() in KOREAN_SURNAMES and all(is_syllable(part) for part in parts[1:])


def actor_of_terms(vocabulary: Sequence[str], actor_terms: Mapping[str, str | None]) -> tuple[np.ndarray, np.ndarray]:
    """(is_actor, actor_id) for each term: a term is an actor's when it is one of `actor_terms`, a
    Korean personal name, or a two-word term with such a word ("kim-jong-un inspected"); the id is
    that actor's when only one person is meant, else None."""
    is_actor = np.zeros(len(vocabulary), dtype=bool)
    actor_id = np.full(len(vocabulary), None, dtype=object)
    for index, term in enumerate(vocabulary):
        for candidate in (term, *term.split(" ")) if " " in term else (term,):
            if candidate in actor_terms or ("-" in candidate and _is_korean_name(candidate)):  # the test first: most words have no hyphen
                is_actor[index] = True
                actor_id[index] = actor_terms.get(candidate)
                break
    return is_actor, actor_id


def _doc_log_odds_z(
    docs_a: np.ndarray, n_a: np.ndarray, docs_b: np.ndarray, n_b: np.ndarray, rate: np.ndarray, prior_scale: float = PRIOR_SCALE
) -> np.ndarray:
    """z of the log-odds that an article of a rather than of b uses the term, counted in articles.

    The informative Dirichlet prior of Monroe et al. (2008) for document counts: `prior_scale`
    times as many pseudo-articles as a and b hold together, using the term at its whole-corpus
    `rate` (its share of all articles), so a term seen in two articles is shrunk towards its
    usual rate.
    """
    alpha_total = prior_scale * (n_a + n_b)
    alpha = np.maximum(alpha_total * rate, _MIN_PSEUDO_COUNT)
    _, z = _log_odds_z(docs_a, docs_b, n_a, n_b, alpha, alpha_total)
    return np.where(n_b > 0, z, np.nan)  # nothing to compare with


def _month_ordinal(months: pd.DatetimeIndex) -> np.ndarray:
    return (months.year * 12 + months.month - 1).to_numpy()


def _window_docs(month_docs: sp.csr_matrix, ordinals: np.ndarray, month: np.ndarray, term: np.ndarray, window: int) -> np.ndarray:
    """Per entry (month[i], term[i]): the articles of the `window` calendar months before month[i] using term[i].

    `month_docs`: months x terms (months in calendar order, `ordinals`). Each term's monthly counts,
    in (term, month) order, are summed cumulatively, so a window's sum is the difference of two
    binary searches: no months x terms matrix of window sums, and exact (sums of whole numbers).
    """
    by_term = sp.csc_matrix(month_docs)
    by_term.sort_indices()
    span = int(ordinals.max(initial=0) - ordinals.min(initial=0)) + window + 1  # key = term * span + shifted ordinal
    shifted = ordinals - ordinals.min(initial=0) + window
    keys = np.repeat(np.arange(by_term.shape[1], dtype=np.int64) * span, np.diff(by_term.indptr)) + shifted[by_term.indices]
    before = np.concatenate([[0.0], np.cumsum(by_term.data)])
    query = term.astype(np.int64) * span + shifted[month]
    return before[np.searchsorted(keys, query)] - before[np.searchsorted(keys, query - window)]


def _story_leads(
    walks: Sequence[np.ndarray], term: np.ndarray, month: np.ndarray, uses: sp.csr_matrix, month_codes: np.ndarray, limit: int,
    vocabulary: np.ndarray, overlap: float = STORY_OVERLAP,
) -> list[np.ndarray]:
    """Per walk, per entry (month[i], term[i]), the term that leads its story in that month's ranking.

    A big event fills a month's ranking with its words ("centenary", "birth", "festival"), pushing
    a second event out of sight. Walking down each month's `limit` best-ranked entries (a walk: the
    entries to group, month by month in ranking order, `_ranked`), a term joins the first story
    above it whose lead shares enough of the month's articles with it (Jaccard index >= `overlap`)
    or is another form of the same word (`word_form_key`: "celebrating" under "celebrations"),
    else it leads a new story: a leader clustering on the articles that use each term. `uses` is
    articles x terms (non-zero = the article uses the term); `month_codes`, each article's month.
    Entries not walked (people, missing scores, beyond `limit`) lead their own story. The walks
    (one per score) share each month's articles, gathered once.
    """
    leads = [term.copy() for _ in walks]
    by_month: dict[int, list[tuple[int, np.ndarray]]] = {}
    for number, walk in enumerate(walks):
        for entries in np.split(walk, np.flatnonzero(np.diff(month[walk])) + 1):
            if len(entries) >= 2:
                by_month.setdefault(int(month[entries[0]]), []).append((number, entries[:limit]))
    article_order = np.argsort(month_codes, kind="stable")
    starts = np.searchsorted(month_codes[article_order], np.arange(month_codes.max(initial=-1) + 2))
    for code, walked in by_month.items():
        articles = uses[article_order[starts[code] : starts[code + 1]]]
        for number, entries in walked:
            using = (articles[:, term[entries]] > 0).astype(np.float64)
            both = (using.T @ using).toarray()
            alone = np.diag(both)
            close = both / (alone[:, None] + alone[None, :] - both) >= overlap  # Jaccard index of each pair of terms (symmetric)
            forms = np.array([word_form_key(text) for text in vocabulary[term[entries]]])
            close |= forms[:, None] == forms[None, :]
            leader = np.full(len(entries), -1)
            for position in range(len(entries)):  # a term no lead above it is close to leads, and takes the later terms close to it
                if leader[position] < 0:
                    leader[position] = position
                    later = position + 1 + np.flatnonzero(close[position, position + 1 :] & (leader[position + 1 :] < 0))
                    leader[later] = position
            leads[number][entries] = term[entries[leader]]
    return leads


def _ranked(month: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Entries (in month, then term order) ordered by month, then `values` descending (missing last), then term."""
    order = np.argsort(-values, kind="stable")
    return order[np.argsort(_small(month)[order], kind="stable")]


def _small(codes: np.ndarray) -> np.ndarray:
    """Non-negative integer codes in the smallest integer type (a stable sort of 16-bit keys is a radix sort)."""
    return codes.astype(np.min_scalar_type(int(codes.max(initial=0))), copy=False)


def monthly_keywords(
    articles: pd.DataFrame,
    min_docs: int = MIN_DOCS,
    max_terms: int = MAX_TERMS_PER_MONTH,
    window: int = WINDOW_MONTHS,
    actor_terms: Mapping[str, str | None] | None = None,
    term_counts: TermCounts | None = None,
    prior_scale: float = PRIOR_SCALE,
    story_overlap: float = STORY_OVERLAP,
) -> pd.DataFrame:
    """Per month, its terms with counts and two emergence scores, counted in articles.

    `articles` has article_id, date (datetime64) and text (see `pipeline.terms.term_text`);
    articles without a date are left out. `term_counts`, when given, are the texts' counts
    (one row per article, in order; then `text` is not read): an incremental build counts
    only its new articles. Returns, per period (month start) and term:
    count (occurrences), docs (articles using it), share (count / all term occurrences of the
    month), and
    - score: is the term used by more of the month's articles than of the other months'? (z of
      the log-odds ratio in articles, whole-corpus rate as prior weighing `prior_scale`: `_doc_log_odds_z`);
    - score_window: the same against the `window` calendar months before (NaN when they hold
      no article), so a term that arrives and stays scores in its arrival month;
    - window_docs: articles of that window using the term;
    - is_actor, actor_id: whether the term names a person (`actor_of_terms`, with `actor_terms`
      defaulting to the gazetteer's) and which one, if only one is meant;
    - story, story_window: the lead term of the story the term belongs to in the month's ranking by
      score, by score_window (`_story_leads` with `story_overlap`; a person, or a term beyond the
      month's max_terms/2 best, is its own story).
    A term needs `min_docs` articles in the month. Bounded table: of those, a month keeps its
    max_terms/2 most used (by docs) and, by each score, its max_terms/2 highest plain terms and people.
    Sorted by period, then score descending.
    """
    has_date = articles["date"].notna().to_numpy()
    dated = articles[has_date]
    if dated.empty:
        return _empty_keywords()
    periods = pd.DatetimeIndex(dated["date"]).to_period("M").start_time.as_unit("ns")
    month_codes, months = pd.factorize(periods, sort=True)
    if term_counts is None:
        term_counts = count_terms(dated["text"].fillna("").astype(str).tolist())
    elif not has_date.all():
        term_counts = TermCounts(term_counts.counts[has_date], term_counts.vocabulary)
    counts, vocabulary = term_counts.counts, term_counts.vocabulary
    if counts.shape[1] == 0:
        return _empty_keywords()
    uses = presence(counts)
    month_counts, month_docs = _month_sums(counts, month_codes, len(months))
    articles_per_month = np.bincount(month_codes, minlength=len(months)).astype(float)
    n_articles = articles_per_month.sum()
    term_docs = np.bincount(uses.indices, minlength=counts.shape[1]).astype(float)
    month_totals = np.asarray(month_counts.sum(axis=1)).ravel().astype(float)

    entry_months = np.repeat(np.arange(len(months)), np.diff(month_docs.indptr))
    enough = month_docs.data >= min_docs
    month, term = entry_months[enough], month_docs.indices[enough]
    count, docs = month_counts.data[enough], month_docs.data[enough].astype(float)
    n_month, rate = articles_per_month[month], term_docs[term] / n_articles
    score = np.nan_to_num(_doc_log_odds_z(docs, n_month, term_docs[term] - docs, n_articles - n_month, rate, prior_scale), nan=0.0)

    ordinals = _month_ordinal(pd.DatetimeIndex(months))
    gap = ordinals[:, None] - ordinals[None, :]
    in_window = sp.csr_matrix((gap >= 1) & (gap <= window), dtype=float)  # months x the months of their window
    window_docs = _window_docs(month_docs, ordinals, month, term, window)
    articles_in_window = (in_window @ articles_per_month)[month]
    score_window = _doc_log_odds_z(docs, n_month, window_docs, articles_in_window, rate, prior_scale)

    used = np.unique(term)
    is_actor, actor_id = actor_of_terms(vocabulary[used], gazetteer_actor_terms() if actor_terms is None else actor_terms)
    position = np.searchsorted(used, term)
    plain = ~is_actor[position]
    half = max(max_terms // 2, 1)
    by_score, by_window = _ranked(month, score), _ranked(month, score_window)
    walks = [ranked[plain[ranked] & ~np.isnan(values[ranked])] for ranked, values in ((by_score, score), (by_window, score_window))]
    story, story_window = _story_leads(walks, term, month, uses, month_codes, half, vocabulary, story_overlap)
    kept = _bounded(month, docs, by_score, by_window, plain, half)
    month, term, story, story_window, position = month[kept], term[kept], story[kept], story_window[kept], position[kept]
    table = pd.DataFrame(
        {
            "period": months[month],
            "term": pd.array(vocabulary[term], dtype="str"),
            "count": count[kept].astype("int64"),
            "docs": docs[kept].astype("int64"),
            "share": count[kept] / month_totals[month],
            "score": score[kept],
            "score_window": score_window[kept],
            "window_docs": window_docs[kept].astype("int64"),
            "is_actor": is_actor[position],
            "actor_id": pd.array(actor_id[position], dtype="str"),
            "story": pd.array(vocabulary[story], dtype="str"),
            "story_window": pd.array(vocabulary[story_window], dtype="str"),
        }
    )
    return table


def _top_per_list(ranked: np.ndarray, lists: np.ndarray, limit: int) -> np.ndarray:
    """Whether each entry is among the first `limit` entries of its list in the `ranked` order."""
    in_list = _small(lists[ranked])
    order = np.argsort(in_list, kind="stable")  # grouped by list, in ranking order within each
    grouped = in_list[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    top = np.zeros(len(ranked), dtype=bool)
    top[ranked[order[rank < limit]]] = True
    return top


def _bounded(month: np.ndarray, docs: np.ndarray, by_score: np.ndarray, by_window: np.ndarray, plain: np.ndarray, half: int) -> np.ndarray:
    """The entries a month keeps, in table order (`by_score`: month, score descending, term): its `half` most
    used terms plus, by each score (`by_score`, `by_window`: `_ranked` entries), its `half` highest plain terms
    (those `_story_leads` groups, so a listed story keeps all its terms) and people."""
    people_apart = month * 2 + plain
    keep = _top_per_list(_ranked(month, docs), month, half) | _top_per_list(by_score, people_apart, half)
    keep |= _top_per_list(by_window, people_apart, half)
    return by_score[keep[by_score]]


def rank_emerging(
    keywords: pd.DataFrame, score: str = "score", actors: bool = False, stories: bool = False, limit: int | None = None
) -> pd.DataFrame:
    """Each month's plain terms (or, with `actors`, its people) ranked by `score` ("score" or "score_window").

    Plain terms: rows that name no actor, so names never pass for subjects. People: one row per
    actor (by actor_id, else by the term itself), its best-scoring term standing for it. With
    `stories` (plain terms only), one row per story of the month (`STORY_COLUMNS`; a build older
    than stories has one story per term), its lead standing for it, and a `story_terms` column: the
    story's best STORY_TERMS_SHOWN terms, lead first, one form of each word (`word_form_key`:
    "celebrations" stands for "celebrating" too). Rows with a missing score (no preceding window)
    are left out; with `limit`, so are the rows beyond each month's first `limit` (the lists of
    stories no one shows are not made). Returns the rows with a `rank` column (1 = most emerging),
    sorted by period then rank.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")
    if score not in keywords:  # a build older than this score
        return keywords.iloc[:0].assign(rank=pd.Series(dtype="int64"))
    is_actor = keywords["is_actor"] if "is_actor" in keywords else pd.Series(False, index=keywords.index)
    rows = keywords.loc[(is_actor == actors) & keywords[score].notna()]
    rows = rows.sort_values(["period", score, "term"], ascending=[True, False, True], kind="stable")
    if actors:
        who = (rows["actor_id"] if "actor_id" in rows else pd.Series(pd.NA, index=rows.index)).fillna(rows["term"]).astype("str")
        rows = rows.assign(actor=who).drop_duplicates(["period", "actor"])
    if stories and not actors:
        column = STORY_COLUMNS[score]
        lead = rows[column].fillna(rows["term"]) if column in rows else rows["term"]
        story = rows.groupby([rows["period"], lead.astype("str")], sort=False).ngroup().to_numpy()  # numbered as first seen
        first = np.diff(np.r_[-1, np.maximum.accumulate(story)]) > 0  # a story's first row (its lead) brings a new number
        if limit is not None:
            ranked_in_month = rows.loc[first].groupby("period").cumcount().to_numpy()  # per story number
            member = (ranked_in_month < limit)[story]
            rows, first = rows.loc[member], first[member]
            story = np.unique(story[member], return_inverse=True)[1]  # numbers kept in order of first sight
        rows = rows.loc[first].assign(story_terms=_story_terms(story, rows["term"].to_numpy(dtype=object)))
    elif limit is not None:
        rows = rows.groupby("period").head(limit)
    rows = rows.assign(rank=rows.groupby("period").cumcount() + 1)
    return rows.reset_index(drop=True)


def _story_terms(story: np.ndarray, spelled: np.ndarray) -> np.ndarray:
    """Per story number (0, 1, ...: `story`, each row's, in ranking order), the tuple of its best
    STORY_TERMS_SHOWN terms (`spelled`, each row's), lead first, one form of each word."""
    words, spellings = pd.factorize(spelled)
    forms = pd.factorize(np.array([word_form_key(spelling) for spelling in spellings], dtype=object))[0][words]
    shown = ~pd.DataFrame({"story": story, "form": forms}).duplicated().to_numpy()  # a word's best form stands for its others
    shown[shown] = pd.Series(story[shown]).groupby(story[shown]).cumcount().to_numpy() < STORY_TERMS_SHOWN
    in_story_order = iter(spelled[shown][np.argsort(story[shown], kind="stable")])
    sizes = np.bincount(story[shown], minlength=int(story.max(initial=-1)) + 1)
    return pd.Series([tuple(islice(in_story_order, size)) for size in sizes], dtype=object).to_numpy()


def article_term_columns(counts: sp.csr_matrix, min_docs: int = 2, max_terms: int = 20_000) -> np.ndarray:
    """The columns (terms) `article_terms` keeps: found in at least `min_docs` articles, at most `max_terms`
    of them (the most widespread; ties alphabetical), in vocabulary order."""
    document_frequency = np.bincount(presence(counts).indices, minlength=counts.shape[1])
    ranked = np.argsort(-document_frequency, kind="stable")[:max_terms]
    return np.sort(ranked[document_frequency[ranked] >= min_docs])


def article_terms(
    articles: pd.DataFrame, min_docs: int = 2, max_terms: int = 20_000, term_counts: TermCounts | None = None, columns: np.ndarray | None = None
) -> pd.DataFrame:
    """A long article_id, term, count table over a pruned vocabulary, for comparing subsets.

    Keeps terms found in at least `min_docs` articles, at most `max_terms` of them (the most
    widespread; ties alphabetical). Summing `count` over any set of articles gives its term
    counts, ready for `log_odds_dirichlet`. `term_counts`: the texts' counts when already
    known (one row per article; then `text` is not read). `columns`: the terms to keep
    (`article_term_columns` of the whole corpus), when `articles` is one chunk of it.
    """
    if term_counts is None:
        term_counts = count_terms(articles["text"].fillna("").astype(str).tolist())
    kept = article_term_columns(term_counts.counts, min_docs, max_terms) if columns is None else columns
    return article_terms_table(pa.array(articles["article_id"].astype(str), pa.large_string()), term_counts.counts, kept,
                               pa.array(term_counts.vocabulary[kept], pa.large_string())).to_pandas()


def article_terms_table(article_ids: pa.Array, counts: sp.csr_matrix, columns: np.ndarray, terms: pa.Array) -> pa.Table:
    """`article_terms` as Arrow: the rows of `counts` (articles, `article_ids`) over its `columns`, whose terms are `terms`.

    Strings are taken from the Arrow arrays by index, never made one Python object per row: a
    build and an update write the table a chunk at a time (`pipeline.build.write_article_terms`: its
    rows, about 90 per article, would take gigabytes at a million articles).
    """
    entries = sp.csr_matrix(counts[:, columns])
    entries.sort_indices()
    rows = np.repeat(np.arange(entries.shape[0]), np.diff(entries.indptr))
    return pa.table(
        {
            "article_id": article_ids.take(pa.array(rows)),
            "term": terms.take(pa.array(entries.indices)),
            "count": pa.array(entries.data.astype(np.int64, copy=False)),
        }
    )
