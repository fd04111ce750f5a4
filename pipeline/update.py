"""Incremental build: add new records to an earlier build (`python -m pipeline build ... --update`).

Only the new records are read, de-duplicated against the build's articles (`ingest(known=...)`;
only the built articles a new record could copy are fingerprinted: `_known`), analysed and
counted. The build's tables are extended as Arrow tables (no Python objects per old row);
keywords and article terms are recomputed from every article's saved term counts, because a
month's emergence score depends on the whole corpus' rates (a new article in one month moves
every month's prior): that is a sparse sum, not a recount. So the result equals a full build of
the same records, except topics: new articles get topics from the saved model
(`pipeline.topic_model`) unless the topics are refitted, on request (`refit_topics`) or once the
corpus has grown by `REFIT_GROWTH` since the last fit. As in a full build, worker processes
(forked warm from the forkserver, models loaded) analyse the new articles and then make the
keyword tables and the new update state, while this process writes the other tables, each as
one staged part that the swap only renames, and appends the new articles to the search index.
Same output folder rules, lock and atomic swap as a full build.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp

from pipeline import search_index, store
from pipeline.actors import actors_table, load_gazetteer
from pipeline.build import (
    DATA_FILES,
    PACKAGE_DIR,
    PER_ARTICLE_TABLES,
    BuildError,
    BuildFailure,
    BuildOptions,
    BuildReport,
    Progress,
    analyse_into_parts,
    article_dates,
    articles_frame,
    articles_table,
    display_path,
    library_versions,
    start_worker,
    submit_or_run,
    with_analysis,
    write_article_terms,
    write_monthly_keywords,
)
from pipeline.dedup import EXACT_DAY_WINDOW_LONG, source_key
from pipeline.engine import executor
from pipeline.ingest import Article, discover, ingest
from pipeline.state import append_counts, read_term_counts, term_tables
from pipeline.terms import TermCounts, count_terms, select_rows, term_texts
from pipeline.topic_model import assign, fit_assigner
from pipeline.topics import fit_topics

REFIT_GROWTH = 0.2
"""Topics are refitted once the build holds this fraction more articles than the fit saw."""


def update(
    inputs: Sequence[Path],
    out_dir: Path,
    options: BuildOptions = BuildOptions(),
    progress: Progress | None = None,
    refit_topics: bool = False,
) -> BuildReport:
    """Add the new records of `inputs` to the build in `out_dir`, swapping the result in atomically.

    Raises BuildError when `out_dir` holds no build made with update state (build it once
    without --update), is refused or locked (as `build`), or the inputs hold no readable record.
    """
    paths = [Path(p) for p in inputs]
    out = Path(out_dir)
    try:
        out = store.check_out_dir(out, paths)
        with store.build_lock(out):
            store.check_out_dir(out, paths)
            if not store.is_build(out) or store.validate_build(out) or not store.has_state(out):
                raise BuildError(
                    f"--update needs an earlier build in {store.display_name(out_dir)} made by this version "
                    "(with doc_terms, term_vocabulary and topic_model): build it once without --update",
                    BuildFailure.OUT_REFUSED,
                )
            if store.read_manifest(out).get("code_version") != store.code_version(PACKAGE_DIR, DATA_FILES):
                raise BuildError(
                    f"the build in {store.display_name(out_dir)} was made by another version of the pipeline (code or "
                    "lexicons changed), so its articles would not be analysed as new ones are: build it in full, without --update",
                    BuildFailure.OUT_REFUSED,
                )
            with store.staging(out) as stage, ThreadPoolExecutor(max_workers=1) as reader, _workers(options) as pool:
                return _update_locked(paths, out, stage, options, progress or (lambda stage, fraction: None), refit_topics, reader, pool)
    except store.OutDirError as error:
        failure = BuildFailure.OUT_LOCKED if isinstance(error, store.BuildLocked) else BuildFailure.OUT_REFUSED
        raise BuildError(str(error), failure) from None


def _concat(old: pa.Table, new: pd.DataFrame | pa.Table, name: str) -> pa.Table:
    return pa.concat_tables([old.select(store.SCHEMAS[name].names).cast(store.SCHEMAS[name]), store.to_arrow(name, new)])


def _update_locked(
    inputs: Sequence[Path], out: Path, stage: Path, options: BuildOptions, report: Progress, refit_topics: bool, reader: Executor,
    pool: Executor | None,
) -> BuildReport:
    """The update proper, holding the lock: every table goes into `stage` as one part, then `store.write_build` swaps them in.

    `reader` reads the build's tables while ingest, in Python, runs (Parquet reads release the GIL);
    `pool` (`_workers`) analyses the new articles and then writes the keyword tables, as a full build's
    workers do, while this process writes the other tables.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    old_manifest = store.read_manifest(out)
    old_state = reader.submit(read_term_counts, out)  # first: the keyword tables, the longest chain of work, start from it
    read = {name: reader.submit(store.read_arrow, out, name) for name in (*PER_ARTICLE_TABLES, "doc_topics")}
    old_articles = store.read_arrow(out, "articles")
    result = ingest(
        inputs, progress=lambda done, total: report("ingest", done / max(total, 1)), limits=options.gzip,
        known=_known(old_articles, inputs, options, old_manifest),
    )
    timings["ingest"] = time.perf_counter() - started
    if not result.read:
        raise BuildError("nothing to add from the inputs (no readable records)", BuildFailure.NO_RECORDS)
    rejects = [{"input": r.input, "reason": r.reason} for r in result.rejects]

    stage_start = time.perf_counter()
    chunks = [result.articles[first : first + ANALYSIS_CHUNK] for first in range(0, len(result.articles), ANALYSIS_CHUNK)]
    analysis = [
        submit_or_run(pool, analyse_into_parts, [(a.article_id, a.date, a.text, a.source) for a in chunk], stage, index)
        for index, chunk in enumerate(chunks)
    ]
    # While the workers analyse, and then write the keyword tables (on the articles as if none failed: redone when some did).
    dates = pd.concat([old_articles["date"].to_pandas(), article_dates(result.articles)], ignore_index=True)
    new_counts = count_terms(term_texts([a.title for a in result.articles], [a.text for a in result.articles]))
    old_ids, old_counts = old_state.result()
    ids, counts = old_ids + [a.article_id for a in result.articles], append_counts(old_counts, new_counts)
    corpus_tables = _corpus_tables(pool, stage, ids, dates, counts) if result.articles else []  # none when every record was a copy
    frames, failed = [], {}
    for number, future in enumerate(analysis, start=1):
        frame, chunk_failed = future.result()
        frames.append(frame)
        failed.update(chunk_failed)
        report("analyse", number / len(analysis))
    rejects += [
        {"input": a.input, "reason": f"could not be analysed ({failed[a.article_id]})"} for a in result.articles if a.article_id in failed
    ]
    is_added = np.array([a.article_id not in failed for a in result.articles], dtype=bool)
    added: list[Article] = [a for a, kept in zip(result.articles, is_added) if kept]
    run = {"read": result.read, "added": len(added), "duplicates": len(result.duplicates), "rejected": len(rejects)}
    if not added:  # nothing new (a refresh that found only copies): the build stays as it was
        return BuildReport(out_dir=out, manifest=old_manifest, rejects=rejects, added=run)
    new = with_analysis(articles_frame(added), pd.concat(frames, ignore_index=True))
    if failed:  # rare: the corpus tables are made again without those articles
        for future in corpus_tables:
            future.result()
        kept = np.r_[np.ones(len(old_ids), dtype=bool), is_added]
        new_counts = select_rows(new_counts, np.flatnonzero(is_added))
        ids, dates = old_ids + new["article_id"].tolist(), dates[kept].reset_index(drop=True)
        counts = select_rows(counts, np.flatnonzero(kept))
        corpus_tables = _corpus_tables(None, stage, ids, dates, counts)
    timings["analyse"] = time.perf_counter() - stage_start

    stage_start = time.perf_counter()
    n_articles = len(ids)
    fitted_on = int(old_manifest.get("topics_fitted_on") or 0)
    refit = refit_topics or n_articles >= (1 + REFIT_GROWTH) * fitted_on
    if refit:
        articles = _concat(old_articles, articles_table(new.assign(topic_id=-1), [a.text for a in added]), "articles").to_pandas()
        texts = term_texts(articles["title"].tolist(), articles["text"].tolist())
        model = fit_topics(
            ids, texts, n_topics=options.n_topics, random_state=options.random_state, dates=articles["date"], sources=articles["source"]
        )
        articles["topic_id"] = articles["article_id"].map(model.dominant).fillna(-1).astype("int64")
        all_articles = store.to_arrow("articles", articles)
        topics, doc_topics = model.topics, store.to_arrow("doc_topics", model.doc_topics)
        topic_model = fit_assigner(counts.counts, counts.vocabulary, ids, model.doc_topics, len(model.topics), options.random_state)
        topic_entries = {**model.manifest_entries(), "topics_fitted_on": n_articles}
    else:
        topic_model = store.read_arrow(out, "topic_model")  # written back as read: no list column through pandas
        saved = topic_model.to_pandas()
        new_doc_topics, dominant = assign(saved, new_counts.counts, new_counts.vocabulary, new["article_id"])
        new["topic_id"] = new["article_id"].map(dominant).fillna(-1).astype("int64")
        all_articles = _concat(old_articles, articles_table(new, [a.text for a in added]), "articles")
        topics = store.read_table(out, "topics")
        all_dominant = all_articles["topic_id"].to_numpy()
        topics["n_articles"] = np.bincount(all_dominant[all_dominant >= 0], minlength=len(topics))[: len(topics)].astype("int64")
        doc_topics = _concat(read["doc_topics"].result(), new_doc_topics, "doc_topics")
        kept_entries = ("topic_selection", "topic_stability", "topic_vocabulary", "topics_fitted_on")
        topic_entries = {key: old_manifest[key] for key in kept_entries if key in old_manifest}
    timings["topics"] = time.perf_counter() - stage_start

    stage_start = time.perf_counter()
    for name, table in {"articles": all_articles, "topics": topics, "doc_topics": doc_topics, "topic_model": topic_model}.items():
        store.write_part(stage, name, 0, table)
    new_texts = [([a.title for a in added], [a.text for a in added])]
    search_index.append_search_index(out / search_index.INDEX_FILE, stage / search_index.INDEX_FILE, new_texts)
    for name in PER_ARTICLE_TABLES:  # the build's rows, then the new ones (the workers' parts), as one part
        new_rows = [pq.read_table(path) for path in store.part_paths(stage, name)]
        store.remove_parts(stage, name)
        store.write_part(stage, name, 0, [read[name].result(), *new_rows])
    timings["write"] = time.perf_counter() - stage_start
    stage_start = time.perf_counter()
    for future in corpus_tables:
        future.result()
    timings["keywords_wait"] = time.perf_counter() - stage_start

    input_records = _merged_inputs(old_manifest["inputs"], inputs)
    version = store.code_version(PACKAGE_DIR, DATA_FILES)
    manifest = {
        **{key: value for key, value in old_manifest.items() if key != "schema_version"},
        "build_id": store.compute_build_id([r["sha256"] for r in input_records], options.parameters(), version),
        "code_version": version,
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "inputs": input_records,
        "read": old_manifest["read"] + result.read,
        "ingested": n_articles,
        "duplicates": old_manifest["duplicates"] + len(result.duplicates),
        "rejected": old_manifest["rejected"] + len(rejects),
        "encodings": {**old_manifest.get("encodings", {}), **result.encodings},
        "parameters": {**options.parameters(), "n_topics_chosen": int(len(topics))},
        **topic_entries,
        "versions": library_versions(),
        "updates": [*old_manifest.get("updates", []), {**run, "topics_refitted": refit}],
    }
    report("write", 0.0)
    timings["total"] = time.perf_counter() - started
    manifest["timings"] = {stage: round(seconds, 2) for stage, seconds in timings.items()}
    all_rejects = store.read_jsonl(out, store.REJECTS) + rejects
    duplicates = store.read_jsonl(out, store.DUPLICATES) + [{"input": d.input, "kept": d.kept, "kind": d.kind} for d in result.duplicates]
    # Every other table is a part in `stage` already: swapped in by renaming.
    store.write_build(out, {"actors": actors_table(load_gazetteer())}, manifest, all_rejects, duplicates, stage=stage)
    report("write", 1.0)
    return BuildReport(out_dir=out, manifest=store.read_manifest(out), rejects=rejects, added=run)


ANALYSIS_CHUNK = 400
"""New articles per analysis task (as a build's chunks)."""


@contextlib.contextmanager
def _workers(options: BuildOptions) -> Iterator[Executor | None]:
    """The update's worker processes, as a build's (`pipeline.engine`; the local engine's fork warm from its forkserver, the
    models loaded), or None with a single worker: then the work is done in this process."""
    if options.engine != "dask" and options.workers < 2:
        yield None
        return
    with executor(options.engine, options.workers, options.scheduler, start_worker, (os.getpid(), 0)) as pool:
        for _ in range(options.workers):  # started now, while ingest runs, not when the analysis is handed out
            pool.submit(os.getpid)
        yield pool


def _corpus_tables(pool: Executor | None, stage: Path, article_ids: list[str], dates: pd.Series, counts: TermCounts) -> list[Future]:
    """The keywords and article_terms tables and the update state of the articles (`dates`, `counts`: theirs, in order)
    into `stage`, by two tasks of `pool` (here and now without one)."""
    terms = pa.array(counts.vocabulary, pa.large_string())
    return [
        submit_or_run(pool, _keywords_task, stage, article_ids, dates, counts.counts, terms),
        submit_or_run(pool, _state_task, stage, article_ids, counts.counts, terms),
    ]


def _keywords_task(stage: Path, article_ids: list[str], dates: pd.Series, counts: sp.csr_matrix, terms: pa.Array) -> None:
    """Worker task: the keywords table of the articles (`counts`, over the vocabulary `terms`) into `stage`.

    The vocabulary crosses as an Arrow array: pickling 220,000 Python strings took 35 ms of the update process, per task.
    """
    write_monthly_keywords(stage, article_ids, dates, TermCounts(counts, terms.to_numpy(zero_copy_only=False)))


def _state_task(stage: Path, article_ids: list[str], counts: sp.csr_matrix, terms: pa.Array) -> None:
    """Worker task: the article_terms table and the update state (`state.term_tables`) of the articles into `stage`."""
    term_counts = TermCounts(counts, terms.to_numpy(zero_copy_only=False))
    write_article_terms(stage, article_ids, term_counts)
    for name, table in term_tables(article_ids, term_counts).items():
        store.write_part(stage, name, 0, table)


def _merged_inputs(old: list[dict[str, Any]], inputs: Sequence[Path]) -> list[dict[str, Any]]:
    """The build's input records, then those of the new input files (a file with the same content is listed once)."""
    seen = {record["sha256"] for record in old}
    merged = list(old)
    for path in discover(inputs):
        record = {"path": display_path(path), "bytes": path.stat().st_size, "sha256": store.file_sha256(path)}
        if record["sha256"] not in seen:
            seen.add(record["sha256"])
            merged.append(record)
    return merged


DUPLICATE_REACH = 2 * EXACT_DAY_WINDOW_LONG
"""Days between a new article and a built one that may still be copies: a record dropped as a copy of a new
article is at most EXACT_DAY_WINDOW_LONG days from it (pipeline.dedup), and a copy of a built one as close again."""
PREVIEW_SHARE = 0.05
"""Largest size of the new inputs, as a share of the build's inputs, for which `_known` reads them twice."""


def _known(
    articles: pa.Table, inputs: Sequence[Path], options: BuildOptions, manifest: dict[str, Any]
) -> list[tuple[str, str, dt.date | None, str | None]]:
    """(article_id, source, date, text) of the build's articles, as `ingest(known=...)` takes them.

    Every id stays taken, but only the articles a new record could copy (same source, within
    `DUPLICATE_REACH` days of a new article, found by a first ingest of the inputs) are given
    with their text, to be fingerprinted: fingerprinting every text was 0.26 s of adding 100 stories
    to 19,000. Reading the inputs twice costs more than it saves past `PREVIEW_SHARE`: then all are.
    """
    ids, sources = articles["article_id"].to_pylist(), articles["source"].to_pylist()
    days = articles["date"].cast(pa.date32()).to_pylist()
    new_bytes = sum(path.stat().st_size for path in discover(inputs))
    if new_bytes > PREVIEW_SHARE * sum(record["bytes"] for record in manifest["inputs"]):
        wanted = list(range(len(ids)))
    else:
        near: set[tuple[str, dt.date]] = set()
        ingest(inputs, limits=options.gzip, keep_articles=False, on_article=lambda article: near.update(
            (source_key(article.source), article.date + dt.timedelta(days=shift)) for shift in range(-DUPLICATE_REACH, DUPLICATE_REACH + 1)
        ))
        wanted = [row for row, (source, day) in enumerate(zip(sources, days)) if (source_key(source), day) in near]
    known: list[tuple[str, str, dt.date | None, str | None]] = [
        (article_id, source, None, None) for article_id, source in zip(ids, sources)
    ]
    for row, text in zip(wanted, articles["text"].take(pa.array(wanted, pa.int64())).to_pylist()):
        known[row] = (ids[row], sources[row], days[row], text)
    return known
