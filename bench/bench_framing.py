"""Benchmark: FramingScorer.score_many on up to 300,000 real sentences (wall and CPU, median of 3).

Usage: python bench/bench_framing.py
"""
from __future__ import annotations

import gzip
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.framing import FramingScorer  # noqa: E402
from pipeline.text import split_sentences  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
LIMIT = 300_000


def _sentences() -> list[str]:
    found: list[str] = []
    for name in ("kcna_2011_2012.jsonl.gz", "whitehouse_nk_2021_2026.jsonl.gz", "kcna_2024.jsonl.gz"):
        with gzip.open(CORPUS / name, "rt", encoding="utf-8") as handle:
            for line in handle:
                found.extend(split_sentences(json.loads(line)["body"]))
                if len(found) >= LIMIT:
                    return found[:LIMIT]
    return found


def main() -> None:
    sentences = _sentences()
    scorer = FramingScorer()
    wall, cpu = [], []
    for _ in range(3):
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        frame = scorer.score_many(sentences)
        wall.append(time.perf_counter() - started_wall)
        cpu.append(time.process_time() - started_cpu)
    print(f"{len(sentences):,} sentences: wall median {statistics.median(wall):.2f} s, CPU median {statistics.median(cpu):.2f} s, "
          f"{len(sentences) / statistics.median(wall):,.0f} sentences/s")
    print("share of sentences with a cue:", (frame > 0).mean().round(4).to_dict())


if __name__ == "__main__":
    main()
