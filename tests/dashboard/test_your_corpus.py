"""The "Your corpus" page: a pasted article is built and becomes the session's corpus, privately."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from dashboard.uploads import session_folder
from pipeline import store
from tests.hostile_zips import corrupt_deflate, patch_headers, zip_bytes

PASTED = """Demo: test desk
[Editorial] A handshake at the border
By Test desk
Published : July 1, 2019 - 09:00
Link copied

Donald Trump and Kim Jong Un met at the demilitarized zone on Sunday. The brief meeting was a goodwill gesture that revived hopes of dialogue.

Working-level talks were expected to resume within weeks.
"""


@pytest.fixture
def uploads_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "uploads"
    monkeypatch.setenv("PENINSULA_WATCH_UPLOADS", str(root))
    return root


def _session_builds(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*/build") if (p / store.MANIFEST).exists())


def _paste_and_build(at, text: str):
    at.text_area[0].set_value(text)
    at.button[0].click()  # the form's submit button
    return at.run(timeout=120)


def test_pasted_article_is_built_and_offered_in_the_sidebar(app_test, uploads_root: Path) -> None:
    at = app_test()
    at.switch_page("pages/your_corpus.py").run()
    assert not at.exception
    at = _paste_and_build(at, PASTED)
    assert not at.exception
    assert [e.value for e in at.error] == []
    builds = _session_builds(uploads_root)
    assert len(builds) == 1
    manifest = store.read_manifest(builds[0])
    assert (manifest["read"], manifest["ingested"], manifest["rejected"]) == (1, 1, 0)
    assert not list(builds[0].parent.glob("inputs-*")), "raw uploads are removed after the build"
    radio = at.sidebar.radio(key="pw_corpus_choice")
    assert radio.value == "Your corpus"
    titles = store.read_table(builds[0], "articles")["title"].tolist()
    assert titles == ["A handshake at the border"]


def test_two_sessions_do_not_see_each_others_corpus(app_test, uploads_root: Path) -> None:
    first = app_test()
    first.switch_page("pages/your_corpus.py").run()
    _paste_and_build(first, PASTED)
    second = app_test()
    second.switch_page("pages/your_corpus.py").run()
    assert not second.exception
    assert len(second.sidebar.radio) == 0, "a fresh session is offered only the app's corpus"
    assert len(_session_builds(uploads_root)) == 1


def test_text_with_no_usable_article_shows_a_clear_error(app_test, uploads_root: Path) -> None:
    at = app_test()
    at.switch_page("pages/your_corpus.py").run()
    at = _paste_and_build(at, "just a line without a date")
    assert not at.exception
    assert any("Nothing could be analysed" in e.value for e in at.error)
    assert _session_builds(uploads_root) == []


# --- refusals and rejects are shown with file names and reasons (issue 10) -------------------------

WIRE = "\n".join([
    json.dumps({"id": "w-1", "date": "2019-10-06", "title": "Talks in Stockholm", "source": "Test wire",
                "body": "Working-level talks in Stockholm ended after one day without agreement."}),
    json.dumps({"id": "w-2", "title": "A record without a date", "source": "Test wire", "body": "No date at all here."}),
]) + "\n"


def _upload_and_analyse(at, files: list[tuple[str, bytes]]):
    at.file_uploader[0].set_value([(name, data, "application/octet-stream") for name, data in files])
    at.run()
    next(button for button in at.button if button.label == "Analyse").click()
    return at.run(timeout=120)


def test_refused_files_and_rejected_records_are_listed_by_name_with_reasons(app_test, uploads_root: Path) -> None:
    at = app_test()
    at.switch_page("pages/your_corpus.py").run()
    bundle = patch_headers(zip_bytes({"locked.txt": PASTED.encode(), "inner.zip": b"PK"}), "locked.txt", flags=0x1)
    at = _upload_and_analyse(at, [("handshake.txt", PASTED.encode()), ("wire.jsonl", WIRE.encode()), ("notes.gz", b"\x1f\x8b"),
                                  ("bundle.zip", bundle)])
    assert not at.exception and [e.value for e in at.error] == []
    assert any("Analysed 2 file(s)" in s.value for s in at.success)
    tables = [frame.value for frame in at.dataframe]
    refusals = next(t for t in tables if "notes.gz" in set(t["File"]))
    reasons = dict(zip(refusals["File"], refusals["Reason"]))
    assert set(reasons) == {"notes.gz", "bundle.zip/locked.txt", "bundle.zip/inner.zip"}
    assert "not a corpus file" in reasons["notes.gz"] and "encrypted" in reasons["bundle.zip/locked.txt"]
    assert "archive inside the zip" in reasons["bundle.zip/inner.zip"]
    rejects = next(t for t in tables if any(str(name).startswith("wire.jsonl:") for name in t["File"]))
    assert list(rejects["File"]) == ["wire.jsonl:2"] and rejects["Reason"].iloc[0]
    assert not list(uploads_root.glob("*/inputs-*")), "raw uploads are not kept"


def test_a_zip_of_damaged_members_is_refused_by_name_and_nothing_is_kept(app_test, uploads_root: Path) -> None:
    at = app_test()
    at.switch_page("pages/your_corpus.py").run()
    at = _upload_and_analyse(at, [("broken.zip", corrupt_deflate(zip_bytes({"only.txt": PASTED.encode() * 5})))])
    assert not at.exception
    assert len(at.error) == 1 and "Upload refused" in at.error[0].value and "broken.zip/only.txt" in at.error[0].value.replace("\\", "")
    assert "damaged" in at.error[0].value
    assert not list(uploads_root.glob("*/inputs-*")) and not list(uploads_root.glob("*/build"))
    assert at.file_uploader[0].value == [] or at.file_uploader[0].value is None, "the refused files are released"


def test_attached_files_over_the_server_cap_are_released_with_the_reason(app_test, uploads_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PENINSULA_WATCH_UPLOADS_TOTAL_MB", "1")
    at = app_test()
    at.switch_page("pages/your_corpus.py").run()
    at.file_uploader[0].set_value([("big.jsonl", b"x" * 1_500_000, "application/octet-stream")])
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "Files not kept" in at.error[0].value and "limit is 1 MB" in at.error[0].value
    assert at.file_uploader[0].key != "pw_uploader_0", "a fresh uploader replaces the one holding the files"
    assert not at.file_uploader[0].value


@pytest.mark.parametrize("ttl", ["nan", "inf", "-1"])
def test_an_invalid_ttl_is_reported_and_the_default_used(app_test, uploads_root: Path, monkeypatch: pytest.MonkeyPatch, ttl: str) -> None:
    monkeypatch.setenv("PENINSULA_WATCH_UPLOAD_TTL_HOURS", ttl)
    at = app_test()
    at.switch_page("pages/your_corpus.py").run()
    assert not at.exception
    assert any("PENINSULA\\_WATCH\\_UPLOAD\\_TTL\\_HOURS" in w.value for w in at.warning)
    text = " ".join(m.value for m in at.markdown)
    assert "after 24 hours" in text and "nan hours" not in text and "inf hours" not in text


# --- build failures in the page's words, with the rejected records (issue 10) -----------------------


def test_a_build_that_keeps_nothing_lists_every_rejected_record(app_test, uploads_root: Path) -> None:
    at = app_test()
    at.switch_page("pages/your_corpus.py").run()
    at = _upload_and_analyse(at, [("wire.jsonl", WIRE.encode().replace(b'"date": "2019-10-06", ', b""))])
    assert not at.exception
    (error,) = at.error
    shown = error.value.replace("\\", "")  # Markdown escapes
    assert "none of the 2 records could be used" in shown and "no date (2)" in shown
    assert str(uploads_root) not in shown, "the server's folders are not shown"
    (rejects,) = [frame.value for frame in at.dataframe]
    assert list(rejects["File"]) == ["wire.jsonl:1", "wire.jsonl:2"]
    assert all(reason.startswith("no date") for reason in rejects["Reason"])
    assert _session_builds(uploads_root) == []


def test_a_second_tab_of_the_session_is_told_an_analysis_is_running(app_test, uploads_root: Path) -> None:
    at = app_test()
    at.session_state["pw_upload_token"] = "tab-test-token"
    at.switch_page("pages/your_corpus.py").run()
    build_dir = session_folder("tab-test-token", uploads_root) / "build"
    build_dir.parent.mkdir(parents=True)
    with store.build_lock(build_dir):  # the first tab's build, still running
        at = _paste_and_build(at, PASTED)
    assert not at.exception
    (error,) = at.error
    shown = error.value.replace("\\", "")  # Markdown escapes
    assert "already running in another tab of this session" in shown
    assert "--out" not in shown and str(uploads_root) not in shown
    assert not list(build_dir.parent.glob("inputs-*")), "the raw upload is not kept"


def test_the_page_and_the_upload_box_state_the_same_limit_per_file(app_test) -> None:
    at = app_test()
    at.switch_page("pages/your_corpus.py").run()
    limit = at.file_uploader[0].proto.max_upload_size_mb
    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert limit == config["server"]["maxUploadSize"]  # the server cuts off at the size the box announces
    assert f"{limit} MB per file" in at.markdown[0].value and "for all the files together" in at.markdown[0].value
