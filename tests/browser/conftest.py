"""Fixtures of the browser tests: Chromium, app servers on two builds, fresh pages, screenshots on failure.

    @pytest.mark.browser
    def test_something(factory_server, open_app):
        app = open_app(factory_server).open("/tone?leader=kim-jong-un")   # a fresh browser context
        assert app.problems() == []

Builds: `factory_build` (tests/dashboard/artifact_factory.py: 40 synthetic articles,
2018-2019) and `hostile_build` (tests/browser/hostile_corpus.py through the real
pipeline). Each has one server for the whole browser package, stopped (process group
killed) when the package's last test has run. When a test fails, every page it opened is
saved as a full-page screenshot in test-artifacts/ (gitignored) and the server's log
tail is added to the report.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser import CHROMIUM, INSTALL_HINT, REPO_DIR, AppPage, AppServer, launch_options
from tests.browser.hostile_corpus import build_hostile_corpus
from tests.dashboard.artifact_factory import write_artifacts, write_events

SCREENSHOT_DIR = REPO_DIR / "test-artifacts"
VIEWPORT = {"width": 1400, "height": 1000}
_OPENED_PAGES = pytest.StashKey[list[Page]]()


@pytest.fixture(scope="package")
def chromium() -> Path:
    """Debian's Chromium; missing, it fails the run in CI and skips the browser tests elsewhere."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    message = f"Chromium was not found at {CHROMIUM}: {INSTALL_HINT}."
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} CI must run the browser tests.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="package")
def browser(chromium: Path) -> Iterator[Browser]:  # noqa: ARG001 (checks Chromium first)
    """One headless Chromium for the package; each test opens its own contexts."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**launch_options())
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def factory_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The factory's 40-article synthetic build (read-only)."""
    return write_artifacts(tmp_path_factory.mktemp("browser-factory") / "build")


@pytest.fixture(scope="package")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile corpus, built by the real pipeline (read-only)."""
    return build_hostile_corpus(tmp_path_factory.mktemp("browser-hostile"))


def _serve(data_dir: Path, work_dir: Path, events_path: Path | None = None) -> Iterator[AppServer]:
    with AppServer(data_dir, work_dir / "streamlit.log", events_path=events_path) as server:
        yield server


@pytest.fixture(scope="package")
def factory_server(chromium: Path, factory_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:  # noqa: ARG001
    """The app on the factory build, with the factory's events (one has a hostile label)."""
    work_dir = tmp_path_factory.mktemp("browser-factory-server")
    yield from _serve(factory_build, work_dir, events_path=write_events(work_dir / "events.csv"))


@pytest.fixture(scope="package")
def hostile_server(chromium: Path, hostile_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:  # noqa: ARG001
    """The app on the hostile build (events: the repository's data/events.csv)."""
    yield from _serve(hostile_build, tmp_path_factory.mktemp("browser-hostile-server"))


@pytest.fixture
def open_app(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[[AppServer], AppPage]]:
    """`open_app(server)`: a page of the app in a new browser context (no shared cookies, storage or session)."""
    contexts = []
    opened = request.node.stash.setdefault(_OPENED_PAGES, [])

    def open_page(server: AppServer) -> AppPage:
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        opened.append(page)
        return AppPage(page, server.base_url)

    yield open_page
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:  # noqa: ARG001
    """On a failure, save a screenshot of every page the test opened and add the servers' log tails to the report."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        saved = _save_screenshots(item)
        if saved:
            report.sections.append(("screenshots", "\n".join(str(path) for path in saved)))
        for name, value in getattr(item, "funcargs", {}).items():
            if isinstance(value, AppServer):
                report.sections.append((f"{name} log (last lines)", value.log_tail()))
    return report


def _save_screenshots(item: pytest.Item) -> list[Path]:
    saved = []
    stem = re.sub(r"[^\w.-]+", "_", item.nodeid)
    for number, page in enumerate(item.stash.get(_OPENED_PAGES, []), start=1):
        if page.is_closed():
            continue
        path = SCREENSHOT_DIR / f"{stem}-page{number}.png"
        try:
            page.screenshot(path=str(path), full_page=True, timeout=15_000)
        except Exception as error:  # noqa: BLE001 (a failed screenshot must not hide the test's own failure)
            path = path.with_suffix(".txt")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"screenshot failed: {error}\n")
        saved.append(path)
    return saved
