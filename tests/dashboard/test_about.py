"""About the measures: it opens on what the app measures, file formats last, and `?measure=` opens a measure's tab."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.about import SECTION_ORDER, chosen_section, freshness, measure_sections, section_title

AppRun = Callable[..., AppTest]


def test_the_page_opens_on_what_the_app_measures_and_ends_on_file_formats() -> None:
    names = [name for name, _ in measure_sections()]
    assert names[0] == "overview" and names[-1] == "ingest"
    assert set(names) == set(SECTION_ORDER)  # every note of docs/measures/ is a tab


def test_extra_notes_come_after_the_known_ones(tmp_path: Path) -> None:
    for name in ("zeta", "tone", "overview"):
        (tmp_path / f"{name}.md").write_text(f"# {name.title()}\n", encoding="utf-8")
    assert [name for name, _ in measure_sections(tmp_path)] == ["overview", "tone", "zeta"]


def test_a_tab_is_named_by_its_first_heading() -> None:
    assert section_title("tone", "# Tone\n\ntext") == "Tone"
    assert section_title("empty", "") == "empty"


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("tone", "tone"), (" topics ", "topics")])
def test_a_known_measure_opens_its_tab(value: str | None, expected: str | None) -> None:
    assert chosen_section(value, SECTION_ORDER) == (expected, None)


def test_an_unknown_measure_gives_one_notice() -> None:
    section, notice = chosen_section("<b>" + "x" * 100, SECTION_ORDER)
    assert section is None and notice.startswith('Ignored measure "<b>xxx') and "tone" in notice and len(notice) < 200


def test_the_help_link_lands_on_the_measures_tab(app_test: AppRun) -> None:
    at = app_test({"measure": "tone"}).switch_page("pages/about.py").run()
    assert not at.exception and [title.value for title in at.title] == ["About the measures"] and not at.warning
    labels = [tab.label for tab in at.tabs]
    assert labels[0] == "What this app measures" and labels[-1].startswith("Reading the corpus")
    container = next(block for block in at.main.children.values() if block.type == "tab_container")
    assert labels[container.proto.tab_container.default_tab_index] == "Tone"


def test_without_a_measure_the_first_tab_opens_and_a_bad_one_gives_a_notice(app_test: AppRun) -> None:
    at = app_test({"measure": "nonsense"}).switch_page("pages/about.py").run()
    container = next(block for block in at.main.children.values() if block.type == "tab_container")
    assert not at.exception and container.proto.tab_container.default_tab_index == 0
    assert len(at.warning) == 1 and 'Ignored measure "nonsense"' in at.warning[0].value.replace("\\", "")


def test_freshness_says_when_the_corpus_was_built_and_never_refreshed() -> None:
    line = freshness({"built_at": "2026-12-06T05:17:02+00:00", "ingested": 1200})
    assert line == "The corpus shown (1,200 articles) was built on 2026-12-06 05:17 UTC and has not been refreshed since."


def test_freshness_names_the_last_refresh_and_what_it_added() -> None:
    manifest = {"built_at": "2026-12-07T05:17:40+00:00", "ingested": 1203, "updates": [{"added": 5}, {"added": 3}]}
    assert freshness(manifest) == ("The corpus shown (1,203 articles) was last refreshed on 2026-12-07 05:17 UTC: "
                                   "that refresh added 3 articles (2 refreshes since it was first built).")
