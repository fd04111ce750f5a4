"""The committed demo build: fresh against the code and demo files, and rich enough for every page."""
from __future__ import annotations

from pathlib import Path

from pipeline import store
from pipeline.build import expected_build_id

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
PROCESSED = REPO / "data" / "processed"
REBUILD = "python -m pipeline build --input data/demo --out data/processed"


def test_committed_demo_build_is_not_stale() -> None:
    manifest = store.read_manifest(PROCESSED)
    assert manifest["build_id"] == expected_build_id([DEMO]), f"data/processed is stale: run `{REBUILD}`"


def test_demo_build_is_valid_and_lost_nothing() -> None:
    assert store.validate_build(PROCESSED) == []
    manifest = store.read_manifest(PROCESSED)
    assert manifest["rejected"] == 0 and manifest["duplicates"] == 0
    assert manifest["ingested"] >= 150


def test_demo_covers_2017_to_2025_with_demo_sources_only() -> None:
    articles = store.read_table(PROCESSED, "articles")
    assert set(articles["date"].dt.year) >= set(range(2017, 2026))
    assert articles["source"].str.startswith("Demo: ").all()
    assert articles["source"].nunique() >= 4
    assert articles["n_words"].between(80, 1_000).all()
    assert articles["tone"].max() > 0.2 and articles["tone"].min() < -0.2


def test_demo_mentions_the_main_leaders() -> None:
    mentions = store.read_table(PROCESSED, "mentions")
    leaders = {"kim-jong-un", "donald-trump", "moon-jae-in", "vladimir-putin", "xi-jinping", "joe-biden", "yoon-suk-yeol"}
    assert leaders <= set(mentions["actor_id"])
