"""A build's state for incremental updates: every article's term counts, as Arrow tables.

`doc_terms` holds one row per article (article_id, term_idx, count: the columns of its non-zero
counts and the counts) over `term_vocabulary` (one term per column, alphabetical), so an update
counts only its new articles and rebuilds keywords and article terms from the sum, exactly as a
full build counts them. Arrow list columns map onto a CSR matrix without Python loops.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from pipeline import store
from pipeline.terms import TermCounts


def term_tables(article_ids: Sequence[str], term_counts: TermCounts) -> dict[str, pa.Table]:
    """The `doc_terms` and `term_vocabulary` tables of articles (rows of `term_counts`, in `article_ids` order)."""
    counts = sp.csr_matrix(term_counts.counts)
    counts.sort_indices()
    offsets = pa.array(counts.indptr.astype(np.int32))
    doc_terms = pa.table(
        {
            "article_id": pa.array([str(article_id) for article_id in article_ids], pa.large_string()),
            "term_idx": pa.ListArray.from_arrays(offsets, pa.array(counts.indices.astype(np.int32))),
            "count": pa.ListArray.from_arrays(offsets, pa.array(counts.data.astype(np.int32))),
        }
    )
    vocabulary = pa.table({"term": pa.array([str(term) for term in term_counts.vocabulary], pa.large_string())})
    return {"doc_terms": store.to_arrow("doc_terms", doc_terms), "term_vocabulary": store.to_arrow("term_vocabulary", vocabulary)}


def read_term_counts(build_dir: Path) -> tuple[list[str], TermCounts]:
    """A build's article ids and term counts (rows in the build's article order)."""
    doc_terms = store.read_arrow(build_dir, "doc_terms")
    vocabulary = np.asarray(store.read_arrow(build_dir, "term_vocabulary")["term"].to_pylist(), dtype=object)
    terms = doc_terms["term_idx"].combine_chunks()
    counts = doc_terms["count"].combine_chunks()
    offsets = terms.offsets.to_numpy()
    matrix = sp.csr_matrix(
        (counts.values.to_numpy().astype(np.int64), terms.values.to_numpy(), offsets - offsets[0]),
        shape=(len(doc_terms), len(vocabulary)),
    )
    return doc_terms["article_id"].to_pylist(), TermCounts(matrix, vocabulary)


def stack_counts(first: TermCounts, second: TermCounts) -> TermCounts:
    """The rows of `first` then those of `second` over the union of their vocabularies (alphabetical, as `count_terms` sorts).

    Built for a large `first` (the build) and a small `second` (the new articles): only the
    new terms are sorted in, and `first`'s columns are shifted with integer arithmetic.
    """
    old_vocabulary = np.asarray(first.vocabulary, dtype=object)
    at = np.searchsorted(old_vocabulary, second.vocabulary)
    known = (at < len(old_vocabulary)) & (old_vocabulary[np.minimum(at, max(len(old_vocabulary) - 1, 0))] == second.vocabulary) \
        if len(old_vocabulary) else np.zeros(len(second.vocabulary), dtype=bool)
    added = np.asarray(second.vocabulary, dtype=object)[~known]  # sorted, as second's vocabulary is
    vocabulary = np.insert(old_vocabulary, np.searchsorted(old_vocabulary, added), added)
    shift = np.searchsorted(added, old_vocabulary) if len(added) else np.zeros(len(old_vocabulary), dtype=np.int64)
    old = sp.csr_matrix(first.counts, dtype=np.int64)
    old_part = sp.csr_matrix((old.data, (np.arange(len(old_vocabulary)) + shift)[old.indices], old.indptr), shape=(old.shape[0], len(vocabulary)))
    new = sp.csr_matrix(second.counts, dtype=np.int64)
    columns = np.searchsorted(vocabulary, second.vocabulary)
    new_part = sp.csr_matrix((new.data, columns[new.indices], new.indptr), shape=(new.shape[0], len(vocabulary)))
    stacked = sp.vstack([old_part, new_part], format="csr")
    stacked.sort_indices()
    return TermCounts(stacked, vocabulary)
