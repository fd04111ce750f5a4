"""The actor-mention evaluation set (issue 11): every label points at real corpus text, and holds none."""
from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import sample_actor_eval as sampler  # noqa: E402

LABELS = REPO / "data" / "labels" / "actor_mentions.csv"
HELDOUT = REPO / "data" / "labels" / "actor_mentions_heldout.csv"
COLUMNS = ["item_id", "file", "row", "field", "start", "end", "url", "date", "gold_actor_ids", "doubtful", "note"]
ACTOR_ID = re.compile(r"[a-z]+(?:-[a-z]+)*")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames is not None and reader.fieldnames[: len(COLUMNS)] == COLUMNS, path.name
        return list(reader)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _read(LABELS)


@pytest.fixture(scope="module", params=[LABELS, HELDOUT], ids=["first", "heldout"])
def labelled(request: pytest.FixtureRequest) -> tuple[Path, list[dict[str, str]]]:
    """Each labels file with its rows: the first set and the held-out set follow the same format."""
    return request.param, _read(request.param)


def test_labels_are_well_formed(labelled: tuple[Path, list[dict[str, str]]]) -> None:
    path, rows = labelled
    ids = Counter(row["item_id"] for row in rows)
    assert not [item for item, count in ids.items() if count > 1], "item ids repeat"
    for number, row in enumerate(rows, start=2):
        where = f"{path.name}:{number}"
        actors = row["gold_actor_ids"].split(";") if row["gold_actor_ids"] else []
        assert all(ACTOR_ID.fullmatch(actor) for actor in actors), f"{where}: bad actor id in {actors}"
        assert len(actors) == len(set(actors)), f"{where}: an actor is listed twice"
        assert row["doubtful"] in {"0", "1"}, f"{where}: doubtful must be 0 or 1"
        assert row["field"] in {"title", "body"}, f"{where}: unknown field"
        assert row["item_id"] == f"{sampler._short(row['file'])}-{row['row']}-{row['field']}-{row['start']}", where


def test_labels_cover_the_issue_strata(rows: list[dict[str, str]]) -> None:
    """At least 400 items over 1997-2026, headlines and sentences, the main leaders, traps and random items."""
    assert len(rows) >= 400
    fields = Counter(row["field"] for row in rows)
    assert fields["title"] >= 200 and fields["body"] >= 200
    years = {int(row["date"][:4]) for row in rows}
    assert min(years) == 1997 and max(years) >= 2026
    strata = Counter(row["stratum"] for row in rows)
    for surname in "Kim Trump Putin Xi Moon Biden Bush Obama Abe Lee Park Yoon Medvedev Clinton".split():
        assert strata[surname] >= 12, surname
    assert strata["random"] >= 0.08 * len(rows)
    assert sum(1 for row in rows if row["note"].startswith("trap")) >= 30


def test_heldout_set_shares_no_item_with_the_first_set() -> None:
    """The held-out items were drawn with `--exclude` the first set: none may have been read before."""
    heldout = _read(HELDOUT)
    assert len(heldout) >= 140
    assert not sampler.labelled_item_ids(HELDOUT) & sampler.labelled_item_ids(LABELS)
    assert {row["stratum"] for row in heldout} >= {"Kim", "Putin", "Biden", "Trump", "trap", "role", "random"}


def test_every_label_resolves_to_corpus_text_and_copies_none(
    labelled: tuple[Path, list[dict[str, str]]], corpus_dir: Path
) -> None:
    _, rows = labelled
    for row in rows:
        ref = (corpus_dir, row["file"], int(row["row"]), row["field"], int(row["start"]), int(row["end"]))
        text = sampler.item_text(*ref)
        context = sampler.item_context(*ref)
        assert text.strip(), row["item_id"]
        assert context.date == row["date"], row["item_id"]
        if row["field"] == "title":
            assert int(row["end"]) == len(text), row["item_id"]
        # No four consecutive words of the item may appear in the reader's note.
        words = row["note"].lower().split()
        lowered = text.lower()
        grams = [" ".join(words[i : i + 4]) for i in range(len(words) - 3)]
        assert not [gram for gram in grams if gram in lowered], f"{row['item_id']}: note quotes the item"


def test_sentence_spans_locate_sentences_in_the_raw_body() -> None:
    body = "First line here.  Mr. Kim met Mr. Putin.\n\n  Second paragraph! It ends"
    spans = list(sampler.sentence_spans(body))
    assert [body[start:end] for start, end in spans] == [
        "First line here.",
        "Mr. Kim met Mr. Putin.",
        "Second paragraph!",
        "It ends",
    ]


def test_item_text_rejects_bad_references(corpus_dir: Path) -> None:
    with pytest.raises(KeyError, match="no row 999999"):
        sampler.item_text(corpus_dir, sampler.KCNA_2024, 999999, "body", 0, 10)
    with pytest.raises(ValueError, match="outside the body"):
        sampler.item_text(corpus_dir, sampler.KCNA_2024, 1, "body", 0, 10**9)
    with pytest.raises(ValueError, match="unknown field"):
        sampler.item_text(corpus_dir, sampler.KCNA_2024, 1, "text", 0, 10)
    with pytest.raises(FileNotFoundError, match="missing"):
        sampler.item_text(corpus_dir, "absent.jsonl.gz", 1, "body", 0, 10)


def test_scaled_quota_keeps_every_stratum() -> None:
    assert sampler.scaled_quota(16, 1.0) == 16
    assert sampler.scaled_quota(16, 0.28) == 4
    assert sampler.scaled_quota(1, 0.28) == 1  # a stratum of one item is not dropped


def test_labelled_item_ids_name_the_file_and_line_of_a_bad_reference(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("file,row,field,start\nkcna_2024.jsonl.gz,7,body,120\n", encoding="utf-8")
    assert sampler.labelled_item_ids(good) == {"k24-7-body-120"}
    bad = tmp_path / "bad.csv"
    bad.write_text("file,row,field,start\nkcna_2024.jsonl.gz,seven,body,120\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.csv:2: bad item reference"):
        sampler.labelled_item_ids(bad)
    other = tmp_path / "other.csv"
    other.write_text("id,text\n1,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a labels file"):
        sampler.labelled_item_ids(other)
