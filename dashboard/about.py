"""The "About the measures" text: the pipeline's own documentation, one file per measure; pure, no Streamlit.

Each measure's Markdown lives beside the others in docs/measures/ and is written by
whoever owns the measure, so the explanation changes in the same commit as the code.
The page opens on what the app measures (overview.md); a link may open another tab with
`?measure=<file name>` (`chosen_section`), which is how each page's help link lands on
its own measure.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dashboard.safe_text import shown_in_notice

MEASURES_DIR = Path(__file__).resolve().parents[1] / "docs" / "measures"
MEASURE_PARAM = "measure"
# Reading order: what the app measures, then who, how, what, which words; file formats last.
SECTION_ORDER = ("overview", "actors", "tone", "topics", "framing", "keywords", "ingest")


def measure_sections(folder: Path = MEASURES_DIR) -> list[tuple[str, str]]:
    """(name, markdown) for each measure file, in reading order, unknown extras last."""
    files = {path.stem: path for path in folder.glob("*.md")}
    ordered = [name for name in SECTION_ORDER if name in files] + sorted(set(files) - set(SECTION_ORDER))
    return [(name, files[name].read_text(encoding="utf-8")) for name in ordered]


def section_title(name: str, markdown: str) -> str:
    """A tab's title: the file's first heading, else its name."""
    first = markdown.splitlines()[0] if markdown else ""
    return first.lstrip("# ").strip() or name


def chosen_section(value: str | None, names: Sequence[str]) -> tuple[str | None, str | None]:
    """(the section a `measure` URL value opens, None), or (None, a notice) when it names none; (None, None) without one."""
    if value is None or not value.strip():
        return None, None
    if value.strip() in names:
        return value.strip(), None
    shown = shown_in_notice(value)
    return None, f'Ignored measure "{shown}": it is one of {", ".join(names)}.'


def freshness(manifest: Mapping[str, Any]) -> str:
    """When the corpus shown was built or last refreshed (`build --update`, `refresh`), and what that added."""
    built = str(manifest.get("built_at", ""))[:16].replace("T", " ") or "an unknown date"
    articles = int(manifest.get("ingested", 0))
    updates = manifest.get("updates") or []
    if not updates:
        return f"The corpus shown ({articles:,} articles) was built on {built} UTC and has not been refreshed since."
    added = int(updates[-1].get("added", 0))
    return (f"The corpus shown ({articles:,} articles) was last refreshed on {built} UTC: that refresh added "
            f"{added:,} article{'s' if added != 1 else ''} ({len(updates)} refresh{'es' if len(updates) != 1 else ''} since it was first built).")
