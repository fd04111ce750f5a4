"""Keywords: the log-odds statistic, monthly emergence on a corpus we wrote, the per-article term table."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from pipeline.keywords import article_terms, log_odds_dirichlet, monthly_keywords
from pipeline.terms import terms

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
ARTICLES_PER_MONTH = 5


@pytest.fixture(scope="module")
def year_of_articles() -> pd.DataFrame:
    """Twelve months of formula language; in July four articles also cover a summit in Vladivostok."""
    rng = random.Random(0)
    rows = []
    for month in range(1, 13):
        for number in range(ARTICLES_PER_MONTH):
            sentences = rng.sample(FORMULA, 3)
            if month == EVENT_MONTH and number < len(EVENT):
                sentences.append(EVENT[number])
            rows.append(
                {"article_id": f"2019-{month:02d}-{number}", "date": pd.Timestamp(2019, month, 1 + 5 * number), "text": " ".join(sentences)}
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def keywords(year_of_articles: pd.DataFrame) -> pd.DataFrame:
    return monthly_keywords(year_of_articles)


def test_place_name_is_the_top_emerging_term_of_its_month(keywords: pd.DataFrame) -> None:
    july = keywords[keywords["period"] == pd.Timestamp(2019, EVENT_MONTH, 1)]
    assert july.sort_values("score", ascending=False)["term"].iloc[0] == "vladivostok"
    assert july.set_index("term").loc["vladivostok", "score"] > 2


def test_formula_words_do_not_emerge(keywords: pd.DataFrame) -> None:
    formula_terms = set().union(*(terms(sentence) for sentence in FORMULA))
    formula_rows = keywords[keywords["term"].isin(formula_terms)]
    assert formula_rows["period"].nunique() == 12
    vladivostok = keywords.set_index("term").loc["vladivostok", "score"]
    assert formula_rows["score"].abs().max() < vladivostok / 2


def test_place_name_appears_only_in_its_month(keywords: pd.DataFrame) -> None:
    assert set(keywords.loc[keywords["term"] == "vladivostok", "period"]) == {pd.Timestamp(2019, EVENT_MONTH, 1)}


def test_month_score_is_log_odds_of_the_month_against_the_rest(year_of_articles: pd.DataFrame, keywords: pd.DataFrame) -> None:
    in_july = year_of_articles["date"].dt.month == EVENT_MONTH
    july = pd.Series(Counter(term for text in year_of_articles.loc[in_july, "text"] for term in terms(text)))
    rest = pd.Series(Counter(term for text in year_of_articles.loc[~in_july, "text"] for term in terms(text)))
    expected = log_odds_dirichlet(july, rest, prior=july.add(rest, fill_value=0))["z"]
    scored = keywords[keywords["period"] == pd.Timestamp(2019, EVENT_MONTH, 1)].set_index("term")["score"]
    np.testing.assert_allclose(scored, expected.loc[scored.index], rtol=1e-9)


def test_table_columns_types_and_month_start_periods(keywords: pd.DataFrame) -> None:
    assert list(keywords.columns) == ["period", "term", "count", "docs", "share", "score"]
    assert keywords["period"].dtype == "datetime64[ns]"
    assert (keywords["period"].dt.day == 1).all()
    assert keywords["count"].dtype == "int64" and keywords["docs"].dtype == "int64"


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


def test_min_count_drops_rarer_terms(year_of_articles: pd.DataFrame) -> None:
    assert monthly_keywords(year_of_articles, min_count=5)["count"].min() >= 5
    assert "vladivostok" not in set(monthly_keywords(year_of_articles, min_count=5)["term"])


def test_rows_are_bounded_per_month_keeping_top_count_and_top_score(year_of_articles: pd.DataFrame, keywords: pd.DataFrame) -> None:
    bounded = monthly_keywords(year_of_articles, max_terms=4)
    assert bounded.groupby("period").size().max() <= 4
    for period, month in keywords.groupby("period"):
        kept = set(bounded.loc[bounded["period"] == period, "term"])
        assert month.sort_values(["count", "term"], ascending=[False, True])["term"].iloc[0] in kept
        assert month.sort_values(["score", "term"], ascending=[False, True])["term"].iloc[0] in kept


def test_sorted_by_period_then_score(keywords: pd.DataFrame) -> None:
    assert keywords["period"].is_monotonic_increasing
    for _, month in keywords.groupby("period"):
        assert month["score"].is_monotonic_decreasing


def test_articles_without_a_date_are_left_out(year_of_articles: pd.DataFrame) -> None:
    undated = pd.DataFrame({"article_id": ["x"], "date": [pd.NaT], "text": ["Vladivostok " * 10]})
    with_undated = monthly_keywords(pd.concat([year_of_articles, undated], ignore_index=True))
    pd.testing.assert_frame_equal(with_undated, monthly_keywords(year_of_articles))


def test_a_single_month_has_nothing_to_emerge_from() -> None:
    one_month = pd.DataFrame(
        {
            "article_id": ["a", "b"],
            "date": pd.to_datetime(["2020-05-01", "2020-05-20"]),
            "text": ["summit talks summit talks summit", "summit talks again"],
        }
    )
    table = monthly_keywords(one_month)
    assert len(table) > 0
    np.testing.assert_allclose(table["score"], 0.0, atol=1e-12)


@pytest.mark.parametrize("texts", [[], ["It was said."]])
def test_nothing_to_count_gives_a_typed_empty_table(texts: list[str]) -> None:
    articles = pd.DataFrame(
        {"article_id": [f"a{n}" for n in range(len(texts))], "date": pd.to_datetime(["2020-01-01"] * len(texts)), "text": texts}
    )
    table = monthly_keywords(articles)
    assert table.empty
    assert list(table.columns) == ["period", "term", "count", "docs", "share", "score"]
    assert table["period"].dtype == "datetime64[ns]"


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
