"""Benchmark: ingest speed and peak memory on the large real corpora, and sentence-splitting speed.

Usage: python bench/bench_ingest.py [corpus-file ...] [--runs N]

Each run ingests one corpus in a fresh Python process (so peak memory, ru_maxrss, is that
corpus's alone) and reports wall and CPU seconds; the figures printed are medians over
the runs. Then the sentence splitter is timed on every article of the first corpus.
Targets (issue): each corpus under 30 s, peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.ingest import ingest
from pipeline.text import split_sentences

SHARED = REPO.parent / "shared" / "corpus"
DEFAULT_CORPORA = [SHARED / "kcna_2011_2012.jsonl.gz", SHARED / "kcna_headlines_1997_2014.csv.gz"]


def one_run(corpus: Path) -> dict[str, float]:
    """Ingest `corpus` once in this process; timings, counts and peak memory."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = ingest([corpus])
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "read": result.read,
        "articles": len(result.articles),
        "duplicates": len(result.duplicates),
        "rejects": len(result.rejects),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _in_fresh_process(corpus: Path) -> dict[str, float]:
    output = subprocess.run([sys.executable, __file__, "--one", str(corpus)], check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def _sentence_speed(corpus: Path, runs: int) -> tuple[int, float]:
    texts = [article.text for article in ingest([corpus]).articles]
    timings, count = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        count = sum(len(split_sentences(text)) for text in texts)
        timings.append(time.perf_counter() - started)
    return count, statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one)))
        return
    for corpus in args.corpora:
        runs = [_in_fresh_process(corpus) for _ in range(args.runs)]
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        first = runs[0]
        print(
            f"{corpus.name}: read {first['read']:,}, kept {first['articles']:,}, duplicates {first['duplicates']:,}, "
            f"rejected {first['rejects']:,}; median of {args.runs}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
            f"{first['read'] / wall:,.0f} records/s, peak memory {peak:,.0f} MB"
        )
    count, seconds = _sentence_speed(args.corpora[0], args.runs)
    print(
        f"split_sentences on {args.corpora[0].name}: {count:,} sentences in {seconds:.2f} s (median of {args.runs}), {count / seconds:,.0f} sentences/s"
    )


if __name__ == "__main__":
    main()
