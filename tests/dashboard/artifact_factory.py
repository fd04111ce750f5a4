"""A small, complete, synthetic artifact folder for app tests (every file of docs/artifacts.md).

Usage in a test module or fixture:

    from tests.dashboard.artifact_factory import write_artifacts, write_events
    build_dir = write_artifacts(tmp_path / "build")          # 40 articles, the defaults below
    events_csv = write_events(tmp_path / "events.csv")

or use the fixtures of tests/dashboard/conftest.py (`artifact_dir`, `artifacts`,
`events_path`, `app_test`). The folder is written with `pipeline.store.write_build`,
so it passes `store.validate_build` exactly as a real build does.

What the data looks like (all text written for these tests; deterministic):
- `n_articles` articles (default 40) on dates spread evenly from FIRST_DATE over
  24 months (2018-01 .. 2019-12), every month has at least one; source = SOURCES[i % 3];
  ids ARTICLE_ID.format(i) ("art-00000", ...); article i has 3 to 5 (`sentences_per_article`) sentences
  from TEMPLATES chosen by a seeded random generator; text = two paragraphs of them.
- HOSTILE_TITLES are the titles of articles 1..4, and SOURCES[2] is itself hostile, so
  every third article has a hostile source; article 5's text holds HOSTILE_SENTENCE;
  article 6's url is `javascript:alert(1)`; LITERAL_QUERY_TITLE (regex characters) is
  article 8's title.
- mentions: an actor's count in an article = the number of its sentences naming it.
- sentence_actors: one row per slot filled, with the span of the full name in the sentence and
  the template's tone toward that slot (`_Template.toward`), which differs from the sentence tone.
- doc_topics: the dominant topic is i % 4 with weight 0.7 (0.85 when i % 5 == 0), the
  next topic gets the rest (0.3, or 0.15 < the app's 0.2 threshold); article
  NO_TOPIC_ARTICLE has no topic (topic_id -1, no doc_topics rows).
- keywords and article_terms are counted from the texts (lowercase words, >= 3 letters).

Expectations in tests should be computed from the written Parquet files or these
constants, independently of the app's code.
"""
from __future__ import annotations

import hashlib
import io
import random
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.keywords_view import TermMatrix, read_term_matrix
from dashboard.text_store import BuildFiles, TextStore
from pipeline import search_index, store

FIRST_DATE = date(2018, 1, 2)
SPAN_DAYS = 727  # FIRST_DATE + 727 days = 2019-12-30: 24 calendar months
ARTICLE_ID = "art-{:05d}"
SOURCES = ("Demo: Harbour Times", "Demo: Ridge Post", "<img src=x onerror=alert(1)> Wire")
ACTORS = (
    ("kim-jong-un", "Kim Jong Un", "North Korea", "Supreme Leader"),
    ("donald-trump", "Donald Trump", "United States", "President"),
    ("moon-jae-in", "Moon Jae-in", "South Korea", "President"),
    ("xi-jinping", "Xi Jinping", "China", "President"),
    ("vladimir-putin", "Vladimir Putin", "Russia", "President"),
)
TOPICS = (
    (0, "summit diplomacy", ("summit", "talks", "meeting")),
    (1, "missile tests", ("missile", "launch", "test")),
    (2, "sanctions", ("sanctions", "pressure", "trade")),
    (3, "inter-korean ties", ("border", "family", "reunion")),
)
HOSTILE_TITLES = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "**bold** $x^2$ :red[alarm] <b>bold</b>",
)
HOSTILE_SENTENCE = "A reader wrote <script>alert('x')</script> under the story."
LITERAL_QUERY_TITLE = "Talks (round 2) + sanctions? [draft] a.b*c"
NO_TOPIC_ARTICLE = 7
FRAMES = ("all_at_once", "step_by_step", "engagement", "pressure")
FRAME_COLUMNS = tuple(f"frame_{frame}" for frame in FRAMES)


class _Template:
    """One sentence pattern: text with {a}/{b} actor slots, its tone and what moved it, its frame cues,
    and the tone toward the actor of each slot (sentence_actors.parquet), which differs from the sentence's."""

    def __init__(self, text: str, tone: float, tone_terms: str, frames: dict[str, float], toward: tuple[float, ...] = ()) -> None:
        self.text, self.tone, self.tone_terms, self.frames, self.toward = text, tone, tone_terms, frames, toward

    @property
    def slots(self) -> int:
        return self.text.count("{a}") + self.text.count("{b}")


TEMPLATES = (
    _Template("{a} praised the summit as a breakthrough.", 0.62, "praised +0.35; breakthrough +0.31", {"engagement": 1.0}, (0.44,)),
    _Template("{a} condemned the missile launch near the border.", -0.58, "condemned -0.40; missile launch -0.22", {"pressure": 1.0}, (-0.3,)),
    _Template("Officials from {a} and {b} discussed a step-by-step plan.", 0.12, "discussed +0.12", {"step_by_step": 1.0, "engagement": 0.5},
              (0.3, -0.1)),
    _Template("Critics demanded complete denuclearization at once.", -0.21, "demanded -0.21", {"all_at_once": 1.0}),
    _Template("New sanctions on trade remain in place.", -0.15, "sanctions -0.15", {"pressure": 1.0}),
    _Template("Talks between the delegations are expected to continue next month.", 0.08, "continue +0.08", {"engagement": 1.0}),
    _Template("{a} warned of a harsh response to further pressure.", -0.47, "warned -0.30; harsh -0.25", {"pressure": 0.5}, (-0.2,)),
    _Template("Families at the border hoped for a reunion soon.", 0.41, "hoped +0.41", {}),
)
_WORD = re.compile(r"[a-z]{3,}")
_STOPWORDS = frozenset({"the", "and", "from", "for", "are", "next", "under", "soon", "near", "remain", "between", "with"})


def _article_dates(n_articles: int) -> list[date]:
    if n_articles == 1:
        return [FIRST_DATE]
    return [FIRST_DATE + timedelta(days=round(i * SPAN_DAYS / (n_articles - 1))) for i in range(n_articles)]


def _sentence_rows(article_index: int, rng: random.Random, per_article: tuple[int, int]) -> list[dict]:
    """Between per_article[0] and per_article[1] sentences of one article, each naming distinct actors in its slots."""
    rows = []
    for sentence_idx in range(rng.randint(*per_article)):
        template = rng.choice(TEMPLATES)
        actors = rng.sample(ACTORS, template.slots)
        text = template.text.format(a=actors[0][1] if actors else "", b=actors[1][1] if len(actors) > 1 else "")
        rows.append({
            "sentence_idx": sentence_idx,
            "text": text,
            "tone": template.tone,
            "tone_terms": template.tone_terms,
            "actor_ids": sorted(actor[0] for actor in actors),
            "_toward": [(actor[0], text.index(actor[1]), text.index(actor[1]) + len(actor[1]), tone)
                        for actor, tone in zip(actors, template.toward, strict=True)],
            **{f"frame_{frame}": template.frames.get(frame, 0.0) for frame in FRAMES},
        })
    if article_index == 5:
        rows.append({"sentence_idx": len(rows), "text": HOSTILE_SENTENCE, "tone": 0.0, "tone_terms": "", "actor_ids": [], "_toward": [],
                     **{column: 0.0 for column in FRAME_COLUMNS}})
    return rows


def _axis(positive: float, negative: float) -> float:
    total = positive + negative
    return (positive - negative) / total if total else float("nan")


def _title(index: int, first_actor: str) -> str:
    if 1 <= index <= len(HOSTILE_TITLES):
        return HOSTILE_TITLES[index - 1]
    if index == 8:
        return LITERAL_QUERY_TITLE
    return f"{first_actor} and {TOPICS[index % len(TOPICS)][1]}, report {index}"


def _terms(text: str) -> Counter:
    return Counter(word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS)


def build_tables(n_articles: int = 40, seed: int = 0, sentences_per_article: tuple[int, int] = (3, 5)) -> dict[str, pd.DataFrame]:
    """Every artifact table of the synthetic build, as DataFrames (what write_artifacts writes)."""
    rng = random.Random(seed)
    dates = _article_dates(n_articles)
    articles, sentences, doc_topics, term_rows = [], [], [], []
    for index, day in enumerate(dates):
        article_id = ARTICLE_ID.format(index)
        rows = _sentence_rows(index, rng, sentences_per_article)
        half = (len(rows) + 1) // 2
        text = " ".join(row["text"] for row in rows[:half]) + "\n" + " ".join(row["text"] for row in rows[half:])
        named = [actor_id for row in rows for actor_id in row["actor_ids"]]
        first_actor = dict((a[0], a[1]) for a in ACTORS).get(named[0], "Officials") if named else "Officials"
        frames = {column: float(sum(row[column] for row in rows)) for column in FRAME_COLUMNS}
        dominant = -1 if index == NO_TOPIC_ARTICLE else index % len(TOPICS)
        if dominant >= 0:
            main_weight = 0.85 if index % 5 == 0 else 0.7
            doc_topics.append({"article_id": article_id, "topic_id": dominant, "weight": main_weight})
            doc_topics.append({"article_id": article_id, "topic_id": (dominant + 1) % len(TOPICS), "weight": round(1 - main_weight, 2)})
        articles.append({
            "article_id": article_id,
            "date": pd.Timestamp(day),
            "source": SOURCES[index % len(SOURCES)],
            "title": _title(index, first_actor),
            "subtitle": "A synthetic subtitle" if index % 2 else "",
            "url": "javascript:alert(1)" if index == 6 else ("" if index == 9 else f"https://example.org/news/{index}"),
            "text": text,
            "n_words": len(text.split()),
            "n_sentences": len(rows),
            "tone": float(np.clip(np.mean([row["tone"] for row in rows]), -1, 1)),
            **frames,
            "deal_axis": _axis(frames["frame_all_at_once"], frames["frame_step_by_step"]),
            "posture_axis": _axis(frames["frame_engagement"], frames["frame_pressure"]),
            "topic_id": dominant,
            "input": f"synthetic.jsonl:{index + 1}",
        })
        sentences.extend({"article_id": article_id, **row} for row in rows)
        term_rows.extend({"article_id": article_id, "term": term, "count": count} for term, count in sorted(_terms(text).items()))
    articles_df = pd.DataFrame(articles).astype({"date": "datetime64[ns]"})
    sentence_actors_df = pd.DataFrame(
        [(row["article_id"], row["sentence_idx"], actor_id, tone, start, end, "name")
         for row in sentences for actor_id, start, end, tone in row["_toward"]],
        columns=["article_id", "sentence_idx", "actor_id", "tone", "start", "end", "kind"],
    )
    sentences_df = pd.DataFrame(sentences).drop(columns="_toward")
    mentions_df = (
        sentences_df[["article_id", "actor_ids"]].explode("actor_ids").dropna()
        .rename(columns={"actor_ids": "actor_id"}).groupby(["article_id", "actor_id"]).size().rename("count").reset_index()
    )
    topics_df = pd.DataFrame({
        "topic_id": [topic[0] for topic in TOPICS],
        "label": [topic[1] for topic in TOPICS],
        "terms": [list(topic[2]) for topic in TOPICS],
        "n_articles": [int((articles_df["topic_id"] == topic[0]).sum()) for topic in TOPICS],
    })
    article_terms_df = pd.DataFrame(term_rows)
    return {
        "articles": articles_df,
        "sentences": sentences_df,
        "mentions": mentions_df,
        "sentence_actors": sentence_actors_df,
        "actors": pd.DataFrame(ACTORS, columns=["actor_id", "name", "country", "role"]),
        "topics": topics_df,
        "doc_topics": pd.DataFrame(doc_topics),
        "keywords": _keywords(articles_df, article_terms_df),
        "article_terms": article_terms_df,
    }


def _keywords(articles: pd.DataFrame, article_terms: pd.DataFrame) -> pd.DataFrame:
    """Month x term counts, document counts, share of the month's terms and a z-score of the share."""
    months = articles.set_index("article_id")["date"].dt.to_period("M").dt.start_time
    terms = article_terms.assign(period=article_terms["article_id"].map(months))
    table = terms.groupby(["period", "term"]).agg(count=("count", "sum"), docs=("article_id", "nunique")).reset_index()
    table["share"] = table["count"] / table.groupby("period")["count"].transform("sum")
    spread = table.groupby("term")["share"].agg(["mean", "std"]).fillna(0.0)
    table["score"] = (table["share"] - table["term"].map(spread["mean"])) / table["term"].map(spread["std"]).replace(0.0, 1.0)
    return table.astype({"period": "datetime64[ns]"})


def write_artifacts(dir: Path, n_articles: int = 40, seed: int = 0, sentences_per_article: tuple[int, int] = (3, 5)) -> Path:  # noqa: A002
    """Write a complete synthetic build into `dir` (replaced if it exists) and return `dir`.

    `n_articles` and `sentences_per_article` (min, max) scale it: a bench of the
    size of KCNA 2011-2012 uses 18,931 articles of 15 to 25 sentences (~1,100 characters,
    like that corpus). `seed` varies the sentences. The manifest's build_id depends on
    all three, so caches keyed on it see a different build as different.
    """
    tables = build_tables(n_articles, seed, sentences_per_article)
    n = len(tables["articles"])
    manifest = {
        "build_id": hashlib.sha256(f"factory:{n_articles}:{seed}:{sentences_per_article}".encode()).hexdigest()[:16],
        "built_at": "2020-01-01T00:00:00+00:00",
        "inputs": [{"path": "synthetic.jsonl", "bytes": 0, "sha256": ""}],
        "read": n + 1,
        "ingested": n,
        "duplicates": 0,
        "rejected": 1,
        "encodings": {},
        "parameters": {"n_topics": len(TOPICS), "random_state": seed},
        "versions": {"python": "3"},
        "timings": {},
    }
    rejects = [{"input": f"synthetic.jsonl:{n + 1}", "reason": "no text"}]
    return store.write_build(Path(dir), tables, manifest, rejects=rejects)


EVENTS = (
    ("2018-04-27", "Inter-Korean summit", "Leaders meet at the border village.", "summit"),
    ("2018-06-12", "Singapore summit", "First meeting of the two leaders.", "summit"),
    ("2019-02-28", "Hanoi summit ends early", "Talks break down without a deal.", "summit"),
    ("2019-05-04", "<script>alert(1)</script> test", "A hostile label for escaping tests.", "missile"),
)


def write_events(path: Path, rows: tuple[tuple[str, str, str, str], ...] = EVENTS) -> Path:
    """Write an events.csv (date,label,description,category) and return its path."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(list(rows), columns=["date", "label", "description", "category"]).to_csv(path, index=False)
    return Path(path)


def write_text_store(folder: Path, articles: pd.DataFrame, sentences: pd.DataFrame) -> TextStore:
    """A `TextStore` over hand-made tables (for tests of what is read from disk): `articles` needs article_id
    (title and text default to ""), `sentences` article_id (one of the articles'), sentence_idx, text and any other
    columns to read. The files are plain Parquet, not a whole build, but laid out as a build's: the sentences by
    article in the articles' order, then by sentence_idx; n_sentences counted. The store's article order is `articles`' order."""
    folder.mkdir(parents=True, exist_ok=True)
    article_of = pd.Categorical(sentences["article_id"].astype(str), categories=articles["article_id"].astype(str))
    if (article_of.codes < 0).any():
        raise ValueError("a sentence of none of the articles")
    written = articles.assign(**{column: articles.get(column, "") for column in ("title", "text", "subtitle", "url")},
                              n_sentences=np.bincount(article_of.codes, minlength=len(articles)))
    written.to_parquet(folder / "articles.parquet")
    sentences.iloc[np.lexsort((sentences["sentence_idx"].to_numpy(), article_of.codes))].reset_index(drop=True).to_parquet(
        folder / "sentences.parquet")
    pd.DataFrame({"article_id": pd.Series(dtype="str"), "term": pd.Series(dtype="str"), "count": pd.Series(dtype="int64")}).to_parquet(
        folder / "article_terms.parquet")
    pd.DataFrame({"article_id": pd.Series(dtype="str"), "sentence_idx": pd.Series(dtype="int64"), "actor_id": pd.Series(dtype="str")}).to_parquet(
        folder / "sentence_actors.parquet")
    search_index.write_search_index(folder / search_index.INDEX_FILE, [(written["title"].tolist(), written["text"].tolist())])
    return TextStore(BuildFiles(folder), pd.Index(articles["article_id"].astype(str)))


def hand_term_matrix(table: pd.DataFrame) -> TermMatrix:
    """The `TermMatrix` of a hand-made article_id, term, count table, read the way the app reads a build's
    article_terms.parquet (`read_term_matrix`); rows are the categories of a categorical `article_id`, else
    the ids in order of first appearance."""
    ids = table["article_id"]
    article_ids = ids.cat.categories if isinstance(ids.dtype, pd.CategoricalDtype) else pd.unique(ids.astype(str))
    buffer = io.BytesIO()
    table.assign(article_id=ids.astype(str)).to_parquet(buffer)
    buffer.seek(0)
    return read_term_matrix(buffer, pd.Index(article_ids, dtype="str"))


def dense_terms(matrix: TermMatrix) -> pd.DataFrame:
    """Every count of a `TermMatrix` as an articles x terms table, read from its files a chunk at a time."""
    dense = np.zeros((len(matrix.article_ids), len(matrix.terms)), dtype=np.int64)
    for first, chunk in zip(matrix.chunk_starts.tolist(), matrix.chunks(), strict=False):
        dense[:, first:first + chunk.shape[1]] = chunk.toarray()
    return pd.DataFrame(dense, index=matrix.article_ids, columns=matrix.terms)
