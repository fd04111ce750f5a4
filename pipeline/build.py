"""Orchestrate a build: ingest, per-article analysis (in parallel), corpus models, store.

Per-article stages (sentences, actors, tone, framing) are independent, so they run in
worker processes over chunks of articles; corpus-level stages (topics, keywords) need
all articles and run in the parent.

A build only ever replaces a folder that is absent, empty or an earlier build, one
build at a time per folder (`store.check_out_dir`, `store.build_lock`); its workers die
with it, even when it is killed with SIGKILL.
"""
from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime as dt
import enum
import os
import platform
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, overload

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline import memory, search_index, store
from pipeline.engine import Engine, executor
from pipeline.actors import DEFAULT_ACTORS_PATH, ActorMatcher, actors_table, load_gazetteer
from pipeline.framing import DEFAULT_FRAMING_PATH, SENTENCE_COLUMNS, FramingScorer, framing_axes, paragraph_openings
from pipeline.ingest import Article, GzipLimits, IngestResult, discover, ingest
from pipeline.keywords import article_term_columns, article_terms_table, monthly_keywords
from pipeline.stance import MENTIONS_COLUMN, mention_rows, split_sentence_actors
from pipeline.state import stack_staged_counts, term_counts_of, term_tables
from pipeline.terms import STOPWORDS_PATH, LazyTermTexts, TermCounts, count_term_texts, select_rows
from pipeline.text import split_sentences
from pipeline.tone import DEFAULT_LEXICON_PATH, ToneScorer, article_tone
from pipeline.topic_model import fit_assigner
from pipeline.topics import TOPIC_STOPLIST_PATH, TopicModel, fit_topics

Progress = Callable[[str, float], None]
"""progress(stage, fraction done in 0..1); the CLI draws a bar, the app a st.progress."""

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_FILES = (DEFAULT_ACTORS_PATH, DEFAULT_LEXICON_PATH, DEFAULT_FRAMING_PATH, STOPWORDS_PATH, TOPIC_STOPLIST_PATH)
TONE_TERMS_SHOWN = 4
_CHUNK_SIZE = 400
_COUNT_CHUNK_SIZE = 5 * _CHUNK_SIZE  # texts per staging task, whole chunks (their parts are numbered by chunk): larger parts repeat fewer terms across vocabularies
_STAGING_AHEAD = 4
"""Staging tasks submitted and not yet done, at most: each holds its texts in the build process until a worker
has staged them, and ingest (with the priority, `WORKER_NICENESS`) reads faster than the workers stage and analyse."""


class BuildFailure(enum.StrEnum):
    """Why a build failed, for callers that word it their own way (the app does not speak of --out)."""

    OUT_REFUSED = "out_refused"
    """The output folder holds other things or an input (store.check_out_dir)."""
    OUT_LOCKED = "out_locked"
    """Another build is writing the output folder."""
    NO_RECORDS = "no_records"
    """The inputs held no readable record."""
    ALL_REJECTED = "all_rejected"
    """Every record was rejected; `BuildError.rejects` lists them."""
    TOO_MANY_ARTICLES = "too_many_articles"
    """More articles than the caller's `max_articles`."""


class BuildError(Exception):
    """Nothing could be built; the message is the one-line reason shown to the user.

    Raised too when the output folder is refused or locked by another build; `failure`
    says which case it is. When every record was rejected, `rejects` lists them (the app
    shows them; the CLI names the file).
    """

    def __init__(self, message: str, failure: BuildFailure, rejects: Sequence[Mapping[str, str]] = ()) -> None:
        super().__init__(message)
        self.failure = failure
        self.rejects = list(rejects)


@dataclass(frozen=True)
class BuildOptions:
    """Knobs of a build; all of them go into the build id."""

    n_topics: int | None = None
    random_state: int = 0
    workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    gzip: GzipLimits = GzipLimits()
    engine: Engine = "local"
    """Where per-chunk work runs (pipeline.engine); the artifacts are the same."""
    scheduler: str | None = None
    """With the dask engine: tcp://HOST:PORT of a running scheduler (else a local cluster)."""

    def parameters(self) -> dict[str, Any]:
        """Parameters that change the artifacts (worker count and engine do not)."""
        return {"n_topics": self.n_topics, "random_state": self.random_state}


@dataclass
class BuildReport:
    """What a build did, for the CLI summary and the app's upload report."""

    out_dir: Path
    manifest: dict[str, Any]
    rejects: list[dict[str, str]]
    added: dict[str, int] | None = None
    """For an update (pipeline.update): this run's read, added, duplicates and rejected; the manifest counts the whole build."""


# --- per-article analysis (runs in worker processes) -------------------------------

_worker_models: tuple[tuple[tuple[int, int], ...], tuple[ActorMatcher, ToneScorer, FramingScorer]] | None = None


def _models() -> tuple[ActorMatcher, ToneScorer, FramingScorer]:
    """The analysis models, loaded once per process: the local engine's forkserver loads them before it
    forks the workers (`pipeline.preload`). Loaded again when a data file changed since, as it may while
    an app's forkserver lives (the files' modification times and sizes are the version)."""
    global _worker_models
    version = tuple((stat.st_mtime_ns, stat.st_size) for stat in map(os.stat, DATA_FILES))
    if _worker_models is None or _worker_models[0] != version:
        _worker_models = (version, (ActorMatcher(load_gazetteer()), ToneScorer(), FramingScorer()))
    return _worker_models[1]


def _format_tone_terms(explanation: Sequence[tuple[str, float]]) -> str:
    return "; ".join(f"{term} {weight:+.2f}" for term, weight in explanation[:TONE_TERMS_SHOWN])


def analyse_articles(items: Sequence[tuple]) -> tuple[dict[str, list], dict[str, list], dict[str, list]]:
    """Sentences, mentions and article aggregates for (article_id, date, text[, source]) items.

    The source lets the matcher read "the President" as the writer's own president.

    Returns three column dictionaries (sentences, mentions, article aggregates) so
    they cross the process boundary cheaply and concatenate into DataFrames. Framing
    scores the whole chunk's sentences in one call (its per-call overhead is larger than
    the per-sentence work on short articles). Tone is read article by article, right after
    the tone toward its people, so one cached analysis serves both and the terms: read for
    the whole chunk, a chunk of long transcripts (117k sentences for 383 White House
    stories) had pushed its first sentences out of the cache, and each was analysed again.
    """
    matcher, tone, framing = _models()
    sentences: dict[str, list] = {"article_id": [], "sentence_idx": [], "text": [], "actor_ids": [], MENTIONS_COLUMN: [], "tone": [], "tone_terms": []}
    mentions: dict[str, list] = {"article_id": [], "actor_id": [], "count": []}
    aggregates: dict[str, list] = {"article_id": [], "n_sentences": [], "tone": []}
    opens_paragraph: list[bool] = []  # framing's context: the sentence before, in the same paragraph
    for article_id, date, text, *source in items:
        parts = split_sentences(text)
        opens_paragraph.extend(paragraph_openings(text, parts))
        counts: dict[str, int] = {}
        for idx, (sentence, found) in enumerate(zip(parts, matcher.match_article_spans(parts, date, source[0] if source else None))):
            actors = [mention.actor_id for mention in found]
            sentences[MENTIONS_COLUMN].append(mention_rows(sentence, found, tone))
            sentences["article_id"].append(article_id)
            sentences["sentence_idx"].append(idx)
            sentences["text"].append(sentence)
            sentences["actor_ids"].append(sorted(set(actors)))
            for actor in actors:
                counts[actor] = counts.get(actor, 0) + 1
        for actor, count in sorted(counts.items()):
            mentions["article_id"].append(article_id)
            mentions["actor_id"].append(actor)
            mentions["count"].append(count)
        tones = tone.score_many(parts)
        sentences["tone"].extend(tones)
        sentences["tone_terms"].extend(_format_tone_terms(tone.explain(sentence)) if score else "" for sentence, score in zip(parts, tones))
        aggregates["article_id"].append(article_id)
        aggregates["n_sentences"].append(len(parts))
        aggregates["tone"].append(article_tone(tones))
    frames = framing.score_in_context(sentences["text"], sentences["actor_ids"], opens_paragraph)
    for column in SENTENCE_COLUMNS:
        sentences[column] = frames[column].astype(float).tolist()
    return sentences, mentions, aggregates


MMAP_THRESHOLD = 1 << 20
"""Bytes from which glibc's malloc maps a block of its own, handed back to the system when freed (`return_freed_memory`)."""


def return_freed_memory() -> None:
    """`memory.return_freed_memory` at MMAP_THRESHOLD: the CLI and the build's workers call it (the app sets its own).

    The arrays a stage frees (a chunk's counts, the keyword blocks) then go back to the system
    instead of staying in heaps the next stage only partly reuses."""
    memory.return_freed_memory(MMAP_THRESHOLD)


WORKER_NICENESS = 10
"""How much lower than the build process the local workers run (nice): its ingest and topics are the
build's longest chain of serial work, and the workers have work to spare; 4.7% less wall time at 19k
stories, and an app that runs a build keeps its priority over the build's workers."""


def start_worker(parent_pid: int, niceness: int = WORKER_NICENESS) -> None:
    """Worker initializer: `return_freed_memory`, a lower priority (`niceness`), and `_die_with_parent`.

    An update passes 0: its longest chain of work is its workers' (the keyword tables), and niced
    they waited for any other process of the machine."""
    return_freed_memory()
    if niceness:
        os.nice(niceness)
    _die_with_parent(parent_pid)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_WATCH_SECONDS = 1.0


def _die_with_parent(parent_pid: int) -> None:
    """Worker initializer: the worker exits when the build process dies, even by SIGKILL.

    Linux delivers SIGKILL to the worker when its parent dies (prctl PR_SET_PDEATHSIG);
    a watchdog thread also exits once the parent is gone, for platforms without prctl
    and for the moment before prctl took effect.
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # no prctl here: the watchdog alone does the job
    initial_parent = os.getppid()
    if not _parent_alive(parent_pid, initial_parent):
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid, initial_parent), daemon=True, name="watch-parent").start()


def _parent_alive(parent_pid: int, initial_parent: int) -> bool:
    if os.getppid() != initial_parent:  # re-parented: the parent died
        return False
    try:
        os.kill(parent_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_parent(parent_pid: int, initial_parent: int) -> None:
    while _parent_alive(parent_pid, initial_parent):
        time.sleep(_WATCH_SECONDS)
    os._exit(1)


_Columns = tuple[dict[str, list], dict[str, list], dict[str, list]]
"""analyse_articles' result: sentences, mentions and article aggregates as column lists."""


def _merge_columns(results: Sequence[_Columns]) -> _Columns:
    """Concatenate analyse_articles results column by column (chunks, or the articles of a chunk)."""
    merged: tuple[dict[str, list], dict[str, list], dict[str, list]] = ({}, {}, {})
    for result in results:
        for position, columns in enumerate(result):
            for column, values in columns.items():
                merged[position].setdefault(column, []).extend(values)
    return merged


def _analyse_guarded(items: Sequence[tuple]) -> tuple[_Columns, dict[str, str]]:
    """analyse_articles on a chunk, and the articles it could not analyse: {article_id: "Type: message"}.

    The chunk is analysed in one go (batch scoring is what makes it fast); only when that
    raises is each article of the chunk analysed alone, so one article that breaks a
    stage is rejected and the rest of its chunk is kept.
    """
    try:
        return analyse_articles(items), {}
    except Exception:  # noqa: BLE001 - any failure is retried article by article below
        pass
    results: list[_Columns] = []
    failed: dict[str, str] = {}
    for item in items:
        try:
            results.append(analyse_articles([item]))
        except Exception as error:  # noqa: BLE001 - one article's failure must not fail the build
            failed[item[0]] = f"{type(error).__name__}: {error}"
    return _merge_columns(results), failed


PER_ARTICLE_TABLES = ("sentences", "sentence_actors", "mentions")
"""Tables the analysis writes chunk by chunk into the build's staging folder (`analyse_into_parts`)."""


def analyse_into_parts(items: Sequence[tuple], stage: Path, index: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """Analyse chunk `index` and write its rows of `PER_ARTICLE_TABLES` into `stage` (`store.write_part`).

    Returns what the articles table needs of the analysis, one row per analysed article
    (article_id, n_sentences, tone, the summed frame weights and the two axes), and the
    articles that could not be analysed ({article_id: "Type: message"}). Runs in the
    workers, so the build process never holds the sentences of the corpus.
    """
    (sentence_columns, mention_columns, aggregate_columns), failed = _analyse_guarded(items)
    if not aggregate_columns.get("article_id"):
        return pd.DataFrame({"article_id": pd.Series(dtype=str)}), failed
    sentences, sentence_actors = split_sentence_actors(pd.DataFrame(sentence_columns))
    for name, frame in (("sentences", sentences), ("sentence_actors", sentence_actors), ("mentions", pd.DataFrame(mention_columns))):
        if len(frame):
            store.write_part(stage, name, index, frame)
    per_article = pd.DataFrame(aggregate_columns).merge(article_framing(sentences), left_on="article_id", right_index=True, how="left")
    return per_article, failed


def analyse_staged(articles: Sequence[tuple[str, dt.date, str]], stage: Path, index: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """`analyse_into_parts` of chunk `index`: (article_id, date, source) of its articles, their texts read from `stage`
    (`stage_texts`), so the build process sends no text twice."""
    texts = store.read_part(stage, "article_texts", index)
    if texts["article_id"].to_pylist() != [article_id for article_id, _, _ in articles]:
        raise RuntimeError(f"the staged texts of chunk {index} are not those of its articles")
    return analyse_into_parts(
        [(article_id, date, text, source) for (article_id, date, source), text in zip(articles, texts["text"].to_pylist())], stage, index
    )


_STAGED_COUNTS = {"doc_terms": "chunk_terms", "term_vocabulary": "chunk_vocabulary"}


def stage_texts(articles: Sequence[tuple[str, str, str]], stage: Path, first_chunk: int) -> np.ndarray:
    """Stage (article_id, title, text) articles: their titles and texts into `stage` in parts of `_CHUNK_SIZE`
    (chunks `first_chunk`, ...), their term counts as part `first_chunk` (`state.stack_staged_counts` joins
    them); returns their word counts (the articles table's `n_words`).

    Runs in a worker as ingest reads on, so the build process holds no text: it keeps each
    article's short fields only and reads a text back when a topic label needs its casing.
    """
    ids = [article_id for article_id, _, _ in articles]
    titles = [title for _, title, _ in articles]
    texts = [text for _, _, text in articles]
    for offset in range(0, len(articles), _CHUNK_SIZE):
        part = pa.table({"article_id": ids[offset : offset + _CHUNK_SIZE], "title": titles[offset : offset + _CHUNK_SIZE],
                         "text": texts[offset : offset + _CHUNK_SIZE]})
        store.write_part(stage, "article_texts", first_chunk + offset // _CHUNK_SIZE, part)
    for name, table in term_tables(ids, count_term_texts(titles, texts)).items():
        store.write_part(stage, _STAGED_COUNTS[name], first_chunk, table)
    # Counted text by text: splitting a whole text column at once held every word of the chunk as a string.
    return np.fromiter((len(text.split()) for text in texts), dtype=np.int64, count=len(texts))


def index_staged_texts(stage: Path, positions: np.ndarray | None = None) -> int:
    """The search index (`pipeline.search_index`) of the staged titles and texts, in `stage`: of the articles at
    `positions` (in ingest order, ascending; every staged article when None), rows in that order; returns its rows.

    Runs in a worker beside the keyword tables, a staged part at a time.
    """
    path = stage / search_index.INDEX_FILE
    path.unlink(missing_ok=True)  # a second run (articles the analysis rejected) starts over

    def batches() -> Iterator[tuple[list[str | None], list[str]]]:
        for chunk in range(len(store.part_paths(stage, "article_texts"))):
            part = store.read_part(stage, "article_texts", chunk, columns=["title", "text"])
            if positions is not None:
                rows = positions[(positions >= chunk * _CHUNK_SIZE) & (positions < (chunk + 1) * _CHUNK_SIZE)] - chunk * _CHUNK_SIZE
                part = part.take(pa.array(rows))
            yield part["title"].to_pylist(), part["text"].to_pylist()

    return search_index.write_search_index(path, batches())


class StagedTexts(Sequence[str]):
    """The texts of the articles at `positions` (in ingest order), read back from the parts `stage_texts` wrote.

    Topics read a few dozen texts for the casing of their labels; the last `_CACHED_PARTS`
    parts read are kept, as the articles of one label are often near one another.
    """

    _CACHED_PARTS = 16

    def __init__(self, stage: Path, positions: np.ndarray) -> None:
        self._stage, self._positions = stage, positions
        self._parts: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self)))]
        chunk, row = divmod(int(self._positions[index]), _CHUNK_SIZE)
        if chunk not in self._parts:
            if len(self._parts) >= self._CACHED_PARTS:
                del self._parts[next(iter(self._parts))]
            self._parts[chunk] = store.read_part(self._stage, "article_texts", chunk, columns=["text"])["text"].to_pylist()
        return self._parts[chunk][row]


class PerArticleRun:
    """Per-article work in worker processes, fed while ingest reads and collected later.

    Articles are `add`ed as ingest keeps them: every `_COUNT_CHUNK_SIZE` articles a task stages
    their texts and counts their terms (`stage_texts`), submitted at once; the analysis
    (`_CHUNK_SIZE` a task, written into `stage` by `analyse_staged`) of staged chunks only while
    fewer chunks than workers are in flight, so the counts the parent waits for never queue
    behind the analysis; `finish` queues the rest. The build process keeps
    each article's short fields, in columns (`frame`). It then fits the corpus-level models
    (topics, keywords) while the workers analyse, so all processes are busy. Workers start
    once a second chunk begins (any size with Dask); a smaller build runs everything in the
    parent.
    """

    def __init__(self, options: BuildOptions, stage: Path) -> None:
        self._options, self._stage = options, stage
        self._unstaged: list[Article] = []  # not yet sent to `stage_texts`
        self._fields: list[pd.DataFrame] = []  # `short_fields` of the staged articles, one frame per staging task
        self._added = 0
        self._exit = contextlib.ExitStack()
        self._pool: Executor | None = None
        self._staged: list[Future] = []  # one per `stage_texts` task: the word counts of its articles
        self._oldest_pending = 0  # index in `_staged` of the oldest task not known to be done
        self._analysed: list[Future] = []  # one per chunk submitted, in chunk order

    @property
    def size(self) -> int:
        """Articles added so far."""
        return self._added

    def add(self, article: Article) -> None:
        """Take one more article (in ingest order)."""
        self._unstaged.append(article)
        self._added = added = self._added + 1
        if self._pool is None and (self._options.engine == "dask" or (self._options.workers > 1 and added == _CHUNK_SIZE + 1)):
            options = self._options
            self._pool = self._exit.enter_context(executor(options.engine, options.workers, options.scheduler, start_worker, (os.getpid(),)))
        if len(self._unstaged) == _COUNT_CHUNK_SIZE:
            self._submit_staging()
        if self._pool is not None and (added % _CHUNK_SIZE == 0 or added == _CHUNK_SIZE + 1):
            self._submit_analysis(added // _CHUNK_SIZE, in_flight=self._options.workers)

    def finish(self) -> None:
        """Every article is added: stage the last ones, then queue the analysis of every chunk behind them, so
        the workers stay busy while the parent stacks the counts (it waits only for the counts before topics)."""
        if self._unstaged:
            self._submit_staging()
        if self._pool is not None:
            self._submit_analysis(self._n_chunks())

    def run_beside(self, task: Callable[..., Any], *args: Any) -> Future:
        """`task(*args)` in a worker, queued behind the analysis (in the parent, now, without workers): after `finish`."""
        return submit_or_run(self._pool, task, *args)

    def frame(self) -> pd.DataFrame:
        """The short fields (`short_fields`) of every article added, in order (after `finish`)."""
        return pd.concat(self._fields, ignore_index=True) if self._fields else short_fields([])

    def _n_chunks(self) -> int:
        return -(-self._added // _CHUNK_SIZE)

    def _submit_staging(self) -> None:
        while len(self._staged) - self._oldest_pending >= _STAGING_AHEAD:  # ingest waits: no backlog of texts here
            self._staged[self._oldest_pending].result()
            self._oldest_pending += 1
        first_chunk = (self._added - len(self._unstaged)) // _CHUNK_SIZE
        args = ([(a.article_id, a.title, a.text) for a in self._unstaged], self._stage, first_chunk)
        self._staged.append(submit_or_run(self._pool, stage_texts, *args))
        # Held as columns, not as objects: a million articles' short fields took 0.47 GB as `Article`s.
        self._fields.append(short_fields(self._unstaged))
        self._unstaged = []

    def _chunk_items(self, index: int) -> list[tuple[str, dt.date, str]]:
        """(article_id, date, source) of the articles of chunk `index` (staged: whole chunks make a staging task)."""
        fields = self._fields[index * _CHUNK_SIZE // _COUNT_CHUNK_SIZE]
        rows = fields.iloc[index * _CHUNK_SIZE % _COUNT_CHUNK_SIZE :][:_CHUNK_SIZE]
        return list(zip(rows["article_id"], rows["date"].dt.date, rows["source"], strict=True))

    def _submit_analysis(self, complete: int, in_flight: int | None = None) -> None:
        """Submit the chunks before `complete` not yet submitted, in order, once their texts are staged; with
        `in_flight`, only while fewer are running."""
        while len(self._analysed) < complete:
            index = len(self._analysed)
            staging = index * _CHUNK_SIZE // _COUNT_CHUNK_SIZE
            if in_flight is not None and (
                staging >= len(self._staged) or not self._staged[staging].done() or sum(not future.done() for future in self._analysed) >= in_flight
            ):
                return
            self._staged[staging].result()  # its texts are staged (raises what staging raised)
            self._analysed.append(self._pool.submit(analyse_staged, self._chunk_items(index), self._stage, index))

    def word_counts(self) -> np.ndarray:
        """Each article's number of words, in order (after `finish`; waits for the staging)."""
        return np.concatenate([future.result() for future in self._staged]) if self._staged else np.zeros(0, dtype=np.int64)

    def term_counts(self) -> tuple[list[str], TermCounts]:
        """The article ids and term counts of the articles' `term_texts`, counted chunk by chunk (after `finish`)."""
        self.word_counts()  # every chunk is staged
        return stack_staged_counts(self._stage)

    def close(self) -> None:
        """Stop the workers (also on errors, so no process outlives the build)."""
        self._exit.close()

    def collect(self, progress: Progress) -> tuple[pd.DataFrame, dict[str, str]]:
        """Wait for every chunk (after `finish`); the per-article results (`analyse_staged`) and {article_id: error} of articles that failed."""
        frames: list[pd.DataFrame] = []
        failed: dict[str, str] = {}
        n_chunks = self._n_chunks()
        for index in range(n_chunks):
            if self._pool is not None:
                frame, chunk_failed = self._analysed[index].result()
            else:
                frame, chunk_failed = analyse_staged(self._chunk_items(index), self._stage, index)
            frames.append(frame)
            failed.update(chunk_failed)
            progress("analyse", (index + 1) / n_chunks)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"article_id": pd.Series(dtype=str)}), failed


def submit_or_run(pool: Executor | None, task: Callable[..., Any], *args: Any) -> Future:
    """`task(*args)` in a worker of `pool`, or here and now without workers (a future already done)."""
    if pool is not None:
        return pool.submit(task, *args)
    done: Future = Future()
    done.set_result(task(*args))
    return done


# --- assembling the build ----------------------------------------------------------


def short_fields(articles: Sequence[Article]) -> pd.DataFrame:
    """The articles table's own columns but the text and its word count, of ingested articles."""
    return pd.DataFrame(
        {
            "article_id": [a.article_id for a in articles],
            "date": article_dates(articles),
            "source": [a.source for a in articles],
            "title": [a.title for a in articles],
            "subtitle": [a.subtitle for a in articles],
            "url": [a.url for a in articles],
            "input": [a.input for a in articles],
        }
    )


def articles_frame(articles: Sequence[Article]) -> pd.DataFrame:
    """`short_fields` and each text's word count (no analysis, no topic): pipeline.update's new articles.

    The text joins at the end (`articles_table`): a frame column would be one more copy of the corpus.
    """
    # Counted text by text: splitting a whole text column at once held every word of the corpus as a string.
    return short_fields(articles).assign(n_words=np.fromiter((len(a.text.split()) for a in articles), dtype=np.int64, count=len(articles)))


def article_dates(articles: Sequence[Article]) -> pd.Series:
    """The articles' dates as the articles table holds them (datetime64[ns])."""
    return pd.Series(pd.to_datetime([a.date for a in articles]).astype("datetime64[ns]"))


def articles_table(frame: pd.DataFrame, texts: Sequence[str] | pa.Array) -> pa.Table:
    """The articles artifact: `frame` (`short_fields`, `n_words`, topics and analysis) and `texts`, row by row."""
    table = store.to_arrow("articles", frame.assign(text=""))
    return table.set_column(table.schema.get_field_index("text"), "text", pa.array(texts, type=table.schema.field("text").type))


_ARTICLE_BATCH_CHUNKS = 40  # staged text parts (of _CHUNK_SIZE articles) joined at once by `write_articles`: 16,000 rows


def write_articles(stage: Path, frame: pd.DataFrame, positions: np.ndarray) -> None:
    """The articles artifact into `stage`: `frame` (`short_fields`, `n_words`, topics and analysis) and the
    staged texts of the articles at `positions` (in ingest order, one per row of `frame`), written a few
    thousand rows at a time, so the build process never holds the corpus' texts."""
    chunk_of = positions // _CHUNK_SIZE
    n_chunks = int(chunk_of[-1]) + 1 if len(positions) else 0

    def batches() -> Iterator[pa.Table]:
        for first in range(0, max(n_chunks, 1), _ARTICLE_BATCH_CHUNKS):
            chunks = range(first, min(first + _ARTICLE_BATCH_CHUNKS, n_chunks))
            rows = np.flatnonzero((chunk_of >= first) & (chunk_of < first + _ARTICLE_BATCH_CHUNKS))
            parts = [store.read_part(stage, "article_texts", chunk) for chunk in chunks]
            staged = pa.concat_tables(parts).combine_chunks() if parts else pa.table({"article_id": pa.array([], pa.string()), "text": pa.array([], pa.large_string())})
            picked = pa.array(positions[rows] - first * _CHUNK_SIZE)
            batch = frame.iloc[rows]
            if staged["article_id"].take(picked).to_pylist() != batch["article_id"].tolist():
                raise RuntimeError(f"the staged texts of chunks {first}-{first + len(chunks) - 1} are not those of their articles")
            yield articles_table(batch, staged["text"].take(picked))

    store.write_part(stage, "articles", 0, batches())


def article_framing(sentences: pd.DataFrame) -> pd.DataFrame:
    """Per article (index article_id): its sentences' frame weights summed, and the two axes."""
    summed = sentences.groupby("article_id", sort=False)[list(SENTENCE_COLUMNS)].sum()
    return framing_axes(summed)


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries that shape the artifacts, for the manifest."""
    names = ("pandas", "numpy", "scikit-learn", "pyarrow", "vaderSentiment", "trafilatura")
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


def display_path(path: Path) -> str:
    """Paths relative to the working folder when inside it, so manifests travel."""
    resolved = path.resolve()
    try:
        return store.display_name(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return store.display_name(resolved)


_REASON_DETAIL = re.compile(r"\s*(?:[:;(]|\s'|\s\d)")


def reason_kind(reason: str) -> str:
    """The general part of a reject reason, for counting: "malformed JSON", "no date", "implausible date"."""
    match = _REASON_DETAIL.search(reason)
    return (reason[: match.start()] if match else reason) or reason


def main_reasons(rejects: Sequence[Mapping[str, str]], top: int = 3) -> str:
    """The most frequent kinds of reject reason with counts, e.g. "no date (30), malformed JSON (8)"."""
    counts = Counter(reason_kind(r["reason"]) for r in rejects)
    shown = ", ".join(f"{kind} ({count:,})" for kind, count in counts.most_common(top))
    others = len(counts) - top
    return shown + (f" and {others} other kind{'s' if others > 1 else ''}" if others > 0 else "")


def build(
    inputs: Sequence[Path],
    out_dir: Path,
    options: BuildOptions = BuildOptions(),
    progress: Progress | None = None,
    max_articles: int | None = None,
) -> BuildReport:
    """Run the whole pipeline on `inputs` and swap the artifacts into `out_dir`.

    `out_dir` must be absent, empty or an earlier build, and no input may be in it;
    otherwise, or while another build writes it, BuildError is raised before anything
    is touched. Raises BuildError (one-line reason) too when nothing could be built
    (every record rejected: their list is written beside `out_dir`, see
    `store.failed_report_path`) or when more than `max_articles` were ingested (the
    app's limit for uploads), FileNotFoundError for a missing input. Rejected records
    do not fail the build; they are reported.
    """
    paths = [Path(p) for p in inputs]
    try:
        out = store.check_out_dir(Path(out_dir), paths)
        out.parent.mkdir(parents=True, exist_ok=True)
        with store.build_lock(out):
            store.check_out_dir(out, paths)  # another process may have changed it before we held the lock
            manifest, rejects = _build_locked(paths, out, options, progress, max_articles)
    except store.OutDirError as error:
        failure = BuildFailure.OUT_LOCKED if isinstance(error, store.BuildLocked) else BuildFailure.OUT_REFUSED
        raise BuildError(str(error), failure) from None
    return BuildReport(out_dir=Path(out_dir), manifest=manifest, rejects=rejects)


def _all_rejected(out_dir: Path, read: int, rejects: Sequence[Mapping[str, str]]) -> BuildError:
    """The error for a build that kept nothing; its rejects are written beside `out_dir` first."""
    listed = store.write_failed_report(out_dir, rejects)
    return BuildError(
        f"nothing to build from the inputs ({read:,} records read, {len(rejects):,} rejected; "
        f"main reasons: {main_reasons(rejects)}; every reject is listed in {store.display_name(listed)})",
        BuildFailure.ALL_REJECTED,
        rejects,
    )


def _staged_counts(stage: Path) -> tuple[list[str], TermCounts]:
    """The article ids and term counts `_write_counts` put into `stage`."""
    return term_counts_of(store.read_part(stage, "doc_terms", 0), store.read_part(stage, "term_vocabulary", 0))


_ARTICLE_TERMS_ROWS = 50_000  # articles per part of the article_terms table (about 90 rows each)


def write_term_tables(stage: Path, dates: pd.Series) -> None:
    """Monthly keywords and article terms from the term counts in `stage` (`_write_counts`), into `stage`.

    Runs in a worker, queued behind the analysis while topics are fitted (`PerArticleRun.run_beside`); writes the article terms in
    parts of `_ARTICLE_TERMS_ROWS` articles: the whole table would be about 90 rows per article,
    7 GB in one process at 800,000 articles. `dates`: the articles' dates, in the counts' row order.
    """
    article_ids, counts = _staged_counts(stage)
    write_keyword_tables(stage, article_ids, dates, counts)


def write_keyword_tables(stage: Path, article_ids: Sequence[str], dates: pd.Series, counts: TermCounts) -> None:
    """The keywords and article_terms tables of articles (`counts`: their term counts, in order) into `stage`."""
    write_monthly_keywords(stage, article_ids, dates, counts)
    write_article_terms(stage, article_ids, counts)


def write_monthly_keywords(stage: Path, article_ids: Sequence[str], dates: pd.Series, counts: TermCounts) -> None:
    """The keywords table (`write_keyword_tables`) into `stage`: an update makes it in one worker, article terms in another."""
    articles = pd.DataFrame({"article_id": article_ids, "date": dates.to_numpy()})
    store.write_part(stage, "keywords", 0, monthly_keywords(articles, term_counts=counts))


def write_article_terms(stage: Path, article_ids: Sequence[str], counts: TermCounts) -> None:
    """The article_terms table (`write_keyword_tables`) into `stage`, in parts of `_ARTICLE_TERMS_ROWS` articles."""
    store.remove_parts(stage, "article_terms")
    columns = article_term_columns(counts.counts)
    ids, terms = pa.array(article_ids, pa.large_string()), pa.array(counts.vocabulary[columns], pa.large_string())
    for index, first in enumerate(range(0, max(len(article_ids), 1), _ARTICLE_TERMS_ROWS)):
        rows = slice(first, first + _ARTICLE_TERMS_ROWS)
        store.write_part(stage, "article_terms", index, article_terms_table(ids[rows], counts.counts[rows], columns, terms))


def write_topic_model(stage: Path, n_topics: int, random_state: int) -> None:
    """The saved topic model (`fit_assigner`) from the term counts and doc_topics in `stage`, into `stage`.

    With it `--update` gives new articles topics later (pipeline.update). Runs in a worker too.
    """
    article_ids, counts = _staged_counts(stage)
    doc_topics = store.read_part(stage, "doc_topics", 0).to_pandas()
    store.write_part(stage, "topic_model", 0, fit_assigner(counts.counts, counts.vocabulary, article_ids, doc_topics, n_topics, random_state))


def _fit_topics(articles: pd.DataFrame, texts: Sequence[str], options: BuildOptions, report: Progress, stage: Path) -> tuple[pd.DataFrame, TopicModel]:
    """The articles table with topics, and the topic model (its topics and selection), whose topics and doc_topics go to `stage`.

    Fitted on all ingested articles while the workers analyse them, and again without
    the articles the analysis rejected (rare), so no table counts an article the build
    does not hold. `articles`: their `short_fields` and `n_words`; `texts` (`StagedTexts`): theirs,
    in order; the term counts of their `term_texts` are read from `stage` (`_write_counts`), and
    freed once topics made their TF-IDF matrix.
    """
    report("topics", 0.0)
    model = fit_topics(
        articles["article_id"].tolist(), LazyTermTexts(articles["title"].array, texts), n_topics=options.n_topics,
        random_state=options.random_state, dates=articles["date"], sources=articles["source"], term_counts=_staged_counts(stage)[1],
    )
    articles = articles.assign(topic_id=articles["article_id"].map(model.dominant).fillna(-1).astype("int64"))
    store.write_part(stage, "topics", 0, model.topics)
    store.write_part(stage, "doc_topics", 0, model.doc_topics)
    report("topics", 1.0)
    # Its per-article tables are staged now; held to the end they would cost 0.4 GB at a million articles.
    return articles, dataclasses.replace(model, doc_topics=model.doc_topics.iloc[:0], dominant=model.dominant.iloc[:0])


def _write_counts(stage: Path, article_ids: Sequence[str], counts: TermCounts) -> None:
    """The update state's term counts (`term_tables`) into `stage`, where `write_term_tables` reads them."""
    for name, table in term_tables(article_ids, counts).items():
        store.write_part(stage, name, 0, table)


def _build_locked(
    inputs: Sequence[Path], out_dir: Path, options: BuildOptions, progress: Progress | None, max_articles: int | None
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The build proper, run holding the output folder's lock; returns the manifest and the rejects."""
    report = progress or (lambda stage, fraction: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    with store.staging(out_dir) as stage:
        per_article = PerArticleRun(options, stage)
        try:
            # The workers count and analyse the first articles while ingest reads on (none beyond the limit).
            result = ingest(
                inputs, progress=lambda done, total: report("ingest", done / max(total, 1)), limits=options.gzip, keep_articles=False,
                on_article=lambda article: per_article.add(article) if max_articles is None or per_article.size < max_articles else None,
            )
            timings["ingest"] = time.perf_counter() - started
            memory.trim_heap()  # duplicate detection held every long text to its end (about 1.7 KB a story), freed between live blocks
            rejects = [{"input": r.input, "reason": r.reason} for r in result.rejects]
            if not result.kept:
                if not result.read:
                    raise BuildError("nothing to build from the inputs (no readable records)", BuildFailure.NO_RECORDS)
                raise _all_rejected(out_dir, result.read, rejects)
            if max_articles is not None and result.kept > max_articles:
                raise BuildError(f"{result.kept:,} articles ingested, the limit is {max_articles:,}", BuildFailure.TOO_MANY_ARTICLES)
            stage_start = time.perf_counter()
            per_article.finish()
            kept = per_article.frame()  # the short fields of the articles, in ingest order
            positions = np.arange(len(kept))  # of the kept articles among those staged
            n_words = per_article.word_counts()
            article_ids, counts = per_article.term_counts()
            timings["count_wait"] = time.perf_counter() - stage_start
            _write_counts(stage, article_ids, counts)
            del article_ids, counts  # staged: the workers, topics and a refit read them there
            keywords = per_article.run_beside(write_term_tables, stage, kept["date"])
            indexed = per_article.run_beside(index_staged_texts, stage)
            stage_start = time.perf_counter()
            articles, model = _fit_topics(kept.assign(n_words=n_words), StagedTexts(stage, positions), options, report, stage)
            memory.trim_heap()
            timings["topics"] = time.perf_counter() - stage_start
            assigner = per_article.run_beside(write_topic_model, stage, len(model.topics), options.random_state)
            # Wall time still waited for the workers (keywords, the analysis, the topic model) after topics were done.
            stage_start = time.perf_counter()
            keywords.result()
            report("keywords", 1.0)
            timings["keywords_wait"] = time.perf_counter() - stage_start
            stage_start = time.perf_counter()
            analysed, failed = per_article.collect(report)
            timings["analyse_wait"] = time.perf_counter() - stage_start
            if not failed:  # as a worker fits the topic model
                write_articles(stage, with_analysis(articles, analysed), positions)
            assigner.result()
            indexed.result()
        finally:
            per_article.close()
        if failed:  # those articles move from ingested to rejected, and leave the corpus-level models too
            is_failed = kept["article_id"].isin(list(failed)).to_numpy()
            rejects += [
                {"input": source, "reason": f"could not be analysed ({failed[article_id]})"}
                for article_id, source in zip(kept["article_id"][is_failed], kept["input"][is_failed], strict=True)
            ]
            positions = np.flatnonzero(~is_failed)
            kept = kept.iloc[positions].reset_index(drop=True)
            if kept.empty:
                raise _all_rejected(out_dir, result.read, rejects)
            _write_counts(stage, kept["article_id"].tolist(), select_rows(_staged_counts(stage)[1], positions))
            write_term_tables(stage, kept["date"])
            articles, model = _fit_topics(kept.assign(n_words=n_words[positions]), StagedTexts(stage, positions), options, report, stage)
            write_topic_model(stage, len(model.topics), options.random_state)
            write_articles(stage, with_analysis(articles, analysed), positions)
            index_staged_texts(stage, positions)
        manifest = _manifest(inputs, options, result, kept, rejects, model)
        tables = {
            **{name: store.SCHEMAS[name].empty_table() for name in PER_ARTICLE_TABLES},  # their rows are the workers' parts
            "actors": actors_table(load_gazetteer()),
        }  # the articles and corpus tables are in the stage already (write_articles, _fit_topics, write_term_tables, write_topic_model)
        report("write", 0.0)
        timings["total"] = time.perf_counter() - started
        manifest["timings"] = {name: round(seconds, 2) for name, seconds in timings.items()}
        duplicates = [{"input": d.input, "kept": d.kept, "kind": d.kind} for d in result.duplicates]
        store.write_build(out_dir, tables, manifest, rejects, duplicates, stage=stage)
    store.failed_report_path(out_dir).unlink(missing_ok=True)  # an earlier failure's report no longer applies
    report("write", 1.0)
    return store.read_manifest(out_dir), rejects


def with_analysis(articles: pd.DataFrame, analysed: pd.DataFrame) -> pd.DataFrame:
    """The articles table with the per-article results of `PerArticleRun.collect` (frame weights 0 without sentences)."""
    articles = articles.merge(analysed, on="article_id", how="left")
    articles = articles.reindex(columns=list(dict.fromkeys([*articles.columns, "n_sentences", "tone", *SENTENCE_COLUMNS, "deal_axis", "posture_axis"])))
    articles[list(SENTENCE_COLUMNS)] = articles[list(SENTENCE_COLUMNS)].fillna(0.0)
    return articles


def _manifest(
    inputs: Sequence[Path], options: BuildOptions, result: IngestResult, kept: pd.DataFrame, rejects: Sequence[Mapping[str, str]],
    model: TopicModel,
) -> dict[str, Any]:
    """A full build's manifest, timings aside."""
    input_records = [{"path": display_path(p), "bytes": p.stat().st_size, "sha256": store.file_sha256(p)} for p in discover(inputs)]
    version = store.code_version(PACKAGE_DIR, DATA_FILES)
    return {
        "build_id": store.compute_build_id([r["sha256"] for r in input_records], options.parameters(), version),
        "code_version": version,
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "inputs": input_records,
        "read": result.read,
        "ingested": len(kept),
        "duplicates": len(result.duplicates),
        "rejected": len(rejects),
        "encodings": result.encodings,
        "parameters": {**options.parameters(), "n_topics_chosen": int(len(model.topics))},
        **model.manifest_entries(),
        "topics_fitted_on": len(kept),
        "versions": library_versions(),
    }


def expected_build_id(inputs: Sequence[Path], options: BuildOptions = BuildOptions()) -> str:
    """The build id a build of `inputs` with the current code would get (staleness checks)."""
    hashes = [store.file_sha256(p) for p in discover([Path(p) for p in inputs])]
    return store.compute_build_id(hashes, options.parameters(), store.code_version(PACKAGE_DIR, DATA_FILES))
