"""Incremental builds (`--update`): the result equals a full build of the same records, topics aside."""
from __future__ import annotations

import datetime as dt
import gzip
import io
import shutil
import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline import search_index, state, store
from pipeline.build import _STAGED_COUNTS, BuildError, BuildOptions, build
from pipeline.cli import main
from pipeline.tone import ToneScorer
from pipeline.state import stack_staged_counts, term_tables
from pipeline.terms import count_terms, stack_counts
from pipeline.update import PREVIEW_SHARE, update

COMPARED = ("articles", "sentences", "mentions", "sentence_actors", "actors", "keywords", "article_terms", "doc_terms", "term_vocabulary")
TOPIC_COLUMNS = {"articles": ["topic_id"]}


def _split_by_date(source: Path, folder: Path, share: float = 0.7) -> tuple[Path, Path]:
    """The corpus' lines sorted by date, written as an early file (the first `share`) and a late file."""
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip()]
    lines.sort(key=lambda line: str(json.loads(line).get("date", "")))
    cut = int(len(lines) * share)
    early, late = folder / "early.jsonl", folder / "late.jsonl"
    early.write_text("".join(lines[:cut]), encoding="utf-8")
    late.write_text("".join(lines[cut:]), encoding="utf-8")
    return early, late


@pytest.fixture(scope="module")
def full_and_updated(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("update")
    early, late = _split_by_date(corpus_dir / "kcna_2024.jsonl.gz", folder)
    options = BuildOptions(workers=2)
    full = build([early, late], folder / "full", options).out_dir
    updated = folder / "updated"
    build([early], updated, options)
    with pytest.MonkeyPatch.context() as patch:  # the late 30% would trigger a refit: keep the saved model here
        patch.setattr("pipeline.update.REFIT_GROWTH", 1.0)
        update([late], updated, options)
    return full, updated


@pytest.mark.parametrize("name", COMPARED)
def test_update_equals_full_build_table_by_table(full_and_updated: tuple[Path, Path], name: str) -> None:
    full, updated = full_and_updated
    expected = store.read_table(full, name).drop(columns=TOPIC_COLUMNS.get(name, []))
    found = store.read_table(updated, name).drop(columns=TOPIC_COLUMNS.get(name, []))
    assert len(found) > 0
    pd.testing.assert_frame_equal(found, expected)


def test_updated_search_index_finds_what_the_full_builds_finds(full_and_updated: tuple[Path, Path]) -> None:
    full, updated = full_and_updated
    indexes = [search_index.SearchIndex(build_dir / search_index.INDEX_FILE) for build_dir in (full, updated)]
    try:
        assert search_index.indexed_rows(updated / search_index.INDEX_FILE) == len(store.read_table(updated, "articles", ["article_id"]))
        for query in ("Kim Jong Un", "sanctions", "missile launch*"):
            expected, found = (index.matching_rows(query) for index in indexes)
            assert len(expected) > 0 and list(found) == list(expected), query
    finally:
        for index in indexes:
            index.close()


def test_update_manifest_counts_the_whole_build(full_and_updated: tuple[Path, Path]) -> None:
    full, updated = full_and_updated
    expected, found = store.read_manifest(full), store.read_manifest(updated)
    for key in ("read", "ingested", "duplicates", "rejected", "build_id"):
        assert found[key] == expected[key], key
    assert [entry["path"] for entry in found["inputs"]] == [entry["path"] for entry in expected["inputs"]]
    assert found["updates"][-1]["added"] + found["topics_fitted_on"] == expected["ingested"]
    assert not found["updates"][-1]["topics_refitted"]
    assert store.validate_build(updated) == []


def test_new_articles_get_topics_from_the_saved_model(full_and_updated: tuple[Path, Path]) -> None:
    _, updated = full_and_updated
    articles = store.read_table(updated, "articles")
    added = store.read_manifest(updated)["updates"][-1]["added"]
    new = articles.tail(added)
    assert (new["topic_id"] >= 0).mean() > 0.8  # nearly every new article gets a topic
    doc_topics = store.read_table(updated, "doc_topics")
    assert set(new["article_id"]) & set(doc_topics["article_id"])
    weights = doc_topics.groupby("article_id")["weight"].sum()
    assert weights.between(0.999, 1.001).all()
    topics = store.read_table(updated, "topics")
    assert topics["n_articles"].sum() == (articles["topic_id"] >= 0).sum()


def test_an_update_of_copies_only_leaves_the_build_as_it_was(full_and_updated: tuple[Path, Path], corpus_dir: Path, tmp_path: Path) -> None:
    full, _ = full_and_updated
    before = store.read_manifest(full)
    copy = tmp_path / "again.jsonl"
    copy.write_text(next(p for p in full.parent.iterdir() if p.name == "late.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    report = update([copy], full, BuildOptions(workers=1))
    assert report.added["added"] == 0 and report.added["duplicates"] == report.added["read"] > 0
    assert store.read_manifest(full) == before


def test_a_small_update_with_copies_and_an_article_the_analysis_rejects_equals_a_full_build(
    full_and_updated: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A few records against the whole build: the update reads them first and fingerprints only the built articles they
    # could copy; it makes the keyword tables while the articles are analysed, and again when the analysis rejects one.
    full, _ = full_and_updated
    early = full.parent / "early.jsonl"
    early_lines = early.read_text(encoding="utf-8").splitlines(keepends=True)
    late = [json.loads(line) for line in (full.parent / "late.jsonl").read_text(encoding="utf-8").splitlines()[:4]]
    long_one = json.loads(next(line for line in reversed(early_lines) if len(json.loads(line)["body"].split()) > 300))
    next_day = str(dt.date.fromisoformat(long_one["date"][:10]) + dt.timedelta(days=1))
    copies = [long_one, {**long_one, "date": next_day}, {**long_one, "body": "Reworded: " + long_one["body"]}]
    trapped = {**late[1], "body": late[1]["body"] + " Zyzzyvaquake."}
    small = tmp_path / "small.jsonl"
    small.write_text("".join(json.dumps(record) + "\n" for record in [late[0], trapped, *late[2:], *copies]), encoding="utf-8")
    assert small.stat().st_size < PREVIEW_SHARE * early.stat().st_size
    real_score_many = ToneScorer.score_many

    def score_many(self: ToneScorer, texts: list[str]) -> list[float]:
        if any("Zyzzyvaquake" in text for text in texts):
            raise ValueError("tone broke")
        return real_score_many(self, texts)

    monkeypatch.setattr(ToneScorer, "score_many", score_many)  # in this process: one worker
    expected = build([early, small], tmp_path / "full", BuildOptions(workers=1)).out_dir
    updated = tmp_path / "updated"
    build([early], updated, BuildOptions(workers=1))
    report = update([small], updated, BuildOptions(workers=1))
    assert report.added["duplicates"] >= len(copies) and report.added["rejected"] == 1
    for name in (store.DUPLICATES, store.REJECTS):
        assert store.read_jsonl(updated, name) == store.read_jsonl(expected, name)
    for name in ("articles", "sentences", "keywords", "article_terms", "doc_terms", "term_vocabulary"):
        found, wanted = (store.read_table(build_dir, name).drop(columns=TOPIC_COLUMNS.get(name, [])) for build_dir in (updated, expected))
        pd.testing.assert_frame_equal(found, wanted)
    assert store.validate_build(updated) == []  # the search index holds one row per article, the rejected one left out
    indexes = [search_index.SearchIndex(build_dir / search_index.INDEX_FILE) for build_dir in (updated, expected)]
    for title in store.read_table(expected, "articles", ["title"])["title"].iloc[-4:]:
        found, wanted = (index.matching_rows(title).tolist() for index in indexes)
        assert found == wanted and found, title
    assert indexes[0].matching_rows("Zyzzyvaquake").tolist() == []


def test_update_refuses_a_folder_without_a_build(tmp_path: Path, corpus_dir: Path) -> None:
    with pytest.raises(BuildError, match="build it once without --update"):
        update([corpus_dir / "seed"], tmp_path / "nothing")
    assert not (tmp_path / "nothing").exists()


def test_refit_topics_needs_update(tmp_path: Path, corpus_dir: Path) -> None:
    stderr = io.StringIO()
    status = main(["build", "--input", str(corpus_dir / "seed"), "--out", str(tmp_path / "b"), "--refit-topics", "--quiet"], stderr=stderr)
    assert status == 2
    assert "--refit-topics only applies with --update" in stderr.getvalue()
    assert not (tmp_path / "b").exists()


def test_topics_are_refitted_once_the_corpus_grew_enough(full_and_updated: tuple[Path, Path], tmp_path: Path) -> None:
    full, _ = full_and_updated
    out = tmp_path / "refit"
    build([full.parent / "early.jsonl"], out, BuildOptions(workers=1))
    stdout = io.StringIO()  # the late 30% of the corpus is 43% more than the early 70%: over REFIT_GROWTH
    status = main(["build", "--input", str(full.parent / "late.jsonl"), "--out", str(out), "--update", "--quiet"], stdout=stdout)
    assert status == 0 and "articles added" in stdout.getvalue()
    manifest = store.read_manifest(out)
    assert manifest["updates"][-1]["topics_refitted"] and manifest["topics_fitted_on"] == manifest["ingested"]
    assert set(store.read_table(out, "doc_topics")["article_id"]) <= set(store.read_table(out, "articles")["article_id"])


def test_stacked_counts_equal_counting_all_texts_at_once() -> None:
    first = ["Kim Jong Un met Trump in Hanoi", "sanctions relief talks", "zebra crossing"]
    second = ["Hanoi summit collapsed", "aardvark sanctions", "zzz top", ""]
    expected = count_terms(first + second)
    found = stack_counts([count_terms(first), count_terms(second)])
    assert list(found.vocabulary) == list(expected.vocabulary)
    assert (found.counts != expected.counts).nnz == 0 and found.counts.shape == expected.counts.shape


@pytest.mark.parametrize("first, second", [
    (["Kim Jong Un met Trump in Hanoi", "sanctions relief talks", "zebra crossing"],
     ["Hanoi summit collapsed", "aardvark sanctions", "zzz top", ""]),
    (["aardvark", "Ch\u014fngjin port"], ["\u00e9lan Ch\u014fngjin", "aardvark aardvark", "zebra"]),
    ([""], ["summit talks"]),
    (["summit talks"], [""]),
])
def test_appended_counts_equal_stacked_counts(first: list[str], second: list[str]) -> None:
    expected = stack_counts([count_terms(first), count_terms(second)])
    found = state.append_counts(count_terms(first), count_terms(second))
    assert list(found.vocabulary) == list(expected.vocabulary)
    assert (found.counts != expected.counts).nnz == 0 and found.counts.shape == expected.counts.shape and found.counts.has_sorted_indices


@pytest.mark.parametrize("vocabulary_batch", [1, None])
def test_staged_counts_stack_as_the_chunks_counted_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vocabulary_batch: int | None) -> None:
    # Parts numbered by their first chunk as the build numbers them (0, 5), terms past ASCII, and (with 1) every
    # term of the merged vocabulary in a batch of its own.
    if vocabulary_batch is not None:
        monkeypatch.setattr(state, "_VOCABULARY_BATCH", vocabulary_batch)
    chunks = [["Kim Jong Un met Trump in Hanoi", "sanctions relief talks", "zebra crossing", "Ch\u014fngjin port"],
              ["Hanoi summit collapsed", "aardvark sanctions", "zzz top", "", "\u00e9lan Ch\u014fngjin"]]
    ids = [[f"{number}-{row}" for row in range(len(chunk))] for number, chunk in enumerate(chunks)]
    for number, chunk in zip((0, 5), chunks):
        for name, table in term_tables(ids[number // 5], count_terms(chunk)).items():
            store.write_part(tmp_path, _STAGED_COUNTS[name], number, table)
    article_ids, found = stack_staged_counts(tmp_path)
    expected = count_terms(chunks[0] + chunks[1])
    assert article_ids == ids[0] + ids[1]
    assert list(found.vocabulary) == list(expected.vocabulary)
    assert (found.counts != expected.counts).nnz == 0 and found.counts.shape == expected.counts.shape


def test_update_refuses_a_build_made_by_another_pipeline_version(full_and_updated: tuple[Path, Path], tmp_path: Path) -> None:
    _, updated = full_and_updated
    copy = tmp_path / "copy"
    shutil.copytree(updated, copy)
    manifest = store.read_manifest(copy)
    (copy / store.MANIFEST).write_text(json.dumps({**manifest, "code_version": "0" * 16}), encoding="utf-8")
    with pytest.raises(BuildError, match="another version of the pipeline"):
        update([updated.parent / "late.jsonl"], copy)
    assert store.read_manifest(copy)["code_version"] == "0" * 16
