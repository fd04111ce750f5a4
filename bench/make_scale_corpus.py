"""Synthetic scale corpora from the KCNA 2011-2012 stories: copies with shifted dates (never committed).

Usage: python bench/make_scale_corpus.py --stories 100000 [--out /tmp/scale/kcna_100k.jsonl.gz] [--hold-out N] [--parts N]

Copy k of the corpus is dated 2k years earlier (29 February becomes the 28th), so no copy is a
duplicate of another (duplicates must share a date within a day) and every copy keeps the
corpus' month-by-month rhythm; the first copy is the corpus itself. Stories are taken in
order until `--stories` are written. `--hold-out N` writes the latest N stories to a second
file (`...-new.jsonl.gz`) instead, for timing an update (bench/bench_update.py). `--parts N` splits the stories into N files of
consecutive stories (`...-1of2.jsonl.gz`, ...): the build reads at most 1 GiB of decompressed text
per file (a guard against gzip bombs), about 770,000 of these stories, so a million need two.
Reads ../shared/corpus/ at run time; writes only where --out points (default /tmp/scale).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO.parent / "shared" / "corpus" / "kcna_2011_2012.jsonl.gz"


def _shifted(date: str, years: int) -> str:
    day = dt.date.fromisoformat(date[:10])
    if day.month == 2 and day.day == 29:
        day = day.replace(day=28)
    return day.replace(year=day.year - years).isoformat()


def stories(count: int, source: Path = SOURCE) -> Iterator[dict]:
    """`count` records: the corpus, then its copies dated 2, 4, 6 ... years earlier."""
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    written, copy = 0, 0
    while written < count:
        for record in records:
            if written == count:
                return
            yield {**record, "date": _shifted(record["date"], 2 * copy), "url": f"{record.get('url', '')}#copy{copy}"}
            written += 1
        copy += 1


def _write(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, required=True)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--hold-out", type=int, default=0, metavar="N")
    parser.add_argument("--parts", type=int, default=1, metavar="N", help="split the stories into N files")
    args = parser.parse_args()
    out = args.out or Path("/tmp/scale") / f"kcna_{args.stories}.jsonl.gz"
    if REPO in out.resolve().parents:
        sys.exit("error: write scale corpora outside the repository (they are copies of a shared corpus)")
    records = list(stories(args.stories))
    if args.hold_out:
        records.sort(key=lambda record: record["date"])
        _write(out.with_name(out.name.replace(".jsonl.gz", "-new.jsonl.gz")), records[-args.hold_out :])
        records = records[: -args.hold_out]
    if args.parts < 2:
        _write(out, records)
        print(f"wrote {len(records):,} stories to {out}" + (f" and {args.hold_out:,} to its -new file" if args.hold_out else ""))
        return
    size = -(-len(records) // args.parts)
    for part in range(args.parts):
        path = out.with_name(out.name.replace(".jsonl.gz", f"-{part + 1}of{args.parts}.jsonl.gz"))
        _write(path, records[part * size : (part + 1) * size])
        print(f"wrote {len(records[part * size : (part + 1) * size]):,} stories to {path}")


if __name__ == "__main__":
    main()
