"""Hostile uploads are refused whole, with a reason, and nothing lands outside the session folder."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from dashboard.uploads import (
    UploadLimits,
    UploadRejected,
    purge_expired,
    safe_name,
    session_folder,
    stage_uploads,
    zip_folder,
)

ARTICLE = "Demo: news report\nTitle\nPublished : June 12, 2018 - 09:00\n\nA summit took place.\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_files_zip_members_and_pasted_text_are_staged(tmp_path: Path) -> None:
    dest = tmp_path / "session" / "inputs"
    written = stage_uploads(
        [("a.txt", ARTICLE.encode()), ("bundle.zip", _zip({"nested/b.jsonl": b"{}\n", "notes.md": b"skip"}))],
        "Pasted article text",
        dest,
    )
    assert sorted(p.name for p in written) == ["a.txt", "b.jsonl", "pasted-article.txt"]
    assert all(p.parent == dest for p in written)


def test_path_traversal_in_zip_is_refused_without_side_effects(tmp_path: Path) -> None:
    dest = tmp_path / "root" / "session"
    before = _all_files(tmp_path)
    with pytest.raises(UploadRejected, match=r"unsafe path '\.\./\.\./x\.txt'"):
        stage_uploads([("evil.zip", _zip({"ok.txt": ARTICLE.encode(), "../../x.txt": b"owned"}))], "", dest)
    assert _all_files(tmp_path) == before
    assert not dest.exists()


@pytest.mark.parametrize("member", ["/etc/passwd.txt", "C:/windows/x.txt", "..\\..\\x.txt"])
def test_absolute_and_windows_paths_in_zip_are_refused(tmp_path: Path, member: str) -> None:
    with pytest.raises(UploadRejected, match="unsafe path"):
        stage_uploads([("evil.zip", _zip({member: b"x"}))], "", tmp_path / "s")


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = _zip({"big.txt": b"\0" * 50_000_000})
    assert len(bomb) < 1_000_000
    with pytest.raises(UploadRejected, match="zip bomb"):
        stage_uploads([("bomb.zip", bomb)], "", tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_zip_unpacking_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    payload = os.urandom(300_000)
    archive = _zip({f"part{i}.txt": payload for i in range(4)})
    with pytest.raises(UploadRejected, match="unpacks to"):
        stage_uploads([("many.zip", archive)], "", tmp_path / "s", UploadLimits(max_unzipped_mb=1))


def test_200_mb_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UploadRejected, match="200 MB"):
        stage_uploads([("huge.jsonl", bytes(200_000_000))], "", tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_unsupported_file_type_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(UploadRejected, match=r"run\.exe: not a corpus file"):
        stage_uploads([("a.txt", ARTICLE.encode()), ("run.exe", b"MZ")], "", tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_nothing_to_analyse_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UploadRejected, match="nothing to analyse"):
        stage_uploads([], "   ", tmp_path / "s")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("../../etc/passwd", "passwd"), ("C:\\x\\y.txt", "y.txt"), ("<script>.csv", "script_.csv"), ("..", "upload")],
)
def test_safe_name_strips_folders_and_odd_characters(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_sessions_get_distinct_unguessable_folders(tmp_path: Path) -> None:
    first, second = session_folder("session-a", tmp_path), session_folder("session-b", tmp_path)
    assert first != second and first.parent == second.parent == tmp_path
    assert "session" not in first.name


def test_purge_removes_only_expired_session_folders(tmp_path: Path) -> None:
    old, fresh = tmp_path / "old", tmp_path / "fresh"
    old.mkdir()
    fresh.mkdir()
    os.utime(old, (1_000, 1_000))
    removed = purge_expired(tmp_path, max_age_hours=1, now=10_000)
    assert removed == [old]
    assert fresh.exists() and not old.exists()


def test_zip_folder_round_trips(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "manifest.json").write_text("{}")
    with zipfile.ZipFile(io.BytesIO(zip_folder(tmp_path / "b"))) as archive:
        assert archive.namelist() == ["manifest.json"]


def test_overall_progress_is_monotonic_across_stages() -> None:
    from dashboard.uploads import overall_progress

    stages = ["ingest", "topics", "keywords", "analyse", "write"]  # the order build() reports
    values = [overall_progress(stage, fraction)[0] for stage in stages for fraction in (0.0, 0.5, 1.0)]
    assert values == sorted(values)
    assert values[0] == 0.0 and values[-1] == 1.0
    assert overall_progress("analyse", 0.5)[1].endswith("50%")


@pytest.mark.parametrize(("value", "expected"), [(None, 24.0), ("2", 2.0), ("nonsense", 24.0), ("0", 0.1)])
def test_upload_ttl_from_environment(value: str | None, expected: float) -> None:
    from dashboard.uploads import upload_ttl_hours

    environ = {} if value is None else {"PENINSULA_WATCH_UPLOAD_TTL_HOURS": value}
    assert upload_ttl_hours(environ) == expected
