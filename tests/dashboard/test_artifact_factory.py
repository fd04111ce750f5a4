"""The synthetic build is complete, valid and as documented (other tests rely on it)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import store
from tests.dashboard import artifact_factory as factory


@pytest.fixture(scope="module")
def tables(artifact_dir: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(artifact_dir / f"{name}.parquet") for name in store.TABLES}


def test_the_build_passes_the_pipelines_own_validation(artifact_dir: Path) -> None:
    assert store.validate_build(artifact_dir) == []


def test_manifest_counts_add_up(artifact_dir: Path) -> None:
    manifest = store.read_manifest(artifact_dir)
    assert manifest["read"] == manifest["ingested"] + manifest["duplicates"] + manifest["rejected"]
    assert manifest["ingested"] == 40
    assert len(store.read_jsonl(artifact_dir, store.REJECTS)) == manifest["rejected"]


def test_sizes_match_the_documentation(tables: dict[str, pd.DataFrame]) -> None:
    articles = tables["articles"]
    assert len(articles) == 40 and articles["article_id"].is_unique
    assert set(articles["source"]) == set(factory.SOURCES)
    assert len(tables["actors"]) == 5 and len(tables["topics"]) == 4
    assert articles["date"].dt.to_period("M").nunique() == 24


def test_hostile_strings_are_present(tables: dict[str, pd.DataFrame]) -> None:
    articles = tables["articles"]
    assert set(factory.HOSTILE_TITLES) <= set(articles["title"])
    assert (articles["source"] == factory.SOURCES[2]).sum() >= 13
    assert tables["sentences"]["text"].eq(factory.HOSTILE_SENTENCE).sum() == 1


def test_mentions_count_the_sentences_naming_each_actor(tables: dict[str, pd.DataFrame]) -> None:
    counted = {}
    for article_id, actor_ids in zip(tables["sentences"]["article_id"], tables["sentences"]["actor_ids"], strict=True):
        for actor_id in actor_ids:
            counted[(article_id, actor_id)] = counted.get((article_id, actor_id), 0) + 1
    mentions = tables["mentions"]
    assert dict(zip(zip(mentions["article_id"], mentions["actor_id"], strict=True), mentions["count"], strict=True)) == counted


def test_topic_weights_sum_to_one_and_one_article_has_no_topic(tables: dict[str, pd.DataFrame]) -> None:
    sums = tables["doc_topics"].groupby("article_id")["weight"].sum()
    assert sums.round(9).eq(1.0).all()
    no_topic = factory.ARTICLE_ID.format(factory.NO_TOPIC_ARTICLE)
    assert no_topic not in set(tables["doc_topics"]["article_id"])
    assert tables["articles"].set_index("article_id").loc[no_topic, "topic_id"] == -1


def test_text_is_the_sentences_joined(tables: dict[str, pd.DataFrame]) -> None:
    first = tables["articles"].iloc[0]
    sentences = tables["sentences"].loc[tables["sentences"]["article_id"] == first["article_id"], "text"]
    assert first["text"].replace("\n", " ") == " ".join(sentences)
    assert first["n_sentences"] == len(sentences)


def test_size_and_seed_change_the_build(tmp_path: Path) -> None:
    small = factory.write_artifacts(tmp_path / "small", n_articles=6, seed=1)
    other = factory.write_artifacts(tmp_path / "other", n_articles=6, seed=2)
    assert len(pd.read_parquet(small / "articles.parquet")) == 6
    assert store.read_manifest(small)["build_id"] != store.read_manifest(other)["build_id"]
