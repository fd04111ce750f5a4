"""Fixtures for app tests: a synthetic build (artifact_factory), its loaded Artifacts, AppTest on app.py.

    def test_something(artifacts):                 # dashboard.data.Artifacts of the 40-article build
        ...
    def test_page(app_test):                       # AppTest of app.py on that build, caches cleared
        at = app_test({"leader": "kim-jong-un"})   # query parameters, then at.run() has been called
        at.switch_page("pages/leaders.py").run()   # pages reached through app.py (see common.route_through_app)
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.config import DATA_ENV_VAR, EVENTS_ENV_VAR
from dashboard.data import Artifacts, read_artifacts
from tests.dashboard.artifact_factory import write_artifacts, write_events

APP_FILE = Path(__file__).resolve().parents[2] / "app.py"
APP_TIMEOUT = 30


@pytest.fixture(scope="session")
def artifact_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default synthetic build (40 articles), written once per test session; do not modify it."""
    return write_artifacts(tmp_path_factory.mktemp("artifacts") / "build")


@pytest.fixture(scope="session")
def events_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An events.csv with the factory's EVENTS (one of them with a hostile label)."""
    return write_events(tmp_path_factory.mktemp("events") / "events.csv")


@pytest.fixture(scope="session")
def artifacts(artifact_dir: Path) -> Artifacts:
    """The synthetic build as the app loads it (read-only: shared by the tests)."""
    return read_artifacts(artifact_dir)


@pytest.fixture
def clear_streamlit_caches() -> Iterator[None]:
    """st.cache_data / st.cache_resource outlive an AppTest run inside one pytest process: start and end clean."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_test(
    artifact_dir: Path, events_path: Path, monkeypatch: pytest.MonkeyPatch, clear_streamlit_caches: None,
) -> Callable[..., AppTest]:
    """A factory of AppTests of app.py on the synthetic build: `app_test(query_params, data_dir=None)` returns
    the AppTest after its first run."""
    monkeypatch.setenv(EVENTS_ENV_VAR, str(events_path))

    def run(query_params: Mapping[str, str | list[str]] | None = None, data_dir: Path | None = None) -> AppTest:
        monkeypatch.setenv(DATA_ENV_VAR, str(data_dir or artifact_dir))
        at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT)
        for name, value in (query_params or {}).items():
            at.query_params[name] = value
        return at.run()

    return run
