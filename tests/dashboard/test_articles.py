"""Articles: the breakdown of one article."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard import articles as view
from dashboard.data import Artifacts
from tests.dashboard.artifact_factory import ARTICLE_ID, HOSTILE_SENTENCE


@pytest.mark.parametrize("text", ["Kim Jong Un said", "Kim Jong-un said", "KIM JONG UN said", "then Kim said", "as Un said"])
def test_mention_pattern_finds_the_forms_of_a_name(text: str) -> None:
    assert view.mention_pattern(["Kim Jong Un"]).search(text)


@pytest.mark.parametrize("text", ["the UN said", "Kimchi is food", "kim said", "unsaid"])
def test_mention_pattern_ignores_lookalikes(text: str) -> None:
    assert view.mention_pattern(["Kim Jong Un"]).search(text) is None


def test_mention_pattern_prefers_the_full_name() -> None:
    assert view.mention_pattern(["Donald Trump", "Moon Jae-in"]).findall("Donald Trump met Moon Jae-in and Moon") == [
        "Donald Trump", "Moon Jae-in", "Moon"]


def test_no_names_no_pattern() -> None:
    assert view.mention_pattern([]) is None and view.mention_pattern([" "]) is None


def test_sentences_of_one_article_in_order(artifacts: Artifacts) -> None:
    sentences = view.sentences_of(artifacts.sentences, ARTICLE_ID.format(5))
    assert sentences["sentence_idx"].tolist() == list(range(len(sentences)))
    assert sentences["text"].iloc[-1] == HOSTILE_SENTENCE


def test_annotated_text_escapes_and_highlights(artifacts: Artifacts) -> None:
    sentences = view.sentences_of(artifacts.sentences, ARTICLE_ID.format(5))
    html = view.annotated_text_html(sentences, artifacts.actor_names)
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert html.count('class="pw-sentence"') == len(sentences)
    named = [artifacts.actor_names[actor_id] for ids in sentences["actor_ids"] for actor_id in ids]
    assert html.count(f'<mark class="{view.MENTION_CLASS}">') >= len(named)
    for name in named:
        assert f'<mark class="{view.MENTION_CLASS}">{name}</mark>' in html


def test_each_sentence_carries_its_tone_and_terms(artifacts: Artifacts) -> None:
    sentences = view.sentences_of(artifacts.sentences, ARTICLE_ID.format(0))
    html = view.annotated_text_html(sentences, artifacts.actor_names)
    first = sentences.iloc[0]
    assert f'title="tone {first.tone:+.2f}: {first.tone_terms}"' in html


def test_header_escapes_the_title_and_refuses_script_links(artifacts: Artifacts) -> None:
    hostile = view.article_header_html(artifacts.article(ARTICLE_ID.format(1)))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile and "<script>" not in hostile
    javascript = view.article_header_html(artifacts.article(ARTICLE_ID.format(6)))
    assert "href" not in javascript and "javascript" not in javascript
    plain = view.article_header_html(artifacts.article(ARTICLE_ID.format(0)))
    assert 'href="https://example.org/news/0"' in plain


def test_header_escapes_the_source(artifacts: Artifacts) -> None:
    html = view.article_header_html(artifacts.article(ARTICLE_ID.format(2)))
    assert "&lt;img src=x onerror=alert(1)&gt; Wire" in html and "<img" not in html


def test_topic_weights(artifacts: Artifacts) -> None:
    weights = view.topic_weights(artifacts.doc_topics, artifacts.topic_labels, ARTICLE_ID.format(5))
    assert weights.to_dict("list") == {"topic_id": [1, 2], "label": ["missile tests", "sanctions"], "weight": [0.85, 0.15]}
    assert view.topic_weights(artifacts.doc_topics, artifacts.topic_labels, ARTICLE_ID.format(7)).empty


def test_topic_weights_figure(artifacts: Artifacts) -> None:
    weights = view.topic_weights(artifacts.doc_topics, artifacts.topic_labels, ARTICLE_ID.format(5))
    fig = view.topic_weights_figure(weights)
    assert list(fig.data[0].y) == ["missile tests", "sanctions"] and list(fig.data[0].x) == [0.85, 0.15]


def test_keywords_rank_by_tf_idf(artifacts: Artifacts, artifact_dir: Path) -> None:
    terms = pd.read_parquet(artifact_dir / "article_terms.parquet")
    article_id = ARTICLE_ID.format(3)
    mine = terms[terms["article_id"] == article_id]
    docs = terms.groupby("term")["article_id"].nunique()
    expected = {row.term: row.count * math.log(40 / docs[row.term]) for row in mine.itertuples()}
    table = view.article_keywords(artifacts.article_terms, artifacts.term_docs, 40, article_id, top_n=5)
    assert len(table) == 5
    assert np.allclose(table["score"], sorted(expected.values(), reverse=True)[:5])
    assert all(expected[term] == pytest.approx(score) for term, score in zip(table["term"], table["score"], strict=True))


def test_article_leaders(artifacts: Artifacts, artifact_dir: Path) -> None:
    mentions = pd.read_parquet(artifact_dir / "mentions.parquet")
    article_id = ARTICLE_ID.format(0)
    expected = mentions[mentions["article_id"] == article_id].set_index("actor_id")["count"].to_dict()
    table = view.article_leaders(artifacts.mentions, artifacts.actor_names, article_id)
    assert dict(zip(table["actor_id"], table["mentions"], strict=True)) == expected
    assert table["mentions"].is_monotonic_decreasing


def test_framing_scores_and_cue_sentences(artifacts: Artifacts) -> None:
    article = artifacts.article(ARTICLE_ID.format(0))
    scores = view.framing_scores(article).set_index("measure")["value"]
    assert scores["pressure cues per article"] == article["frame_pressure"]
    sentences = view.sentences_of(artifacts.sentences, ARTICLE_ID.format(0))
    cues = view.framing_sentences(sentences)
    has_cue = sentences[[c for c in sentences.columns if c.startswith("frame_")]].gt(0).any(axis=1)
    assert cues["sentence"].tolist() == (sentences.loc[has_cue, "sentence_idx"] + 1).tolist()
    assert all(cue for cue in cues["cues"])
