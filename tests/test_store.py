"""The artifact store: complete builds swap in atomically; crashes leave the old build."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline import store


def _tables(marker: str) -> dict[str, pd.DataFrame]:
    return {
        "articles": pd.DataFrame({"article_id": [f"{marker}-1", f"{marker}-2"], "title": ["a", "b"]}),
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
    real_to_parquet = pd.DataFrame.to_parquet

    def crash_after_first_table(self: pd.DataFrame, path, *args, **kwargs):
        if written:
            raise KeyboardInterrupt("simulated crash")
        written.append(str(path))
        return real_to_parquet(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", crash_after_first_table)
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
    real_to_parquet = pd.DataFrame.to_parquet

    monkeypatch.setattr(Path, "write_text", lambda self, *a, **k: (order.append(self.name), real_write_text(self, *a, **k))[1])
    monkeypatch.setattr(pd.DataFrame, "to_parquet", lambda self, path, *a, **k: (order.append(Path(path).name), real_to_parquet(self, path, *a, **k))[1])
    _write(tmp_path / "build", "one")
    assert order[-1] == store.MANIFEST
    assert json.loads((tmp_path / "build" / store.MANIFEST).read_text())["build_id"] == "one"
