"""A user with only a browser uploads pasted-page .txt and .jsonl files and the dashboard switches to them."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import AppServer

pytestmark = pytest.mark.browser

TXT = """Upload desk
[Editorial] Border handshake revives hope
By Upload desk
Published : July 1, 2019 - 09:00
    • Link copied

Donald Trump and Kim Jong Un met at the demilitarized zone. The meeting was a goodwill gesture.

Working-level talks were expected to resume within weeks.
"""
JSONL_RECORDS = [
    {"id": "up-1", "date": "2019-10-06", "title": "Stockholm talks break down", "source": "Upload wire",
     "body": "Working-level talks in Stockholm collapsed after one day. North Korea blamed Washington."},
    {"id": "up-2", "date": "2019-12-31", "title": "Party plenary ends", "source": "Upload wire",
     "body": "Kim Jong Un told a party meeting that the country would not be bound by its moratorium."},
]
# "Party plenary ends" (2019-12-31) lies after the factory build's last day: it shows only if the
# filters chosen on the app's corpus are dropped when the session switches to its own.
UPLOADED_TITLES = {"Border handshake revives hope", "Stockholm talks break down", "Party plenary ends"}


@pytest.fixture(scope="module")
def upload_server(chromium: Path, factory_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, Path]]:  # noqa: ARG001
    """The app on the factory build, with session folders in a temporary uploads root."""
    work = tmp_path_factory.mktemp("browser-upload")
    uploads = work / "uploads"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PENINSULA_WATCH_UPLOADS", str(uploads))
        server = AppServer(factory_build, work / "streamlit.log").start()
    try:
        yield server, uploads
    finally:
        server.stop()


def _corpus_files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    txt, jsonl = folder / "handshake.txt", folder / "wire.jsonl"
    txt.write_text(TXT, encoding="utf-8")
    jsonl.write_text("\n".join(json.dumps(record) for record in JSONL_RECORDS) + "\n", encoding="utf-8")
    return [txt, jsonl]


def _attach(app, files: list[Path], shown: str) -> None:
    """Attach files and wait until the server has them: the name shows while the upload still runs."""
    app.page.locator("input[type=file]").set_input_files([str(p) for p in files])
    app.page.get_by_text(shown).wait_for()
    app.wait_ready()


def test_uploaded_files_become_the_sessions_corpus(upload_server, open_app, tmp_path: Path) -> None:
    server, uploads = upload_server
    app = open_app(server).open("/your_corpus")
    _attach(app, _corpus_files(tmp_path), "handshake.txt")
    app.page.get_by_role("button", name="Analyse").click()
    app.page.get_by_text("Analysed 2 file(s)").wait_for(timeout=120_000)
    app.wait_ready()
    assert app.problems() == []
    assert app.page.get_by_role("radio", name="Your corpus").is_checked()
    assert [p.name for p in uploads.glob("*/build/manifest.json")] == ["manifest.json"]

    app.go_to("Articles")
    app.wait_ready()
    assert {row["Title"] for row in app.table_rows()} == UPLOADED_TITLES

    other = open_app(server).open("/articles")
    assert other.page.get_by_role("radio", name="Your corpus").count() == 0, "another session never sees this corpus"
    assert not ({row["Title"] for row in other.table_rows()} & UPLOADED_TITLES)


def test_path_traversal_zip_is_refused_in_the_browser(upload_server, open_app, tmp_path: Path) -> None:
    import zipfile

    server, uploads = upload_server
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("../../escaped.txt", TXT)
    app = open_app(server).open("/your_corpus")
    _attach(app, [archive], "evil.zip")
    app.page.get_by_role("button", name="Analyse").click()
    app.page.get_by_text("Upload refused").wait_for(timeout=60_000)
    assert "unsafe path" in app.page.get_by_text("Upload refused").inner_text()
    assert not list(uploads.parent.rglob("escaped.txt"))


def test_damaged_and_encrypted_zip_members_are_named_with_reasons_in_the_browser(upload_server, open_app, tmp_path: Path) -> None:
    from tests.hostile_zips import corrupt_deflate, patch_headers, zip_bytes

    server, uploads = upload_server
    damaged, locked = tmp_path / "damaged.zip", tmp_path / "locked.zip"
    damaged.write_bytes(corrupt_deflate(zip_bytes({"only.txt": TXT.encode() * 5})))
    locked.write_bytes(patch_headers(zip_bytes({"secret.txt": TXT.encode()}), "secret.txt", flags=0x1))
    app = open_app(server).open("/your_corpus")
    _attach(app, [damaged, locked], "locked.zip")
    app.page.get_by_role("button", name="Analyse").click()
    app.page.get_by_text("Upload refused").wait_for(timeout=60_000)
    refusal = app.page.get_by_text("Upload refused").inner_text()
    assert "damaged.zip/only.txt: damaged" in refusal and "locked.zip/secret.txt: encrypted" in refusal
    assert not list(uploads.glob("*/inputs-*")), "raw uploads are not kept after a refusal"
