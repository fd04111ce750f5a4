"""Keywords: term normalisation, the term matrix, monthly trends, emerging terms, KWIC, and the page through app.py."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import keywords_view as view
from dashboard.data import Artifacts
from dashboard.text_store import TextStore
from tests.dashboard.artifact_factory import SOURCES, dense_terms, hand_term_matrix, write_text_store
from tests.dashboard.test_app import url_values
from tests.dashboard.test_topics_view import plotted

AppRun = Callable[..., AppTest]
PAGE = "pages/keywords.py"


@pytest.fixture(scope="module")
def raw(artifact_dir: Path) -> dict[str, pd.DataFrame]:
    """The factory's tables as written, read with plain pandas (the expectations' source)."""
    names = ("articles", "sentences", "article_terms", "keywords", "mentions")
    return {name: pd.read_parquet(artifact_dir / f"{name}.parquet") for name in names}


def monthly_counts_by_hand(raw: dict[str, pd.DataFrame], article_ids: set[str], term: str) -> dict[str, tuple[int, float]]:
    """month (YYYY-MM) -> (count of the term, its share of all term occurrences), over the given articles, by plain groupby."""
    articles = raw["articles"].loc[raw["articles"]["article_id"].isin(article_ids)]
    month = dict(zip(articles["article_id"], articles["date"].dt.strftime("%Y-%m"), strict=True))
    terms = raw["article_terms"].loc[raw["article_terms"]["article_id"].isin(article_ids)]
    terms = terms.assign(month=terms["article_id"].map(month))
    totals = terms.groupby("month")["count"].sum()
    counts = terms.loc[terms["term"] == term].groupby("month")["count"].sum().reindex(totals.index, fill_value=0)
    return {month: (int(counts[month]), counts[month] / totals[month]) for month in totals.index}


def within(keywords: pd.DataFrame, start: date | None, end: date | None) -> pd.DataFrame:
    """What `default_terms` reads: the emerging terms of the dates, as the page gives them."""
    return view.emerging_terms(keywords, start, end, top_k=view.MAX_PICKED_TERMS)


def ids(frame: pd.DataFrame) -> set[str]:
    return set(frame["article_id"].astype(str))


def sentence_table(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["article_id", "sentence_idx", "text"])


def article_meta(ids_and_dates: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({
        "article_id": [article_id for article_id, _ in ids_and_dates],
        "date": pd.to_datetime([day for _, day in ids_and_dates]),
        "source": "Test wire",
        "title": [f"Title of {article_id}" for article_id, _ in ids_and_dates],
    })


# --- typed terms: normalised like the vocabulary, completed from their beginning ------------------

VOCABULARY = pd.Index(["north korea", "sanctions", "kim-jong-un", "sanctions relief", "denuclearization", "denuclearize",
                       "u.s. sanctions", "summit"], dtype="str")
"""Most used first, as `vocabulary_by_use` orders them."""


@pytest.mark.parametrize(("typed", "expected"), [
    ("Kim Jong Un", ("kim-jong-un", False)),       # the pipeline joins a Korean name into one term
    ("kim jong un", ("kim-jong-un", False)),       # ... also when typed in lower case
    ("KIM JONG-UN", ("kim-jong-un", False)),
    ("  North   Korea ", ("north korea", False)),
    ("U.S. Sanctions", ("u.s. sanctions", False)),
    ("North Korea's", ("north korea", False)),     # the possessive goes, as in the pipeline
    ("sanc", ("sanctions", True)),                 # a beginning: the most used term that starts with it
    ("denucleari", ("denuclearization", True)),
    ("sanctions r", ("sanctions relief", True)),
    ("pyongyang", (None, False)),
    ("<b>x</b>", (None, False)),
])
def test_a_typed_phrase_resolves_to_the_term_the_pipeline_counts(typed: str, expected: tuple[str | None, bool]) -> None:
    assert view.resolve_term(typed, VOCABULARY) == expected


def test_choose_terms_splits_commas_keeps_order_and_reports_completions_and_unknowns() -> None:
    choice = view.choose_terms(["Summit,sanc", "summit", "Kim Jong Un", "nowhere land", " , "], VOCABULARY)
    assert choice.terms == ("summit", "sanctions", "kim-jong-un")
    assert choice.completed == (("sanc", "sanctions"),)
    assert choice.unknown == ("nowhere land",)


def test_the_search_box_lists_the_filtered_articles_terms_first() -> None:
    table = pd.DataFrame({"article_id": ["a", "a", "b", "b", "c"], "term": ["x", "y", "y", "z", "z"], "count": [1, 1, 2, 5, 1]})
    matrix = hand_term_matrix(table)
    articles = pd.DataFrame({"article_id": ["a", "b"]})
    here = view.term_totals(matrix, articles)
    assert view.vocabulary_by_use(matrix, here) == ["z", "y", "x"]
    assert view.vocabulary_by_use(matrix, view.term_totals(matrix, articles.iloc[:1])) == ["y", "x", "z"]  # "z" is not used in "a": after the others
    assert view.vocabulary_by_use(matrix, here, limit=2) == ["z", "y"]


def test_default_terms_are_the_strongest_emerging_plain_terms_the_articles_use() -> None:
    keywords = hand_keywords()  # scores: a 1, b 3, c 2 (Jan); d -1, e 0.5 (Feb); f 4 (Mar)
    used = pd.Series({"a": 10, "b": 9, "d": 8, "e": 7, "zz": 99})
    # "f" is not used by the filtered articles, "d" does not emerge (negative score)
    assert view.default_terms(within(keywords, None, None), used, n=3) == ["b", "a", "e"]
    assert view.default_terms(within(keywords, date(2019, 1, 1), date(2019, 1, 31)), used, n=3) == ["b", "a", "zz"]  # then the most used


def test_default_terms_do_not_tell_one_story_twice() -> None:
    keywords = hand_keywords().assign(term=["martial law", "martial", "law", "summit", "x", "y"], score=[5.0, 4.0, 3.0, 2.0, 0, 0])
    used = pd.Series(1, index=["martial law", "martial", "law", "summit"])
    assert view.default_terms(within(keywords, None, None), used, n=2) == ["martial law", "summit"]


# --- the term matrix ----------------------------------------------------------------------


def test_term_matrix_of_a_hand_made_table_sums_repeated_rows() -> None:
    table = pd.DataFrame({"article_id": ["a", "a", "b", "a"], "term": ["x", "y", "x", "x"], "count": [2, 1, 5, 3]})
    matrix = hand_term_matrix(table)
    dense = dense_terms(matrix)
    assert dense.loc["a", "x"] == 5 and dense.loc["a", "y"] == 1 and dense.loc["b", "x"] == 5 and dense.loc["b", "y"] == 0
    assert dict(zip(matrix.article_ids, matrix.article_totals, strict=True)) == {"a": 6, "b": 5}
    assert dict(zip(matrix.terms, matrix.totals, strict=True)) == {"x": 10, "y": 1}
    assert dict(zip(matrix.terms, matrix.docs, strict=True)) == {"x": 2, "y": 1}


def test_a_term_matrix_read_in_chunks_equals_the_one_read_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Row groups of 4 rows, read in batches, sorted in bands and stored in chunks of 3 entries (ENTRIES_PER_CHUNK):
    # terms first seen in a later batch, a term split over batches, a repeated (article, term) pair, an article the build does not hold.
    table = pd.DataFrame({
        "article_id": ["b", "a", "a", "zz", "c", "b", "a", "c", "a", "b"],
        "term": ["y", "x", "y", "x", "x", "w", "x", "y", "v", "y"],
        "count": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    })
    path = tmp_path / "article_terms.parquet"
    table.to_parquet(path, row_group_size=4)
    article_ids = pd.Index(["c", "a", "b"], dtype="str")
    at_once = hand_term_matrix(table.loc[table["article_id"] != "zz"].assign(article_id=lambda t: pd.Categorical(t["article_id"], categories=article_ids)))
    monkeypatch.setattr(view, "ENTRIES_PER_CHUNK", 3)
    read = view.read_term_matrix(str(path), article_ids)
    assert len(read.chunk_starts) - 1 >= 3  # 8 distinct (article, term) pairs, at most 3 in a chunk unless one term has more
    read_dense, made_dense = dense_terms(read), dense_terms(at_once)
    pd.testing.assert_frame_equal(read_dense, made_dense[read_dense.columns], check_dtype=False)
    assert read_dense.loc["a", "x"] == 9 and read_dense.loc["b", "y"] == 11
    assert dict(zip(read.terms, read.totals, strict=True)) == {"y": 22, "x": 14, "w": 6, "v": 9}
    assert dict(zip(read.terms, read.docs, strict=True)) == {"y": 3, "x": 2, "w": 1, "v": 1}
    assert read.article_totals.tolist() == [13, 21, 17]
    rows, counts = read.column("x")
    assert rows.tolist() == [0, 1] and counts.tolist() == [5, 9]  # rows ascending
    assert all(chunk.has_sorted_indices for chunk in read.chunks())
    assert dict(zip(read.terms, view.term_totals(read, pd.DataFrame({"article_id": ["c", "c"]})), strict=True)) == {"y": 16, "x": 10, "w": 0, "v": 0}
    a, b = view.term_totals_of(read, [pd.DataFrame({"article_id": ["b"]}), pd.DataFrame({"article_id": ["a", "b", "c"]})])
    assert a.tolist() == [11, 0, 6, 0] and b.tolist() == read.totals.tolist()


def test_term_matrix_of_the_build_has_a_row_per_article(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    matrix = artifacts.term_matrix
    assert list(matrix.article_ids) == artifacts.articles["article_id"].astype(str).tolist()
    assert dense_terms(matrix).to_numpy().sum() == raw["article_terms"]["count"].sum()


def test_term_counts_over_a_source_match_a_plain_groupby(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    matrix = artifacts.term_matrix
    ridge = artifacts.articles.loc[artifacts.articles["source"] == SOURCES[1]]
    ids = set(raw["articles"].loc[raw["articles"]["source"] == SOURCES[1], "article_id"])
    terms = raw["article_terms"]
    expected = terms.loc[terms["article_id"].isin(ids)].groupby("term")["count"].sum()
    counts = view.term_counts(matrix, view.term_totals(matrix, ridge))
    assert counts.to_dict() == expected.to_dict()
    assert (counts > 0).all()


def test_term_counts_of_no_article_are_empty(artifacts: Artifacts) -> None:
    matrix = artifacts.term_matrix
    assert view.term_counts(matrix, view.term_totals(matrix, artifacts.articles.iloc[:0])).empty
    assert view.term_totals(matrix, artifacts.articles.iloc[:0]).sum() == 0


# --- trends -------------------------------------------------------------------------------


def test_trends_of_a_hand_made_build() -> None:
    table = pd.DataFrame({
        "article_id": ["a", "a", "b", "c", "c"],
        "term": ["summit", "talks", "summit", "talks", "border"],
        "count": [2, 2, 1, 3, 1],
    })
    articles = article_meta([("a", "2019-01-03"), ("b", "2019-01-30"), ("c", "2019-03-02")])
    trends = view.term_trends(hand_term_matrix(table), articles, ["summit", "nowhere", "talks"])
    got = {(row.period.strftime("%Y-%m"), row.term): (row.count, row.share) for row in trends.itertuples()}
    assert got == {
        ("2019-01", "summit"): (3, 3 / 5), ("2019-03", "summit"): (0, 0.0),
        ("2019-01", "talks"): (2, 2 / 5), ("2019-03", "talks"): (3, 3 / 4),
    }
    assert trends["term"].tolist() == ["summit", "summit", "talks", "talks"]  # the given order, then by month


def test_trends_follow_the_filtered_articles(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    matrix = artifacts.term_matrix
    harbour = artifacts.articles.loc[artifacts.articles["source"] == SOURCES[0]]
    trends = view.term_trends(matrix, harbour, ["summit"])
    expected = monthly_counts_by_hand(raw, set(harbour["article_id"].astype(str)), "summit")
    got = {row.period.strftime("%Y-%m"): (row.count, row.share) for row in trends.itertuples()}
    assert got.keys() == expected.keys() and len(got) < 24
    for month, (count, share) in expected.items():
        assert got[month][0] == count and got[month][1] == pytest.approx(share)


def test_trends_without_known_terms_or_articles_are_empty(artifacts: Artifacts) -> None:
    matrix = artifacts.term_matrix
    assert view.term_trends(matrix, artifacts.articles, ["no-such-term"]).empty
    assert view.term_trends(matrix, artifacts.articles.iloc[:0], ["summit"]).empty
    assert list(view.term_trends(matrix, artifacts.articles, []).columns) == ["period", "term", "count", "share"]


def test_trends_figure_has_a_selectable_line_per_term() -> None:
    trends = pd.DataFrame({
        "period": pd.to_datetime(["2019-01-01", "2019-02-01", "2019-01-01", "2019-02-01"]),
        "term": ["summit", "summit", "<b>x</b>", "<b>x</b>"], "count": [1, 2, 3, 4], "share": [0.1, 0.2, 0.3, 0.4],
    })
    fig = view.trends_figure(trends, "count")
    assert [trace.name for trace in fig.data] == ["summit", "&lt;b&gt;x&lt;/b&gt;"]
    assert all("markers" in trace.mode for trace in fig.data)
    assert [tuple(row) for row in fig.data[1].customdata] == [("2019-01-01", "<b>x</b>"), ("2019-02-01", "<b>x</b>")]
    assert list(fig.data[1].y) == [3, 4]
    assert list(view.trends_figure(trends, "share").data[0].y) == [0.1, 0.2]


# --- emerging terms -----------------------------------------------------------------------


def hand_keywords() -> pd.DataFrame:
    return pd.DataFrame({
        "period": pd.to_datetime(["2019-01-01"] * 3 + ["2019-02-01"] * 2 + ["2019-03-01"]),
        "term": ["a", "b", "c", "d", "e", "f"],
        "count": [5, 4, 3, 2, 1, 9],
        "docs": [1] * 6,
        "share": [0.5, 0.3, 0.2, 0.6, 0.4, 1.0],
        "score": [1.0, 3.0, 2.0, -1.0, 0.5, 4.0],
    })


def test_emerging_terms_rank_each_month_by_score() -> None:
    top = view.emerging_terms(hand_keywords(), None, None, top_k=2)
    assert list(zip(top["period"].dt.strftime("%Y-%m"), top["rank"], top["term"], strict=True)) == [
        ("2019-01", 1, "b"), ("2019-01", 2, "c"), ("2019-02", 1, "e"), ("2019-02", 2, "d"), ("2019-03", 1, "f")]


@pytest.mark.parametrize("order", ["by period (a build's)", "any other"])
def test_emerging_terms_keep_the_months_of_the_dates(order: str) -> None:
    keywords = hand_keywords() if order.startswith("by period") else hand_keywords().iloc[::-1]
    top = view.emerging_terms(keywords, date(2019, 2, 20), date(2019, 2, 21), top_k=5)
    assert set(top["term"]) == {"d", "e"}  # a mid-month start keeps its whole month
    assert set(view.emerging_terms(keywords, date(2019, 2, 1), None, top_k=1)["term"]) == {"e", "f"}
    assert set(view.emerging_terms(keywords, None, date(2019, 1, 31), top_k=5)["term"]) == {"a", "b", "c"}


def test_emerging_terms_of_the_factory(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    top = view.emerging_terms(artifacts.keywords, date(2019, 1, 1), None, top_k=3)
    keywords = raw["keywords"].loc[raw["keywords"]["period"] >= "2019-01-01"]
    for period, rows in top.groupby("period"):
        month = keywords.loc[keywords["period"] == period]
        assert rows["score"].tolist() == sorted(month["score"], reverse=True)[:3]
    assert top["period"].nunique() == 12


def test_emerging_by_month_lists_each_months_terms_newest_first() -> None:
    table = view.emerging_by_month(view.emerging_terms(hand_keywords(), None, None, top_k=2))
    assert table["period"].dt.strftime("%Y-%m").tolist() == ["2019-03", "2019-02", "2019-01"]
    assert table["terms"].tolist() == [("f",), ("e", "d"), ("b", "c")]


def test_a_story_is_one_entry_named_by_its_terms_and_a_second_story_moves_up() -> None:
    keywords = hand_keywords().assign(story=["a", "b", "b", "d", "e", "f"])  # in January, c tells b's story
    top = view.emerging_terms(keywords, None, None, top_k=2)
    january = top.loc[top["period"] == "2019-01-01"]
    assert january["term"].tolist() == ["b", "a"]  # c's place goes to the next story, a
    assert january["story_terms"].tolist() == [("b", "c"), ("a",)]
    assert view.emerging_by_month(top)["terms"].tolist()[-1] == ("b · c", "a")


def test_people_are_not_grouped_into_stories() -> None:
    keywords = hand_keywords().assign(is_actor=True, actor_id="x", story=["a", "a", "a", "d", "d", "f"])
    assert "story_terms" not in view.emerging_terms(keywords, None, None, top_k=2, actors=True)


def test_term_pattern_takes_regex_characters_literally() -> None:
    pattern = re.compile(view.term_pattern("a.b*c (x)"), re.IGNORECASE)
    assert pattern.fullmatch("a.b*c (x)")
    assert pattern.fullmatch("A.B*C-(X)") and pattern.fullmatch("a.b*c  (x)")  # any run of spaces or hyphens between words
    assert pattern.search("aXbbc (x)") is None and pattern.search("a.b*c x") is None
    assert view.term_pattern(" - ") == ""


FOUND_SENTENCES = sentence_table([
    ("a", 0, "The Korean side spoke first."),
    ("a", 1, "Korea and the U.S. met; KOREA's envoy left."),
    ("b", 0, "Inter-korea ties and korean food."),
    ("b", 1, "Kim Jong Un met envoys; then Kim Jong-un left."),
    ("c", 0, "Price a.b*c rose, not aXbbc."),
    ("z", 0, "Korea is here, but z is not among the articles listed."),
])
FOUND_ARTICLES = article_meta([("a", "2019-01-02"), ("b", "2019-05-01"), ("c", "2019-03-01")])


@pytest.fixture(scope="module")
def found_store(tmp_path_factory: pytest.TempPathFactory) -> TextStore:
    """FOUND_SENTENCES on disk; the build's articles are FOUND_ARTICLES and "z", which the tests do not list."""
    return write_text_store(tmp_path_factory.mktemp("found"), pd.concat([article_meta([("z", "2019-06-01")]), FOUND_ARTICLES]),
                            FOUND_SENTENCES)


@pytest.mark.parametrize(("term", "expected"), [
    ("korea", [("a", 1)]),                      # whole word: not "Korean", not "Inter-korea"
    ("KOREAN", [("b", 0), ("a", 0)]),           # any case; newest article first
    ("kim-jong-un", [("b", 1)]),                # spaces or hyphens between the words
    ("a.b*c", [("c", 0)]),                      # regex characters taken literally
    ("u.s.", [("a", 1)]),
    ("inter-korea", [("b", 0)]),
    ("envoy", [("a", 1)]),
    ("nowhere", []),
    ("  ", []),
])
def test_find_sentences_matches_whole_words_in_the_given_articles(found_store: TextStore, term: str,
                                                                   expected: list[tuple[str, int]]) -> None:
    found = view.find_sentences(found_store, FOUND_ARTICLES, term)
    assert list(zip(found["article_id"], found["sentence_idx"], strict=True)) == expected
    assert list(found.columns) == list(view.FOUND_COLUMNS)
    by_key = FOUND_SENTENCES.set_index(["article_id", "sentence_idx"])["text"]
    assert found["text"].tolist() == [by_key[key] for key in expected]


def test_found_sentences_carry_their_articles_details(found_store: TextStore) -> None:
    found = view.find_sentences(found_store, FOUND_ARTICLES, "korean")
    assert found["title"].tolist() == ["Title of b", "Title of a"]
    assert found["date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-05-01", "2019-01-02"]


def test_find_sentences_of_the_factory_agree_with_a_plain_regex(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    harbour = artifacts.articles.loc[artifacts.articles["source"] == SOURCES[0]]
    found = view.find_sentences(artifacts.texts, harbour, "missile")
    ids = set(raw["articles"].loc[raw["articles"]["source"] == SOURCES[0], "article_id"])
    sentences = raw["sentences"].loc[raw["sentences"]["article_id"].isin(ids)]
    expected = {(row.article_id, row.sentence_idx) for row in sentences.itertuples() if re.search(r"\bmissile\b", row.text, re.I)}
    assert set(zip(found["article_id"], found["sentence_idx"], strict=True)) == expected and expected
    assert found["date"].is_monotonic_decreasing


def test_find_sentences_with_a_limit_gives_the_first_of_them(found_store: TextStore) -> None:
    everything = view.find_sentences(found_store, FOUND_ARTICLES, "korean")
    for limit in (1, 2, 3):
        pd.testing.assert_frame_equal(view.find_sentences(found_store, FOUND_ARTICLES, "korean", limit=limit), everything.head(limit))


def test_a_limit_reads_the_newest_articles_only(artifacts: Artifacts, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first batch is `limit` articles, newest first: one sentence needs one article's sentences read, not all."""
    texts, read = artifacts.texts, []
    reading = texts._matching_in
    monkeypatch.setattr(texts, "_matching_in", lambda articles, *args: read.append(len(articles)) or reading(articles, *args))
    narrowed, _ = view.articles_using(artifacts.term_matrix, texts, artifacts.articles, "missile")
    found = view.find_sentences(texts, narrowed, "missile", limit=1)
    newest = view.find_sentences(texts, narrowed, "missile").head(1)
    assert read[0] == 1 and len(narrowed) > 1 and found.equals(newest) and len(found) == 1


def test_articles_using_a_term_are_those_it_is_counted_in_else_those_holding_its_words(tmp_path: Path) -> None:
    matrix = hand_term_matrix(pd.DataFrame({"article_id": ["a", "b", "c"], "term": ["korea", "korean", "korea"], "count": [1, 2, 1]}))
    articles = FOUND_ARTICLES.assign(text=["", "Korea's envoy", "Inter-KOREA talks"])
    texts = write_text_store(tmp_path, articles, FOUND_SENTENCES.loc[FOUND_SENTENCES["article_id"] != "z"])
    using, counted = view.articles_using(matrix, texts, FOUND_ARTICLES, " Korea ")
    assert ids(using) == {"a", "c"} and counted
    using, counted = view.articles_using(matrix, texts, FOUND_ARTICLES, "Envoy")  # not a term: the articles holding its words
    assert ids(using) == {"b"} and not counted
    assert ids(view.articles_using(matrix, texts, FOUND_ARTICLES, "inter korea")[0]) == {"c"}
    assert view.articles_using(matrix, texts, FOUND_ARTICLES, "?!")[0].empty  # no word: no article


def test_narrowing_to_the_articles_using_the_term_finds_the_same_sentences(artifacts: Artifacts) -> None:
    matrix = artifacts.term_matrix
    for term, counted in (("missile", True), ("reunion", True), ("kim", True), ("near", False), ("a harsh response", False)):
        narrowed, by_matrix = view.articles_using(matrix, artifacts.texts, artifacts.articles, term)
        assert len(narrowed) < len(artifacts.articles) and by_matrix == counted
        everywhere = view.find_sentences(artifacts.texts, artifacts.articles, term)
        assert view.find_sentences(artifacts.texts, narrowed, term).equals(everywhere) and len(everywhere), term


@pytest.mark.parametrize(("term", "shown"), [("missile", 3), ("missile", 10_000), ("near", 2), ("nowhere", 3)])
def test_in_context_lists_the_newest_lines_and_the_csv_every_sentence(artifacts: Artifacts, term: str, shown: int) -> None:
    filtered = artifacts.articles.loc[artifacts.articles["source"] == SOURCES[0]]
    listing = view.in_context(artifacts.term_matrix, artifacts.texts, filtered, term, shown)
    everything = view.every_sentence(artifacts.texts, artifacts.articles, listing.candidates, term)
    pd.testing.assert_frame_equal(everything, view.find_sentences(artifacts.texts, filtered, term))
    assert listing.lines.equals(view.kwic(everything.head(shown), term)) and listing.more == (len(everything) > shown)
    assert listing.counts == view.kwic_counts(everything.head(shown + 1), shown, len(listing.candidates), term == "missile")


def test_kwic_counts_are_exact_only_when_every_sentence_was_read() -> None:
    found = pd.DataFrame({"article_id": ["a", "a", "b"]})
    assert view.kwic_counts(found, 3, 10, True) == "3 sentences in 2 articles"
    assert view.kwic_counts(found.head(0), 3, 10, True) == "none"
    assert view.kwic_counts(found, 2, 1234, True) == "more than 2 sentences, in the 1,234 articles that use it"
    assert view.kwic_counts(found, 2, 1234, False) == "more than 2 sentences, in the 1,234 articles that hold its words"
    assert view.kwic_counts(found, 3, 1234, True, read=50) == ("3 sentences in 2 articles among the newest 50 of the 1,234 articles "
                                                               "that use it (the others were not read)")
    assert view.kwic_counts(found, 3, 1234, True, read=1234) == "3 sentences in 2 articles"


def test_in_context_reads_no_more_than_its_budget(artifacts: Artifacts, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(view, "MAX_KWIC_READ", 1)
    listing = view.in_context(artifacts.term_matrix, artifacts.texts, artifacts.articles, "reunion", 1000)
    newest = view.find_sentences(artifacts.texts, artifacts.articles, "reunion")
    newest = newest.loc[newest["article_id"] == newest["article_id"].iloc[0]]
    assert listing.lines.equals(view.kwic(newest, "reunion")) and not listing.more
    assert listing.counts.endswith(f"among the newest 1 of the {len(listing.candidates)} articles that use it (the others were not read)")


def test_kwic_cuts_the_sentence_around_the_first_use(found_store: TextStore) -> None:
    found = view.find_sentences(found_store, FOUND_ARTICLES, "korea")
    line = view.kwic(found, "korea", width=12).iloc[0]
    assert (line["left"], line["term"], line["right"]) == ("", "Korea", "and the U.S.…")
    wide = view.kwic(found, "korea", width=100).iloc[0]
    assert (wide["left"], wide["term"], wide["right"]) == ("", "Korea", "and the U.S. met; KOREA's envoy left.")


def test_kwic_keeps_the_term_as_written_and_marks_cut_context(tmp_path: Path) -> None:
    sentences = sentence_table([("a", 0, "Officials from both capitals said the Kim Jong-un visit went well.")])
    articles = article_meta([("a", "2019-01-02")])
    found = view.find_sentences(write_text_store(tmp_path, articles, sentences), articles, "kim jong un")
    lines = view.kwic(found, "kim jong un", width=10)
    assert lines[["left", "term", "right"]].iloc[0].tolist() == ["…s said the", "Kim Jong-un", "visit went…"]
    assert list(lines.columns) == list(view.KWIC_COLUMNS)


def test_kwic_of_no_sentence_is_an_empty_table(found_store: TextStore) -> None:
    lines = view.kwic(view.find_sentences(found_store, FOUND_ARTICLES, "nowhere"), "nowhere")
    assert lines.empty and list(lines.columns) == list(view.KWIC_COLUMNS)


# --- the page, through app.py ---------------------------------------------------------------


def open_keywords(app_test: AppRun, params: dict[str, str | list[str]] | None = None) -> AppTest:
    return app_test(params).switch_page(PAGE).run()


def trend_spec(at: AppTest) -> dict:
    return next(json.loads(chart.proto.spec) for chart in at.get("plotly_chart") if chart.proto.id.endswith("keywords_trends"))


def plotted_counts(at: AppTest) -> dict[str, dict[str, int]]:
    """term -> month -> plotted value, read back from the trend chart's customdata and y (run it on the count measure)."""
    return {trace["customdata"][0][1]: {period[:7]: y for (period, _), y in zip(trace["customdata"], plotted(trace["y"]), strict=True)}
            for trace in trend_spec(at)["data"]}


def kwic_listing(at: AppTest):
    """The keyword-in-context listing under the trend chart."""
    return next(frame for frame in at.dataframe if str(frame.key).startswith("keywords_kwic"))


def test_page_plots_the_terms_of_the_url(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_keywords(app_test, {"term": ["summit", "Missile"]})
    assert not at.exception and [title.value for title in at.title] == ["Keywords"] and not at.warning
    at.segmented_control(key="keywords_measure").set_value("count").run()
    counts = plotted_counts(at)
    every_article = set(raw["articles"]["article_id"])
    assert list(counts) == ["summit", "missile"]
    assert counts["summit"] == {month: count for month, (count, _) in monthly_counts_by_hand(raw, every_article, "summit").items()}
    assert url_values(at, "term") == ["summit", "Missile"]


def test_comma_separated_terms_work_too(app_test: AppRun) -> None:
    at = open_keywords(app_test, {"term": "summit,border"})
    assert not at.exception and [trace["name"] for trace in trend_spec(at)["data"]] == ["summit", "border"]


def test_the_sidebar_filters_recount_the_trends(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_keywords(app_test, {"term": "summit", "source": SOURCES[1], "leader": "kim-jong-un"})
    at.segmented_control(key="keywords_measure").set_value("count").run()
    articles, mentions = raw["articles"], raw["mentions"]
    kept = set(articles.loc[articles["source"] == SOURCES[1], "article_id"])
    kept &= set(mentions.loc[mentions["actor_id"] == "kim-jong-un", "article_id"])
    expected = {month: count for month, (count, _) in monthly_counts_by_hand(raw, kept, "summit").items()}
    assert not at.exception and plotted_counts(at)["summit"] == expected and 0 < len(expected) < 24
    assert any("only the date filter applies" in caption.value for caption in at.caption)


def test_unknown_terms_give_an_escaped_notice_and_the_frequent_terms_are_shown(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_keywords(app_test, {"term": ["<script>x</script>", "[a](javascript:x)"]})
    assert not at.exception
    notices = " ".join(warning.value for warning in at.warning)
    assert "\\<script\\>" in notices and "\\[a\\]\\(javascript\\:x\\)" in notices
    totals = raw["article_terms"].groupby("term")["count"].sum()
    defaults = view.default_terms(within(raw["keywords"], None, None), totals)
    assert [trace["name"] for trace in trend_spec(at)["data"]] == defaults and len(defaults) == view.DEFAULT_TERMS


def test_the_date_filter_limits_the_emerging_months(app_test: AppRun) -> None:
    at = open_keywords(app_test, {"start": "2019-07-01"})
    table = next(frame.value for frame in at.dataframe if "terms" in frame.value.columns)
    assert not at.exception and table["period"].dt.strftime("%Y-%m").tolist() == [f"2019-{month:02d}" for month in range(12, 6, -1)]
    assert all(len(terms) == 5 for terms in table["terms"])


def test_in_context_lists_the_terms_sentences_and_a_line_opens_its_article(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_keywords(app_test, {"term": "breakthrough"})
    assert at.selectbox(key="context_term").value == "breakthrough"
    lines = kwic_listing(at).value
    sentences = raw["sentences"]
    expected = sentences.loc[sentences["text"].str.contains("breakthrough")]
    assert len(lines) == len(expected) and set(lines["term"]) == {"breakthrough"}
    assert lines["date"].is_monotonic_decreasing
    first = lines["article_id"].iloc[0]
    at.session_state[kwic_listing(at).key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception and [title.value for title in at.title] == ["Articles"]
    assert url_values(at, "article") == [first]


def test_clicking_a_point_lists_the_term_in_that_month_under_the_chart_and_keeps_it_in_the_url(
    app_test: AppRun, raw: dict[str, pd.DataFrame],
) -> None:
    at = open_keywords(app_test, {"term": ["summit", "border"]})
    articles, sentences = raw["articles"], raw["sentences"]
    in_month = sentences.merge(articles[["article_id", "date"]], on="article_id")
    with_border = in_month.loc[in_month["text"].str.contains(r"\bborder\b")]
    month = with_border["date"].dt.strftime("%Y-%m-01").iloc[0]
    points = [{"customdata": [month, "border"]}]
    at.session_state["keywords_trends"] = {"selection": {"points": points, "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    expected = (with_border["date"].dt.strftime("%Y-%m-01") == month).sum()
    month_name = pd.Timestamp(month).strftime("%B %Y")
    assert not at.exception and url_values(at, "sel") == [f"{month[:7]}|border"]
    assert any(f'Sentences using "border" in {month_name}: {expected} sentences in' in text.value.replace("\\", "") for text in at.markdown)
    assert len(kwic_listing(at).value) == expected


def test_in_context_beyond_the_lines_shown_counts_only_what_it_knows(app_test: AppRun, raw: dict[str, pd.DataFrame],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(view, "MAX_KWIC_LINES", 2)
    at = open_keywords(app_test, {"term": "breakthrough"})
    using = raw["article_terms"].loc[raw["article_terms"]["term"] == "breakthrough", "article_id"].nunique()
    assert not at.exception and len(kwic_listing(at).value) == 2
    assert any(f"More than 2 sentences, in the {using:,} articles that use it. The newest 2 are shown" in caption.value
               for caption in at.caption)


def test_a_selection_in_the_link_lists_the_same_sentences(app_test: AppRun, raw: dict[str, pd.DataFrame]) -> None:
    at = open_keywords(app_test, {"term": "summit", "sel": "2019-03|border"})
    articles, sentences = raw["articles"], raw["sentences"]
    in_month = sentences.merge(articles[["article_id", "date"]], on="article_id")
    expected = in_month.loc[in_month["text"].str.contains(r"\bborder\b") & (in_month["date"].dt.strftime("%Y-%m") == "2019-03")]
    assert not at.exception and not at.warning
    assert len(kwic_listing(at).value) == len(expected) > 0
    at.button(key="keywords_trends-clear").click().run()  # "Show all" forgets it
    assert not at.exception and url_values(at, "sel") == [] and at.selectbox(key="context_term").value == "summit"


@pytest.mark.parametrize("link", ["2019-13|border", "2019-03|no-such-term", "2019-03", "2019-03|border,summit", "|"])
def test_a_malformed_selection_gives_one_notice_and_no_selection(app_test: AppRun, link: str) -> None:
    at = open_keywords(app_test, {"term": "summit", "sel": link})
    assert not at.exception and len(at.warning) == 1 and "Ignored sel" in at.warning[0].value
    assert url_values(at, "sel") == [] and at.selectbox(key="context_term").value == "summit"


def test_no_matching_article_says_so(app_test: AppRun) -> None:
    at = open_keywords(app_test, {"q": "no article says this"})
    assert not at.exception and any("No article matches" in info.value for info in at.info)



# --- emergence modes and people (issue 12) ----------------------------------------------------


def issue12_keywords() -> pd.DataFrame:
    return hand_keywords().assign(
        score_window=[2.0, np.nan, 5.0, 1.0, 3.0, 0.5],
        is_actor=[False, False, True, True, False, False],
        actor_id=pd.array([None, None, "kim-yo-jong", None, None, None], dtype="str"),
    )


def test_emergence_modes_follow_the_builds_columns() -> None:
    assert view.emergence_modes(issue12_keywords()) == ["score_window", "score"]
    assert view.emergence_modes(hand_keywords()) == ["score"]  # a build made before the window score


def test_emerging_terms_rank_by_the_chosen_score_and_leave_people_out() -> None:
    top = view.emerging_terms(issue12_keywords(), None, None, top_k=2, score="score_window")
    assert list(zip(top["period"].dt.strftime("%Y-%m"), top["rank"], top["term"], strict=True)) == [
        ("2019-01", 1, "a"), ("2019-02", 1, "e"), ("2019-03", 1, "f")]  # "b" has no window score; "c", "d" are people
    assert top["score"].tolist() == [2.0, 3.0, 0.5]


def test_emerging_people_are_named_by_the_actors_table() -> None:
    people = view.emerging_terms(issue12_keywords(), None, None, top_k=5, score="score", actors=True)
    assert people["term"].tolist() == ["c", "d"]
    names = pd.Series({"kim-yo-jong": "Kim Yo-jong"})
    assert view.actor_labels(people, names).tolist() == ["Kim Yo-jong", "d"]
    assert view.emerging_terms(hand_keywords(), None, None, top_k=5, actors=True).empty
