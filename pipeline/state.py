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
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
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
            "article_id": pa.array(article_ids, pa.large_string()),
            "term_idx": pa.ListArray.from_arrays(offsets, pa.array(counts.indices.astype(np.int32, copy=False))),
            "count": pa.ListArray.from_arrays(offsets, pa.array(counts.data.astype(np.int32, copy=False))),
        }
    )
    vocabulary = pa.table({"term": pa.array(term_counts.vocabulary, pa.large_string())})  # from the array: no Python loop
    return {"doc_terms": store.to_arrow("doc_terms", doc_terms), "term_vocabulary": store.to_arrow("term_vocabulary", vocabulary)}


def read_term_counts(build_dir: Path) -> tuple[list[str], TermCounts]:
    """A build's article ids and term counts (rows in the build's article order)."""
    return term_counts_of(store.read_arrow(build_dir, "doc_terms"), store.read_arrow(build_dir, "term_vocabulary"))


def term_counts_of(doc_terms: pa.Table, term_vocabulary: pa.Table) -> tuple[list[str], TermCounts]:
    """The article ids and term counts the `term_tables` tables hold (no Python object per count).

    The counts stay 32-bit and share the table's buffers (read-only): at a million articles
    a 64-bit copy would add a gigabyte to the worker that reads them.
    """
    vocabulary = np.asarray(term_vocabulary["term"].to_pylist(), dtype=object)
    terms = doc_terms["term_idx"].combine_chunks()
    counts = doc_terms["count"].combine_chunks()
    offsets = terms.offsets.to_numpy()
    matrix = sp.csr_matrix(
        (counts.values.to_numpy(), terms.values.to_numpy(), offsets - offsets[0]),
        shape=(len(doc_terms), len(vocabulary)),
    )
    return doc_terms["article_id"].to_pylist(), TermCounts(matrix, vocabulary)


_VOCABULARY_BATCH = 32  # chunk vocabularies merged at once while `stack_staged_counts` gathers the terms


def _stored_values(path: Path, column: str) -> int:
    """Values a Parquet file stores for list column `column` (its items, plus one marker per empty list), from its metadata."""
    metadata = pq.ParquetFile(path).metadata
    return sum(
        group.column(index).num_values
        for group in (metadata.row_group(number) for number in range(metadata.num_row_groups))
        for index in range(group.num_columns)
        if group.column(index).path_in_schema.split(".")[0] == column
    )


def stack_staged_counts(stage: Path) -> tuple[list[str], TermCounts]:
    """The article ids and term counts of the chunks a build staged (`chunk_terms`, `chunk_vocabulary` parts), in order.

    The same as `terms.stack_counts` of the chunks (rows in part order, over the union of their
    vocabularies, alphabetical), read part by part: the build process never holds every chunk's
    vocabulary (at a million articles, 500 chunks of some 46,000 terms each, 3 GB as Python
    strings) nor a 64-bit copy of the counts. Counts are 32-bit.
    """
    terms = pa.array([], pa.large_string())
    pending: list[pa.Array] = []
    vocabulary_parts = store.part_paths(stage, "chunk_vocabulary")
    for position, path in enumerate(vocabulary_parts, start=1):
        pending.append(pq.read_table(path)["term"].combine_chunks())
        if len(pending) == _VOCABULARY_BATCH or position == len(vocabulary_parts):
            terms = pc.unique(pa.concat_arrays([terms, *(part.cast(pa.large_string()) for part in pending)]))
            pending = []
    # Arrow orders UTF-8 bytes as Python orders code points: the alphabetical order stack_counts gives.
    vocabulary = terms.take(pc.sort_indices(terms)).to_numpy(zero_copy_only=False).astype(object)
    column_of = pd.Index(vocabulary, dtype=object)
    terms_parts = store.part_paths(stage, "chunk_terms")
    # Filled in place, part by part: concatenating the parts' arrays would hold the counts twice.
    room = sum(_stored_values(path, "count") for path in terms_parts)  # at least the counts' number
    index_type = np.int32 if room < 2**31 and len(vocabulary) < 2**31 else np.int64
    indices, data = np.empty(room, dtype=index_type), np.empty(room, dtype=np.int32)
    article_ids: list[str] = []
    row_lengths = []
    filled = 0
    for terms_path, vocabulary_path in zip(terms_parts, vocabulary_parts, strict=True):
        part = pq.read_table(terms_path)
        mapping = column_of.get_indexer(pq.read_table(vocabulary_path)["term"].to_numpy(zero_copy_only=False)).astype(index_type)
        term_idx, counts = part["term_idx"].combine_chunks(), part["count"].combine_chunks()
        offsets = term_idx.offsets.to_numpy()
        size = int(offsets[-1] - offsets[0])
        indices[filled : filled + size] = mapping[term_idx.values.to_numpy()[offsets[0] : offsets[-1]]]
        data[filled : filled + size] = counts.values.to_numpy()[offsets[0] : offsets[-1]]
        filled += size
        row_lengths.append(np.diff(offsets))
        article_ids += part["article_id"].to_pylist()
    lengths = np.concatenate(row_lengths) if row_lengths else np.zeros(0, dtype=np.int64)
    indptr = np.zeros(len(lengths) + 1, dtype=index_type)
    np.cumsum(lengths, out=indptr[1:])
    matrix = sp.csr_matrix((data[:filled], indices[:filled], indptr), shape=(len(lengths), len(vocabulary)))
    return article_ids, TermCounts(matrix, vocabulary)


def append_counts(old: TermCounts, new: TermCounts) -> TermCounts:
    """The rows of `old`, then those of `new`, over the union of their vocabularies: what `terms.stack_counts`
    gives (alphabetical terms, sorted columns), but without sorting the whole vocabulary again.

    An update adds a few articles' terms to a build's: only the new terms are placed, by binary
    search in the old (sorted) vocabulary, and the old columns shift past the terms inserted before
    them. Both vocabularies are sorted, as counting gives them; counts are 32-bit, as a build stacks them.
    """
    at = np.searchsorted(old.vocabulary, new.vocabulary)  # object arrays: Python's order of str, as counting sorts
    known = at < len(old.vocabulary)
    known[known] = old.vocabulary[at[known]] == new.vocabulary[known]
    inserted = at[~known]  # where each added term goes in the old vocabulary, in order
    old_column = np.arange(len(old.vocabulary)) + np.searchsorted(inserted, np.arange(len(old.vocabulary)), side="right")
    new_column = np.empty(len(new.vocabulary), dtype=np.int64)
    new_column[known] = old_column[at[known]]
    new_column[~known] = inserted + np.arange(len(inserted))
    size = len(old.vocabulary) + len(inserted)
    vocabulary = np.empty(size, dtype=object)
    vocabulary[old_column], vocabulary[new_column] = old.vocabulary, new.vocabulary
    index_type = np.int32 if size < 2**31 else np.int64
    parts = [sp.csr_matrix(old.counts), sp.csr_matrix(new.counts)]
    stacked = sp.csr_matrix(
        (
            np.concatenate([part.data.astype(np.int32, copy=False) for part in parts]),
            np.concatenate([column.astype(index_type)[part.indices] for column, part in zip((old_column, new_column), parts)]),
            np.concatenate([parts[0].indptr.astype(np.int64), parts[1].indptr[1:].astype(np.int64) + parts[0].nnz]),
        ),
        shape=(parts[0].shape[0] + parts[1].shape[0], size),
    )
    stacked.sort_indices()  # already sorted when both parts were (the columns keep their order): then only checked
    return TermCounts(stacked, vocabulary)
