"""Articles: the breakdown of one article."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard import articles as view
from dashboard.data import Artifacts
from dashboard.figures import contrast_ratio
from tests.dashboard.artifact_factory import ARTICLE_ID, HOSTILE_SENTENCE


def test_mark_spans_wraps_each_span_with_its_title_and_escapes_everything() -> None:
    html = view.mark_spans("<b>Kim</b> met the President", [(15, 28, 'Trump "x" <i>'), (3, 6, "Kim Jong Un")], "m")
    assert html == ('&lt;b&gt;<mark class="m" title="Kim Jong Un">Kim</mark>&lt;/b&gt; met '
                    '<mark class="m" title="Trump &#34;x&#34; &lt;i&gt;">the President</mark>')


def test_the_search_text_is_outlined_in_the_article_as_the_filter_matches_it() -> None:
    sentences = pd.DataFrame({"sentence_idx": [0, 1], "text": ["Talks (a.k.a. TALKS) resumed.", "No <talks> here?"],
                              "tone": [0.0, 0.0], "tone_terms": ["", ""]})
    html = view.annotated_text_html(sentences, pd.DataFrame(columns=["sentence_idx", "actor_id", "tone", "start", "end"]), {}, "talks")
    assert html.count(f'<mark class="{view.SEARCH_CLASS}"') == 3 and "&lt;<mark" in html  # escaped around the mark
    assert view.search_spans("a.k.a. x", "a.k") == [(0, 3, "search: a.k", view.SEARCH_CLASS)]  # the words "a" then "k"
    assert view.search_spans("Kim Jong-un, Kim Jong Unification", "kim jong un") == [(0, 11, "search: kim jong un", view.SEARCH_CLASS)]
    assert view.search_spans("anything", "") == []


def test_secondary_text_meets_aa_contrast() -> None:
    assert contrast_ratio(view.MUTED_TEXT, "#ffffff") >= 4.5


@pytest.mark.parametrize("spans", [[(5, 5, "empty")], [(-1, 3, "before")], [(10, 99, "beyond")], [(0, 4, "a"), (2, 6, "overlaps")]])
def test_mark_spans_leaves_bad_spans_unmarked(spans: list[tuple[int, int, str]]) -> None:
    html = view.mark_spans("Kim met Moon", spans, "m")
    assert html.count("<mark") == sum(1 for _, _, title in spans if title == "a")
    assert html.replace('<mark class="m" title="a">', "").replace("</mark>", "") == "Kim met Moon"


def test_article_mentions_in_reading_order_from_disk(artifacts: Artifacts, artifact_dir: Path) -> None:
    raw = pd.read_parquet(artifact_dir / "sentence_actors.parquet")
    article_id = raw["article_id"].value_counts().index[0]  # the article with most mentions
    got = artifacts.texts.mentions_of(article_id)
    assert list(got.columns) == ["sentence_idx", "actor_id", "tone", "start", "end"]
    expected = raw.loc[raw["article_id"] == article_id].sort_values(["sentence_idx", "start"])
    assert got["actor_id"].astype(str).tolist() == expected["actor_id"].tolist() and len(got)
    assert got["tone"].tolist() == expected["tone"].tolist()


def test_sentences_of_one_article_in_order_from_disk(artifacts: Artifacts) -> None:
    sentences = artifacts.texts.sentences_of(ARTICLE_ID.format(5))
    assert sentences["sentence_idx"].tolist() == list(range(len(sentences)))
    assert sentences["text"].iloc[-1] == HOSTILE_SENTENCE


def test_annotated_text_escapes_and_highlights_every_stored_mention(artifacts: Artifacts) -> None:
    article_id = ARTICLE_ID.format(5)
    sentences = artifacts.texts.sentences_of(article_id)
    mentions = artifacts.texts.mentions_of(article_id)
    html = view.annotated_text_html(sentences, mentions, artifacts.actor_names)
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert html.count('class="pw-sentence"') == len(sentences)
    assert html.count(f'<mark class="{view.MENTION_CLASS}"') == len(mentions) > 0
    text_of = dict(zip(sentences["sentence_idx"], sentences["text"], strict=True))
    for mention in mentions.itertuples():
        name = artifacts.actor_names[mention.actor_id]
        marked = text_of[mention.sentence_idx][mention.start:mention.end]
        assert f'title="{name}: tone toward {mention.tone:+.2f}">{marked}</mark>' in html


def test_a_surname_or_role_is_highlighted_from_its_span_with_the_name() -> None:
    sentences = pd.DataFrame({"sentence_idx": [0], "text": ["The supreme leader met Moon."], "tone": [0.0], "tone_terms": [""]})
    mentions = pd.DataFrame({"sentence_idx": [0, 0], "actor_id": ["kim-jong-un", "moon-jae-in"], "tone": [0.25, -0.5],
                             "start": [0, 23], "end": [18, 27]})
    html = view.annotated_text_html(sentences, mentions, {"kim-jong-un": "Kim Jong Un"})
    assert 'title="Kim Jong Un: tone toward +0.25">The supreme leader</mark>' in html
    assert 'title="moon-jae-in: tone toward -0.50">Moon</mark>' in html  # no name in the build: the id


def test_each_sentence_carries_its_tone_and_terms(artifacts: Artifacts) -> None:
    sentences = artifacts.texts.sentences_of(ARTICLE_ID.format(0))
    html = view.annotated_text_html(sentences, artifacts.texts.mentions_of(ARTICLE_ID.format(0)), artifacts.actor_names)
    first = sentences.iloc[0]
    assert f'title="tone {first.tone:+.2f}: {first.tone_terms}"' in html


def test_header_escapes_the_title_and_refuses_script_links(artifacts: Artifacts) -> None:
    hostile = view.article_header_html(artifacts.article(ARTICLE_ID.format(1)))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile and "<script>" not in hostile
    javascript = view.article_header_html(artifacts.article(ARTICLE_ID.format(6)))
    assert "href" not in javascript and "javascript" not in javascript
    plain = view.article_header_html(artifacts.article(ARTICLE_ID.format(0)))
    assert 'href="https://example.org/news/0"' in plain and "Read the original on example.org" in plain
    assert "Read the original" not in view.article_header_html(artifacts.article(ARTICLE_ID.format(9)))  # no URL, no link


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
    counts = artifacts.texts.term_counts_of(article_id)
    assert counts.to_dict() == mine.groupby("term")["count"].sum().to_dict()
    assert artifacts.texts.term_counts_of("no such article").empty
    table = view.article_keywords(artifacts.term_matrix, counts, top_n=5)
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
    assert scores["Pressure cues"] == article["frame_pressure"]
    assert not any("per article" in measure for measure in scores.index)  # one article: counts, not means
    sentences = artifacts.texts.sentences_of(ARTICLE_ID.format(0))
    cues = view.framing_sentences(sentences)
    has_cue = sentences[[c for c in sentences.columns if c.startswith("frame_")]].gt(0).any(axis=1)
    assert cues["sentence"].tolist() == (sentences.loc[has_cue, "sentence_idx"] + 1).tolist()
    assert all(cue for cue in cues["cues"])
