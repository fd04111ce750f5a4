"""Benchmark: FramingScorer.score_many, and score_in_context (the Korea and deterrent rules, as the build
calls it, with paragraph openings; no actor ids, so the Korea rule reads words only), on up to 300,000 real
sentences (wall and CPU, median of 3).

Usage: python bench/bench_framing.py
"""
from __future__ import annotations

import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.framing import FramingScorer, paragraph_openings  # noqa: E402
from pipeline.text import split_sentences  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
LIMIT = 300_000


def _sentences() -> tuple[list[str], list[bool]]:
    """Sentences of the corpora in order, and whether each opens a paragraph."""
    found: list[str] = []
    opens: list[bool] = []
    for name in ("kcna_2011_2012.jsonl.gz", "whitehouse_nk_2021_2026.jsonl.gz", "kcna_2024.jsonl.gz"):
        with gzip.open(CORPUS / name, "rt", encoding="utf-8") as handle:
            for line in handle:
                body = json.loads(line)["body"]
                parts = split_sentences(body)
                found.extend(parts)
                opens.extend(paragraph_openings(body, parts))
                if len(found) >= LIMIT:
                    return found[:LIMIT], opens[:LIMIT]
    return found, opens


def _timed(label: str, count: int, run: Callable[[], object]) -> object:
    wall, cpu = [], []
    result = None
    for _ in range(3):
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        result = run()
        wall.append(time.perf_counter() - started_wall)
        cpu.append(time.process_time() - started_cpu)
    print(f"{label}: {count:,} sentences: wall median {statistics.median(wall):.2f} s, CPU median {statistics.median(cpu):.2f} s, "
          f"{count / statistics.median(wall):,.0f} sentences/s")
    return result


def main() -> None:
    sentences, opens = _sentences()
    scorer = FramingScorer()
    frame = _timed("score_many", len(sentences), lambda: scorer.score_many(sentences))
    print("share of sentences with a cue:", (frame > 0).mean().round(4).to_dict())
    no_actors = [()] * len(sentences)
    context = _timed("score_in_context", len(sentences), lambda: scorer.score_in_context(sentences, no_actors, opens))
    print("share of sentences with weight in each column:", (context > 0).mean().round(4).to_dict())


if __name__ == "__main__":
    main()
