"""Hostile uploads are refused whole, with a reason, and nothing lands outside the session folder."""
from __future__ import annotations

import gzip
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest

from dashboard.build_queue import BuildQueue
from dashboard.config import server_upload_cap_mb, upload_ttl_hours
from dashboard.settings import Setting
from dashboard.uploads import (
    UploadLimits,
    UploadRejected,
    attachment_problem,
    build_problem,
    build_staged,
    create_session_folder,
    display_input,
    overall_progress,
    purge_expired,
    safe_name,
    session_folder,
    stage_uploads,
    upload_build_options,
    zip_folder,
)
from pipeline import store
from pipeline.build import BuildError, BuildFailure, reason_kind
from tests.hostile_zips import corrupt_crc, corrupt_deflate, patch_headers, zip_bytes

ARTICLE = "Demo: news report\nTitle\nPublished : June 12, 2018 - 09:00\n\nA summit took place.\n"


def _all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_files_zip_members_and_pasted_text_are_staged(tmp_path: Path) -> None:
    dest = tmp_path / "session" / "inputs"
    staged = stage_uploads(
        [("a.txt", ARTICLE.encode()), ("bundle.zip", zip_bytes({"nested/b.jsonl": b"{}\n", "notes.md": b"skip"}))],
        "Pasted article text",
        dest,
    )
    assert sorted(p.name for p in staged.files) == ["a.txt", "b.jsonl", "pasted-article.txt"]
    assert all(p.parent == dest for p in staged.files)
    assert [(r.name, r.reason.split(" (")[0]) for r in staged.refused] == [("bundle.zip/notes.md", "not a corpus file")]


def test_path_traversal_in_zip_is_refused_without_side_effects(tmp_path: Path) -> None:
    dest = tmp_path / "root" / "session"
    before = _all_files(tmp_path)
    with pytest.raises(UploadRejected, match=r"unsafe path '\.\./\.\./x\.txt'"):
        stage_uploads([("evil.zip", zip_bytes({"ok.txt": ARTICLE.encode(), "../../x.txt": b"owned"}))], "", dest)
    assert _all_files(tmp_path) == before
    assert not dest.exists()


@pytest.mark.parametrize("member", ["/etc/passwd.txt", "C:/windows/x.txt", "..\\..\\x.txt"])
def test_absolute_and_windows_paths_in_zip_are_refused(tmp_path: Path, member: str) -> None:
    with pytest.raises(UploadRejected, match="unsafe path"):
        stage_uploads([("evil.zip", zip_bytes({member: b"x"}))], "", tmp_path / "s")


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = zip_bytes({"big.txt": b"\0" * 50_000_000})
    assert len(bomb) < 1_000_000
    with pytest.raises(UploadRejected, match="zip bomb"):
        stage_uploads([("bomb.zip", bomb)], "", tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_zip_unpacking_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    payload = os.urandom(300_000)
    archive = zip_bytes({f"part{i}.txt": payload for i in range(4)})
    with pytest.raises(UploadRejected, match="unpacks to"):
        stage_uploads([("many.zip", archive)], "", tmp_path / "s", UploadLimits(max_unzipped_mb=1))


def test_200_mb_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UploadRejected, match="200 MB"):
        stage_uploads([("huge.jsonl", bytes(200_000_000))], "", tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_unsupported_file_type_is_refused_by_name_and_the_rest_is_staged(tmp_path: Path) -> None:
    staged = stage_uploads([("a.txt", ARTICLE.encode()), ("run.exe", b"MZ")], "", tmp_path / "s")
    assert [p.name for p in staged.files] == ["a.txt"]
    assert [str(r).split(" (")[0] for r in staged.refused] == ["run.exe: not a corpus file"]


def test_an_upload_with_nothing_usable_is_refused_naming_every_file(tmp_path: Path) -> None:
    with pytest.raises(UploadRejected, match=r"run\.exe: not a corpus file") as caught:
        stage_uploads([("run.exe", b"MZ"), ("evil.zip", zip_bytes({"../x.txt": b"x"}))], "", tmp_path / "s")
    assert [r.name for r in caught.value.refused] == ["run.exe", "evil.zip"]
    assert "unsafe path" in caught.value.refused[1].reason
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
    old, fresh = create_session_folder(tmp_path / "old"), create_session_folder(tmp_path / "fresh")
    os.utime(old, (1_000, 1_000))
    removed = purge_expired(tmp_path, max_age_hours=1, now=10_000)
    assert removed == [old]
    assert fresh.exists() and not old.exists()


def test_purge_spares_folders_the_app_did_not_create(tmp_path: Path) -> None:
    """PENINSULA_WATCH_UPLOADS pointed at `data`: the demo and its build are not session folders."""
    data = tmp_path / "data"
    for name in ("demo", "processed"):
        (data / name).mkdir(parents=True)
        (data / name / "keep.txt").write_text("mine")
        os.utime(data / name, (1_000, 1_000))
    (data / "actors.yaml").write_text("mine")
    session = create_session_folder(data / "abc123")
    os.utime(session, (1_000, 1_000))
    assert purge_expired(data, max_age_hours=1, now=10_000) == [session]
    assert {p.relative_to(data).as_posix() for p in _all_files(data)} == {"demo/keep.txt", "processed/keep.txt", "actors.yaml"}


def test_zip_folder_round_trips(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "manifest.json").write_text("{}")
    with zipfile.ZipFile(io.BytesIO(zip_folder(tmp_path / "b"))) as archive:
        assert archive.namelist() == ["manifest.json"]


def test_overall_progress_is_monotonic_across_stages() -> None:
    stages = ["ingest", "topics", "keywords", "analyse", "write"]  # the order build() reports
    values = [overall_progress(stage, fraction)[0] for stage in stages for fraction in (0.0, 0.5, 1.0)]
    assert values == sorted(values)
    assert values[0] == 0.0 and values[-1] == 1.0
    assert overall_progress("analyse", 0.5)[1].endswith("50%")


@pytest.mark.parametrize(("value", "expected"), [(None, 24.0), ("", 24.0), ("2", 2.0), (" 0.5 ", 0.5), ("87600", 87_600.0)])
def test_upload_ttl_from_environment(value: str | None, expected: float) -> None:
    environ = {} if value is None else {"PENINSULA_WATCH_UPLOAD_TTL_HOURS": value}
    assert upload_ttl_hours(environ) == Setting(expected)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "0", "-3", "0.05", "1e400", "nonsense", "87601"])
def test_invalid_ttl_falls_back_to_the_default_with_a_warning(value: str) -> None:
    setting = upload_ttl_hours({"PENINSULA_WATCH_UPLOAD_TTL_HOURS": value})
    assert setting.value == 24.0
    assert setting.warning is not None and "PENINSULA_WATCH_UPLOAD_TTL_HOURS" in setting.warning and value in setting.warning


def test_a_long_invalid_setting_is_shortened_in_the_warning() -> None:
    setting = upload_ttl_hours({"PENINSULA_WATCH_UPLOAD_TTL_HOURS": "x" * 10_000})
    assert setting.value == 24.0 and len(setting.warning) < 200 and "…" in setting.warning


# --- damaged, encrypted and unreadable zip members (issue 10) ----------------------------------


GOOD = ARTICLE.encode()
BAD_PAYLOAD = b"Demo: wire\nA title\nPublished : June 12, 2018\n\nSome body text to damage.\n"


@pytest.mark.parametrize(
    ("archive", "reason"),
    [
        (corrupt_crc(zip_bytes(method=zipfile.ZIP_STORED, members={"good.txt": GOOD, "bad.txt": BAD_PAYLOAD}), BAD_PAYLOAD), "damaged"),
        (patch_headers(zip_bytes({"good.txt": GOOD, "bad.txt": BAD_PAYLOAD}), "bad.txt", flags=0x1), "encrypted"),
        (patch_headers(zip_bytes({"good.txt": GOOD, "bad.txt": BAD_PAYLOAD}), "bad.txt", method=9), "Deflate64"),
        (zip_bytes({"good.txt": GOOD, "inner/bad.txt.zip": zip_bytes({"x.txt": GOOD})}), "archive inside the zip"),
    ],
    ids=["bad-crc", "encrypted", "deflate64", "nested-zip"],
)
def test_an_unreadable_zip_member_is_refused_by_name_and_the_others_kept(tmp_path: Path, archive: bytes, reason: str) -> None:
    staged = stage_uploads([("bundle.zip", archive)], "", tmp_path / "s")
    assert [p.name for p in staged.files] == ["good.txt"]
    assert len(staged.refused) == 1
    assert staged.refused[0].name.startswith("bundle.zip/") and staged.refused[0].name.endswith(("bad.txt", "bad.txt.zip"))
    assert reason in staged.refused[0].reason


def test_a_damaged_deflate_stream_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    archive = corrupt_deflate(zip_bytes({"only.txt": GOOD * 20}))
    with pytest.raises(UploadRejected, match=r"bundle\.zip/only\.txt: damaged"):
        stage_uploads([("bundle.zip", archive)], "", tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_a_zip_that_is_only_a_nested_zip_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(UploadRejected, match=r"outer\.zip/inner\.zip: an archive inside the zip is not opened"):
        stage_uploads([("outer.zip", zip_bytes({"inner.zip": zip_bytes({"a.txt": GOOD})}))], "", tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_an_unexpected_error_while_staging_leaves_nothing_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dashboard.uploads as uploads

    def broken(*args, **kwargs):
        raise MemoryError("simulated")

    monkeypatch.setattr(uploads, "_extract_zip", broken)
    with pytest.raises(MemoryError):
        stage_uploads([("a.txt", GOOD), ("b.zip", zip_bytes({"c.txt": GOOD}))], "", tmp_path / "s")
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("suffix", [".txt", ".jsonl.gz", ".csv.gz", ".jsonl", ".html"])
def test_long_names_keep_their_extension(suffix: str) -> None:
    name = safe_name("report-" + "x" * 300 + suffix)
    assert len(name) == 120 and name.endswith(suffix) and name.startswith("report-xxx")


def test_a_long_zip_member_name_is_staged_with_its_extension(tmp_path: Path) -> None:
    member = "folder/" + "very-long-title-" * 12 + ".jsonl.gz"
    staged = stage_uploads([("bundle.zip", zip_bytes({member: b"\x1f\x8b"}))], "", tmp_path / "s")
    assert len(staged.files) == 1 and staged.files[0].name.endswith(".jsonl.gz") and len(staged.files[0].name) <= 120


# --- attached files in server memory ---------------------------------------------------------


def test_attachments_within_the_caps_may_stay() -> None:
    assert attachment_problem([("a.txt", 10_000_000), ("b.zip", 40_000_000)], server_bytes=50_000_000, server_cap_mb=400) is None


@pytest.mark.parametrize(
    ("attached", "server_bytes", "expected"),
    [
        ([("big.csv", 60_000_000)], 60_000_000, r"big\.csv \(60 MB\): the limit per file is 50 MB"),
        ([(f"part{i}.csv", 45_000_000) for i in range(3)], 135_000_000, r"135 MB in all, the limit is 100 MB"),
        ([("a.csv", 10_000_000)], 401_000_000, r"server holds 401 MB .* limit is 400 MB"),
    ],
    ids=["per-file", "per-session", "server-total"],
)
def test_attachments_over_a_cap_are_named_with_the_reason(attached, server_bytes: int, expected: str) -> None:
    assert re.search(expected, attachment_problem(attached, server_bytes=server_bytes, server_cap_mb=400))


@pytest.mark.parametrize(("value", "expected"), [(None, 400), ("50", 50), ("nan", 400), ("2.5", 400), ("0", 400)])
def test_server_upload_cap_from_environment(value: str | None, expected: int) -> None:
    setting = server_upload_cap_mb({} if value is None else {"PENINSULA_WATCH_UPLOADS_TOTAL_MB": value})
    assert setting.value == expected and (setting.warning is None) == (value in (None, "50"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("/srv/app/data/uploads/0a1b/inputs-1732871234/wire.jsonl:2", "wire.jsonl:2"),
     ("C:\\app\\uploads\\0a1b\\inputs-17\\a.csv:row 3", "a.csv:row 3"), ("data/demo/x.txt", "data/demo/x.txt")],
)
def test_rejects_are_shown_with_the_users_file_name(raw: str, expected: str) -> None:
    assert display_input(raw) == expected


# --- staged inputs never outlive the build ------------------------------------------------------


def test_staged_inputs_are_removed_when_the_build_fails(tmp_path: Path) -> None:
    inputs = tmp_path / "session" / "inputs-1"
    stage_uploads([], "just a line without a date", inputs)
    queue = BuildQueue(1)
    with pytest.raises(BuildError):
        build_staged(inputs, tmp_path / "session" / "build", queue, on_wait=lambda position: None)
    assert not inputs.exists() and queue.snapshot() == (0, 0)


def test_staged_inputs_are_removed_when_the_user_leaves_while_waiting(tmp_path: Path) -> None:
    class Left(Exception):
        """What Streamlit raises in a callback once the user closed the tab."""

    def leave(position: int) -> None:
        raise Left

    inputs = tmp_path / "session" / "inputs-1"
    stage_uploads([("a.txt", GOOD)], "", inputs)
    queue = BuildQueue(1)
    with queue.turn(on_wait=lambda position: None):  # another session's build holds the only slot
        with pytest.raises(Left):
            build_staged(inputs, tmp_path / "session" / "build", queue, on_wait=leave)
        assert queue.snapshot() == (1, 0)
    assert not inputs.exists() and not (tmp_path / "session" / "build").exists()


# --- the app's limits hold for .gz inputs, and build failures are told in the page's words ------


_RECORD = json.dumps({"id": "g-1", "date": "2019-02-27", "title": "Leaders meet in Hanoi", "source": "Test wire",
                      "body": "Donald Trump and Kim Jong Un met in Hanoi for a second summit."}).encode() + b"\n"


def test_an_uploaded_gz_is_capped_at_the_unzipped_upload_limit(tmp_path: Path) -> None:
    # One record, then 3 MB of blank lines: 3 MB is far below the pipeline's own 1 GiB cap.
    packed = gzip.compress(_RECORD + b" " * 3_000_000 + b"\n", mtime=0)
    assert len(packed) < 20_000
    inputs = tmp_path / "session" / "inputs-1"
    stage_uploads([("wire.jsonl.gz", packed)], "", inputs)
    report = build_staged(inputs, tmp_path / "session" / "build", BuildQueue(1), on_wait=lambda position: None,
                          limits=UploadLimits(max_unzipped_mb=2))
    assert report.manifest["ingested"] == 1
    assert [(display_input(r["input"]), r["reason"].split(":")[0]) for r in report.rejects] == [
        ("wire.jsonl.gz", "too large when decompressed")
    ]
    assert "2,000,000 bytes" in report.rejects[0]["reason"]


def test_upload_build_options_tie_the_gz_caps_to_the_upload_limits() -> None:
    options = upload_build_options(UploadLimits(max_unzipped_mb=7, max_compression_ratio=40))
    assert (options.gzip.max_bytes, options.gzip.max_ratio) == (7_000_000, 40)


def _failed_build(tmp_path: Path, out: Path, pasted: str = ARTICLE) -> BuildError:
    inputs = tmp_path / "session" / "inputs-1"
    stage_uploads([], pasted, inputs)
    with pytest.raises(BuildError) as caught:
        build_staged(inputs, out, BuildQueue(1), on_wait=lambda position: None)
    return caught.value


def test_a_build_locked_by_another_tab_is_told_in_the_pages_words(tmp_path: Path) -> None:
    out = tmp_path / "session" / "build"
    out.parent.mkdir(parents=True)
    with store.build_lock(out):  # what the other tab's running build holds
        error = _failed_build(tmp_path, out)
    message = build_problem(error)
    assert "already running in another tab of this session" in message
    assert "--out" not in message and str(tmp_path) not in message


def test_a_build_folder_holding_foreign_files_is_told_in_the_pages_words(tmp_path: Path) -> None:
    out = tmp_path / "session" / "build"
    out.mkdir(parents=True)
    (out / "notes.txt").write_text("not written by a build")
    message = build_problem(_failed_build(tmp_path, out))
    assert "could not be replaced" in message and "new tab" in message
    assert "--out" not in message and str(tmp_path) not in message
    assert (out / "notes.txt").exists()


def test_a_build_with_every_record_rejected_names_the_main_reasons_not_the_server_path(tmp_path: Path) -> None:
    error = _failed_build(tmp_path, tmp_path / "session" / "build", pasted="just a line without a date")
    assert error.failure is BuildFailure.ALL_REJECTED and len(error.rejects) == 1
    message = build_problem(error)
    assert message.startswith("Nothing could be analysed: none of the 1 records could be used")
    assert f"main reasons: {reason_kind(error.rejects[0]['reason'])} (1)" in message
    assert str(tmp_path) not in message


def test_other_build_failures_keep_the_pipelines_reason() -> None:
    error = BuildError("6,000 articles ingested, the limit is 5,000", BuildFailure.TOO_MANY_ARTICLES)
    assert build_problem(error) == "Nothing could be analysed: 6,000 articles ingested, the limit is 5,000"
