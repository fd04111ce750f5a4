"""The "Your corpus" page: a pasted article is built and becomes the session's corpus, privately."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import store

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
