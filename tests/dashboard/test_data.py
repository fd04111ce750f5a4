"""Finding, loading and typing a build; reading the events file."""
from __future__ import annotations

import gc
import json
import shutil
import sys
import threading
import weakref
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.config import DATA_ENV_VAR, DEFAULT_DATA_DIR, DEFAULT_EVENTS_PATH, EVENTS_ENV_VAR, resolve_data_dir, resolve_events_path
from dashboard import data
from dashboard.data import (
    LEFT_ON_DISK, VIEW_MODULES, WARM_UP_THREAD, ArtifactError, Artifacts, build_key, load_artifacts, read_artifacts, read_events, warm_up,
)
from pipeline import store
from tests.dashboard.artifact_factory import ARTICLE_ID, FRAME_COLUMNS, build_tables, dense_terms


def test_data_flag_wins_over_the_environment(tmp_path: Path) -> None:
    chosen = resolve_data_dir(["--data", str(tmp_path / "a")], {DATA_ENV_VAR: str(tmp_path / "b")})
    assert chosen == tmp_path / "a"


def test_environment_wins_over_the_default(tmp_path: Path) -> None:
    assert resolve_data_dir(["-q", "tests"], {DATA_ENV_VAR: str(tmp_path)}) == tmp_path


def test_default_is_data_processed_beside_app_py() -> None:
    assert resolve_data_dir([], {}) == DEFAULT_DATA_DIR
    assert DEFAULT_DATA_DIR == Path(__file__).resolve().parents[2] / "data" / "processed"


def test_relative_data_folder_is_resolved_against_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir(["--data", "builds/mine"], {}) == tmp_path / "builds" / "mine"


def test_events_path_from_environment_or_default(tmp_path: Path) -> None:
    assert resolve_events_path({EVENTS_ENV_VAR: str(tmp_path / "e.csv")}) == tmp_path / "e.csv"
    assert resolve_events_path({}) == DEFAULT_EVENTS_PATH


def test_build_key_is_the_manifests_build_id(artifact_dir: Path) -> None:
    assert build_key(artifact_dir) == store.read_manifest(artifact_dir)["build_id"]


def test_build_key_is_none_without_a_manifest(tmp_path: Path) -> None:
    assert build_key(tmp_path) is None
    assert build_key(tmp_path / "missing") is None


def test_manifest_without_build_id_is_keyed_by_its_content(tmp_path: Path) -> None:
    manifest = tmp_path / store.MANIFEST
    manifest.write_text(json.dumps({"schema_version": 1}))
    first = build_key(tmp_path)
    manifest.write_text(json.dumps({"schema_version": 1, "built_at": "later"}))
    assert first is not None and build_key(tmp_path) not in (None, first)


def test_an_incomplete_build_is_reported_not_loaded(artifact_dir: Path, tmp_path: Path) -> None:
    broken = Path(shutil.copytree(artifact_dir, tmp_path / "broken"))
    (broken / "mentions.parquet").unlink()
    with pytest.raises(ArtifactError) as raised:
        read_artifacts(broken)
    assert any("mentions.parquet" in problem for problem in raised.value.problems)


def test_tables_are_typed_for_the_app(artifacts: Artifacts) -> None:
    ids = artifacts.articles["article_id"]
    assert isinstance(artifacts.articles["source"].dtype, pd.CategoricalDtype)
    assert str(artifacts.articles["date"].dtype) == "datetime64[ns]"
    for table in (artifacts.articles, artifacts.mentions, artifacts.named_sentences, artifacts.doc_topics, artifacts.cue_sentences):
        assert list(table["article_id"].cat.categories) == list(ids)
    assert all(isinstance(terms, tuple) and terms for terms in artifacts.topics["terms"])


def test_long_text_stays_on_disk(artifacts: Artifacts, artifact_dir: Path) -> None:
    """No article text, subtitle or URL and no sentence is held in memory; an article's row reads them from disk."""
    assert not set(LEFT_ON_DISK) & set(artifacts.articles.columns)
    assert not hasattr(artifacts, "sentences") and "text" not in artifacts.cue_sentences.columns
    raw = pd.read_parquet(artifact_dir / "articles.parquet").set_index("article_id")
    row = artifacts.article(ARTICLE_ID.format(6))
    expected = raw.loc[ARTICLE_ID.format(6), list(LEFT_ON_DISK)].to_dict()
    assert row is not None and {column: row[column] for column in LEFT_ON_DISK} == expected and expected["url"]


def test_cue_sentences_are_the_sentences_with_a_framing_cue(artifacts: Artifacts, artifact_dir: Path) -> None:
    raw = pd.read_parquet(artifact_dir / "sentences.parquet")
    cued = raw.loc[(raw[list(FRAME_COLUMNS)] > 0).any(axis=1)]
    kept = artifacts.cue_sentences
    assert set(zip(kept["article_id"].astype(str), kept["sentence_idx"])) == set(zip(cued["article_id"], cued["sentence_idx"]))
    assert len(cued)
    assert (raw.loc[kept["row"], "sentence_idx"].to_numpy() == kept["sentence_idx"].to_numpy()).all()  # row: the file's row


def test_articles_are_in_date_order(artifacts: Artifacts) -> None:
    assert artifacts.articles["date"].is_monotonic_increasing


def test_article_lookup(artifacts: Artifacts) -> None:
    row = artifacts.article(ARTICLE_ID.format(3))
    assert row is not None and row["article_id"] == ARTICLE_ID.format(3)
    assert artifacts.article("no-such-id") is None


def test_universe_spans_the_data(artifacts: Artifacts, artifact_dir: Path) -> None:
    raw = pd.read_parquet(artifact_dir / "articles.parquet")
    universe = artifacts.universe
    assert (universe.first_date, universe.last_date) == (raw["date"].min().date(), raw["date"].max().date())
    assert universe.sources == tuple(sorted(set(raw["source"])))
    assert set(universe.article_ids) == set(raw["article_id"]) and raw["article_id"].iloc[0] in universe.article_ids and "no-such-id" not in universe.article_ids


def test_universe_offers_leaders_most_mentioned_first(artifacts: Artifacts, artifact_dir: Path) -> None:
    mentions = pd.read_parquet(artifact_dir / "mentions.parquet")
    totals = mentions.groupby("actor_id")["count"].sum()
    offered = list(artifacts.universe.leaders)
    assert sorted(offered) == sorted(totals.index)
    assert [totals[actor_id] for actor_id in offered] == sorted(totals, reverse=True)
    assert artifacts.universe.leaders["kim-jong-un"] == "Kim Jong Un"


def test_duplicate_topic_labels_are_told_apart(tmp_path: Path) -> None:
    tables = build_tables(n_articles=8)
    tables["topics"]["label"] = ["same", "same", "other", "last"]
    built = store.write_build(tmp_path / "dup", tables, {"build_id": "dup"})
    assert read_artifacts(built).universe.topics == {0: "same (0)", 1: "same (1)", 2: "other", 3: "last"}


def test_term_document_frequencies(artifacts: Artifacts, artifact_dir: Path) -> None:
    terms = pd.read_parquet(artifact_dir / "article_terms.parquet")
    matrix = artifacts.term_matrix
    assert matrix.docs[matrix.terms.get_loc("summit")] == terms.loc[terms["term"] == "summit", "article_id"].nunique() > 0


def test_warm_up_imports_the_views_and_makes_the_derived_tables(artifact_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = read_artifacts(artifact_dir)
    monkeypatch.delitem(sys.modules, "dashboard.about", raising=False)  # as it was after the test
    assert not {"named_sentences", "term_matrix"} & set(vars(fresh))
    warm_up(fresh, ["dashboard.about"])
    assert "dashboard.about" in sys.modules
    assert {"named_sentences", "term_matrix"} <= set(vars(fresh))  # cached: a page reads them without computing
    assert len(fresh.named_sentences) > 0 and len(fresh.term_matrix.article_ids) == len(fresh.articles)


def test_a_build_is_warmed_up_once_in_the_background(artifact_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warmed: list[Artifacts] = []
    monkeypatch.setattr(data, "_warm_up_for_good", warmed.append)
    fresh = read_artifacts(artifact_dir)
    fresh.warm_up_later(0)
    fresh.warm_up_later(0)  # every later run of the app asks again
    _join_warm_ups()
    assert warmed == [fresh]


def _join_warm_ups() -> None:
    for thread in threading.enumerate():
        if thread.name == WARM_UP_THREAD:
            thread.join()


def test_a_rebuilt_folder_replaces_the_build_held_for_it(tmp_path: Path, clear_streamlit_caches: None) -> None:
    folder = tmp_path / "build"
    store.write_build(folder, build_tables(n_articles=8), {"build_id": "first"})
    first = load_artifacts(str(folder), "first")
    assert load_artifacts(str(folder), "first") is first
    dropped = weakref.ref(first)
    del first
    store.write_build(folder, build_tables(n_articles=20), {"build_id": "second"})  # swapped in, as a rebuild or --update does
    second = load_artifacts(str(folder), "second")
    gc.collect()
    assert dropped() is None, "the first build is still held beside the second"
    assert len(second.articles) == 20
    assert load_artifacts(str(folder), "first") is second  # a run that read the manifest just before the swap


def test_the_app_holds_one_build_of_a_folder_rebuilt_while_it_runs(
    tmp_path: Path, app_test: Callable[..., AppTest], clear_streamlit_caches: None,
) -> None:
    folder = tmp_path / "build"
    store.write_build(folder, build_tables(n_articles=8), {"build_id": "first"})
    at = app_test(data_dir=folder)
    dropped = weakref.ref(load_artifacts(str(folder), "first"))
    _join_warm_ups()  # the build's warm-up thread must not keep it either
    store.write_build(folder, build_tables(n_articles=20), {"build_id": "second"})
    at.run()
    assert not at.exception
    gc.collect()
    assert dropped() is None, "the app still holds the first build"
    assert "20 articles" in at.sidebar.caption[0].value


def test_every_view_module_warmed_exists() -> None:
    for module in VIEW_MODULES:
        assert (Path(__file__).resolve().parents[2] / (module.replace(".", "/") + ".py")).is_file(), module


def test_missing_events_file_is_no_event_and_no_notice(tmp_path: Path) -> None:
    events, notices = read_events(tmp_path / "events.csv")
    assert events.empty and notices == [] and list(events.columns) == ["date", "label", "description", "category", "importance"]


def test_events_are_sorted_and_bad_rows_dropped_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("\ufeffdate,label,description\n2019-02-28,Hanoi,ends early\nsoon,Vague,x\n2018-06-12,Singapore,\n2018-01-01,,no label\n",
                    encoding="utf-8")
    events, notices = read_events(path)
    assert events["label"].tolist() == ["Singapore", "Hanoi"]
    assert events["date"].dt.date.tolist() == [date(2018, 6, 12), date(2019, 2, 28)]
    assert events["category"].tolist() == ["", ""]
    assert events["importance"].tolist() == [1, 1]  # no importance column: every event counts as minor, silently
    assert notices == ["events.csv lines 3, 5: skipped, no YYYY-MM-DD date or no label."]


def test_event_importance_is_read_and_a_bad_one_counts_as_minor_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("date,label,importance\n2018-06-12,Singapore,3\n2019-02-28,Hanoi,2\n2019-06-30,DMZ,high\n2019-10-05,Stockholm,\n",
                    encoding="utf-8")
    events, notices = read_events(path)
    assert events["importance"].tolist() == [3, 2, 1, 1]
    assert notices == ["events.csv lines 4, 5: importance is not 1, 2 or 3; counted as 1."]


def test_the_projects_events_file_has_every_importance(tmp_path: Path) -> None:
    events, notices = read_events(DEFAULT_EVENTS_PATH)
    assert notices == [] and set(events["importance"]) == {1, 2, 3}


def test_events_file_without_the_needed_columns_gives_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("when,what\n2019-01-01,x\n", encoding="utf-8")
    events, notices = read_events(path)
    assert events.empty and "date and label" in notices[0]


def test_unreadable_events_file_gives_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(b"")
    events, notices = read_events(path)
    assert events.empty and len(notices) == 1


def test_derived_tables_are_made_once_per_loaded_build(artifacts: Artifacts, artifact_dir: Path) -> None:
    from dashboard.leaders import sentence_mentions

    assert artifacts.named_sentences is artifacts.named_sentences
    by_hand = pd.read_parquet(artifact_dir / "sentence_actors.parquet").astype({"article_id": artifacts.articles["article_id"].dtype})
    pd.testing.assert_frame_equal(artifacts.named_sentences, sentence_mentions(by_hand))
    assert artifacts.term_matrix is artifacts.term_matrix
    raw = pd.read_parquet(artifact_dir / "article_terms.parquet")
    by_hand = raw.pivot_table(index="article_id", columns="term", values="count", aggfunc="sum", fill_value=0)
    loaded = dense_terms(artifacts.term_matrix)
    assert set(loaded.columns) == set(by_hand.columns)
    pd.testing.assert_frame_equal(loaded.loc[by_hand.index, by_hand.columns], by_hand, check_dtype=False, check_names=False, check_index_type=False)
    assert (loaded.drop(index=by_hand.index) == 0).all().all() and (by_hand > 0).sum().sum() == len(raw)


def test_derived_tables_follow_the_build_they_were_made_from(tmp_path: Path) -> None:
    """A rebuild swapped into the folder never lends its derived tables to the build loaded before it."""
    folder = tmp_path / "build"
    store.write_build(folder, build_tables(n_articles=8), {"build_id": "first"})
    first = read_artifacts(folder)
    shutil.rmtree(folder)
    store.write_build(folder, build_tables(n_articles=20), {"build_id": "second"})
    second = read_artifacts(folder)
    assert first.named_sentences["article_id"].isin(first.articles["article_id"]).all()
    assert len(first.term_matrix.article_ids) < len(second.term_matrix.article_ids)


@pytest.mark.parametrize(("inputs", "expected"), [
    ([{"path": "data/demo/briefs.jsonl"}, {"path": "data/demo/pasted/a.txt"}], True),
    ([{"path": "data/demo/briefs.jsonl"}, {"path": "mine/more.jsonl"}], False),
    ([{"path": "/elsewhere/data/demo-like/x.jsonl"}], False),
    ([], False),
])
def test_a_build_is_the_demo_when_all_its_inputs_are_the_demo_corpus(artifacts: Artifacts, inputs: list, expected: bool) -> None:
    from dataclasses import replace

    assert replace(artifacts, manifest={**artifacts.manifest, "inputs": inputs}).is_demo is expected


def test_results_remembered_with_a_build_are_computed_once_per_key(artifact_dir: Path) -> None:
    fresh = read_artifacts(artifact_dir)
    calls: list[str] = []
    first = fresh.remember(("x", 1), lambda: calls.append("x1") or object())
    assert fresh.remember(("x", 1), lambda: calls.append("again") or object()) is first
    fresh.remember(("x", 2), lambda: calls.append("x2"))
    assert calls == ["x1", "x2"]
    assert read_artifacts(artifact_dir).remember(("x", 1), lambda: "another build") == "another build"  # kept per loaded build
