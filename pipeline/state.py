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
    return term_counts_of(store.read_arrow(build_dir, "doc_terms"), store.read_arrow(build_dir, "term_vocabulary"))


def term_counts_of(doc_terms: pa.Table, term_vocabulary: pa.Table) -> tuple[list[str], TermCounts]:
    """The article ids and term counts the `term_tables` tables hold (no Python object per count)."""
    vocabulary = np.asarray(term_vocabulary["term"].to_pylist(), dtype=object)
    terms = doc_terms["term_idx"].combine_chunks()
    counts = doc_terms["count"].combine_chunks()
    offsets = terms.offsets.to_numpy()
    matrix = sp.csr_matrix(
        (counts.values.to_numpy().astype(np.int64), terms.values.to_numpy(), offsets - offsets[0]),
        shape=(len(doc_terms), len(vocabulary)),
    )
    return doc_terms["article_id"].to_pylist(), TermCounts(matrix, vocabulary)
