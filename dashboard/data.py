"""Find a build's artifact folder, load it once per build, and read the optional events file.

Caching: `load_artifacts` keeps one loaded build per folder (an `st.cache_resource` keyed by
the folder) and compares the manifest's `build_id` with the build it holds: a rebuild or an
`--update` of the folder (new id) replaces the old build, which is dropped before the new one
is read, so the server never holds two builds of one folder, while every rerun and every
session of the same build share ONE read-only `Artifacts` object.
`st.cache_data` would pickle the bundle when it is stored and unpickle a fresh copy on
every access: for an 18,931-article build that is ~100 MB copied per rerun, seconds of
work on a filter change and a second resident copy per session. The price of sharing
is discipline: the frames in `Artifacts` must never be modified in place (pandas 3's
copy-on-write makes every derived frame independent, so `df = artifacts.articles[...]`
then `df["x"] = ...` is fine; `artifacts.articles["x"] = ...` is not).
Filtering happens outside the cache, per rerun (see `dashboard.filters.apply_filters`).

Memory: only compact columns are held (no article text, subtitle or URL, no sentence); texts
and sentences are read from the build's files when a page shows them (`dashboard.text_store`,
which also keeps the build readable after a rebuild is swapped into its folder). The article x
term counts are copied on first use into temporary files sorted by term and read from there
(`Artifacts.term_matrix`); sentence_actors is read to derive `named_sentences`, then dropped.
"""
from __future__ import annotations

import gc
import hashlib
import importlib
import json
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import streamlit as st

from dashboard.config import DEMO_INPUT_DIR, REPO_DIR
from dashboard.filters import FilterUniverse
from dashboard.text_store import BuildFiles, ResultCache, TextStore
from pipeline import memory, store
from pipeline.framing import DPRK_DETERRENT_COLUMN, FRAME_COLUMNS, OFF_TOPIC_COLUMN

if TYPE_CHECKING:
    from dashboard.keywords_view import TermMatrix

EVENT_COLUMNS = ("date", "label", "description", "category", "importance")
WARM_UP_THREAD = "peninsula-watch-warm-up"
"""The name of the thread `Artifacts.warm_up_later` starts."""
_WARM_UP_LOCK = threading.Lock()
RESULTS_KEPT = 64
"""Results `Artifacts.remember` keeps per build (the least recently used go first)."""
T = TypeVar("T")

MMAP_THRESHOLD = 256 * 1024
"""Bytes from which glibc's malloc maps a block of its own, handed back to the system when freed (see `_return_freed_memory`)."""


def _return_freed_memory() -> None:
    """Make the server give back the memory that a load or a rerun's temporary arrays free (`pipeline.memory`).

    With mimalloc, Arrow kept what a load or a query freed (100,000 stories: 450 MB after loading, 360 MB
    with the system allocator). With glibc's own rising threshold, once the build's large arrays had come
    and gone, every array of a rerun (0.1-8 MB at 100,000 stories) landed in heaps that fragment and are
    never returned (130-200 MB held free after the pages, at 100,000 stories); fixed at MMAP_THRESHOLD, the
    server held 45-65 MB free.
    """
    memory.return_freed_memory(MMAP_THRESHOLD)


_return_freed_memory()


class ArtifactError(Exception):
    """A folder that holds a build the app cannot use; `problems` says why, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, eq=False)
class Artifacts:
    """The compact tables of one build, typed for the app, its texts on disk, and lookups built once per load.

    Read-only (shared by all sessions, see the module docstring). Every `article_id` column
    shares one categorical dtype whose categories are the articles' ids in the row order of
    `articles` (sorted by date, then id); `source`, `actor_id` and `kind` are categoricals.
    `articles` has every column of articles.parquet but the long ones (`LEFT_ON_DISK`).
    """

    data_dir: Path
    key: str
    """`build_key` of this build, read with its tables (the folder's manifest may have changed since)."""
    manifest: dict[str, Any]
    articles: pd.DataFrame
    mentions: pd.DataFrame
    cue_sentences: pd.DataFrame
    """The sentences with a framing cue (`CUE_COLUMNS`): row (in sentences.parquet), article_id, sentence_idx, cue columns."""
    actors: pd.DataFrame
    topics: pd.DataFrame
    doc_topics: pd.DataFrame
    keywords: pd.DataFrame
    texts: TextStore
    """Article texts and sentences, queried on disk."""
    universe: FilterUniverse
    actor_names: Mapping[str, str]
    topic_labels: Mapping[int, str]
    results: ResultCache = field(default_factory=lambda: ResultCache(RESULTS_KEPT), repr=False)
    """Small results a page computes from the build and the filters alike on every rerun (`remember`)."""
    warm_up_started: threading.Event = field(default_factory=threading.Event, repr=False)
    """Set once `warm_up_later` has started this build's warm-up."""

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, kept with this build under `key` (which must name everything the result depends on
        besides the build, e.g. the filters it reads): a rerun, or another session, with the same key reuses it."""
        return self.results.get(key, compute)

    @cached_property
    def named_sentences(self) -> pd.DataFrame:
        """`leaders.sentence_mentions` of this build: one row per (sentence, leader it names), made on first use
        from sentence_actors.parquet (one row per mention, ~2 per story: read for this, not kept).

        Derived data lives on the loaded build, so it can never be filed under another build
        (a page-level cache keyed by the folder's manifest could pair a rebuild's key with the
        old tables). Two sessions asking at once may both compute it; either result is the same.
        """
        from dashboard.leaders import sentence_mentions  # the view modules import this one

        named = sentence_mentions(self.texts.sentence_actors(["sentence_idx", "tone"]))
        return named.assign(article_id=_with_dtype(named["article_id"], self.articles["article_id"].dtype))

    @cached_property
    def term_matrix(self) -> TermMatrix:
        """`keywords_view.read_term_matrix` of this build's article_terms.parquet (articles x terms), read on first
        use from the build's own file (see `text_store.BuildFiles`)."""
        from dashboard.keywords_view import read_term_matrix  # the view modules import this one

        return read_term_matrix(self.texts.files.path("article_terms"), self.articles["article_id"].cat.categories)

    @property
    def is_demo(self) -> bool:
        """Built from the project's own demo corpus (data/demo) and nothing else."""
        inputs = [item.get("path", "") if isinstance(item, dict) else str(item) for item in self.manifest.get("inputs") or []]
        demo = DEMO_INPUT_DIR.relative_to(REPO_DIR)
        return bool(inputs) and all(demo in Path(path).parents or DEMO_INPUT_DIR in Path(path).parents for path in inputs)

    def warm_up_later(self, delay_s: float) -> None:
        """`warm_up` of this build in a background thread (WARM_UP_THREAD) started `delay_s` from now, once per loaded build.

        Called at the end of every run; only the first call starts the thread. The thread is not kept
        anywhere once it has run, so nothing but the cache holds the build (a dropped build is freed).
        """
        with _WARM_UP_LOCK:
            if self.warm_up_started.is_set():
                return
            self.warm_up_started.set()
        timer = threading.Timer(delay_s, _warm_up_for_good, args=(self,))
        timer.name, timer.daemon = WARM_UP_THREAD, True
        timer.start()

    def article(self, article_id: str) -> pd.Series | None:
        """One article's row with every column of articles.parquet (the long ones read from disk), or None for an unknown id."""
        row = self.articles["article_id"].cat.categories.get_indexer([article_id])[0]
        if row < 0:
            return None
        return pd.concat([self.articles.iloc[row], pd.Series(self.texts.article_details(article_id, LEFT_ON_DISK), dtype=object)])


IN_MEMORY = ("mentions", "actors", "topics", "doc_topics", "keywords")
"""The tables read whole at load, besides the compact columns of articles."""
LEFT_ON_DISK = ("text", "subtitle", "url", "input")
"""Columns of articles.parquet not held in memory: read per article (`Artifacts.article`) or searched on disk."""
CUE_COLUMNS = (*FRAME_COLUMNS, OFF_TOPIC_COLUMN, DPRK_DETERRENT_COLUMN)
"""The framing columns of sentences.parquet whose sentences `Artifacts.cue_sentences` keeps (framing examples)."""


VIEW_MODULES = (
    "dashboard.leaders", "dashboard.tone_view", "dashboard.topics_view", "dashboard.framing_view",
    "dashboard.compare", "dashboard.keywords_view", "dashboard.articles", "dashboard.about",
)
"""The view modules of the pages after the first; `warm_up` imports them (compare and keywords_view bring scipy.sparse and sklearn)."""


def warm_up(artifacts: Artifacts, modules: Sequence[str] = VIEW_MODULES) -> None:
    """Import `modules` and make the build's derived tables, so a page opened later finds them ready.

    Meant for a background thread once the first page is out (the app starts one per build):
    a first visit must not wait for what only other pages use, and a page switch must not pay
    ~1.5 s of imports (sklearn through the keyword modules) or a derived table on its first use.
    """
    for module in modules:
        importlib.import_module(module)
    artifacts.named_sentences  # noqa: B018 (cached properties: made once, here)
    artifacts.term_matrix  # noqa: B018


def _warm_up_for_good(artifacts: Artifacts) -> None:
    """`warm_up`, then what the server now holds for good (modules, the build) is set aside from Python's cyclic
    garbage collector (`gc.freeze`), so the collection that ends every run (`common.set_page_context`) only walks
    the objects made since: about 0.3 ms instead of 45 ms at 100,000 stories.

    Each run leaves its page's module in a reference cycle (a page's functions refer to its globals), and with it
    the run's filtered tables: Python's own schedule collected these rarely, so at 100,000 stories the server grew
    by about 6 MB per rerun (50 MB over one page's 12 filter changes) between collections. The price: objects
    frozen here that later end up in a cycle are not collected until `load_artifacts` unfreezes them when the
    folder's build is replaced.
    """
    warm_up(artifacts)
    gc.collect()
    memory.trim_heap()
    gc.freeze()


def build_key(data_dir: Path) -> str | None:
    """The cache key of the build in `data_dir` (its manifest's build_id); None when there is no build.

    A manifest without a usable build_id is keyed by its content, so a rebuild still shows.
    """
    manifest_path = Path(data_dir) / store.MANIFEST
    if not manifest_path.is_file():
        return None
    raw = manifest_path.read_bytes()
    try:
        build_id = json.loads(raw).get("build_id")
    except (ValueError, AttributeError):
        build_id = None
    return str(build_id) if build_id else hashlib.sha256(raw).hexdigest()[:16]


def _unique_labels(labels: Mapping[Any, str]) -> dict[Any, str]:
    """Labels for widget options: a label shared by several keys gets the key appended."""
    counts = pd.Series(list(labels.values()), dtype=object).value_counts()
    return {key: f"{label} ({key})" if counts[label] > 1 else label for key, label in labels.items()}


def _filter_universe(articles: pd.DataFrame, mentions: pd.DataFrame, actor_names: Mapping[str, str], topic_labels: Mapping[int, str]) -> FilterUniverse:
    mention_totals = mentions.groupby("actor_id", observed=True)["count"].sum()
    leaders = sorted(mention_totals.index, key=lambda actor_id: (-mention_totals[actor_id], actor_names.get(actor_id, actor_id)))
    return FilterUniverse(
        first_date=articles["date"].min().date(),
        last_date=articles["date"].max().date(),
        leaders=_unique_labels({actor_id: actor_names.get(actor_id, actor_id) for actor_id in leaders}),
        sources=tuple(sorted(articles["source"].astype(str).unique())),
        topics=_unique_labels({topic_id: label for topic_id, label in sorted(topic_labels.items()) if topic_id >= 0}),
        article_ids=articles["article_id"].cat.categories,
    )


def _with_dtype(ids: pd.Series, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """Categorical article ids over the categories of `ids` (the same ids in the same order) as `dtype` itself:
    `queries.article_positions` then matches them by code (an equal but distinct dtype is looked up by hash)."""
    if not ids.cat.categories.equals(dtype.categories):
        raise ValueError("article ids over other categories than the build's articles")
    return pd.Categorical.from_codes(ids.cat.codes.to_numpy(), dtype=dtype)


def _narrowed(frame: pd.DataFrame, floats: bool = False) -> pd.DataFrame:
    """`frame` with its int64 columns in 32 bits when their values fit, and with `floats` its float64 ones too.

    At a million stories this takes ~40 MB off the articles, mentions and topic weights. Float columns stay 64-bit
    where the app averages, shows or compares them (tone, framing, topic weights); the framing cue weights, used
    to rank example sentences, lose nothing that matters in 32 bits.
    """
    narrowed = {}
    for column, dtype in frame.dtypes.items():
        values = frame[column]
        if dtype == "int64" and (values.empty or np.iinfo(np.int32).min <= values.min() and values.max() <= np.iinfo(np.int32).max):
            narrowed[column] = "int32"
        elif floats and dtype == "float64":
            narrowed[column] = "float32"
    return frame.astype(narrowed) if narrowed else frame


def read_artifacts(data_dir: Path) -> Artifacts:
    """Read and type the compact tables of a build, and open its texts (no Streamlit; `load_artifacts` caches it).

    Raises ArtifactError when the folder holds no usable build.
    """
    data_dir = Path(data_dir)
    try:
        files = BuildFiles(data_dir)
    except OSError:  # no folder, or a table missing: validate_build names the problem
        files = None
    folder = files.folder if files is not None else data_dir
    problems = [problem.replace(str(folder), str(data_dir)) for problem in store.validate_build(folder)]
    if problems or files is None:
        raise ArtifactError(problems or [f"{data_dir} could not be opened"])
    kept = [column for column in pq.read_schema(folder / "articles.parquet").names if column not in LEFT_ON_DISK]
    articles = store.read_table(folder, "articles", columns=kept)
    if articles.empty:
        raise ArtifactError([f"{data_dir} holds a build without articles"])
    tables = {name: store.read_table(folder, name) for name in IN_MEMORY}
    articles["date"] = pd.to_datetime(articles["date"]).dt.normalize().astype("datetime64[ns]")
    articles["source"] = articles["source"].astype("category")
    articles = articles.sort_values(["date", "article_id"], kind="stable")
    file_rows = articles.index.to_numpy()  # each article's row in articles.parquet (the search index answers in rows)
    articles = articles.reset_index(drop=True)
    # One categorical dtype for every article_id column, categories in the articles' row order:
    # isin/merge between tables work on integer codes (a pyarrow string isin is ~50x slower).
    article_id_dtype = pd.CategoricalDtype(articles["article_id"].astype(str))
    articles["article_id"] = articles["article_id"].astype(article_id_dtype)
    for name in ("mentions", "doc_topics"):
        tables[name]["article_id"] = tables[name]["article_id"].astype(article_id_dtype)
    tables["mentions"]["actor_id"] = tables["mentions"]["actor_id"].astype("category")
    tables["topics"]["terms"] = [tuple(terms) for terms in tables["topics"]["terms"]]
    tables["keywords"]["period"] = pd.to_datetime(tables["keywords"]["period"]).astype("datetime64[ns]")
    try:
        texts = TextStore(files, article_id_dtype.categories, file_rows)
    except ValueError as error:  # sentences that cannot be told apart by article: the build cannot be read right
        raise ArtifactError([f"{data_dir}: {error}"]) from error
    cues = texts.cue_sentences(CUE_COLUMNS)
    cues["article_id"] = _with_dtype(cues["article_id"], article_id_dtype)
    articles, cues = _narrowed(articles), _narrowed(cues, floats=True)
    tables["mentions"], tables["doc_topics"] = _narrowed(tables["mentions"]), _narrowed(tables["doc_topics"])
    actor_names = dict(zip(tables["actors"]["actor_id"], tables["actors"]["name"], strict=True))
    topic_labels = {int(topic_id): str(label) for topic_id, label in zip(tables["topics"]["topic_id"], tables["topics"]["label"], strict=True)}
    return Artifacts(
        data_dir=data_dir,
        key=build_key(folder) or "",
        manifest=store.read_manifest(folder),
        articles=articles,
        mentions=tables["mentions"],
        cue_sentences=cues,
        actors=tables["actors"],
        topics=tables["topics"],
        doc_topics=tables["doc_topics"],
        keywords=tables["keywords"],
        texts=texts,
        universe=_filter_universe(articles, tables["mentions"], actor_names, topic_labels),
        actor_names=actor_names,
        topic_labels=topic_labels,
    )


class _Folder:
    """The build loaded from one folder, replaced when the folder holds another (see `load_artifacts`)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.artifacts: Artifacts | None = None


@st.cache_resource(max_entries=2, show_spinner=False)
def _folder(data_dir: str) -> _Folder:
    """One entry per folder for the whole server: the app's build and the one a "Your corpus" session may be looking at."""
    return _Folder()


def load_artifacts(data_dir: str, build_id: str) -> Artifacts:
    """The build in `data_dir`, read once for the whole server while `build_id` (`build_key`) is the folder's build.

    When the folder holds another build (a rebuild, an `--update`), the one held is dropped before the new one
    is read: sessions still in a run on the old build keep it until their run ends, then it is freed. A session
    that read the folder's manifest just before a swap gets the build the folder holds now, not a second reading.
    """
    folder = _folder(data_dir)
    with folder.lock:
        held = folder.artifacts
        if held is None or held.key != build_id and held.key != build_key(Path(data_dir)):
            folder.artifacts = held = None
            gc.unfreeze()  # see _warm_up_for_good: the dropped build's objects are collectable again
            with st.spinner("Loading the artifacts…"):
                held = read_artifacts(Path(data_dir))
            memory.trim_heap()  # what the load freed between live blocks: 100-120 MB at a million stories
            folder.artifacts = held
        return held


def _line_list(lines: pd.Index) -> str:
    """CSV line numbers for a notice: at most five, then how many more."""
    shown = ", ".join(str(line) for line in lines[:5])
    return shown + (f" and {len(lines) - 5} more" if len(lines) > 5 else "")


def read_events(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Events for timeline annotations (date, label, description, category, importance), sorted by date.

    `importance` is 1 (minor) to 3 (a turning point); the timelines label the most important
    few and mark the rest. The file is optional: a missing one gives an empty table. Rows
    without a YYYY-MM-DD date or a label are dropped, and an importance that is not 1, 2 or 3
    (or missing) counts as 1; both with a notice naming the file and its lines. An unreadable
    file gives an empty table and a notice.
    """
    empty = pd.DataFrame({
        "date": pd.Series(dtype="datetime64[ns]"), **{column: pd.Series(dtype="str") for column in EVENT_COLUMNS[1:-1]},
        "importance": pd.Series(dtype="int64"),
    })
    path = Path(path)
    if not path.is_file():
        return empty, []
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except ValueError as error:  # also EmptyDataError, ParserError, UnicodeDecodeError
        return empty, [f"The events file {path.name} could not be read ({error}); the timeline shows no events."]
    if not {"date", "label"} <= set(raw.columns):
        return empty, [f"The events file {path.name} needs the columns date and label; the timeline shows no events."]
    has_importance = "importance" in raw.columns
    events = raw.reindex(columns=list(EVENT_COLUMNS), fill_value="")
    events.index = events.index + 2  # CSV line numbers (line 1 is the header)
    events["date"] = pd.to_datetime(events["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    events["label"] = events["label"].str.strip()
    bad = events["date"].isna() | events["label"].eq("")
    notices = [f"{path.name} lines {_line_list(events.index[bad])}: skipped, no YYYY-MM-DD date or no label."] if bad.any() else []
    events = events.loc[~bad]
    importance = pd.to_numeric(events["importance"].str.strip(), errors="coerce")
    unusable = ~importance.isin([1, 2, 3])
    if has_importance and unusable.any():
        notices.append(f"{path.name} lines {_line_list(events.index[unusable])}: importance is not 1, 2 or 3; counted as 1.")
    events = events.assign(importance=importance.where(~unusable, 1).astype("int64"))
    events = events.sort_values("date", kind="stable").reset_index(drop=True)
    return events.astype({column: "str" for column in EVENT_COLUMNS[1:-1]}), notices
