"""Ingest on the real corpora in ../shared/corpus (read in place; expected values derived from the raw files)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from pipeline.ingest import IngestResult, ingest
from pipeline.text import normalize_text

pytestmark = pytest.mark.corpus

HANGUL = re.compile("[\uac00-\ud7a3]")


def _raw_lines(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _line(input_: str) -> int:
    return int(input_.rsplit(":", 1)[1])


def _accounted(result: IngestResult) -> bool:
    return result.read == len(result.articles) + len(result.duplicates) + len(result.rejects)


@pytest.fixture(scope="module")
def kcna_2024(corpus_dir: Path) -> tuple[list[dict], IngestResult]:
    path = corpus_dir / "kcna_2024.jsonl.gz"
    return _raw_lines(path), ingest([path])


@pytest.fixture(scope="module")
def whitehouse(corpus_dir: Path) -> tuple[list[dict], IngestResult]:
    path = corpus_dir / "whitehouse_nk_2021_2026.jsonl.gz"
    return _raw_lines(path), ingest([path])


# --- the seed editorial ------------------------------------------------------------


def test_seed_header_is_parsed(corpus_dir: Path) -> None:
    path = corpus_dir / "seed" / "korea_herald_2019-04-28_no_end_in_sight.txt"
    result = ingest([corpus_dir / "seed"])
    assert (result.read, len(result.rejects), len(result.duplicates)) == (1, 0, 0)
    (article,) = result.articles
    raw = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    title_at = next(i for i, line in enumerate(raw) if line.startswith("[Editorial]"))
    assert (article.source, article.title, article.date) == ("The Korea Herald", "No end in sight", dt.date(2019, 4, 28))
    assert article.subtitle == normalize_text(raw[title_at + 1])
    assert article.input == str(path)


def test_seed_body_has_no_header_stray_or_widget_lines(corpus_dir: Path) -> None:
    path = corpus_dir / "seed" / "korea_herald_2019-04-28_no_end_in_sight.txt"
    (article,) = ingest([path]).articles
    raw = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    body_from = next(i for i, line in enumerate(raw) if "Link copied" in line) + 1
    assert article.text.split("\n") == [normalize_text(line) for line in raw[body_from:]]
    assert not HANGUL.search(article.text)
    assert "Link copied" not in article.text and "Published" not in article.text


# --- KCNA 2024 ---------------------------------------------------------------------


def test_kcna_2024_two_translations_of_a_story_collapse(kcna_2024: tuple[list[dict], IngestResult]) -> None:
    """The file holds 20 stories twice: same URL and date, the second a re-translation (re-worded).

    Derived from the raw file: records sharing URL and date with an earlier one are the
    duplicates; each must point at the earlier record's article.
    """
    raw, result = kcna_2024
    first_line: dict[tuple[str, str], int] = {}
    pairs: dict[int, int] = {}
    for number, row in enumerate(raw, start=1):
        key = (row["url"], row["date"])
        if key in first_line:
            pairs[number] = first_line[key]
        first_line.setdefault(key, number)
    assert len(pairs) == 20
    ids_by_line = {_line(a.input): a.article_id for a in result.articles}
    assert {_line(d.input): d.kept for d in result.duplicates} == {second: ids_by_line[first] for second, first in pairs.items()}
    assert {d.kind for d in result.duplicates} == {"near"}
    assert (result.read, len(result.articles), len(result.rejects)) == (1059, 1039, 0)
    assert _accounted(result)


def test_kcna_2024_datelines_and_end_marks_are_gone(kcna_2024: tuple[list[dict], IngestResult]) -> None:
    raw, result = kcna_2024
    assert sum(row["body"].startswith("Pyongyang, ") for row in raw) > 900
    assert not any(re.match(r"Pyongyang, \w+ \d+ \(KCNA\)", a.text) for a in result.articles)
    assert not any(a.text.endswith("-0-") for a in result.articles)


def test_kcna_2024_glued_names_are_repaired_in_the_kept_text(kcna_2024: tuple[list[dict], IngestResult]) -> None:
    """Issue 12: clean-up sets glued names apart (pipeline.glued), so text, actors and terms see the name."""
    raw, result = kcna_2024
    glued_in_raw = {number for number, row in enumerate(raw, start=1) if "ComradeKim Jong Un" in row["body"]}
    kept = {_line(a.input): a.text for a in result.articles}
    glued_and_kept = glued_in_raw & set(kept)
    assert len(glued_and_kept) > 200
    assert not any("ComradeKim" in text for text in kept.values())
    assert all("Comrade Kim Jong Un" in kept[line] for line in glued_and_kept)


# --- White House -------------------------------------------------------------------


def test_whitehouse_titles_are_unescaped(whitehouse: tuple[list[dict], IngestResult]) -> None:
    raw, result = whitehouse
    assert sum("\\_" in row["title"] or row["title"].endswith("\\") for row in raw) > 300
    titles = [a.title for a in result.articles]
    assert not any("\\" in title for title in titles)
    assert not any("_" in title for title in titles)


def test_whitehouse_bodies_are_plain_unwrapped_text(whitehouse: tuple[list[dict], IngestResult]) -> None:
    raw, result = whitehouse
    raw_lines = sum(row["body"].count("\n") for row in raw)
    kept_lines = sum(a.text.count("\n") for a in result.articles)
    assert kept_lines < raw_lines / 3  # hard-wrapped lines rejoined into paragraphs
    for marker in ("<s>", "<sup>", "\\[", "\\#"):
        assert not any(marker in a.text for a in result.articles), marker
    assert not any(re.search(r"\*\*\w[^*\n]*\*\*", a.text) for a in result.articles)  # Markdown bold


def test_whitehouse_identical_bodies_are_exact_duplicates(whitehouse: tuple[list[dict], IngestResult]) -> None:
    raw, result = whitehouse
    copies = defaultdict(list)
    for number, row in enumerate(raw, start=1):
        copies[row["body"]].append(number)
    later = {number for lines in copies.values() for number in lines[1:]}
    assert len(later) == 3
    assert {_line(d.input) for d in result.duplicates} == later
    assert {d.kind for d in result.duplicates} == {"exact"}
    assert (len(result.articles), len(result.rejects)) == (383, 0)


# --- headlines 1997-2014 -----------------------------------------------------------


def test_headlines_are_the_text_and_same_day_repeats_collapse(corpus_dir: Path) -> None:
    path = corpus_dir / "kcna_headlines_1997_2014.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    same_day_repeats = len(rows) - len({(row["date"], re.sub(r"[\W_]+", "", row["title"].lower())) for row in rows})
    result = ingest([path])
    assert (result.read, len(result.duplicates), len(result.rejects)) == (len(rows), same_day_repeats, 0)
    assert len(result.articles) == len(rows) - same_day_repeats
    assert all(a.text == a.title for a in result.articles[:1000])
    assert len({a.article_id for a in result.articles}) == len(result.articles)


# --- KCNA 2011-2012 ----------------------------------------------------------------


def test_kcna_2011_2012_keeps_every_story_and_titles_the_untitled(corpus_dir: Path) -> None:
    path = corpus_dir / "kcna_2011_2012.jsonl.gz"
    raw = _raw_lines(path)
    result = ingest([path])
    assert (len(result.articles), len(result.duplicates), len(result.rejects)) == (len(raw), 0, 0)
    untitled = [a for a in result.articles if not raw[_line(a.input) - 1]["title"].strip()]
    assert len(untitled) == sum(not row["title"].strip() for row in raw)
    assert all(a.title and a.text.startswith(a.title.removesuffix(" ...")) for a in untitled)
    assert not any(re.search(r"[a-z]{3}\.,\s+[A-Z]", a.text) for a in result.articles)
