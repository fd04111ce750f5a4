"""Topics: themes recovered on a corpus we wrote, table contracts, tiny corpora, real-corpus stability."""

from __future__ import annotations

import gzip
import json
import random
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from pipeline.topics import LABEL_SEPARATOR, MIN_WEIGHT, TopicModel, fit_topics, gathered_coherence, npmi_coherence, topic_label

THEMES = {
    "missile": [
        "The army fired a ballistic missile toward the eastern sea.",
        "Radar tracked the missile launch for twenty minutes.",
        "Engineers prepared another launch of the solid-fuel rocket.",
        "The ballistic missile flew over the eastern sea before splashdown.",
        "Observers said the rocket engine test preceded the launch.",
    ],
    "summit": [
        "Leaders met for summit talks on denuclearization.",
        "Negotiators drafted a joint statement before the summit.",
        "The summit talks ended without a joint statement.",
        "Envoys discussed denuclearization steps and sanctions relief.",
        "Diplomats hoped the next summit would revive negotiations.",
    ],
    "flood": [
        "Heavy rain flooded villages along the river.",
        "Rescue crews evacuated farmers from flooded fields.",
        "Flood damage destroyed bridges and rice paddies.",
        "Volunteers rebuilt houses after the heavy rain.",
        "The river burst its banks and flooded rice paddies.",
    ],
    "football": [
        "The women's football team won the cup final.",
        "Fans cheered as the striker scored twice in the final.",
        "The football team trained for the world cup qualifier.",
        "The goalkeeper saved a penalty in the cup final.",
        "Coaches praised the striker after the qualifier.",
    ],
}
ARTICLES_PER_THEME = 15


@pytest.fixture(scope="module")
def themed() -> tuple[list[str], list[str]]:
    """60 articles, each three sentences drawn from one theme's pool."""
    rng = random.Random(0)
    ids, texts = [], []
    for theme, pool in THEMES.items():
        for number in range(ARTICLES_PER_THEME):
            ids.append(f"{theme}-{number}")
            texts.append(" ".join(rng.sample(pool, 3)))
    return ids, texts


@pytest.fixture(scope="module")
def four_topics(themed: tuple[list[str], list[str]]) -> TopicModel:
    return fit_topics(*themed, n_topics=4)


def theme_of(article_id: str) -> str:
    return article_id.rsplit("-", 1)[0]


# --- themes and the choice of k -----------------------------------------------------------


def test_each_theme_gets_its_own_dominant_topic(four_topics: TopicModel) -> None:
    topic_per_theme = four_topics.dominant.groupby(four_topics.dominant.index.map(theme_of)).agg(set)
    assert all(len(topics) == 1 for topics in topic_per_theme)
    assert len({next(iter(topics)) for topics in topic_per_theme}) == 4


def test_labels_speak_the_theme_vocabulary(four_topics: TopicModel) -> None:
    labels = " ".join(four_topics.topics["label"])
    for word in ("missile", "summit", "rice", "cup"):
        assert word in labels


def test_coherence_chooses_the_number_of_written_themes(themed: tuple[list[str], list[str]]) -> None:
    # Plain NPMI of the model's top terms prefers k=2 here: one topic lumps three themes
    # but keeps football words on top. Scoring what each topic gathers does not.
    model = fit_topics(*themed, k_range=range(2, 9))
    assert list(model.selection["k"]) == list(range(2, 9))
    assert len(model.topics) == 4
    assert model.selection.set_index("k")["score"].idxmax() == 4


def test_given_number_of_topics_skips_selection(four_topics: TopicModel) -> None:
    assert len(four_topics.topics) == 4
    assert four_topics.selection.empty
    assert list(four_topics.selection.columns) == ["k", "score"]


def test_same_random_state_gives_same_model(themed: tuple[list[str], list[str]]) -> None:
    first, second = fit_topics(*themed, k_range=range(3, 6)), fit_topics(*themed, k_range=range(3, 6))
    pd.testing.assert_frame_equal(first.topics, second.topics)
    pd.testing.assert_frame_equal(first.doc_topics, second.doc_topics)


# --- table contracts -----------------------------------------------------------------------


def test_topics_table_columns_and_types(four_topics: TopicModel) -> None:
    topics = four_topics.topics
    assert list(topics.columns) == ["topic_id", "label", "terms", "n_articles"]
    assert list(topics["topic_id"]) == [0, 1, 2, 3]
    assert topics["n_articles"].dtype == "int64"
    for terms in topics["terms"]:
        assert len(terms) == 10 and all(isinstance(term, str) for term in terms)


def test_label_is_built_from_the_topic_terms(four_topics: TopicModel) -> None:
    for label, terms in zip(four_topics.topics["label"], four_topics.topics["terms"]):
        parts = label.split(LABEL_SEPARATOR)
        assert 1 <= len(parts) <= 3
        assert parts[0] in terms


def test_weights_are_shares_that_sum_to_one(four_topics: TopicModel) -> None:
    weights = four_topics.doc_topics
    assert list(weights.columns) == ["article_id", "topic_id", "weight"]
    assert (weights["weight"] >= MIN_WEIGHT).all() and (weights["weight"] <= 1).all()
    np.testing.assert_allclose(weights.groupby("article_id")["weight"].sum(), 1.0, rtol=1e-6)


def test_dominant_is_the_heaviest_topic_and_counts_match(four_topics: TopicModel) -> None:
    weights = four_topics.doc_topics
    heaviest = weights.loc[weights.groupby("article_id")["weight"].idxmax()].set_index("article_id")["topic_id"]
    pd.testing.assert_series_equal(four_topics.dominant.loc[heaviest.index], heaviest, check_names=False)
    counts = four_topics.dominant.value_counts().reindex(four_topics.topics["topic_id"], fill_value=0)
    assert list(counts) == list(four_topics.topics["n_articles"])


def test_dominant_covers_every_article_in_input_order(themed: tuple[list[str], list[str]], four_topics: TopicModel) -> None:
    assert list(four_topics.dominant.index) == themed[0]


# --- small and degenerate corpora -------------------------------------------------------


def test_three_unrelated_articles_get_a_topic_each() -> None:
    texts = ["Missile launch over the sea.", "Summit talks in Hanoi.", "Flood damage in the river valley."]
    model = fit_topics(["a", "b", "c"], texts)
    assert list(model.selection["k"]) == [1, 2, 3]
    assert len(model.topics) == 3
    assert sorted(model.dominant) == [0, 1, 2]
    np.testing.assert_allclose(model.doc_topics.groupby("article_id")["weight"].sum(), 1.0, rtol=1e-6)


def test_identical_articles_share_one_topic() -> None:
    model = fit_topics(["a", "b"], ["Missile launch over the sea.", "Missile launch over the sea."])
    assert len(model.topics) == 1
    assert list(model.dominant) == [0, 0]


def test_a_single_article_gets_one_topic() -> None:
    model = fit_topics(["only"], ["Missile launch over the sea drew sanctions."])
    assert len(model.topics) == 1
    assert model.dominant["only"] == 0


def test_more_topics_asked_than_articles_gives_fewer() -> None:
    model = fit_topics(["a", "b"], ["Missile launch over the sea.", "Summit talks in Hanoi."], n_topics=10)
    assert 1 <= len(model.topics) <= 2


@pytest.mark.parametrize("texts", [["It was said.", "", "They would have."], []])
def test_no_usable_term_gives_zero_topics_and_typed_empty_tables(texts: list[str]) -> None:
    ids = [f"id{number}" for number in range(len(texts))]
    model = fit_topics(ids, texts)
    assert model.topics.empty and list(model.topics.columns) == ["topic_id", "label", "terms", "n_articles"]
    assert model.topics["topic_id"].dtype == "int64"
    assert model.doc_topics.empty and list(model.doc_topics.columns) == ["article_id", "topic_id", "weight"]
    assert list(model.dominant.index) == ids and (model.dominant == -1).all()


def test_articles_without_terms_have_no_weights_and_no_dominant_topic(themed: tuple[list[str], list[str]]) -> None:
    ids, texts = themed
    model = fit_topics([*ids, "empty"], [*texts, "It was said."], n_topics=4)
    assert model.dominant["empty"] == -1
    assert "empty" not in set(model.doc_topics["article_id"])


def test_zero_topics_asked_gives_none(themed: tuple[list[str], list[str]]) -> None:
    assert fit_topics(*themed, n_topics=0).topics.empty


def test_ids_and_texts_must_pair_up() -> None:
    with pytest.raises(ValueError):
        fit_topics(["a"], ["one text", "two texts"])


# --- coherence and labels ------------------------------------------------------------------


def presence_matrix(documents: list[set[int]], n_terms: int) -> sp.csc_matrix:
    rows = [row for row, doc in enumerate(documents) for _ in doc]
    columns = [column for doc in documents for column in sorted(doc)]
    return sp.csc_matrix((np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(len(documents), n_terms))


VOCABULARY = np.array(["missile", "launch", "summit", "talks", "missile launch"], dtype=object)


def test_npmi_terms_always_together_score_one_never_together_minus_one() -> None:
    presence = presence_matrix([{0, 1}, {0, 1}, {2}, {3}], 5)
    scores = npmi_coherence(np.array([[0, 1], [2, 3]]), presence, VOCABULARY)
    np.testing.assert_allclose(scores, [1.0, -1.0])


def test_npmi_independent_terms_score_zero() -> None:
    presence = presence_matrix([{0, 2}, {0}, {2}, set()], 5)
    np.testing.assert_allclose(npmi_coherence(np.array([[0, 2]]), presence, VOCABULARY), [0.0], atol=1e-12)


def test_npmi_skips_pairs_that_share_a_word() -> None:
    presence = presence_matrix([{0, 4}, {0, 4}, {1}, {2}], 5)
    assert np.isnan(npmi_coherence(np.array([[0, 4]]), presence, VOCABULARY))[0]


def test_gathered_coherence_penalises_lumping_unrelated_articles() -> None:
    # terms 0,1 always together in articles 0-3; terms 2,3 in articles 4-7.
    documents = [{0, 1}] * 4 + [{2, 3}] * 4
    matrix = presence_matrix(documents, 5).tocsr()
    presence = matrix.tocsc()
    separated = np.repeat([[1.0, 0.0], [0.0, 1.0]], 4, axis=0)
    lumped = np.repeat([[1.0, 0.0]], 8, axis=0)
    assert gathered_coherence(matrix, separated, presence, VOCABULARY) > 0.9
    assert gathered_coherence(matrix, lumped, presence, VOCABULARY) < 0


def test_label_takes_the_three_best_terms() -> None:
    assert topic_label(["flood", "rain", "river", "rescue"]) == "flood · rain · river"


def test_label_bigram_replaces_the_words_it_contains() -> None:
    assert topic_label(["missile", "launch", "missile launch", "radar", "sea"]) == "missile launch · radar · sea"


def test_label_skips_terms_already_said_including_plurals() -> None:
    assert topic_label(["summit talks", "summit", "talk", "summits", "hanoi", "envoy"]) == "summit talks · hanoi · envoy"


def test_label_of_a_short_list_is_shorter() -> None:
    assert topic_label(["flood"]) == "flood"
    assert topic_label([]) == ""


# --- the real corpus ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def kcna_2024(corpus_dir: Path) -> tuple[list[str], list[str]]:
    with gzip.open(corpus_dir / "kcna_2024.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    return [f"kcna-{number}" for number in range(len(records))], [f"{r['title']}\n{r['body']}" for r in records]


@pytest.fixture(scope="module")
def kcna_models(kcna_2024: tuple[list[str], list[str]]) -> tuple[TopicModel, TopicModel]:
    return fit_topics(*kcna_2024), fit_topics(*kcna_2024)


@pytest.mark.corpus
def test_real_corpus_fits_are_identical(kcna_models: tuple[TopicModel, TopicModel]) -> None:
    first, second = kcna_models
    pd.testing.assert_frame_equal(first.topics, second.topics)
    pd.testing.assert_frame_equal(first.doc_topics, second.doc_topics)
    pd.testing.assert_frame_equal(first.selection, second.selection)


@pytest.mark.corpus
def test_real_corpus_k_is_chosen_over_the_whole_range(kcna_models: tuple[TopicModel, TopicModel]) -> None:
    model = kcna_models[0]
    assert list(model.selection["k"]) == list(range(5, 16))
    assert len(model.topics) == model.selection.set_index("k")["score"].idxmax()


@pytest.mark.corpus
def test_real_corpus_topics_are_distinct(kcna_models: tuple[TopicModel, TopicModel]) -> None:
    term_lists = list(kcna_models[0].topics["terms"])
    assert len({terms[0] for terms in term_lists}) == len(term_lists)
    assert len(set(kcna_models[0].topics["label"])) == len(term_lists)
    for first, second in combinations(term_lists, 2):
        overlap = len(set(first) & set(second)) / len(set(first) | set(second))
        assert overlap < 0.5, (first, second)


@pytest.mark.corpus
def test_real_corpus_every_article_has_a_topic(kcna_models: tuple[TopicModel, TopicModel], kcna_2024: tuple[list[str], list[str]]) -> None:
    model = kcna_models[0]
    assert len(model.dominant) == len(kcna_2024[0])
    assert (model.dominant >= 0).mean() > 0.95
    assert model.topics["n_articles"].sum() == (model.dominant >= 0).sum()
