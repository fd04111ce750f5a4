"""Keywords: the log-odds statistic, monthly emergence on a corpus we wrote, the per-article term table."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from pipeline.keywords import (
    KEYWORD_COLUMNS,
    MIN_DOCS,
    PRIOR_SCALE,
    STORY_OVERLAP,
    STORY_TERMS_SHOWN,
    WINDOW_MONTHS,
    article_term_columns,
    article_terms,
    gazetteer_actor_terms,
    log_odds_dirichlet,
    monthly_keywords,
    rank_emerging,
)
from pipeline import keywords as keywords_module
from pipeline.terms import TermCounts, count_terms, terms

# --- log_odds_dirichlet -------------------------------------------------------------------

A = pd.Series({"sanctions": 40, "talks": 12, "missile": 30, "summit": 2})
B = pd.Series({"sanctions": 10, "talks": 25, "missile": 31, "flood": 7})


def test_columns_and_index() -> None:
    table = log_odds_dirichlet(A, B)
    assert list(table.columns) == ["count_a", "count_b", "delta", "z"]
    assert table.index.name == "term"
    assert set(table.index) == set(A.index) | set(B.index)


def test_missing_counts_are_zero() -> None:
    table = log_odds_dirichlet(A, B)
    assert table.loc["flood", "count_a"] == 0 and table.loc["summit", "count_b"] == 0


def test_swapping_the_corpora_negates_delta_and_z() -> None:
    forward, backward = log_odds_dirichlet(A, B), log_odds_dirichlet(B, A)
    backward = backward.loc[forward.index]
    np.testing.assert_allclose(forward["z"], -backward["z"], atol=1e-12)
    np.testing.assert_allclose(forward["delta"], -backward["delta"], atol=1e-12)


def test_identical_corpora_give_zero_z() -> None:
    np.testing.assert_allclose(log_odds_dirichlet(A, A)["z"], 0.0, atol=1e-12)


def test_proportional_corpora_give_near_zero_z() -> None:
    assert log_odds_dirichlet(A * 3, A)["z"].abs().max() < 1e-9


def test_term_a_uses_more_is_positive_and_ranked_first() -> None:
    table = log_odds_dirichlet(A, B)
    assert table.index[0] == "sanctions"
    assert table.loc["sanctions", "z"] > 2
    assert table.loc["talks", "z"] < 0
    assert list(table["z"]) == sorted(table["z"], reverse=True)


def test_rare_evidence_is_shrunk_below_strong_evidence() -> None:
    rare_and_common = pd.Series({"hanoi": 2, "summit": 200, "the": 5000})
    background = pd.Series({"hanoi": 0, "summit": 20, "the": 5000})
    table = log_odds_dirichlet(rare_and_common, background)
    assert table.loc["summit", "z"] > table.loc["hanoi", "z"] > 0


def test_stronger_prior_shrinks_the_log_odds() -> None:
    weak, strong = log_odds_dirichlet(A, B, prior_scale=0.1), log_odds_dirichlet(A, B, prior_scale=10.0)
    assert abs(strong.loc["sanctions", "delta"]) < abs(weak.loc["sanctions", "delta"])


def test_terms_missing_from_an_explicit_prior_stay_finite() -> None:
    table = log_odds_dirichlet(A, B, prior=pd.Series({"sanctions": 100, "talks": 100}))
    assert np.isfinite(table[["delta", "z"]].to_numpy()).all()


# --- monthly_keywords on a corpus we wrote ---------------------------------------------------

FORMULA = [
    "The respected leader praised the heroic workers for their loyal labour.",
    "Farmers pledged to raise the grain harvest in the spirit of the great party.",
    "Workers at the steel complex overfulfilled the plan with patriotic devotion.",
    "The heroic people rallied around the party with boundless loyalty.",
    "Teachers and students vowed to study the revolutionary ideas of the leader.",
]
EVENT_MONTH = 7
EVENT = [
    "Delegations arrived in Vladivostok for a summit.",
    "The meeting in Vladivostok ended with a banquet.",
    "Talks in Vladivostok lasted two days.",
    "Vladivostok hosted the visitors at the harbour.",
]
ARTICLES_PER_MONTH = 20
EVENT_ARTICLES = 8
NO_ACTORS: dict[str, str | None] = {}


def _article(month: int, number: int, sentences: list[str], year: int = 2019) -> dict:
    return {"article_id": f"{year}-{month:02d}-{number}", "date": pd.Timestamp(year, month, 1 + number), "text": " ".join(sentences)}


@pytest.fixture(scope="module")
def year_of_articles() -> pd.DataFrame:
    """Twelve months of formula language; in July eight of the twenty articles also cover a summit in Vladivostok."""
    rng = random.Random(0)
    rows = []
    for month in range(1, 13):
        for number in range(ARTICLES_PER_MONTH):
            sentences = rng.sample(FORMULA, 2)
            if month == EVENT_MONTH and number < EVENT_ARTICLES:
                sentences.append(EVENT[number % len(EVENT)])
            rows.append(_article(month, number, sentences))
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def keywords(year_of_articles: pd.DataFrame) -> pd.DataFrame:
    return monthly_keywords(year_of_articles, actor_terms=NO_ACTORS)


def test_place_name_is_the_top_emerging_term_of_its_month_in_both_modes(keywords: pd.DataFrame) -> None:
    july = keywords[keywords["period"] == pd.Timestamp(2019, EVENT_MONTH, 1)]
    for score in ("score", "score_window"):
        assert july.sort_values(score, ascending=False)["term"].iloc[0] == "vladivostok", score
        assert july.set_index("term").loc["vladivostok", score] > 2


def test_formula_words_do_not_emerge(keywords: pd.DataFrame) -> None:
    formula_terms = set().union(*(terms(sentence) for sentence in FORMULA))
    formula_rows = keywords[keywords["term"].isin(formula_terms)]
    assert formula_rows["period"].nunique() == 12
    vladivostok = keywords.set_index("term").loc["vladivostok", "score"]
    assert formula_rows["score"].abs().max() < vladivostok  # month-to-month noise stays below the event


def test_place_name_appears_only_in_its_month(keywords: pd.DataFrame) -> None:
    assert set(keywords.loc[keywords["term"] == "vladivostok", "period"]) == {pd.Timestamp(2019, EVENT_MONTH, 1)}


def _doc_z(docs_a: float, n_a: float, docs_b: float, n_b: float, rate: float) -> float:
    """Monroe et al. (2008) eq. 16-22 written out for articles, the prior PRIOR_SCALE x (n_a + n_b) articles at `rate`."""
    alpha_0 = PRIOR_SCALE * (n_a + n_b)
    alpha = alpha_0 * rate
    delta = np.log((docs_a + alpha) / (n_a + alpha_0 - docs_a - alpha)) - np.log((docs_b + alpha) / (n_b + alpha_0 - docs_b - alpha))
    return delta / np.sqrt(1 / (docs_a + alpha) + 1 / (docs_b + alpha))


def test_scores_are_log_odds_in_articles_against_the_rest_and_the_window(year_of_articles: pd.DataFrame, keywords: pd.DataFrame) -> None:
    month = year_of_articles["date"].dt.month
    uses = year_of_articles["text"].map(lambda text: set(terms(text)))
    rows = keywords[keywords["period"] == pd.Timestamp(2019, EVENT_MONTH, 1)].set_index("term")
    checked = rows.index[:20]
    for term in checked:
        using = uses.map(lambda found, term=term: term in found)
        docs = using[month == EVENT_MONTH].sum()
        rest = using[month != EVENT_MONTH].sum()
        window = using[month.between(EVENT_MONTH - WINDOW_MONTHS, EVENT_MONTH - 1)].sum()
        rate = using.mean()
        assert rows.loc[term, "docs"] == docs
        assert rows.loc[term, "window_docs"] == window
        assert rows.loc[term, "score"] == pytest.approx(_doc_z(docs, 20, rest, 220, rate), rel=1e-9)
        assert rows.loc[term, "score_window"] == pytest.approx(_doc_z(docs, 20, window, 20 * WINDOW_MONTHS, rate), rel=1e-9)


def test_a_heavier_prior_pulls_an_event_towards_its_usual_rate(year_of_articles: pd.DataFrame) -> None:
    july = pd.Timestamp(2019, EVENT_MONTH, 1)
    light, heavy = (
        monthly_keywords(year_of_articles, actor_terms=NO_ACTORS, prior_scale=scale).set_index(["period", "term"]).loc[(july, "vladivostok")]
        for scale in (PRIOR_SCALE, 1.0)
    )
    for score in ("score", "score_window"):
        assert 0 < heavy[score] < light[score]


def test_an_arrival_that_stays_ranks_first_in_its_month_against_the_window() -> None:
    """A new name floods the corpus in month 7 and stays: against the preceding months it is the top term of its
    arrival month, scoring far higher than against the whole corpus (the months after use it as much)."""
    rng = random.Random(1)
    rows = []
    for month in range(1, 13):
        for number in range(ARTICLES_PER_MONTH):
            sentences = rng.sample(FORMULA, 2)
            if month >= EVENT_MONTH and number < 12:
                sentences.append("Zorvath.")
            rows.append(_article(month, number, sentences))
    table = monthly_keywords(pd.DataFrame(rows), actor_terms=NO_ACTORS)
    arrival = rank_emerging(table, "score_window")
    arrival = arrival[arrival["period"] == pd.Timestamp(2019, EVENT_MONTH, 1)]
    assert arrival["term"].iloc[0] == "zorvath"
    assert arrival["score"].iloc[0] < arrival["score_window"].iloc[0] / 2  # the months after dilute the whole-corpus score
    later = table[(table["term"] == "zorvath") & (table["period"] > pd.Timestamp(2019, EVENT_MONTH, 1))]
    assert later["score_window"].is_monotonic_decreasing and later["score_window"].iloc[0] < arrival["score_window"].iloc[0]
    assert abs(later["score_window"].iloc[-1]) < 1  # once the window holds it every month, staying is not arriving


def test_the_window_is_calendar_months_and_missing_before_the_first_month(keywords: pd.DataFrame) -> None:
    january = keywords[keywords["period"] == pd.Timestamp(2019, 1, 1)]
    assert january["score_window"].isna().all() and (january["window_docs"] == 0).all()
    assert keywords.loc[keywords["period"] > pd.Timestamp(2019, 1, 1), "score_window"].notna().all()
    gap = pd.DataFrame([_article(1, 0, [EVENT[0]] * 2), _article(1, 1, [EVENT[1]]), _article(9, 0, [EVENT[2]]), _article(9, 1, [EVENT[3]])])
    september = monthly_keywords(gap, actor_terms=NO_ACTORS, window=6)
    september = september[september["period"] == pd.Timestamp(2019, 9, 1)]
    assert september["score_window"].isna().all()  # January is eight months before: outside the window


def test_a_term_needs_two_articles_in_its_month(keywords: pd.DataFrame, year_of_articles: pd.DataFrame) -> None:
    assert keywords["docs"].min() >= MIN_DOCS
    one_article = pd.concat([year_of_articles, pd.DataFrame([_article(3, 27, ["Khabarovsk Khabarovsk Khabarovsk Khabarovsk."])])])
    assert "khabarovsk" not in set(monthly_keywords(one_article, actor_terms=NO_ACTORS)["term"])
    assert monthly_keywords(year_of_articles, min_docs=9, actor_terms=NO_ACTORS)["docs"].min() >= 9


def test_actors_are_marked_and_korean_names_count_as_actors() -> None:
    texts = ["Kim Yo Jong issued a statement on drones.", "Kim Yo Jong denounced drones again.",
             "Pak Pong Ju toured a farm with Putin.", "Pak Pong Ju and Putin inspected drones."]
    articles = pd.DataFrame([_article(5, number, [text]) for number, text in enumerate(texts)])
    table = monthly_keywords(articles, actor_terms={"kim-yo-jong": "kim-yo-jong", "putin": "vladimir-putin", "kim": None}).set_index("term")
    assert table.loc["kim-yo-jong", "is_actor"] and table.loc["kim-yo-jong", "actor_id"] == "kim-yo-jong"
    assert table.loc["putin", "actor_id"] == "vladimir-putin"
    assert table.loc["pak-pong-ju", "is_actor"] and pd.isna(table.loc["pak-pong-ju", "actor_id"])  # a person the gazetteer lacks
    assert not table.loc["drones", "is_actor"]
    assert set(rank_emerging(table.reset_index(), "score")["term"]).isdisjoint({"kim-yo-jong", "putin", "pak-pong-ju"})


def test_the_gazetteer_terms_cover_ids_names_surnames_and_titles() -> None:
    actor_terms = gazetteer_actor_terms()
    assert actor_terms["kim-yo-jong"] == "kim-yo-jong"
    assert actor_terms["putin"] == "vladimir-putin" and actor_terms["president putin"] == "vladimir-putin"
    assert "kim" in actor_terms and actor_terms["kim"] is None  # several people


def test_actor_list_has_one_row_per_actor_ranked_by_its_best_term() -> None:
    table = pd.DataFrame({
        "period": pd.to_datetime(["2020-01-01"] * 4), "term": ["putin", "president putin", "summit", "kim"],
        "score": [3.0, 5.0, 4.0, 1.0], "score_window": [1.0, 2.0, np.nan, 0.5],
        "is_actor": [True, True, False, True], "actor_id": ["vladimir-putin", "vladimir-putin", None, None],
    })
    people = rank_emerging(table, "score", actors=True)
    assert list(people["term"]) == ["president putin", "kim"] and list(people["rank"]) == [1, 2]
    assert list(rank_emerging(table, "score_window")["term"]) == []  # the plain term has no window score
    assert list(rank_emerging(table.drop(columns=["is_actor"]), "score")["term"]) == ["president putin", "summit", "putin", "kim"]


def test_table_columns_types_and_month_start_periods(keywords: pd.DataFrame) -> None:
    assert list(keywords.columns) == list(KEYWORD_COLUMNS)
    assert keywords["period"].dtype == "datetime64[ns]"
    assert (keywords["period"].dt.day == 1).all()
    assert keywords["count"].dtype == "int64" and keywords["docs"].dtype == "int64" and keywords["window_docs"].dtype == "int64"
    assert keywords["is_actor"].dtype == bool


def test_counts_docs_and_shares_match_a_direct_count(year_of_articles: pd.DataFrame, keywords: pd.DataFrame) -> None:
    march = year_of_articles[year_of_articles["date"].dt.month == 3]
    per_article = [Counter(terms(text)) for text in march["text"]]
    month_total = sum(sum(counter.values()) for counter in per_article)
    rows = keywords[keywords["period"] == pd.Timestamp(2019, 3, 1)].set_index("term")
    assert len(rows) > 0
    for term, row in rows.iterrows():
        assert row["count"] == sum(counter[term] for counter in per_article)
        assert row["docs"] == sum(term in counter for counter in per_article)
        assert row["share"] == pytest.approx(row["count"] / month_total)


def test_rows_are_bounded_per_month_keeping_top_docs_and_top_scores(year_of_articles: pd.DataFrame, keywords: pd.DataFrame) -> None:
    bounded = monthly_keywords(year_of_articles, max_terms=4, actor_terms=NO_ACTORS)
    assert bounded.groupby("period").size().max() <= 6
    for period, month in keywords.groupby("period"):
        kept = set(bounded.loc[bounded["period"] == period, "term"])
        for column in ("docs", "score", "score_window"):
            if month[column].notna().any():
                assert month.sort_values([column, "term"], ascending=[False, True])["term"].iloc[0] in kept


def test_sorted_by_period_then_score(keywords: pd.DataFrame) -> None:
    assert keywords["period"].is_monotonic_increasing
    for _, month in keywords.groupby("period"):
        assert month["score"].is_monotonic_decreasing


def test_articles_without_a_date_are_left_out(year_of_articles: pd.DataFrame) -> None:
    undated = pd.DataFrame({"article_id": ["x", "y"], "date": [pd.NaT, pd.NaT], "text": ["Vladivostok " * 10] * 2})
    with_undated = monthly_keywords(pd.concat([year_of_articles, undated], ignore_index=True), actor_terms=NO_ACTORS)
    pd.testing.assert_frame_equal(with_undated, monthly_keywords(year_of_articles, actor_terms=NO_ACTORS))


def test_a_single_month_has_nothing_to_emerge_from() -> None:
    one_month = pd.DataFrame(
        {
            "article_id": ["a", "b"],
            "date": pd.to_datetime(["2020-05-01", "2020-05-20"]),
            "text": ["summit talks summit talks summit", "summit talks again"],
        }
    )
    table = monthly_keywords(one_month, actor_terms=NO_ACTORS)
    assert len(table) > 0
    np.testing.assert_allclose(table["score"], 0.0, atol=1e-12)
    assert table["score_window"].isna().all()


@pytest.mark.parametrize("texts", [[], ["It was said."]])
def test_nothing_to_count_gives_a_typed_empty_table(texts: list[str]) -> None:
    articles = pd.DataFrame(
        {"article_id": [f"a{n}" for n in range(len(texts))], "date": pd.to_datetime(["2020-01-01"] * len(texts)), "text": texts}
    )
    table = monthly_keywords(articles)
    assert table.empty
    assert list(table.columns) == list(KEYWORD_COLUMNS)
    assert table["period"].dtype == "datetime64[ns]"


# --- stories: one entry per story of a month ---------------------------------------------------

FESTIVAL = "The spring festival opened with dazzling fireworks, brass bands and mass gymnastics in every county."
LAUNCH = "Engineers launched the Zephyrion satellite."


def _month_with_two_stories(launch_articles: int = 3, extra: dict[int, str] | None = None) -> pd.DataFrame:
    """Formula months; in July ten articles cover a festival in many words, `launch_articles` a satellite launch.

    `extra`: a sentence added to the July article of that number.
    """
    rng = random.Random(2)
    rows = []
    for month in range(1, 13):
        for number in range(ARTICLES_PER_MONTH):
            sentences = rng.sample(FORMULA, 2)
            if month == EVENT_MONTH:
                if number < 10:
                    sentences.append(FESTIVAL)
                elif number < 10 + launch_articles:
                    sentences.append(LAUNCH)
                if extra and number in extra:
                    sentences.append(extra[number])
            rows.append(_article(month, number, sentences))
    return pd.DataFrame(rows)


def test_a_big_story_fills_the_term_ranking_but_is_one_story_so_a_second_event_shows() -> None:
    table = monthly_keywords(_month_with_two_stories(), actor_terms=NO_ACTORS)
    july = table[table["period"] == pd.Timestamp(2019, EVENT_MONTH, 1)]
    festival_terms = set(terms(FESTIVAL))
    for score in ("score", "score_window"):
        by_term = rank_emerging(july, score)
        assert by_term.loc[by_term["term"] == "zephyrion", "rank"].iloc[0] > 10, score  # behind the festival's words
        by_story = rank_emerging(july, score, stories=True)
        assert set(by_story["story_terms"].iloc[0]) <= festival_terms, score
        assert len(by_story["story_terms"].iloc[0]) == STORY_TERMS_SHOWN
        assert by_story["term"].iloc[0] == by_story["story_terms"].iloc[0][0]  # the lead is listed first
        second = by_story.iloc[1]
        assert second["rank"] == 2 and {"zephyrion", "satellite"} <= set(second["story_terms"]), score


def test_a_term_joins_a_story_when_its_articles_overlap_the_leads_enough() -> None:
    """'parade' is in 3 of the festival's 10 articles (Jaccard 0.3: joins); 'regatta' in 2 of them
    and 3 others (2 / 11: its own story); with a higher overlap needed, 'parade' is its own story too."""
    extra = {0: "A parade passed.", 1: "A parade passed.", 2: "A parade passed.", 3: "A regatta sailed.", 4: "A regatta sailed.",
             15: "A regatta sailed.", 16: "A regatta sailed.", 17: "A regatta sailed."}
    articles = _month_with_two_stories(launch_articles=0, extra=extra)
    july = pd.Timestamp(2019, EVENT_MONTH, 1)
    table = monthly_keywords(articles, actor_terms=NO_ACTORS).set_index(["period", "term"]).loc[july]
    lead = table.loc["festival", "story"]
    assert lead in set(terms(FESTIVAL)) and table.loc[lead, "story"] == lead and table.loc[lead, "story_window"] == lead
    assert STORY_OVERLAP <= 0.3
    assert table.loc["parade", "story"] == lead and table.loc["parade", "story_window"] == lead
    assert table.loc["regatta", "story"] == "regatta" and table.loc["regatta", "story_window"] == "regatta"
    strict = monthly_keywords(articles, actor_terms=NO_ACTORS, story_overlap=0.31).set_index(["period", "term"]).loc[july]
    assert strict.loc["parade", "story"] == "parade"


def test_another_form_of_a_leads_word_joins_its_story_and_is_listed_once() -> None:
    """'celebrations' (articles 10-11) and 'celebrating' (articles 12-14) share no article, so no Jaccard
    index joins them; as forms of one word they are one story, which lists the better-ranked form only."""
    extra = {10: "Celebrations continued.", 11: "Celebrations continued.", 12: "Celebrating crowds.",
             13: "Celebrating crowds.", 14: "Celebrating crowds.", 15: "A regatta sailed.", 16: "A regatta sailed."}
    articles = _month_with_two_stories(launch_articles=0, extra=extra)
    july = pd.Timestamp(2019, EVENT_MONTH, 1)
    table = monthly_keywords(articles, actor_terms=NO_ACTORS).set_index(["period", "term"]).loc[july]
    for column, score in (("story", "score"), ("story_window", "score_window")):
        lead = table.loc["celebrating", column]
        assert lead in {"celebrations", "celebrating"} and table.loc["celebrations", column] == lead, column
        assert table.loc["regatta", column] == "regatta", column
        ranked = rank_emerging(table.reset_index().assign(period=july), score, stories=True)
        listed = ranked.loc[ranked["term"] == lead, "story_terms"].iloc[0]
        assert listed[0] == lead and len({"celebrations", "celebrating"} & set(listed)) == 1, listed


@pytest.mark.parametrize(("actors", "stories"), [(False, True), (True, False), (False, False)])
@pytest.mark.parametrize("limit", [1, 2])
def test_a_limit_keeps_each_months_first_entries_as_ranked_without_it(actors: bool, stories: bool, limit: int) -> None:
    extra = {10: "Celebrations continued.", 11: "Celebrations continued.", 12: "Celebrating crowds.", 13: "Putin waved.",
             14: "Putin waved.", 15: "A regatta sailed.", 16: "A regatta sailed.", 17: "Xi and Abe smiled.", 18: "Xi and Abe smiled."}
    actor_terms = {"putin": "vladimir-putin", "xi": "xi-jinping", "abe": "shinzo-abe"}
    table = monthly_keywords(_month_with_two_stories(extra=extra), actor_terms=actor_terms)
    for score in ("score", "score_window"):
        whole = rank_emerging(table, score, actors, stories)
        assert whole.groupby("period")["rank"].max().max() > limit  # the limit cuts something
        limited = rank_emerging(table, score, actors, stories, limit=limit)
        pd.testing.assert_frame_equal(limited, whole[whole["rank"] <= limit].reset_index(drop=True))


def test_a_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        rank_emerging(monthly_keywords(_month_with_two_stories(), actor_terms=NO_ACTORS), "score", stories=True, limit=-1)


def test_people_are_their_own_story_and_old_builds_rank_one_story_per_term() -> None:
    texts = ["Putin toured the spring festival.", "Putin opened the spring festival.", "The spring festival ended."]
    table = monthly_keywords(pd.DataFrame([_article(5, n, [text]) for n, text in enumerate(texts)]),
                             actor_terms={"putin": "vladimir-putin"}).set_index("term")
    assert table.loc["putin", "story"] == "putin" and table.loc["putin", "story_window"] == "putin"
    old = pd.DataFrame({"period": pd.to_datetime(["2020-01-01"] * 2), "term": ["summit", "hanoi"], "score": [2.0, 1.0]})
    ranked = rank_emerging(old, "score", stories=True)
    assert list(ranked["term"]) == ["summit", "hanoi"] and list(ranked["story_terms"]) == [("summit",), ("hanoi",)]


def test_the_bounded_table_keeps_a_months_best_plain_terms_even_when_people_outrank_them() -> None:
    texts = ["Putin and Xi met.", "Putin and Xi met at the festival.", "Putin and Xi toured the festival."]
    rows = [_article(5, n, [text]) for n, text in enumerate(texts)] + [_article(4, n, ["Farmers worked."]) for n in range(2)]
    actor_terms = {"putin": "vladimir-putin", "xi": "xi-jinping"}
    may = monthly_keywords(pd.DataFrame(rows), max_terms=2, actor_terms=actor_terms)
    may = may[may["period"] == pd.Timestamp(2019, 5, 1)]
    assert set(may["term"]) == {"putin", "festival"}  # the best person, and the best plain term (by each score)


# --- article_terms ---------------------------------------------------------------------------

SMALL = pd.DataFrame(
    {
        "article_id": ["a", "b", "c"],
        "text": [
            "Summit talks resumed. Summit hopes rose.",
            "Summit talks stalled over sanctions.",
            "Flood damage and sanctions after the summit.",
        ],
    }
)


def test_article_terms_keep_terms_in_enough_articles() -> None:
    table = article_terms(SMALL, min_docs=2)
    assert set(table["term"]) == {"summit", "talks", "summit talks", "sanctions"}


def test_article_terms_counts_match_the_article() -> None:
    table = article_terms(SMALL, min_docs=2)
    first = table[table["article_id"] == "a"].set_index("term")["count"].to_dict()
    expected = Counter(terms(SMALL["text"].iloc[0]))
    assert first == {term: expected[term] for term in first}
    assert first["summit"] == 2


def test_article_terms_cap_keeps_the_most_widespread() -> None:
    table = article_terms(SMALL, min_docs=1, max_terms=1)
    assert set(table["term"]) == {"summit"}
    assert len(table) == 3


def test_article_terms_columns_and_types() -> None:
    table = article_terms(SMALL)
    assert list(table.columns) == ["article_id", "term", "count"]
    assert table["count"].dtype == "int64"
    assert (table["count"] >= 1).all()


def test_article_terms_of_a_subset_feed_the_log_odds() -> None:
    table = article_terms(SMALL, min_docs=1)
    subset = table[table["article_id"].isin(["c"])].groupby("term")["count"].sum()
    rest = table[~table["article_id"].isin(["c"])].groupby("term")["count"].sum()
    assert log_odds_dirichlet(subset, rest).loc["flood", "z"] > 0


def test_months_summed_a_few_articles_at_a_time_give_the_same_table(year_of_articles: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    shuffled = year_of_articles.sample(frac=1, random_state=1).reset_index(drop=True)  # months interleaved, as corpora come
    whole = monthly_keywords(shuffled, actor_terms=NO_ACTORS)
    monkeypatch.setattr(keywords_module, "MONTH_SUM_ROWS", 7)  # blocks of one month and less than a month's articles
    pd.testing.assert_frame_equal(monthly_keywords(shuffled, actor_terms=NO_ACTORS), whole)


def test_presence_shares_the_counts_pattern_and_drops_explicit_zeros() -> None:
    counts = count_terms(SMALL["text"].tolist()).counts
    uses = keywords_module.presence(counts)
    assert np.shares_memory(uses.indices, counts.indices) and (uses != (counts > 0)).nnz == 0
    counts = counts.copy()
    counts.data[0] = 0
    assert (keywords_module.presence(counts) != (counts > 0)).nnz == 0 and keywords_module.presence(counts).nnz == counts.nnz - 1


def test_article_terms_in_chunks_of_articles_equal_the_whole_table() -> None:
    counted = count_terms(SMALL["text"].tolist())
    columns = article_term_columns(counted.counts, min_docs=2)
    chunks = [
        article_terms(SMALL.iloc[rows], term_counts=TermCounts(counted.counts[rows], counted.vocabulary), columns=columns)
        for rows in (slice(0, 2), slice(2, 3))
    ]
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), article_terms(SMALL, min_docs=2))


def test_month_sums_and_window_sums_equal_summing_article_by_article() -> None:
    # Months out of order with gaps (a window spans calendar months, not listed ones), an explicit zero (no use),
    # and blocks of fewer articles than a month holds.
    rng = np.random.default_rng(3)
    dense = rng.integers(0, 3, size=(60, 25)) * (rng.random((60, 25)) < 0.3)
    counts = sp.csr_matrix(dense)
    counts.data[0] = 0  # an explicit zero: counted neither as an occurrence nor as an article
    dense = counts.toarray()
    ordinals = np.array([0, 1, 3, 4, 9, 10, 11, 20])  # calendar months of the listed months
    month_codes = rng.integers(0, len(ordinals), size=60)
    expected_counts = np.array([dense[month_codes == m].sum(axis=0) for m in range(len(ordinals))], dtype=float)
    expected_docs = np.array([(dense[month_codes == m] > 0).sum(axis=0) for m in range(len(ordinals))], dtype=float)
    for rows in (7, 50_000):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(keywords_module, "MONTH_SUM_ROWS", rows)
            month_counts, month_docs = keywords_module._month_sums(counts, month_codes, len(ordinals))
        assert np.array_equal(month_counts.toarray(), expected_counts) and np.array_equal(month_docs.toarray(), expected_docs)
        assert np.array_equal(month_counts.indices, month_docs.indices) and month_docs.has_sorted_indices
    month, term = np.nonzero(expected_docs)
    for window in (0, 1, 6):
        found = keywords_module._window_docs(month_docs, ordinals, month, term, window)
        gap = ordinals[month][:, None] - ordinals[None, :]
        expected = ((gap >= 1) & (gap <= window)) @ expected_docs
        assert np.array_equal(found, expected[np.arange(len(month)), term]), window
