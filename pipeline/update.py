"""Incremental build: add new records to an earlier build (`python -m pipeline build ... --update`).

Only the new records are read, de-duplicated against the build's articles (`ingest(known=...)`),
analysed and counted. The build's tables are extended as Arrow tables (no Python objects per
old row); keywords and article terms are recomputed from every article's saved term counts,
because a month's emergence score depends on the whole corpus' rates (a new article in one
month moves every month's prior): that is a sparse sum, not a recount. So the result equals a
full build of the same records, except topics: new articles get topics from the saved model
(`pipeline.topic_model`) unless the topics are refitted, on request (`refit_topics`) or once the
corpus has grown by `REFIT_GROWTH` since the last fit. Same output folder rules, lock and atomic
swap as a full build.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline import store
from pipeline.actors import actors_table, load_gazetteer
from pipeline.build import (
    DATA_FILES,
    PACKAGE_DIR,
    BuildError,
    BuildFailure,
    BuildOptions,
    BuildReport,
    PER_ARTICLE_TABLES,
    PerArticleRun,
    Progress,
    articles_frame,
    articles_table,
    display_path,
    library_versions,
    with_analysis,
    write_keyword_tables,
)
from pipeline.ingest import Article, discover, ingest
from pipeline.dedup import EXACT_DAY_WINDOW_LONG, source_key
from pipeline.state import append_counts, read_term_counts, term_tables
from pipeline.terms import count_terms, term_texts
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
            with store.staging(out) as stage, ThreadPoolExecutor(max_workers=1) as reader:
                return _update_locked(paths, out, stage, options, progress or (lambda stage, fraction: None), refit_topics, reader)
    except store.OutDirError as error:
        failure = BuildFailure.OUT_LOCKED if isinstance(error, store.BuildLocked) else BuildFailure.OUT_REFUSED
        raise BuildError(str(error), failure) from None


def _concat(old: pa.Table, new: pd.DataFrame | pa.Table, name: str) -> pa.Table:
    return pa.concat_tables([old.select(store.SCHEMAS[name].names).cast(store.SCHEMAS[name]), store.to_arrow(name, new)])


def _update_locked(
    inputs: Sequence[Path], out: Path, stage: Path, options: BuildOptions, report: Progress, refit_topics: bool, reader: Executor
) -> BuildReport:
    """The update proper, holding the lock; the new articles' sentences, mentions and sentence actors, and the keyword tables, go to `stage`."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    old_manifest = store.read_manifest(out)
    # Read by `reader` while ingest, in Python, runs (Parquet reads release the GIL).
    read = {name: reader.submit(store.read_arrow, out, name) for name in (*PER_ARTICLE_TABLES, "doc_topics")}
    old_state = reader.submit(read_term_counts, out)
    old_articles = store.read_arrow(out, "articles")
    known = _known(old_articles, inputs, options, old_manifest)
    per_article = PerArticleRun(options, stage, count=False)
    try:
        result = ingest(
            inputs, progress=lambda done, total: report("ingest", done / max(total, 1)), limits=options.gzip, known=known,
            on_article=per_article.add,
        )
        del known
        timings["ingest"] = time.perf_counter() - started
        if not result.read:
            raise BuildError("nothing to add from the inputs (no readable records)", BuildFailure.NO_RECORDS)
        rejects = [{"input": r.input, "reason": r.reason} for r in result.rejects]
        stage_start = time.perf_counter()
        per_article.finish()
        analysed, failed = per_article.collect(report)
    finally:
        per_article.close()
    rejects += [
        {"input": a.input, "reason": f"could not be analysed ({failed[a.article_id]})"} for a in result.articles if a.article_id in failed
    ]
    added: list[Article] = [a for a in result.articles if a.article_id not in failed]
    run = {"read": result.read, "added": len(added), "duplicates": len(result.duplicates), "rejected": len(rejects)}
    if not added:  # nothing new (a refresh that found only copies): the build stays as it was
        return BuildReport(out_dir=out, manifest=old_manifest, rejects=rejects, added=run)
    new = with_analysis(articles_frame(added), analysed)
    new_texts = term_texts([a.title for a in added], [a.text for a in added])
    old_ids, old_counts = old_state.result()
    new_counts = count_terms(new_texts)
    counts = append_counts(old_counts, new_counts)
    timings["analyse"] = time.perf_counter() - stage_start

    stage_start = time.perf_counter()
    n_articles = len(old_ids) + len(new)
    fitted_on = int(old_manifest.get("topics_fitted_on") or 0)
    refit = refit_topics or n_articles >= (1 + REFIT_GROWTH) * fitted_on
    ids = old_ids + new["article_id"].tolist()
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
        saved = store.read_table(out, "topic_model")
        new_doc_topics, dominant = assign(saved, new_counts.counts, new_counts.vocabulary, new["article_id"])
        new["topic_id"] = new["article_id"].map(dominant).fillna(-1).astype("int64")
        all_articles = _concat(old_articles, articles_table(new, [a.text for a in added]), "articles")
        topics = store.read_table(out, "topics")
        all_dominant = all_articles["topic_id"].to_numpy()
        topics["n_articles"] = np.bincount(all_dominant[all_dominant >= 0], minlength=len(topics))[: len(topics)].astype("int64")
        doc_topics = _concat(read["doc_topics"].result(), new_doc_topics, "doc_topics")
        topic_model = saved
        kept_entries = ("topic_selection", "topic_stability", "topic_vocabulary", "topics_fitted_on")
        topic_entries = {key: old_manifest[key] for key in kept_entries if key in old_manifest}
    timings["topics"] = time.perf_counter() - stage_start

    stage_start = time.perf_counter()
    write_keyword_tables(stage, ids, all_articles["date"].to_pandas(), counts)
    timings["keywords"] = time.perf_counter() - stage_start

    tables: dict[str, pd.DataFrame | pa.Table] = {
        "articles": all_articles,
        **{name: read[name].result() for name in PER_ARTICLE_TABLES},  # the new rows follow: the workers' parts
        "actors": actors_table(load_gazetteer()),
        "topics": topics,
        "doc_topics": doc_topics,
        **term_tables(ids, counts),
        "topic_model": topic_model,
    }
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
    store.write_build(out, tables, manifest, all_rejects, duplicates, stage=stage)
    report("write", 1.0)
    return BuildReport(out_dir=out, manifest=store.read_manifest(out), rejects=rejects, added=run)


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


def _known(articles: pa.Table, inputs: Sequence[Path], options: BuildOptions, manifest: dict[str, Any]) -> list[tuple[str, str, dt.date | None, str | None]]:
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
    known: list[tuple[str, str, dt.date | None, str | None]] = [(article_id, source, None, None) for article_id, source in zip(ids, sources)]
    for row, text in zip(wanted, articles["text"].take(pa.array(wanted, pa.int64())).to_pylist()):
        known[row] = (ids[row], sources[row], days[row], text)
    return known
