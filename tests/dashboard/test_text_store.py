"""Texts on disk: search, sentences and rows read with DuckDB, from the build that was loaded even after a rebuild."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from dashboard.data import read_artifacts
from dashboard.filters import Filters, apply_filters
from dashboard.text_store import BuildFiles, TextStore
from pipeline import store
from tests.dashboard.artifact_factory import ARTICLE_ID, build_tables, dense_terms, write_text_store


@pytest.fixture
def hand_made(tmp_path: Path) -> TextStore:
    articles = pd.DataFrame({
        "article_id": ["a", "b", "c", "d"],
        "title": ["Summit in Hanoi", "Talks (round 2) + sanctions?", "Nothing here", None],
        "text": ["The leaders met.", "A b.c*d text; the SUMMIT waits.", "Élan of the ÉTÉ season.", "summitry"],
    })
    sentences = pd.DataFrame({"article_id": ["b", "a", "b", "c"], "sentence_idx": [1, 0, 0, 0],
                              "text": ["the SUMMIT waits.", "The leaders met.", "A b.c*d text;", "Élan of the ÉTÉ season."]})
    return write_text_store(tmp_path / "store", articles, sentences)


@pytest.mark.parametrize(("query", "expected"), [
    ("summit", ["a", "b"]),               # title or text, any case, whole words
    ("summit*", ["a", "b", "d"]),         # a final * makes the last word a prefix
    ("ROUND 2) +", ["b"]),                # the words in order: punctuation and spaces do not count
    ("b.c*d", ["b"]),
    ("b_c", ["b"]),                       # "_" separates words too
    ("c b", []),                          # the words in the query's order
    ("%", []),                            # no word: nothing matches
    ("été", ["c"]),                       # any case beyond ASCII
    ("ete", ["c"]),                       # accents do not count
    ("no such words", []),
])
def test_search_finds_the_words_in_titles_or_texts(hand_made: TextStore, query: str, expected: list[str]) -> None:
    assert list(hand_made.article_ids[hand_made.search(query)]) == expected


def test_search_results_are_kept_for_the_build(hand_made: TextStore, monkeypatch: pytest.MonkeyPatch) -> None:
    first = hand_made.search("summit")
    monkeypatch.setattr(hand_made.files.search_index, "matching_rows", lambda *args: pytest.fail("searched the index again"))
    assert hand_made.search("summit") is first


def test_sentences_of_an_article_in_reading_order_and_rows_in_the_order_given(hand_made: TextStore) -> None:
    sentences = hand_made.sentences_of("b")
    assert sentences["sentence_idx"].tolist() == [0, 1] and sentences["text"].tolist() == ["A b.c*d text;", "the SUMMIT waits."]
    assert "article_id" not in sentences.columns
    assert hand_made.sentences_of("nobody").empty
    rows = hand_made.sentences_at(np.array([3, 1, 3]), ["article_id", "text"])
    assert rows["row"].tolist() == [3, 1, 3] and rows["article_id"].tolist() == ["c", "b", "c"]


@pytest.mark.parametrize(("articles", "pattern", "word", "limit", "expected"), [
    ([1, 0], "the", "the", None, [(2, 0, 1), (0, 1, 0)]),  # by article in the order given, then reading order
    ([0, 1], "the", "", None, [(0, 0, 0), (2, 1, 1)]),
    ([1, 0], "the", "", 1, [(2, 0, 1)]),                    # the first `limit` only
    ([1, 0, 2], "Été|text", "", 2, [(1, 0, 0), (3, 2, 0)]), # any case, beyond ASCII too
    ([2, 3], "leaders", "", 5, []),                         # "d" has no sentence
    ([], "the", "", 5, []),
    ([0], "the", "nowhere", None, []),                      # the word is checked too
])
def test_sentences_matching_reads_the_given_articles_sentences(hand_made: TextStore, articles: list[int], pattern: str, word: str,
                                                               limit: int | None, expected: list[tuple[int, int, int]]) -> None:
    found, read = hand_made.sentences_matching(np.array(articles, dtype=np.int64), pattern, word, limit)
    assert list(found.columns) == ["row", "article", "sentence_idx", "text"] and read <= len(articles)
    assert list(found[["row", "article", "sentence_idx"]].itertuples(index=False, name=None)) == expected
    texts = pd.read_parquet(hand_made.files.path("sentences"))["text"]
    assert found["text"].tolist() == [texts[row] for row, *_ in expected]


def test_sentences_matching_stop_at_the_limit_or_once_the_budget_is_read(hand_made: TextStore) -> None:
    # Sentences per article: a 1, b 2, c 1, d 0. Batches of `limit` articles, then twice as many.
    assert hand_made.sentences_matching(np.array([0, 1, 2, 3]), "e", limit=1).articles_read == 1
    assert hand_made.sentences_matching(np.array([3, 0, 1, 2]), "e", limit=1).articles_read == 3  # d has none: one more batch
    found, read = hand_made.sentences_matching(np.array([1, 2, 0]), "leaders", limit=5, budget=3)
    assert read == 2 and found.empty  # b and c hold 3 sentences: a was not read
    found, read = hand_made.sentences_matching(np.array([1, 2, 0]), "leaders", limit=5, budget=1)
    assert read == 1 and found.empty  # at least one article, even beyond the budget
    assert hand_made.sentences_matching(np.array([1, 2, 0]), "leaders", limit=5).articles_read == 3


def test_the_app_refuses_a_build_whose_sentences_do_not_follow_its_articles(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from dashboard.data import ArtifactError

    folder = tmp_path / "build"
    store.write_build(folder, build_tables(n_articles=4), {"build_id": "x"})
    articles = pq.read_table(folder / "articles.parquet")
    counts = articles["n_sentences"].to_numpy()
    pq.write_table(articles.set_column(articles.schema.get_field_index("n_sentences"), "n_sentences",
                                       pa.array(counts + np.eye(1, len(counts), 0, dtype=counts.dtype)[0])), folder / "articles.parquet")
    with pytest.raises(ArtifactError, match="cannot be told apart by article"):
        read_artifacts(folder)


def test_sentences_matching_with_a_limit_are_kept_for_the_build(hand_made: TextStore, monkeypatch: pytest.MonkeyPatch) -> None:
    first = hand_made.sentences_matching(np.array([1, 0]), "the", limit=5)
    monkeypatch.setattr(hand_made, "_query", lambda *args, **kwargs: pytest.fail("read the file again"))
    assert hand_made.sentences_matching(np.array([1, 0]), "the", limit=5) is first
    with pytest.raises(pytest.fail.Exception):
        hand_made.sentences_matching(np.array([0, 1]), "the", limit=5)  # other articles: read


def test_a_build_whose_sentence_counts_do_not_add_up_cannot_be_read(hand_made: TextStore, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    articles = pq.read_table(Path(hand_made.files.path("articles"))).to_pandas()
    (tmp_path / "odd").mkdir()
    for name in ("sentences.parquet", "article_terms.parquet", "sentence_actors.parquet", "search.sqlite"):
        (tmp_path / "odd" / name).write_bytes(Path(hand_made.files.path(name)).read_bytes())
    articles.assign(n_sentences=[1, 2, 1, 1]).to_parquet(tmp_path / "odd" / "articles.parquet")
    with pytest.raises(ValueError, match="5 sentences in 4 articles, sentences.parquet holds 4"):
        TextStore(BuildFiles(tmp_path / "odd"), hand_made.article_ids)


def test_article_details_read_the_columns_left_on_disk(hand_made: TextStore) -> None:
    assert hand_made.article_details("a", ["text", "url", "not a column"]) == {"text": "The leaders met.", "url": ""}
    assert hand_made.article_details("nobody", ["text"]) == {"text": None}


def test_a_loaded_build_reads_its_own_files_after_a_rebuild_is_swapped_into_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "build"
    first_tables = build_tables(n_articles=8, seed=1)
    store.write_build(folder, first_tables, {"build_id": "first"})
    first = read_artifacts(folder)
    second_tables = build_tables(n_articles=20, seed=2)
    store.write_build(folder, second_tables, {"build_id": "second"})  # the first build's folder is renamed, then deleted
    assert not any(entry.name.startswith(".old-") for entry in tmp_path.iterdir())
    article_id = ARTICLE_ID.format(3)
    expected = first_tables["sentences"].loc[first_tables["sentences"]["article_id"] == article_id, "text"].tolist()
    assert first.texts.sentences_of(article_id)["text"].tolist() == expected
    assert expected != second_tables["sentences"].loc[second_tables["sentences"]["article_id"] == article_id, "text"].tolist()
    first_text = first_tables["articles"].set_index("article_id").loc[article_id, "text"]
    assert first.article(article_id)["text"] == first_text
    assert set(apply_filters(first, Filters(q=" ".join(first_text.split()[:5])))["article_id"]) >= {article_id}  # its own index
    assert len(first.term_matrix.article_ids) == 8 == dense_terms(first.term_matrix).any(axis=1).sum()  # read on first use, from the first build's file
    second = read_artifacts(folder)
    assert len(second.term_matrix.article_ids) == 20


def test_closing_the_files_releases_them(tmp_path: Path) -> None:
    folder = tmp_path / "build"
    store.write_build(folder, build_tables(n_articles=4), {"build_id": "x"})
    files = BuildFiles(folder)
    descriptor = int(Path(files.path("sentences")).name)
    os.fstat(descriptor)
    files.close()
    with pytest.raises(OSError):
        os.fstat(descriptor)


def test_a_folder_without_a_pinned_table_cannot_be_opened(tmp_path: Path) -> None:
    folder = tmp_path / "build"
    store.write_build(folder, build_tables(n_articles=4), {"build_id": "x"})
    (folder / "sentences.parquet").unlink()
    with pytest.raises(FileNotFoundError):
        BuildFiles(folder)


def test_sentences_read_by_row_are_kept_for_the_build(hand_made: TextStore, monkeypatch: pytest.MonkeyPatch) -> None:
    first = hand_made.sentences_at([3, 0], ["text"])
    monkeypatch.setattr(hand_made, "_query", lambda *args: pytest.fail("read the file again"))
    pd.testing.assert_frame_equal(hand_made.sentences_at([3, 0], ["text"]), first)
    assert hand_made.sentences_at([0], ["text"])["text"].tolist() == ["The leaders met."]


def test_the_build_writes_texts_in_row_groups_the_store_reads_one_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB holds a whole row group's text column per query: one group of every text would cost 60 MB at 100k stories."""
    import pyarrow.parquet as pq

    monkeypatch.setitem(store.ROW_GROUP_ROWS, "articles", 4)
    tables = build_tables(n_articles=10)
    store.write_build(tmp_path / "build", tables, {"build_id": "x"})
    assert pq.read_metadata(tmp_path / "build" / "articles.parquet").num_row_groups == 3
    with store.staging(tmp_path / "staged") as stage:  # a table staged as one part becomes the build's file
        store.write_part(stage, "articles", 0, tables["articles"])
        assert pq.read_metadata(Path(stage) / store.PARTS / "articles" / "000000.parquet").num_row_groups == 3


def test_a_build_whose_file_order_is_not_the_apps_date_order_maps_rows_to_the_right_articles(tmp_path: Path) -> None:
    """The app sorts articles by date; the search index answers in articles.parquet rows and sentences follow that file's order."""
    tables = build_tables(n_articles=12, seed=3)
    file_order = tables["articles"]["article_id"].iloc[::-1].tolist()  # newest first in the files
    tables["articles"] = tables["articles"].iloc[::-1].reset_index(drop=True)
    place = {article_id: position for position, article_id in enumerate(file_order)}
    tables["sentences"] = tables["sentences"].sort_values(["article_id", "sentence_idx"], key=lambda column: column.map(place)
                                                          if column.name == "article_id" else column).reset_index(drop=True)
    store.write_build(tmp_path / "build", tables, {"build_id": "reversed"})
    loaded = read_artifacts(tmp_path / "build")
    assert loaded.articles["article_id"].astype(str).tolist() != file_order  # the app's order differs
    for article_id, title in zip(tables["articles"]["article_id"], tables["articles"]["title"], strict=True):
        found = set(loaded.articles["article_id"].astype(str)[loaded.texts.search(title)])
        assert article_id in found, title
        expected = tables["sentences"].loc[tables["sentences"]["article_id"] == article_id, "text"].tolist()
        assert loaded.texts.sentences_of(article_id)["text"].tolist() == expected
