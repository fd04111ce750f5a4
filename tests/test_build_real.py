"""End to end on real corpora: the seed editorial and KCNA 2024 build into valid artifacts."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import search_index, store

SEED_ACTORS = {"kim-jong-un", "vladimir-putin", "donald-trump", "moon-jae-in", "xi-jinping"}


def _seed_id(build: Path) -> str:
    articles = store.read_table(build, "articles")
    seed = articles[articles["source"] == "The Korea Herald"]
    assert len(seed) == 1
    return seed["article_id"].iloc[0]


def test_build_is_valid_and_accounted(real_build: Path) -> None:
    assert store.validate_build(real_build) == []
    manifest = store.read_manifest(real_build)
    assert manifest["read"] == manifest["ingested"] + manifest["duplicates"] + manifest["rejected"]
    articles = store.read_table(real_build, "articles")
    assert len(articles) == manifest["ingested"]
    assert articles["article_id"].is_unique
    assert articles["tone"].between(-1, 1).all()


def test_seed_editorial_actors_and_gloomy_tone(real_build: Path) -> None:
    seed_id = _seed_id(real_build)
    mentions = store.read_table(real_build, "mentions")
    assert set(mentions.loc[mentions["article_id"] == seed_id, "actor_id"]) == SEED_ACTORS
    article = store.read_table(real_build, "articles").set_index("article_id").loc[seed_id]
    assert article["date"] == pd.Timestamp("2019-04-28")
    # The editorial's outlook is gloomy; whole-text VADER calls it +0.51.
    assert article["tone"] < 0.1


def test_sentence_actor_ids_agree_with_mention_counts(real_build: Path) -> None:
    sentences = store.read_table(real_build, "sentences")
    mentions = store.read_table(real_build, "mentions")
    per_sentence = sentences.explode("actor_ids").dropna(subset=["actor_ids"])
    sentence_pairs = set(zip(per_sentence["article_id"], per_sentence["actor_ids"]))
    assert sentence_pairs == set(zip(mentions["article_id"], mentions["actor_id"]))
    assert (mentions["count"] >= 1).all()


def test_every_article_has_sentences_and_topics_cover_articles(real_build: Path) -> None:
    articles = store.read_table(real_build, "articles")
    sentences = store.read_table(real_build, "sentences")
    assert set(sentences["article_id"]) == set(articles["article_id"])
    counts = sentences.groupby("article_id").size()
    assert (articles.set_index("article_id")["n_sentences"].reindex(counts.index) == counts).all()
    topics = store.read_table(real_build, "topics")
    assert len(topics) >= 2
    assert set(articles["topic_id"]) <= set(topics["topic_id"]) | {-1}
    assert (articles["topic_id"] != -1).mean() > 0.9


def test_the_search_index_finds_what_the_rule_finds_in_the_articles_table(real_build: Path) -> None:
    """Built in a worker from the staged texts, the index's rows are the articles table's rows."""
    articles = store.read_table(real_build, "articles", ["title", "text"])
    index = search_index.SearchIndex(real_build / search_index.INDEX_FILE)
    for query in ("Kim Jong Un", "flood*", "Putin", "the party", "summit", "korea"):
        expected = [row for row, (title, text) in enumerate(zip(articles["title"], articles["text"], strict=True))
                    if search_index.highlight_spans(title or "", query) or search_index.highlight_spans(text, query)]
        assert index.matching_rows(query).tolist() == expected and expected, query


def test_sentences_follow_the_articles_rows_as_n_sentences_counts_them(real_build: Path) -> None:
    """The app finds an article's sentences by row (`dashboard.text_store.TextStore`): the sentences of articles.parquet's
    row r are rows sum(n_sentences[:r]) onwards of sentences.parquet, n_sentences[r] of them, in reading order."""
    articles = store.read_table(real_build, "articles", ["article_id", "n_sentences"])
    sentences = store.read_table(real_build, "sentences", ["article_id", "sentence_idx"])
    assert sentences["article_id"].tolist() == articles["article_id"].repeat(articles["n_sentences"]).tolist()
    assert (sentences.groupby("article_id", sort=False)["sentence_idx"].diff().dropna() > 0).all()
