"""The demo corpus itself (data/demo, read through ingest, not the build) covers what issue 16 asks.

Every visitor of the deployed app sees this corpus, so its shape is a requirement: every month
from January 2017 covered, peaks at the major events, several outlets with enough articles each
for per-source charts, and realistic lengths.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.ingest import ingest

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
FIRST_MONTH = pd.Period("2017-01", "M")
MIN_PER_MONTH = 2
MIN_PER_EVENT_MONTH = 6
# Months of major events (Korean dates), where real coverage peaks.
EVENT_MONTHS = (
    "2017-07", "2017-09", "2017-11",  # first ICBMs, sixth nuclear test and UN sanctions, Hwasong-15
    "2018-04", "2018-06", "2018-09",  # Panmunjom, Singapore, Pyongyang summits
    "2019-02", "2019-06",  # Hanoi; Xi in Pyongyang and the DMZ meeting
    "2020-06",  # the Kaesong liaison office blown up
    "2022-01", "2022-03", "2022-05", "2022-09", "2022-10", "2022-11",  # the record year of launches
    "2023-04", "2023-08", "2023-09", "2023-11",  # Washington Declaration, Camp David, Vostochny, satellite
    "2024-06", "2024-10", "2024-11", "2024-12",  # Putin in Pyongyang, troops to Russia, martial law
    "2025-06", "2025-09", "2025-10",  # Lee Jae-myung, Beijing parade, APEC in Gyeongju
)
MIN_OUTLETS, MAX_OUTLETS = 6, 8
MIN_PER_OUTLET = 20
MIN_WORDS, MAX_WORDS = 80, 1_000
LONG_FORM_WORDS = 400
MIN_LONG_FORM = 25
# Ingest drops a title's "[Editorial]" tag, so long form is told by length at the outlets that run
# editorials and analyses (news and state-media items stay well under 400 words).
OPINION_OUTLETS = ("Demo: Seoul Progressive Daily", "Demo: Seoul Conservative Herald",
                   "Demo: Washington Policy Review", "Demo: Tokyo Evening Post")


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    """One row per ingested demo article: month, source, title, n_words (as the build counts words)."""
    result = ingest([DEMO])
    assert not result.rejects, f"demo records rejected: {result.rejects[:5]}"
    assert not result.duplicates, f"demo records dropped as duplicates: {result.duplicates[:5]}"
    return pd.DataFrame({
        "article_id": [article.article_id for article in result.articles],
        "month": [pd.Period(article.date, "M") for article in result.articles],
        "source": [article.source for article in result.articles],
        "title": [article.title for article in result.articles],
        "n_words": [len(article.text.split()) for article in result.articles],
    })


def _thin(counts: pd.Series, months: list[pd.Period], minimum: int) -> dict[str, int]:
    return {str(month): int(counts.get(month, 0)) for month in months if counts.get(month, 0) < minimum}


def test_every_month_from_january_2017_has_at_least_two_articles(demo: pd.DataFrame) -> None:
    counts = demo["month"].value_counts()
    months = list(pd.period_range(FIRST_MONTH, demo["month"].max(), freq="M"))
    assert _thin(counts, months, MIN_PER_MONTH) == {}


def test_event_months_peak(demo: pd.DataFrame) -> None:
    counts = demo["month"].value_counts()
    months = [pd.Period(month, "M") for month in EVENT_MONTHS]
    assert _thin(counts, months, MIN_PER_EVENT_MONTH) == {}
    assert counts.reindex(months).median() > counts.median(), "event months should stand out from the rest"


def test_event_months_are_in_order_and_unique() -> None:
    assert list(EVENT_MONTHS) == sorted(set(EVENT_MONTHS))


def test_outlets_are_labelled_demo_and_each_has_enough_articles(demo: pd.DataFrame) -> None:
    per_outlet = demo["source"].value_counts()
    assert MIN_OUTLETS <= len(per_outlet) <= MAX_OUTLETS, per_outlet.to_dict()
    assert [source for source in per_outlet.index if not source.startswith("Demo: ")] == []
    assert per_outlet[per_outlet < MIN_PER_OUTLET].to_dict() == {}


def test_every_article_is_80_to_1000_words(demo: pd.DataFrame) -> None:
    outside = demo.loc[~demo["n_words"].between(MIN_WORDS, MAX_WORDS), ["article_id", "n_words"]]
    assert outside.to_dict("records") == []


def test_lengths_vary_with_enough_long_editorials_and_analyses(demo: pd.DataFrame) -> None:
    long_form = demo["source"].isin(OPINION_OUTLETS) & demo["n_words"].ge(LONG_FORM_WORDS)
    assert int(long_form.sum()) >= MIN_LONG_FORM
    # Realistic spread, not one length for all: a short quarter and a long quarter.
    assert demo["n_words"].quantile(0.25) < 200 < 400 < demo["n_words"].quantile(0.95)
