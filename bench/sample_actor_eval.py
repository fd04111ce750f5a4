"""Sampler for the actor-mention evaluation set (issue 11), and the look-ups its benchmark uses.

Usage: python bench/sample_actor_eval.py [--out /tmp/actor_eval/items.jsonl] [--seed 11]
       [--scale 0.28] [--exclude data/labels/actor_mentions.csv ...]

Reads the shared corpora in place (`../shared/corpus/` from the repository root) and selects,
with a fixed seed, headlines and body sentences that a human reader then labels in
`data/labels/actor_mentions.csv`. Selection is stratified: for every corpus a fixed quota per
key (a surname token, a trap word, a role phrase, an initialled name, or "random": no surname
at all, to measure false positives), spread over the years the corpus covers. The items are
written WITH their text and the preceding text of their article to `--out`, a file meant for
the reader's eyes only: it must never be copied into the repository, which keeps only the
reference (file, row, field, start, end) and re-extracts the text with `item_text`.

A held-out set (drawn after the matcher was tuned on the first set) uses another `--seed`,
`--scale` to shrink every quota in proportion (each key keeps at least one item, so all strata
stay represented) and `--exclude` with the labels already written, so no item is read twice.

Item reference: `file` is the path under the corpus folder; `row` is the 1-based data row
(CSV header excluded) or the 1-based line of a JSON Lines file (1 for the seed .txt);
`field` is `title` (a whole headline: start 0, end its length) or `body` (one sentence:
`start`/`end` are character offsets into the raw stored body string; for the seed .txt,
into the whole file text). Sentences come from `pipeline.text.split_sentences`, located
back in the raw string.
"""
from __future__ import annotations

import argparse
import csv
import functools
import gzip
import json
import os
import random
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.text import split_sentences  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
HEADLINES = "kcna_headlines_1997_2014.csv.gz"
KCNA_2011 = "kcna_2011_2012.jsonl.gz"
KCNA_2024 = "kcna_2024.jsonl.gz"
WHITE_HOUSE = "whitehouse_nk_2021_2026.jsonl.gz"
SEED = "seed/korea_herald_2019-04-28_no_end_in_sight.txt"
SEED_DATE = "2019-04-28"  # the editorial's "Published" line; the .txt has no other date field

SURNAMES = (
    "Kim Trump Putin Xi Moon Biden Bush Obama Abe Koizumi Medvedev Yeltsin Lee Park Yoon Clinton "
    "Roh Hu Jiang Kishida Pompeo Lavrov Blinken Bolton Pence Choe Ri Rice Kerry Shoigu Zelensky "
    "Sung Hill"
).split()


def _surname_pattern(surname: str) -> re.Pattern[str]:
    """The surname as a token in any case, or glued after a lower-case word ("ComradeKim")."""
    return re.compile(rf"(?i:(?<![A-Za-z]){surname}(?![a-z]))|(?<=[a-z]){surname}(?![a-z])")


# Keys besides the surnames; every key is a pattern an item must contain to be a candidate.
EXTRA_KEYS: dict[str, re.Pattern[str]] = {
    # Common words and idioms that look like leaders' surnames (lower case only).
    "trap": re.compile(r"\b(?:trump card|lee side|bush ?fires?|moon|moons|park|parks|rice|hill|hills|bush|bushes|trumped)\b"),
    "role": re.compile(
        r"(?i:\bthe (?:supreme leader|us president|u\.s\. president|american president|president of the united states"
        r"|puppet chief|chief executive)\b)|\bChairman\b|\bComrade|\bthe President\b"
    ),
    "initials": re.compile(r"\b[A-Z]\. ?(?:[A-Z]\. ?)?[A-Z][a-z]+"),
    # Top-ups for leaders whose surname strata are mostly traps or other bearers (added after
    # the first labelling pass, at the end of each corpus's quotas so earlier picks stay put).
    "name:moon-jae-in": re.compile(r"Moon Jae[- ]?in|President Moon"),
    "name:park-geun-hye": re.compile(r"(?i:Park Geun[- ]?Hye|Park Kun[- ]?Hye)"),
    "name:president-lee": re.compile(r"President Lee"),
    "name:ishiba": re.compile(r"Ishiba"),
}
ALL_SURNAMES = re.compile("|".join(_surname_pattern(s).pattern for s in SURNAMES))

# Quotas per corpus and key (order matters: each corpus has one seeded random stream, consumed
# key by key). Headlines: about 225 items; bodies: about 260 sentences.
QUOTAS: dict[str, dict[str, int]] = {
    HEADLINES: {
        "Kim": 16, "Putin": 14, "Bush": 14, "Obama": 10, "Abe": 12, "Koizumi": 6, "Medvedev": 7,
        "Yeltsin": 2, "Lee": 14, "Park": 10, "Clinton": 10, "Roh": 6, "Hu": 6, "Jiang": 6, "Moon": 8,
        "Xi": 6, "Choe": 5, "Ri": 5, "Sung": 5, "Bolton": 2, "Kerry": 1, "Biden": 1, "Rice": 8,
        "Hill": 5, "trap": 3, "role": 8, "initials": 6, "random": 22, "name:park-geun-hye": 6,
    },
    KCNA_2011: {
        "Kim": 10, "Lee": 8, "Park": 4, "Obama": 4, "Medvedev": 4, "Putin": 3, "Bush": 3, "Hu": 2,
        "Xi": 2, "Moon": 3, "Clinton": 2, "Abe": 2, "Lavrov": 1, "Choe": 2, "Ri": 2, "Sung": 2,
        "Rice": 2, "Hill": 2, "trap": 4, "role": 4, "initials": 3, "random": 6, "name:park-geun-hye": 4,
    },
    KCNA_2024: {
        "Kim": 8, "Yoon": 8, "Putin": 5, "Biden": 3, "Xi": 2, "Kishida": 3, "Shoigu": 2, "Lavrov": 1,
        "Medvedev": 2, "Trump": 2, "Park": 2, "Choe": 2, "Ri": 1, "Rice": 1, "Hill": 1, "trap": 2,
        "role": 5, "initials": 2, "random": 5,
    },
    WHITE_HOUSE: {
        "Biden": 10, "Trump": 10, "Putin": 8, "Xi": 6, "Kim": 6, "Moon": 6, "Yoon": 6, "Obama": 4,
        "Bush": 4, "Abe": 3, "Lee": 4, "Kishida": 3, "Blinken": 3, "Clinton": 3, "Park": 2, "Sung": 2,
        "Kerry": 1, "Pompeo": 1, "Pence": 1, "Lavrov": 1, "Zelensky": 1, "Hill": 3, "Rice": 1,
        "trap": 4, "role": 4, "random": 6, "name:moon-jae-in": 8, "name:president-lee": 4, "name:ishiba": 3,
    },
    SEED: {"Kim": 3, "Putin": 2, "Moon": 2, "Trump": 2, "Xi": 1, "random": 2},
}


@dataclass(frozen=True)
class Item:
    """One headline or body sentence, referenced by its place in the corpus."""

    item_id: str
    file: str
    row: int
    field: str
    start: int
    end: int
    url: str
    date: str
    key: str


class ItemContext(NamedTuple):
    """What a reader (or a matcher) knows before the item: its article's date, title, earlier text."""

    date: str
    title: str
    preceding: str


@dataclass(frozen=True)
class _Record:
    row: int
    date: str
    title: str
    body: str
    url: str


def _read_records(path: Path) -> Iterator[_Record]:
    """Records of one corpus file, numbered as the labels reference them."""
    name = path.name
    if name.endswith(".csv.gz"):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row, record in enumerate(csv.DictReader(handle), start=1):
                yield _Record(row, record["date"], record["title"], "", record["url"])
    elif name.endswith(".jsonl.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for row, line in enumerate(handle, start=1):
                record = json.loads(line)
                yield _Record(row, record["date"], record.get("title") or "", record.get("body") or "", record.get("url") or "")
    elif name.endswith(".txt"):
        yield _Record(1, SEED_DATE, "", path.read_text(encoding="utf-8"), "")
    else:
        raise ValueError(f"{path}: not a corpus format the evaluation set uses")


@functools.lru_cache(maxsize=8)
def load_records(corpus_dir: Path, file: str) -> dict[int, _Record]:
    """All records of one corpus file by row (cached: the benchmark looks up many rows per file)."""
    path = Path(corpus_dir) / file
    if not path.is_file():
        raise FileNotFoundError(f"{path}: corpus file named by the evaluation set is missing")
    return {record.row: record for record in _read_records(path)}


def _record(corpus_dir: Path, file: str, row: int) -> _Record:
    records = load_records(Path(corpus_dir), file)
    if row not in records:
        raise KeyError(f"{file}: no row {row} (the file has {len(records)} rows)")
    return records[row]


def item_text(corpus_dir: Path, file: str, row: int, field: str, start: int, end: int) -> str:
    """The text of one labelled item, re-extracted from the corpus at run time."""
    record = _record(corpus_dir, file, row)
    if field == "title":
        return record.title
    if field == "body":
        if not 0 <= start < end <= len(record.body):
            raise ValueError(f"{file}:{row}: span {start}-{end} outside the body ({len(record.body)} characters)")
        return record.body[start:end]
    raise ValueError(f"{file}:{row}: unknown field {field!r} (expected title or body)")


def item_context(corpus_dir: Path, file: str, row: int, field: str, start: int, end: int) -> ItemContext:
    """The article's date and title, and for a body sentence the body text before it."""
    record = _record(corpus_dir, file, row)
    preceding = record.body[:start] if field == "body" else ""
    return ItemContext(record.date, record.title, preceding)


def sentence_spans(body: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence `split_sentences` finds, located in the raw body."""
    position = 0
    for sentence in split_sentences(body):
        start = body.find(sentence, position)
        if start < 0:  # split_sentences only strips, so this cannot happen; fail loudly if it does
            raise AssertionError(f"sentence not found in its body at offset {position}")
        position = start + len(sentence)
        yield start, position


def _short(file: str) -> str:
    return {HEADLINES: "hl", KCNA_2011: "k11", KCNA_2024: "k24", WHITE_HOUSE: "wh", SEED: "seed"}[file]


def _keys_of(text: str, keys: dict[str, int]) -> list[str]:
    """Keys (of those with a quota) that a candidate text qualifies for."""
    found = [key for key in keys if key in EXTRA_KEYS and EXTRA_KEYS[key].search(text)]
    found += [key for key in keys if key[0].isupper() and _surname_pattern(key).search(text)]
    if "random" in keys and not ALL_SURNAMES.search(text):
        found.append("random")
    return found


def _candidates(corpus_dir: Path, file: str) -> dict[str, dict[str, list[Item]]]:
    """Candidates per key and year; a headline text that repeats counts once (its first row)."""
    keys = QUOTAS[file]
    pool: dict[str, dict[str, list[Item]]] = defaultdict(lambda: defaultdict(list))
    seen_titles: set[str] = set()
    for record in load_records(corpus_dir, file).values():
        if file == HEADLINES:
            normalised = " ".join(record.title.lower().split())
            if not normalised or normalised in seen_titles:
                continue
            seen_titles.add(normalised)
            spans = [("title", 0, len(record.title), record.title)]
        else:
            spans = [("body", s, e, record.body[s:e]) for s, e in sentence_spans(record.body)]
        for field, start, end, text in spans:
            for key in _keys_of(text, keys):
                item_id = f"{_short(file)}-{record.row}-{field}-{start}"
                item = Item(item_id, file, record.row, field, start, end, record.url, record.date, key)
                pool[key][record.date[:4]].append(item)
    return pool


def labelled_item_ids(labels: Path) -> set[str]:
    """Item ids of the (file, row, field, start) references in a labels CSV, to leave out of a new draw."""
    with labels.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"file", "row", "field", "start"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{labels}: not a labels file, no column {', '.join(sorted(missing))}")
        ids: set[str] = set()
        for line, row in enumerate(reader, start=2):
            try:
                ids.add(f"{_short(row['file'])}-{int(row['row'])}-{row['field']}-{int(row['start'])}")
            except (KeyError, ValueError) as error:
                raise ValueError(f"{labels}:{line}: bad item reference ({error})") from None
    return ids


def scaled_quota(quota: int, scale: float) -> int:
    """A quota shrunk (or grown) in proportion, never below one item, so every stratum stays."""
    return max(1, round(quota * scale))


def _spread(rng: random.Random, by_year: dict[str, list[Item]], quota: int, taken: set[str]) -> list[Item]:
    """Up to `quota` items, one year at a time in a shuffled cycle, so all years are represented."""
    years = sorted(by_year)
    rng.shuffle(years)
    remaining = {year: rng.sample(by_year[year], len(by_year[year])) for year in years}
    chosen: list[Item] = []
    while len(chosen) < quota and any(remaining.values()):
        for year in years:
            while remaining[year]:
                item = remaining[year].pop()
                if item.item_id not in taken:
                    taken.add(item.item_id)
                    chosen.append(item)
                    break
            if len(chosen) >= quota:
                break
    return chosen


def sample(corpus_dir: Path, seed: int, scale: float = 1.0, exclude: frozenset[str] = frozenset()) -> list[Item]:
    """The evaluation items: for each corpus and key, its quota (times `scale`), spread over years.

    Items whose id is in `exclude` (already labelled) are never picked. With the defaults the
    draw is exactly the one `actor_mentions.csv` was labelled on.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, not {scale}")
    items: list[Item] = []
    taken: set[str] = set(exclude)
    for file, quotas in QUOTAS.items():
        pool = _candidates(corpus_dir, file)
        rng = random.Random(f"{seed}:{file}")
        for key, quota in quotas.items():
            items.extend(_spread(rng, pool.get(key, {}), scaled_quota(quota, scale), taken))
    return items


def _write_items(items: list[Item], corpus_dir: Path, out: Path) -> None:
    """Items with text and context for the human reader, written atomically."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=out.parent, delete=False, suffix=".tmp") as handle:
        for item in items:
            ref = (corpus_dir, item.file, item.row, item.field, item.start, item.end)
            context = item_context(*ref)
            row = asdict(item) | {"text": item_text(*ref), "title": context.title, "preceding": context.preceding}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(handle.name, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/actor_eval/items.jsonl"))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every quota (at least 1 per key)")
    parser.add_argument("--exclude", type=Path, action="append", default=[], metavar="CSV",
                        help="labels CSV whose items must not be drawn again (repeatable)")
    args = parser.parse_args()
    exclude = frozenset().union(*(labelled_item_ids(path) for path in args.exclude))
    items = sample(args.corpus, args.seed, args.scale, exclude)
    _write_items(items, args.corpus, args.out)
    by_file: dict[str, int] = defaultdict(int)
    by_key: dict[str, int] = defaultdict(int)
    for item in items:
        by_file[item.file] += 1
        by_key[item.key] += 1
    print(f"{len(items)} items written to {args.out}")
    for name, count in sorted(by_file.items()):
        print(f"  {name}: {count}")
    print("  per key: " + ", ".join(f"{key} {count}" for key, count in sorted(by_key.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
