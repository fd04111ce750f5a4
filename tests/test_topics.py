"""Topics: themes recovered on a corpus we wrote, table contracts, tiny corpora, the subject rules (stop-list, even
spread, actor names, labels), the choice of k and its stability, and the real corpus."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from pipeline.terms import as_term, count_terms
from pipeline.topic_model import fit_assigner
from pipeline.topics import (
    LABEL_SEPARATOR,
    MIN_WEIGHT,
    STABILITY_TARGET,
    TopicModel,
    best_match_jaccard,
    candidate_ks,
    dispersion,
    display_form,
    evenly_spread,
    fit_topics,
    gathered_coherence,
    is_actor_term,
    label_terms,
    load_topic_stoplist,
    npmi_coherence,
    stoplisted,
    time_periods,
    topic_label,
    topic_stability,
)

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
    assert {3, 4, 5} <= set(model.selection["k"]) <= set(range(2, 9))  # the chosen k's neighbours were scored too
    assert len(model.topics) == 4
    assert model.selection.set_index("k")["score"].idxmax() == 4


def test_the_k_search_goes_coarse_to_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every other k first, then the neighbours of the best until it has no untried one: the peak is found with fewer fits."""
    import pipeline.topics as topics

    monkeypatch.setattr(topics._Samples, "fit", lambda self, k, run: (np.zeros((10, k)), np.zeros((k, 10))))
    monkeypatch.setattr(topics, "gathered_coherence", lambda matrix, doc_weights, presence, vocabulary: -abs(doc_weights.shape[1] - 12.0))
    matrix = sp.random(200, 40, density=0.2, format="csr", random_state=0, dtype=np.float32)
    selection = topics._search(topics._Samples(matrix, [0, 1, 2]), np.array([f"t{i}" for i in range(40)]), candidate_ks(1_800))
    assert list(selection["k"]) == [5, 7, 8, 10, 12, 14, 20, 30]  # 6, 17 and 24 are never fitted
    assert selection.set_index("k")["score"].idxmax() == 12


def test_given_number_of_topics_skips_selection(four_topics: TopicModel) -> None:
    assert len(four_topics.topics) == 4
    assert four_topics.selection.empty
    assert list(four_topics.selection.columns) == ["k", "score", "stability"]


def test_same_random_state_gives_same_model(themed: tuple[list[str], list[str]]) -> None:
    first, second = fit_topics(*themed, k_range=range(3, 6)), fit_topics(*themed, k_range=range(3, 6))
    pd.testing.assert_frame_equal(first.topics, second.topics)
    pd.testing.assert_frame_equal(first.doc_topics, second.doc_topics)


# --- table contracts -----------------------------------------------------------------------


def test_topics_table_columns_and_types(four_topics: TopicModel) -> None:
    topics = four_topics.topics
    assert list(topics.columns) == ["topic_id", "label", "terms", "n_articles", "label_terms", "coherence"]
    assert list(topics["topic_id"]) == [0, 1, 2, 3]
    assert topics["n_articles"].dtype == "int64"
    for terms in topics["terms"]:
        assert len(terms) == 10 and all(isinstance(term, str) for term in terms)


def test_label_is_its_label_terms_as_the_texts_write_them(four_topics: TopicModel) -> None:
    for label, chosen, terms in zip(four_topics.topics["label"], four_topics.topics["label_terms"], four_topics.topics["terms"]):
        assert 1 <= len(chosen) <= 2
        assert [part.lower() for part in label.split(LABEL_SEPARATOR)] == list(chosen)
        assert set(chosen[0].split()) & {word for term in terms for word in term.split()}


def test_each_topic_has_a_coherence_and_the_model_a_stability(four_topics: TopicModel) -> None:
    assert four_topics.topics["coherence"].between(-1, 1).all()
    assert four_topics.stability["k"] == 4 and four_topics.stability["seeds"] == [0, 1, 2]
    assert four_topics.stability["jaccard"] >= STABILITY_TARGET


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
    assert model.topics.empty and list(model.topics.columns) == ["topic_id", "label", "terms", "n_articles", "label_terms", "coherence"]
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


def test_label_takes_the_two_best_terms() -> None:
    assert topic_label(["flood", "rain", "river", "rescue"]) == "flood · rain"


def test_label_bigram_replaces_the_words_it_contains() -> None:
    assert topic_label(["missile", "launch", "missile launch", "radar", "sea"]) == "missile launch · radar"


def test_label_prefers_a_pair_that_weighs_half_the_word_or_more() -> None:
    ranked = ["areas", "province", "flood", "flood-hit areas", "north phyongan", "phyongan province"]
    assert topic_label(ranked, [1.0, 0.9, 0.8, 0.6, 0.5, 0.3]) == "flood-hit areas · province"
    assert topic_label(ranked, [1.0, 0.9, 0.8, 0.4, 0.5, 0.5]) == "areas · phyongan province"


def test_label_skips_terms_already_said_including_plurals() -> None:
    assert topic_label(["summit talks", "summit", "talk", "summits", "hanoi", "envoy"]) == "summit talks · hanoi"


def test_label_of_a_short_list_is_shorter() -> None:
    assert topic_label(["flood"]) == "flood"
    assert topic_label([]) == ""


def test_an_actor_name_is_never_a_label_phrase() -> None:
    names = {"kim-jong-un", "putin", "moon"}
    ranked = ["kim-jong-un", "comrade kim-jong-un", "putin", "summit", "vostochny", "president putin"]
    excluded = {term for term in ranked if is_actor_term(term, names)}
    assert excluded == {"kim-jong-un", "comrade kim-jong-un", "putin", "president putin"}
    assert label_terms(ranked, excluded=excluded) == ["summit", "vostochny"]
    assert not is_actor_term("moon landing", names) and not is_actor_term("president", names)


def test_the_gazetteer_names_are_actor_words() -> None:
    from pipeline.topics import actor_name_words

    words = actor_name_words()
    assert {"kim-jong-un", "putin", "trump"} <= words
    assert "president" not in words
    assert is_actor_term("chairman kim-jong-un", words) and not is_actor_term("flood-hit areas", words)


def test_display_form_keeps_proper_names_and_common_phrases_lower() -> None:
    texts = ["Rain hit North Phyongan Province. In North Phyongan, flood-hit areas were cleared.", "Flood-hit areas got aid."]
    assert display_form("north phyongan", texts) == "North Phyongan"
    assert display_form("flood-hit areas", texts) == "flood-hit areas"
    assert display_form("kim-jong-un", ["Kim Jong Un visited.", "KIM JONG UN", "Kim Jong-un said"]) == "Kim Jong Un"
    assert display_form("pyongyang", ["PYONGYANG, May 1 (KCNA) --", "PYONGYANG (KCNA)"]) == "PYONGYANG"
    assert display_form("u.s.", ["The US said."]) == "u.s."
    assert display_form("kim-jong-il work", ["A new Kim Jong Il's Work Published"]) == "Kim Jong Il's Work"
    assert display_form("diplomats hoped", ["Diplomats hoped for talks. \"Diplomats hoped\", he said."]) == "diplomats hoped"
    assert display_form("north phyongan", ["North Phyongan was hit."]) == "North Phyongan"


def test_display_form_is_linear_on_hostile_text() -> None:
    import time

    plain, hostile = "word " * 4000, "kim-" * 5000 + "x"
    started = time.perf_counter()
    display_form("kim-jong-un", [plain])
    plain_seconds = time.perf_counter() - started
    started = time.perf_counter()
    display_form("kim-jong-un", [hostile])
    assert time.perf_counter() - started < 50 * plain_seconds + 0.05


# --- the domain stop-list -------------------------------------------------------------------


def test_the_shipped_stoplist_is_spelt_as_terms_are_counted() -> None:
    stoplist = load_topic_stoplist()
    assert {"go ahead", "embargoed", "respected", "meeting held", "psaki"} <= stoplist
    assert all(as_term(entry) == entry for entry in stoplist)


def test_a_stoplist_entry_that_is_no_term_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "stop.txt"
    path.write_text("# formulas\ngo ahead\nSenior Administration Official\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"stop\.txt:3: 'Senior Administration Official'"):
        load_topic_stoplist(path)


def test_stoplist_removes_listed_terms_and_pairs_of_listed_words_only() -> None:
    vocabulary = np.array(["held", "meeting", "meeting held", "held talks", "go ahead", "go", "summit"], dtype=object)
    assert list(stoplisted(vocabulary, {"held", "meeting", "go ahead"})) == [True, True, True, False, True, False, False]


def test_fit_leaves_stoplisted_terms_out_of_the_topics(themed: tuple[list[str], list[str]]) -> None:
    model = fit_topics(*themed, n_topics=4, stoplist={"missile", "cup final"})
    every_term = {term for terms in model.topics["terms"] for term in terms}
    assert "missile" not in every_term and "cup final" not in every_term
    assert "ballistic missile" in every_term  # a pair with one subject word stays
    assert model.vocabulary["stop_listed"] == 2


# --- even spread ----------------------------------------------------------------------------------


def presence_of(columns: list[np.ndarray], n_docs: int) -> sp.csr_matrix:
    """A binary document-term matrix whose column j holds documents columns[j]."""
    rows = np.concatenate(columns)
    cols = np.concatenate([np.full(len(docs), j) for j, docs in enumerate(columns)])
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_docs, len(columns)))


def test_dispersion_is_zero_for_the_corpus_spread_and_high_for_a_burst() -> None:
    groups = np.repeat(np.arange(4), 25)
    docs = np.arange(100)
    presence = presence_of([docs[docs % 25 < 5], docs[:25], np.array([0, 50])], 100)
    dp, noise = dispersion(presence, groups)
    np.testing.assert_allclose(dp[:2], [0.0, 0.75])
    assert noise[0] < noise[2]  # more documents, less room for chance


def test_time_periods_hold_equal_counts_and_keep_a_day_together() -> None:
    dates = pd.Series([pd.Timestamp("2024-01-01")] * 40 + list(pd.date_range("2024-02-01", periods=80, freq="D")))
    periods = time_periods(dates, n_docs_per_period=40)
    assert list(np.bincount(periods)) == [40, 40, 40]
    assert len(set(periods[:40])) == 1


def spread_corpus() -> tuple[pd.Series, np.ndarray]:
    """1,200 documents over 24 months, two sources alternating."""
    dates = pd.Series(pd.date_range("2020-01-01", periods=24, freq="MS").repeat(50))
    return dates, np.array(["A", "B"] * 600)


def test_a_term_in_every_period_alike_is_evenly_spread_a_burst_or_a_rare_term_is_not() -> None:
    dates, _ = spread_corpus()
    rng = np.random.default_rng(0)
    everywhere = np.sort(rng.choice(1200, size=400, replace=False))
    burst = np.concatenate([np.arange(0, 150), np.sort(rng.choice(np.arange(150, 1200), size=250, replace=False))])
    rare = np.arange(0, 1200, 60)
    even = evenly_spread(presence_of([everywhere, burst, rare], 1200), dates)
    assert list(even) == [True, False, False]


def test_a_term_of_one_source_is_not_evenly_spread() -> None:
    dates, sources = spread_corpus()
    one_source = np.arange(0, 1200, 2)  # every "A" document, evenly over time
    presence = presence_of([one_source], 1200)
    assert evenly_spread(presence, dates)[0]
    assert not evenly_spread(presence, dates, sources)[0]


def test_fit_leaves_an_evenly_spread_filler_out_of_the_topics(themed: tuple[list[str], list[str]]) -> None:
    ids, texts = themed
    # 1,200 articles, each theme in its own stretch of time; every third article, whatever its theme, adds a filler.
    many_ids = [f"{article_id}-{copy}" for article_id in ids for copy in range(20)]
    many_texts = [text for text in texts for _ in range(20)]
    many_texts = [f"{text} Officials welcomed the outcome." if number % 3 == 0 else text for number, text in enumerate(many_texts)]
    dates = pd.Series(pd.date_range("2020-01-01", periods=len(many_ids), freq="D"))
    model = fit_topics(many_ids, many_texts, n_topics=4, dates=dates)
    every_term = {term for terms in model.topics["terms"] for term in terms}
    assert not every_term & {"officials", "welcomed", "outcome", "officials welcomed", "welcomed outcome"}
    assert {"officials", "welcomed", "outcome", "officials welcomed"} <= set(model.vocabulary["evenly_spread_examples"])
    assert {"missile", "summit", "rice", "cup"} <= every_term  # the themes' words come in bursts and stay
    assert len(set(model.dominant)) == 4


# --- the choice of k and stability ----------------------------------------------------------------


def test_candidate_ks_scale_with_the_corpus() -> None:
    assert candidate_ks(20) == [5]
    assert candidate_ks(400)[-1] == 14 and candidate_ks(400)[0] == 5
    assert candidate_ks(1_000)[-1] == 22
    assert candidate_ks(100_000)[-1] == 30
    assert candidate_ks(100_000) == sorted(set(candidate_ks(100_000)))


def test_best_match_jaccard() -> None:
    topics = [{"a", "b"}, {"c", "d"}]
    assert best_match_jaccard(topics, list(reversed(topics))) == 1.0
    assert best_match_jaccard(topics, [{"x"}, {"y"}]) == 0.0
    assert best_match_jaccard([{"a", "b"}], [{"a", "c"}, {"a", "b"}]) == pytest.approx(0.5)  # one-to-one, the unmatched set counts 0
    assert best_match_jaccard([{"a", "b", "c"}, {"a"}], [{"a", "b", "c"}]) == pytest.approx(0.5)


def test_stability_is_high_for_written_themes_and_reported(themed: tuple[list[str], list[str]]) -> None:
    from pipeline.topics import _tfidf

    matrix, _, _ = _tfidf(count_terms(themed[1]), None, None, frozenset())
    assert topic_stability(matrix, 4, [0, 1, 2]) >= STABILITY_TARGET
    model = fit_topics(*themed, k_range=range(3, 6))
    assert model.selection["stability"].notna().sum() == 1  # the most coherent k (4) is stable: nothing else is checked
    assert model.stability["jaccard"] == pytest.approx(model.selection.set_index("k").loc[len(model.topics), "stability"], abs=1e-3)


@pytest.fixture
def scripted_selection(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[int, float], dict[int, float]], tuple[int, pd.DataFrame, list[int]]]:
    """`_choose_k` on a 100-article matrix with coherence and stability per k given, and the k checked, in order."""
    import pipeline.topics as topics

    def run(scores: dict[int, float], stabilities: dict[int, float]) -> tuple[int, pd.DataFrame, list[int]]:
        checked: list[int] = []
        table = pd.DataFrame({"k": list(scores), "score": list(scores.values())}).astype({"k": "int64", "score": "float64"})
        monkeypatch.setattr(topics, "_search", lambda samples, vocabulary, k_range: table.copy())
        monkeypatch.setattr(topics._Samples, "stability", lambda self, k, top=10: checked.append(k) or stabilities[k])
        matrix = sp.random(100, 40, density=0.2, format="csr", random_state=0, dtype=np.float32)
        k, selection = topics._choose_k(topics._Samples(matrix, [0, 1, 2]), np.array([f"t{i}" for i in range(40)]), list(scores))
        return k, selection, checked

    return run


def test_stability_is_checked_down_the_coherence_ranking_until_a_k_reaches_the_target(scripted_selection) -> None:
    k, selection, checked = scripted_selection({5: 0.30, 8: 0.35, 12: 0.40, 16: 0.38}, {12: 0.50, 16: 0.55, 8: 0.65, 5: 0.90})
    assert checked == [12, 16, 8] and k == 8  # the most coherent stable k, not the most stable (5)
    assert selection.set_index("k")["stability"].isna().to_dict() == {5: True, 8: False, 12: False, 16: False}


def test_without_a_stable_k_the_most_stable_of_those_checked_is_chosen(scripted_selection) -> None:
    scores = {5: 0.1, 6: 0.2, 7: 0.3, 8: 0.4, 10: 0.5}
    k, _, checked = scripted_selection(scores, {10: 0.3, 8: 0.5, 7: 0.4, 6: 0.2, 5: 0.9})
    assert checked == [10, 8, 7, 6] and k == 8  # at most four checks, so 5 is never tried


def test_the_k_search_fits_are_the_first_stability_run(themed: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.topics as topics

    fits: list[tuple[int, int]] = []
    real = topics._nmf
    monkeypatch.setattr(topics, "_nmf", lambda matrix, k, seed, start=None: fits.append((k, seed)) or real(matrix, k, seed, start))
    texts = themed[1] * 4  # 120 articles: past the small-corpus size, so the search fits the first seed's subsample
    fit_topics([f"a{i}" for i in range(len(texts))], texts, k_range=[3, 4, 5])
    search, check, final = fits[:3], fits[3:-1], fits[-1]
    assert sorted(search) == [(3, 0), (4, 0), (5, 0)] and final == (4, 0)
    assert check == [(4, 1), (4, 2)]  # the stability check of k = 4 reuses the search's fit as its first seed's run


def test_manifest_entries_are_json_safe(themed: tuple[list[str], list[str]]) -> None:
    entries = fit_topics(*themed, k_range=range(2, 9)).manifest_entries()
    text = json.dumps(entries, allow_nan=False)
    assert json.loads(text)["topic_selection"][0]["k"] == 2
    assert set(entries) == {"topic_selection", "topic_stability", "topic_vocabulary"}


# --- the real corpus ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def kcna_2024(corpus_dir: Path) -> pd.DataFrame:
    with gzip.open(corpus_dir / "kcna_2024.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    return pd.DataFrame({
        "article_id": [f"kcna-{number}" for number in range(len(records))],
        "text": [f"{r['title']}\n{r['body']}" for r in records],
        "date": pd.to_datetime([r["date"] for r in records]),
    })


@pytest.fixture(scope="module")
def kcna_models(kcna_2024: pd.DataFrame) -> tuple[TopicModel, TopicModel]:
    fit = lambda: fit_topics(kcna_2024["article_id"].tolist(), kcna_2024["text"].tolist(), dates=kcna_2024["date"])  # noqa: E731
    return fit(), fit()


@pytest.mark.corpus
def test_real_corpus_fits_are_identical(kcna_models: tuple[TopicModel, TopicModel]) -> None:
    first, second = kcna_models
    pd.testing.assert_frame_equal(first.topics, second.topics)
    pd.testing.assert_frame_equal(first.doc_topics, second.doc_topics)
    pd.testing.assert_frame_equal(first.selection, second.selection)
    assert first.stability == second.stability


@pytest.mark.corpus
def test_real_corpus_k_is_chosen_over_the_scaled_range(kcna_models: tuple[TopicModel, TopicModel], kcna_2024: pd.DataFrame) -> None:
    model = kcna_models[0]
    tried, grid = list(model.selection["k"]), candidate_ks(len(kcna_2024))
    assert set(grid[::2] + grid[-1:]) <= set(tried) <= set(grid) and max(tried) > 15  # coarse to fine over the scaled range
    checked = model.selection.dropna(subset=["stability"])
    assert 1 <= len(checked) <= 4 and len(model.topics) in set(checked["k"])
    assert model.stability["jaccard"] >= STABILITY_TARGET


@pytest.mark.corpus
def test_real_corpus_labels_are_no_formula_and_no_name_alone(kcna_models: tuple[TopicModel, TopicModel]) -> None:
    from pipeline.topics import actor_name_words

    names, stoplist = actor_name_words(), load_topic_stoplist()
    for chosen, terms in zip(kcna_models[0].topics["label_terms"], kcna_models[0].topics["terms"]):
        assert len(chosen) == 2
        assert not any(is_actor_term(term, names) for term in chosen)
        assert not set(terms) & stoplist


@pytest.mark.corpus
def test_real_corpus_topics_are_distinct(kcna_models: tuple[TopicModel, TopicModel]) -> None:
    term_lists = list(kcna_models[0].topics["terms"])
    assert len({terms[0] for terms in term_lists}) == len(term_lists)
    assert len(set(kcna_models[0].topics["label"])) == len(term_lists)
    for first, second in combinations(term_lists, 2):
        overlap = len(set(first) & set(second)) / len(set(first) | set(second))
        assert overlap < 0.5, (first, second)


@pytest.mark.corpus
def test_real_corpus_every_article_has_a_topic(kcna_models: tuple[TopicModel, TopicModel], kcna_2024: pd.DataFrame) -> None:
    model = kcna_models[0]
    assert len(model.dominant) == len(kcna_2024)
    assert (model.dominant >= 0).mean() > 0.95
    assert model.topics["n_articles"].sum() == (model.dominant >= 0).sum()


def test_the_saved_model_of_a_large_build_is_estimated_on_a_sample_of_its_articles() -> None:
    words = ["summit", "talks", "sanctions", "relief", "missile", "launch", "flood", "harvest", "envoy", "border"]
    rng = random.Random(0)
    texts = [" ".join(rng.sample(words, 4)) for _ in range(80)]
    counted = count_terms(texts)
    ids = [f"a{row}" for row in range(len(texts))]
    doc_topics = pd.DataFrame({"article_id": ids, "topic_id": [row % 2 for row in range(len(ids))], "weight": 1.0})
    whole = fit_assigner(counted.counts, counted.vocabulary, ids, doc_topics, 2)
    pd.testing.assert_frame_equal(fit_assigner(counted.counts, counted.vocabulary, ids, doc_topics, 2, max_documents=len(ids)), whole)
    sampled = fit_assigner(counted.counts, counted.vocabulary, ids, doc_topics, 2, random_state=3, max_documents=30)
    rows = np.sort(np.random.default_rng(3).choice(len(ids), 30, replace=False))
    expected = fit_assigner(counted.counts[rows], counted.vocabulary, [ids[row] for row in rows], doc_topics.iloc[rows], 2)
    pd.testing.assert_frame_equal(sampled, expected)
    assert not sampled.equals(whole)
