"""Filters <-> URL parameters, and the articles a filter selects (checked against plain-Python expectations)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.data import Artifacts
from dashboard.filters import (
    MAX_ECHOED_VALUES,
    MAX_VALUES_PER_PARAM,
    TOPIC_MIN_WEIGHT,
    FilterUniverse,
    Filters,
    apply_filters,
    merge_notices,
    parse_query_params,
    search_notices,
    to_query_params,
)
from dashboard.safe_text import MAX_ECHO_LENGTH
from pipeline import search_index
from tests.dashboard.artifact_factory import ARTICLE_ID, NO_TOPIC_ARTICLE

UNIVERSE = FilterUniverse(
    first_date=date(2018, 1, 2),
    last_date=date(2019, 12, 30),
    leaders={"kim-jong-un": "Kim Jong Un", "donald-trump": "Donald Trump", "moon-jae-in": "Moon Jae-in"},
    sources=("Demo: Harbour Times", "Wire, Seoul edition"),
    topics={0: "summit diplomacy", 1: "missile tests", 3: "sanctions"},
    article_ids=frozenset({"art-1", "art-2"}),
)


def parse(params: dict) -> tuple[Filters, list[str]]:
    return parse_query_params(params, UNIVERSE)


# --- parsing -------------------------------------------------------------------------


def test_no_parameters_is_no_filter() -> None:
    assert parse({}) == (Filters(), [])


def test_repeated_and_comma_separated_values_are_the_same() -> None:
    repeated, _ = parse({"leader": ["kim-jong-un", "donald-trump"]})
    commas, _ = parse({"leader": "kim-jong-un,donald-trump"})
    spaced, _ = parse({"leader": [" kim-jong-un , donald-trump,"]})
    assert repeated.leaders == commas.leaders == spaced.leaders == ("kim-jong-un", "donald-trump")


def test_duplicates_are_dropped_and_order_kept() -> None:
    filters, notices = parse({"leader": ["moon-jae-in", "kim-jong-un,moon-jae-in"]})
    assert filters.leaders == ("moon-jae-in", "kim-jong-un") and notices == []


def test_unknown_leader_is_dropped_with_a_notice_naming_it() -> None:
    filters, notices = parse({"leader": "kim-jong-un,<script>x</script>"})
    assert filters.leaders == ("kim-jong-un",)
    assert len(notices) == 1 and "<script>x</script>" in notices[0]


def test_a_known_value_containing_a_comma_is_not_split() -> None:
    filters, notices = parse({"source": ["Wire, Seoul edition", "Demo: Harbour Times"]})
    assert filters.sources == ("Wire, Seoul edition", "Demo: Harbour Times") and notices == []


def test_topics_are_integer_ids() -> None:
    filters, notices = parse({"topic": ["3,0", "x", "2"]})
    assert filters.topics == (3, 0)
    assert notices == ['Ignored 2 topic values not known in this build: "x", "2".']


def test_thousands_of_repeated_values_give_one_notice() -> None:
    """`leader=x,x,...` 5,000 times (repeated keys and commas) used to give 5,000 warning boxes."""
    filters, notices = parse({"leader": ["nobody"] * 5_000 + [",".join(["nobody"] * 5_000), "kim-jong-un"]})
    assert filters.leaders == ("kim-jong-un",)
    assert notices == ['Ignored leader "nobody": not a known leader of this build.']


def test_many_different_values_are_capped_and_listed_briefly() -> None:
    filters, notices = parse({"source": ["Demo: Harbour Times"] + [f"outlet-{i}" for i in range(5_000)]})
    assert filters.sources == ("Demo: Harbour Times",)
    assert notices[0] == f"Only the first {MAX_VALUES_PER_PARAM} different source values were read (5,001 given)."
    assert notices[1].startswith(f"Ignored {MAX_VALUES_PER_PARAM - 1} source values not known in this build: ")
    assert notices[1].endswith(f'"outlet-4" and {MAX_VALUES_PER_PARAM - 1 - MAX_ECHOED_VALUES} more.')
    assert sum(len(notice) for notice in notices) < 500


def test_a_known_value_beyond_the_cap_is_not_read() -> None:
    filters, _ = parse({"leader": [f"x{i}" for i in range(MAX_VALUES_PER_PARAM)] + ["kim-jong-un"]})
    assert filters.leaders == ()


@pytest.mark.parametrize("name", ["leader", "source", "topic", "start", "end", "article"])
def test_long_values_are_shortened_when_echoed(name: str) -> None:
    _, notices = parse({name: "y" * 100_000})
    assert len(notices) == 1
    assert "y" * MAX_ECHO_LENGTH + "…" in notices[0] and "y" * (MAX_ECHO_LENGTH + 1) not in notices[0]


def test_notices_are_merged_into_one() -> None:
    _, notices = parse({"start": "soon", "leader": "nobody", "topic": "x"})
    merged = merge_notices(notices)
    assert len(notices) == 3 and len(merged) == 1
    assert all(notice in merged[0] for notice in notices)
    assert merge_notices([]) == [] and merge_notices(notices[:1]) == notices[:1]


@pytest.mark.parametrize("raw", ["2019-13-01", "2019-02-30", "yesterday", "20190101", "2019-W01-1", "2019-1-5"])
def test_malformed_dates_are_dropped_with_a_notice(raw: str) -> None:
    filters, notices = parse({"start": raw, "end": raw})
    assert filters.start is None and filters.end is None
    assert len(notices) == 2 and all(raw in notice for notice in notices)


def test_dates_are_read() -> None:
    filters, notices = parse({"start": "2018-06-01", "end": ["2018-01-05", "2019-03-31"]})
    assert (filters.start, filters.end, notices) == (date(2018, 6, 1), date(2019, 3, 31), [])


def test_reversed_dates_are_swapped_with_a_notice() -> None:
    filters, notices = parse({"start": "2019-03-31", "end": "2018-06-01"})
    assert (filters.start, filters.end) == (date(2018, 6, 1), date(2019, 3, 31))
    assert len(notices) == 1 and "swapped" in notices[0]


def test_dates_outside_the_data_are_clamped_with_a_notice() -> None:
    filters, notices = parse({"start": "1990-01-01", "end": "2030-01-01"})
    assert filters.start is None and filters.end is None  # the data's own bounds: no restriction
    assert len(notices) == 2 and "1990-01-01" in notices[0] and "2030-01-01" in notices[1]


def test_a_start_after_the_data_is_clamped_to_the_last_day() -> None:
    filters, notices = parse({"start": "2025-01-01"})
    assert filters.start == UNIVERSE.last_date and filters.end is None and len(notices) == 1


def test_bounds_equal_to_the_data_are_no_restriction() -> None:
    filters, notices = parse({"start": "2018-01-02", "end": "2019-12-30"})
    assert (filters.start, filters.end, notices) == (None, None, [])


def test_search_text_is_stripped_and_capped() -> None:
    assert parse({"q": "  summit talks "})[0].q == "summit talks"
    filters, notices = parse({"q": "x" * 500})
    assert len(filters.q) == 200 and len(notices) == 1


def test_a_search_text_without_words_matches_nothing_and_says_so(artifacts: Artifacts) -> None:
    filters, notices = parse({"q": "%% ?"})
    assert filters.q == "%% ?" and notices == []  # the sidebar says it, for a link and a typed search alike: once
    assert search_notices(filters.q) == ['The search text "%% ?" has no letters or digits, so no article matches it.']
    assert search_notices("summit") == [] and search_notices("") == []
    assert selected(artifacts, filters) == set()


def test_article_must_exist() -> None:
    assert parse({"article": "art-2"}) == (Filters(article="art-2"), [])
    filters, notices = parse({"article": "art-999"})
    assert filters.article is None and "art-999" in notices[0]


def test_other_parameters_are_ignored_silently() -> None:
    assert parse({"embed": "true", "compare_a": "x"}) == (Filters(), [])


# --- serialising ---------------------------------------------------------------------


def test_an_unfiltered_view_has_a_clean_url() -> None:
    assert to_query_params(Filters()) == {}


def test_round_trip_through_the_url() -> None:
    filters = Filters(
        start=date(2018, 3, 1), end=date(2019, 5, 31), leaders=("moon-jae-in", "kim-jong-un"), sources=("Wire, Seoul edition",),
        topics=(3, 0), q="summit (2) +", article="art-1",
    )
    params = to_query_params(filters)
    assert params["leader"] == ["moon-jae-in", "kim-jong-un"] and params["topic"] == ["3", "0"] and params["start"] == ["2018-03-01"]
    assert parse(params) == (filters, [])


# --- applying ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw(artifact_dir: Path) -> dict[str, pd.DataFrame]:
    """The factory's tables read straight from Parquet (not through the app's loader)."""
    return {name: pd.read_parquet(artifact_dir / f"{name}.parquet") for name in ("articles", "mentions", "doc_topics")}


def selected(artifacts: Artifacts, filters: Filters) -> set[str]:
    return set(apply_filters(artifacts, filters)["article_id"])


def test_no_filter_selects_everything(artifacts: Artifacts) -> None:
    assert apply_filters(artifacts, Filters()) is artifacts.articles


def test_dates_are_inclusive_days(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    days = sorted(raw["articles"]["date"].dt.date.unique())
    start, end = days[5], days[12]
    expected = {row.article_id for row in raw["articles"].itertuples() if start <= row.date.date() <= end}
    assert selected(artifacts, Filters(start=start, end=end)) == expected and len(expected) == 8


def test_sources(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    source = "Demo: Ridge Post"
    assert selected(artifacts, Filters(sources=(source,))) == set(raw["articles"].loc[raw["articles"]["source"] == source, "article_id"])


def test_leaders_select_articles_mentioning_any_of_them(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    leaders = ("xi-jinping", "vladimir-putin")
    expected = {row.article_id for row in raw["mentions"].itertuples() if row.actor_id in leaders}
    only_xi = {row.article_id for row in raw["mentions"].itertuples() if row.actor_id == "xi-jinping"}
    assert selected(artifacts, Filters(leaders=leaders)) == expected
    assert expected > only_xi  # ANY, not ALL


def test_topics_take_the_dominant_topic_or_a_heavy_enough_weight(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    dominant = set(raw["articles"].loc[raw["articles"]["topic_id"] == 1, "article_id"])
    weighted = {row.article_id for row in raw["doc_topics"].itertuples() if row.topic_id == 1 and row.weight >= TOPIC_MIN_WEIGHT}
    light = {row.article_id for row in raw["doc_topics"].itertuples() if row.topic_id == 1 and row.weight < TOPIC_MIN_WEIGHT}
    chosen = selected(artifacts, Filters(topics=(1,)))
    assert chosen == dominant | weighted
    assert light and not light & chosen
    assert ARTICLE_ID.format(NO_TOPIC_ARTICLE) not in selected(artifacts, Filters(topics=(0, 1, 2, 3)))


@pytest.mark.parametrize("query", ["(round 2) +", "a.b*c", "[DRAFT]", "SANCTIONS?"])
def test_search_ignores_punctuation_and_case(artifacts: Artifacts, query: str) -> None:
    assert ARTICLE_ID.format(8) in selected(artifacts, Filters(q=query))


def test_search_looks_in_title_and_text(artifacts: Artifacts, raw: dict[str, pd.DataFrame]) -> None:
    expected = {row.article_id for row in raw["articles"].itertuples()
                if search_index.highlight_spans(row.title, "KIM jong") or search_index.highlight_spans(row.text, "KIM jong")}
    assert selected(artifacts, Filters(q="KIM jong")) == expected and expected
    assert selected(artifacts, Filters(q="no such words anywhere")) == set()


def test_filters_combine_with_and(artifacts: Artifacts) -> None:
    both = Filters(sources=("Demo: Harbour Times",), leaders=("kim-jong-un",))
    assert selected(artifacts, both) == selected(artifacts, Filters(sources=both.sources)) & selected(artifacts, Filters(leaders=both.leaders))


def test_an_open_article_does_not_narrow_the_list(artifacts: Artifacts) -> None:
    assert len(selected(artifacts, Filters(article=ARTICLE_ID.format(1)))) == len(artifacts.articles)


def test_a_link_repeating_values_thousands_of_times_shows_one_notice_box(app_test) -> None:
    # Streamlit itself drops a query string of more than 1,000 fields or 512 Ki characters, so stay below both.
    leaders = ["nobody"] * 900 + [",".join(["nobody"] * 5_000), "kim-jong-un"]
    at = app_test({"leader": leaders, "source": ",".join([f"{i}" + "z" * 60 for i in range(5_000)]), "start": "soon"})
    assert not at.exception
    assert len(at.warning) == 1
    assert "nobody" in at.warning[0].value and "z" * (MAX_ECHO_LENGTH + 1) not in at.warning[0].value
    assert at.query_params["leader"] == "kim-jong-un"  # one value: AppTest gives a str


def test_view_choices_in_a_link_are_checked() -> None:
    from dashboard.filters import view_param_notices

    assert view_param_notices({"period": "quarter", "events": ["off"]}) == []
    assert view_param_notices({"period": "fortnight", "events": "x" * 100}) == [
        'Ignored period "fortnight": it is one of week, month, quarter, year.',
        f'Ignored events "{"x" * 40}…": it is one of labels, marks, off.',
    ]
