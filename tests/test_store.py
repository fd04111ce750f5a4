"""The artifact store: complete builds swap in atomically; crashes leave the old build."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import search_index, store


def _articles(ids: list[str]) -> pd.DataFrame:
    """An articles table with every declared column: ids as given, zeros and empty strings elsewhere."""
    frame = store.empty_frame("articles").reindex(range(len(ids)))
    for field in store.SCHEMAS["articles"]:
        if pa.types.is_large_string(field.type):
            frame[field.name] = ""
        elif not pa.types.is_timestamp(field.type):
            frame[field.name] = 0
    frame["date"] = pd.Timestamp("2019-02-27")
    frame["article_id"] = ids
    return frame


def _tables(marker: str) -> dict[str, pd.DataFrame]:
    return {
        "articles": _articles([f"{marker}-1", f"{marker}-2"]),
        "mentions": pd.DataFrame({"article_id": [f"{marker}-1"], "actor_id": ["kim-jong-un"], "count": [2]}),
    }


def _write(out: Path, marker: str) -> None:
    store.write_build(out, _tables(marker), {"build_id": marker, "read": 2}, rejects=[{"input": "x.txt:3", "reason": "no date"}])


def test_write_then_read_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _write(out, "one")
    manifest = store.read_manifest(out)
    assert manifest["build_id"] == "one"
    assert manifest["schema_version"] == store.SCHEMA_VERSION
    assert store.read_table(out, "articles")["article_id"].tolist() == ["one-1", "one-2"]
    assert store.read_jsonl(out, store.REJECTS) == [{"input": "x.txt:3", "reason": "no date"}]
    assert store.read_jsonl(out, store.DUPLICATES) == []


def test_rebuild_replaces_previous_build_and_leaves_no_temporaries(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _write(out, "one")
    _write(out, "two")
    assert store.read_manifest(out)["build_id"] == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_crash_while_writing_keeps_previous_build_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "build"
    _write(out, "one")
    written: list[str] = []
    real_write_table = pq.write_table

    def crash_after_first_table(table: pa.Table, path, *args, **kwargs):
        if written:
            raise KeyboardInterrupt("simulated crash")
        written.append(str(path))
        return real_write_table(table, path, *args, **kwargs)

    monkeypatch.setattr(store.pq, "write_table", crash_after_first_table)
    with pytest.raises(KeyboardInterrupt):
        _write(out, "two")
    monkeypatch.undo()
    assert written, "the crash must happen after a table was written"
    assert store.read_manifest(out)["build_id"] == "one"
    assert store.read_table(out, "articles")["article_id"].tolist() == ["one-1", "one-2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_crash_between_renames_is_recovered_by_next_build(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _write(out, "one")
    # Simulate a process killed after moving the old build aside, before the new one moved in.
    aside = tmp_path / ".old-build-deadbeef"
    out.rename(aside)
    (tmp_path / ".tmp-build-cafebabe").mkdir()
    store.remove_stale_temporaries(out)
    assert store.read_manifest(out)["build_id"] == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_unknown_table_is_refused_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown artifact tables"):
        store.write_build(tmp_path / "build", {"nonsense": pd.DataFrame()}, {})
    assert not (tmp_path / "build").exists()


def test_build_id_ignores_input_order_but_not_content_or_parameters() -> None:
    base = store.compute_build_id(["a", "b"], {"k": 1}, "code")
    assert store.compute_build_id(["b", "a"], {"k": 1}, "code") == base
    assert store.compute_build_id(["a", "c"], {"k": 1}, "code") != base
    assert store.compute_build_id(["a", "b"], {"k": 2}, "code") != base
    assert store.compute_build_id(["a", "b"], {"k": 1}, "other") != base


def test_manifest_is_written_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []
    real_write_text = Path.write_text
    real_write_table = pq.write_table

    monkeypatch.setattr(Path, "write_text", lambda self, *a, **k: (order.append(self.name), real_write_text(self, *a, **k))[1])
    monkeypatch.setattr(
        store.pq, "write_table", lambda table, path, *a, **k: (order.append(Path(path).name), real_write_table(table, path, *a, **k))[1]
    )
    _write(tmp_path / "build", "one")
    assert order[-1] == store.MANIFEST
    assert json.loads((tmp_path / "build" / store.MANIFEST).read_text())["build_id"] == "one"


# --- one schema per table ----------------------------------------------------------------


def test_every_table_has_one_declared_schema_and_required_columns_come_from_it() -> None:
    assert set(store.TABLES) | set(store.STATE_TABLES) == set(store.SCHEMAS)
    for name in store.TABLES:
        assert set(store.REQUIRED_COLUMNS[name]) <= set(store.SCHEMAS[name].names)
    assert "score_window" not in store.REQUIRED_COLUMNS["keywords"]  # newer than schema 1: older builds lack it


@pytest.mark.parametrize("name", sorted(store.SCHEMAS))
def test_empty_frame_has_the_declared_columns_and_round_trips(tmp_path: Path, name: str) -> None:
    frame = store.empty_frame(name)
    assert list(frame.columns) == store.SCHEMAS[name].names
    assert store.to_arrow(name, frame).schema.equals(store.SCHEMAS[name])


def test_written_tables_take_the_declared_types_and_read_back_with_them(tmp_path: Path) -> None:
    tables = _tables("one")
    tables["mentions"] = tables["mentions"].astype({"count": "int32"})
    store.write_build(tmp_path / "build", tables, {"build_id": "one"})
    assert pq.read_schema(tmp_path / "build" / "mentions.parquet").field("count").type == pa.int64()
    assert store.read_table(tmp_path / "build", "mentions")["count"].dtype == "int64"
    assert store.read_table(tmp_path / "build", "articles")["date"].dtype == "datetime64[ns]"


def test_a_table_missing_a_required_column_is_refused_naming_table_and_column(tmp_path: Path) -> None:
    tables = _tables("one")
    tables["mentions"] = tables["mentions"].drop(columns="count")
    with pytest.raises(ValueError, match=r"table mentions: missing columns \['count'\]"):
        store.write_build(tmp_path / "build", tables, {})
    assert not (tmp_path / "build").exists()


def test_an_undeclared_column_or_a_wrong_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"undeclared columns \['extra'\]"):
        store.to_arrow("mentions", pd.DataFrame({"article_id": ["a"], "actor_id": ["b"], "count": [1], "extra": [0]}))
    with pytest.raises(ValueError, match="table mentions: a column does not fit"):
        store.to_arrow("mentions", pd.DataFrame({"article_id": ["a"], "actor_id": ["b"], "count": ["many"]}))


def test_validation_names_a_column_of_the_wrong_type(tmp_path: Path) -> None:
    out = tmp_path / "build"
    empties = {name: store.empty_frame(name) for name in store.TABLES if name not in ("articles", "mentions")}
    store.write_build(out, {**_tables("one"), **empties}, {})
    assert store.validate_build(out) == []
    pq.write_table(pa.table({"article_id": ["a"], "actor_id": ["b"], "count": [1.5]}), out / "mentions.parquet")
    assert store.validate_build(out) == [f"{out / 'mentions.parquet'} has count is double, not int64"]


def test_parts_written_by_workers_follow_the_table_in_index_order(tmp_path: Path) -> None:
    out = tmp_path / "build"
    mentions = {"article_id": ["a"], "actor_id": ["kim-jong-un"], "count": [1]}
    with store.staging(out) as stage:
        for index, article_id in ((2, "c"), (0, "a"), (1, "b")):  # chunks finish in any order
            store.write_part(stage, "mentions", index, pd.DataFrame({**mentions, "article_id": [article_id]}))
        tables = {**_tables("one"), "mentions": pd.DataFrame({**mentions, "article_id": ["old"]})}
        store.write_build(out, tables, {"build_id": "one"}, stage=stage)
    assert store.read_table(out, "mentions")["article_id"].tolist() == ["old", "a", "b", "c"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
    assert not (out / store.PARTS).exists()


def test_a_part_that_does_not_fit_its_schema_is_refused_naming_the_table(tmp_path: Path) -> None:
    with store.staging(tmp_path / "build") as stage, pytest.raises(ValueError, match="table mentions"):
        store.write_part(stage, "mentions", 0, pd.DataFrame({"article_id": ["a"], "count": [1]}))


def test_a_failed_build_leaves_no_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _write(out, "one")
    with pytest.raises(RuntimeError), store.staging(out) as stage:
        store.write_part(stage, "mentions", 0, pd.DataFrame({"article_id": ["a"], "actor_id": ["x"], "count": [1]}))
        raise RuntimeError("the analysis failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
    assert store.read_manifest(out)["build_id"] == "one"


def test_parts_are_joined_into_the_row_groups_the_app_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(store.ROW_GROUP_ROWS, "mentions", 5)
    out = tmp_path / "build"
    with store.staging(out) as stage:
        for index in range(4):  # parts of 3 rows: 12 rows in groups of 5, 5 and 2
            ids = [f"{index}-{row}" for row in range(3)]
            store.write_part(stage, "mentions", index, pd.DataFrame({"article_id": ids, "actor_id": ["x"] * 3, "count": [1] * 3}))
        store.write_build(out, _tables("one") | {"mentions": store.SCHEMAS["mentions"].empty_table()}, {"build_id": "one"}, stage=stage)
    metadata = pq.ParquetFile(out / "mentions.parquet").metadata
    assert [metadata.row_group(group).num_rows for group in range(metadata.num_row_groups)] == [5, 5, 2]
    assert store.read_table(out, "mentions")["article_id"].tolist() == [f"{index}-{row}" for index in range(4) for row in range(3)]


def test_staged_tables_stay_out_of_the_build(tmp_path: Path) -> None:
    out = tmp_path / "build"
    with store.staging(out) as stage:
        store.write_part(stage, "article_texts", 0, pa.table({"article_id": ["a"], "title": ["Talks"], "text": ["Summit talks."]}))
        assert store.read_part(stage, "article_texts", 0, columns=["text"]).column_names == ["text"]
        store.write_build(out, _tables("one"), {"build_id": "one"}, stage=stage)
    assert sorted(path.name for path in out.glob("*.parquet")) == ["articles.parquet", "mentions.parquet"]


def test_removed_parts_are_not_joined(tmp_path: Path) -> None:
    out = tmp_path / "build"
    mentions = {"actor_id": ["x"], "count": [1]}
    with store.staging(out) as stage:
        for index in range(3):
            store.write_part(stage, "mentions", index, pd.DataFrame({**mentions, "article_id": [f"old-{index}"]}))
        store.remove_parts(stage, "mentions")  # written again in fewer parts, as after a chunk's articles failed
        store.write_part(stage, "mentions", 0, pd.DataFrame({**mentions, "article_id": ["new"]}))
        assert [path.name for path in store.part_paths(stage, "mentions")] == ["000000.parquet"]
        store.write_build(out, _tables("one") | {"mentions": store.SCHEMAS["mentions"].empty_table()}, {"build_id": "one"}, stage=stage)
    assert store.read_table(out, "mentions")["article_id"].tolist() == ["new"]


def test_a_part_written_from_several_frames_holds_their_rows_in_whole_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(store.ROW_GROUP_ROWS, "mentions", 4)
    frames = [pd.DataFrame({"article_id": [f"{index}-{row}" for row in range(3)], "actor_id": ["x"] * 3, "count": [1] * 3}) for index in range(3)]
    with store.staging(tmp_path / "build") as stage:
        store.write_part(stage, "mentions", 0, iter(frames))
        metadata = pq.ParquetFile(store.part_paths(stage, "mentions")[0]).metadata
        assert [metadata.row_group(group).num_rows for group in range(metadata.num_row_groups)] == [4, 4, 1]
        assert store.read_part(stage, "mentions", 0).to_pandas().equals(pd.concat(frames, ignore_index=True))
        with pytest.raises(ValueError, match="table mentions: no rows"):
            store.write_part(stage, "mentions", 1, iter([]))
        assert [path.name for path in (stage / store.PARTS / "mentions").iterdir()] == ["000000.parquet"]


def test_a_build_written_without_its_search_index_gets_one_over_its_articles_rows(tmp_path: Path) -> None:
    out = tmp_path / "build"
    tables = _tables("one")
    tables["articles"]["title"] = ["Summit in Hanoi", "Talks resume"]
    store.write_build(out, tables, {"build_id": "one"})
    index = search_index.SearchIndex(out / search_index.INDEX_FILE)
    assert index.matching_rows("talks").tolist() == [1] and index.matching_rows("summit").tolist() == [0]
    assert not store._foreign_entries(out)  # and a rebuild may replace the folder


def test_validation_names_a_missing_or_stale_search_index(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _write(out, "one")  # a partial build (two tables): only the index's problems are looked at

    def index_problems() -> list[str]:
        return [problem for problem in store.validate_build(out) if search_index.INDEX_FILE in problem]

    assert index_problems() == []
    (out / search_index.INDEX_FILE).unlink()
    assert index_problems() == [f"{out / search_index.INDEX_FILE} is missing: rebuild it (builds made before the text search index have none)"]
    search_index.write_search_index(out / search_index.INDEX_FILE, [(["a"], ["b"])])
    assert index_problems() == [
        f"{out / search_index.INDEX_FILE} indexes 1 articles, the build holds 2: rebuild it (builds made before the text search index have none)"]
