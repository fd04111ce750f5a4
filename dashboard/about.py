"""The "About the measures" text: the pipeline's own documentation, one file per measure.

Each measure's Markdown lives beside the others in docs/measures/ and is written by
whoever owns the measure, so the explanation changes in the same commit as the code.
"""
from __future__ import annotations

from pathlib import Path

MEASURES_DIR = Path(__file__).resolve().parents[1] / "docs" / "measures"
# Reading order: where the articles come from, then who, how, what.
SECTION_ORDER = ("ingest", "actors", "tone", "framing", "topics", "keywords")


def measure_sections(folder: Path = MEASURES_DIR) -> list[tuple[str, str]]:
    """(name, markdown) for each measure file, in reading order, unknown extras last."""
    files = {path.stem: path for path in folder.glob("*.md")}
    ordered = [name for name in SECTION_ORDER if name in files] + sorted(set(files) - set(SECTION_ORDER))
    return [(name, files[name].read_text(encoding="utf-8")) for name in ordered]
