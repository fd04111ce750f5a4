"""`python -m pipeline refresh` (issue 17): collect, then build or `build --update`, then the app shows the new articles.

Three refreshes against the local test site (tests/collect_site.py): the first builds the
folder from the Atom feed's two articles, the second adds the RSS feed's and GDELT's, the
third finds nothing new.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from pytest_httpserver import HTTPServer
from streamlit.testing.v1 import AppTest

from pipeline import store
from pipeline.cli import main
from pipeline.refresh import unread_inputs
from tests.collect_site import local_server, serve_gdelt, served_site

APP_FILE = Path(__file__).resolve().parents[1] / "app.py"


@pytest.fixture(scope="module")
def site() -> Iterator[HTTPServer]:
    with served_site() as server:
        yield server


@pytest.fixture(scope="module")
def gdelt(site: HTTPServer) -> Iterator[str]:
    """The GDELT API's address, on a host of its own (as in life: its five-second pause holds up no page)."""
    api = local_server()
    serve_gdelt(api, site)
    yield api.url_for("/api/v2/doc/doc")
    api.clear()
    api.stop()


def _refresh(folder: Path, *sources: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["refresh", *sources, "--corpus", str(folder / "corpus"), "--out", str(folder / "live"), "--delay", "0",
                   "--timeout", "0.4", "--retries", "0", "--workers", "1", "--quiet"], stderr=err, stdout=out)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def refreshed(site: HTTPServer, gdelt: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[int, str, str]], list[str]]:
    """The folder, the three refreshes' (status, stdout, stderr), and the build ids after each."""
    folder = tmp_path_factory.mktemp("refresh")
    runs, build_ids = [], []
    for sources in (["--feed", site.url_for("/feeds/atom.xml")],
                    ["--feed", site.url_for("/feeds/rss.xml"), "--gdelt", "north korea", "--gdelt-url", gdelt],
                    ["--feed", site.url_for("/feeds/atom.xml"), "--feed", site.url_for("/feeds/rss.xml")]):
        runs.append(_refresh(folder, *sources))
        build_ids.append(store.read_manifest(folder / "live")["build_id"])
    return folder, runs, build_ids


def test_first_refresh_builds_from_the_corpus(refreshed) -> None:
    _, runs, _ = refreshed
    status, out, err = runs[0]
    assert status == 0, err
    assert out.startswith("collected 2 new articles into ")
    assert out.splitlines()[-1].endswith("live: 2 articles added in 2024-05; it holds 2")


def test_second_refresh_adds_only_the_new_articles(refreshed) -> None:
    folder, runs, build_ids = refreshed
    status, out, err = runs[1]
    assert status == 0, err
    assert "collected 2 new articles" in out and "main reasons for rejects:" in out
    assert out.splitlines()[-1] == f"updated {folder / 'live'}: 2 articles added in 2024-05; it holds 4"
    assert build_ids[1] != build_ids[0]
    assert unread_inputs(folder / "corpus", folder / "live") == []


def test_a_refresh_with_nothing_new_leaves_the_build(refreshed) -> None:
    folder, runs, build_ids = refreshed
    status, out, _ = runs[2]
    assert status == 0
    assert out.startswith("collected 0 new articles (nothing written to ")
    assert out.splitlines()[-1] == f"{folder / 'live'} left as it was: no corpus file it has not read"
    assert build_ids[2] == build_ids[1]


def test_the_app_shows_the_refreshed_articles(refreshed, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, _, _ = refreshed
    collected = [json.loads(line) for path in sorted((folder / "corpus").glob("collected-*.jsonl"))
                 for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(collected) == 4
    built = pd.read_parquet(folder / "live" / "articles.parquet", columns=["article_id", "title"])
    assert sorted(built["article_id"]) == sorted(record["id"] for record in collected)
    summit = next(record for record in collected if record["title"] == "Summit preparations")
    monkeypatch.setenv("PENINSULA_WATCH_DATA", str(folder / "live"))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(APP_FILE), default_timeout=60).run()
        assert not at.exception
        assert next(metric.value for metric in at.metric if metric.label == "Articles") == "4"
        at = AppTest.from_file(str(APP_FILE), default_timeout=60)
        at.query_params["article"] = summit["id"]
        at.run()
        assert not at.exception
        shown = " ".join([*(element.value for element in at.markdown), *(element.proto.body for element in at.get("html"))])
        assert "Summit preparations" in shown and "Panmunjom" in shown  # the opened article's title and text
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_refresh_refuses_an_output_that_is_not_a_build(site: HTTPServer, tmp_path: Path) -> None:
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "notes.txt").write_text("mine", encoding="utf-8")
    status, out, err = _refresh(tmp_path, "--feed", site.url_for("/feeds/atom.xml"))
    assert status == 1
    assert out.startswith("collected 2 new articles")  # the collected articles are kept for the next try
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert (tmp_path / "live" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_build_of_another_pipeline_version_is_rebuilt_in_full(site: HTTPServer, tmp_path: Path) -> None:
    assert _refresh(tmp_path, "--feed", site.url_for("/feeds/atom.xml"))[0] == 0
    manifest_path = tmp_path / "live" / store.MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest_path.write_text(json.dumps(manifest | {"code_version": "an-older-one"}), encoding="utf-8")
    status, out, err = _refresh(tmp_path, "--feed", site.url_for("/feeds/rss.xml"))
    assert status == 0, err
    assert out.splitlines()[-1] == (f"rebuilt {tmp_path / 'live'} (the pipeline changed since it was built, so in full): "
                                    "1 article added in 2024-05; it holds 3")
    assert store.read_manifest(tmp_path / "live")["code_version"] != "an-older-one"
